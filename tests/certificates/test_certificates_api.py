from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event
from sqlmodel import Session

from app.certificates import service
from app.items.models import ItemCategory, ItemStatus
from tests import factories
from tests.certificates import rows
from tests.factories import API


@dataclass
class World:
    lviv: int
    chuhuiv: int
    bus: int  # allocated to Lviv
    generator: int  # equipment, allocated to Lviv
    truck: int  # allocated to Chuhuiv
    pump: int  # not allocated
    van: int  # withdrawn


@pytest.fixture
def world(session: Session) -> World:
    lviv = rows.destination(session, "Lvivvodokanal")
    chuhuiv = rows.destination(session, "Chuhuiv Vodokanal", city="Chuhuiv", oblast="Kharkivska")
    assert lviv.id is not None and chuhuiv.id is not None
    donor = rows.donor(session)
    assert donor.id is not None
    bus = rows.item(session, donor.id, "MAN bus", destination_id=lviv.id)
    generator = rows.item(
        session,
        donor.id,
        "Diesel generator 100 kVA",
        destination_id=lviv.id,
        category=ItemCategory.equipment,
    )
    truck = rows.item(session, donor.id, "Unimog U400", destination_id=chuhuiv.id)
    pump = rows.item(session, donor.id, "Submersible pump", category=ItemCategory.equipment)
    van = rows.item(
        session,
        donor.id,
        "Sprinter van",
        destination_id=lviv.id,
        status=ItemStatus.withdrawn,
        withdrawn_reason="gearbox failed",
    )
    ids = [r.id for r in (bus, generator, truck, pump, van) if r.id is not None]
    assert len(ids) == 5
    return World(lviv.id, chuhuiv.id, *ids)


def cert_body(destination_id: int, item_ids: list[int], **overrides: Any) -> dict[str, Any]:
    return {
        "number": "VN-2024-001",
        "destination_id": destination_id,
        "intended_use": "Emergency power and passenger transport for the water utility",
        "issued_on": "2024-05-02",
        "issuer": "Lvivvodokanal, deputy technical director",
        "item_ids": item_ids,
        **overrides,
    }


def certificates(client: TestClient, **params: Any) -> list[dict[str, Any]]:
    response = client.get(f"{API}/certificates", params=params)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def detail(response: Any) -> list[tuple[tuple[str, ...], str]]:
    return [(tuple(e["loc"]), e["msg"]) for e in response.json()["detail"]]


# --- create and read -----------------------------------------------------------------------


def test_create_and_read_certificate(client: TestClient, world: World) -> None:
    body = cert_body(
        world.lviv,
        [world.generator, world.bus, world.bus],
        valid_until_on="2024-12-31",
        intended_use_uk="Аварійне живлення та перевезення пасажирів для водоканалу",
    )
    response = client.post(f"{API}/certificates", json=body)
    assert response.status_code == 201, response.text
    created = response.json()
    assert {k: v for k, v in created.items() if k not in {"id", "created_at", "updated_at"}} == {
        "number": "VN-2024-001",
        "destination_id": world.lviv,
        "intended_use": "Emergency power and passenger transport for the water utility",
        "intended_use_uk": "Аварійне живлення та перевезення пасажирів для водоканалу",
        "issued_on": "2024-05-02",
        "issuer": "Lvivvodokanal, deputy technical director",
        "valid_until_on": "2024-12-31",
        "item_ids": sorted([world.bus, world.generator]),
        "version": 1,
    }
    fetched = client.get(f"{API}/certificates/{created['id']}")
    assert fetched.status_code == 200
    assert fetched.json() == created


def test_unknown_certificate_is_404(client: TestClient) -> None:
    response = client.get(f"{API}/certificates/999999")
    assert response.status_code == 404
    assert response.json() == {"detail": "Certificate 999999 does not exist", "code": "not_found"}


def test_created_certificate_is_what_valid_certificates_for_finds(
    client: TestClient, session: Session, world: World
) -> None:
    cert = factories.certificate(
        client, world.lviv, [world.bus], issued_on="2024-05-02", valid_until_on="2024-06-30"
    )
    found = service.valid_certificates_for(session, world.bus, world.lviv, date(2024, 6, 30))
    assert [c.id for c in found] == [cert["id"]]
    assert service.valid_certificates_for(session, world.bus, world.lviv, date(2024, 7, 1)) == []
    assert service.valid_certificates_for(session, world.bus, world.lviv, date(2024, 5, 1)) == []
    assert service.valid_certificates_for(session, world.bus, world.chuhuiv, date(2024, 6, 1)) == []


# --- create refusals: each names the field and writes nothing ------------------------------


def test_duplicate_number_is_409(client: TestClient, world: World) -> None:
    factories.certificate(client, world.lviv, [world.bus], number="VN-7")
    response = client.post(
        f"{API}/certificates", json=cert_body(world.lviv, [world.generator], number="VN-7")
    )
    assert response.status_code == 409
    assert response.json() == {
        "detail": "a certificate numbered 'VN-7' already exists",
        "code": "conflict",
        "field": "number",
    }
    assert [c["number"] for c in certificates(client)] == ["VN-7"]
    assert certificates(client, item_id=world.generator) == []


def test_unknown_destination_is_422(client: TestClient, world: World) -> None:
    response = client.post(f"{API}/certificates", json=cert_body(999999, [world.bus]))
    assert response.status_code == 422
    assert detail(response) == [(("body", "destination_id"), "Destination 999999 does not exist")]
    assert certificates(client) == []


def test_valid_until_before_issue_date_is_422(client: TestClient, world: World) -> None:
    body = cert_body(world.lviv, [world.bus], issued_on="2024-05-02", valid_until_on="2024-05-01")
    response = client.post(f"{API}/certificates", json=body)
    assert response.status_code == 422
    assert detail(response) == [
        (("body", "valid_until_on"), "2024-05-01 is before the issue date 2024-05-02")
    ]
    assert certificates(client) == []


def test_valid_until_on_the_issue_date_is_accepted(client: TestClient, world: World) -> None:
    body = cert_body(world.lviv, [world.bus], issued_on="2024-05-02", valid_until_on="2024-05-02")
    assert client.post(f"{API}/certificates", json=body).status_code == 201


def test_issue_date_in_the_future_is_422(client: TestClient, world: World) -> None:
    future = (date.today() + timedelta(days=2)).isoformat()
    response = client.post(
        f"{API}/certificates", json=cert_body(world.lviv, [world.bus], issued_on=future)
    )
    assert response.status_code == 422
    assert detail(response) == [
        (("body", "issued_on"), f"{future} is in the future; enter the date it was signed")
    ]
    assert certificates(client) == []


def test_every_date_and_destination_error_is_reported_at_once(
    client: TestClient, world: World
) -> None:
    future = date.today() + timedelta(days=5)
    body = cert_body(
        999999,
        [world.bus],
        issued_on=future.isoformat(),
        valid_until_on=(future - timedelta(days=1)).isoformat(),
    )
    response = client.post(f"{API}/certificates", json=body)
    assert response.status_code == 422
    assert [loc for loc, _ in detail(response)] == [
        ("body", "issued_on"),
        ("body", "valid_until_on"),
        ("body", "destination_id"),
    ]


def test_unknown_items_are_422_naming_them(client: TestClient, world: World) -> None:
    response = client.post(
        f"{API}/certificates", json=cert_body(world.lviv, [world.bus, 999998, 999999])
    )
    assert response.status_code == 422
    assert detail(response) == [(("body", "item_ids"), "Items 999998, 999999 do not exist")]
    assert certificates(client) == []


def test_a_certificate_covers_at_least_one_item(client: TestClient, world: World) -> None:
    response = client.post(f"{API}/certificates", json=cert_body(world.lviv, []))
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "item_ids"]
    assert certificates(client) == []


def test_items_not_allocated_to_the_destination_are_refused_with_one_reason_each(
    client: TestClient, world: World
) -> None:
    body = cert_body(world.lviv, [world.bus, world.truck, world.pump, world.van])
    response = client.post(f"{API}/certificates", json=body)
    assert response.status_code == 409
    assert response.json() == {
        "detail": "the certificate for Lvivvodokanal cannot cover these items",
        "code": "rule_violation",
        "reasons": [
            {
                "code": "item_allocated_elsewhere",
                "message": f"Item {world.truck} (Unimog U400) is allocated to Chuhuiv Vodokanal, "
                "not to Lvivvodokanal",
                "field": "item_ids",
                "item_id": world.truck,
                "context": {"destination_id": world.chuhuiv},
            },
            {
                "code": "item_not_allocated",
                "message": f"Item {world.pump} (Submersible pump) is not allocated to any "
                "destination",
                "field": "item_ids",
                "item_id": world.pump,
            },
            {
                "code": "item_withdrawn",
                "message": f"Item {world.van} (Sprinter van) is withdrawn and cannot be certified",
                "field": "item_ids",
                "item_id": world.van,
            },
        ],
    }
    assert certificates(client) == []


# --- update ----------------------------------------------------------------------------------


def test_patch_changes_sent_fields_and_keeps_items(client: TestClient, world: World) -> None:
    cert = factories.certificate(client, world.lviv, [world.bus])
    response = client.patch(
        f"{API}/certificates/{cert['id']}",
        json={"issuer": "Lvivvodokanal, director", "valid_until_on": "2025-05-01"},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["issuer"] == "Lvivvodokanal, director"
    assert body["valid_until_on"] == "2025-05-01"
    assert body["number"] == cert["number"]
    assert body["item_ids"] == [world.bus]
    assert body["version"] == 2


def test_patch_refuses_item_ids(client: TestClient, world: World) -> None:
    cert = factories.certificate(client, world.lviv, [world.bus])
    response = client.patch(
        f"{API}/certificates/{cert['id']}", json={"item_ids": [world.generator]}
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "item_ids"]
    assert response.json()["detail"][0]["type"] == "extra_forbidden"
    assert client.get(f"{API}/certificates/{cert['id']}").json() == cert


def test_patch_checks_dates_against_the_stored_record(client: TestClient, world: World) -> None:
    cert = factories.certificate(client, world.lviv, [world.bus], issued_on="2024-05-02")
    response = client.patch(
        f"{API}/certificates/{cert['id']}", json={"valid_until_on": "2024-04-30"}
    )
    assert response.status_code == 422
    assert detail(response) == [
        (("body", "valid_until_on"), "2024-04-30 is before the issue date 2024-05-02")
    ]
    later = factories.certificate(
        client, world.lviv, [world.generator], issued_on="2024-05-02", valid_until_on="2024-06-01"
    )
    response = client.patch(f"{API}/certificates/{later['id']}", json={"issued_on": "2024-06-02"})
    assert response.status_code == 422
    assert detail(response) == [
        (("body", "valid_until_on"), "2024-06-01 is before the issue date 2024-06-02")
    ]
    future = (date.today() + timedelta(days=2)).isoformat()
    response = client.patch(f"{API}/certificates/{later['id']}", json={"issued_on": future})
    assert response.status_code == 422
    assert detail(response)[0][0] == ("body", "issued_on")
    assert client.get(f"{API}/certificates/{cert['id']}").json() == cert
    assert client.get(f"{API}/certificates/{later['id']}").json() == later


def test_patch_cannot_null_a_required_field(client: TestClient, world: World) -> None:
    cert = factories.certificate(client, world.lviv, [world.bus])
    response = client.patch(f"{API}/certificates/{cert['id']}", json={"issued_on": None})
    assert response.status_code == 422
    assert detail(response) == [(("body", "issued_on"), "is required and cannot be set to null")]
    assert client.get(f"{API}/certificates/{cert['id']}").json() == cert


def test_patch_number_clash_is_409_but_keeping_its_own_number_is_fine(
    client: TestClient, world: World
) -> None:
    factories.certificate(client, world.lviv, [world.bus], number="VN-1")
    second = factories.certificate(client, world.lviv, [world.generator], number="VN-2")
    response = client.patch(f"{API}/certificates/{second['id']}", json={"number": "VN-1"})
    assert response.status_code == 409
    assert response.json()["field"] == "number"
    assert client.get(f"{API}/certificates/{second['id']}").json() == second
    same = client.patch(f"{API}/certificates/{second['id']}", json={"number": "VN-2"})
    assert same.status_code == 200


def test_patch_destination_must_exist(client: TestClient, world: World) -> None:
    cert = factories.certificate(client, world.lviv, [world.bus])
    response = client.patch(f"{API}/certificates/{cert['id']}", json={"destination_id": 999999})
    assert response.status_code == 422
    assert detail(response) == [(("body", "destination_id"), "Destination 999999 does not exist")]
    assert client.get(f"{API}/certificates/{cert['id']}").json() == cert


def test_patch_destination_requires_the_covered_items_to_go_there(
    client: TestClient, world: World
) -> None:
    cert = factories.certificate(client, world.lviv, [world.bus])
    response = client.patch(
        f"{API}/certificates/{cert['id']}", json={"destination_id": world.chuhuiv}
    )
    assert response.status_code == 409
    assert response.json()["reasons"] == [
        {
            "code": "item_allocated_elsewhere",
            "message": f"Item {world.bus} (MAN bus) is allocated to Lvivvodokanal, "
            "not to Chuhuiv Vodokanal",
            "field": "item_ids",
            "item_id": world.bus,
            "context": {"destination_id": world.lviv},
        }
    ]
    assert client.get(f"{API}/certificates/{cert['id']}").json() == cert
    emptied = factories.certificate(client, world.lviv, [world.generator])
    client.delete(f"{API}/certificates/{emptied['id']}/items/{world.generator}")
    moved = client.patch(
        f"{API}/certificates/{emptied['id']}", json={"destination_id": world.chuhuiv}
    )
    assert moved.status_code == 200
    assert moved.json()["destination_id"] == world.chuhuiv


# --- covered items -------------------------------------------------------------------------


def test_add_items_covers_them_once(client: TestClient, world: World) -> None:
    cert = factories.certificate(client, world.lviv, [world.bus])
    response = client.post(
        f"{API}/certificates/{cert['id']}/items", json={"item_ids": [world.generator, world.bus]}
    )
    assert response.status_code == 200
    assert response.json()["item_ids"] == sorted([world.bus, world.generator])
    assert response.json()["version"] == 2
    again = client.post(f"{API}/certificates/{cert['id']}/items", json={"item_ids": [world.bus]})
    assert again.status_code == 200
    assert again.json()["version"] == 2


def test_add_items_refuses_unknown_and_misallocated_items(client: TestClient, world: World) -> None:
    cert = factories.certificate(client, world.lviv, [world.bus])
    unknown = client.post(f"{API}/certificates/{cert['id']}/items", json={"item_ids": [999999]})
    assert unknown.status_code == 422
    assert detail(unknown) == [(("body", "item_ids"), "Item 999999 does not exist")]
    elsewhere = client.post(
        f"{API}/certificates/{cert['id']}/items", json={"item_ids": [world.generator, world.truck]}
    )
    assert elsewhere.status_code == 409
    assert [r["item_id"] for r in elsewhere.json()["reasons"]] == [world.truck]
    withdrawn = client.post(
        f"{API}/certificates/{cert['id']}/items", json={"item_ids": [world.van]}
    )
    assert withdrawn.status_code == 409
    assert [r["code"] for r in withdrawn.json()["reasons"]] == ["item_withdrawn"]
    assert client.get(f"{API}/certificates/{cert['id']}").json() == cert


def test_add_items_to_unknown_certificate_is_404(client: TestClient, world: World) -> None:
    response = client.post(f"{API}/certificates/999999/items", json={"item_ids": [world.bus]})
    assert response.status_code == 404


def test_remove_item(client: TestClient, world: World) -> None:
    cert = factories.certificate(client, world.lviv, [world.bus, world.generator])
    response = client.delete(f"{API}/certificates/{cert['id']}/items/{world.bus}")
    assert response.status_code == 200
    assert response.json()["item_ids"] == [world.generator]
    assert response.json()["version"] == 2
    assert certificates(client, item_id=world.bus) == []


def test_removing_an_item_not_covered_is_404(client: TestClient, world: World) -> None:
    cert = factories.certificate(client, world.lviv, [world.bus])
    response = client.delete(f"{API}/certificates/{cert['id']}/items/{world.generator}")
    assert response.status_code == 404
    assert response.json()["detail"] == (
        f"Item {world.generator} on certificate {cert['id']} does not exist"
    )
    assert client.get(f"{API}/certificates/{cert['id']}").json() == cert


# --- list ------------------------------------------------------------------------------------


def test_list_filters(client: TestClient, world: World) -> None:
    a = factories.certificate(
        client, world.lviv, [world.bus], number="VN-A", issuer="Lvivvodokanal"
    )
    b = factories.certificate(
        client,
        world.chuhuiv,
        [world.truck],
        number="VN-B",
        issuer="Chuhuiv city council",
        intended_use="Sewage pumping station repairs",
    )
    c = factories.certificate(client, world.lviv, [world.generator, world.bus], number="VN-C")
    by_destination = certificates(client, destination_id=world.lviv, sort="number")
    assert [x["number"] for x in by_destination] == ["VN-A", "VN-C"]
    by_item = certificates(client, item_id=world.bus, sort="number")
    assert [x["id"] for x in by_item] == [a["id"], c["id"]]
    assert by_item[1]["item_ids"] == sorted([world.bus, world.generator])
    assert [x["id"] for x in certificates(client, q="SEWAGE")] == [b["id"]]
    assert [x["id"] for x in certificates(client, q="council")] == [b["id"]]
    assert [x["id"] for x in certificates(client, q="vn-c")] == [c["id"]]
    assert certificates(client, q="100%") == []


def test_keyset_pagination_by_issue_date(client: TestClient, world: World) -> None:
    days = ["2024-05-03", "2024-05-01", "2024-05-02", "2024-05-01", "2024-05-04"]
    for i, day in enumerate(days):
        factories.certificate(client, world.lviv, [world.bus], number=f"VN-{i}", issued_on=day)
    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": 2, "sort": "-issued_on", **({"cursor": cursor} if cursor else {})}
        page = client.get(f"{API}/certificates", params=params).json()
        seen += [x["number"] for x in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == ["VN-4", "VN-0", "VN-2", "VN-3", "VN-1"]


def test_bad_sort_is_422(client: TestClient) -> None:
    response = client.get(f"{API}/certificates", params={"sort": "valid_until_on"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "sort"]


def test_list_runs_a_fixed_number_of_queries(
    client: TestClient, world: World, engine: Engine
) -> None:
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(args[2])

    def queries_for_list() -> int:
        statements.clear()
        event.listen(engine, "before_cursor_execute", count)
        try:
            assert client.get(f"{API}/certificates", params={"limit": 100}).status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", count)
        return len(statements)

    factories.certificate(client, world.lviv, [world.bus])
    one = queries_for_list()
    for _ in range(5):
        factories.certificate(client, world.lviv, [world.bus, world.generator])
    assert queries_for_list() == one
    assert one > 0
