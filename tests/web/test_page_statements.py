"""The pages and reads asked most run a fixed number of SQL statements, whatever the
convoy's size: the driver's phone page and convoy as JSON, the convoy board, who am I."""

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, event
from sqlmodel import Session

from app.auth.roles import Role
from tests.accounts import RoleClients
from tests.convoys import builders as b
from tests.convoys.test_statement_counts import convoy_of
from tests.web.conftest import PageClients


def statements(engine: Engine, session: Session, browser: TestClient, path: str) -> int:
    """Statements one GET runs, from a session that holds no objects (as in production)."""
    session.expunge_all()
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        response = browser.get(path)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert response.status_code == 200, response.text
    return len(seen)


def test_the_busiest_answers_do_not_grow_with_the_convoy(
    client: TestClient,
    as_role: RoleClients,
    page_as: PageClients,
    session: Session,
    engine: Engine,
) -> None:
    counts: dict[str, list[int]] = {"phone": [], "driver JSON": [], "board": [], "me": []}
    office = page_as(Role.coordinator)
    for planned in (convoy_of(client, 6, b.ONE_LEG), convoy_of(client, 60, b.FIRST_CONVOY)):
        driver_id = planned.drivers[0]["id"]
        phone = page_as(Role.driver, driver_id=driver_id)
        driver_api = as_role(Role.driver, driver_id=driver_id)
        counts["phone"].append(statements(engine, session, phone, "/my-convoy"))
        counts["driver JSON"].append(
            statements(engine, session, driver_api, f"/api/v1/convoys/{planned.id}")
        )
        counts["board"].append(statements(engine, session, office, f"/convoys/{planned.id}"))
        counts["me"].append(statements(engine, session, driver_api, "/api/v1/auth/me"))
    print("statement counts (6 vehicles, 60 vehicles):", counts)
    for name, (small, large) in counts.items():
        assert small == large, (name, counts)
    # Each count holds the two statements of the test's own transaction (its savepoint
    # released and begun again). Who am I: the sign-in's one statement; the driver's convoy:
    # the sign-in, the convoy with its legs, its team, goods and position; the phone page: the
    # sign-in, the convoy with its legs, the team, the driver's vehicles, the steps reported
    # and the way back.
    assert counts["me"][0] <= 1 + 2, counts
    assert counts["driver JSON"][0] <= 5 + 2, counts
    assert counts["phone"][0] <= 6 + 2, counts


def test_a_recipients_deliveries_do_not_grow_with_the_convoys_coming(
    client: TestClient, page_as: PageClients, session: Session, engine: Engine
) -> None:
    """The recipient's list of what is coming reads every coming convoy's goods, legs,
    handovers and donors at once: one convoy or four, the same statements."""
    first = b.planned_convoy(client, vehicles=2)
    recipient = page_as(Role.recipient, language="uk", destination_id=first.destination["id"])
    counts = [statements(engine, session, recipient, "/deliveries")]
    for week in (1, 2, 3):
        b.planned_convoy(
            client, start=first.start + b.H * 24 * 7 * week, destination=first.destination
        )
    shown = recipient.get("/deliveries")
    numbers = [c["number"] for c in b.get(client, "/convoys?limit=100")["items"]]
    assert sum(number in shown.text for number in numbers) == 4, numbers
    counts.append(statements(engine, session, recipient, "/deliveries"))
    assert counts[0] == counts[1], counts
