from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.items.models import ItemStatus
from tests import factories
from tests.factories import API
from tests.items.helpers import force_status, get_item


def cargo_of(client: TestClient, item_id: int, **params: Any) -> list[dict[str, Any]]:
    response = client.get(f"{API}/items/{item_id}/cargo", params=params)
    assert response.status_code == 200
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def test_cargo_loaded_onto_a_vehicle_counts_in_its_totals(client: TestClient) -> None:
    donor = factories.donor(client)
    bus = factories.vehicle(client, donor["id"])
    line = factories.cargo_line(
        client,
        bus["id"],
        description="Smartphones for the dispatch team",
        quantity=40,
        weight_kg=20,
        value_cents=1_200_000,
        category="electronics",
        hs_code="8517 13 00",
    )
    assert line["vehicle_id"] == bus["id"]
    assert (line["hs_code"], line["unit"], line["version"]) == ("85171300", "pcs", 1)
    factories.cargo_line(client, bus["id"], weight_kg=300, value_cents=400_000)
    item = get_item(client, bus["id"])
    assert (item["cargo_weight_kg"], item["cargo_value_cents"]) == (320, 1_600_000)
    assert [c["weight_kg"] for c in cargo_of(client, bus["id"])] == [20, 300]
    assert cargo_of(client, bus["id"])[0] == line


def test_cargo_list_filters_sorts_and_pages(client: TestClient) -> None:
    donor = factories.donor(client)
    bus = factories.vehicle(client, donor["id"])
    other = factories.vehicle(client, donor["id"])
    factories.cargo_line(client, other["id"], description="Pump on another bus")
    for weight in (50, 10, 30):
        factories.cargo_line(client, bus["id"], description=f"Pump {weight} kg", weight_kg=weight)
    factories.cargo_line(
        client, bus["id"], description="Winter jackets, men, L", category="clothing", weight_kg=5
    )
    assert [c["description"] for c in cargo_of(client, bus["id"], q="PUMP")] == [
        "Pump 50 kg",
        "Pump 10 kg",
        "Pump 30 kg",
    ]
    assert [c["description"] for c in cargo_of(client, bus["id"], category="clothing")] == [
        "Winter jackets, men, L"
    ]
    first = client.get(
        f"{API}/items/{bus['id']}/cargo", params={"sort": "-weight_kg", "limit": 2}
    ).json()
    rest = client.get(
        f"{API}/items/{bus['id']}/cargo",
        params={"sort": "-weight_kg", "limit": 2, "cursor": first["next_cursor"]},
    ).json()
    assert [c["weight_kg"] for c in first["items"] + rest["items"]] == [50, 30, 10, 5]
    assert rest["next_cursor"] is None


def test_cargo_rides_only_on_a_vehicle(client: TestClient) -> None:
    donor = factories.donor(client)
    generator = factories.equipment(client, donor["id"], name="Generator 100 kVA")
    response = client.post(
        f"{API}/items/{generator['id']}/cargo",
        json={"description": "Cables", "quantity": 1, "weight_kg": 10, "value_cents": 100},
    )
    assert response.status_code == 409
    assert response.json() == {
        "detail": f"Cargo cannot be loaded onto item {generator['id']}",
        "code": "rule_violation",
        "reasons": [
            {
                "code": "cargo_needs_vehicle",
                "message": f"Item {generator['id']} (Generator 100 kVA) is equipment; "
                "cargo rides only on a vehicle",
                "field": "item_id",
            }
        ],
    }
    assert cargo_of(client, generator["id"]) == []


def test_cargo_line_fields_are_validated(client: TestClient) -> None:
    donor = factories.donor(client)
    bus = factories.vehicle(client, donor["id"])
    response = client.post(
        f"{API}/items/{bus['id']}/cargo",
        json={
            "description": "",
            "quantity": 0,
            "weight_kg": -1,
            "value_cents": -5,
            "category": "weapons",
            "hs_code": "84A3",
        },
    )
    assert response.status_code == 422
    assert {e["loc"][-1] for e in response.json()["detail"]} == {
        "description",
        "quantity",
        "weight_kg",
        "value_cents",
        "category",
        "hs_code",
    }
    assert cargo_of(client, bus["id"]) == []


def test_unknown_vehicle_or_cargo_line_is_404(client: TestClient) -> None:
    assert client.get(f"{API}/items/999999/cargo").status_code == 404
    response = client.patch(f"{API}/cargo/999999", json={"quantity": 2})
    assert response.status_code == 404
    assert response.json()["detail"] == "Cargo line 999999 does not exist"
    assert client.delete(f"{API}/cargo/999999").status_code == 404


def test_patch_and_delete_a_cargo_line(client: TestClient) -> None:
    donor = factories.donor(client)
    bus = factories.vehicle(client, donor["id"])
    line = factories.cargo_line(client, bus["id"], quantity=2, weight_kg=300)
    response = client.patch(f"{API}/cargo/{line['id']}", json={"quantity": 3, "weight_kg": 450})
    assert response.status_code == 200
    body = response.json()
    assert (body["quantity"], body["weight_kg"], body["version"]) == (3, 450, 2)
    assert body["description"] == line["description"]
    assert get_item(client, bus["id"])["cargo_weight_kg"] == 450
    nulled = client.patch(f"{API}/cargo/{line['id']}", json={"description": None, "unit": None})
    assert nulled.status_code == 422
    assert {e["loc"][-1] for e in nulled.json()["detail"]} == {"description", "unit"}
    unknown = client.patch(f"{API}/cargo/{line['id']}", json={"vehicle_id": 1})
    assert unknown.status_code == 422
    assert unknown.json()["detail"][0]["loc"] == ["body", "vehicle_id"]
    deleted = client.delete(f"{API}/cargo/{line['id']}")
    assert deleted.status_code == 204
    assert deleted.content == b""
    assert cargo_of(client, bus["id"]) == []
    assert get_item(client, bus["id"])["cargo_weight_kg"] == 0


@pytest.mark.parametrize("status", [ItemStatus.delivered, ItemStatus.withdrawn])
def test_cargo_of_a_delivered_or_withdrawn_vehicle_is_frozen(
    client: TestClient, session: Session, status: ItemStatus
) -> None:
    donor = factories.donor(client)
    bus = factories.vehicle(client, donor["id"], name="Bus 4711")
    line = factories.cargo_line(client, bus["id"])
    force_status(session, bus["id"], status)
    closed = {
        "code": "item_closed",
        "message": f"Item {bus['id']} (Bus 4711) is {status.value}; a delivered or withdrawn "
        "item and its cargo can no longer be changed",
        "field": "status",
        "context": {"status": status.value},
    }
    added = client.post(
        f"{API}/items/{bus['id']}/cargo",
        json={"description": "Cables", "quantity": 1, "weight_kg": 10, "value_cents": 100},
    )
    assert added.status_code == 409
    assert added.json()["reasons"] == [closed]
    changed = client.patch(f"{API}/cargo/{line['id']}", json={"quantity": 9})
    assert changed.status_code == 409
    assert changed.json()["reasons"] == [closed]
    removed = client.delete(f"{API}/cargo/{line['id']}")
    assert removed.status_code == 409
    assert removed.json() == {
        "detail": f"Item {bus['id']} cannot be unloaded",
        "code": "rule_violation",
        "reasons": [closed],
    }
    assert cargo_of(client, bus["id"]) == [line]


def test_cargo_may_not_overload_the_vehicle(client: TestClient) -> None:
    donor = factories.donor(client)
    van = factories.vehicle(
        client,
        donor["id"],
        name="Sprinter",
        kind="van",
        weight_kg=2_500,
        gross_weight_kg=3_500,
        seats=3,
    )
    line = factories.cargo_line(client, van["id"], weight_kg=900)
    too_much = client.post(
        f"{API}/items/{van['id']}/cargo",
        json={"description": "Pipes", "quantity": 10, "weight_kg": 101, "value_cents": 100},
    )
    assert too_much.status_code == 409
    overloaded = {
        "code": "vehicle_overloaded",
        "message": "1,001 kg of cargo is more than Sprinter may carry: 3,500 kg gross weight "
        "minus 2,500 kg own weight leaves 1,000 kg",
        "field": "weight_kg",
        "context": {"cargo_weight_kg": 1_001, "payload_kg": 1_000},
    }
    assert too_much.json()["reasons"] == [overloaded]
    heavier = client.patch(f"{API}/cargo/{line['id']}", json={"weight_kg": 1_001})
    assert heavier.status_code == 409
    assert heavier.json()["reasons"] == [overloaded]
    exactly = client.patch(f"{API}/cargo/{line['id']}", json={"weight_kg": 1_000})
    assert exactly.status_code == 200
    lighter_van = client.patch(f"{API}/items/{van['id']}", json={"weight_kg": 2_501})
    assert lighter_van.status_code == 409
    assert lighter_van.json()["reasons"] == [
        {
            "code": "vehicle_overloaded",
            "message": "1,000 kg of cargo is more than Sprinter may carry: 3,500 kg gross weight "
            "minus 2,501 kg own weight leaves 999 kg",
            "field": "weight_kg",
            "context": {"cargo_weight_kg": 1_000, "payload_kg": 999},
        }
    ]
    assert get_item(client, van["id"])["weight_kg"] == 2_500
    assert [c["weight_kg"] for c in cargo_of(client, van["id"])] == [1_000]


def test_a_loaded_vehicle_cannot_become_equipment(client: TestClient) -> None:
    donor = factories.donor(client)
    bus = factories.vehicle(client, donor["id"])
    factories.cargo_line(client, bus["id"])
    response = client.patch(
        f"{API}/items/{bus['id']}",
        json={
            "category": "equipment",
            "kind": "other_equipment",
            "vin": None,
            "seats": None,
            "licence_class_required": None,
        },
    )
    assert response.status_code == 409
    assert response.json()["reasons"] == [
        {
            "code": "cargo_needs_vehicle",
            "message": f"Item {bus['id']} carries cargo; unload it before recording the item "
            "as equipment",
            "field": "category",
        }
    ]
    assert get_item(client, bus["id"])["category"] == "vehicle"


def test_a_cargo_line_records_its_packing(client: TestClient) -> None:
    bus = factories.vehicle(client, factories.donor(client)["id"])
    line = factories.cargo_line(client, bus["id"])
    assert line["packing"] == "carton"  # the usual package when none is said
    url = f"{API}/cargo/{line['id']}"
    changed = client.patch(url, json={"packing": "pallet"})
    assert changed.status_code == 200, changed.text
    assert changed.json()["packing"] == "pallet"
    for bad in ("barrel", "vehicle", None):
        refused = client.patch(url, json={"packing": bad})
        assert refused.status_code == 422, bad
        assert refused.json()["detail"][0]["loc"][-1] == "packing"
    created = client.post(
        f"{API}/items/{bus['id']}/cargo",
        json={"description": "Pipes", "quantity": 1, "weight_kg": 1, "value_cents": 1,
              "packing": "fixed_in_vehicle"},
    )  # fmt: skip
    assert created.status_code == 201 and created.json()["packing"] == "fixed_in_vehicle"
