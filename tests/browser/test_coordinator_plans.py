"""A coordinator plans the next convoy in the browser, from export-ready items to departure:
a new convoy, its leg, the items loaded, a driver for the whole trip, depart."""

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from playwright.sync_api import Page

from tests.browser.conftest import LiveServer


def _katrins_first_free_day(live_server: LiveServer) -> date:
    with live_server.api("coordinator") as api:
        [katrin] = api.get("/drivers", params={"q": "Katrin Wolff"}).json()["items"]
    return date.fromisoformat(katrin["availability"][0]["available_from_on"])


@pytest.mark.parametrize("javascript", [True, False])
def test_the_next_convoy_planned_on_pages_departs(
    open_as: Callable[..., Page], live_server: LiveServer, javascript: bool
) -> None:
    friday = _katrins_first_free_day(live_server) + timedelta(days=2)
    page = open_as("coordinator", javascript=javascript)
    page.locator("a[href='/convoys']").first.click()
    page.locator("a[href='/convoys/new']").click()
    page.fill("#number", "W4U-04")
    page.fill("#name", "Workshop van for Lviv")
    page.fill("#meeting_point", "WSW bus depot, Wuppertal")
    page.fill("#planned_departure_at", f"{friday.isoformat()}T08:00")
    page.fill("#planned_handover_at", f"{(friday + timedelta(days=1)).isoformat()}T10:00")
    page.check("input[name=claims_humanitarian_exemption]")
    page.locator("form[action='/convoys/new'] button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text().startswith("W4U-04")

    page.fill("#to_place", "Lvivvodokanal depot, Lviv")
    page.fill("#to_time_zone", "Europe/Kyiv")
    page.fill("#planned_departure_at", f"{friday.isoformat()}T08:00")
    page.fill("#planned_arrival_at", f"{friday.isoformat()}T23:30")
    page.fill("#distance_km", "1150")
    page.check("input[name=is_border_crossing]")
    page.locator("form.leg-form button[type=submit]").click()
    page.wait_for_load_state()

    for box in page.locator("input[name=item_id]").all():
        box.check()
    page.locator("form[action$='/load'] button[type=submit]").click()
    page.wait_for_load_state()
    whole_trip = page.locator("select[id^='trip-']").first
    if javascript:
        with page.expect_response(lambda r: r.url.endswith("/whole-trip")):
            whole_trip.select_option(label="Katrin Wolff")
        page.locator(".readiness .ready").wait_for()
    else:  # the board with every driver in every select
        page.locator("a[href$='?choices=all']").click()
        page.wait_for_load_state()
        whole_trip.select_option(label="Katrin Wolff")
        whole_trip.locator("xpath=ancestor::form").locator("button").click()
        page.wait_for_load_state()
    assert page.locator(".readiness .ready").is_visible(), page.locator(".readiness").inner_text()

    page.locator("form[action$='/actions/depart'] button").click()
    page.wait_for_load_state()
    with live_server.api("coordinator") as api:
        convoys = api.get("/convoys", params={"q": "W4U-04"}).json()["items"]
    assert [(c["number"], c["status"]) for c in convoys] == [("W4U-04", "under_way")]
