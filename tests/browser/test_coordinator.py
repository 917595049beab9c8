"""The coordinator at a desk: from the desk to the convoy board, a driver chosen in the grid,
the readiness panel refreshed in place; and the same without JavaScript (through the board
that lists every driver in every select)."""

from collections.abc import Callable

from playwright.sync_api import Page

from tests.browser.conftest import LiveServer, serious_accessibility_violations


def _open_w4u03(page: Page) -> None:
    page.get_by_role("link", name="W4U-03").first.click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text().startswith("W4U-03")


def _setra_leg_one(page: Page) -> str:
    cell = page.locator(".seat-grid tbody tr").first.locator("select").first
    selector: str = "#" + str(cell.get_attribute("id"))
    return selector


def test_a_driver_chosen_in_the_grid_refreshes_readiness_without_a_reload(
    open_as: Callable[..., Page], live_server: LiveServer
) -> None:
    page = open_as("coordinator")
    _open_w4u03(page)
    assert serious_accessibility_violations(page) == []
    page.evaluate("window.boardNotReloaded = true")
    before = page.locator(".readiness").inner_text()
    cell = _setra_leg_one(page)
    with page.expect_response(lambda r: r.url.endswith("/seat")):
        page.select_option(cell, label="Horst Dahlmann")
    page.wait_for_function(f"document.querySelector('{cell}').value !== ''")
    assert page.evaluate("window.boardNotReloaded") is True
    assert page.locator(".readiness").inner_text() != before
    page.screenshot(path="/tmp/konvoi-board.png")
    with live_server.api("coordinator") as api:
        convoys = api.get("/convoys", params={"limit": 50}).json()["items"]
        w4u03 = next(c for c in convoys if c["number"] == "W4U-03")
        detail = api.get(f"/convoys/{w4u03['id']}").json()
    seated = {(a["leg_id"], a["vehicle_id"]) for a in detail["assignments"]}
    assert len(seated) == len(detail["assignments"])
    # A refusal (Thomas drives the tipper on that leg) shows its reason in place.
    with page.expect_response(lambda r: r.url.endswith("/seat")):
        page.select_option(cell, label="Thomas Kerkhoff")
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
    page.select_option(cell, label="Horst Dahlmann")
    page.locator(cell).locator("xpath=ancestor::form").locator("button").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text().startswith("W4U-03")
    chosen = page.locator(f"{cell} option[selected]").inner_text()
    assert chosen == "Horst Dahlmann"
