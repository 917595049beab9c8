"""The collection point through HTTP, on both databases: stock never below zero, stock
promised once, a double tap recorded once, a volunteer kept to their own hall, a write-off
only with a reason, every movement on the record, and a pallet that reaches the convoy's
papers as cargo packed on a pallet."""

import io
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from app.auth.roles import Role
from tests import factories
from tests.accounts import RoleClients
from tests.convoys import builders as b
from tests.factories import API


@dataclass
class Hall:
    point: dict[str, Any]
    places: list[dict[str, Any]]

    @property
    def id(self) -> int:
        point_id: int = self.point["id"]
        return point_id


def hall(client: TestClient) -> Hall:
    point = factories.collection_point(client)
    places = [factories.storage_place(client, point["id"], row=str(n)) for n in (1, 2)]
    return Hall(point, places)


def post(client: TestClient, path: str, body: dict[str, Any] | None = None) -> Any:
    return client.post(f"{API}{path}", json=body or {})


def get(client: TestClient, path: str) -> Any:
    response = client.get(f"{API}{path}")
    assert response.status_code == 200, response.text
    return response.json()


def papers(client: TestClient, convoy_id: int, kind: str, **params: Any) -> str:
    response = client.get(f"{API}/convoys/{convoy_id}/documents/{kind}", params=params)
    assert response.status_code == 200, response.text
    reader = PdfReader(io.BytesIO(response.content))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def test_intake_is_listed_and_filtered_by_category_size_season_and_place(
    client: TestClient,
) -> None:
    h = hall(client)
    jackets = factories.intake(client, h.id, h.places[0]["id"])
    factories.intake(client, h.id, h.places[1]["id"], size="M", season="summer")
    boots = factories.intake(
        client, h.id, h.places[1]["id"], category="shoes", subcategory="boots", size="43"
    )
    assert boots["unit"] == "pairs"  # the category's usual unit
    assert jackets["available"] == 40

    def ids(query: str) -> list[int]:
        return [
            line["id"]
            for line in get(client, f"/stock?collection_point_id={h.id}&{query}")["items"]
        ]

    assert ids("category=shoes") == [boots["id"]]
    assert ids("size=L&season=winter") == [jackets["id"]]
    assert ids(f"place_id={h.places[0]['id']}") == [jackets["id"]]
    page = get(client, f"/stock?collection_point_id={h.id}&limit=2")
    assert len(page["items"]) == 2 and page["next_cursor"]
    rest = get(client, f"/stock?collection_point_id={h.id}&limit=2&cursor={page['next_cursor']}")
    assert [line["id"] for line in rest["items"]] == [boots["id"]]


def test_the_catalogue_decides_what_a_line_needs(client: TestClient) -> None:
    h = hall(client)
    place = h.places[0]["id"]
    path = f"/collection-points/{h.id}/intake"
    base = {"place_id": place, "quantity": 5}
    unknown = post(client, path, {**base, "category": "clothing", "subcategory": "tuxedos"})
    assert unknown.status_code == 422
    assert unknown.json()["detail"][0]["loc"][-1] == "subcategory"
    food = post(client, path, {**base, "category": "food", "subcategory": "canned"})
    assert food.status_code == 422 and "best_before_on" in food.text
    medical = post(client, path, {**base, "category": "medical", "subcategory": "dressings"})
    assert medical.status_code == 422
    assert {e["loc"][-1] for e in medical.json()["detail"]} == {"batch", "expires_on"}
    catalogue = get(client, "/stock-catalogue")
    assert {c["category"] for c in catalogue} >= {"clothing", "shoes", "medical", "tools"}


def test_a_double_tap_records_the_line_once(client: TestClient) -> None:
    h = hall(client)
    body = {
        "place_id": h.places[0]["id"],
        "category": "hygiene",
        "subcategory": "soap",
        "quantity": 12,
        "client_key": "phone-1-line-7",
    }
    first = post(client, f"/collection-points/{h.id}/intake", body)
    again = post(client, f"/collection-points/{h.id}/intake", body)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    lines = get(client, f"/stock?collection_point_id={h.id}")["items"]
    assert len(lines) == 1
    moves = get(client, f"/stock-movements?stock_line_id={first.json()['id']}")["items"]
    assert [m["kind"] for m in moves] == ["intake"]


def test_stock_never_goes_below_zero(client: TestClient, session: Session) -> None:
    h = hall(client)
    line = factories.intake(client, h.id, h.places[0]["id"], quantity=10)
    too_many = post(client, f"/stock/{line['id']}/write-off", {"quantity": 11, "reason": "wet"})
    assert too_many.status_code == 409
    assert too_many.json()["reasons"][0]["code"] == "not_enough_stock"
    moved = post(
        client, f"/stock/{line['id']}/move", {"to_place_id": h.places[1]["id"], "quantity": 11}
    )
    assert moved.status_code == 409
    assert get(client, f"/stock/{line['id']}")["quantity"] == 10
    # The database holds the rule too.
    with pytest.raises(IntegrityError), session.begin_nested():
        session.execute(
            text("UPDATE stock_line SET quantity = -1 WHERE id = :id"), {"id": line["id"]}
        )


def test_a_write_off_needs_a_reason_and_is_a_movement(client: TestClient) -> None:
    h = hall(client)
    line = factories.intake(client, h.id, h.places[0]["id"], quantity=10)
    without = post(client, f"/stock/{line['id']}/write-off", {"quantity": 2})
    assert without.status_code == 422
    assert without.json()["detail"][0]["loc"][-1] == "reason"
    done = post(client, f"/stock/{line['id']}/write-off", {"quantity": 2, "reason": "Mouldy"})
    assert done.status_code == 200, done.text
    assert done.json()["quantity"] == 8
    counted = post(client, f"/stock/{line['id']}/count", {"counted": 7})
    assert counted.json()["quantity"] == 7
    moves = get(client, f"/stock-movements?stock_line_id={line['id']}")["items"]
    assert [(m["kind"], m["reason"], m["difference"]) for m in moves] == [
        ("intake", None, None),
        ("write_off", "Mouldy", None),
        ("stocktake", None, -1),
    ]
    audit = get(client, "/audit?entity=stock_movement")["items"]
    assert len(audit) >= 3


def test_stock_is_promised_once(client: TestClient) -> None:
    h = hall(client)
    line = factories.intake(client, h.id, h.places[0]["id"], quantity=40)
    destination = factories.destination(client, kind="clinic")
    need = factories.goods_need(client, destination["id"], quantity=60)
    other = factories.goods_need(client, destination["id"], quantity=60)
    first = post(
        client,
        "/reservations",
        {"need_id": need["id"], "stock_line_id": line["id"], "quantity": 30},
    )
    assert first.status_code == 201, first.text
    second = post(
        client,
        "/reservations",
        {"need_id": other["id"], "stock_line_id": line["id"], "quantity": 30},
    )
    assert second.status_code == 409
    assert second.json()["reasons"][0]["context"]["available"] == 10
    assert get(client, f"/stock/{line['id']}")["reserved"] == 30
    # What is reserved cannot be written off either.
    assert (
        post(
            client, f"/stock/{line['id']}/write-off", {"quantity": 11, "reason": "x-ray"}
        ).status_code
        == 409
    )
    released = post(client, f"/reservations/{first.json()['id']}/release")
    assert released.status_code == 200 and released.json()["released"]
    assert get(client, f"/stock/{line['id']}")["reserved"] == 0


def test_matching_shows_what_fits_each_open_need(client: TestClient) -> None:
    h = hall(client)
    factories.intake(client, h.id, h.places[0]["id"], quantity=25)  # men's winter jackets L
    factories.intake(client, h.id, h.places[0]["id"], quantity=10, gender="unisex", size="M")
    factories.intake(client, h.id, h.places[0]["id"], quantity=99, season="summer")
    factories.intake(client, h.id, h.places[0]["id"], quantity=50, priority="not_usable")
    clinic = factories.destination(client, kind="clinic", name="Kulparkiv clinic")
    need = factories.goods_need(client, clinic["id"], quantity=30, gender="men")
    matches = {m["need_id"]: m for m in get(client, f"/stock-matching?collection_point_id={h.id}")}
    found = matches[need["id"]]
    assert (found["available"], found["can_reserve"], found["open_quantity"]) == (35, 30, 30)


def test_a_pallet_is_packed_and_loaded_onto_a_convoy_vehicle(client: TestClient) -> None:
    planned = b.planned_convoy(client)
    bus = planned.vehicles[0]
    h = hall(client)
    donor = factories.donor(client, name="Sportverein Dortmund-Hörde")
    line = factories.intake(client, h.id, h.places[0]["id"], quantity=40, donor_id=donor["id"])
    need = factories.goods_need(client, planned.destination["id"], quantity=30)
    reservation = post(
        client,
        "/reservations",
        {"need_id": need["id"], "stock_line_id": line["id"], "quantity": 30},
    ).json()
    pallet = factories.created(
        client, "/pallets", {"collection_point_id": h.id, "need_id": need["id"]}
    )
    assert pallet["number"] == f"{h.point['pallet_prefix']}-0001"
    packed = post(client, f"/pallets/{pallet['id']}/pack", {"reservation_id": reservation["id"]})
    assert packed.status_code == 200, packed.text
    assert packed.json()["lines"][0]["contents_uk"] == "Одяг: Куртки L"
    after = get(client, f"/stock/{line['id']}")
    assert (after["quantity"], after["reserved"]) == (10, 0)
    unweighed = post(
        client, f"/pallets/{pallet['id']}/load", {"convoy_id": planned.id, "vehicle_id": bus["id"]}
    )
    assert unweighed.status_code == 409
    assert unweighed.json()["reasons"][0]["code"] == "pallet_not_weighed"
    weighed = client.patch(
        f"{API}/pallets/{pallet['id']}", json={"weight_kg": 180, "volume_dm3": 1400}
    )
    assert weighed.status_code == 200, weighed.text
    loaded = post(
        client, f"/pallets/{pallet['id']}/load", {"convoy_id": planned.id, "vehicle_id": bus["id"]}
    )
    assert loaded.status_code == 200, loaded.text
    assert loaded.json()["status"] == "loaded"
    cargo = get(client, f"/items/{bus['id']}/cargo")["items"]
    (line_on_bus,) = [c for c in cargo if c["id"] == loaded.json()["cargo_line_id"]]
    assert line_on_bus["packing"] == "pallet"
    assert line_on_bus["marks"].endswith(pallet["number"])
    assert line_on_bus["weight_kg"] == 180
    kinds = [
        m["kind"] for m in get(client, f"/stock-movements?stock_line_id={line['id']}")["items"]
    ]
    assert kinds == ["intake", "reserve", "pack", "dispatch"]
    again = post(client, f"/pallets/{pallet['id']}/pack", {"reservation_id": reservation["id"]})
    assert again.status_code == 409
    # The donor sees where their jackets went: the pallet, its recipient and its convoy.
    report = client.get(f"{API}/donors/{donor['id']}/report", params={"format": "pdf"})
    text = " ".join(PdfReader(io.BytesIO(report.content)).pages[-1].extract_text().split())
    assert f"{pallet['number']} × 30" in text and planned.convoy["number"] in text


def test_a_pallet_is_handed_to_a_partners_truck(client: TestClient) -> None:
    h = hall(client)
    line = factories.intake(client, h.id, h.places[0]["id"], quantity=5)
    need = factories.goods_need(client, factories.destination(client)["id"], quantity=5)
    reservation = post(
        client, "/reservations", {"need_id": need["id"], "stock_line_id": line["id"], "quantity": 5}
    ).json()
    pallet = factories.created(client, "/pallets", {"collection_point_id": h.id, "kind": "box"})
    post(client, f"/pallets/{pallet['id']}/pack", {"reservation_id": reservation["id"]})
    client.patch(f"{API}/pallets/{pallet['id']}", json={"weight_kg": 12})
    handed = post(
        client,
        f"/pallets/{pallet['id']}/handover",
        {
            "carrier_name": "Spedition Nowak",
            "truck_plate": "WA 12345",
            "received_by": "Piotr Nowak",
            "handed_over_on": "2026-12-01",
        },
    )
    assert handed.status_code == 200, handed.text
    assert (handed.json()["status"], handed.json()["truck_plate"]) == ("handed_over", "WA 12345")


def test_a_volunteer_works_at_their_own_hall_only(client: TestClient, as_role: RoleClients) -> None:
    a, other = hall(client), hall(client)
    line_b = factories.intake(client, other.id, other.places[0]["id"])
    volunteer = as_role(Role.volunteer, collection_point_id=a.id)
    mine = factories.intake(volunteer, a.id, a.places[0]["id"], quantity=3)
    assert [p["id"] for p in get(volunteer, "/collection-points")["items"]] == [a.id]
    assert [line["id"] for line in get(volunteer, "/stock")["items"]] == [mine["id"]]
    # Hall B answers as if it did not exist.
    intake_b = post(
        volunteer,
        f"/collection-points/{other.id}/intake",
        {
            "place_id": other.places[0]["id"],
            "category": "hygiene",
            "subcategory": "soap",
            "quantity": 1,
        },
    )
    assert intake_b.status_code == 404
    assert volunteer.get(f"{API}/stock/{line_b['id']}").status_code == 404
    assert (
        post(
            volunteer, f"/stock/{line_b['id']}/move", {"to_place_id": other.places[1]["id"]}
        ).status_code
        == 404
    )
    assert post(volunteer, "/pallets", {"collection_point_id": other.id}).status_code == 404
    assert (
        get(volunteer, "/stock-movements")["items"]
        == get(client, f"/stock-movements?collection_point_id={a.id}")["items"]
    )
    # Their own place for their own goods: moved.
    moved = post(volunteer, f"/stock/{mine['id']}/move", {"to_place_id": a.places[1]["id"]})
    assert moved.status_code == 200 and moved.json()["place_id"] == a.places[1]["id"]
    # Nothing else: no write-offs, no reservations, no convoys.
    assert (
        post(
            volunteer, f"/stock/{mine['id']}/write-off", {"quantity": 1, "reason": "torn"}
        ).status_code
        == 403
    )
    assert volunteer.get(f"{API}/stock-matching").status_code == 403
    assert volunteer.get(f"{API}/convoys").status_code == 403
    assert volunteer.get(f"{API}/donors").status_code == 403
    # A volunteer cannot use another hall's place for their own goods.
    wrong_place = post(
        volunteer, f"/stock/{mine['id']}/move", {"to_place_id": other.places[0]["id"]}
    )
    assert wrong_place.status_code == 422


def _entries(client: TestClient, entity: str, entity_id: int) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = get(client, f"/audit?entity={entity}&entity_id={entity_id}")[
        "items"
    ]
    return entries


def test_an_intake_is_on_the_record_with_who_recorded_what(
    client: TestClient, as_role: RoleClients
) -> None:
    h = hall(client)
    volunteer = as_role(Role.volunteer, collection_point_id=h.id)
    line = factories.intake(
        volunteer, h.id, h.places[0]["id"], quantity=7, description="Куртки зимові"
    )
    [created] = _entries(client, "stock_line", line["id"])
    assert created["action"] == "create" and created["actor_role"] == "volunteer"
    assert created["operation"] == "record_intake"
    after = {field: change["after"] for field, change in created["changes"].items()}
    assert after == {
        "collection_point_id": h.id,
        "place_id": h.places[0]["id"],
        "category": "clothing",
        "subcategory": "jackets",
        "gender": "men",
        "size": "L",
        "season": "winter",
        "description": "Куртки зимові",
        "unit": "pcs",
        "quantity": 7,
        "reserved": 0,
        "condition": "good",
        "priority": "urgent",
        "best_before_on": None,
        "batch": None,
        "expires_on": None,
        "donor_id": None,
        "recorded_by_user_id": created["actor_user_id"],
        "client_key": None,
    }
    [intake] = get(client, f"/stock-movements?stock_line_id={line['id']}")["items"]
    [entry] = _entries(client, "stock_movement", intake["id"])
    assert entry["actor_name"] == created["actor_name"]
    assert {f: c["after"] for f, c in entry["changes"].items()} | {"recorded_at": None} == {
        "stock_line_id": line["id"],
        "collection_point_id": h.id,
        "kind": "intake",
        "quantity": 7,
        "from_place_id": None,
        "to_place_id": h.places[0]["id"],
        "need_id": None,
        "pallet_id": None,
        "reason": None,
        "counted": None,
        "difference": None,
        "user_id": created["actor_user_id"],
        "user_name": intake["user_name"],
        "recorded_at": None,
    }
    # The same fields as a movement written by any other rule (a move, flushed as an object).
    moved = post(volunteer, f"/stock/{line['id']}/move", {"to_place_id": h.places[1]["id"]})
    assert moved.status_code == 200, moved.text
    move = get(client, f"/stock-movements?stock_line_id={line['id']}")["items"][-1]
    [move_entry] = _entries(client, "stock_movement", move["id"])
    assert set(move_entry["changes"]) == set(entry["changes"])


def test_an_intake_goes_only_into_a_place_of_its_own_hall(client: TestClient) -> None:
    a, other = hall(client), hall(client)
    before = len(get(client, "/audit?entity=stock_line&limit=200")["items"])
    body = {"category": "hygiene", "subcategory": "soap", "quantity": 3, "client_key": "k-1"}
    wrong = post(
        client, f"/collection-points/{a.id}/intake", {**body, "place_id": other.places[0]["id"]}
    )
    assert wrong.status_code == 422
    assert [e["loc"][-1] for e in wrong.json()["detail"]] == ["place_id"]
    missing_place = post(client, f"/collection-points/{a.id}/intake", {**body, "place_id": 999999})
    assert missing_place.status_code == 422
    missing_hall = post(
        client, "/collection-points/999999/intake", {**body, "place_id": a.places[0]["id"]}
    )
    assert missing_hall.status_code == 404
    no_donor = post(
        client,
        f"/collection-points/{a.id}/intake",
        {**body, "place_id": a.places[0]["id"], "donor_id": 999999},
    )
    assert no_donor.status_code == 422
    assert [e["loc"][-1] for e in no_donor.json()["detail"]] == ["donor_id"]
    # Nothing was written: no line, no movement, no entry.
    for h in (a, other):
        assert get(client, f"/stock?collection_point_id={h.id}")["items"] == []
        assert get(client, f"/stock-movements?collection_point_id={h.id}")["items"] == []
    assert len(get(client, "/audit?entity=stock_line&limit=200")["items"]) == before
    # The client key was not used up by the refused line.
    right = post(
        client, f"/collection-points/{a.id}/intake", {**body, "place_id": a.places[0]["id"]}
    )
    assert right.status_code == 201, right.text


def test_a_double_tap_is_told_apart_by_account(client: TestClient, as_role: RoleClients) -> None:
    h = hall(client)
    volunteer = as_role(Role.volunteer, collection_point_id=h.id)
    body = {
        "place_id": h.places[0]["id"],
        "category": "bedding",
        "subcategory": "blankets",
        "quantity": 4,
        "client_key": "line-1",
    }
    mine = post(volunteer, f"/collection-points/{h.id}/intake", body)
    theirs = post(client, f"/collection-points/{h.id}/intake", body)
    again = post(volunteer, f"/collection-points/{h.id}/intake", {**body, "quantity": 5})
    assert (mine.status_code, theirs.status_code, again.status_code) == (201, 201, 200)
    assert mine.json()["id"] != theirs.json()["id"]
    assert again.json() == mine.json()  # the first send's line, as it was recorded
    assert len(_entries(client, "stock_line", mine.json()["id"])) == 1
    movements = get(client, f"/stock-movements?collection_point_id={h.id}")["items"]
    assert sorted(m["stock_line_id"] for m in movements) == sorted(
        [mine.json()["id"], theirs.json()["id"]]
    )
