"""Row-level access: a driver sees only their own assignments, a recipient only its destination.

A record outside one's view answers exactly like a record that does not exist (404, no data);
lists leave it out; writes for someone else are refused and change nothing.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.auth.roles import Role
from tests import factories
from tests.convoys import builders as b
from tests.convoys.builders import H, iso
from tests.factories import API

RoleClients = Callable[..., TestClient]


def not_found(entity: str, entity_id: int) -> dict[str, str]:
    return {"detail": f"{entity} {entity_id} does not exist", "code": "not_found"}


def ids(page: dict[str, Any]) -> list[int]:
    return sorted(row["id"] for row in page["items"])


def get(client: TestClient, path: str) -> Any:
    return client.get(f"{API}{path}")


def ok(client: TestClient, path: str) -> Any:
    response = get(client, path)
    assert response.status_code == 200, response.text
    return response.json()


def event(**overrides: Any) -> dict[str, Any]:
    return {
        "kind": "departed",
        "occurred_at": iso(datetime.now(UTC)),
        "reported_by": "Volunteer driver",
        **overrides,
    }


def handover(item_id: int) -> dict[str, Any]:
    return {
        "item_id": item_id,
        "receiver_name": "Ivan Petrenko",
        "receiver_role": "Deputy technical director",
        "handed_over_on": iso(datetime.now(UTC).date()),
        "place": "Lviv, Lvivvodokanal depot",
    }


@dataclass
class Tenant:
    """One convoy with its bus, the bus's papers, its driver and its destination's need."""

    planned: b.Planned
    export_record: dict[str, Any]
    need: dict[str, Any]

    @property
    def convoy_id(self) -> int:
        return self.planned.id

    @property
    def bus(self) -> dict[str, Any]:
        return self.planned.vehicles[0]

    @property
    def driver_id(self) -> int:
        driver_id: int = self.planned.drivers[0]["id"]
        return driver_id

    @property
    def destination_id(self) -> int:
        destination_id: int = self.planned.destination["id"]
        return destination_id

    @property
    def leg(self) -> dict[str, Any]:
        return self.planned.legs[0]


def tenant(client: TestClient, *, on_the_road: bool = False) -> Tenant:
    if on_the_road:
        # Left two days ago and under way now, so progress can be reported.
        start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - 48 * H
        planned = b.planned_convoy(client, start=start, plan=b.FIRST_CONVOY)
        assert b.post(client, f"/convoys/{planned.id}/depart").status_code == 200
    else:
        planned = b.planned_convoy(client)
    bus = planned.vehicles[0]
    factories.cargo_line(client, bus["id"])
    record = b.get(client, f"/items/{bus['id']}/export-record")
    need = factories.need(client, planned.destination["id"])
    return Tenant(planned, record, need)


@pytest.fixture
def pair(client: TestClient) -> tuple[Tenant, Tenant]:
    return tenant(client), tenant(client)


# --- drivers --------------------------------------------------------------------------------


def test_a_driver_reads_their_own_record_and_no_one_elses(
    client: TestClient, as_role: RoleClients, pair: tuple[Tenant, Tenant]
) -> None:
    a, other = pair
    driver = as_role(Role.driver, driver_id=a.driver_id)
    own = ok(driver, f"/drivers/{a.driver_id}")
    assert own["phone"] == a.planned.drivers[0]["phone"]
    for path in (f"/drivers/{other.driver_id}", f"/drivers/{other.driver_id}/personal-data"):
        response = get(driver, path)
        assert response.status_code == 404
        assert response.json() == not_found("Driver", other.driver_id)
        assert other.planned.drivers[0]["phone"] not in response.text
    # A record that does not exist at all answers the same way.
    assert get(driver, "/drivers/999999").json() == not_found("Driver", 999999)
    assert get(driver, "/drivers").status_code == 403


def test_a_driver_reads_only_their_own_convoy_vehicle_and_papers(
    as_role: RoleClients, pair: tuple[Tenant, Tenant]
) -> None:
    a, other = pair
    driver = as_role(Role.driver, driver_id=a.driver_id)
    bus, record = other.bus["id"], other.export_record["id"]
    refused = {
        f"/convoys/{other.convoy_id}": not_found("Convoy", other.convoy_id),
        f"/convoys/{other.convoy_id}/events": not_found("Convoy", other.convoy_id),
        f"/convoys/{other.convoy_id}/handovers": not_found("Convoy", other.convoy_id),
        f"/items/{bus}": not_found("Item", bus),
        f"/items/{bus}/cargo": not_found("Item", bus),
        f"/items/{bus}/export-record": not_found("Item", bus),
        f"/export-records/{record}": not_found("Export record", record),
    }
    for path, body in refused.items():
        response = get(driver, path)
        assert (path, response.status_code, response.json()) == (path, 404, body)
        assert other.bus["vin"] not in response.text
    # Their own counterparts are there.
    own = a.bus["id"]
    assert ok(driver, f"/convoys/{a.convoy_id}")["id"] == a.convoy_id
    assert ok(driver, f"/items/{own}")["vin"] == a.bus["vin"]
    assert len(ok(driver, f"/items/{own}/cargo")["items"]) == 1
    assert ok(driver, f"/items/{own}/export-record")["id"] == a.export_record["id"]
    assert ok(driver, f"/export-records/{a.export_record['id']}")["item_id"] == own


def test_a_driver_lists_only_their_own_convoys_and_vehicles(
    as_role: RoleClients, pair: tuple[Tenant, Tenant]
) -> None:
    a, _ = pair
    driver = as_role(Role.driver, driver_id=a.driver_id)
    assert ids(ok(driver, "/convoys")) == [a.convoy_id]
    assert ids(ok(driver, "/items")) == [a.bus["id"]]
    # Filters narrow the view; they never widen it.
    assert ids(ok(driver, "/items?category=vehicle&sort=-id")) == [a.bus["id"]]
    assert ids(ok(driver, "/convoys?q=W4U")) == [a.convoy_id]


def test_a_driver_without_a_driver_record_sees_nothing(
    as_role: RoleClients, pair: tuple[Tenant, Tenant]
) -> None:
    nobody = as_role(Role.driver)
    assert ok(nobody, "/convoys")["items"] == []
    assert ok(nobody, "/items")["items"] == []
    assert get(nobody, f"/drivers/{pair[0].driver_id}").status_code == 404


def test_a_driver_reports_progress_only_on_their_own_legs(
    client: TestClient, as_role: RoleClients
) -> None:
    a, other = tenant(client, on_the_road=True), tenant(client, on_the_road=True)
    driver = as_role(Role.driver, driver_id=a.driver_id)
    foreign_leg = other.leg["id"]
    before = b.get(client, f"/convoys/{other.convoy_id}")["legs"]
    for convoy_id in (other.convoy_id, a.convoy_id):  # B's leg, under B's or under A's convoy
        response = b.post(driver, f"/convoys/{convoy_id}/legs/{foreign_leg}/events", event())
        assert response.status_code == 404
    assert b.get(client, f"/convoys/{other.convoy_id}/events") == []
    assert b.get(client, f"/convoys/{other.convoy_id}")["legs"] == before
    own = b.post(driver, f"/convoys/{a.convoy_id}/legs/{a.leg['id']}/events", event())
    assert own.status_code == 201, own.text


def test_on_a_shared_convoy_a_driver_sees_only_their_own_vehicle(
    client: TestClient, as_role: RoleClients
) -> None:
    """Two drivers on one convoy: each sees the vehicle they drive and the goods it carries,
    not the other's vehicle; of the team, every seat by name (app/convoys/views.py)."""
    planned = b.planned_convoy(client, plan=b.FIRST_CONVOY, vehicles=2, drivers=2, assigned=False)
    (bus_a, bus_b), (anna, boris) = planned.vehicles, planned.drivers
    first, second, third = planned.legs
    trip_end = planned.arrival.date()
    pumps: list[int] = []
    for bus in (bus_a, bus_b):
        pump = b.equipment(client, trip_end=trip_end, destination=planned.destination)
        b.load(client, planned.id, pump["id"], carrier_id=bus["id"])
        pumps.append(pump["id"])
    own = b.assign(client, planned.id, first["id"], bus_a["id"], anna["id"])
    for leg in (first, second, third):
        b.assign(client, planned.id, leg["id"], bus_b["id"], boris["id"])
    driver = as_role(Role.driver, driver_id=anna["id"])

    convoy = ok(driver, f"/convoys/{planned.id}")
    assert sorted(i["item_id"] for i in convoy["items"]) == sorted([bus_a["id"], pumps[0]])
    team = {(a["leg_id"], a["driver_name"], a["vehicle_name"]) for a in convoy["assignments"]}
    assert team == {(first["id"], anna["name"], bus_a["name"])} | {
        (leg["id"], boris["name"], bus_b["name"]) for leg in (first, second, third)
    }
    assert own["id"] in {a["id"] for a in convoy["assignments"]}
    # Nothing of the other driver beyond the name in the seat: their record is not visible.
    assert get(driver, f"/drivers/{boris['id']}").status_code == 404
    assert [leg["id"] for leg in convoy["legs"]] == [first["id"], second["id"], third["id"]]
    assert ids(ok(driver, "/items")) == sorted([bus_a["id"], pumps[0]])
    for item_id in (bus_b["id"], pumps[1]):
        assert get(driver, f"/items/{item_id}").json() == not_found("Item", item_id)
    assert get(driver, f"/items/{bus_b['id']}/export-record").status_code == 404
    # Progress on a leg Anna does not drive is someone else's to report; on her own leg the
    # report gets past the check (and is refused only because the convoy has not left yet).
    path = f"/convoys/{planned.id}/legs/{{}}/events"
    assert b.post(driver, path.format(second["id"]), event()).status_code == 404
    response = b.post(driver, path.format(first["id"]), event())
    assert b.refusal_codes(response) == ["convoy_not_under_way"]


# --- recipients -----------------------------------------------------------------------------


def test_a_recipient_reads_only_its_own_destination(
    client: TestClient, as_role: RoleClients, pair: tuple[Tenant, Tenant]
) -> None:
    x, y = pair
    recipient = as_role(Role.recipient, destination_id=x.destination_id)
    bus = y.bus["id"]
    refused = {
        f"/destinations/{y.destination_id}": not_found("Destination", y.destination_id),
        f"/needs/{y.need['id']}": not_found("Need", y.need["id"]),
        f"/items/{bus}": not_found("Item", bus),
        f"/items/{bus}/cargo": not_found("Item", bus),
        f"/convoys/{y.convoy_id}": not_found("Convoy", y.convoy_id),
        f"/convoys/{y.convoy_id}/events": not_found("Convoy", y.convoy_id),
        f"/convoys/{y.convoy_id}/handovers": not_found("Convoy", y.convoy_id),
    }
    for path, body in refused.items():
        response = get(recipient, path)
        assert (path, response.status_code, response.json()) == (path, 404, body)
    assert ids(ok(recipient, "/destinations")) == [x.destination_id]
    assert ids(ok(recipient, "/needs")) == [x.need["id"]]
    assert ids(ok(recipient, f"/needs?destination_id={y.destination_id}")) == []
    assert ids(ok(recipient, "/items")) == [x.bus["id"]]
    assert ids(ok(recipient, "/convoys")) == [x.convoy_id]
    assert ok(recipient, f"/destinations/{x.destination_id}")["id"] == x.destination_id
    assert ok(recipient, f"/needs/{x.need['id']}")["id"] == x.need["id"]
    # Papers and drivers are not a recipient's to read at all.
    assert get(recipient, f"/items/{x.bus['id']}/export-record").status_code == 403
    assert get(recipient, f"/drivers/{x.driver_id}").status_code == 403


def test_a_recipient_records_needs_only_for_itself(
    client: TestClient, as_role: RoleClients, pair: tuple[Tenant, Tenant]
) -> None:
    x, y = pair
    recipient = as_role(Role.recipient, destination_id=x.destination_id)
    before = b.get(client, "/needs")
    body = {
        "destination_id": y.destination_id,
        "item_kind": "generator",
        "description": "Generator for the pumping station",
        "quantity": 1,
        "priority": 1,
    }
    response = b.post(recipient, "/needs", body)
    assert response.status_code == 422
    assert b.error_fields(response) == ["destination_id"]
    assert str(x.destination_id) in response.json()["detail"][0]["msg"]
    moved = recipient.patch(
        f"{API}/needs/{x.need['id']}", json={"destination_id": y.destination_id}
    )
    assert b.error_fields(moved) == ["destination_id"]
    assert get(recipient, f"/needs/{y.need['id']}").status_code == 404
    foreign = recipient.patch(f"{API}/needs/{y.need['id']}", json={"quantity": 9})
    assert foreign.json() == not_found("Need", y.need["id"])
    assert b.post(recipient, f"/needs/{y.need['id']}/cancel").status_code == 404
    assert b.get(client, "/needs") == before  # nothing created, moved or cancelled
    created = b.post(recipient, "/needs", body | {"destination_id": x.destination_id})
    assert created.status_code == 201, created.text
    assert created.json()["destination_id"] == x.destination_id


def test_a_recipient_sees_only_its_items_on_a_shared_convoy_and_hands_over_only_those(
    client: TestClient, as_role: RoleClients
) -> None:
    start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - 48 * H
    trip_end = (start + b.FIRST_CONVOY[-1].arrives).date()
    x, y = factories.destination(client), factories.destination(client)
    convoy = b.convoy(client, start)
    legs = b.legs_from(client, convoy["id"], start, b.FIRST_CONVOY)
    buses = [b.vehicle(client, trip_end=trip_end, destination=d) for d in (x, y)]
    # A day either side: the last leg may end after midnight in Lviv while still before it in
    # UTC, and availability is by local day.
    window = (start.date() - timedelta(days=1), trip_end + timedelta(days=1))
    for bus in buses:
        b.load(client, convoy["id"], bus["id"])
        person = b.driver(client, free=window)
        for leg in legs:
            b.assign(client, convoy["id"], leg["id"], bus["id"], person["id"])
    assert b.post(client, f"/convoys/{convoy['id']}/depart").status_code == 200
    bus_x, bus_y = (bus["id"] for bus in buses)
    recipient = as_role(Role.recipient, destination_id=x["id"])

    seen = ok(recipient, f"/convoys/{convoy['id']}")
    assert [i["item_id"] for i in seen["items"]] == [bus_x]
    assert seen["assignments"] == []  # no driver data
    assert len(b.get(client, f"/convoys/{convoy['id']}")["assignments"]) == 2 * len(legs)

    path = f"/convoys/{convoy['id']}/handovers"
    refused = b.post(recipient, path, handover(bus_y))
    assert refused.json() == not_found("Item", bus_y)
    assert b.get(client, f"/items/{bus_y}")["status"] == "in_convoy"
    assert b.get(client, path) == []
    assert b.post(recipient, path, handover(bus_x)).status_code == 201
    assert b.post(client, path, handover(bus_y)).status_code == 201
    assert [h["item_id"] for h in ok(recipient, path)] == [bus_x]
    assert sorted(h["item_id"] for h in b.get(client, path)) == sorted([bus_x, bus_y])

    stranger = as_role(Role.recipient, destination_id=factories.destination(client)["id"])
    assert get(stranger, f"/convoys/{convoy['id']}").json() == not_found("Convoy", convoy["id"])
    assert b.post(stranger, path, handover(bus_x)).status_code == 404


def test_a_recipient_reads_progress_without_who_reported_it(
    client: TestClient, as_role: RoleClients
) -> None:
    start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - 2 * H
    planned = b.planned_convoy(client, start=start)
    assert b.post(client, f"/convoys/{planned.id}/depart").status_code == 200
    driver = as_role(Role.driver, driver_id=planned.drivers[0]["id"])
    leg = planned.legs[0]["id"]
    sent = {
        "kind": "departed",
        "occurred_at": iso(start),
        "note": "Left with Olena and Piotr",
        "client_key": "phone-key-0001",
    }
    path = f"/convoys/{planned.id}/legs/{leg}/events"
    assert b.post(driver, path, sent).status_code == 201
    hidden = ("reporter_user_id", "reporter_name", "reported_for", "note", "client_key")

    recipient = as_role(Role.recipient, destination_id=planned.destination["id"])
    (seen,) = ok(recipient, f"/convoys/{planned.id}/events")
    assert (seen["kind"], seen["leg_id"], seen["occurred_at"][:16]) == (
        "departed",
        leg,
        iso(start)[:16],
    )
    assert {name: seen[name] for name in hidden} == dict.fromkeys(hidden)
    position = ok(recipient, f"/convoys/{planned.id}")["position"]
    assert {name: position[name] for name in hidden} == dict.fromkeys(hidden)
    # The office and the team read all of it.
    for reader in (client, driver):
        (full,) = ok(reader, f"/convoys/{planned.id}/events")
        assert full["client_key"] == "phone-key-0001" and full["reporter_name"]
        assert full["note"] == "Left with Olena and Piotr" and full["reporter_user_id"]
