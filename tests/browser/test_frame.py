"""Every user starts the same way: the login page, their own start page, their language."""

from collections.abc import Callable

from playwright.sync_api import Page

from tests.browser.conftest import LiveServer, serious_accessibility_violations


def test_a_coordinator_logs_in_to_the_desk_and_switches_language(
    open_as: Callable[..., Page], live_server: LiveServer
) -> None:
    page = open_as("coordinator")
    assert page.url == f"{live_server.url}/desk"
    assert page.locator("html").get_attribute("lang") == "de"
    assert page.get_by_role("link", name="W4U-02").is_visible()
    assert serious_accessibility_violations(page) == []
    # The language is in the top bar's menu, one button per language.
    page.locator(".account-menu > summary").click()
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.url == f"{live_server.url}/desk"


def test_the_login_page_works_without_javascript(open_as: Callable[..., Page]) -> None:
    page = open_as("clerk", javascript=False)
    assert page.url.endswith("/desk")
    assert page.get_by_role("heading", level=1).is_visible()


def _focus_by_tab(page: Page, selector: str, limit: int = 40) -> None:
    """Press Tab until the element ``selector`` names has the focus, as a keyboard user does."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} was not reached with {limit} presses of Tab")


def test_the_menu_opens_with_the_keyboard_and_switches_the_language(
    open_as: Callable[..., Page], live_server: LiveServer
) -> None:
    page = open_as("coordinator")
    menu = page.locator("details.account-menu")
    panel = menu.locator(".menu-panel")
    assert panel.is_hidden()
    _focus_by_tab(page, ".account-menu > summary")
    page.keyboard.press("Enter")
    assert panel.is_visible()
    assert menu.get_attribute("open") is not None
    # Escape folds it away again and leaves the focus on the menu's summary.
    page.keyboard.press("Escape")
    assert panel.is_hidden()
    assert page.evaluate("document.activeElement.matches('.account-menu > summary')")
    page.keyboard.press("Space")
    assert panel.is_visible()
    assert page.get_by_role("button", name="Abmelden").is_visible()
    _focus_by_tab(page, ".menu-languages button[value=uk]", limit=5)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("html").get_attribute("lang") == "uk"
    assert page.url == f"{live_server.url}/desk"
    assert page.locator(".menu-languages button[aria-current=true]").get_attribute("lang") == "uk"
    assert page.locator(".account-menu .menu-panel").is_hidden()
    assert serious_accessibility_violations(page) == []


def test_the_top_bar_is_one_row_at_1366_and_fits_a_phone(open_as: Callable[..., Page]) -> None:
    desk = open_as("coordinator", viewport=(1366, 800))
    assert desk.locator("header.topbar").bounding_box()["height"] <= 64  # type: ignore[index]
    phone = open_as("coordinator", viewport=(360, 740))
    # Two short rows on a phone: the navigation scrolls sideways inside itself, not the page.
    assert phone.locator("header.topbar").bounding_box()["height"] <= 110  # type: ignore[index]
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    phone.locator(".account-menu > summary").click()
    box = phone.locator(".account-menu .menu-panel").bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 360
    assert phone.get_by_role("button", name="Abmelden").is_visible()
