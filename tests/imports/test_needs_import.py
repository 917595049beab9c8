"""Importing a needs list: a dry run names every bad row and column and why, the import
records all rows or none, and sending the same file again records nothing twice."""

import io
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook, load_workbook

from tests import factories
from tests.convoys import builders as b
from tests.factories import API

HEADER = ["edrpou", "kind", "description", "quantity", "priority", "requested_on"]


def _xlsx(rows: list[list[Any]], header: list[str] = HEADER) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _send(client: TestClient, content: bytes, name: str, *, dry_run: bool) -> Any:
    return client.post(
        f"{API}/imports/needs",
        params={"dry_run": str(dry_run).lower()},
        files={"file": (name, content, "application/octet-stream")},
    )


def _needs_of(client: TestClient, destination_id: int) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = b.get(client, f"/needs?destination_id={destination_id}")["items"]
    return items


def test_a_clean_list_is_checked_then_recorded_once(client: TestClient) -> None:
    lviv = factories.destination(client)
    rows = [
        [lviv["edrpou"], "pump", "Borehole pump 160 m³/h", 4, 1, "2026-11-02"],
        [lviv["edrpou"], "generator", "Генератор 250 кВА", 2, None, None],
    ]
    content = _xlsx(rows)
    checked = _send(client, content, "needs.xlsx", dry_run=True)
    assert checked.status_code == 200, checked.text
    assert checked.json() | {"problems": []} == {
        "rows": 2,
        "created": 2,
        "already_recorded": 0,
        "dry_run": True,
        "problems": [],
    }
    assert _needs_of(client, lviv["id"]) == []  # a dry run writes nothing
    done = _send(client, content, "needs.xlsx", dry_run=False)
    assert done.status_code == 200, done.text
    assert done.json()["created"] == 2
    stored = {
        (n["description"], n["quantity"], n["priority"]) for n in _needs_of(client, lviv["id"])
    }
    assert stored == {("Borehole pump 160 m³/h", 4, 1), ("Генератор 250 кВА", 2, 3)}
    again = _send(client, content, "needs.xlsx", dry_run=False)
    assert (again.json()["created"], again.json()["already_recorded"]) == (0, 2)
    assert len(_needs_of(client, lviv["id"])) == 2
    # The same list as CSV (semicolons, as a German spreadsheet writes it) is the same rows.
    csv = (
        "\ufeff"
        + ";".join(HEADER)
        + "\n"
        + "\n".join(";".join("" if v is None else str(v) for v in row) for row in rows)
    )
    as_csv = _send(client, csv.encode(), "needs.csv", dry_run=False)
    assert (as_csv.json()["created"], as_csv.json()["already_recorded"]) == (0, 2)


def test_every_bad_row_is_named_with_its_column_and_nothing_is_written(
    client: TestClient,
) -> None:
    lviv = factories.destination(client)
    rows = [
        [lviv["edrpou"], "pump", "Good row", 1, 1, None],  # row 2
        ["12345670", "pump", "Bad EDRPOU", 1, 1, None],  # row 3: wrong check digit
        ["00000017", "pump", "Unknown utility", 1, 1, None],  # row 4: valid, not recorded
        [lviv["edrpou"], "pump", "Negative", -3, 1, None],  # row 5
        [lviv["edrpou"], "spaceship", "Unknown kind", 1, 1, None],  # row 6
        [lviv["edrpou"], "pump", '=HYPERLINK("http://x")', 1, 1, None],  # row 7: a formula
    ]
    refused = _send(client, _xlsx(rows), "needs.xlsx", dry_run=False)
    assert refused.status_code == 422, refused.text
    found = {(p["row"], p["column"]) for p in refused.json()["problems"]}
    assert {(3, "edrpou"), (4, "edrpou"), (5, "quantity"), (6, "kind"), (7, "description")} <= found
    assert not any(row == 2 for row, _column in found)
    messages = {(p["row"], p["column"]): p["message"] for p in refused.json()["problems"]}
    assert "formula" in messages[(7, "description")]
    assert "not a valid EDRPOU" in messages[(3, "edrpou")]
    assert "no utility with EDRPOU 00000017" in messages[(4, "edrpou")]
    assert _needs_of(client, lviv["id"]) == []  # all rows or none


def test_the_report_speaks_the_callers_language(client: TestClient) -> None:
    lviv = factories.destination(client)
    content = _xlsx([[lviv["edrpou"], "pump", "Негативна", -1, 1, None]])
    refused = client.post(
        f"{API}/imports/needs",
        files={"file": ("needs.xlsx", content, "application/octet-stream")},
        headers={"Accept-Language": "uk"},
    )
    (problem,) = refused.json()["problems"]
    assert problem["column"] == "quantity"
    assert "Має бути більше за 0" in problem["message"]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "empty"),
        (b"\x00\x01\x02\xff\xfe binary junk", "neither an XLSX"),
        (b"PK\x03\x04 not really a zip", "neither an XLSX"),
    ],
)
def test_a_file_that_is_not_a_spreadsheet_is_refused(
    client: TestClient, content: bytes, expected: str
) -> None:
    refused = _send(client, content, "needs.xlsx", dry_run=True)
    assert refused.status_code == 422
    (problem,) = refused.json()["problems"]
    assert (problem["row"], problem["column"]) == (0, "")
    assert expected in problem["message"]


def test_a_missing_column_is_named(client: TestClient) -> None:
    header = ["edrpou", "kind", "quantity"]
    refused = _send(client, _xlsx([["03348471", "pump", 1]], header), "x.xlsx", dry_run=True)
    assert refused.status_code == 422
    assert [(p["row"], p["column"]) for p in refused.json()["problems"]] == [(1, "description")]


def test_the_template_has_the_columns_the_import_reads(client: TestClient) -> None:
    response = client.get(f"{API}/imports/needs/template", params={"format": "xlsx"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    # The Ukrainian text of a need is optional: lists without the column are read as before.
    assert [c.value for c in sheet[1]] == [*HEADER[:3], "description_uk", *HEADER[3:]]


def test_text_that_starts_like_a_formula_is_refused_by_row_and_column(
    client: TestClient,
) -> None:
    """OWASP's formula starts, as text in a text column, from XLSX and from CSV: stored, they
    would reach every sheet Konvoi writes. A negative number is still a number."""
    lviv = factories.destination(client)
    texts = ["+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0", "@SUM(1+1)", "\t=1+1"]
    rows: list[list[Any]] = [
        [lviv["edrpou"], "pump", text, 1, 1, None]
        for text in texts  # rows 2 to 5
    ]
    rows.append([lviv["edrpou"], "pump", "Negative quantity", -3, 1, None])  # row 6
    for name, content in (
        ("needs.xlsx", _xlsx(rows)),
        (
            "needs.csv",
            "\n".join(
                ",".join(f'"{v}"' if v is not None else "" for v in row) for row in [HEADER, *rows]
            ).encode(),
        ),
    ):
        refused = _send(client, content, name, dry_run=False)
        assert refused.status_code == 422, refused.text
        messages = {(p["row"], p["column"]): p["message"] for p in refused.json()["problems"]}
        for row in range(2, 2 + len(texts)):
            assert "as a formula does" in messages[(row, "description")], (name, messages)
        assert "formula" not in messages[(6, "quantity")]
        assert (6, "description") not in messages
        assert _needs_of(client, lviv["id"]) == []


def test_a_dry_run_with_a_refused_row_reports_nothing_created(client: TestClient) -> None:
    """The import keeps every row or none, so a dry run that finds one refused row says that
    none would be created, not how many of the others could be."""
    lviv = factories.destination(client)
    rows = [
        [lviv["edrpou"], "pump", "Good row", 1, 1, None],
        [lviv["edrpou"], "pump", "Negative", -3, 1, None],
    ]
    checked = _send(client, _xlsx(rows), "needs.xlsx", dry_run=True)
    assert checked.status_code == 422, checked.text
    assert (checked.json()["rows"], checked.json()["created"], checked.json()["dry_run"]) == (
        2,
        0,
        True,
    )
    assert [(p["row"], p["column"]) for p in checked.json()["problems"]] == [(3, "quantity")]
    assert _needs_of(client, lviv["id"]) == []


def test_a_csv_with_standard_quoting_reads_each_cell_whole(client: TestClient) -> None:
    """A quote inside a quoted cell is doubled (RFC 4180), as every spreadsheet writes it."""
    lviv = factories.destination(client)
    content = (
        ",".join(HEADER)
        + "\r\n"
        + f'{lviv["edrpou"]},pump,"Pump ""Grundfos"" 3 kW, stainless",2,1,2026-11-02\r\n'
    ).encode()
    done = _send(client, content, "needs.csv", dry_run=False)
    assert done.status_code == 200, done.text
    (need,) = _needs_of(client, lviv["id"])
    assert (need["description"], need["quantity"]) == ('Pump "Grundfos" 3 kW, stainless', 2)


def test_a_list_carries_each_needs_ukrainian_text_and_the_template_offers_it(
    client: TestClient,
) -> None:
    lviv = factories.destination(client)
    header = [*HEADER[:3], "description_uk", *HEADER[3:]]
    rows = [
        [lviv["edrpou"], "pump", "Borehole pump 160 m³/h", "Свердловинний насос 160 м³/год", 4],
        [lviv["edrpou"], "generator", "Generator 250 kVA", None, 2],
    ]
    done = _send(client, _xlsx(rows, header), "needs.xlsx", dry_run=False)
    assert done.status_code == 200, done.text
    stored = {n["description"]: n["description_uk"] for n in _needs_of(client, lviv["id"])}
    assert stored == {
        "Borehole pump 160 m³/h": "Свердловинний насос 160 м³/год",
        "Generator 250 kVA": None,
    }
    too_long = [[lviv["edrpou"], "pump", "Pump", "ж" * 501, 1]]
    refused = _send(client, _xlsx(too_long, header), "needs.xlsx", dry_run=True)
    assert [p["column"] for p in refused.json()["problems"]] == ["description_uk"]
