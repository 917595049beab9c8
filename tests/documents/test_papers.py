"""The convoy's papers read back as their reader reads them: PDFs parsed and rendered, sheets
opened with openpyxl, CSV decoded; issued files kept byte for byte; each paper only for those
it belongs to."""

import csv
import hashlib
import io
import re
import shutil
import subprocess
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlmodel import Session

from app.auth.roles import Role
from app.documents import service
from app.documents.models import IssuedDocument
from tests import factories
from tests.convoys import builders as b
from tests.factories import API

LVIV_UK = "ЛМКП «Львівводоканал»"
RECEIVER = "Володимир Білинський"


def _convoy(client: TestClient) -> b.Planned:
    """Two buses for a utility with a Ukrainian name, one with two cargo lines."""
    destination = factories.destination(client, name="Lvivvodokanal", name_uk=LVIV_UK)
    planned = b.planned_convoy(client, vehicles=2, destination=destination)
    bus = planned.vehicles[0]
    factories.cargo_line(
        client,
        bus["id"],
        description="Submersible pump 11 kW",
        description_uk="Занурювальний насос 11 кВт",
        quantity=4,
        weight_kg=480,
        value_cents=1_600_000,
        marks="Pallet 1/2",
    )
    factories.cargo_line(client, bus["id"], weight_kg=120, value_cents=250_050, hs_code=None)
    return planned


def _get(client: TestClient, planned: b.Planned, kind: str, **params: Any) -> Any:
    response = client.get(f"{API}/convoys/{planned.id}/documents/{kind}", params=params)
    assert response.status_code == 200, response.text
    return response


def _german(cents: int) -> str:
    """An amount as the German side of the papers writes it: 43.500,50"""
    return f"{cents / 100:,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".")


def _text(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def _ink(pdf: bytes, tmp_path: Path) -> float:
    """How much of the first page, rendered by pdftoppm, is not white (0 = blank)."""
    source = tmp_path / "doc.pdf"
    source.write_bytes(pdf)
    pdftoppm = shutil.which("pdftoppm")
    assert pdftoppm, "pdftoppm (Debian's poppler-utils) renders the pages: make system-packages"
    subprocess.run(  # noqa: S603 (our own file, a fixed program)
        [pdftoppm, "-gray", "-r", "40", "-f", "1", "-l", "1", str(source), str(tmp_path / "p")],
        check=True,
    )
    (pgm,) = tmp_path.glob("p*.pgm")
    data = pgm.read_bytes()
    # P5 header: magic, width height, maxval, then one byte per pixel.
    _magic, size, _maxval, pixels = data.split(b"\n", 3)
    width, height = (int(n) for n in size.split())
    raster = pixels[: width * height]
    return sum(1 for p in raster if p < 200) / len(raster)


def test_the_manifest_lists_every_vehicle_and_line_with_totals(
    client: TestClient, tmp_path: Path
) -> None:
    planned = _convoy(client)
    response = _get(client, planned, "manifest", format="pdf")
    assert response.headers["content-type"] == "application/pdf"
    pdf = response.content
    pages = _text(pdf)
    text = " ".join(pages)
    for bus in planned.vehicles:
        assert bus["vin"] in text
    assert LVIV_UK in text  # Cyrillic round-trips exactly
    assert "Занурювальний насос 11 кВт" in text
    assert "Pallet 1/2" in text
    assert "9919 0000" in text  # the catch-all tariff number where no HS code was given
    # Per vehicle: own weight plus its lines; the convoy's totals.
    bus = planned.vehicles[0]
    weight = bus["weight_kg"] + 480 + 120
    assert f"{weight:,} kg".replace(",", ".") in text
    value = bus["declared_value_cents"] + 1_600_000 + 250_050
    assert _german(value) in text
    total = sum(v["declared_value_cents"] for v in planned.vehicles) + 1_600_000 + 250_050
    assert _german(total) in text
    # Every page repeats the header and says which page of how many it is.
    assert all("Ladeliste" in page and f"von {len(pages)}" in page for page in pages)
    # PDF/A, with the title in the metadata; the same data gives the same bytes.
    reader = PdfReader(io.BytesIO(pdf))
    assert reader.metadata is not None and "Ladeliste" in (reader.metadata.title or "")
    assert b"pdfaid:part" in pdf
    assert _get(client, planned, "manifest", format="pdf").content == pdf
    assert _ink(pdf, tmp_path) > 0.01


def test_a_vehicles_quantity_subtotal_counts_the_vehicle_like_its_weight_and_value(
    client: TestClient,
) -> None:
    planned = _convoy(client)
    text = " ".join(_text(_get(client, planned, "manifest", format="pdf").content))
    loaded, empty = planned.vehicles
    # The bus itself (1), four pumps and two more: 7, beside the weight of all three lines.
    weight = f"{loaded['weight_kg'] + 480 + 120:,} kg".replace(",", ".")
    assert f"Разом транспортний засіб 1 7 {weight}" in text
    assert f"Разом транспортний засіб 2 1 {empty['weight_kg']:,} kg".replace(",", ".") in text


def test_the_spreadsheets_have_typed_cells_and_csv_keeps_the_cyrillic(client: TestClient) -> None:
    planned = _convoy(client)
    book = load_workbook(io.BytesIO(_get(client, planned, "export_sheet", format="xlsx").content))
    sheet = book.active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    # Two buses, two cargo lines (the rows with a position; the others add them up).
    header, body = rows[0], [row for row in rows[1:] if row[0]]
    assert len(body) == 2 + 2
    weight = header.index("Rohmasse kg / Вага брутто кг")
    value = header.index("Statistischer Wert EUR / Статистична вартість EUR")
    assert all(isinstance(row[weight], int) for row in body)
    assert all(isinstance(row[value], int | float) for row in body)
    expected = sum(v["declared_value_cents"] for v in planned.vehicles) + 1_600_000 + 250_050
    assert round(sum(row[value] for row in body) * 100) == expected  # type: ignore[misc]
    raw = _get(client, planned, "manifest", format="csv").content
    assert raw.startswith(b"\xef\xbb\xbf")  # a BOM: spreadsheets open it as UTF-8
    table = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert any("Занурювальний насос 11 кВт" in row for row in table)
    assert len([row for row in table[1:] if row[1]]) == 4


@pytest.mark.parametrize("kind", ["manifest", "export_sheet"])
def test_the_sheets_carry_subtotals_per_vehicle_and_recipient_and_the_convoys_totals(
    client: TestClient, kind: str
) -> None:
    """As the PDF manifest: under each vehicle its subtotal (the vehicle counted in the
    quantity), then one per recipient and the convoy's; in the XLSX and the CSV alike."""
    planned = _convoy(client)
    loaded, empty = planned.vehicles
    book = load_workbook(io.BytesIO(_get(client, planned, kind, format="xlsx").content))
    sheet = book.active
    assert sheet is not None
    raw = _get(client, planned, kind, format="csv").content.decode("utf-8-sig")
    tables: list[list[list[Any]]] = [
        [list(row) for row in sheet.iter_rows(values_only=True)],
        [list(row) for row in csv.reader(io.StringIO(raw))],
    ]
    for table in tables:
        header = table[0]
        if kind == "manifest":
            position = header.index("Pos.")
            weight = header.index("Gewicht kg / Вага кг")
            value = header.index("Wert EUR / Вартість EUR")
        else:
            position = header.index("Pos.")
            weight = header.index("Rohmasse kg / Вага брутто кг")
            value = header.index("Statistischer Wert EUR / Статистична вартість EUR")
        described = header.index(
            "Beschreibung / Опис" if kind == "manifest" else "Warenbezeichnung / Опис товару"
        )
        said = {row[described]: row for row in table[1:] if not row[position]}
        first = said["Summe Fahrzeug 1 / Разом транспортний засіб 1"]
        second = said["Summe Fahrzeug 2 / Разом транспортний засіб 2"]
        lviv = said["Summe Empfänger / Разом отримувач"]
        convoy = said["Konvoi gesamt / Усього колона"]
        weights = [loaded["weight_kg"] + 480 + 120, empty["weight_kg"]]
        values = [loaded["declared_value_cents"] + 1_600_000 + 250_050]
        values.append(empty["declared_value_cents"])
        assert [float(first[weight]), float(second[weight])] == weights
        assert [round(float(first[value]) * 100), round(float(second[value]) * 100)] == values
        assert float(lviv[weight]) == float(convoy[weight]) == sum(weights)
        assert round(float(convoy[value]) * 100) == sum(values)
        if kind == "manifest":
            quantity = header.index("Menge / К-сть")
            assert [float(first[quantity]), float(second[quantity])] == [1 + 4 + 2, 1]
            assert float(convoy[quantity]) == 8
    # The sums are numbers in bold, as the PDF's.
    for row in sheet.iter_rows(min_row=2):
        if not row[1 if kind == "manifest" else 0].value:
            assert all(c.font.bold for c in row)
            assert any(isinstance(c.value, int) and c.value > 10_000 for c in row)


def test_a_cmr_note_has_three_originals_for_its_vehicle(client: TestClient) -> None:
    planned = _convoy(client)
    bus, other = planned.vehicles
    pages = _text(_get(client, planned, "cmr", vehicle_id=bus["id"]).content)
    assert len(pages) == 3
    for page, copy in zip(pages, ("Absender", "Empfänger", "Frachtführer"), strict=True):
        assert f"Exemplar für den {copy}" in page
        assert bus["vin"] in page and other["vin"] not in page
        assert "CMR" in page and LVIV_UK in page
        assert "unterliegt" in page and "Конвенцією" in page  # the CMR statement, both tongues
    refused = client.get(f"{API}/convoys/{planned.id}/documents/cmr")
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"][-1] == "vehicle_id"


def test_an_issued_paper_is_kept_as_issued_and_flagged_when_the_data_changes(
    client: TestClient,
) -> None:
    planned = _convoy(client)
    bus = planned.vehicles[0]
    first = client.post(
        f"{API}/convoys/{planned.id}/documents", json={"kind": "cmr", "vehicle_id": bus["id"]}
    )
    assert first.status_code == 201, first.text
    issued = first.json()
    assert issued["number"] == f"{planned.convoy['number']}/CMR/1"
    assert (issued["revision"], issued["changed_since_issue"]) == (1, [])
    kept = client.get(f"{API}/issued-documents/{issued['id']}/file")
    assert hashlib.sha256(kept.content).hexdigest() == issued["sha256"]
    assert issued["number"] in " ".join(_text(kept.content))
    # The data changes: the issued file does not, and says so.
    line = factories.cargo_line(client, bus["id"], weight_kg=50, description="Hoses")
    assert line["id"]
    now = client.get(f"{API}/issued-documents/{issued['id']}").json()
    assert now["changed_since_issue"], now
    assert any(path.startswith("vehicle.") for path in now["changed_since_issue"])
    assert client.get(f"{API}/issued-documents/{issued['id']}/file").content == kept.content
    # Reissued: the same number, one revision more; both stay.
    second = client.post(
        f"{API}/convoys/{planned.id}/documents", json={"kind": "cmr", "vehicle_id": bus["id"]}
    ).json()
    assert (second["number"], second["revision"]) == (issued["number"], 2)
    assert second["changed_since_issue"] == []
    assert "Hoses" in " ".join(
        _text(client.get(f"{API}/issued-documents/{second['id']}/file").content)
    )
    listed = client.get(f"{API}/convoys/{planned.id}/issued-documents").json()
    assert [(d["number"], d["revision"]) for d in listed] == [
        (issued["number"], 1),
        (issued["number"], 2),
    ]


def test_the_handover_act_names_who_received_what(client: TestClient) -> None:
    start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - 2 * b.H
    destination = factories.destination(client, name="Lvivvodokanal", name_uk=LVIV_UK)
    planned = b.planned_convoy(client, start=start, vehicles=2, destination=destination)
    assert b.post(client, f"/convoys/{planned.id}/depart").status_code == 200
    bus = planned.vehicles[0]
    confirmed = b.post(
        client,
        f"/convoys/{planned.id}/handovers",
        {
            "item_id": bus["id"],
            "receiver_name": RECEIVER,
            "receiver_role": "Заступник технічного директора",
            "handed_over_on": datetime.now(UTC).date().isoformat(),
            "place": "Львів",
        },
    )
    assert confirmed.status_code == 201, confirmed.text
    text = " ".join(
        _text(_get(client, planned, "handover_act", destination_id=destination["id"]).content)
    )
    assert "Übergabeprotokoll" in text and "Акт приймання-передачі" in text
    assert RECEIVER in text and LVIV_UK in text
    for vehicle in planned.vehicles:
        assert vehicle["vin"] in text


@pytest.mark.parametrize("role", [Role.recipient, Role.driver])
def test_each_paper_goes_only_to_those_it_belongs_to(
    client: TestClient, as_role: Any, role: Role
) -> None:
    planned = _convoy(client)
    ours, theirs = planned.vehicles
    if role == Role.recipient:
        caller = as_role(role, destination_id=planned.destination["id"])
        other = factories.destination(client)
        mine = {"destination_id": planned.destination["id"]}
        allowed = ("handover_act", mine)
        refused = [
            ("handover_act", {"destination_id": other["id"]}),
            ("usage_form", {"destination_id": other["id"]}),
            ("manifest", {}),
            ("cmr", {"vehicle_id": ours["id"]}),
        ]
    else:
        driver_of_first = planned.drivers[0]["id"]
        caller = as_role(role, driver_id=driver_of_first)
        allowed = ("cmr", {"vehicle_id": ours["id"]})
        refused = [
            ("cmr", {"vehicle_id": theirs["id"]}),
            ("manifest", {}),
            ("export_sheet", {"format": "xlsx"}),
        ]
    kind, params = allowed
    got = caller.get(f"{API}/convoys/{planned.id}/documents/{kind}", params=params)
    assert got.status_code == 200, got.text
    for kind, params in refused:
        denied = caller.get(f"{API}/convoys/{planned.id}/documents/{kind}", params=params)
        assert denied.status_code == 404, (kind, params, denied.text)
    issued = caller.post(f"{API}/convoys/{planned.id}/documents", json={"kind": "manifest"})
    assert issued.status_code == 403


def test_a_donation_letter_names_each_vehicle_and_the_goods_of_one_donor(
    client: TestClient,
) -> None:
    planned = _convoy(client)
    bus = planned.vehicles[0]
    params = {"destination_id": planned.destination["id"], "donor_id": bus["donor_id"]}
    text = " ".join(
        " ".join(_text(_get(client, planned, "donation_letter", **params).content)).split()
    )
    assert "Schenkungsurkunde" in text and "Дарчий лист" in text
    for vehicle in planned.vehicles:  # both buses come from the same donor
        assert vehicle["vin"] in text and vehicle["make"] in text
    assert "Занурювальний насос 11 кВт" in text and LVIV_UK in text
    stranger = factories.donor(client)
    refused = client.get(
        f"{API}/convoys/{planned.id}/documents/donation_letter",
        params={**params, "donor_id": stranger["id"]},
    )
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"][-1] == "donor_id"


def test_the_usage_form_carries_the_edrpou_and_the_intended_use(client: TestClient) -> None:
    planned = _convoy(client)
    form = _get(client, planned, "usage_form", destination_id=planned.destination["id"])
    text = " ".join(" ".join(_text(form.content)).split())  # lines wrap in table cells
    assert planned.destination["edrpou"] in text
    assert "Verwendungsnachweis" in text and "Сертифікат про цільове використання" in text
    (certificate,) = b.get(client, f"/certificates?item_id={planned.vehicles[0]['id']}")["items"]
    assert certificate["intended_use"][:30] in text
    for vehicle in planned.vehicles:
        assert vehicle["vin"] in text


def test_the_manifest_and_export_sheet_come_in_english_for_a_transit_country(
    client: TestClient,
) -> None:
    planned = _convoy(client)
    text = " ".join(_text(_get(client, planned, "manifest", format="pdf", language="en").content))
    assert "Packing list" in text and "Consignee" in text and "Page 1 of" in text
    assert "Ladeliste" not in text and "Пакувальний" not in text
    for bus in planned.vehicles:
        assert bus["vin"] in text
    sheet = load_workbook(
        io.BytesIO(_get(client, planned, "export_sheet", format="xlsx", language="en").content)
    ).active
    assert sheet is not None
    header = [c.value for c in sheet[1]]
    assert "Gross weight kg" in header and "Country of origin" in header
    refused = client.get(
        f"{API}/convoys/{planned.id}/documents/cmr",
        params={"vehicle_id": planned.vehicles[0]["id"], "language": "en"},
    )
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"][-1] == "language"


def test_the_same_data_gives_the_same_spreadsheet_and_an_issued_one_is_made_again(
    client: TestClient, session: Session
) -> None:
    """An XLSX holds no clock: its dates are the paper's day at midnight, so two downloads are
    the same bytes and an issued export sheet, made again from what was kept, is the very file
    that was issued."""
    planned = _convoy(client)
    for kind in ("manifest", "export_sheet"):
        first = _get(client, planned, kind, format="xlsx").content
        properties = load_workbook(io.BytesIO(first)).properties
        assert properties.created == properties.modified, kind
        assert properties.modified is not None and properties.modified.time() == time(0)
        assert _get(client, planned, kind, format="xlsx").content == first
    issued = client.post(f"{API}/convoys/{planned.id}/documents", json={"kind": "export_sheet"})
    assert issued.status_code == 201, issued.text
    kept = client.get(f"{API}/issued-documents/{issued.json()['id']}/file").content
    assert hashlib.sha256(kept).hexdigest() == issued.json()["sha256"]
    issued_on = datetime.fromisoformat(issued.json()["issued_at"])
    properties = load_workbook(io.BytesIO(kept)).properties
    assert properties.modified is not None
    assert abs(properties.modified - issued_on.replace(tzinfo=None)) < timedelta(days=1)
    document = session.get(IssuedDocument, issued.json()["id"])
    assert document is not None
    assert service.remake(session, document) == kept


def test_the_english_papers_write_dates_numbers_and_units_in_english(client: TestClient) -> None:
    """A transit country's officer reads "€43,500.50", "11,600 kg", "29 Nov 2026" and "pcs";
    the German and Ukrainian papers keep the German forms."""
    planned = _convoy(client)
    loaded = planned.vehicles[0]
    weight = loaded["weight_kg"] + 480 + 120
    value = loaded["declared_value_cents"] + 1_600_000 + 250_050
    english = " ".join(_text(_get(client, planned, "manifest", language="en").content))
    assert f"Total vehicle 1 7 {weight:,} kg €{value / 100:,.2f}" in english
    assert "4 pcs" in english and "Stk." not in english and "шт." not in english
    assert re.search(
        r"Plate: \S+ \S+ \S+ \d{1,2} [A-Z][a-z]{2} \d{4} – \d{1,2} [A-Z][a-z]{2}", english
    )
    assert not re.search(r"\d\.\d{3}(,\d\d)? |\d\d\.\d\d\.\d{4}|€ |Fr\.|MEZ", english), english
    german = " ".join(_text(_get(client, planned, "manifest").content))
    assert f"{weight:,} kg".replace(",", ".") in german and _german(value) in german
    assert re.search(r"Номер: \S+ \S+ \S+ \d\d\.\d\d\.\d{4} – ", german)
    # The sheets: the same units and words; the numbers are numbers either way.
    sheet = load_workbook(
        io.BytesIO(_get(client, planned, "manifest", format="xlsx", language="en").content)
    ).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    unit, category = rows[0].index("Unit"), rows[0].index("Category")
    assert {row[unit] for row in rows[1:] if row[1]} == {"pcs"}
    assert {row[category] for row in rows[1:] if row[1]} == {"bus", "technical"}
    assert any(row[2] == "Total vehicle 1" for row in rows)


@pytest.mark.parametrize(
    "kind", ["manifest", "cmr", "handover_act", "donation_letter", "usage_form", "driver_papers"]
)
def test_every_paper_renders_a_first_page_with_ink_on_it(
    client: TestClient, tmp_path: Path, kind: str
) -> None:
    planned = _convoy(client)
    bus = planned.vehicles[0]
    params = {
        "manifest": {},
        "cmr": {"vehicle_id": bus["id"]},
        "handover_act": {"destination_id": planned.destination["id"]},
        "donation_letter": {
            "destination_id": planned.destination["id"],
            "donor_id": bus["donor_id"],
        },
        "usage_form": {"destination_id": planned.destination["id"]},
        "driver_papers": {"driver_id": planned.drivers[0]["id"]},
    }[kind]
    pdf = _get(client, planned, kind, **params).content
    assert _ink(pdf, tmp_path) > 0.01
    assert bus["vin"] in " ".join(_text(pdf))
    issued = client.post(f"{API}/convoys/{planned.id}/documents", json={"kind": kind, **params})
    assert issued.status_code == 201, issued.text
    kept = client.get(f"{API}/issued-documents/{issued.json()['id']}/file").content
    reader = PdfReader(io.BytesIO(kept))
    assert reader.metadata is not None
    assert issued.json()["number"] in (reader.metadata.title or "")  # number in the metadata
    assert b"pdfaid:part" in kept
