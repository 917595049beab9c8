"""The collection point in a real browser, on both databases: a volunteer records sorted goods
on a 360 px phone (a double tap recorded once), a coordinator matches the clinic's request,
reserves for it in one tap, packs a pallet, prints its label, loads it on a convoy, and the
convoy's manifest and CMR note list the pallet; at stocktaking a coordinator counts a shelf and
checks an intake list before importing it. Each journey counts its interactions."""

import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from playwright.sync_api import Page
from pypdf import PdfReader

from tests.browser.conftest import LiveServer, serious_accessibility_violations
from tests.conftest import BACKENDS

pytestmark = pytest.mark.parametrize("live_backend", BACKENDS, indirect=True)

SWEATERS = "Warm sweaters for the patients"


@dataclass
class Counted:
    """A page whose clicks, fills, selections and key presses are counted."""

    page: Page
    taps: int = 0

    def click(self, selector: str) -> None:
        self.taps += 1
        self.page.click(selector)
        self.page.wait_for_load_state()

    def fill(self, selector: str, value: str) -> None:
        self.taps += 1
        self.page.fill(selector, value)

    def select(self, selector: str, value: str) -> None:
        self.taps += 1
        self.page.select_option(selector, value)

    def upload(self, selector: str, name: str, body: bytes, mime: str) -> None:
        self.taps += 1
        self.page.set_input_files(selector, {"name": name, "mimeType": mime, "buffer": body})

    def press(self, selector: str, key: str) -> None:
        self.taps += 1
        self.page.press(selector, key)
        self.page.wait_for_load_state()


def _pdf_text(body: bytes) -> str:
    reader = PdfReader(io.BytesIO(body))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def _stock(live_server: LiveServer, **params: Any) -> list[dict[str, Any]]:
    with live_server.api("coordinator") as api:
        items: list[dict[str, Any]] = api.get(
            "/stock", params={"limit": 200, "sort": "-id", **params}
        ).json()["items"]
    return items


def test_a_volunteer_records_goods_on_the_phone(
    open_as: Callable[..., Page], live_server: LiveServer
) -> None:
    phone = Counted(open_as("volunteer", viewport=(360, 740)))
    assert "/intake" in phone.page.url
    assert phone.page.evaluate("document.documentElement.scrollWidth") <= 360
    assert serious_accessibility_violations(phone.page) == []
    before = len(_stock(live_server, category="clothing", size="3XL"))

    # The first line: what it is, its size, how many, where it went; Enter records it.
    phone.select("select[name=goods]", "clothing:sweaters")
    phone.select("select[name=season]", "winter")
    phone.fill("input[name=size]", "3XL")
    phone.fill("input[name=quantity]", "14")
    phone.press("input[name=quantity]", "Enter")
    first_line = phone.taps
    assert "Pullover" in phone.page.locator("#recorded").inner_text()

    # The next line of the same goods keeps the choices: size, how many, Enter.
    phone.fill("input[name=size]", "3XL")
    phone.fill("input[name=quantity]", "9")
    phone.press("input[name=quantity]", "Enter")
    next_line = phone.taps - first_line
    assert (first_line, next_line) == (5, 3)

    # A double tap on the button: one line.
    phone.fill("input[name=size]", "3XL")
    phone.fill("input[name=quantity]", "7")
    phone.page.dblclick("form.intake button[type=submit]")
    phone.page.wait_for_selector("#recorded:has-text('× 7')")
    lines = _stock(live_server, category="clothing", size="3XL")
    assert sorted(line["quantity"] for line in lines[: len(lines) - before]) == [7, 9, 14]
    assert {line["season"] for line in lines[: len(lines) - before]} == {"winter"}


def test_a_coordinator_meets_the_clinics_request_from_stock(
    open_as: Callable[..., Page], live_server: LiveServer
) -> None:
    desk = Counted(open_as("coordinator"))
    desk.page.goto("/collection-matching")
    desk.click(f"text={SWEATERS}")
    desk.click("form[action='/collection-matching/fill'] button")
    row = desk.page.locator("tr.next")
    assert row.locator("td").nth(3).inner_text() == "0"  # nothing of the 120 is open now
    desk.click("form[action$='/pallets'] button")
    assert "/collection/pallets/" in desk.page.url
    pallet_url = desk.page.url
    desk.click("form[action$='/pack']:has(input[value=all]) button")
    assert desk.page.locator("form[action$='/pack'] button").count() == 0
    desk.fill("input[name=weight_kg]", "240")
    desk.fill("input[name=volume_dm3]", "1500")
    desk.click("form[action$='/weigh'] button")
    number = desk.page.locator("h1").inner_text().split()[1]

    label = desk.page.request.get(f"{pallet_url}/label.pdf")
    assert label.headers["content-type"] == "application/pdf"
    text = _pdf_text(label.body())
    assert number in text and "Pullover" in text and "Светри" in text and "240 kg" in text
    packing_list = _pdf_text(desk.page.request.get(f"{pallet_url}/packing-list.pdf").body())
    assert "Summe / Разом 120" in packing_list

    desk.select(
        "select[name=carrier]",
        desk.page.locator("select[name=carrier] option", has_text="Atego").get_attribute("value")
        or "",
    )
    desk.click("form[action$='/load'] button")
    assert "Verladen:" in desk.page.locator("main").inner_text()
    # From the matching page to a loaded pallet: choose the need, reserve, start a pallet,
    # pack, weigh (3), choose the vehicle and load.
    assert desk.taps == 9, desk.taps

    convoy_href = desk.page.locator("a[href^='/convoys/']").get_attribute("href")
    assert convoy_href is not None
    convoy_id = convoy_href.rsplit("/", 1)[1]
    with live_server.api("clerk") as api:
        manifest = _pdf_text(api.get(f"/convoys/{convoy_id}/documents/manifest").content)
        vehicles = api.get(f"/convoys/{convoy_id}").json()["items"]
        atego = next(
            v["item_id"]
            for v in vehicles
            if "Atego" in api.get(f"/items/{v['item_id']}").json()["name"]
        )
        note = _pdf_text(
            api.get(f"/convoys/{convoy_id}/documents/cmr", params={"vehicle_id": atego}).content
        )
    assert number in manifest and "240 kg" in manifest
    assert number in note and f"{number} 1 pallet Palette / піддон" in note


INTAKE_LIST = (
    "place,category,subcategory,gender,size,season,quantity\n"
    "A-1-1,clothing,jackets,men,XL,winter,6\n"
    "B-1-2,shoes,boots,women,39,winter,4\n"
    "A-1-1,clothing,jackets,men,XL,winter,-2\n"
)


def test_a_coordinator_counts_a_shelf_and_checks_an_intake_list(
    open_as: Callable[..., Page], live_server: LiveServer
) -> None:
    desk = Counted(open_as("coordinator"))
    desk.page.goto("/collection")
    desk.click("main table a[href^='/collection/']")
    desk.click("main a[href$='/stock']")
    desk.click("table.stock tbody a")
    line_id = desk.page.url.rsplit("/", 1)[1]
    at_hand = int(desk.page.locator("#at-hand").inner_text())
    desk.fill("input[name=counted]", str(at_hand + 2))
    desk.click("form.stock-count button")
    assert int(desk.page.locator("#at-hand").inner_text()) == at_hand + 2
    assert "+2" in desk.page.locator("table.history tbody tr").last.inner_text()
    with live_server.api("coordinator") as api:
        assert api.get(f"/stock/{line_id}").json()["quantity"] == at_hand + 2
    assert desk.page.evaluate("document.documentElement.scrollWidth") <= 1366
    assert serious_accessibility_violations(desk.page) == []

    desk.click("main p a[href$='/stock']")
    desk.click("main a[href$='/import']")
    newest = _stock(live_server, limit=1)[0]["id"]
    desk.upload("input[name=file]", "intake.csv", INTAKE_LIST.encode(), "text/csv")
    desk.click("button[value=check]")
    rows = desk.page.locator("table.rows tbody tr")
    assert rows.count() == 3
    assert "4" in desk.page.locator("table.refusals tbody").inner_text()  # the bad row named
    assert _stock(live_server, limit=1)[0]["id"] == newest  # a check records nothing
    assert serious_accessibility_violations(desk.page) == []
    # From the list of halls: the hall, its stock, a line, the count (2); back to the stock,
    # the import page, the file, the check.
    assert desk.taps == 9, desk.taps
