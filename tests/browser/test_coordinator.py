"""The coordinator at a desk: from the desk to the convoy board, a driver chosen in the grid
and seated with its button, the readiness panel refreshed in place; the same without
JavaScript (through the board that lists every driver in every select); and the demo's blocked
convoy W4U-03 made ready through the pages, each blocker's link leading to what fixes it."""

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from playwright.sync_api import Page

from tests.browser.conftest import Interactions, LiveServer, serious_accessibility_violations
from tests.conftest import BACKENDS

pytestmark = pytest.mark.parametrize("live_backend", BACKENDS, indirect=True)

# The most a coordinator may need to make W4U-03 ready, from the desk.
W4U03_INTERACTIONS = 15


def _open_w4u03(page: Page) -> None:
    page.get_by_role("link", name="W4U-03").first.click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text().startswith("W4U-03")


def _setra_leg_one(page: Page) -> str:
    cell = page.locator(".seat-grid tbody tr").first.locator("select[id^=seat-]").first
    selector: str = "#" + str(cell.get_attribute("id"))
    return selector


def test_a_driver_chosen_in_the_grid_is_seated_by_its_button_and_refreshes_readiness(
    open_as: Callable[..., Page], live_server: LiveServer
) -> None:
    page = open_as("coordinator")
    _open_w4u03(page)
    assert serious_accessibility_violations(page) == []
    page.evaluate("window.boardNotReloaded = true")
    before = page.locator(".readiness").inner_text()
    cell = _setra_leg_one(page)
    # Moving through the list seats nobody: only the button does.
    page.focus(cell)
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.wait_for_timeout(300)
    assert page.locator(".readiness").inner_text() == before
    with live_server.api("coordinator") as api:
        convoys = api.get("/convoys", params={"limit": 50}).json()["items"]
        w4u03 = next(c for c in convoys if c["number"] == "W4U-03")
        seats_before = api.get(f"/convoys/{w4u03['id']}").json()["assignments"]
    steps = Interactions(page)
    steps.seat(cell, "Horst Dahlmann")
    assert page.evaluate("window.boardNotReloaded") is True
    assert page.locator(".readiness").inner_text() != before
    with live_server.api("coordinator") as api:
        detail = api.get(f"/convoys/{w4u03['id']}").json()
    assert len(detail["assignments"]) == len(seats_before) + 1
    # A refusal (Thomas drives the tipper on that leg) shows its reason in place.
    steps.seat(cell, "Thomas Kerkhoff")
    page.locator(".problems").wait_for()
    assert "Thomas Kerkhoff" in page.locator(".problems").inner_text()
    assert page.evaluate("window.boardNotReloaded") is True
    assert serious_accessibility_violations(page) == []


def test_without_javascript_the_grid_is_a_form_with_a_button(
    open_as: Callable[..., Page], live_server: LiveServer
) -> None:
    page = open_as("coordinator", javascript=False)
    _open_w4u03(page)
    # The board sends each select its chosen driver only (the script adds the rest); without
    # scripts a link leads to the same board with every driver in every select.
    page.locator("a[href$='?choices=all']").click()
    page.wait_for_load_state()
    cell = _setra_leg_one(page)
    Interactions(page).seat(cell, "Horst Dahlmann", javascript=False)
    assert page.locator("h1").inner_text().startswith("W4U-03")
    chosen = page.locator(f"{cell} option[selected]").inner_text()
    assert chosen.startswith("Horst Dahlmann")


@pytest.mark.parametrize("javascript", [True, False])
def test_the_blocked_w4u03_is_made_ready_through_the_pages(
    open_as: Callable[..., Page], live_server: LiveServer, javascript: bool
) -> None:
    """Each blocker's link opens the form that fixes it and comes back to the board: the bus
    added to the utility's certificate (certified and export-ready for the trip in one go),
    the tipper's plates and insurance extended, a driver with class C on the refuse truck and
    Horst on the bus for the whole trip, free a day earlier."""
    page = open_as("coordinator", viewport=(1366, 900), javascript=javascript)
    steps = Interactions(page)
    steps.click(page.get_by_role("link", name="W4U-03"))
    # The grid fits a desk of 1,366 px beside the readiness panel; the vehicles stay in view.
    grid = page.locator(".grid-scroll").evaluate("e => [e.scrollWidth, e.clientWidth]")
    assert grid[0] <= grid[1] + 1, grid
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 1366
    sticky = page.locator(".seat-grid th[scope=row]").first.evaluate(
        "e => getComputedStyle(e).position"
    )
    assert sticky == "sticky"
    if not javascript:  # the board's link for a browser without scripts
        steps.click("a[href$='?choices=all']")

    def fix(code: str, where: str = "") -> None:
        steps.click(f".readiness li[data-code={code}] a.fix{where}")

    fix("item_without_certificate")
    steps.click("form#certificate button")
    fix("export_plate_expires_during_trip")
    until = date.fromisoformat(page.locator("#plate_valid_to_on").input_value())
    later = (until + timedelta(days=14)).isoformat()
    steps.fill("#plate_valid_to_on", later)
    steps.fill("#insurance_until_on", later)
    steps.click("form[action$='/edit'] button[type=submit]")
    trips = page.locator("select[id^=trip-]")
    econic, setra = (f"#{trips.nth(i).get_attribute('id')}" for i in (2, 0))
    steps.seat(econic, "Petra Hülsbusch", javascript=javascript)
    steps.seat(setra, "Horst Dahlmann", javascript=javascript)
    fix("driver_unavailable", "[href*='/drivers/']")
    steps.click("form#free-days button")
    assert page.locator(".readiness .ready").is_visible(), page.locator(".readiness").inner_text()
    steps.click("form[action$='/actions/mark-ready'] button")
    with live_server.api("coordinator") as api:
        [w4u03] = api.get("/convoys", params={"q": "W4U-03"}).json()["items"]
    assert w4u03["status"] == "ready"
    print(f"W4U-03 ready in {steps.count} interactions (javascript={javascript})")
    assert steps.count <= W4U03_INTERACTIONS, steps.count
    if javascript:
        assert page.locator("form[action$='/actions/depart']").is_visible()


def test_each_carrier_select_offers_every_vehicle_and_keeps_its_own(
    open_as: Callable[..., Page], live_server: LiveServer
) -> None:
    """The page sends each piece of equipment's select with its vehicle only; the script adds
    every other vehicle of the convoy from the one list the page carries."""
    page = open_as("coordinator")
    page.get_by_role("link", name="W4U-02").first.click()
    page.wait_for_load_state()
    with live_server.api("coordinator") as api:
        (convoy,) = [c for c in api.get("/convoys").json()["items"] if c["number"] == "W4U-02"]
        items = api.get(f"/convoys/{convoy['id']}").json()["items"]
    vehicles = {str(i["item_id"]) for i in items if i["carrier_id"] is None and i["vin"]}
    carried = {str(i["item_id"]): str(i["carrier_id"]) for i in items if i["carrier_id"]}
    assert carried, "the demo's W4U-02 carries equipment"
    for item_id, carrier_id in carried.items():
        select = page.locator(f"#carrier-{item_id}")
        offered = select.evaluate("s => Array.from(s.options).map(o => o.value)")
        assert sorted(offered) == sorted(vehicles)
        assert select.input_value() == carrier_id
