"""The driver's phone: their convoy on one page, a tap per report, recorded once, a calendar."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from bs4 import Tag
from fastapi import FastAPI
from fastapi.testclient import TestClient
from icalendar import Calendar
from sqlmodel import Session, select

from app.auth.models import WebSession
from app.auth.roles import Role
from app.auth.security import digest
from app.core.config import get_settings
from tests import factories
from tests.accounts import RoleClients
from tests.convoys import builders as b
from tests.convoys.builders import H
from tests.web.conftest import PageClients, csrf_token, soup


def _under_way(client: TestClient) -> b.Planned:
    start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - 2 * H
    planned = b.planned_convoy(client, start=start, plan=b.FIRST_CONVOY, vehicles=2)
    assert b.post(client, f"/convoys/{planned.id}/depart").status_code == 200
    return planned


def _report_forms(page: str, leg_id: int) -> dict[str, Tag]:
    forms = soup(page).select(f'form[action="/my-convoy/legs/{leg_id}/report"]')
    return {str(f.select('input[name="kind"]')[0]["value"]): f for f in forms}


def _fields(form: Tag) -> dict[str, str]:
    return {str(i["name"]): str(i["value"]) for i in form.select("input[type=hidden]")}


def test_a_driver_sees_their_convoy_vehicle_and_legs_in_local_time(
    client: TestClient, page_as: PageClients
) -> None:
    planned = b.planned_convoy(client, plan=b.FIRST_CONVOY, vehicles=2)
    me, other = planned.drivers
    phone = page_as(Role.driver, driver_id=me["id"])
    page = phone.get("/my-convoy")
    assert page.status_code == 200
    html = soup(page.text)
    assert planned.convoy["number"] in html.select("h1")[0].text
    text = html.get_text(" ")
    mine = planned.vehicles[0]
    assert mine["vin"] in text
    assert planned.vehicles[1]["vin"] not in text  # only the vehicle they drive
    # Its papers for the border: the export plate, how long it and the insurance hold.
    papers = b.get(client, f"/items/{mine['id']}/export-record")
    shown = dict(
        zip(
            [dt.get_text(strip=True) for dt in html.select("article dl dt")],
            [dd.get_text(strip=True) for dd in html.select("article dl dd")],
            strict=True,
        )
    )
    assert shown["Plate"] == papers["export_plate"]
    assert shown["Licence class needed"] == mine["licence_class_required"]
    assert shown["Insured until"].endswith(f"({papers['insurer']})")
    assert str(date.fromisoformat(papers["plate_valid_to_on"]).year) in shown["Plate valid"]
    assert other["name"] in text  # who else drives
    # Each leg in the local time of its place, naming the zone; Lviv is on Kyiv time.
    legs = html.select("ol.legs > li")
    assert len(legs) == len(planned.legs)
    assert "EEST" in legs[-1].get_text() or "EET" in legs[-1].get_text()
    assert "CEST" in legs[0].get_text() or "CET" in legs[0].get_text()
    # The coordinator is one tap away.
    assert html.select_one('a[href^="tel:"]') is not None
    # Nothing to report before the convoy leaves.
    assert _report_forms(page.text, planned.legs[0]["id"]) == {}


def test_one_tap_reports_progress_and_a_second_send_records_nothing_more(
    client: TestClient, page_as: PageClients
) -> None:
    planned = _under_way(client)
    phone = page_as(Role.driver, driver_id=planned.drivers[0]["id"])
    first_leg = planned.legs[0]["id"]
    page = phone.get("/my-convoy")
    forms = _report_forms(page.text, first_leg)
    assert list(forms) == ["departed", "arrived"]  # the first leg crosses no border
    departed = _fields(forms["departed"])
    sent = phone.post(f"/my-convoy/legs/{first_leg}/report", data=departed)
    assert (sent.status_code, sent.headers["location"]) == (303, "/my-convoy")
    again = phone.post(f"/my-convoy/legs/{first_leg}/report", data=departed)
    assert again.status_code == 303
    events = b.get(client, f"/convoys/{planned.id}/events")
    assert [(e["kind"], e["leg_id"]) for e in events] == [("departed", first_leg)]
    assert events[0]["reporter_user_id"] is not None
    page = phone.get("/my-convoy").text
    shown = soup(page).select_one(f"#leg-{first_leg}")
    assert shown is not None and "departed" in shown.get_text()
    # The done step is a line with its reporter, no button; the next step stands out.
    done = shown.select_one(".step-done")
    assert done is not None and "Departed" in done.get_text()
    assert events[0]["reporter_name"] in done.get_text()
    forms = _report_forms(page, first_leg)
    assert list(forms) == ["arrived"]
    button = forms["arrived"].select_one("button")
    assert button is not None and "secondary" not in button.get_attribute_list("class")


def test_a_driver_cannot_report_on_a_leg_they_do_not_drive(
    client: TestClient, page_as: PageClients
) -> None:
    planned = _under_way(client)
    stranger = b.driver(client, free=planned.free)
    phone = page_as(Role.driver, driver_id=stranger["id"])
    leg = planned.legs[0]["id"]
    refused = phone.post(
        f"/my-convoy/legs/{leg}/report",
        data={"kind": "departed", "csrf_token": _token(phone)},
    )
    assert refused.status_code in (403, 404)
    assert b.get(client, f"/convoys/{planned.id}/events") == []
    assert "not assigned to a convoy" in phone.get("/my-convoy").text


def _token(phone: TestClient) -> str:
    return csrf_token(phone.get("/my-convoy").text)


def test_the_calendar_holds_each_leg_the_driver_drives(
    client: TestClient, page_as: PageClients
) -> None:
    planned = b.planned_convoy(client, plan=b.FIRST_CONVOY, vehicles=1)
    phone = page_as(Role.driver, driver_id=planned.drivers[0]["id"])
    feed = phone.get("/my-convoy/calendar.ics")
    assert feed.status_code == 200
    assert feed.headers["content-type"].startswith("text/calendar")
    events = Calendar.from_ical(feed.content).walk("VEVENT")
    assert len(events) == len(planned.legs)
    first = planned.legs[0]
    starts = {e.decoded("dtstart") for e in events}
    assert datetime.fromisoformat(first["planned_departure_at"]) in starts
    assert all(str(e["summary"]).startswith(planned.convoy["number"]) for e in events)


def test_an_office_account_is_sent_to_the_desk_not_the_driver_page(
    page_as: PageClients,
) -> None:
    coordinator = page_as(Role.coordinator)
    assert coordinator.get("/my-convoy").status_code == 403


def test_the_phone_shows_a_change_made_after_its_last_load(
    client: TestClient, page_as: PageClients
) -> None:
    """Each load reads the convoy anew: a change made in between is on the next one."""
    planned = b.planned_convoy(client, plan=b.FIRST_CONVOY, vehicles=2)
    me, _ = planned.drivers
    phone = page_as(Role.driver, driver_id=me["id"])
    first = phone.get("/my-convoy").text
    leg = planned.legs[-1]
    patched = client.patch(
        f"/api/v1/convoys/{planned.id}/legs/{leg['id']}", json={"to_place": "Pumping station Lviv"}
    )
    assert patched.status_code == 200, patched.text
    assert "Pumping station Lviv" not in first
    assert "Pumping station Lviv" in phone.get("/my-convoy").text


def test_an_unchanged_page_is_the_same_page_and_costs_a_few_hundred_bytes(
    client: TestClient, page_as: PageClients
) -> None:
    """Each step's key is the same on every load (a tap counts once however often it is
    sent), so an unchanged page is byte for byte the same: asked again with its ETag it is a
    304 without a body, and sent compressed to a phone that accepts it."""
    planned = _under_way(client)
    phone = page_as(Role.driver, driver_id=planned.drivers[0]["id"])
    first_leg = planned.legs[0]["id"]
    loads = [phone.get("/my-convoy") for _ in range(2)]
    assert loads[0].text == loads[1].text
    keys = [
        _fields(form)["client_key"] for form in _report_forms(loads[0].text, first_leg).values()
    ]
    assert len(set(keys)) == len(keys) == 2  # one key a step
    etag = loads[0].headers["etag"]
    again = phone.get("/my-convoy", headers={"If-None-Match": etag})
    assert (again.status_code, again.content) == (304, b"")
    assert again.headers["cache-control"] == "private, no-cache"
    assert len(again.headers.raw) < 12  # a few hundred bytes with the status line
    # A report changes the page: a new ETag, and the old one gets the whole page.
    departed = _fields(_report_forms(loads[0].text, first_leg)["departed"])
    assert phone.post(f"/my-convoy/legs/{first_leg}/report", data=departed).status_code == 303
    changed = phone.get("/my-convoy", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["etag"] != etag
    # Compressed on the wire when the phone says it can read gzip.
    raw = phone.get("/my-convoy", headers={"Accept-Encoding": "gzip"})
    assert raw.headers["content-encoding"] == "gzip"
    assert int(raw.headers["content-length"]) < len(raw.content) / 2


def test_the_phone_and_the_api_show_a_driver_the_same_part_of_the_convoy(
    client: TestClient, as_role: RoleClients, page_as: PageClients
) -> None:
    """One rule (app/convoys/views.py): the whole team by name, and of the vehicles only the
    ones the driver drives; the phone page and the API's detail follow it alike."""
    planned = b.planned_convoy(client, plan=b.FIRST_CONVOY, vehicles=2, drivers=2, assigned=False)
    (bus_a, bus_b), (anna, boris) = planned.vehicles, planned.drivers
    for leg in planned.legs:
        b.assign(client, planned.id, leg["id"], bus_a["id"], anna["id"])
        b.assign(client, planned.id, leg["id"], bus_b["id"], boris["id"])
    api = b.get(as_role(Role.driver, driver_id=anna["id"]), f"/convoys/{planned.id}")
    page = soup(page_as(Role.driver, driver_id=anna["id"]).get("/my-convoy").text)

    others_in_api = {
        (a["driver_name"], a["vehicle_name"])
        for a in api["assignments"]
        if a["driver_id"] != anna["id"]
    }
    team = page.select_one("section[aria-labelledby=team-heading]")
    assert team is not None
    others_on_page = {tuple(li.text.split(" · ")) for li in team.select("li")}
    assert others_in_api == others_on_page == {(boris["name"], bus_b["name"])}

    vehicles_in_api = {i["vin"] for i in api["items"] if i["category"] == "vehicle"}
    vehicles_on_page = {code.text for code in page.select("#vehicle-heading ~ article code")}
    assert vehicles_in_api == vehicles_on_page == {bus_a["vin"]}


QUEUED = {"Accept": "application/json"}


def test_the_phones_queue_hears_each_answer_it_must_act_on(
    app: FastAPI, client: TestClient, page_as: PageClients
) -> None:
    """The queue forgets a report only once Konvoi recorded or refused it: an ended sign-in
    is 401 and a form token from an older sign-in is 403 "stale_form", never a redirect."""
    planned = _under_way(client)
    phone = page_as(Role.driver, driver_id=planned.drivers[0]["id"])
    first_leg = planned.legs[0]["id"]
    page = phone.get("/my-convoy").text
    departed = _fields(_report_forms(page, first_leg)["departed"])
    action = f"/my-convoy/legs/{first_leg}/report"

    with TestClient(app, follow_redirects=False) as signed_out:
        ended = signed_out.post(action, data=departed, headers=QUEUED)
    assert ended.status_code == 401
    assert ended.json()["code"] == "not_authenticated"
    stale = phone.post(
        action, data={**departed, "csrf_token": "from-an-older-sign-in"}, headers=QUEUED
    )
    assert (stale.status_code, stale.json()["code"]) == (403, "stale_form")
    assert b.get(client, f"/convoys/{planned.id}/events") == []

    for _ in range(2):  # sent again after a lost answer: recorded once, confirmed twice
        sent = phone.post(action, data=departed, headers=QUEUED)
        assert sent.status_code == 200
        assert sent.json()["recorded"] is True
        assert sent.json()["client_key"] == departed["client_key"]
    refused = phone.post(
        action,
        data={
            **departed,
            "kind": "arrived",
            "client_key": "k-future",
            "occurred_at": "2999-01-01T00:00:00Z",
        },
        headers=QUEUED,
    )
    assert refused.status_code in (409, 422)
    assert refused.json()["recorded"] is False and refused.json()["problems"]
    events = b.get(client, f"/convoys/{planned.id}/events")
    assert [e["client_key"] for e in events] == [departed["client_key"]]


def test_a_drivers_sign_in_lasts_the_trip_about_to_start(
    client: TestClient, page_as: PageClients, session: Session
) -> None:
    """Sessions last 12 hours; a driver whose trip starts within them stays signed in until
    the planned return plus a day, so no report waits for a sign-in on the road."""
    now = datetime.now(UTC)
    soon = b.planned_convoy(client, start=now + 2 * H, plan=b.FIRST_CONVOY)
    later = b.planned_convoy(client, start=now + 5 * 24 * H, plan=b.FIRST_CONVOY)
    trip_end = max(
        datetime.fromisoformat(leg["planned_arrival_at"]) for leg in soon.legs
    ) + timedelta(days=1)

    def signed_in_until(driver_id: int | None, role: Role = Role.driver) -> tuple[datetime, int]:
        phone = page_as(role, driver_id=driver_id)
        cookie = next(c for c in phone.cookies.jar if c.name == "konvoi_session")
        assert cookie.expires is not None
        stored = session.exec(
            select(WebSession).where(WebSession.session_hash == digest(str(cookie.value)))
        ).one()
        return stored.expires_at, cookie.expires - int(now.timestamp())

    until, cookie_seconds = signed_in_until(soon.drivers[0]["id"])
    assert abs((until - trip_end).total_seconds()) < 60, (until, trip_end)
    assert cookie_seconds > 12 * 3600
    usual = now + timedelta(hours=get_settings().session_hours)
    for driver_id, role in ((later.drivers[0]["id"], Role.driver), (None, Role.coordinator)):
        until, _seconds = signed_in_until(driver_id, role)
        assert abs((until - usual).total_seconds()) < 60, (role, until, usual)


def test_the_phone_shows_the_days_driving_its_breaks_and_the_rest_before_the_way_home(
    client: TestClient, page_as: PageClients
) -> None:
    """The planner readiness uses, on the phone: each driving day with what it leaves of the
    9 hours, when the 45-minute break is due, the rest after the handover in Lviv's time and
    the return leg the driver drives; the same page on every load while the plan stays."""
    planned = b.planned_convoy(client, plan=b.FIRST_CONVOY)
    _back, leg = b.way_back(client, planned, b.SPRINTER, rest_hours=4)
    phone = page_as(Role.driver, driver_id=planned.drivers[0]["id"])
    page = phone.get("/my-convoy")
    assert page.status_code == 200
    html = soup(page.text)
    plan = html.select_one('section[aria-labelledby="plan-heading"]')
    assert plan is not None
    text = plan.get_text(" ")
    # Friday evening: 4 h 30 min of driving, a break due when they reach 4.5 h of it.
    days = plan.select("ol.driving-days > li")
    assert "4 h 30 min of driving, 4 h 30 min left of the day (9 h)" in days[0].get_text(" ")
    assert "45-minute break due by" in text
    assert "Rest until" in text
    # Four hours after the handover in Lviv, on Lviv's clock with its zone named.
    leaves = (planned.arrival + 4 * H).astimezone(ZoneInfo("Europe/Kyiv"))
    rest = html.select_one("#rest-before-return")
    assert rest is not None
    assert (
        f"After the handover: rest until {leaves:%a %d %b %H:%M} "
        f"(Lviv, Lvivvodokanal depot, {leaves.tzname()}) (4 h)."
    ) in rest.get_text(" ")
    assert "less than the 9-hour daily rest" in rest.get_text(" ")
    home = html.select_one(f"#return-leg-{leg['id']}")
    assert home is not None
    assert "Lviv, Lvivvodokanal depot → Rzeszów, eastern Poland" in home.get_text(" ")
    assert "You drive: Escort van (Sprinter)" in home.get_text(" ")
    # Nothing on the page depends on the clock: loaded again, it is the same page.
    assert phone.get("/my-convoy").text == page.text


def test_after_two_trips_the_phone_shows_the_last_one(
    client: TestClient, page_as: PageClients
) -> None:
    """With nothing ahead, the driver's page is the convoy they came back with last, not the
    first they ever drove."""
    start = b.friday_ahead()
    earlier = b.planned_convoy(client, start=start, assigned=False)
    later = b.planned_convoy(client, start=start + timedelta(days=14), assigned=False)
    me = b.driver(client, free=(earlier.free[0], later.free[1]))
    for trip in (earlier, later):
        for leg in trip.legs:
            b.assign(client, trip.id, leg["id"], trip.vehicles[0]["id"], me["id"])
        assert b.post(client, f"/convoys/{trip.id}/depart").status_code == 200
        assert b.post(client, f"/convoys/{trip.id}/arrive").status_code == 200
    phone = page_as(Role.driver, driver_id=me["id"])
    heading = soup(phone.get("/my-convoy").text).select("h1")[0].text
    assert later.convoy["number"] in heading
    assert earlier.convoy["number"] not in heading


def test_a_driver_reading_ukrainian_is_told_where_to_meet_in_ukrainian(
    client: TestClient, page_as: PageClients
) -> None:
    planned = b.planned_convoy(
        client,
        meeting_point="WSW bus depot, Wuppertal",
        meeting_point_uk="Автобусне депо WSW, Вупперталь",
    )
    me = planned.drivers[0]
    meet = {}
    for language in ("uk", "de"):
        page = page_as(Role.driver, driver_id=me["id"], language=language).get("/my-convoy")
        assert page.status_code == 200
        meet[language] = soup(page.text).select("#meet-heading ~ p")[0].get_text(" ")
    assert "Автобусне депо WSW, Вупперталь" in meet["uk"]
    assert "WSW bus depot, Wuppertal" not in meet["uk"]
    assert "WSW bus depot, Wuppertal" in meet["de"]


def test_a_driver_reading_ukrainian_is_told_their_vehicle_and_the_teams_in_ukrainian(
    client: TestClient, page_as: PageClients
) -> None:
    planned = b.planned_convoy(client, vehicles=2)
    mine, theirs = planned.vehicles
    names = {
        mine["id"]: ("Unimog U 400 of WSW", "Унімог U 400 від WSW"),
        theirs["id"]: ("MAN Lion's City of WSW", "Автобус MAN Lion's City від WSW"),
    }
    for item_id, (name, name_uk) in names.items():
        changed = client.patch(
            f"{factories.API}/items/{item_id}", json={"name": name, "name_uk": name_uk}
        )
        assert changed.status_code == 200, changed.text
    me = planned.drivers[0]
    said: dict[str, tuple[str, str]] = {}
    for language in ("uk", "de"):
        page = soup(
            page_as(Role.driver, driver_id=me["id"], language=language).get("/my-convoy").text
        )
        leg = page.select_one(f"#leg-{planned.legs[0]['id']}")
        team = page.select_one("#team-heading + ul")
        assert leg is not None and team is not None
        said[language] = (leg.get_text(" "), team.get_text(" "))
    assert "Унімог U 400 від WSW" in said["uk"][0]
    assert "Unimog U 400 of WSW" not in said["uk"][0]
    assert "Автобус MAN Lion's City від WSW" in said["uk"][1]
    assert "MAN Lion's City of WSW" not in said["uk"][1]
    assert "Unimog U 400 of WSW" in said["de"][0]
    assert "MAN Lion's City of WSW" in said["de"][1]
