"""The data's revision token: every committed write replaces it, reads leave it, and what is
kept under it (a convoy's readiness) is computed again once anything is written."""

from fastapi.testclient import TestClient
from sqlmodel import Session, col, delete

from app.core import revision
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
