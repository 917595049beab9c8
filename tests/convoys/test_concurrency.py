"""Two coordinators put the same driver on overlapping legs of two convoys at the same moment.

Exactly one wins; the other gets a 409 naming the double booking, and one assignment exists.
On PostgreSQL the two requests really run at once, each in its own thread, session and
connection, committing for real (in a database of their own, dropped afterwards, because the
rolled-back test transaction cannot hold committed rows). A barrier holds both requests just
before they read the driver, so both have passed their first reads before either commits; the
row lock on the driver (SELECT ... FOR UPDATE in ``assign``) must then serialise them. Without
that lock both would see no clash and both would insert. SQLite has no concurrent writers, so
there the same two requests run one after the other.
"""

import re
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, event, text
from sqlmodel import Session

from app.auth.roles import Role
from app.core import migrations
from app.core.database import get_session, make_engine
from app.main import create_app
from tests.accounts import auth_headers
from tests.convoys import builders as b
from tests.convoys.builders import H
from tests.factories import API

# assign() reads the driver after the convoy, leg and vehicle: the moment both must reach.
READS_DRIVER = re.compile(r"^SELECT .*\bFROM driver\s+WHERE driver\.id = ", re.DOTALL)
INSERTS_ASSIGNMENT = re.compile(r"^INSERT INTO assignment\b")
TIMEOUT = 15.0

Attempt = tuple[int, dict[str, Any]]  # convoy id, assignment body


def set_up(client: TestClient) -> list[Attempt]:
    """Two convoys on the same Friday evening, each with a bus and no driver; one volunteer."""
    first = b.planned_convoy(client, drivers=1, assigned=False)
    second = b.planned_convoy(client, start=first.start + H, drivers=0, assigned=False)
    volunteer = first.drivers[0]["id"]
    return [
        (
            c.id,
            {"leg_id": c.legs[0]["id"], "vehicle_id": c.vehicles[0]["id"], "driver_id": volunteer},
        )
        for c in (first, second)
    ]


def assignments(client: TestClient, attempts: list[Attempt]) -> list[dict[str, Any]]:
    return [
        a
        for convoy_id, _ in attempts
        for a in b.get(client, f"/convoys/{convoy_id}")["assignments"]
    ]


def assert_one_wins(responses: list[Any], made: list[dict[str, Any]], driver_id: int) -> None:
    assert sorted(r.status_code for r in responses) == [201, 409], [r.text for r in responses]
    lost = next(r for r in responses if r.status_code == 409)
    assert b.refusal_codes(lost) == ["driver_double_booked"]
    won = next(r for r in responses if r.status_code == 201).json()
    assert [(a["id"], a["driver_id"]) for a in made] == [(won["id"], driver_id)]


def test_one_of_two_simultaneous_assignments_wins(engine: Engine, client: TestClient) -> None:
    if engine.dialect.name != "postgresql":
        attempts = set_up(client)
        responses = [
            client.post(f"{API}/convoys/{convoy_id}/assignments", json=body)
            for convoy_id, body in attempts
        ]
        assert_one_wins(responses, assignments(client, attempts), attempts[0][1]["driver_id"])
        return

    with committed_database(engine) as (race_engine, name, admin):
        app = app_on(race_engine)
        # Two coordinators, each logged in with a token of their own.
        with Session(race_engine) as accounts:
            logins = [auth_headers(accounts, Role.coordinator) for _ in range(2)]
        with TestClient(app, headers=logins[0]) as setup:
            attempts = set_up(setup)
        gate = Gate(admin, name)
        event.listen(race_engine, "before_cursor_execute", gate.before_statement)
        try:
            responses = run_at_once(app, attempts, gate, logins)
        finally:
            event.remove(race_engine, "before_cursor_execute", gate.before_statement)
        assert gate.met_at_driver_read, "the two requests never ran side by side"
        with TestClient(app, headers=logins[0]) as check:
            made = assignments(check, attempts)
        assert_one_wins(responses, made, attempts[0][1]["driver_id"])


# --- the machinery for a real race -----------------------------------------------------------


@contextmanager
def committed_database(engine: Engine) -> Iterator[tuple[Engine, str, Engine]]:
    """A fresh PostgreSQL database migrated to head, beside the test database; dropped after."""
    name = f"konvoi_race_{uuid.uuid4().hex[:12]}"
    admin = create_engine(engine.url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    race = make_engine(engine.url.set(database=name).render_as_string(hide_password=False))
    try:
        with race.begin() as conn:
            migrations.upgrade(conn)
        yield race, name, admin
    finally:
        race.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def app_on(engine: Engine) -> FastAPI:
    """The real app, each request in its own session that commits, as in production."""
    app = create_app()

    def session() -> Iterator[Session]:
        with Session(engine, expire_on_commit=False) as db:
            try:
                yield db
                db.commit()
            except BaseException:
                db.rollback()
                raise

    app.dependency_overrides[get_session] = session
    return app


class Gate:
    """Lines the two requests up: both wait at the driver read until the other arrives; the
    first to reach its INSERT waits until the other has reached its own INSERT (no lock held
    them apart: both checks passed) or is waiting on a lock in PostgreSQL (the lock works)."""

    def __init__(self, admin: Engine, database: str) -> None:
        self.admin = admin
        self.database = database
        self.barrier = threading.Barrier(2, timeout=TIMEOUT)
        self.lock = threading.Lock()
        self.inserting = 0
        self.finished = 0
        self.met_at_driver_read = False

    def before_statement(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if READS_DRIVER.match(statement):
            self.barrier.wait()
            self.met_at_driver_read = True
        elif INSERTS_ASSIGNMENT.match(statement):
            with self.lock:
                self.inserting += 1
            self._wait_for_the_other()

    def finish(self) -> None:
        with self.lock:
            self.finished += 1

    def _wait_for_the_other(self) -> None:
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            with self.lock:
                if self.inserting + self.finished >= 2:
                    return
            if self._a_request_waits_on_a_lock():
                return
            time.sleep(0.01)
        raise AssertionError("the other request neither inserted nor waited on a lock")

    def _a_request_waits_on_a_lock(self) -> bool:
        with self.admin.connect() as conn:
            waiting = conn.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE datname = :database AND wait_event_type = 'Lock'"
                ),
                {"database": self.database},
            ).scalar_one()
        return bool(waiting)


def run_at_once(
    app: FastAPI, attempts: list[Attempt], gate: Gate, logins: list[dict[str, str]]
) -> list[Any]:
    results: list[Any] = [None, None]

    def fire(index: int, convoy_id: int, body: dict[str, Any]) -> None:
        try:
            with TestClient(app, headers=logins[index]) as own_client:
                results[index] = own_client.post(
                    f"{API}/convoys/{convoy_id}/assignments", json=body
                )
        except BaseException as exc:  # reported below, with the other thread's outcome
            results[index] = exc
        finally:
            gate.finish()

    threads = [
        threading.Thread(target=fire, args=(i, convoy_id, body))
        for i, (convoy_id, body) in enumerate(attempts)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=2 * TIMEOUT)
    assert not any(t.is_alive() for t in threads), "a request hung"
    errors = [r for r in results if isinstance(r, BaseException)]
    assert not errors, errors
    return results
