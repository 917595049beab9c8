"""The driver abroad: the page on a 360 px phone, and a report tapped without a network that
is sent, once, when the connection returns."""

from collections.abc import Callable

import pytest
from playwright.sync_api import Page

from tests.browser.conftest import LiveServer, serious_accessibility_violations
from tests.conftest import BACKENDS

# The phone's journeys on both databases: what a report does to a convoy is the server's.
pytestmark = pytest.mark.parametrize("live_backend", BACKENDS, indirect=True)


def _convoy_of_the_driver(live_server: LiveServer) -> dict[str, object]:
    with live_server.api("coordinator") as api:
        convoys = api.get("/convoys", params={"limit": 50}).json()["items"]
        ready = next(c for c in convoys if c["status"] == "ready")
        assert api.post(f"/convoys/{ready['id']}/depart").status_code == 200
        convoy: dict[str, object] = api.get(f"/convoys/{ready['id']}").json()
        return convoy


def test_the_driver_page_fits_a_phone_and_reads_offline(
    open_as: Callable[..., Page], live_server: LiveServer
) -> None:
    page = open_as("driver", viewport=(360, 740))
    assert page.url.endswith("/my-convoy")
    # Nothing wider than the phone: no sideways scrolling to read a VIN.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert page.locator("a[href^='tel:']").count() >= 1
    # A compact header leaves the assignment in view; no script the page does not use.
    assert page.locator("header").bounding_box()["height"] <= 80  # type: ignore[index]
    assert page.locator("script[src*='htmx']").count() == 0
    assert serious_accessibility_violations(page) == []
    page.screenshot(path="/tmp/konvoi-driver-360.png", full_page=True)
    assert page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    # Offline from the first visit: the page and its assets are kept as it loads.
    page.wait_for_function("() => caches.match('/my-convoy').then(Boolean)")
    page.context.set_offline(True)
    page.reload()
    assert page.locator("h1").inner_text().startswith("W4U-")
    assert page.locator("#offline-note").is_visible()
    assert "Offline" in page.locator("#offline-note").inner_text()


def test_a_report_tapped_offline_is_sent_once_when_back_online(
    open_as: Callable[..., Page], live_server: LiveServer
) -> None:
    convoy = _convoy_of_the_driver(live_server)
    page = open_as("driver", viewport=(360, 740))
    page.context.set_offline(True)
    crossed = "form[data-queue]:has(input[name=kind][value=border_crossed]) button"
    page.locator(crossed).first.click()
    assert page.locator("#queue-note").is_visible()
    with live_server.api("coordinator") as api:
        assert api.get(f"/convoys/{convoy['id']}/events").json() == []
    with page.expect_navigation():  # the queue is sent, then the page is shown afresh
        page.context.set_offline(False)
        # The connection flickers: two "online" events must still send the report once.
        page.evaluate("window.dispatchEvent(new Event('online'))")
        page.evaluate("window.dispatchEvent(new Event('online'))")
    assert page.locator("#queue-note").is_hidden()
    with live_server.api("coordinator") as api:
        events = api.get(f"/convoys/{convoy['id']}/events").json()
    assert [e["kind"] for e in events] == ["border_crossed"]
    assert events[0]["client_key"]


def test_without_javascript_a_tap_is_a_plain_form_post(
    open_as: Callable[..., Page], live_server: LiveServer
) -> None:
    convoy = _convoy_of_the_driver(live_server)
    page = open_as("driver", viewport=(360, 740), javascript=False)
    crossed = "form:has(input[name=kind][value=border_crossed]) button"
    page.locator(crossed).first.click()
    page.wait_for_load_state()
    assert page.url.endswith("/my-convoy")
    with live_server.api("coordinator") as api:
        events = api.get(f"/convoys/{convoy['id']}/events").json()
    assert [e["kind"] for e in events] == ["border_crossed"]
    assert "Grenze passiert" in page.locator("ol.legs").inner_text()
