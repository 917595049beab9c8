"""A transport series and its money through the API: booking, reversing, pledges, grants,
balances, the forecast, the papers and the export; as a treasurer wherever the books are kept."""

import csv
import hashlib
import io
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from app.auth.roles import Role
from app.funding import papers
from app.funding.models import LedgerEntry
from tests import factories, files
from tests.accounts import RoleClients

API = "/api/v1"


def post(client: TestClient, path: str, body: dict[str, Any] | None = None) -> Any:
    return client.post(f"{API}{path}", json=body)


def ok(response: Any, status: int = 201) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def series(admin: TestClient) -> dict[str, Any]:
    destination = factories.destination(admin)
    programme = ok(post(admin, "/programmes", factories.programme_data(destination["id"])))
    fund = ok(post(admin, f"/programmes/{programme['id']}/funds", {"name": "LVR-Ukraine-Euro"}))
    return {"programme": programme, "fund": fund, "destination": destination}


def cost(fund_id: int, transport_id: int | None, cents: int, kind: str = "fuel") -> dict[str, Any]:
    return {
        "fund_id": fund_id,
        "transport_id": transport_id,
        "booked_on": "2026-10-05",
        "kind": kind,
        "amount_cents": cents,
        "description": f"{kind} for the transport",
    }


def test_a_treasurer_books_a_month_of_pledges_a_transports_costs_and_a_correction(
    client: TestClient, as_role: RoleClients
) -> None:
    s = series(client)
    pid, fid = s["programme"]["id"], s["fund"]["id"]
    transport = ok(post(client, f"/programmes/{pid}/transports", {"planned_on": "2026-10-10"}))
    assert transport["number"] == 1 and transport["label"].endswith("-1")
    treasurer = as_role(Role.treasurer)
    for cents, employees in ((200, 300), (500, 200), (1000, 40)):
        ok(
            post(
                treasurer,
                f"/funds/{fid}/pledges",
                {"monthly_cents": cents, "employees": employees, "starts_on": "2022-07-01"},
            )
        )
    month = ok(post(treasurer, f"/funds/{fid}/pledge-months", {"month": "2026-09-15"}))
    assert month["month"] == "2026-09-01"
    assert month["total_cents"] == 300 * 200 + 200 * 500 + 40 * 1000 == 200_000
    assert len(month["entries"]) == 3
    again = post(treasurer, f"/funds/{fid}/pledge-months", {"month": "2026-09-01"})
    assert again.status_code == 409 and again.json()["field"] == "month"

    fuel = ok(post(treasurer, "/ledger-entries", cost(fid, transport["id"], 45_000)))
    assert fuel["amount_cents"] == -45_000
    attached = treasurer.post(
        f"{API}/attachments",
        data={"entity": "ledger_entry", "entity_id": str(fuel["id"]), "kind": "receipt"},
        files={"file": ("tankbeleg.pdf", files.PDF, "application/pdf")},
    )
    assert attached.status_code == 201, attached.text
    listed = treasurer.get(f"{API}/attachments?entity=ledger_entry&entity_id={fuel['id']}")
    assert [a["kind"] for a in listed.json()] == ["receipt"]

    wrong = ok(post(treasurer, "/ledger-entries", cost(fid, transport["id"], 9_999, "tolls")))
    reversal = ok(
        post(treasurer, f"/ledger-entries/{wrong['id']}/reversal", {"reason": "typed twice"})
    )
    assert reversal["amount_cents"] == 9_999 and reversal["reverses_id"] == wrong["id"]
    twice = post(treasurer, f"/ledger-entries/{wrong['id']}/reversal", {"reason": "again"})
    assert twice.status_code == 409
    of_reversal = post(treasurer, f"/ledger-entries/{reversal['id']}/reversal", {"reason": "x"})
    assert of_reversal.status_code == 409

    balances = treasurer.get(f"{API}/programmes/{pid}/balances").json()
    assert balances["balance_cents"] == 200_000 - 45_000
    (row,) = balances["funds"]
    assert row["income_cents"] == 200_000 and row["costs_cents"] == 45_000
    got = treasurer.get(f"{API}/transports/{transport['id']}").json()
    assert got["costs_cents"] == 45_000

    page = treasurer.get(f"{API}/ledger-entries?programme_id={pid}&limit=2").json()
    assert len(page["items"]) == 2 and page["next_cursor"]
    rest = treasurer.get(
        f"{API}/ledger-entries?programme_id={pid}&limit=50&cursor={page['next_cursor']}"
    ).json()
    ids = [e["id"] for e in page["items"] + rest["items"]]
    assert len(ids) == len(set(ids)) == 6
    fuel_only = treasurer.get(f"{API}/ledger-entries?fund_id={fid}&kind=fuel").json()
    assert [e["id"] for e in fuel_only["items"]] == [fuel["id"]]

    # The treasurer plans nothing.
    assert (
        post(treasurer, f"/programmes/{pid}/transports", {"planned_on": "2027-01-01"}).status_code
        == 403
    )
    assert (
        treasurer.patch(f"{API}/transports/{transport['id']}", json={"notes": "x"}).status_code
        == 403
    )


def test_booked_entries_have_no_way_to_change(client: TestClient, session: Session) -> None:
    s = series(client)
    entry = ok(post(client, "/ledger-entries", cost(s["fund"]["id"], None, 1_000)))
    for method in ("PATCH", "PUT", "DELETE"):
        response = client.request(method, f"{API}/ledger-entries/{entry['id']}", json={})
        assert response.status_code == 405, (method, response.status_code)
    spec = client.get("/openapi.json").json()
    for path, operations in spec["paths"].items():
        if "ledger-entries" in path:
            assert set(operations) <= {"get", "post"}, path
    # The database refuses an edit from anywhere else too.
    session.commit()
    for statement in (
        "UPDATE ledger_entry SET amount_cents = 1 WHERE id = :id",
        "DELETE FROM ledger_entry WHERE id = :id",
    ):
        with pytest.raises(DBAPIError, match="never changed"), session.begin_nested():
            session.execute(text(statement), {"id": entry["id"]})
    assert session.get(LedgerEntry, entry["id"]).amount_cents == -1_000  # type: ignore[union-attr]


def test_entries_are_refused_naming_the_field(client: TestClient) -> None:
    s = series(client)
    fid = s["fund"]["id"]
    zero = post(client, "/ledger-entries", {**cost(fid, None, 0)})
    assert zero.status_code == 422
    grant_without = post(client, "/ledger-entries", {**cost(fid, None, 10), "kind": "grant"})
    assert grant_without.status_code == 422 and "grant_id" in grant_without.text
    income_to_transport = ok(
        post(client, f"/programmes/{s['programme']['id']}/transports", {"planned_on": "2027-01-01"})
    )
    refused = post(
        client,
        "/ledger-entries",
        {**cost(fid, income_to_transport["id"], 10), "kind": "donation"},
    )
    assert refused.status_code == 422 and "transport_id" in refused.text
    pledge = post(
        client,
        f"/funds/{fid}/pledges",
        {"monthly_cents": 300, "employees": 1, "starts_on": "2026-01-01"},
    )
    assert pledge.status_code == 422


def test_the_forecast_says_when_the_next_transport_is_paid_for(
    client: TestClient, as_role: RoleClients, clock: Any
) -> None:
    from datetime import UTC, datetime

    clock(datetime(2026, 11, 15, 12, tzinfo=UTC))
    s = series(client)
    pid, fid = s["programme"]["id"], s["fund"]["id"]
    for number, total in ((1, 1_000_000), (2, 1_200_000), (3, 1_100_000)):
        t = ok(
            post(
                client,
                f"/programmes/{pid}/transports",
                {"planned_on": "2026-01-01", "status": "done"},
            )
        )
        assert t["number"] == number
        ok(
            post(
                client, "/ledger-entries", {**cost(fid, t["id"], total), "booked_on": "2026-03-01"}
            )
        )
    ok(post(client, f"/programmes/{pid}/transports", {"planned_on": "2027-04-01"}))
    ok(
        post(
            client,
            "/ledger-entries",
            {
                **cost(fid, None, 1, "donation"),
                "amount_cents": 3_500_000,
                "booked_on": "2026-02-01",
            },
        )
    )
    ok(
        post(
            client,
            f"/funds/{fid}/pledges",
            {"monthly_cents": 1000, "employees": 200, "starts_on": "2022-07-01"},
        )
    )
    grant = ok(post(client, f"/funds/{fid}/grants", factories.grant_data()))
    coordinator = as_role(Role.coordinator)
    forecast = coordinator.get(f"{API}/programmes/{pid}/forecast").json()
    assert forecast["usual_cost_cents"] == 1_100_000
    assert forecast["balance_cents"] == 3_500_000 - 3_300_000 == 200_000
    assert forecast["pledged_per_month_cents"] == 200_000
    assert forecast["other_per_month_cents"] == 3_500_000 // 12
    assert forecast["next_transport_label"].endswith("-4")
    assert forecast["funded"] is False
    # 900,000 still needed at 491,666 a month: two months on, January 2027.
    assert forecast["still_needed_cents"] == 1_100_000
    assert forecast["funded_by"] == "2027-01-01"
    (g,) = forecast["grants"]
    assert g["id"] == grant["id"] and g["to_receive_cents"] == 1_500_000
    assert g["days_to_report"] == (date(2027, 3, 31) - date(2026, 11, 15)).days


def test_papers_are_numbered_kept_and_a_receipt_follows_the_model(
    client: TestClient, as_role: RoleClients
) -> None:
    s = series(client)
    pid, fid = s["programme"]["id"], s["fund"]["id"]
    treasurer = as_role(Role.treasurer)
    transport = ok(post(client, f"/programmes/{pid}/transports", {"planned_on": "2026-10-10"}))
    ok(post(treasurer, "/ledger-entries", cost(fid, transport["id"], 123_456, "vehicle_hire")))
    report = ok(post(treasurer, f"/transports/{transport['id']}/funders-report"))
    assert report["number"].endswith("-1/BER/1") and report["kind"] == "transport_report"
    second = ok(post(treasurer, f"/transports/{transport['id']}/funders-report"))
    assert second["number"].endswith("-1/BER/2")
    got = treasurer.get(f"{API}/funding-papers/{report['id']}/file")
    assert got.content.startswith(b"%PDF")
    assert (
        hashlib.sha256(got.content).hexdigest()
        == report["sha256"]
        == got.headers["x-content-sha256"]
    )

    donation = ok(
        post(
            treasurer,
            "/ledger-entries",
            {
                "fund_id": fid,
                "booked_on": "2026-11-02",
                "kind": "donation",
                "amount_cents": 125_050,
                "description": "Spende",
                "donor_name": "Erika Mustermann",
                "donor_address": "Hauptstr. 1, 40764 Langenfeld",
            },
        )
    )
    receipt = ok(post(treasurer, f"/ledger-entries/{donation['id']}/receipt"))
    assert receipt["number"].endswith("/ZB/2026/0001")
    assert post(treasurer, f"/ledger-entries/{donation['id']}/receipt").status_code == 409
    anonymous = ok(post(treasurer, "/ledger-entries", {**cost(fid, None, 500, "donation")}))
    refused = post(treasurer, f"/ledger-entries/{anonymous['id']}/receipt")
    assert refused.status_code == 422 and "donor_name" in refused.text
    year = ok(post(treasurer, f"/funds/{fid}/year-reports", {"year": 2026}))
    assert year["kind"] == "fund_year_report"
    listed = treasurer.get(f"{API}/programmes/{pid}/papers").json()
    assert {p["number"] for p in listed} == {
        report["number"],
        second["number"],
        receipt["number"],
        year["number"],
    }

    from pypdf import PdfReader

    content = treasurer.get(f"{API}/funding-papers/{receipt['id']}/file").content
    words = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    plain = " ".join(words.split())
    for phrase in (
        "Bestätigung über Geldzuwendungen",
        "Erika Mustermann",
        "1.250,50",
        "eintausendzweihundertfünfzig Euro und fünfzig Cent",
        "Finanzamt Leverkusen",
        "§ 5 Abs. 1 Nr. 9",
        "haftet für die entgangene Steuer",
    ):
        assert phrase in plain, phrase


def test_the_ledger_export_takes_datev_columns_and_keeps_formulas_out(
    client: TestClient,
) -> None:
    s = series(client)
    pid, fid = s["programme"]["id"], s["fund"]["id"]
    ok(
        post(
            client,
            "/ledger-entries",
            {**cost(fid, None, 250_075, "goods"), "description": "=HYPERLINK(1)"},
        )
    )
    got = client.get(f"{API}/programmes/{pid}/ledger.csv?year=2026")
    assert got.status_code == 200
    rows = list(csv.reader(io.StringIO(got.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:4] == [
        "Umsatz (ohne Soll/Haben-Kz)",
        "Soll/Haben-Kennzeichen",
        "WKZ Umsatz",
        "Belegdatum",
    ]
    assert rows[1][:4] == ["2500,75", "S", "EUR", "05.10.2026"]
    assert rows[1][5] == "'=HYPERLINK(1)"
    xlsx = client.get(f"{API}/programmes/{pid}/ledger.xlsx")
    assert xlsx.status_code == 200 and xlsx.content.startswith(b"PK")
    empty = client.get(f"{API}/programmes/{pid}/ledger.csv?year=2020")
    assert len(list(csv.reader(io.StringIO(empty.content.decode("utf-8-sig"))))) == 1


@pytest.mark.parametrize(
    ("cents", "words"),
    [
        (100, "ein Euro"),
        (2_000_000, "zwanzigtausend Euro"),
        (123_456, "eintausendzweihundertvierunddreißig Euro und sechsundfünfzig Cent"),
        (7_100_000, "einundsiebzigtausend Euro"),
        (100_000_000, "eine Million Euro"),
        (31_000, "dreihundertzehn Euro"),
    ],
)
def test_amounts_in_words(cents: int, words: str) -> None:
    assert papers.amount_in_words(cents) == words
