"""The registers in a real browser: every list, record and form of the office passes axe; a
clerk's search narrows the item list as they type (htmx) and by the button without scripts;
the utility in Lviv states a need in Ukrainian."""

from collections.abc import Callable

import pytest
from playwright.sync_api import Page

from tests.browser.conftest import LiveServer, serious_accessibility_violations

REGISTERS = (
    "items",
    "donors",
    "destinations",
    "drivers",
    "needs",
    "certificates",
    "export-records",
)


def test_every_register_page_passes_axe(open_as: Callable[..., Page]) -> None:
    page = open_as("coordinator")
    checked: list[str] = []
    for register in REGISTERS:
        page.goto(f"/{register}")
        assert page.locator("h1").count() == 1
        assert serious_accessibility_violations(page) == [], register
        first = page.locator("#rows tbody tr td:first-child a").first
        if first.count():
            first.click()
            page.wait_for_load_state()
            assert serious_accessibility_violations(page) == [], page.url
            checked.append(page.url)
        page.goto(f"/{register}/new")
        assert page.locator("form button[type=submit]").count() >= 1
        assert serious_accessibility_violations(page) == [], f"/{register}/new"
    assert len(checked) >= 5  # the demo fills most registers


@pytest.mark.parametrize("javascript", [True, False])
def test_a_clerk_finds_an_item_by_its_name(
    open_as: Callable[..., Page], live_server: LiveServer, javascript: bool
) -> None:
    with live_server.api("clerk") as api:
        items = api.get("/items", params={"limit": 100}).json()["items"]
    wanted = items[0]["name"]
    assert any(wanted.lower() not in i["name"].lower() for i in items)  # the search must narrow
    page = open_as("clerk", javascript=javascript)
    page.goto("/items")
    page.fill("#q", wanted)
    if javascript:  # htmx swaps the rows as the clerk types
        page.wait_for_function(
            "q => [...document.querySelectorAll('#rows tbody tr td:first-child a')]"
            ".every(a => a.textContent.toLowerCase().includes(q))",
            arg=wanted.lower(),
        )
    else:
        page.locator("form[role=search] button[type=submit]").click()
        page.wait_for_load_state()
    listed = page.locator("#rows tbody tr td:first-child a").all_inner_texts()
    assert wanted in listed
    assert all(wanted.lower() in name.lower() for name in listed), listed
    page.locator("#rows a", has_text=wanted).first.click()
    page.wait_for_load_state()
    assert wanted in page.locator("h1").inner_text()


@pytest.mark.parametrize("javascript", [True, False])
def test_the_utility_states_a_need_in_ukrainian(
    open_as: Callable[..., Page], live_server: LiveServer, javascript: bool
) -> None:
    page = open_as("recipient", viewport=(390, 844), javascript=javascript)
    page.locator("a[href='/needs']").first.click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "uk"
    page.goto("/needs/new")
    if javascript:
        assert serious_accessibility_violations(page) == []
    description = f"Генератор 100 кВА ({'js' if javascript else 'html'})"
    page.select_option("#item_kind", "generator")
    page.fill("#description", description)
    page.fill("#quantity", "0")  # refused: the form comes back with what was typed
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("#quantity-error").count() == 1
    assert page.locator("#description").input_value() == description
    page.fill("#quantity", "2")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    assert description in page.locator("h1").inner_text()
    if javascript:
        assert serious_accessibility_violations(page) == []
    with live_server.api("coordinator") as api:
        needs = api.get("/needs", params={"q": description}).json()["items"]
    assert [(n["description"], n["quantity"]) for n in needs] == [(description, 2)]
