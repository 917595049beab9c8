from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.items.models import ItemCategory
from tests import factories
from tests.certificates import rows
from tests.factories import API

# Passes the MRN check digit (DOMAIN.md examples).
MRN_DE = "06DE586600006143E1"
MRN_NL = "10NL5663962BE1E825"


@dataclass
class World:
    bus: int
    truck: int
    generator: int


@pytest.fixture
def world(session: Session) -> World:
    lviv = rows.destination(session, "Lvivvodokanal")
    donor = rows.donor(session)
    assert donor.id is not None
    bus = rows.item(session, donor.id, "MAN bus", destination_id=lviv.id)
    truck = rows.item(session, donor.id, "MAN TGS 40 t", destination_id=lviv.id)
    generator = rows.item(session, donor.id, "Diesel generator", category=ItemCategory.equipment)
    assert bus.id is not None and truck.id is not None and generator.id is not None
    return World(bus.id, truck.id, generator.id)


def record_body(item_id: int, **overrides: Any) -> dict[str, Any]:
    return {
        "item_id": item_id,
        "customs_office_code": "DE004601",
        "mrn": MRN_DE,
        "export_plate": "W 1234 A",
        "plate_valid_from_on": "2024-06-01",
        "plate_valid_to_on": "2024-06-30",
        "insurer": "Provinzial",
        "insurance_until_on": "2024-06-30",
        "inspection_due_on": "2025-03-31",
        **overrides,
    }


def detail(response: Any) -> list[tuple[tuple[str, ...], str]]:
    return [(tuple(e["loc"]), e["msg"]) for e in response.json()["detail"]]


def fields(response: Any) -> list[str]:
    return [e["loc"][-1] for e in response.json()["detail"]]


def records(client: TestClient, **params: Any) -> list[dict[str, Any]]:
    response = client.get(f"{API}/export-records", params=params)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def refused_create(client: TestClient, body: dict[str, Any], status: int = 422) -> Any:
    """POST a record that must be refused, and check that nothing was stored."""
    response = client.post(f"{API}/export-records", json=body)
    assert response.status_code == status, response.text
    assert records(client, item_id=body["item_id"]) == []
    return response


# --- create and read -----------------------------------------------------------------------


def test_create_normalises_and_reads_back(client: TestClient, world: World) -> None:
    body = record_body(
        world.bus,
        customs_office_code="de004601",
        mrn="06de 5866 0000 6143 e1",
        export_plate="w-1234a",
        exit_confirmed_on="2024-06-09",
    )
    response = client.post(f"{API}/export-records", json=body)
    assert response.status_code == 201, response.text
    created = response.json()
    assert {k: v for k, v in created.items() if k not in {"id", "created_at", "updated_at"}} == {
        "item_id": world.bus,
        "customs_office_code": "DE004601",
        "mrn": MRN_DE,
        "export_plate": "W 1234 A",
        "plate_valid_from_on": "2024-06-01",
        "plate_valid_to_on": "2024-06-30",
        "insurer": "Provinzial",
        "insurance_until_on": "2024-06-30",
        "inspection_due_on": "2025-03-31",
        "exit_confirmed_on": "2024-06-09",
        "humanitarian_aid": False,  # declared as ordinary goods unless it says so
        "version": 1,
    }
    assert client.get(f"{API}/export-records/{created['id']}").json() == created
    by_item = client.get(f"{API}/items/{world.bus}/export-record")
    assert by_item.status_code == 200
    assert by_item.json() == created


def test_minimal_record_needs_only_item_and_customs_office(
    client: TestClient, world: World
) -> None:
    response = client.post(
        f"{API}/export-records",
        json={"item_id": world.generator, "customs_office_code": "DE004601"},
    )
    assert response.status_code == 201
    assert response.json()["mrn"] is None
    assert response.json()["export_plate"] is None


def test_unknown_record_is_404(client: TestClient) -> None:
    response = client.get(f"{API}/export-records/999999")
    assert response.status_code == 404
    assert response.json() == {"detail": "Export record 999999 does not exist", "code": "not_found"}


def test_item_export_record_404s(client: TestClient, world: World) -> None:
    none_yet = client.get(f"{API}/items/{world.bus}/export-record")
    assert none_yet.status_code == 404
    assert none_yet.json()["detail"] == f"Export record for item {world.bus} does not exist"
    unknown = client.get(f"{API}/items/999999/export-record")
    assert unknown.status_code == 404
    assert unknown.json()["detail"] == "Item 999999 does not exist"


# --- field format -------------------------------------------------------------------------


def test_unknown_item_is_422(client: TestClient) -> None:
    response = refused_create(client, record_body(999999))
    assert detail(response) == [(("body", "item_id"), "Item 999999 does not exist")]


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("DE12345A", "a German customs office code is DE00 followed by 4 digits"),
        ("DE014601", "a German customs office code is DE00 followed by 4 digits"),
        ("DE0046", "a customs office code has 8 characters, e.g. DE004601"),
    ],
)
def test_customs_office_code_format(
    client: TestClient, world: World, code: str, reason: str
) -> None:
    response = refused_create(client, record_body(world.bus, customs_office_code=code))
    assert detail(response) == [(("body", "customs_office_code"), f"Value error, {reason}")]


@pytest.mark.parametrize(
    ("mrn", "reason"),
    [
        ("06DE586600006143E", "an MRN has 18 characters, this one has 17"),
        (
            "06D3586600006143E1",
            "an MRN is 2 digits (year), 2 letters (country), 13 letters or digits, 1 check digit",
        ),
        ("06DE586600006143E2", "MRN check digit is 2, expected 1: mistyped?"),
    ],
)
def test_mrn_format_and_check_digit(
    client: TestClient, world: World, mrn: str, reason: str
) -> None:
    response = refused_create(client, record_body(world.bus, mrn=mrn))
    assert detail(response) == [(("body", "mrn"), f"Value error, {reason}")]


@pytest.mark.parametrize("plate", ["W 12345 A", "W 1 A", "WUPP 1234 A", "W 1234 AB", "1234 A"])
def test_export_plate_format(client: TestClient, world: World, plate: str) -> None:
    response = refused_create(client, record_body(world.bus, export_plate=plate))
    assert fields(response) == ["export_plate"]


# --- plate validity, insurance, inspection, exit confirmation ---------------------------------


def test_plate_valid_to_must_be_after_valid_from(client: TestClient, world: World) -> None:
    body = record_body(world.bus, plate_valid_from_on="2024-06-30", plate_valid_to_on="2024-06-30")
    response = refused_create(client, body)
    assert detail(response) == [
        (("body", "plate_valid_to_on"), "2024-06-30 is not after the first valid day 2024-06-30")
    ]


def test_plate_is_valid_at_most_one_year(client: TestClient, world: World) -> None:
    body = record_body(
        world.bus,
        plate_valid_from_on="2024-06-01",
        plate_valid_to_on="2025-06-02",
        insurance_until_on="2025-06-02",
        inspection_due_on="2025-06-30",
    )
    response = refused_create(client, body)
    assert detail(response) == [
        (
            ("body", "plate_valid_to_on"),
            "an export plate is valid at most one year: from 2024-06-01 it can run until "
            "2025-06-01, not 2025-06-02",
        )
    ]
    body["plate_valid_to_on"] = "2025-06-01"
    assert client.post(f"{API}/export-records", json=body).status_code == 201


def test_one_year_from_29_february_ends_28_february(client: TestClient, world: World) -> None:
    body = record_body(
        world.bus,
        plate_valid_from_on="2024-02-29",
        plate_valid_to_on="2025-03-01",
        insurance_until_on="2025-03-01",
        inspection_due_on="2025-06-30",
    )
    response = refused_create(client, body)
    assert "it can run until 2025-02-28, not 2025-03-01" in detail(response)[0][1]
    body["plate_valid_to_on"] = "2025-02-28"
    assert client.post(f"{API}/export-records", json=body).status_code == 201


def test_plate_needs_both_dates(client: TestClient, world: World) -> None:
    body = record_body(world.bus, plate_valid_from_on=None, plate_valid_to_on=None)
    response = refused_create(client, body)
    assert detail(response) == [
        (("body", "plate_valid_from_on"), "an export plate needs the first day it is valid"),
        (("body", "plate_valid_to_on"), "an export plate needs its expiry date (the red field)"),
    ]


def test_plate_dates_need_a_plate(client: TestClient, world: World) -> None:
    response = refused_create(client, record_body(world.bus, export_plate=None))
    assert detail(response) == [
        (("body", "export_plate"), "plate validity dates were given without an export plate")
    ]


def test_insurance_must_cover_the_plate(client: TestClient, world: World) -> None:
    response = refused_create(client, record_body(world.bus, insurance_until_on="2024-06-29"))
    assert detail(response) == [
        (
            ("body", "insurance_until_on"),
            "insurance ends 2024-06-29, before the plate expires 2024-06-30; "
            "the red field shows the last day of insurance",
        )
    ]


def test_inspection_must_not_expire_before_the_plate(client: TestClient, world: World) -> None:
    response = refused_create(client, record_body(world.bus, inspection_due_on="2024-06-29"))
    assert detail(response) == [
        (
            ("body", "inspection_due_on"),
            "the inspection (HU) is due 2024-06-29, before the plate expires 2024-06-30",
        )
    ]
    body = record_body(world.bus, inspection_due_on="2024-06-30")
    assert client.post(f"{API}/export-records", json=body).status_code == 201


def test_exit_confirmation_needs_an_mrn(client: TestClient, world: World) -> None:
    body = record_body(world.bus, mrn=None, exit_confirmed_on="2024-06-09")
    response = refused_create(client, body)
    assert detail(response) == [
        (
            ("body", "exit_confirmed_on"),
            "an exit confirmation needs the MRN of the export declaration",
        )
    ]


def test_every_broken_rule_is_reported_at_once(client: TestClient) -> None:
    body = record_body(
        999999,
        mrn=None,
        plate_valid_to_on="2025-07-01",
        insurance_until_on="2025-06-30",
        inspection_due_on="2025-01-01",
        exit_confirmed_on="2024-06-09",
    )
    response = refused_create(client, body)
    assert fields(response) == [
        "item_id",
        "plate_valid_to_on",
        "insurance_until_on",
        "inspection_due_on",
        "exit_confirmed_on",
    ]


# --- conflicts ------------------------------------------------------------------------------


def test_export_plates_only_on_vehicles(client: TestClient, world: World) -> None:
    response = refused_create(client, record_body(world.generator, mrn=None), status=409)
    assert response.json() == {
        "detail": f"Item {world.generator} (Diesel generator) is equipment; "
        "export plates are for vehicles only",
        "code": "conflict",
        "field": "export_plate",
    }


def test_one_record_per_item(client: TestClient, world: World) -> None:
    first = factories.export_record(client, world.bus)
    response = client.post(f"{API}/export-records", json=record_body(world.bus, mrn=MRN_NL))
    assert response.status_code == 409
    assert response.json() == {
        "detail": f"Item {world.bus} already has export record {first['id']}; change that one",
        "code": "conflict",
        "field": "item_id",
    }
    assert records(client, item_id=world.bus) == [first]


def test_mrn_is_unique(client: TestClient, world: World) -> None:
    factories.export_record(client, world.bus, mrn=MRN_DE)
    response = refused_create(client, record_body(world.truck, mrn=MRN_DE), status=409)
    assert response.json() == {
        "detail": f"MRN {MRN_DE} is already recorded for item {world.bus}",
        "code": "conflict",
        "field": "mrn",
    }


# --- update: the rules hold on the merged record --------------------------------------------


def test_patch_changes_sent_fields(client: TestClient, world: World) -> None:
    record = factories.export_record(client, world.bus)
    response = client.patch(
        f"{API}/export-records/{record['id']}",
        json={"mrn": MRN_NL, "exit_confirmed_on": "2024-06-10"},
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["mrn"], body["exit_confirmed_on"], body["version"]) == (MRN_NL, "2024-06-10", 2)
    assert body["export_plate"] == record["export_plate"]


def test_patch_validates_against_the_stored_record(client: TestClient, world: World) -> None:
    record = factories.export_record(client, world.bus)
    url = f"{API}/export-records/{record['id']}"
    cases: list[tuple[dict[str, Any], list[str]]] = [
        ({"plate_valid_to_on": "2024-07-31"}, ["insurance_until_on"]),
        ({"plate_valid_from_on": "2024-06-30"}, ["plate_valid_to_on"]),
        ({"insurance_until_on": "2024-06-15"}, ["insurance_until_on"]),
        ({"inspection_due_on": "2024-06-15"}, ["inspection_due_on"]),
        ({"export_plate": None}, ["export_plate"]),
        ({"plate_valid_to_on": None}, ["plate_valid_to_on"]),
        ({"exit_confirmed_on": "2024-06-09"}, ["exit_confirmed_on"]),
        ({"customs_office_code": None}, ["customs_office_code"]),
        ({"mrn": "06DE586600006143E9"}, ["mrn"]),
    ]
    for changes, expected in cases:
        response = client.patch(url, json=changes)
        assert response.status_code == 422, changes
        assert fields(response) == expected, changes
    assert client.get(url).json() == record


def test_patch_cannot_drop_the_mrn_of_a_confirmed_exit(client: TestClient, world: World) -> None:
    record = factories.export_record(client, world.bus, mrn=MRN_DE, exit_confirmed_on="2024-06-09")
    response = client.patch(f"{API}/export-records/{record['id']}", json={"mrn": None})
    assert response.status_code == 422
    assert fields(response) == ["exit_confirmed_on"]
    assert client.get(f"{API}/export-records/{record['id']}").json() == record


def test_patch_refuses_item_id(client: TestClient, world: World) -> None:
    record = factories.export_record(client, world.bus)
    response = client.patch(f"{API}/export-records/{record['id']}", json={"item_id": world.truck})
    assert response.status_code == 422
    assert response.json()["detail"][0]["type"] == "extra_forbidden"
    assert client.get(f"{API}/export-records/{record['id']}").json() == record


def test_patch_mrn_clash_is_409(client: TestClient, world: World) -> None:
    factories.export_record(client, world.bus, mrn=MRN_DE)
    other = factories.export_record(client, world.truck, mrn=MRN_NL)
    response = client.patch(f"{API}/export-records/{other['id']}", json={"mrn": MRN_DE})
    assert response.status_code == 409
    assert response.json()["field"] == "mrn"
    assert client.get(f"{API}/export-records/{other['id']}").json() == other
    assert (
        client.patch(f"{API}/export-records/{other['id']}", json={"mrn": MRN_NL}).status_code == 200
    )


def test_patch_cannot_put_a_plate_on_equipment(client: TestClient, world: World) -> None:
    record = factories.export_record(
        client,
        world.generator,
        export_plate=None,
        plate_valid_from_on=None,
        plate_valid_to_on=None,
    )
    response = client.patch(
        f"{API}/export-records/{record['id']}",
        json={
            "export_plate": "W 99 Z",
            "plate_valid_from_on": "2024-06-01",
            "plate_valid_to_on": "2024-06-30",
        },
    )
    assert response.status_code == 409
    assert response.json()["field"] == "export_plate"
    assert client.get(f"{API}/export-records/{record['id']}").json() == record


# --- list -----------------------------------------------------------------------------------


def test_list_filters(client: TestClient, world: World) -> None:
    declared = factories.export_record(
        client, world.bus, mrn=MRN_DE, exit_confirmed_on="2024-06-09"
    )
    pending = factories.export_record(client, world.truck, mrn=MRN_NL, insurer="HUK-Coburg")
    bare = factories.export_record(
        client,
        world.generator,
        customs_office_code="DE002550",
        export_plate=None,
        plate_valid_from_on=None,
        plate_valid_to_on=None,
    )

    def ids(**params: Any) -> list[int]:
        return [r["id"] for r in records(client, **params)]

    assert ids(has_mrn=True) == [declared["id"], pending["id"]]
    assert ids(has_mrn=False) == [bare["id"]]
    assert ids(exit_confirmed=True) == [declared["id"]]
    assert ids(exit_confirmed=False) == [pending["id"], bare["id"]]
    assert ids(customs_office_code="de002550") == [bare["id"]]
    assert ids(item_id=world.truck) == [pending["id"]]
    assert ids(q="huk") == [pending["id"]]
    assert ids(q="10nl") == [pending["id"]]


def test_keyset_pagination_walks_every_record_once(client: TestClient, world: World) -> None:
    made = [
        factories.export_record(
            client, item, export_plate=None, plate_valid_from_on=None, plate_valid_to_on=None
        )["id"]
        for item in (world.bus, world.truck, world.generator)
    ]
    seen: list[int] = []
    cursor = None
    while True:
        params = {"limit": 2, "sort": "-id", **({"cursor": cursor} if cursor else {})}
        page = client.get(f"{API}/export-records", params=params).json()
        seen += [r["id"] for r in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == sorted(made, reverse=True)
    bad = client.get(f"{API}/export-records", params={"sort": "plate_valid_to_on"})
    assert bad.status_code == 422


def test_a_record_says_whether_the_goods_were_declared_as_humanitarian_aid(
    client: TestClient,
) -> None:
    bus = factories.vehicle(client, factories.donor(client)["id"])
    record = factories.export_record(client, bus["id"], humanitarian_aid=True)
    assert record["humanitarian_aid"] is True
    url = f"{API}/export-records/{record['id']}"
    changed = client.patch(url, json={"humanitarian_aid": False})
    assert changed.status_code == 200, changed.text
    assert changed.json()["humanitarian_aid"] is False
    refused = client.patch(url, json={"humanitarian_aid": "perhaps"})
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"][-1] == "humanitarian_aid"
