"""The data's revision token: every committed write replaces it, reads leave it, and what is
kept under it (a convoy's readiness) is computed again once anything is written, once for
all the readers who ask at the same moment."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, col, delete, update

from app.core import revision
from app.core.database import end_reading
from app.drivers.models import DriverLicence
from tests import factories
from tests.convoys import builders as b
from tests.factories import API


def test_a_write_replaces_the_token_and_a_read_does_not(
    client: TestClient, session: Session
) -> None:
    before = revision.current(session)
    assert client.get(f"{API}/donors").status_code == 200
    assert revision.current(session) == before
    factories.donor(client)
    after = revision.current(session)
    assert after != before
    # A refused write changes nothing, the token included.
    refused = client.post(f"{API}/donors", json={"name": ""})
    assert refused.status_code == 422
    assert revision.current(session) == after


def test_readiness_follows_a_write_made_outside_any_request(
    client: TestClient, session: Session
) -> None:
    planned = b.planned_convoy(client)
    assert b.readiness(client, planned.id)["blockers"] == []
    assert b.readiness(client, planned.id)["blockers"] == []  # now kept
    # Another process (a script, a second server) takes the driver's licences away.
    driver_id = planned.drivers[0]["id"]
    session.execute(delete(DriverLicence).where(col(DriverLicence.driver_id) == driver_id))
    session.commit()
    assert "driver_licence_missing" in b.codes(b.readiness(client, planned.id)["blockers"])


def test_readiness_is_kept_per_language(client: TestClient) -> None:
    planned = b.planned_convoy(client, vehicles=1, drivers=0, assigned=False)
    path = f"{API}/convoys/{planned.id}/readiness"
    german = client.get(path, headers={"Accept-Language": "de"}).json()["blockers"]
    english = client.get(path, headers={"Accept-Language": "en"}).json()["blockers"]
    assert b.codes(german) == b.codes(english) != []
    assert german[0]["message"] != english[0]["message"]
    again = client.get(path, headers={"Accept-Language": "de"}).json()["blockers"]
    assert again == german


def test_readers_asking_at_once_wait_for_one_computation(engine: Engine) -> None:
    kept: revision.Kept[list[int]] = revision.Kept()
    computed: list[int] = []
    started = threading.Event()

    def compute() -> list[int]:
        computed.append(1)
        started.set()
        time.sleep(0.3)  # the others ask meanwhile
        return [len(computed)]

    def read() -> list[int]:
        with Session(engine) as session:
            return kept.get(session, "board", compute)

    with ThreadPoolExecutor(max_workers=6) as pool:
        first = pool.submit(read)
        started.wait(5)
        others = [pool.submit(read) for _ in range(5)]
        results = [first.result(), *(f.result() for f in others)]
    assert computed == [1]
    assert all(result is results[0] for result in results)


def test_a_failed_computation_leaves_the_waiting_readers_to_compute_their_own(
    engine: Engine,
) -> None:
    kept: revision.Kept[str] = revision.Kept()
    attempts: list[str] = []
    started = threading.Event()

    def compute() -> str:
        attempts.append(threading.current_thread().name)
        if len(attempts) == 1:
            started.set()
            time.sleep(0.3)
            raise LookupError("gone")
        return "computed"

    def read() -> str:
        with Session(engine) as session:
            return kept.get(session, "readiness", compute)

    with ThreadPoolExecutor(max_workers=2) as pool:
        failing = pool.submit(read)
        started.wait(5)
        waiting = pool.submit(read)
        with pytest.raises(LookupError):
            failing.result()
        assert waiting.result() == "computed"
    assert len(attempts) == 2


def test_a_read_ends_in_its_own_thread_and_a_write_keeps_its_transaction(engine: Engine) -> None:
    with Session(engine) as session:
        revision.current(session)
        end_reading(session)
        assert not session.in_transaction()  # the session's end has nothing left to do
        session.execute(
            update(revision.DataRevision).values(token=col(revision.DataRevision.token))
        )
        end_reading(session)
        assert session.in_transaction()  # committed after the endpoint, or rolled back
        session.rollback()


def test_a_write_in_a_released_savepoint_still_counts_until_the_commit(engine: Engine) -> None:
    with Session(engine) as session:
        before = revision.current(session)
        table = revision.DataRevision
        with session.begin_nested():  # as a report with a client key is recorded
            session.execute(update(table).values(token=col(table.token)))
        assert revision.has_written(session)  # nothing kept is read or filled from here
        session.commit()
    with Session(engine) as session:
        assert revision.current(session) != before
