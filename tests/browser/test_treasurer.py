"""The treasurer's month and the coordinator's question, in a real browser on the demo: the
treasurer books a month of payroll pledges, a transport's fuel with its receipt, issues the
transport's funders' report and a donation receipt; a coordinator reads what the next
transport may cost and when it is paid for."""

from collections.abc import Callable

import pytest
from playwright.sync_api import Page

from tests.browser.conftest import LiveServer, serious_accessibility_violations
from tests.conftest import BACKENDS
from tests.files import PDF

pytestmark = pytest.mark.parametrize("live_backend", BACKENDS, indirect=True)


def _pdf(page: Page, link: str) -> None:
    href = page.locator(link).first.get_attribute("href")
    assert href is not None
    response = page.request.get(href)
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF-")


def test_a_treasurer_books_the_month_and_issues_the_papers(
    open_as: Callable[..., Page], live_server: LiveServer, tmp_path_factory: pytest.TempPathFactory
) -> None:
    page = open_as("treasurer")
    assert "/programmes/" in page.url  # the one series, straight away
    overview = page.url
    assert serious_accessibility_violations(page) == []

    # A month of payroll pledges, in one click: the month not booked yet is this one.
    page.locator("form[action$='/pledge-months'] button").first.click()
    page.wait_for_load_state()
    rows = page.locator("#ledger tbody tr")
    assert "Lohnspende" in rows.first.inner_text()
    total = page.locator("#ledger tbody tr", has_text="10 €")
    assert total.count() >= 1

    # The twentieth transport's fuel, with its receipt.
    page.goto(overview)
    page.locator("a", has_text="LVR-20").first.click()
    page.wait_for_load_state()
    transport = page.url
    assert "LVR-20" in page.locator("#convoy-heading + p").inner_text()
    page.select_option("select[name=kind]", "fuel")
    page.fill("input[name=amount]", "845,20")
    page.fill("input[name=description]", "Diesel Langenfeld–Kulparkiv")
    page.fill("input[name=reference]", "B-20-2")
    page.locator("form.booking button[type=submit]").click()
    page.wait_for_load_state()
    assert "845,20" in page.locator("#entry-amount").inner_text()
    receipt = tmp_path_factory.mktemp("receipts") / "tankbeleg.pdf"
    receipt.write_bytes(PDF)
    page.set_input_files("input[type=file]", str(receipt))
    page.locator("form[action='/attachments'] button").click()
    page.wait_for_load_state()
    assert page.locator("#attachments-heading ~ ul a", has_text="tankbeleg.pdf").count() == 1

    # The funders' report of the transport.
    page.goto(transport)
    assert "1.445,20" in page.locator("#transport-costs").inner_text()  # 600 deposit + fuel
    page.locator("form[action$='/funders-report'] button").click()
    page.wait_for_load_state()
    assert page.locator("#papers-heading ~ ul a").first.inner_text() == "LVR-20/BER/1"
    _pdf(page, "#papers-heading ~ ul a")

    # A donation with its receipt (Zuwendungsbestätigung).
    page.goto(overview)
    form = page.locator("form.booking")
    form.locator("select[name=kind]").select_option("donation")
    form.locator("input[name=amount]").fill("250")
    form.locator("input[name=description]").fill("Spende zum Nikolaus")
    form.locator("summary").click()
    form.locator("input[name=donor_name]").fill("Erika Mustermann")
    form.locator("input[name=donor_address]").fill("Hauptstraße 1, 40764 Langenfeld")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    page.locator("form[action$='/receipt'] button").click()
    page.wait_for_load_state()
    number = page.locator("#receipt-link").inner_text()
    assert number.startswith("LVR/ZB/") and number.endswith("/0001")
    _pdf(page, "#receipt-link")


def test_a_coordinator_sees_what_the_next_transport_costs_and_when_it_is_paid_for(
    open_as: Callable[..., Page], live_server: LiveServer
) -> None:
    page = open_as("coordinator")
    # The office's less used registers are folded under "More" in the top bar.
    page.locator("nav summary", has_text="Weitere").click()
    page.locator("nav a", has_text="Transportreihen").click()
    page.wait_for_load_state()
    forecast = page.locator("#forecast-heading ~ p").first.inner_text()
    assert "LVR-20" in forecast and "€" in forecast and "üblicherweise" in forecast
    funded = page.locator("#funded").inner_text()
    assert funded.startswith(("Bezahlt", "Nicht bezahlt"))
    # The coordinator plans; the books are the treasurer's.
    assert page.locator("form[action$='/pledge-months']").count() == 0
    with live_server.api("coordinator") as api:
        (programme,) = api.get("/programmes").json()
        answer = api.get(f"/programmes/{programme['id']}/forecast").json()
    assert answer["next_transport_label"] == "LVR-20" and answer["usual_cost_cents"] > 0
