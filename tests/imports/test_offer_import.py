"""Importing a donation offer: vehicles and equipment with the cargo on the vehicles, through
the same rules as the API; a dry run reports, the import keeps every row or none, and the same
offer twice records nothing twice."""

import io
from typing import Any

from fastapi.testclient import TestClient
from openpyxl import Workbook

from tests import factories
from tests.convoys import builders as b
from tests.factories import API

HEADER = [
    "row_type", "donor", "category", "kind", "name", "make", "model", "vin", "year",
    "weight_kg", "gross_weight_kg", "seats", "declared_value_eur", "hs_code", "serial_number",
    "vehicle_vin", "description", "description_uk", "quantity", "unit", "value_eur", "marks",
]  # fmt: skip


def _row(**cells: Any) -> list[Any]:
    return [cells.get(name) for name in HEADER]


def _xlsx(rows: list[list[Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _send(client: TestClient, content: bytes, *, dry_run: bool) -> Any:
    return client.post(
        f"{API}/imports/offers",
        params={"dry_run": str(dry_run).lower()},
        files={"file": ("offer.xlsx", content, "application/octet-stream")},
    )


def _offer(donor: str, vin: str) -> list[list[Any]]:
    return [
        _row(row_type="item", donor=donor, category="vehicle", kind="bus", name="MAN Lion's City",
             make="MAN", model="Lion's City", vin=vin, year=2009, weight_kg=11_300,
             gross_weight_kg=18_000, seats=32, declared_value_eur="45.000,00", hs_code="8702"),
        _row(row_type="cargo", vehicle_vin=vin, description="Drainage pumps 3 kW",
             description_uk="Дренажні насоси 3 кВт", quantity=20, unit="pcs", weight_kg=600,
             value_eur=24_000, hs_code="8413", marks="Pallet 1/2"),
        _row(row_type="item", donor=donor, category="equipment", kind="generator",
             name="Diesel generating set 250 kVA", weight_kg=3_400, declared_value_eur=85_000,
             hs_code="8502", serial_number="GS250-2015-0112"),
    ]  # fmt: skip


def test_an_offer_is_checked_then_recorded_once_with_its_cargo(client: TestClient) -> None:
    donor = factories.donor(client, name="WSW mobil GmbH")
    vin = "WMAA21ZZ49B004711"
    content = _xlsx(_offer("wsw mobil gmbh", vin))
    checked = _send(client, content, dry_run=True)
    assert checked.status_code == 200, checked.text
    assert (checked.json()["rows"], checked.json()["created"]) == (3, 3)
    assert b.get(client, f"/items?q={vin}")["items"] == []  # the dry run wrote nothing
    done = _send(client, content, dry_run=False)
    assert done.status_code == 200, done.text
    (bus,) = [i for i in b.get(client, "/items?limit=100")["items"] if i["vin"] == vin]
    assert (bus["donor_id"], bus["status"], bus["declared_value_cents"]) == (
        donor["id"],
        "offered",
        4_500_000,
    )
    (line,) = b.get(client, f"/items/{bus['id']}/cargo")["items"]
    assert (line["description_uk"], line["quantity"], line["marks"]) == (
        "Дренажні насоси 3 кВт",
        20,
        "Pallet 1/2",
    )
    again = _send(client, content, dry_run=False)
    assert (again.json()["created"], again.json()["already_recorded"]) == (0, 3)
    assert len(b.get(client, f"/items/{bus['id']}/cargo")["items"]) == 1


def test_an_offer_with_a_bad_row_records_nothing_and_names_each_problem(
    client: TestClient,
) -> None:
    factories.donor(client, name="Stadtwerke Musterstadt")
    rows = [
        *_offer("Stadtwerke Musterstadt", "WMAA21ZZ49B004712"),
        _row(row_type="item", donor="Stadtwerke Musterstadt", category="vehicle", kind="truck",
             name="Bad VIN truck", vin="WMA0O000000000000", declared_value_eur=1),  # row 5
        _row(row_type="item", donor="Nobody e.V.", category="equipment", kind="pump",
             name="Pump", declared_value_eur=100),  # row 6
        _row(row_type="cargo", vehicle_vin="WDB0000000000000X", description="Orphan",
             quantity=1, weight_kg=1, value_eur=1),  # row 7
        _row(row_type="item", donor="Stadtwerke Musterstadt", category="equipment",
             kind="pump", name="Minus", declared_value_eur=-5),  # row 8
    ]  # fmt: skip
    refused = _send(client, _xlsx(rows), dry_run=False)
    assert refused.status_code == 422, refused.text
    found = {(p["row"], p["column"]) for p in refused.json()["problems"]}
    assert {(5, "vin"), (6, "donor"), (7, "vehicle_vin"), (8, "declared_value_eur")} <= found
    assert not any(row in (2, 3, 4) for row, _column in found)
    listed = b.get(client, "/items?q=Lion")["items"]
    assert [i for i in listed if i["vin"] == "WMAA21ZZ49B004712"] == []  # all rows or none


def test_an_offer_whose_text_starts_like_a_formula_records_nothing(client: TestClient) -> None:
    donor = factories.donor(client)
    vin = b.vin()
    rows = _offer(donor["name"], vin)
    rows[0][HEADER.index("model")] = '=HYPERLINK("https://example.invalid")'
    rows[1][HEADER.index("marks")] = "@SUM(1+1)*cmd|' /C calc'!A0"
    rows[2][HEADER.index("name")] = "-2+3+cmd|' /C calc'!A0"
    refused = _send(client, _xlsx(rows), dry_run=False)
    assert refused.status_code == 422, refused.text
    found = {(p["row"], p["column"]) for p in refused.json()["problems"]}
    assert {(2, "model"), (3, "marks"), (4, "name")} <= found
    assert b.get(client, f"/items?donor_id={donor['id']}")["items"] == []


def test_a_csv_with_standard_quoting_reads_each_cell_whole(client: TestClient) -> None:
    """RFC 4180, as every spreadsheet writes it: a quote inside a quoted cell is doubled, a
    delimiter inside one is text (semicolons, as a German spreadsheet separates)."""
    donor = factories.donor(client)
    vin = b.vin()
    content = (
        "\ufeffrow_type;donor;category;kind;name;make;model;year;gross_weight_kg;vin;"
        "declared_value_eur;vehicle_vin;description;quantity;unit;weight_kg;value_eur\r\n"
        f'item;"{donor["name"]}";vehicle;bus;"Bus ""Lion\'s City""";MAN;Lion\'s City;2009;18000;'
        f'{vin};"45.000,00";;;;;;\r\n'
        f'cargo;;;;;;;;;;;{vin};"Pump ""Grundfos"" 3 kW; blue";2;pcs;60;"1.200,50"\r\n'
    ).encode()
    done = _send(client, content, dry_run=False)
    assert done.status_code == 200, done.text
    assert (done.json()["rows"], done.json()["created"]) == (2, 2)
    (bus,) = b.get(client, f"/items?donor_id={donor['id']}")["items"]
    assert (bus["name"], bus["declared_value_cents"]) == ('Bus "Lion\'s City"', 4_500_000)
    (line,) = b.get(client, f"/items/{bus['id']}/cargo")["items"]
    assert (line["description"], line["quantity"], line["value_cents"]) == (
        'Pump "Grundfos" 3 kW; blue',
        2,
        120_050,
    )


def test_an_offers_cargo_records_its_packing(client: TestClient) -> None:
    factories.donor(client, name="Bergische Pumpenwerke GmbH")
    vin = "WMAA21ZZ49B004713"
    header = [*HEADER, "packing"]
    bus, cargo, _generator = _offer("Bergische Pumpenwerke GmbH", vin)
    crated = [*cargo, "crate"]
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in (header, [*bus, None], crated, [*cargo[:16], "Spare seals", *cargo[17:], None]):
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    done = _send(client, out.getvalue(), dry_run=False)
    assert done.status_code == 200, done.text
    (vehicle,) = [i for i in b.get(client, "/items?limit=100")["items"] if i["vin"] == vin]
    lines = b.get(client, f"/items/{vehicle['id']}/cargo")["items"]
    assert {line["description"]: line["packing"] for line in lines} == {
        "Drainage pumps 3 kW": "crate",
        "Spare seals": "carton",  # left empty: the usual carton
    }
    sheet.append([*cargo, "barrel"])  # no such packing: the row and column are named
    out = io.BytesIO()
    book.save(out)
    refused = _send(client, out.getvalue(), dry_run=True)
    assert refused.status_code == 422, refused.text
    assert {(p["row"], p["column"]) for p in refused.json()["problems"]} == {(5, "packing")}
