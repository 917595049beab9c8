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
    page.select_option("#language-choice", "en")
    page.get_by_role("button", name="Wechseln").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.url == f"{live_server.url}/desk"


def test_the_login_page_works_without_javascript(open_as: Callable[..., Page]) -> None:
    page = open_as("clerk", javascript=False)
    assert page.url.endswith("/desk")
    assert page.get_by_role("heading", level=1).is_visible()
