"""Fewer calls: an item with its cargo in one call; accept, allocate, certify, record export data
and mark export-ready for several items in one call each. Each is one transaction: all of it,
or a refusal listing every reason of every item (each naming its place in the list and the
item) that changes nothing."""

from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session

from tests import factories
from tests.factories import API
from tests.items.helpers import (
    allocated_vehicle,
    certified_vehicle,
    complete_export_fields,
    get_item,
    insert_certificate,
    insert_export_record,
    post,
    today,
)


def _pallets(n: int, weight_kg: int = 400) -> list[dict[str, Any]]:
    return [
        {
            "description": f"Pallet of pipe fittings {k + 1}",
            "quantity": 1,
            "unit": "pallets",
            "weight_kg": weight_kg,
            "value_cents": 120_000,
            "packing": "pallet",
        }
        for k in range(n)
    ]


def _item_count(client: TestClient) -> int:
    return len(client.get(f"{API}/items?limit=200").json()["items"])


# --- an item with its cargo ---------------------------------------------------------------


def test_a_vehicle_is_created_with_its_cargo_in_one_call(client: TestClient) -> None:
    donor = factories.donor(client)
    body = factories.vehicle_body(donor["id"], cargo=_pallets(3))
    response = client.post(f"{API}/items", json=body)
    assert response.status_code == 201, response.text
    item = response.json()
    assert item["cargo_weight_kg"] == 1_200
    assert item["cargo_value_cents"] == 360_000
    lines = client.get(f"{API}/items/{item['id']}/cargo").json()["items"]
    assert [line["description"] for line in lines] == [
        "Pallet of pipe fittings 1",
        "Pallet of pipe fittings 2",
        "Pallet of pipe fittings 3",
    ]
    assert {line["vehicle_id"] for line in lines} == {item["id"]}


def test_cargo_on_equipment_refuses_the_item_too(client: TestClient) -> None:
    donor = factories.donor(client)
    before = _item_count(client)
    body = factories.equipment_body(donor["id"], cargo=_pallets(1))
    response = client.post(f"{API}/items", json=body)
    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert error["loc"] == ["body", "cargo"]
    assert "only on a vehicle" in error["msg"]
    assert _item_count(client) == before


def test_cargo_beyond_the_payload_is_refused_with_every_reason(client: TestClient) -> None:
    donor = factories.donor(client)
    before = _item_count(client)
    # 18 t gross minus 11 t own weight leaves 7 t; eight pallets of a tonne are too much.
    body = factories.vehicle_body(donor["id"], year=None, cargo=_pallets(8, weight_kg=1_000))
    response = client.post(f"{API}/items", json=body)
    assert response.status_code == 422
    errors = {tuple(e["loc"]): e["msg"] for e in response.json()["detail"]}
    assert set(errors) == {("body", "year"), ("body", "cargo")}
    assert "8,000 kg of cargo is more than" in errors[("body", "cargo")]
    assert _item_count(client) == before


def test_a_bad_cargo_line_names_its_place(client: TestClient) -> None:
    donor = factories.donor(client)
    lines = _pallets(2)
    lines[1]["quantity"] = 0
    response = client.post(f"{API}/items", json=factories.vehicle_body(donor["id"], cargo=lines))
    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert error["loc"] == ["body", "cargo", 1, "quantity"]


# --- accept and allocate ----------------------------------------------------------------------


def test_several_items_are_accepted_and_allocated_in_two_calls(client: TestClient) -> None:
    donor = factories.donor(client)
    destination = factories.destination(client)
    need = factories.need(client, destination["id"], item_kind="generator")
    bus = factories.vehicle(client, donor["id"])
    generator = factories.equipment(client, donor["id"])
    ids = [bus["id"], generator["id"]]
    accepted = post(client, "/items/accept", {"item_ids": ids})
    assert accepted.status_code == 200, accepted.text
    assert [i["status"] for i in accepted.json()] == ["accepted", "accepted"]
    allocated = post(
        client,
        "/items/allocate",
        {
            "items": [
                {"item_id": bus["id"], "destination_id": destination["id"]},
                {
                    "item_id": generator["id"],
                    "destination_id": destination["id"],
                    "need_id": need["id"],
                },
            ]
        },
    )
    assert allocated.status_code == 200, allocated.text
    body = allocated.json()
    assert [i["status"] for i in body] == ["allocated", "allocated"]
    assert [i["need_id"] for i in body] == [None, need["id"]]


def test_one_item_that_cannot_be_accepted_refuses_the_whole_call(client: TestClient) -> None:
    donor = factories.donor(client)
    fresh = factories.vehicle(client, donor["id"])
    done = factories.vehicle(client, donor["id"], name="Bus 4711")
    post(client, f"/items/{done['id']}/accept")
    response = post(client, "/items/accept", {"item_ids": [fresh["id"], done["id"]]})
    assert response.status_code == 409
    body = response.json()
    assert body["detail"] == "1 of 2 item(s) cannot be accepted; none was"
    (reason,) = body["reasons"]
    assert reason["code"] == "wrong_status"
    assert reason["field"] == "item_ids.1.status"
    assert reason["item_id"] == done["id"]
    assert reason["message"].startswith(f"Item {done['id']} (Bus 4711): An item can be accepted")
    assert get_item(client, fresh["id"])["status"] == "offered"


def test_unknown_and_repeated_items_are_named_by_their_place(client: TestClient) -> None:
    donor = factories.donor(client)
    bus = factories.vehicle(client, donor["id"])
    response = post(client, "/items/accept", {"item_ids": [bus["id"], 999_999, bus["id"]]})
    assert response.status_code == 422
    assert [(e["loc"], e["msg"]) for e in response.json()["detail"]] == [
        (["body", "item_ids", "1"], "Item 999999 does not exist"),
        (["body", "item_ids", "2"], f"item {bus['id']} is listed twice"),
    ]
    assert get_item(client, bus["id"])["status"] == "offered"


def test_allocating_several_names_each_bad_destination(client: TestClient) -> None:
    donor = factories.donor(client)
    destination = factories.destination(client)
    one = factories.vehicle(client, donor["id"])
    two = factories.vehicle(client, donor["id"])
    post(client, "/items/accept", {"item_ids": [one["id"], two["id"]]})
    response = post(
        client,
        "/items/allocate",
        {
            "items": [
                {"item_id": one["id"], "destination_id": destination["id"]},
                {"item_id": two["id"], "destination_id": 999_999},
            ]
        },
    )
    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert error["loc"] == ["body", "items", "1", "destination_id"]
    assert get_item(client, one["id"])["status"] == "accepted"


# --- certify --------------------------------------------------------------------------------


def test_several_items_are_certified_in_one_call(client: TestClient, session: Session) -> None:
    one, destination = allocated_vehicle(client)
    two, other = allocated_vehicle(client)
    insert_certificate(session, destination["id"], [one["id"]])
    insert_certificate(session, other["id"], [two["id"]])
    response = post(client, "/items/certify", {"item_ids": [one["id"], two["id"]]})
    assert response.status_code == 200, response.text
    assert [i["status"] for i in response.json()] == ["certified", "certified"]


def test_certifying_refuses_with_every_item_that_lacks_a_certificate(
    client: TestClient, session: Session
) -> None:
    one, destination = allocated_vehicle(client)
    two, _ = allocated_vehicle(client)
    three, _ = allocated_vehicle(client)
    insert_certificate(session, destination["id"], [one["id"]])
    response = post(client, "/items/certify", {"item_ids": [one["id"], two["id"], three["id"]]})
    assert response.status_code == 409
    body = response.json()
    assert body["detail"] == "2 of 3 item(s) cannot be certified; none was"
    assert [(r["code"], r["field"], r["item_id"]) for r in body["reasons"]] == [
        ("certificate_missing", "item_ids.1", two["id"]),
        ("certificate_missing", "item_ids.2", three["id"]),
    ]
    assert get_item(client, one["id"])["status"] == "allocated"


# --- export data and export-ready -------------------------------------------------------------


def _export_body(item_id: int, mrn: str, until_days: int = 30) -> dict[str, Any]:
    fields = complete_export_fields(today() + timedelta(days=until_days))
    return {
        "item_id": item_id,
        **{k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in fields.items()},
        "mrn": mrn,
    }


def test_export_data_for_several_items_in_one_call(client: TestClient, session: Session) -> None:
    one, _ = certified_vehicle(client, session)
    two, _ = certified_vehicle(client, session)
    records = [
        _export_body(one["id"], "06DE586600006143E1"),
        _export_body(two["id"], "10NL5663962BE1E825"),
    ]
    response = post(client, "/export-records/batch", {"records": records})
    assert response.status_code == 201, response.text
    assert [r["item_id"] for r in response.json()] == [one["id"], two["id"]]


def test_export_data_refused_for_one_item_is_kept_for_none(
    client: TestClient, session: Session
) -> None:
    one, _ = certified_vehicle(client, session)
    two, _ = certified_vehicle(client, session)
    three, _ = certified_vehicle(client, session)
    insert_export_record(session, three["id"], customs_office_code="DE004601")
    records = [
        _export_body(one["id"], "06DE586600006143E1"),
        _export_body(two["id"], "06DE586600006143E1"),  # the same MRN twice
        _export_body(three["id"], "10NL5663962BE1E825"),  # has a record already
    ]
    response = post(client, "/export-records/batch", {"records": records})
    assert response.status_code == 409
    body = response.json()
    assert body["detail"] == "2 of 3 item(s) cannot be given export data; none was"
    assert [(r["code"], r["field"], r["item_id"]) for r in body["reasons"]] == [
        ("conflict", "records.1.mrn", two["id"]),
        ("conflict", "records.2.item_id", three["id"]),
    ]
    missing = client.get(f"{API}/items/{one['id']}/export-record")
    assert missing.status_code == 404


def test_bad_export_data_names_the_record_and_field(client: TestClient, session: Session) -> None:
    one, _ = certified_vehicle(client, session)
    two, _ = certified_vehicle(client, session)
    bad = _export_body(two["id"], "10NL5663962BE1E825")
    bad["insurance_until_on"] = today().isoformat()
    response = post(
        client,
        "/export-records/batch",
        {"records": [_export_body(one["id"], "06DE586600006143E1"), bad]},
    )
    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert error["loc"] == ["body", "records", "1", "insurance_until_on"]


def test_several_items_are_marked_export_ready_for_one_trip(
    client: TestClient, session: Session
) -> None:
    until = today() + timedelta(days=20)
    one, _ = certified_vehicle(client, session)
    two, _ = certified_vehicle(client, session)
    for item, mrn in ((one, "06DE586600006143E1"), (two, "10NL5663962BE1E825")):
        insert_export_record(
            session, item["id"], **{**complete_export_fields(until + timedelta(days=5)), "mrn": mrn}
        )
    response = post(
        client,
        "/items/mark-export-ready",
        {"item_ids": [one["id"], two["id"]], "plates_valid_until": until.isoformat()},
    )
    assert response.status_code == 200, response.text
    assert [i["status"] for i in response.json()] == ["export_ready", "export_ready"]
    assert {i["plates_needed_until_on"] for i in response.json()} == {until.isoformat()}


def test_marking_export_ready_lists_what_each_item_lacks(
    client: TestClient, session: Session
) -> None:
    until = today() + timedelta(days=20)
    one, _ = certified_vehicle(client, session)
    two, _ = certified_vehicle(client, session)
    insert_export_record(session, one["id"], **complete_export_fields(until))
    insert_export_record(
        session, two["id"], **{**complete_export_fields(until), "mrn": "10NL5663962BE1E825"}
    )
    three, _ = certified_vehicle(client, session)  # no export record at all
    response = post(
        client,
        "/items/mark-export-ready",
        {
            "item_ids": [one["id"], two["id"], three["id"]],
            "plates_valid_until": (until + timedelta(days=3)).isoformat(),
        },
    )
    assert response.status_code == 409
    reasons = response.json()["reasons"]
    codes = {(r["item_id"], r["code"], r["field"]) for r in reasons}
    assert (one["id"], "plate_expires_too_early", "item_ids.0.plate_valid_to_on") in codes
    assert (two["id"], "insurance_ends_too_early", "item_ids.1.insurance_until_on") in codes
    assert (three["id"], "export_record_missing", "item_ids.2.export_record") in codes
    assert {i for i, _c, _f in codes} == {one["id"], two["id"], three["id"]}
    assert get_item(client, one["id"])["status"] == "certified"
