"""A transport series as pages: the treasurer books from forms, the office reads the overview
with its chart, the partner's words in Ukrainian; a refused form names its field."""

from typing import Any

from fastapi.testclient import TestClient

from app.auth.roles import Role
from tests import factories
from tests.web.conftest import PageClients, csrf_token, soup

API = "/api/v1"


def _series(admin: TestClient) -> dict[str, Any]:
    destination = factories.destination(admin)
    programme = factories.created(admin, "/programmes", factories.programme_data(destination["id"]))
    fund = factories.created(admin, f"/programmes/{programme['id']}/funds", {"name": "Lohnspende"})
    factories.created(
        admin,
        f"/funds/{fund['id']}/pledges",
        {"monthly_cents": 500, "employees": 400, "starts_on": "2022-07-01"},
    )
    transport = factories.created(
        admin, f"/programmes/{programme['id']}/transports", {"planned_on": "2027-02-01"}
    )
    return {"programme": programme, "fund": fund, "transport": transport}


def test_a_treasurer_books_from_the_pages(client: TestClient, page_as: PageClients) -> None:
    s = _series(client)
    pid, fid, tid = s["programme"]["id"], s["fund"]["id"], s["transport"]["id"]
    treasurer = page_as(Role.treasurer)
    assert treasurer.get("/").headers["location"] == "/programmes"
    overview = treasurer.get(f"/programmes/{pid}")
    assert overview.status_code == 200
    token = csrf_token(overview.text)
    booked = treasurer.post(
        f"/funds/{fid}/pledge-months", data={"csrf_token": token, "month": "2026-10"}
    )
    assert booked.status_code == 303, booked.text
    again = treasurer.post(
        f"/funds/{fid}/pledge-months", data={"csrf_token": token, "month": "2026-10"}
    )
    assert again.status_code == 409
    assert "already" in soup(again.text).get_text()

    page = treasurer.get(f"/transports/{tid}")
    assert soup(page.text).select_one(f'form[action="/programmes/{pid}/entries"]') is not None
    fields = {
        "csrf_token": token,
        "fund_id": str(fid),
        "transport_id": str(tid),
        "back": "transport",
        "kind": "fuel",
        "booked_on": "2026-11-03",
        "description": "Diesel Rzeszów",
    }
    refused = treasurer.post(f"/programmes/{pid}/entries", data={**fields, "amount": "12,3,4"})
    assert refused.status_code == 422
    assert soup(refused.text).select_one('input[name="amount"][aria-invalid="true"]') is not None
    saved = treasurer.post(f"/programmes/{pid}/entries", data={**fields, "amount": "1.234,56"})
    assert saved.status_code == 303
    entry_page = treasurer.get(saved.headers["location"])
    amount = soup(entry_page.text).select_one("#entry-amount")
    assert amount is not None and "1,234.56" in amount.get_text()
    transport = treasurer.get(f"/transports/{tid}")
    costs = soup(transport.text).select_one("#transport-costs")
    assert costs is not None and "1,234.56" in costs.get_text()

    ledger = treasurer.get(f"/programmes/{pid}/ledger?kind=fuel")
    rows = soup(ledger.text).select("#ledger tbody tr")
    assert len(rows) == 1 and "Diesel" in rows[0].get_text()
    year = treasurer.post(f"/funds/{fid}/year-reports", data={"csrf_token": token, "year": "2026"})
    assert year.status_code == 303
    papers = soup(treasurer.get(f"/programmes/{pid}").text).select("#papers-heading ~ ul a")
    assert [a.get_text() for a in papers] == [f"{s['programme']['code']}/F{fid}/2026/1"]
    export = treasurer.get(f"/programmes/{pid}/ledger.csv")
    assert export.status_code == 200 and "Buchungstext" in export.content.decode("utf-8-sig")


def test_the_overview_shows_the_forecast_and_a_chart_in_ukrainian(
    client: TestClient, page_as: PageClients
) -> None:
    s = _series(client)
    pid, fid = s["programme"]["id"], s["fund"]["id"]
    factories.created(client, f"/funds/{fid}/pledge-months", {"month": "2026-10-01"})
    coordinator = page_as(Role.coordinator, language="uk")
    page = coordinator.get(f"/programmes/{pid}")
    html = soup(page.text)
    assert html.select_one("svg.chart rect") is not None
    assert html.select_one("#funded") is not None
    assert html.select_one(f'form[action="/funds/{fid}/pledge-months"]') is None  # plans only
    assert "Наступний транспорт" in html.get_text()
    assert coordinator.post(f"/funds/{fid}/pledge-months", data={}).status_code == 403
