"""The papers from the pages: the board's Documents section previews and issues them; the
driver's phone page links their CMR note; the utility's page its handover act."""

import io
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader

from app.auth.roles import Role
from app.core.config import get_settings
from tests import factories
from tests.convoys import builders as b
from tests.factories import API
from tests.web.conftest import PageClients, csrf_token, soup


def _pdf_text(content: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_the_board_previews_and_issues_the_papers(client: TestClient, page_as: PageClients) -> None:
    planned = b.planned_convoy(client, vehicles=2)
    office = page_as(Role.clerk)
    shown = soup(office.get(f"/convoys/{planned.id}").text)
    # The board loads its papers when scrolled to; without scripts, a link opens them.
    lazy = shown.select_one("#documents-section")
    assert lazy is not None and lazy["hx-get"] == f"/convoys/{planned.id}/papers"
    assert shown.select_one(f'#documents-section a[href="/convoys/{planned.id}/papers"]')
    board = office.get(f"/convoys/{planned.id}/papers")
    html = soup(board.text)
    links = {a["href"] for a in html.select("#documents-heading ~ table a")}
    manifest = f"/convoys/{planned.id}/documents/manifest?format=pdf"
    assert manifest in links
    assert {
        f"/convoys/{planned.id}/documents/cmr?format=pdf&vehicle_id={v['id']}"
        for v in planned.vehicles
    } <= links
    preview = office.get(manifest)
    assert preview.headers["content-type"] == "application/pdf"
    assert all(v["vin"] in _pdf_text(preview.content) for v in planned.vehicles)
    issued = office.post(
        f"/convoys/{planned.id}/documents",
        data={
            "kind": "cmr",
            "vehicle_id": planned.vehicles[1]["id"],
            "csrf_token": csrf_token(board.text),
        },
    )
    assert issued.status_code == 303
    assert issued.headers["location"] == f"/convoys/{planned.id}/papers"
    listed = soup(office.get(f"/convoys/{planned.id}/papers").text).select(
        "#documents-heading ~ ul li a"
    )
    assert [a.get_text() for a in listed] == [f"{planned.convoy['number']}/CMR/1"]
    kept = office.get(str(listed[0]["href"]))
    assert planned.vehicles[1]["vin"] in _pdf_text(kept.content)
    assert planned.vehicles[0]["vin"] not in _pdf_text(kept.content)


def test_a_driver_gets_the_cmr_of_their_own_vehicle_from_the_phone_page(
    client: TestClient, page_as: PageClients
) -> None:
    planned = b.planned_convoy(client, vehicles=2)
    mine: dict[str, Any] = planned.vehicles[0]
    phone = page_as(Role.driver, driver_id=planned.drivers[0]["id"])
    page = soup(phone.get("/my-convoy").text)
    link = page.select_one(f'a[href="/convoys/{planned.id}/documents/cmr?vehicle_id={mine["id"]}"]')
    assert link is not None
    cmr = phone.get(str(link["href"]))
    assert cmr.status_code == 200 and mine["vin"] in _pdf_text(cmr.content)
    other = planned.vehicles[1]["id"]
    assert phone.get(f"/convoys/{planned.id}/documents/cmr?vehicle_id={other}").status_code == 404
    assert phone.get(f"/convoys/{planned.id}/documents/manifest").status_code == 404


def test_a_driver_takes_their_papers_for_the_border_as_one_pdf(
    client: TestClient, page_as: PageClients
) -> None:
    planned = b.planned_convoy(client, vehicles=2)
    me, other = planned.drivers
    phone = page_as(Role.driver, driver_id=me["id"])
    page = soup(phone.get("/my-convoy").text)
    href = f"/convoys/{planned.id}/documents/driver_papers?driver_id={me['id']}"
    assert page.select_one(f'a[href="{href}"]') is not None
    pdf = phone.get(href)
    assert pdf.status_code == 200, pdf.text
    pages = [p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages]
    assert len(pages) == 2  # the summary, and the carrier's original of the vehicle's CMR
    summary = " ".join(pages[0].split())
    assert planned.vehicles[0]["vin"] in summary and planned.vehicles[1]["vin"] not in summary
    assert other["name"] in summary and other["phone"] in summary  # who else drives
    assert planned.convoy["coordinator_name"] in summary
    assert "Exemplar für den Frachtführer" in pages[1]
    theirs = f"/convoys/{planned.id}/documents/driver_papers?driver_id={other['id']}"
    assert phone.get(theirs).status_code == 404


def test_a_coordinator_shares_the_donor_report_and_revokes_the_link(
    client: TestClient, page_as: PageClients, anonymous: TestClient
) -> None:
    planned = b.planned_convoy(client, vehicles=1)
    donor_id = planned.vehicles[0]["donor_id"]
    office = page_as(Role.coordinator)
    page = office.get(f"/donors/{donor_id}")
    assert soup(page.text).select_one(f'a[href="/donors/{donor_id}/report.pdf"]') is not None
    shared = office.post(
        f"/donors/{donor_id}/report-links", data={"csrf_token": csrf_token(page.text)}
    )
    assert shared.status_code == 200
    url = soup(shared.text).select("[role=status] code")[0].get_text()
    path = url[url.index("/reports/donors/") :]
    assert planned.vehicles[0]["vin"] in anonymous.get(path).text
    form = soup(office.get(f"/donors/{donor_id}").text).select_one(
        'form[action^="/donor-report-links/"]'
    )
    assert form is not None
    revoked = office.post(str(form["action"]), data={"csrf_token": csrf_token(page.text)})
    assert revoked.status_code == 303
    assert anonymous.get(path).status_code == 404


def test_a_utility_gets_its_papers_from_its_delivery_page_and_not_anothers(
    client: TestClient, page_as: PageClients
) -> None:
    planned = b.planned_convoy(client, vehicles=1)
    destination = planned.destination["id"]
    utility = page_as(Role.recipient, destination_id=destination)
    page = soup(utility.get("/deliveries").text)
    links = [str(a["href"]) for a in page.select("a[href*='/documents/']")]
    assert any("handover_act" in href for href in links)
    assert any("usage_form" in href for href in links)
    donation = next(href for href in links if "donation_letter" in href)
    letter = utility.get(donation)
    assert letter.status_code == 200
    assert planned.vehicles[0]["vin"] in _pdf_text(letter.content)
    stranger = page_as(Role.recipient, destination_id=factories.destination(client)["id"])
    assert stranger.get(donation).status_code == 404


def test_the_item_and_the_utility_pages_link_their_papers(
    client: TestClient, page_as: PageClients
) -> None:
    planned = b.planned_convoy(client, vehicles=1)
    bus = planned.vehicles[0]
    office = page_as(Role.coordinator)
    item_page = soup(office.get(f"/items/{bus['id']}").text)
    cmr = f"/convoys/{planned.id}/documents/cmr?vehicle_id={bus['id']}"
    assert item_page.select_one(f'a[href="{cmr}"]') is not None
    utility = soup(office.get(f"/destinations/{planned.destination['id']}").text)
    act = f"/convoys/{planned.id}/documents/handover_act?destination_id={planned.destination['id']}"
    assert utility.select_one(f'a[href="{act}"]') is not None
    assert office.get(act).headers["content-type"] == "application/pdf"


def test_the_donor_page_builds_the_link_from_the_public_address(
    client: TestClient, page_as: PageClients, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(get_settings(), "public_url", "https://konvoi.example.org")
    donor_id = factories.donor(client)["id"]
    forged = {"Host": "attacker.example", "X-Forwarded-Host": "attacker.example"}
    office = page_as(Role.coordinator)
    token = csrf_token(office.get(f"/donors/{donor_id}").text)
    page = office.post(
        f"/donors/{donor_id}/report-links", data={"csrf_token": token}, headers=forged
    )
    assert page.status_code == 200
    shown = soup(page.text).select_one("[role=status] code")
    assert shown is not None
    assert shown.text.startswith("https://konvoi.example.org/reports/donors/")
    assert "attacker.example" not in page.text


def test_the_expiry_is_shown_where_the_link_is(
    client: TestClient,
    anonymous: TestClient,
    page_as: PageClients,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    donor_id = factories.donor(client)["id"]
    office = page_as(Role.coordinator)
    token = csrf_token(office.get(f"/donors/{donor_id}").text)
    made = office.post(f"/donors/{donor_id}/report-links", data={"csrf_token": token})
    status = soup(made.text).select_one("[role=status]")
    assert status is not None and "It works until" in status.text
    [link] = client.get(f"{API}/donors/{donor_id}/report-links").json()
    until = datetime.fromisoformat(link["expires_at"])
    year = str(until.astimezone(ZoneInfo("Europe/Berlin")).year)
    assert year in status.text
    listed = soup(office.get(f"/donors/{donor_id}").text).select("#report-heading ~ ul li")
    assert ["works until" in li.text for li in listed] == [True]
    code = status.select_one("code")
    assert code is not None
    shared_page = anonymous.get(
        code.text[code.text.index("/reports/donors/") :], headers={"Accept-Language": "en"}
    )
    assert "This link works until" in shared_page.text
    # Once expired, the donor's page says so and offers nothing to revoke.
    monkeypatch.setattr("app.donors.pages.utcnow", lambda: until)
    listed = soup(office.get(f"/donors/{donor_id}").text).select("#report-heading ~ ul li")
    assert ["expired" in li.text for li in listed] == [True]
    assert not any(li.select("form") for li in listed)
