"""Every change of a convoy's plan has a page: the convoy and its legs edited, a leg removed and
an item unloaded for a reason, the status actions only when the rules allow them, seats that
list who fits first, items added to a certificate from either side, and each readiness finding
linked to the form that fixes it."""

import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.auth.roles import Role
from app.convoys.pages import fix_links
from app.convoys.schemas import Finding
from tests import factories
from tests.convoys import builders as b
from tests.web.conftest import PageClients, csrf_token, soup

ROOT = Path(__file__).resolve().parents[2]


def _post(page: TestClient, path: str, shown: str, **fields: Any) -> Any:
    return page.post(path, data={"csrf_token": csrf_token(shown), **fields})


def test_the_convoy_and_a_leg_are_edited_on_their_own_pages(
    client: TestClient, page_as: PageClients
) -> None:
    planned = b.planned_convoy(client, vehicles=1)
    page = page_as(Role.coordinator)
    form = page.get(f"/convoys/{planned.id}/edit")
    assert form.status_code == 200
    typed = {
        str(i["name"]): str(i.get("value", ""))
        for i in soup(form.text).select("form[action$='/edit'] input")
        if i.get("type") != "checkbox"
    }
    saved = page.post(f"/convoys/{planned.id}/edit", data={**typed, "name": "Pumps for Kherson"})
    assert saved.status_code == 303, saved.text
    convoy = b.get(client, f"/convoys/{planned.id}")
    assert convoy["name"] == "Pumps for Kherson"
    assert convoy["planned_departure_at"] == planned.convoy["planned_departure_at"]

    # A 16-hour leg typed by mistake is cured on the leg's page, not by cancelling.
    leg = planned.legs[0]
    leg_page = page.get(f"/convoys/{planned.id}/legs/{leg['id']}")
    fields = {
        str(i["name"]): str(i.get("value", ""))
        for i in soup(leg_page.text).select("#leg-form input")
        if i.get("type") != "checkbox"
    }
    arrival = fields["planned_arrival_at"]
    earlier = (datetime.fromisoformat(arrival) - timedelta(minutes=15)).isoformat(
        timespec="minutes"
    )
    refused = page.post(
        f"/convoys/{planned.id}/legs/{leg['id']}/edit",
        data={**fields, "planned_arrival_at": fields["planned_departure_at"]},
    )
    assert refused.status_code == 422
    assert soup(refused.text).select(".problems li")
    done = page.post(
        f"/convoys/{planned.id}/legs/{leg['id']}/edit",
        data={**fields, "planned_arrival_at": earlier, "distance_km": "390"},
    )
    assert done.status_code == 303, done.text
    [changed] = b.get(client, f"/convoys/{planned.id}")["legs"]
    assert changed["distance_km"] == 390
    assert changed["planned_arrival_at"] < leg["planned_arrival_at"]


def _leg_form(page: TestClient, address: str) -> dict[str, str]:
    """The leg page's form as shown: each field's name and value."""
    return {
        str(i["name"]): str(i.get("value", ""))
        for i in soup(page.get(address).text).select("#leg-form input")
        if i.get("type") != "checkbox"
    }


def test_a_legs_page_edits_its_places_in_ukrainian(
    client: TestClient, page_as: PageClients
) -> None:
    """The board's add-leg form takes each place's Ukrainian text; the leg's own page shows it
    to change, and a field emptied leaves the place as typed for a Ukrainian reader."""
    planned = b.planned_convoy(client, vehicles=1)
    leg = planned.legs[0]
    page = page_as(Role.coordinator)
    address = f"/convoys/{planned.id}/legs/{leg['id']}"
    form = soup(page.get(address).text)
    assert form.select_one("#leg-form input[name=to_place_uk][lang=uk]") is not None
    fields = _leg_form(page, address)
    typed = {"from_place_uk": "Депо <WSW>, Вупперталь", "to_place_uk": "Львів"}
    saved = page.post(f"{address}/edit", data={**fields, **typed})
    assert saved.status_code == 303, saved.text
    changed = b.get(client, f"/convoys/{planned.id}")["legs"][0]
    assert (changed["from_place_uk"], changed["to_place_uk"]) == tuple(typed.values())
    fields = _leg_form(page, address)
    assert fields["from_place_uk"] == typed["from_place_uk"]

    too_long = page.post(f"{address}/edit", data={**fields, "to_place_uk": "Л" * 201})
    assert too_long.status_code == 422
    assert "To, in Ukrainian" in " ".join(p.text for p in soup(too_long.text).select(".problems"))
    assert b.get(client, f"/convoys/{planned.id}")["legs"][0]["to_place_uk"] == "Львів"

    emptied = page.post(f"{address}/edit", data={**fields, "from_place_uk": "", "to_place_uk": ""})
    assert emptied.status_code == 303, emptied.text
    cleared = b.get(client, f"/convoys/{planned.id}")["legs"][0]
    assert (cleared["from_place_uk"], cleared["to_place_uk"]) == (None, None)


def test_removing_a_leg_unloading_and_cancelling_ask_why(
    client: TestClient, page_as: PageClients
) -> None:
    planned = b.planned_convoy(client, plan=b.FIRST_CONVOY, vehicles=2)
    page = page_as(Role.coordinator)
    shown = page.get(f"/convoys/{planned.id}").text
    html = soup(shown)
    # Each asks in a folded form with a reason field and a danger-styled button.
    for action in ("/unload", "/actions/cancel"):
        form = html.select_one(f"details.danger-zone form[action$='{action}']")
        assert form is not None, action
        assert form.select_one("input[name=reason][required]") is not None
        assert "danger" in form.select("button")[0]["class"]
    last = planned.legs[-1]
    leg_page = page.get(f"/convoys/{planned.id}/legs/{last['id']}").text
    assert soup(leg_page).select_one("details.danger-zone form[action$='/delete']") is not None

    without = _post(page, f"/convoys/{planned.id}/legs/{last['id']}/delete", shown)
    assert without.status_code == 422
    assert len(b.get(client, f"/convoys/{planned.id}")["legs"]) == 3
    removed = _post(
        page, f"/convoys/{planned.id}/legs/{last['id']}/delete", shown, reason="entered twice"
    )
    assert removed.status_code == 303
    convoy = b.get(client, f"/convoys/{planned.id}")
    assert len(convoy["legs"]) == 2
    assert "entered twice" in convoy["status_reason"]

    bus = planned.vehicles[1]["id"]
    refused = _post(page, f"/convoys/{planned.id}/unload", shown, item_id=bus)
    assert refused.status_code == 422
    unloaded = _post(
        page, f"/convoys/{planned.id}/unload", shown, item_id=bus, reason="gearbox broke"
    )
    assert unloaded.status_code == 303
    convoy = b.get(client, f"/convoys/{planned.id}")
    assert bus not in {i["item_id"] for i in convoy["items"]}
    assert "gearbox broke" in convoy["status_reason"]

    assert _post(page, f"/convoys/{planned.id}/actions/cancel", shown).status_code == 422
    cancelled = _post(
        page, f"/convoys/{planned.id}/actions/cancel", shown, reason="postponed to spring"
    )
    assert cancelled.status_code == 303
    convoy = b.get(client, f"/convoys/{planned.id}")
    assert (convoy["status"], convoy["status_reason"]) == ("cancelled", "postponed to spring")


def test_depart_is_offered_only_once_the_convoy_is_ready(
    client: TestClient, page_as: PageClients
) -> None:
    planned = b.planned_convoy(client, vehicles=1)
    page = page_as(Role.coordinator)

    def offered() -> set[str]:
        html = soup(page.get(f"/convoys/{planned.id}").text)
        return {str(f["action"]).rsplit("/", 1)[-1] for f in html.select(".actions form")}

    assert offered() == {"mark-ready"}  # nothing blocks it, but it is not marked ready yet
    b.post(client, f"/convoys/{planned.id}/mark-ready")
    assert offered() == {"depart"}
    html = soup(page.get(f"/convoys/{planned.id}").text)
    depart = html.select_one(".actions form[action$='/depart'] button")
    cancel = html.select_one("form[action$='/cancel'] button")
    assert depart is not None and cancel is not None
    assert "danger" in cancel["class"] and "danger" not in (depart.get("class") or [])


def test_the_seats_list_who_fits_first_and_change_only_on_a_deliberate_submit(
    client: TestClient, page_as: PageClients
) -> None:
    planned = b.planned_convoy(client, vehicles=1, assigned=False, drivers=1)
    fits = planned.drivers[0]
    busy_from = planned.free[1] + timedelta(days=1)
    away = b.driver(client, free=(busy_from, busy_from + timedelta(days=3)))
    no_bus = b.driver(
        client,
        free=planned.free,
        licences={"B": planned.free[1] + timedelta(days=3000)},
    )
    page = page_as(Role.coordinator)
    html = soup(page.get(f"/convoys/{planned.id}").text)
    bus, leg = planned.vehicles[0]["id"], planned.legs[0]["id"]
    cell = html.select_one(f"#seat-{bus}-{leg}")
    assert cell is not None
    form = cell.find_parent("form")
    assert form is not None and form.get("hx-trigger") is None  # no change-triggered submit
    assert form.select_one("button[type=submit]") is not None
    choices = html.select_one(f"template#{cell['data-choices']}")
    assert choices is not None
    groups = choices.find_all("optgroup")
    fit = [str(o.string) for o in groups[0].find_all("option")]
    unfit = {str(o["value"]): str(o.string) for o in groups[1].find_all("option")}
    assert fit[0] == fits["name"]
    assert "not free" in unfit[str(away["id"])]
    assert "no valid class D" in unfit[str(no_bus["id"])]
    # The whole trip's list says the same, for the vehicle's every leg.
    trip = html.select_one(f"#trip-{bus}")
    assert trip is not None
    trip_choices = html.select_one(f"template#{trip['data-choices']}")
    assert trip_choices is not None
    assert str(trip_choices.select("optgroup option")[0].string) == fits["name"]
    # Without scripts the same lists, in every select.
    full = soup(page.get(f"/convoys/{planned.id}?choices=all").text)
    options = full.select(f"#seat-{bus}-{leg} optgroup option")
    assert options[0].get_text() == fits["name"]


def test_a_seat_marks_who_would_drive_too_long_with_their_other_convoys(
    client: TestClient, page_as: PageClients
) -> None:
    """Driving on other convoys the same day counts: 4 h 30 min before this leg and 4 h 30
    min after it make 13 h 30 min in one day (limit 10 h); one of them alone keeps within."""
    planned = b.planned_convoy(client, vehicles=1, assigned=False, drivers=0)
    before = b.planned_convoy(
        client, start=planned.start - b.H * 6, vehicles=2, assigned=False, drivers=0
    )
    after = b.planned_convoy(
        client, start=planned.start + b.H * 6, vehicles=1, assigned=False, drivers=0
    )
    both = b.driver(client, free=planned.free)
    one = b.driver(client, free=planned.free)
    b.assign(client, before.id, before.legs[0]["id"], before.vehicles[0]["id"], both["id"])
    b.assign(client, after.id, after.legs[0]["id"], after.vehicles[0]["id"], both["id"])
    b.assign(client, before.id, before.legs[0]["id"], before.vehicles[1]["id"], one["id"])
    html = soup(page_as(Role.coordinator).get(f"/convoys/{planned.id}").text)
    cell = html.select_one(f"#seat-{planned.vehicles[0]['id']}-{planned.legs[0]['id']}")
    assert cell is not None
    choices = html.select_one(f"template#{cell['data-choices']}")
    assert choices is not None
    shown = {str(o["value"]): str(o.string) for o in choices.select("option[value]")}
    assert "over the driving time" in shown[str(both["id"])], shown
    assert "over the driving time" not in shown[str(one["id"])], shown


def test_an_item_gets_its_certificate_from_its_page_or_the_certificates(
    client: TestClient, page_as: PageClients
) -> None:
    place = factories.destination(client)
    trip_end = b.friday_ahead().date()
    covered = b.vehicle(client, trip_end=trip_end, destination=place, stage="certified")
    first = b.vehicle(client, trip_end=trip_end, destination=place, stage="allocated")
    second = b.vehicle(client, trip_end=trip_end, destination=place, stage="allocated")
    [certificate] = b.get(client, f"/certificates?item_id={covered['id']}")["items"]
    page = page_as(Role.clerk)
    shown = page.get(f"/items/{first['id']}").text
    form = soup(shown).select_one("form#certificate")
    assert form is not None
    chosen = form.select("select[name=certificate_id] option")
    assert str(certificate["id"]) in {str(o["value"]) for o in chosen}
    added = _post(
        page, f"/items/{first['id']}/certificate", shown, certificate_id=str(certificate["id"])
    )
    assert added.status_code == 303, added.text
    assert b.get(client, f"/items/{first['id']}")["status"] == "certified"

    shown = page.get(f"/certificates/{certificate['id']}").text
    boxes = soup(shown).select("form#add-items input[name=item_id]")
    assert str(second["id"]) in {str(box["value"]) for box in boxes}
    added = _post(
        page, f"/certificates/{certificate['id']}/items", shown, item_id=str(second["id"])
    )
    assert added.status_code == 303
    ids = b.get(client, f"/certificates/{certificate['id']}")["item_ids"]
    assert {covered["id"], first["id"], second["id"]} <= set(ids)


def test_overlapping_free_days_are_stored_merged_by_the_api_and_the_page(
    client: TestClient, page_as: PageClients
) -> None:
    start = b.friday_ahead().date()
    person = b.driver(client, free=(start, start + timedelta(days=3)))
    changed = client.patch(
        f"/api/v1/drivers/{person['id']}",
        json={
            "availability": [
                {"available_from_on": b.iso(start), "available_to_on": b.iso(start + timedelta(3))},
                {
                    "available_from_on": b.iso(start + timedelta(2)),
                    "available_to_on": b.iso(start + timedelta(6)),
                },
                {
                    "available_from_on": b.iso(start + timedelta(7)),
                    "available_to_on": b.iso(start + timedelta(8)),
                },
                {
                    "available_from_on": b.iso(start + timedelta(20)),
                    "available_to_on": b.iso(start + timedelta(21)),
                },
            ]
        },
        headers={"If-Match": "*"},
    )
    assert changed.status_code == 200, changed.text
    windows = [
        (w["available_from_on"], w["available_to_on"]) for w in changed.json()["availability"]
    ]
    assert windows == [
        (b.iso(start), b.iso(start + timedelta(8))),  # overlapping and touching: one range
        (b.iso(start + timedelta(20)), b.iso(start + timedelta(21))),
    ]
    page = page_as(Role.coordinator)
    shown = page.get(f"/drivers/{person['id']}").text
    version = str(soup(shown).select("#free-days input[name=version]")[0]["value"])
    added = _post(
        page,
        f"/drivers/{person['id']}/availability",
        shown,
        version=version,
        available_from_on=b.iso(start + timedelta(18)),
        available_to_on=b.iso(start + timedelta(22)),
    )
    assert added.status_code == 303, added.text
    windows = [
        (w["available_from_on"], w["available_to_on"])
        for w in b.get(client, f"/drivers/{person['id']}")["availability"]
    ]
    assert windows == [
        (b.iso(start), b.iso(start + timedelta(8))),
        (b.iso(start + timedelta(18)), b.iso(start + timedelta(22))),
    ]


# --- each finding's link leads to the form that fixes it ----------------------------------------


def _codes() -> set[str]:
    """Every code the readiness check can report, read from its source."""
    readiness = (ROOT / "app/convoys/readiness.py").read_text()
    found = set(re.findall(r'found\.(?:block|warn)\(\s*"([a-z_]+)"', readiness))
    driving = (ROOT / "app/convoys/driving_time.py").read_text()
    found |= {f"driving_time_{c}" for c in re.findall(r'code="([a-z_0-9]+)"', driving)}
    return found


# code -> (what the finding is about, a selector of the form that fixes it on the linked page)
FIXES = {
    "no_legs": ("convoy", "#add-leg form.leg-form"),
    "no_vehicles": ("convoy", "#load form[action$='/load']"),
    "item_without_destination": ("accepted", "form[action$='/actions/allocate']"),
    "item_without_certificate": ("allocated", "form#certificate"),
    "item_not_export_ready": ("certified", "form[action$='/actions/mark-export-ready']"),
    "equipment_without_carrier": ("equipment", "form[action$='/carrier'] select"),
    "vin_check_digit": ("loaded", "form[action$='/edit'] input[name=vin]"),
    "export_plate_missing": ("loaded", "form[action$='/edit'] input[name=export_plate]"),
    "export_plate_not_yet_valid": ("loaded", "input[name=plate_valid_from_on]"),
    "export_plate_expires_during_trip": ("loaded", "input[name=plate_valid_to_on]"),
    "export_plate_expires_soon": ("loaded", "input[name=plate_valid_to_on]"),
    "insurance_ends_during_trip": ("loaded", "input[name=insurance_until_on]"),
    "inspection_due_during_trip": ("loaded", "input[name=inspection_due_on]"),
    "vehicle_without_driver": ("seat", "form.seat select"),
    "driver_shortage": ("leg", "form#leg-form"),
    "driver_licence_missing": ("seated", "form#licences"),
    "driver_availability_unknown": ("seated", "form#free-days"),
    "driver_unavailable": ("seated", "form#free-days"),
    "driver_double_booked": ("seated", "form.seat select"),
    "return_leg_without_driver": ("return", "form[action$='/return-seat'] select"),
    "return_rest_too_short": ("return", "form[action$='/return-seat'] select"),
}
DRIVING = ("driver", "form#leg-form")


def test_every_finding_code_has_a_fix() -> None:
    codes = _codes()
    assert "vehicle_without_driver" in codes and "driving_time_daily_driving_over_9h" in codes
    missing = {c for c in codes if c not in FIXES and not c.startswith("driving_time_")}
    assert missing == set()


@pytest.fixture
def scene(client: TestClient) -> dict[str, Any]:
    """A planned convoy with a way back, a piece of equipment aboard, and items at every
    stage before export-ready."""
    planned = b.planned_convoy(client, vehicles=1)
    trip_end = planned.arrival.date()
    b.way_back(client, planned, b.SPRINTER, rest_hours=10)
    generator = b.equipment(client, trip_end=trip_end, destination=planned.destination)
    b.load(client, planned.id, generator["id"])
    stages = {
        stage: b.vehicle(client, trip_end=trip_end, destination=planned.destination, stage=stage)
        for stage in ("accepted", "allocated", "certified")
    }
    back = b.get(client, f"/convoys/{planned.id}/return")
    return {
        "planned": planned,
        "generator": generator,
        "stages": stages,
        "return_leg": back[0]["legs"][0]["id"],
    }


@pytest.mark.parametrize("code", [*sorted(FIXES), "driving_time_daily_driving_over_9h"])
def test_each_finding_links_to_the_form_that_fixes_it(
    code: str, scene: dict[str, Any], page_as: PageClients
) -> None:
    planned = scene["planned"]
    about, selector = FIXES.get(code, DRIVING)
    bus, leg, person = planned.vehicles[0]["id"], planned.legs[0]["id"], planned.drivers[0]["id"]
    finding: dict[str, Any] = {"code": code, "message": "-"}
    if about in ("accepted", "allocated", "certified"):
        finding["item_id"] = scene["stages"][about]["id"]
    elif about == "equipment":
        finding["item_id"] = scene["generator"]["id"]
    elif about in ("loaded",):
        finding["item_id"] = bus
    elif about == "seat":
        finding |= {"item_id": bus, "leg_id": leg}
    elif about == "leg":
        finding["leg_id"] = leg
    elif about == "seated":
        finding |= {"driver_id": person, "leg_id": leg}
    elif about == "driver":
        finding["driver_id"] = person
    elif about == "return":
        finding["context"] = {"return_leg_id": scene["return_leg"]}
    links = fix_links(planned.id, Finding(**finding), {(person, leg): bus})
    assert links, code
    page = page_as(Role.coordinator)
    found: list[Any] = []
    for _what, link in links:
        path, _, fragment = link.partition("#")
        response = page.get(path, follow_redirects=True)
        assert response.status_code == 200, (code, link)
        html = soup(response.text)
        if fragment:
            assert html.select_one(f"[id='{fragment}']") is not None, (code, link)
        found += html.select(selector)
    assert found, (code, links)
