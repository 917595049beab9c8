"""Readiness and the convoy detail run a fixed number of SQL statements, whatever the size."""

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, event
from sqlmodel import Session

from tests.convoys import builders as b
from tests.factories import API


def count_statements(engine: Engine, session: Session, client: TestClient, path: str) -> int:
    """Statements one GET runs, as in production: from a session that holds no objects."""
    session.expunge_all()
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        response = client.get(f"{API}{path}")
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert response.status_code == 200, response.text
    return len(statements)


def convoy_of(client: TestClient, vehicles: int, plan: tuple[b.LegPlan, ...]) -> b.Planned:
    """Buses with one driver each on every leg, a generator on every third bus, and every
    driver also booked on a second convoy the week after (other bookings are read too)."""
    planned = b.planned_convoy(client, plan=plan, vehicles=vehicles)
    for bus in planned.vehicles[::3]:
        generator = b.equipment(
            client, trip_end=planned.arrival.date(), destination=planned.destination
        )
        b.load(client, planned.id, generator["id"], carrier_id=bus["id"])
    later = b.planned_convoy(
        client, start=planned.start + b.H * 24 * 7, vehicles=vehicles, drivers=0
    )
    for bus, person in zip(later.vehicles, planned.drivers, strict=True):
        b.assign(client, later.id, later.legs[0]["id"], bus["id"], person["id"])
    return planned


def test_readiness_and_detail_do_not_grow_with_the_convoy(
    client: TestClient, session: Session, engine: Engine
) -> None:
    small = convoy_of(client, 6, b.ONE_LEG)
    large = convoy_of(client, 60, b.FIRST_CONVOY)

    counts: dict[str, list[int]] = {"readiness": [], "detail": []}
    for planned in (small, large):
        ready = b.readiness(client, planned.id)
        assert ready["blockers"] == []
        path = f"/convoys/{planned.id}"
        counts["readiness"].append(count_statements(engine, session, client, f"{path}/readiness"))
        counts["detail"].append(count_statements(engine, session, client, path))
    large_detail = b.get(client, f"/convoys/{large.id}")
    assert (len(large_detail["legs"]), len(large_detail["items"])) == (3, 80)
    assert len(large_detail["assignments"]) == 180
    # The listener saw the queries (legs, items, export records, certificates, assignments,
    # drivers, licences, availability, other bookings; the detail: legs to position).
    print("statement counts (6 vehicles, 60 vehicles):", counts)
    assert counts["readiness"][0] > counts["detail"][0] > 5, counts
    assert counts["readiness"][0] == counts["readiness"][1], counts
    assert counts["detail"][0] == counts["detail"][1], counts
