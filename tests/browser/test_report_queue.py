"""No report is lost: a tap stays on the phone until the server confirms it by its client key.

Each journey ends with exactly one event for the step, stamped with the moment of the tap,
whatever happened between the tap and the server's answer: the sign-in ended, the driver
signed in again, a double tap, a reload while sending, two tabs sending at once.
"""

import json
from collections.abc import Callable
from datetime import datetime

import pytest
from playwright.sync_api import Page, Route
from sqlalchemy import create_engine, text

from tests.browser.conftest import LiveServer
from tests.conftest import BACKENDS

# The phone's journeys on both databases: what a report does to a convoy is the server's.
pytestmark = pytest.mark.parametrize("live_backend", BACKENDS, indirect=True)


CROSSED = "form[data-queue]:has(input[name=kind][value=border_crossed]) button"
QUEUE = "konvoi-report-queue"


def _departed_convoy(live_server: LiveServer) -> int:
    with live_server.api("coordinator") as api:
        convoys = api.get("/convoys", params={"limit": 50}).json()["items"]
        ready = next(c for c in convoys if c["status"] == "ready")
        assert api.post(f"/convoys/{ready['id']}/depart").status_code == 200
        convoy_id: int = ready["id"]
        return convoy_id


def _events(live_server: LiveServer, convoy_id: int) -> list[dict[str, str]]:
    with live_server.api("coordinator") as api:
        events: list[dict[str, str]] = api.get(f"/convoys/{convoy_id}/events").json()
        return events


def _waiting(page: Page) -> list[dict[str, str]]:
    found: list[dict[str, str]] = json.loads(
        page.evaluate(f"localStorage.getItem('{QUEUE}') || '[]'")
    )
    return found


def _tap_offline(page: Page) -> dict[str, str]:
    """Cross the border without a network; the report waits, stamped with the tap."""
    page.context.set_offline(True)
    page.locator(CROSSED).first.click()
    waiting = _waiting(page)
    assert len(waiting) == 1, waiting
    assert page.locator("#queue-note").is_visible()
    assert page.locator("#queue-list li").count() == 1
    return waiting[0]


def _sent(page: Page) -> None:
    page.wait_for_function(f"() => (localStorage.getItem('{QUEUE}') || '[]') === '[]'")
    page.wait_for_load_state()


def _exactly_one_crossing(events: list[dict[str, str]], tapped: dict[str, str]) -> None:
    assert [e["kind"] for e in events] == ["border_crossed"], events
    assert events[0]["client_key"] == tapped["key"]
    recorded = datetime.fromisoformat(events[0]["occurred_at"])
    at_tap = datetime.fromisoformat(tapped["occurred_at"].replace("Z", "+00:00"))
    assert abs((recorded - at_tap).total_seconds()) < 1, (recorded, at_tap)


def _sign_in(page: Page, live_server: LiveServer) -> None:
    username, password = live_server.logins["driver"]
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def test_the_sign_in_ends_while_a_report_waits(
    open_as: Callable[..., Page], live_server: LiveServer
) -> None:
    convoy_id = _departed_convoy(live_server)
    page = open_as("driver", viewport=(360, 740))
    tapped = _tap_offline(page)
    # The session ends on the server while the phone has no network.
    ended = create_engine(live_server.db_url)
    with ended.begin() as db:
        db.execute(text("DELETE FROM web_session"))
    ended.dispose()
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.locator("#signin-note").wait_for(state="visible")
    page.screenshot(path="/tmp/konvoi-report-waits-for-sign-in.png")
    assert _waiting(page) == [tapped]  # kept, not counted as sent
    assert _events(live_server, convoy_id) == []
    page.locator("#signin-note a").click()
    page.wait_for_url("**/login**")
    _sign_in(page, live_server)
    page.wait_for_url("**/my-convoy")  # back on the page, which sends what waits
    _sent(page)
    _exactly_one_crossing(_events(live_server, convoy_id), tapped)


def test_the_driver_signs_in_again_while_a_report_waits(
    open_as: Callable[..., Page], live_server: LiveServer
) -> None:
    convoy_id = _departed_convoy(live_server)
    page = open_as("driver", viewport=(360, 740))
    tapped = _tap_offline(page)
    # Another tab signs in again: a new session, and this page's form token is now stale.
    other = page.context.new_page()
    page.context.set_offline(False)
    other.route("**/*", lambda route: route.continue_())
    other.goto("/login")
    _sign_in(other, live_server)
    other.close()
    page.evaluate("window.dispatchEvent(new Event('online'))")
    _sent(page)
    _exactly_one_crossing(_events(live_server, convoy_id), tapped)


def test_a_double_tap_is_one_report(open_as: Callable[..., Page], live_server: LiveServer) -> None:
    convoy_id = _departed_convoy(live_server)
    page = open_as("driver", viewport=(360, 740))
    tapped = _tap_offline(page)
    page.locator(CROSSED).first.click(force=True)
    assert _waiting(page) == [tapped]
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    _sent(page)
    _exactly_one_crossing(_events(live_server, convoy_id), tapped)


def test_a_reload_while_sending_records_the_report_once(
    open_as: Callable[..., Page], live_server: LiveServer
) -> None:
    convoy_id = _departed_convoy(live_server)
    page = open_as("driver", viewport=(360, 740))
    tapped = _tap_offline(page)
    reached: list[int] = []

    def answer_lost(route: Route) -> None:
        # The report reaches Konvoi; its answer never reaches the phone.
        reached.append(route.fetch().status)
        route.abort()

    page.route("**/report", answer_lost)
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.wait_for_function("() => window.navigator.onLine")
    page.wait_for_timeout(500)
    assert reached == [200]
    assert _waiting(page) == [tapped]  # no answer: still waiting
    assert len(_events(live_server, convoy_id)) == 1
    page.unroute("**/report")
    page.reload()  # the page sends what waits as it loads
    _sent(page)
    _exactly_one_crossing(_events(live_server, convoy_id), tapped)


def test_two_tabs_send_a_waiting_report_once(
    open_as: Callable[..., Page], live_server: LiveServer
) -> None:
    convoy_id = _departed_convoy(live_server)
    page = open_as("driver", viewport=(360, 740))
    second = page.context.new_page()
    second.goto("/my-convoy")
    tapped = _tap_offline(page)
    page.context.set_offline(False)
    for tab in (page, second):
        tab.evaluate("window.dispatchEvent(new Event('online'))")
    _sent(page)
    _sent(second)
    _exactly_one_crossing(_events(live_server, convoy_id), tapped)
