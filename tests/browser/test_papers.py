"""The papers in a real browser: the board loads its Documents section when scrolled to (or
links to it without scripts), a clerk issues the manifest, and the issued file is the PDF."""

from collections.abc import Callable

import pytest
from playwright.sync_api import Page

from tests.browser.conftest import LiveServer, serious_accessibility_violations


def _convoy_id(live_server: LiveServer) -> int:
    with live_server.api("clerk") as api:
        convoys = api.get("/convoys", params={"limit": 50}).json()["items"]
    convoy_id: int = next(c["id"] for c in convoys if c["number"] == "W4U-02")
    return convoy_id


@pytest.mark.parametrize("javascript", [True, False])
def test_a_clerk_issues_the_manifest_from_the_board(
    open_as: Callable[..., Page], live_server: LiveServer, javascript: bool
) -> None:
    convoy_id = _convoy_id(live_server)
    page = open_as("clerk", javascript=javascript)
    page.goto(f"/convoys/{convoy_id}")
    if javascript:  # htmx loads the section once it is scrolled into view
        page.locator("#documents-heading").scroll_into_view_if_needed()
        page.wait_for_selector("#documents-section table")
    else:
        page.locator(f"#documents-section a[href='/convoys/{convoy_id}/papers']").click()
        page.wait_for_load_state()
    row = page.locator("#documents-section tr", has=page.locator("input[value=manifest]"))
    row.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/convoys/{convoy_id}/papers")
    if javascript:
        assert serious_accessibility_violations(page) == []
    issued = page.locator("#documents-heading ~ ul li a").first
    number = issued.inner_text()
    assert number.startswith("W4U-02/MAN/")
    href = issued.get_attribute("href")
    assert href is not None
    response = page.request.get(href)
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF-")
