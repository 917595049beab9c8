from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event
from sqlmodel import Session

from app.items.models import ItemStatus
from tests import factories
from tests.factories import API
from tests.items.helpers import force_status, get_item, post

VALID_CHECK_DIGIT_VIN = "1M8GDM9AXKP042788"


def vehicle_body(donor_id: int, **overrides: Any) -> dict[str, Any]:
    return {
        "category": "vehicle",
        "kind": "truck",
        "name": "MAN TGS 26.440 tipper",
        "donor_id": donor_id,
        "declared_value_cents": 4_500_000,
        "weight_kg": 12_000,
        "make": "MAN",
        "model": "TGS 26.440",
        "vin": "WMA26SZZ5DP012345",
        "year": 2013,
        "gross_weight_kg": 26_000,
        **overrides,
    }


def locs(response: Any) -> dict[str, str]:
    """{field: message} of a 422 body."""
    return {".".join(e["loc"][1:]): e["msg"] for e in response.json()["detail"]}


def item_count(client: TestClient) -> int:
    return len(client.get(f"{API}/items", params={"limit": 200}).json()["items"])


# --- Create and read -------------------------------------------------------------------------


def test_create_vehicle_reads_back_with_status_totals_and_derived_licence(
    client: TestClient,
) -> None:
    donor = factories.donor(client)
    response = client.post(f"{API}/items", json=vehicle_body(donor["id"], vin="wma26szz5dp012345"))
    assert response.status_code == 201
    body = response.json()
    assert body["vin"] == "WMA26SZZ5DP012345"
    assert body["status"] == "offered"
    assert body["status_changed_at"] == body["created_at"]
    assert body["licence_class_required"] == "C"
    assert body["declared_value_cents"] == 4_500_000
    assert (body["cargo_weight_kg"], body["cargo_value_cents"]) == (0, 0)
    assert body["version"] == 1
    assert get_item(client, body["id"]) == body


def test_vin_check_digit_failure_is_a_warning_not_an_error(client: TestClient) -> None:
    donor = factories.donor(client)
    failing = client.post(f"{API}/items", json=vehicle_body(donor["id"], vin="WMA11111111111111"))
    assert failing.status_code == 201
    assert failing.json()["warnings"] == [
        "VIN check digit (position 9) is '1', ISO 3779 computes '7'; normal for many European "
        "vehicles, but compare the VIN with the registration papers"
    ]
    passing = factories.vehicle(client, donor["id"], vin=VALID_CHECK_DIGIT_VIN)
    assert passing["warnings"] == []
    equipment = factories.equipment(client, donor["id"])
    assert equipment["warnings"] == []


@pytest.mark.parametrize(
    ("vin", "message"),
    [
        ("WMA26SZZ5DP01234", "Value error, a VIN has 17 characters, this one has 16"),
        ("WMA26SZZ5DP0I2345", "Value error, a VIN never contains I, O or Q (found I)"),
        (
            "WMA26SZZ5DP0-2345",
            "Value error, a VIN contains only the letters A-Z (without I, O, Q) and digits",
        ),
    ],
)
def test_malformed_vin_is_refused_naming_vin(client: TestClient, vin: str, message: str) -> None:
    donor = factories.donor(client)
    response = client.post(f"{API}/items", json=vehicle_body(donor["id"], vin=vin))
    assert response.status_code == 422
    assert locs(response) == {"vin": message}
    assert item_count(client) == 0


def test_vehicle_needs_make_model_vin_year_and_gross_weight(client: TestClient) -> None:
    donor = factories.donor(client)
    body = vehicle_body(donor["id"])
    for name in ("make", "model", "vin", "year", "gross_weight_kg"):
        del body[name]
    response = client.post(f"{API}/items", json=body)
    assert response.status_code == 422
    assert locs(response) == {
        name: "is required for a vehicle"
        for name in ("make", "model", "vin", "year", "gross_weight_kg")
    }
    assert item_count(client) == 0


def test_kind_must_match_category(client: TestClient) -> None:
    donor = factories.donor(client)
    vehicle = client.post(f"{API}/items", json=vehicle_body(donor["id"], kind="pump"))
    assert vehicle.status_code == 422
    assert locs(vehicle) == {
        "kind": "'pump' is not a vehicle; use one of bus, car, special_vehicle, truck, unimog, van"
    }
    equipment = client.post(
        f"{API}/items",
        json={
            "category": "equipment",
            "kind": "bus",
            "name": "Generator",
            "donor_id": donor["id"],
            "declared_value_cents": 100,
        },
    )
    assert equipment.status_code == 422
    assert locs(equipment) == {
        "kind": "'bus' is a vehicle kind; equipment is one of generator, goods, other_equipment, "
        "pipes, pump, tools"
    }
    assert item_count(client) == 0


def test_equipment_carries_no_vin_seats_or_licence_class(client: TestClient) -> None:
    donor = factories.donor(client)
    response = client.post(
        f"{API}/items",
        json={
            "category": "equipment",
            "kind": "generator",
            "name": "Diesel generator 100 kVA",
            "donor_id": donor["id"],
            "declared_value_cents": 1_800_000,
            "vin": "WMA26SZZ5DP012345",
            "seats": 2,
            "licence_class_required": "B",
        },
    )
    assert response.status_code == 422
    only_vehicles = "only a vehicle has this; leave it empty for equipment"
    assert locs(response) == {
        "vin": only_vehicles,
        "seats": only_vehicles,
        "licence_class_required": only_vehicles,
    }
    assert item_count(client) == 0


@pytest.mark.parametrize(
    ("kind", "gross_weight_kg", "seats", "expected"),
    [
        ("van", 3_500, None, "B"),
        ("unimog", 3_501, None, "C1"),
        ("unimog", 7_500, None, "C1"),
        ("truck", 7_501, None, "C"),
        ("bus", 5_000, 16, "D1"),
        ("bus", 5_000, 17, "D"),
        ("bus", 18_000, None, "D"),
    ],
)
def test_licence_class_is_derived_when_omitted(
    client: TestClient, kind: str, gross_weight_kg: int, seats: int | None, expected: str
) -> None:
    donor = factories.donor(client)
    item = factories.vehicle(
        client,
        donor["id"],
        kind=kind,
        weight_kg=2_000,
        gross_weight_kg=gross_weight_kg,
        seats=seats,
    )
    assert item["licence_class_required"] == expected


def test_licence_class_given_may_be_stronger_and_is_normalised(client: TestClient) -> None:
    donor = factories.donor(client)
    item = factories.vehicle(
        client, donor["id"], kind="truck", gross_weight_kg=12_000, licence_class_required="ce"
    )
    assert item["licence_class_required"] == "CE"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"kind": "truck", "gross_weight_kg": 12_000, "licence_class_required": "C1"},
            "a vehicle of 12,000 kg gross weight (over 7,500 kg) needs class C; "
            "class C1 does not allow driving it",
        ),
        (
            {"kind": "bus", "seats": 40, "licence_class_required": "C"},
            "a bus with 40 seats (more than 16) needs class D; class C does not allow driving it",
        ),
        (
            {"kind": "bus", "seats": 40, "licence_class_required": "D1"},
            "a bus with 40 seats (more than 16) needs class D; class D1 does not allow driving it",
        ),
    ],
)
def test_licence_class_weaker_than_needed_is_refused(
    client: TestClient, overrides: dict[str, Any], message: str
) -> None:
    donor = factories.donor(client)
    response = client.post(f"{API}/items", json=vehicle_body(donor["id"], **overrides))
    assert response.status_code == 422
    assert locs(response) == {"licence_class_required": message}
    assert item_count(client) == 0


def test_unknown_licence_class_is_refused_naming_the_field(client: TestClient) -> None:
    donor = factories.donor(client)
    response = client.post(
        f"{API}/items", json=vehicle_body(donor["id"], licence_class_required="Z")
    )
    assert response.status_code == 422
    assert list(locs(response)) == ["licence_class_required"]
    assert item_count(client) == 0


def test_own_weight_above_gross_weight_is_refused(client: TestClient) -> None:
    donor = factories.donor(client)
    response = client.post(
        f"{API}/items",
        json=vehicle_body(donor["id"], weight_kg=27_000, gross_weight_kg=26_000),
    )
    assert response.status_code == 422
    assert locs(response) == {
        "weight_kg": "own weight 27,000 kg exceeds the permissible gross weight 26,000 kg"
    }
    assert item_count(client) == 0


def test_model_year_after_next_year_is_refused(client: TestClient) -> None:
    donor = factories.donor(client)
    year = date.today().year + 2
    response = client.post(f"{API}/items", json=vehicle_body(donor["id"], year=year))
    assert response.status_code == 422
    assert locs(response) == {"year": f"Value error, {year} is in the future"}
    next_year = client.post(
        f"{API}/items", json=vehicle_body(donor["id"], year=date.today().year + 1)
    )
    assert next_year.status_code == 201


def test_duplicate_vin_is_a_conflict(client: TestClient) -> None:
    donor = factories.donor(client)
    first = factories.vehicle(client, donor["id"], name="Bus 4711", vin="WMA26SZZ5DP012345")
    response = client.post(f"{API}/items", json=vehicle_body(donor["id"], vin="wma26szz5dp012345"))
    assert response.status_code == 409
    assert response.json() == {
        "detail": f"VIN WMA26SZZ5DP012345 is already recorded for item {first['id']} "
        "(Bus 4711, offered)",
        "code": "conflict",
        "field": "vin",
    }
    assert item_count(client) == 1


def test_donor_and_destination_must_exist(client: TestClient) -> None:
    response = client.post(
        f"{API}/items", json={**vehicle_body(999_998), "destination_id": 999_999}
    )
    assert response.status_code == 422
    assert locs(response) == {
        "donor_id": "Donor 999998 does not exist",
        "destination_id": "Destination 999999 does not exist",
    }
    assert item_count(client) == 0


def test_unknown_item_is_404(client: TestClient) -> None:
    response = client.get(f"{API}/items/999999")
    assert response.status_code == 404
    assert response.json() == {"detail": "Item 999999 does not exist", "code": "not_found"}


# --- Update -----------------------------------------------------------------------------------


def test_patch_changes_sent_fields_and_bumps_version(client: TestClient) -> None:
    donor = factories.donor(client)
    item = factories.vehicle(client, donor["id"], name="Bus A")
    response = client.patch(
        f"{API}/items/{item['id']}", json={"name": "Bus B", "declared_value_cents": 1_000}
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["name"], body["declared_value_cents"], body["version"]) == ("Bus B", 1_000, 2)
    assert body["vin"] == item["vin"]
    assert body["status_changed_at"] == item["status_changed_at"]


@pytest.mark.parametrize(
    ("field", "value"), [("status", "delivered"), ("destination_id", 1), ("need_id", None)]
)
def test_patch_cannot_move_status_destination_or_need(
    client: TestClient, field: str, value: Any
) -> None:
    donor = factories.donor(client)
    item = factories.vehicle(client, donor["id"])
    response = client.patch(f"{API}/items/{item['id']}", json={field: value, "name": "X"})
    assert response.status_code == 422
    assert locs(response) == {
        field: "Value error, changes only through the item actions (accept, allocate, "
        "certify, mark-export-ready, withdraw)"
    }
    assert get_item(client, item["id"]) == item


def test_patch_refuses_unknown_fields(client: TestClient) -> None:
    donor = factories.donor(client)
    item = factories.vehicle(client, donor["id"])
    response = client.patch(f"{API}/items/{item['id']}", json={"colour": "yellow"})
    assert response.status_code == 422
    assert locs(response) == {"colour": "Extra inputs are not permitted"}


def test_patch_rechecks_the_combined_fields(client: TestClient) -> None:
    donor = factories.donor(client)
    equipment = factories.equipment(client, donor["id"])
    response = client.patch(
        f"{API}/items/{equipment['id']}", json={"vin": "WMA26SZZ5DP012345", "kind": "truck"}
    )
    assert response.status_code == 422
    assert set(locs(response)) == {"vin", "kind"}
    vehicle = factories.vehicle(client, donor["id"])
    cleared = client.patch(f"{API}/items/{vehicle['id']}", json={"vin": None, "name": None})
    assert cleared.status_code == 422
    assert locs(cleared) == {"name": "is required and cannot be set to null"}
    no_vin = client.patch(f"{API}/items/{vehicle['id']}", json={"vin": None})
    assert no_vin.status_code == 422
    assert locs(no_vin) == {"vin": "is required for a vehicle"}
    unknown_donor = client.patch(f"{API}/items/{vehicle['id']}", json={"donor_id": 999_999})
    assert locs(unknown_donor) == {"donor_id": "Donor 999999 does not exist"}
    assert get_item(client, equipment["id"]) == equipment
    assert get_item(client, vehicle["id"]) == vehicle


def test_patch_to_a_vin_of_another_item_is_a_conflict(client: TestClient) -> None:
    donor = factories.donor(client)
    first = factories.vehicle(client, donor["id"])
    second = factories.vehicle(client, donor["id"])
    response = client.patch(f"{API}/items/{second['id']}", json={"vin": first["vin"]})
    assert response.status_code == 409
    assert response.json()["field"] == "vin"
    same = client.patch(f"{API}/items/{first['id']}", json={"vin": first["vin"]})
    assert same.status_code == 200
    assert get_item(client, second["id"])["vin"] == second["vin"]


def test_patch_keeps_licence_class_in_step_with_weight(client: TestClient) -> None:
    donor = factories.donor(client)
    truck = factories.vehicle(
        client, donor["id"], kind="truck", weight_kg=3_000, gross_weight_kg=7_000, seats=None
    )
    assert truck["licence_class_required"] == "C1"
    heavier = client.patch(f"{API}/items/{truck['id']}", json={"gross_weight_kg": 12_000})
    assert heavier.json()["licence_class_required"] == "C"
    weak = client.patch(f"{API}/items/{truck['id']}", json={"licence_class_required": "C1"})
    assert weak.status_code == 422
    assert list(locs(weak)) == ["licence_class_required"]
    stronger = client.patch(f"{API}/items/{truck['id']}", json={"licence_class_required": "CE"})
    assert stronger.json()["licence_class_required"] == "CE"
    lighter = client.patch(f"{API}/items/{truck['id']}", json={"gross_weight_kg": 7_000})
    # A class stronger than needed stays: the coordinator may know of a trailer.
    assert lighter.json()["licence_class_required"] == "CE"
    derived = client.patch(f"{API}/items/{truck['id']}", json={"licence_class_required": None})
    assert derived.json()["licence_class_required"] == "C1"


@pytest.mark.parametrize("status", [ItemStatus.delivered, ItemStatus.withdrawn])
def test_delivered_or_withdrawn_item_cannot_be_edited(
    client: TestClient, session: Session, status: ItemStatus
) -> None:
    donor = factories.donor(client)
    item = factories.vehicle(client, donor["id"], name="Bus 4711")
    force_status(session, item["id"], status)
    before = get_item(client, item["id"])
    response = client.patch(f"{API}/items/{item['id']}", json={"name": "Renamed"})
    assert response.status_code == 409
    assert response.json() == {
        "detail": f"Item {item['id']} cannot be changed",
        "code": "rule_violation",
        "reasons": [
            {
                "code": "item_closed",
                "message": f"Item {item['id']} (Bus 4711) is {status.value}; a delivered or "
                "withdrawn item and its cargo can no longer be changed",
                "field": "status",
                "context": {"status": status.value},
            }
        ],
    }
    assert get_item(client, item["id"]) == before


# --- List --------------------------------------------------------------------------------------


def test_list_filters(client: TestClient) -> None:
    wsw = factories.donor(client)
    other = factories.donor(client)
    lviv = factories.destination(client)
    factories.vehicle(client, wsw["id"], name="Bus", vin="WMA26SZZ5DP099999")
    truck = factories.vehicle(
        client,
        wsw["id"],
        name="Tipper",
        kind="truck",
        make="Mercedes-Benz",
        model="Actros",
        declared_value_cents=1_000_000,
    )
    factories.equipment(
        client,
        other["id"],
        name="Pump",
        kind="pump",
        description="Submersible 160 m3/h",
        destination_id=lviv["id"],
    )
    assert post(client, f"/items/{truck['id']}/accept").status_code == 200

    def names(**params: Any) -> list[str]:
        response = client.get(f"{API}/items", params=params)
        assert response.status_code == 200
        return [i["name"] for i in response.json()["items"]]

    assert names() == ["Bus", "Pump", "Tipper"]
    assert names(status="accepted") == ["Tipper"]
    assert names(category="equipment") == ["Pump"]
    assert names(kind="bus") == ["Bus"]
    assert names(donor_id=wsw["id"]) == ["Bus", "Tipper"]
    assert names(destination_id=lviv["id"]) == ["Pump"]
    assert names(q="099999") == ["Bus"]
    assert names(q="mercedes") == ["Tipper"]
    assert names(q="actros") == ["Tipper"]
    assert names(q="SUBMERSIBLE") == ["Pump"]
    assert names(q="100%") == []
    assert names(sort="-declared_value_cents") == ["Bus", "Pump", "Tipper"]
    assert names(sort="-id") == ["Pump", "Tipper", "Bus"]
    bad = client.get(f"{API}/items", params={"status": "lost"})
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"] == ["query", "status"]
    bad_sort = client.get(f"{API}/items", params={"sort": "vin"})
    assert bad_sort.status_code == 422
    assert bad_sort.json()["detail"][0]["loc"] == ["body", "sort"]


def test_keyset_pagination_by_value_walks_every_row_once(client: TestClient) -> None:
    donor = factories.donor(client)
    values = [300, 100, 200, 100, 500, 400, 100]
    ids = [factories.equipment(client, donor["id"], declared_value_cents=v)["id"] for v in values]
    expected = [i for _, i in sorted(zip(values, ids, strict=True))]
    seen: list[int] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 3, "sort": "declared_value_cents"}
        if cursor:
            params["cursor"] = cursor
        page = client.get(f"{API}/items", params=params).json()
        seen += [i["id"] for i in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == expected


def test_list_shows_cargo_totals_with_a_fixed_number_of_queries(
    client: TestClient, session: Session
) -> None:
    donor = factories.donor(client)
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(args[2])

    def queries_for_list() -> int:
        statements.clear()
        engine = session.get_bind().engine
        event.listen(engine, "before_cursor_execute", count)
        try:
            assert client.get(f"{API}/items", params={"limit": 200}).status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", count)
        return len(statements)

    first = factories.vehicle(client, donor["id"])
    factories.cargo_line(client, first["id"], weight_kg=300, value_cents=400_000)
    factories.cargo_line(client, first["id"], weight_kg=50, value_cents=1_000)
    with_one = queries_for_list()
    for _ in range(5):
        vehicle = factories.vehicle(client, donor["id"])
        factories.cargo_line(client, vehicle["id"], weight_kg=10, value_cents=20)
        factories.equipment(client, donor["id"])
    assert queries_for_list() == with_one
    items = {i["id"]: i for i in client.get(f"{API}/items", params={"limit": 200}).json()["items"]}
    assert len(items) == 11
    assert (items[first["id"]]["cargo_weight_kg"], items[first["id"]]["cargo_value_cents"]) == (
        350,
        401_000,
    )
    assert sorted((i["cargo_weight_kg"], i["cargo_value_cents"]) for i in items.values()) == [
        (0, 0)
    ] * 5 + [(10, 20)] * 5 + [(350, 401_000)]
