"""The convoy board: legs in local time, drivers chosen in the grid, readiness beside it,
actions that show their blockers; the same services and rules as the API."""

from typing import Any

from fastapi.testclient import TestClient

from app.auth.roles import Role
from tests.convoys import builders as b
from tests.web.conftest import PageClients, csrf_token, soup


def _board(page: TestClient, convoy_id: int) -> Any:
    response = page.get(f"/convoys/{convoy_id}")
    assert response.status_code == 200, response.text
    return response


def _seats(client: TestClient, convoy_id: int) -> set[tuple[int, int, int]]:
    assignments = b.get(client, f"/convoys/{convoy_id}")["assignments"]
    return {(a["leg_id"], a["vehicle_id"], a["driver_id"]) for a in assignments}


def test_the_board_shows_legs_in_local_time_and_the_grid(
    client: TestClient, page_as: PageClients
) -> None:
    planned = b.planned_convoy(client, plan=b.FIRST_CONVOY, vehicles=2)
    page = page_as(Role.coordinator)
    html = soup(_board(page, planned.id).text)
    headers = [th.get_text(" ") for th in html.select(".seat-grid thead th")]
    assert len(headers) == len(planned.legs) + 2  # vehicle, whole trip, each leg
    # The first leg leaves Wuppertal on Berlin time, the last arrives in Lviv on Kyiv time.
    assert "CET" in headers[2] or "CEST" in headers[2]
    assert "EET" in html.get_text() or "EEST" in html.get_text()
    cell = html.select_one(f"#seat-{planned.vehicles[0]['id']}-{planned.legs[0]['id']}")
    assert cell is not None
    chosen = cell.select_one("option[selected]")
    assert chosen is not None and chosen.get_text() == planned.drivers[0]["name"]
    assert html.select_one(".readiness") is not None


def test_the_drivers_are_listed_once_per_column_and_every_select_for_a_browser_without_scripts(
    client: TestClient, page_as: PageClients
) -> None:
    planned = b.planned_convoy(client, plan=b.FIRST_CONVOY, vehicles=3)
    page = page_as(Role.coordinator)
    html = soup(_board(page, planned.id).text)
    selects = html.select(".seat-grid select")
    assert len(selects) == 3 * (len(planned.legs) + 1)  # each leg and the whole trip
    by_id = {str(d["id"]): d["name"] for d in planned.drivers}
    lists = {str(t["id"]): t for t in html.select("template[id^=choices-]")}
    for select in selects:  # the blank and the chosen driver only; the script adds the rest
        choices = lists[str(select["data-choices"])]
        listed = choices.find_all("option")  # CSS selectors do not reach into a template
        values = [str(o["value"]) for o in listed]
        assert set(by_id) <= set(values) and len(values) == len(set(values))
        options = select.select("option")
        assert len(options) == 2 and options[1].has_attr("selected")  # all seats are taken
        assert options[1].get_text() == by_id[str(options[1]["value"])]
    listed = next(iter(lists.values())).find_all("option")
    link = html.select_one("noscript a")
    assert link is not None and link["href"] == f"/convoys/{planned.id}?choices=all"

    full_page = page.get(f"/convoys/{planned.id}?choices=all").text
    full = soup(full_page)
    assert full.select_one("template[id^=choices-]") is None
    for select in full.select(".seat-grid select"):
        assert len(select.select("option")) == len(listed) + 1
    # A seat set there comes back to the same page.
    leg, bus = planned.legs[0]["id"], planned.vehicles[0]["id"]
    cell = full.select_one(f"#seat-{bus}-{leg}")
    form = cell.find_parent("form") if cell is not None else None
    assert form is not None and form["action"] == f"/convoys/{planned.id}/seat?choices=all"
    moved = page.post(
        str(form["action"]),
        data={
            "leg_id": leg,
            "vehicle_id": bus,
            "driver_id": "",
            "csrf_token": csrf_token(full_page),
        },
    )
    assert moved.status_code == 303
    assert moved.headers["location"] == f"/convoys/{planned.id}?choices=all"


def test_choosing_a_driver_in_a_cell_assigns_and_refreshes_the_readiness_panel(
    client: TestClient, page_as: PageClients
) -> None:
    planned = b.planned_convoy(client, vehicles=1, assigned=False)
    page = page_as(Role.coordinator)
    shown = _board(page, planned.id).text
    before = soup(shown)
    assert "vehicle_without_driver" not in before.text  # codes are not shown, messages are
    assert before.select(".readiness li.blocker")
    leg, bus, person = planned.legs[0]["id"], planned.vehicles[0]["id"], planned.drivers[0]["id"]
    fields = {"leg_id": leg, "vehicle_id": bus, "driver_id": person}
    token = csrf_token(shown)
    swapped = page.post(
        f"/convoys/{planned.id}/seat",
        data={**fields, "csrf_token": token},
        headers={"HX-Request": "true"},
    )
    assert swapped.status_code == 200, swapped.text
    assert "HX-Request" in swapped.headers["vary"]
    block = soup(swapped.text)
    assert block.select_one("html") is None  # only the planning block, not the whole page
    assert block.select_one("#planning") is not None
    assert "Ready to depart" in block.select(".readiness")[0].get_text()
    assert _seats(client, planned.id) == {(leg, bus, person)}
    # Choosing nobody frees the seat again.
    freed = page.post(
        f"/convoys/{planned.id}/seat",
        data={"leg_id": leg, "vehicle_id": bus, "driver_id": "", "csrf_token": token},
    )
    assert (freed.status_code, freed.headers["location"]) == (303, f"/convoys/{planned.id}")
    assert _seats(client, planned.id) == set()


def test_a_double_booking_in_the_grid_is_refused_with_the_reason_and_nothing_changes(
    client: TestClient, page_as: PageClients
) -> None:
    first = b.planned_convoy(client, vehicles=1)
    second = b.planned_convoy(client, start=first.start, vehicles=1, assigned=False)
    busy = first.drivers[0]["id"]
    page = page_as(Role.coordinator)
    token = csrf_token(_board(page, second.id).text)
    refused = page.post(
        f"/convoys/{second.id}/seat",
        data={
            "leg_id": second.legs[0]["id"],
            "vehicle_id": second.vehicles[0]["id"],
            "driver_id": busy,
            "csrf_token": token,
        },
    )
    assert refused.status_code == 409
    problems = soup(refused.text).select(".problems li")
    assert problems and first.drivers[0]["name"] in problems[0].get_text()
    assert _seats(client, second.id) == set()


def test_a_whole_trip_choice_seats_the_driver_on_every_leg(
    client: TestClient, page_as: PageClients
) -> None:
    planned = b.planned_convoy(client, plan=b.FIRST_CONVOY, vehicles=1, assigned=False)
    page = page_as(Role.coordinator)
    bus, person = planned.vehicles[0]["id"], planned.drivers[0]["id"]
    token = csrf_token(_board(page, planned.id).text)
    done = page.post(
        f"/convoys/{planned.id}/whole-trip",
        data={"vehicle_id": bus, "driver_id": person, "csrf_token": token},
    )
    assert done.status_code == 303
    assert _seats(client, planned.id) == {(leg["id"], bus, person) for leg in planned.legs}


def test_a_refused_action_shows_every_blocker_and_the_allowed_actions_only(
    client: TestClient, page_as: PageClients
) -> None:
    planned = b.planned_convoy(client, vehicles=2, drivers=1)
    page = page_as(Role.coordinator)
    shown = _board(page, planned.id).text
    html = soup(shown)
    buttons = {str(f["action"]).rsplit("/", 1)[-1] for f in html.select(".actions form")}
    # Blocked: neither ready nor departure is offered; cancelling asks why, folded away.
    assert buttons == set()
    cancel = html.select_one("details.danger-zone form[action$='/actions/cancel']")
    assert cancel is not None and cancel.select_one("input[name=reason][required]")
    assert "danger" in cancel.select("button")[0]["class"]
    refused = page.post(
        f"/convoys/{planned.id}/actions/depart", data={"csrf_token": csrf_token(shown)}
    )
    assert refused.status_code == 409
    api_reasons = b.post(client, f"/convoys/{planned.id}/depart").json()["reasons"]
    shown = [li.get_text() for li in soup(refused.text).select(".problems li")]
    assert shown == [reason["message"] for reason in api_reasons]
    assert b.get(client, f"/convoys/{planned.id}")["status"] == "planning"


def test_a_clerk_reads_the_board_without_planning_controls_and_a_driver_is_refused(
    client: TestClient, page_as: PageClients
) -> None:
    planned = b.planned_convoy(client, vehicles=1)
    clerk = soup(_board(page_as(Role.clerk), planned.id).text)
    assert clerk.select("form.seat") == []
    assert clerk.select(".actions form") == []
    driver = page_as(Role.driver, driver_id=planned.drivers[0]["id"])
    assert driver.get(f"/convoys/{planned.id}").status_code == 403
    assert driver.get("/convoys").status_code == 403


def test_a_seat_change_without_the_csrf_token_is_refused(
    client: TestClient, page_as: PageClients
) -> None:
    planned = b.planned_convoy(client, vehicles=1, assigned=False)
    page = page_as(Role.coordinator)
    refused = page.post(
        f"/convoys/{planned.id}/seat",
        data={
            "leg_id": planned.legs[0]["id"],
            "vehicle_id": planned.vehicles[0]["id"],
            "driver_id": planned.drivers[0]["id"],
        },
    )
    assert refused.status_code == 403
    assert _seats(client, planned.id) == set()


def test_withdrawing_a_driver_on_the_board_frees_their_seats_and_keeps_the_reason(
    client: TestClient, page_as: PageClients
) -> None:
    planned = b.planned_convoy(client, vehicles=1)
    person = planned.drivers[0]
    page = page_as(Role.coordinator)
    token = csrf_token(_board(page, planned.id).text)
    done = page.post(
        f"/convoys/{planned.id}/withdraw",
        data={"driver_id": person["id"], "reason": "ill", "note": "flu", "csrf_token": token},
    )
    assert done.status_code == 303
    assert _seats(client, planned.id) == set()
    [withdrawal] = b.get(client, f"/convoys/{planned.id}/withdrawals")
    assert (withdrawal["reason"], withdrawal["note"]) == ("ill", "flu")
    shown = soup(_board(page, planned.id).text).get_text()
    assert f"{person['name']} — ill: flu" in shown


def test_a_new_convoy_from_the_form_and_its_field_errors(
    client: TestClient, page_as: PageClients
) -> None:
    page = page_as(Role.coordinator)
    form = page.get("/convoys/new")
    token = csrf_token(form.text)
    typed = {
        "csrf_token": token,
        "number": "W4U-09",
        "name": "Pumps for Kherson",
        "coordinator_name": "Rita Falkenberg",
        "meeting_point": "WSW bus depot, Wuppertal",
        "meeting_time_zone": "Europe/Wuppertal",  # no such zone
        "planned_departure_at": "2027-07-16T17:00",
    }
    refused = page.post("/convoys/new", data=typed)
    assert refused.status_code == 422
    html = soup(refused.text)
    zone = html.select("#meeting_time_zone")[0]
    assert (zone["value"], zone["aria-invalid"]) == ("Europe/Wuppertal", "true")
    assert html.select("#meeting_time_zone-error")
    assert html.select("#name")[0]["value"] == "Pumps for Kherson"  # nothing typed is lost
    assert b.get(client, "/convoys")["items"] == []
    created = page.post(
        "/convoys/new",
        data={**typed, "meeting_time_zone": "Europe/Berlin", "charges": "Diesel by the donors"},
    )
    assert created.status_code == 303
    [convoy] = b.get(client, "/convoys")["items"]
    assert convoy["charges"] == "Diesel by the donors"  # what its CMR notes say is charged
    # 17:00 in Wuppertal in July is 15:00 UTC.
    assert (convoy["number"], convoy["planned_departure_at"]) == (
        "W4U-09",
        "2027-07-16T15:00:00Z",
    )
    assert created.headers["location"] == f"/convoys/{convoy['id']}"
    again = page.post("/convoys/new", data={**typed, "meeting_time_zone": "Europe/Berlin"})
    assert again.status_code == 409
    assert soup(again.text).select("#number-error")


def test_a_leg_and_items_added_on_the_board(client: TestClient, page_as: PageClients) -> None:
    planned = b.planned_convoy(client, vehicles=0, drivers=0)
    spare = b.vehicle(client, trip_end=planned.arrival.date(), destination=planned.destination)
    page = page_as(Role.coordinator)
    shown = _board(page, planned.id).text
    leg_form = soup(shown).select("form.leg-form")[0]
    assert leg_form.select("#from_place")[0]["value"] == planned.legs[-1]["to_place"]
    token = csrf_token(shown)
    refused = page.post(
        f"/convoys/{planned.id}/legs",
        data={"csrf_token": token, "from_place": "Lviv", "to_place": "Kyiv"},
    )
    assert refused.status_code == 422
    assert soup(refused.text).select("#to_place")[0]["value"] == "Kyiv"
    assert len(b.get(client, f"/convoys/{planned.id}")["legs"]) == len(planned.legs)
    loadable = [str(i["value"]) for i in soup(shown).select('input[name="item_id"]')]
    assert str(spare["id"]) in loadable
    loaded = page.post(
        f"/convoys/{planned.id}/load", data={"csrf_token": token, "item_id": [str(spare["id"])]}
    )
    assert loaded.status_code == 303
    on_board = {i["item_id"] for i in b.get(client, f"/convoys/{planned.id}")["items"]}
    assert spare["id"] in on_board


def _seat_form(board: Any, leg_id: int, vehicle_id: int) -> dict[str, str]:
    """A cell's form as the board was loaded: its hidden fields."""
    select = soup(board.text).select_one(f"#seat-{vehicle_id}-{leg_id}")
    assert select is not None and select.parent is not None
    return {str(i["name"]): str(i["value"]) for i in select.parent.select("input[type=hidden]")}


def test_a_seat_chosen_on_a_stale_board_does_not_replace_someone_elses_choice(
    client: TestClient, page_as: PageClients
) -> None:
    planned = b.planned_convoy(client, vehicles=1, drivers=2, assigned=False)
    anna, boris = planned.drivers
    leg, bus = planned.legs[0]["id"], planned.vehicles[0]["id"]
    page = page_as(Role.coordinator)
    loaded = _board(page, planned.id)
    cell = _seat_form(loaded, leg, bus)
    assert cell["seated"] == "-"  # nobody
    first = page.post(f"/convoys/{planned.id}/seat", data={**cell, "driver_id": anna["id"]})
    assert first.status_code == 303, first.text
    # The same loaded board, by htmx as a browser sends it: refused, Anna stays.
    second = page.post(
        f"/convoys/{planned.id}/seat",
        data={**cell, "driver_id": boris["id"]},
        headers={"HX-Request": "true"},
    )
    assert second.status_code == 412, second.text
    assert _seats(client, planned.id) == {(leg, bus, anna["id"])}
    problem = soup(second.text).select_one(".problems li")
    assert problem is not None
    said = problem.get_text()
    assert anna["name"] in said and boris["name"] in said and "was not saved" in said
    # The board shown with it is the current one: choosing again replaces Anna on purpose.
    again = _seat_form(second, leg, bus)
    assert again["seated"] == str(anna["id"])
    third = page.post(f"/convoys/{planned.id}/seat", data={**again, "driver_id": boris["id"]})
    assert third.status_code == 303, third.text
    assert _seats(client, planned.id) == {(leg, bus, boris["id"])}


def test_a_whole_trip_choice_on_a_stale_board_changes_no_seat(
    client: TestClient, page_as: PageClients
) -> None:
    planned = b.planned_convoy(client, plan=b.FIRST_CONVOY, vehicles=1, drivers=2, assigned=False)
    anna, boris = planned.drivers
    bus = planned.vehicles[0]["id"]
    page = page_as(Role.coordinator)
    loaded = soup(_board(page, planned.id).text)
    trip_form = loaded.select_one(f"#trip-{bus}")
    assert trip_form is not None and trip_form.parent is not None
    row = {str(i["name"]): str(i["value"]) for i in trip_form.parent.select("input[type=hidden]")}
    assert row["seated"] == ",".join("-" for _ in planned.legs)
    first_leg = planned.legs[0]["id"]
    b.assign(client, planned.id, first_leg, bus, anna["id"])  # someone else, meanwhile
    refused = page.post(f"/convoys/{planned.id}/whole-trip", data={**row, "driver_id": boris["id"]})
    assert refused.status_code == 412, refused.text
    assert _seats(client, planned.id) == {(first_leg, bus, anna["id"])}
    assert boris["name"] in soup(refused.text).select_one(".problems li").get_text()  # type: ignore[union-attr]


def test_the_board_shows_the_way_back_beside_the_outward_legs_and_seats_its_driver(
    client: TestClient, page_as: PageClients
) -> None:
    planned = b.planned_convoy(client, plan=b.FIRST_CONVOY, drivers=2)
    _back, leg = b.way_back(client, planned, b.SPRINTER, rest_hours=4)
    page = page_as(Role.coordinator)
    shown = _board(page, planned.id)
    html = soup(shown.text)
    row = html.select_one(f"#return-leg-{leg['id']}")
    assert row is not None
    text = row.get_text(" ")
    assert "Escort van (Sprinter)" in text and "outside Regulation 561/2006" in text
    assert "Lviv, Lvivvodokanal depot → Rzeszów, eastern Poland" in text
    assert "EET" in text or "EEST" in text  # the departure on Lviv's clock
    chosen = row.select_one("select option[selected]")
    assert chosen is not None and chosen.get_text() == planned.drivers[0]["name"]
    warnings = " ".join(li.get_text() for li in html.select(".readiness li.warning"))
    assert f"{planned.drivers[0]['name']} rests only 4 h" in warnings

    # Another driver of the team takes the wheel home, chosen on the board.
    select = row.select_one("select")
    assert select is not None and select.parent is not None
    form = {str(i["name"]): str(i["value"]) for i in select.parent.select("input[type=hidden]")}
    swapped = page.post(
        f"/convoys/{planned.id}/return-seat",
        data={**form, "driver_id": planned.drivers[1]["id"]},
        headers={"HX-Request": "true"},
    )
    assert swapped.status_code == 200, swapped.text
    block = soup(swapped.text)
    again = block.select_one(f"#return-leg-{leg['id']} option[selected]")
    assert again is not None and again.get_text() == planned.drivers[1]["name"]
    plan = b.get(client, f"/convoys/{planned.id}/return")
    assert plan[0]["legs"][0]["driver_id"] == planned.drivers[1]["id"]
    # A choice made on the board as first loaded no longer matches: refused, nothing changes.
    stale = page.post(f"/convoys/{planned.id}/return-seat", data={**form, "driver_id": ""})
    assert stale.status_code == 412
    assert (
        b.get(client, f"/convoys/{planned.id}/return")[0]["legs"][0]["driver_id"]
        == (planned.drivers[1]["id"])
    )


def _carried_by(
    page: TestClient, convoy_id: int, item_id: int, carrier_id: int, shown: str
) -> None:
    """The board's carrier form sent as the coordinator sends it."""
    chosen = page.post(
        f"/convoys/{convoy_id}/carrier",
        data={"item_id": item_id, "carrier_id": carrier_id, "csrf_token": csrf_token(shown)},
    )
    assert chosen.status_code == 303, chosen.text[:300]


def test_the_vehicles_that_may_carry_equipment_are_listed_once_and_in_every_select_without_scripts(
    client: TestClient, page_as: PageClients
) -> None:
    planned = b.planned_convoy(client, vehicles=3)
    generator = b.equipment(
        client, trip_end=planned.arrival.date(), destination=planned.destination
    )
    b.load(client, planned.id, generator["id"])
    page = page_as(Role.coordinator)
    vehicles = {str(v["id"]): v["name"] for v in planned.vehicles}

    shown = _board(page, planned.id).text
    html = soup(shown)
    shared = html.select_one("template#carrier-choices")
    assert shared is not None
    listed = {str(o["value"]): str(o.string) for o in shared.find_all("option")}  # template text
    assert listed == vehicles  # each vehicle once, for the script to add to each select
    select = html.select_one(f"#carrier-{generator['id']}")
    assert select is not None and select["data-choices"] == "carrier-choices"
    assert select.select("option") == []  # on no vehicle yet: nothing repeated per item

    carrier = planned.vehicles[1]
    _carried_by(page, planned.id, generator["id"], carrier["id"], shown)
    [loaded] = [
        i
        for i in b.get(client, f"/convoys/{planned.id}")["items"]
        if i["item_id"] == generator["id"]
    ]
    assert loaded["carrier_id"] == carrier["id"]
    select = soup(_board(page, planned.id).text).select_one(f"#carrier-{generator['id']}")
    assert select is not None
    options = select.select("option")
    assert [(str(o["value"]), o.has_attr("selected")) for o in options] == [
        (str(carrier["id"]), True)
    ]

    # Without scripts, the page the noscript link leads to lists every vehicle in the select.
    full_page = page.get(f"/convoys/{planned.id}?choices=all").text
    full = soup(full_page)
    assert full.select_one("template#carrier-choices") is None
    select = full.select_one(f"#carrier-{generator['id']}")
    assert select is not None and not select.has_attr("data-choices")
    options = select.select("option")
    assert {str(o["value"]): o.get_text() for o in options} == vehicles
    assert [str(o["value"]) for o in options if o.has_attr("selected")] == [str(carrier["id"])]
    form = select.find_parent("form")
    assert form is not None and form["action"] == f"/convoys/{planned.id}/carrier?choices=all"


def test_the_carrier_is_the_vehicle_itself_when_two_vehicles_share_a_name(
    client: TestClient, page_as: PageClients
) -> None:
    # Two donated buses of one fleet often come with one name: the select marks the vehicle
    # that carries the equipment, not every vehicle of that name.
    planned = b.planned_convoy(client, vehicles=3)
    first, second = planned.vehicles[0], planned.vehicles[1]
    renamed = client.patch(f"/api/v1/items/{first['id']}", json={"name": second["name"]})
    assert renamed.status_code == 200, renamed.text
    generator = b.equipment(
        client, trip_end=planned.arrival.date(), destination=planned.destination
    )
    b.load(client, planned.id, generator["id"])
    page = page_as(Role.coordinator)
    _carried_by(page, planned.id, generator["id"], second["id"], _board(page, planned.id).text)
    for address in (f"/convoys/{planned.id}", f"/convoys/{planned.id}?choices=all"):
        select = soup(page.get(address).text).select_one(f"#carrier-{generator['id']}")
        assert select is not None
        marked = [str(o["value"]) for o in select.select("option") if o.has_attr("selected")]
        assert marked == [str(second["id"])], address
