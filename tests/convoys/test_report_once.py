"""A report sent twice — a phone abroad retrying after the answer was lost — is recorded once."""

from datetime import UTC, datetime
from typing import Any

from fastapi.testclient import TestClient

from app.auth.roles import Role
from tests.accounts import RoleClients
from tests.convoys import builders as b
from tests.convoys.builders import H, iso


def _under_way(client: TestClient) -> b.Planned:
    start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - 2 * H
    planned = b.planned_convoy(client, start=start)
    assert b.post(client, f"/convoys/{planned.id}/depart").status_code == 200
    return planned


def _report(driver: TestClient, planned: b.Planned, **fields: Any) -> Any:
    leg = planned.legs[0]["id"]
    return b.post(driver, f"/convoys/{planned.id}/legs/{leg}/events", fields)


def test_the_same_client_key_records_one_report(client: TestClient, as_role: RoleClients) -> None:
    planned = _under_way(client)
    driver = as_role(Role.driver, driver_id=planned.drivers[0]["id"])
    body = {"kind": "departed", "occurred_at": iso(planned.start), "client_key": "a1b2c3d4e5f6"}
    first = _report(driver, planned, **body)
    again = _report(driver, planned, **body)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    events = b.get(client, f"/convoys/{planned.id}/events")
    assert [e["client_key"] for e in events] == ["a1b2c3d4e5f6"]
    # Without a key, two positions are two reports; a step of the leg happens once.
    plain = {"kind": "position", "occurred_at": iso(datetime.now(UTC))}
    assert _report(driver, planned, **plain).status_code == 201
    assert _report(driver, planned, **plain).status_code == 201
    queued = {"kind": "border_queued", "occurred_at": iso(datetime.now(UTC))}
    first_queue = _report(driver, planned, **queued)
    second_queue = _report(driver, planned, **{**queued, "client_key": "another-phone-01"})
    assert (first_queue.status_code, second_queue.status_code) == (201, 200)
    assert second_queue.json()["id"] == first_queue.json()["id"]
    assert len(b.get(client, f"/convoys/{planned.id}/events")) == 4


def test_a_key_reused_for_another_report_is_409_and_records_nothing(
    client: TestClient, as_role: RoleClients
) -> None:
    planned = _under_way(client)
    driver = as_role(Role.driver, driver_id=planned.drivers[0]["id"])
    key = "k-0000000001"
    first = _report(
        driver, planned, kind="departed", occurred_at=iso(planned.start), client_key=key
    )
    assert first.status_code == 201, first.text
    reused = _report(
        driver, planned, kind="arrived", occurred_at=iso(datetime.now(UTC)), client_key=key
    )
    assert reused.status_code == 409, reused.text
    assert reused.json()["field"] == "client_key"
    assert len(b.get(client, f"/convoys/{planned.id}/events")) == 1


def test_a_malformed_client_key_is_422_naming_the_field(
    client: TestClient, as_role: RoleClients
) -> None:
    planned = _under_way(client)
    driver = as_role(Role.driver, driver_id=planned.drivers[0]["id"])
    bad = _report(
        driver, planned, kind="departed", occurred_at=iso(planned.start), client_key="no spaces"
    )
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"] == ["body", "client_key"]


def test_a_key_is_the_reporters_own_another_account_on_another_convoy_may_use_it(
    client: TestClient, as_role: RoleClients
) -> None:
    first, second = _under_way(client), _under_way(client)
    key = "same-key-on-two-phones"
    body = {"kind": "departed", "client_key": key}
    mine = as_role(Role.driver, driver_id=first.drivers[0]["id"])
    theirs = as_role(Role.driver, driver_id=second.drivers[0]["id"])
    recorded = _report(mine, first, occurred_at=iso(first.start), **body)
    assert recorded.status_code == 201, recorded.text
    # Not refused, and nothing of the first driver's report is told.
    other = _report(theirs, second, occurred_at=iso(second.start), **body)
    assert other.status_code == 201, other.text
    assert other.json()["convoy_id"] == second.id
    assert [e["client_key"] for e in b.get(client, f"/convoys/{first.id}/events")] == [key]
    assert [e["client_key"] for e in b.get(client, f"/convoys/{second.id}/events")] == [key]
    # Each phone's retry still finds its own report.
    again = _report(theirs, second, occurred_at=iso(second.start), **body)
    assert (again.status_code, again.json()["id"]) == (200, other.json()["id"])
