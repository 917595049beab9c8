"""The receiving utility in Lviv, in Ukrainian: the convoy arrives, the handover is confirmed
item by item on one form; with and without JavaScript."""

from collections.abc import Callable

import pytest
from playwright.sync_api import Page

from tests.browser.conftest import LiveServer, serious_accessibility_violations


def _departed(live_server: LiveServer) -> int:
    with live_server.api("coordinator") as api:
        convoys = api.get("/convoys", params={"limit": 50}).json()["items"]
        ready = next(c for c in convoys if c["status"] == "ready")
        assert api.post(f"/convoys/{ready['id']}/depart").status_code == 200
        convoy_id: int = ready["id"]
        return convoy_id


@pytest.mark.parametrize("javascript", [True, False])
def test_the_recipient_confirms_a_handover_in_ukrainian(
    open_as: Callable[..., Page], live_server: LiveServer, javascript: bool
) -> None:
    convoy_id = _departed(live_server)
    page = open_as("recipient", viewport=(390, 844), javascript=javascript)
    assert page.url.endswith("/deliveries")
    assert page.locator("html").get_attribute("lang") == "uk"
    if javascript:  # axe runs as a script in the page
        assert serious_accessibility_violations(page) == []
    page.locator(f"a[href='/deliveries/{convoy_id}']").first.click()
    page.wait_for_load_state()
    boxes = page.locator("input[name=received]")
    ticked = boxes.count()
    assert ticked >= 1
    page.fill("#receiver_name", "Володимир Білинський")
    page.fill("#receiver_role", "Заступник технічного директора")
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state()
    assert "Володимир Білинський" in page.locator("main").inner_text()
    if javascript:
        assert serious_accessibility_violations(page) == []
        page.screenshot(path="/tmp/konvoi-handover.png", full_page=True)
    with live_server.api("coordinator") as api:
        handovers = api.get(f"/convoys/{convoy_id}/handovers").json()
    assert len(handovers) == ticked
    assert {h["receiver_name"] for h in handovers} == {"Володимир Білинський"}


def test_the_needs_table_fits_a_phone_with_whole_words_in_its_headers(
    open_as: Callable[..., Page],
) -> None:
    page = open_as("recipient", viewport=(360, 740))
    page.goto("/needs")
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 360, width
    # No header breaks inside a word: each is at most two lines, and no word is wider than
    # its cell (a broken word shows as a cell narrower than its longest word).
    headers = page.evaluate(
        """() => Array.from(document.querySelectorAll('main table th')).map(th => {
            const style = getComputedStyle(th);
            const line = parseFloat(style.lineHeight) || parseFloat(style.fontSize) * 1.5;
            return [th.innerText, th.getBoundingClientRect().height / line,
                    th.scrollWidth <= th.clientWidth + 1];
        })"""
    )
    assert headers, "the recipient's needs are listed in a table"
    for text, lines, fits in headers:
        assert lines < 2.6 and fits, (text, lines)
