"""Planning a real convoy: local calendars, the handover, status that never lies, drivers who
drop out, and planning in few calls. Each test breaks the rule as a coordinator met it."""

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient

from app.auth.roles import Role
from tests import factories
from tests.accounts import RoleClients
from tests.convoys import builders as b
from tests.convoys.builders import H, M, iso
from tests.factories import API


def detail(client: TestClient, convoy_id: int) -> dict[str, Any]:
    data: dict[str, Any] = b.get(client, f"/convoys/{convoy_id}")
    return data


def _ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def _ready(client: TestClient, planned: b.Planned) -> None:
    _ok(b.post(client, f"/convoys/{planned.id}/mark-ready"))


def _one_night_leg_to_lviv(
    client: TestClient, plate_until: date, **convoy_fields: Any
) -> tuple[b.Planned, dict[str, Any]]:
    """Saturday 17 July 2027, 14:00 UTC from Wuppertal to Lviv, arriving Sunday 02:45 Kyiv time
    (Saturday 23:45 UTC); the bus's plates and insurance end on ``plate_until``."""
    start = datetime(2027, 7, 17, 14, 0, tzinfo=UTC)
    plan = (
        b.LegPlan(
            "WSW bus depot, Wuppertal",
            "Lviv, Lvivvodokanal depot",
            0 * H,
            9 * H + 45 * M,
            1000,
            75,
            border=True,
            zone="Europe/Kyiv",
        ),
    )
    planned = b.planned_convoy(
        client, start=start, plan=plan, vehicles=0, drivers=0, **convoy_fields
    )
    bus = b.vehicle(
        client,
        trip_end=min(plate_until, date(2027, 7, 17)),
        destination=planned.destination,
        record={
            "plate_valid_from_on": "2027-07-01",
            "plate_valid_to_on": iso(plate_until),
            "insurance_until_on": iso(plate_until),
        },
    )
    b.load(client, planned.id, bus["id"])
    person = b.driver(client, free=(date(2027, 7, 16), date(2027, 7, 20)))
    b.assign(client, planned.id, planned.legs[0]["id"], bus["id"], person["id"])
    return planned, bus


# --- 1. time as people read it ------------------------------------------------------------------


def test_a_plate_is_compared_on_the_calendar_of_the_place_the_convoy_arrives(
    client: TestClient,
) -> None:
    planned, bus = _one_night_leg_to_lviv(client, plate_until=date(2027, 7, 17))
    found = b.readiness(client, planned.id)["blockers"]
    assert b.codes(found) == ["export_plate_expires_during_trip", "insurance_ends_during_trip"]
    # Saturday 23:45 UTC is already Sunday in Lviv: the plate has expired on arrival.
    assert found[0]["item_id"] == bus["id"]
    assert "expires on Sat 17 Jul 2027" in found[0]["message"]
    assert "Sun 18 Jul 02:45 (Lviv, Lvivvodokanal depot, EEST)" in found[0]["message"]
    assert found[0]["context"] == {"needed_until_on": "2027-07-18"}

    legs = detail(client, planned.id)["legs"]
    assert (legs[0]["from_time_zone"], legs[0]["to_time_zone"]) == ("Europe/Berlin", "Europe/Kyiv")
    assert legs[0]["planned_arrival_at"] == "2027-07-17T23:45:00Z"  # the JSON keeps UTC


def test_a_plate_valid_on_the_local_day_of_arrival_passes(client: TestClient) -> None:
    planned, _ = _one_night_leg_to_lviv(client, plate_until=date(2027, 7, 18))
    assert b.readiness(client, planned.id)["blockers"] == []


def test_an_unknown_time_zone_is_422_naming_the_field(client: TestClient) -> None:
    start = b.friday_ahead()
    convoy = b.convoy(client, start)
    response = b.post(
        client,
        f"/convoys/{convoy['id']}/legs",
        {
            "from_place": "Wuppertal",
            "to_place": "Lviv",
            "to_time_zone": "Europe/Lemberg",
            "planned_departure_at": iso(start),
            "planned_arrival_at": iso(start + 30 * H),
            "distance_km": 1400,
        },
    )
    assert b.error_fields(response) == ["to_time_zone"]
    assert "Europe/Lemberg" in response.text
    bad_convoy = b.post(
        client,
        "/convoys",
        {
            "number": "W4U-TZ",
            "name": "Zone-less",
            "coordinator_name": "C",
            "planned_departure_at": iso(start),
            "meeting_point": "Depot",
            "meeting_time_zone": "CEST",
        },
    )
    assert b.error_fields(bad_convoy) == ["meeting_time_zone"]
    assert detail(client, convoy["id"])["legs"] == []


def test_a_one_day_availability_reads_free_on_that_day(client: TestClient) -> None:
    planned = b.planned_convoy(client, assigned=False, drivers=0)
    leg = planned.legs[0]
    day = planned.start.date()
    elsewhere = day + timedelta(days=20)
    person = b.driver(client, free=(elsewhere, elsewhere))
    b.assign(client, planned.id, leg["id"], planned.vehicles[0]["id"], person["id"])
    found = [f for f in b.readiness(client, planned.id)["blockers"] if f["driver_id"]]
    assert b.codes(found) == ["driver_unavailable"]
    assert f"is not free on {day:%d %b} (leg 1, " in found[0]["message"]
    assert f"{day:%d %b} to {day:%d %b}" not in found[0]["message"]


# --- 2. the trip ends at the handover ---------------------------------------------------------


def test_plates_must_last_until_the_planned_handover(client: TestClient) -> None:
    # Arrival Sunday 02:45 in Lviv, handover Monday 09:00 Kyiv time (06:00 UTC).
    handover = datetime(2027, 7, 19, 6, 0, tzinfo=UTC)
    planned, _ = _one_night_leg_to_lviv(
        client,
        plate_until=date(2027, 7, 18),
        planned_handover_at=iso(handover),
        handover_place="Lvivvodokanal, vul. Zelena 64",
    )
    found = b.readiness(client, planned.id)["blockers"]
    assert b.codes(found) == ["export_plate_expires_during_trip", "insurance_ends_during_trip"]
    assert (
        "before the handover Mon 19 Jul 09:00 (Lvivvodokanal, vul. Zelena 64, EEST)"
        in found[0]["message"]
    )
    assert b.post(client, f"/convoys/{planned.id}/depart").status_code == 409
    convoy = detail(client, planned.id)
    assert convoy["planned_handover_at"] == "2027-07-19T06:00:00Z"
    assert convoy["status"] == "planning"


def test_a_handover_before_the_departure_is_422(client: TestClient) -> None:
    start = b.friday_ahead()
    response = b.post(
        client,
        "/convoys",
        {
            "number": "W4U-HO",
            "name": "Backwards",
            "coordinator_name": "C",
            "planned_departure_at": iso(start),
            "planned_handover_at": iso(start - H),
            "meeting_point": "Depot",
            "meeting_time_zone": "Europe/Berlin",
        },
    )
    assert b.error_fields(response) == ["planned_handover_at"]


def test_export_ready_months_ahead_with_plates_valid_from_a_future_day(
    client: TestClient,
) -> None:
    today = datetime.now(UTC).date()
    first, trip_end = today + timedelta(days=60), today + timedelta(days=75)
    record = {
        "plate_valid_from_on": iso(first),
        "plate_valid_to_on": iso(first + timedelta(days=30)),
        "insurance_until_on": iso(first + timedelta(days=30)),
    }
    bus = b.vehicle(client, trip_end=trip_end, stage="certified", record=record)
    path = f"/items/{bus['id']}/mark-export-ready"
    too_early = b.post(
        client,
        path,
        {"plates_valid_until": iso(trip_end), "trip_starts_on": iso(first - timedelta(days=1))},
    )
    assert b.refusal_codes(too_early) == ["plate_not_yet_valid"]
    assert b.get(client, f"/items/{bus['id']}")["status"] == "certified"
    ready = _ok(
        b.post(
            client,
            path,
            {"plates_valid_until": iso(trip_end), "trip_starts_on": iso(first + timedelta(days=2))},
        )
    )
    assert ready["status"] == "export_ready"
    assert (ready["plates_needed_from_on"], ready["plates_needed_until_on"]) == (
        iso(first + timedelta(days=2)),
        iso(trip_end),
    )


def test_shortened_plates_take_an_export_ready_item_back_and_its_ready_convoy_too(
    client: TestClient,
) -> None:
    planned = b.planned_convoy(client)
    _ready(client, planned)
    bus = planned.vehicles[0]
    record = b.get(client, f"/items/{bus['id']}/export-record")
    cut = planned.arrival.date() - timedelta(days=1)
    response = client.patch(
        f"{API}/export-records/{record['id']}",
        json={"plate_valid_to_on": iso(cut), "insurance_until_on": iso(cut)},
    )
    assert response.status_code == 200, response.text
    item = b.get(client, f"/items/{bus['id']}")
    assert item["status"] == "certified"
    assert item["status_reason"].startswith("export data changed: Export plate")
    convoy = detail(client, planned.id)
    assert convoy["status"] == "planning"
    assert convoy["status_reason"].startswith("Back to planning: ")
    codes = b.codes(b.readiness(client, planned.id)["blockers"])
    assert "item_not_export_ready" in codes
    assert "export_plate_expires_during_trip" in codes
    changes = [e["changes"] for e in b.get(client, f"/convoys/{planned.id}/history")["items"]]
    assert {"before": "ready", "after": "planning"} in [c.get("status") for c in changes]


# --- 3. status that never lies -----------------------------------------------------------------


def test_a_ready_convoy_whose_driver_becomes_unavailable_returns_to_planning(
    client: TestClient,
) -> None:
    planned = b.planned_convoy(client)
    _ready(client, planned)
    person = planned.drivers[0]
    elsewhere = planned.start.date() + timedelta(days=30)
    response = client.patch(
        f"{API}/drivers/{person['id']}",
        json={
            "availability": [
                {"available_from_on": iso(elsewhere), "available_to_on": iso(elsewhere)}
            ]
        },
    )
    assert response.status_code == 200, response.text
    convoy = detail(client, planned.id)
    assert convoy["status"] == "planning"
    assert f"{person['name']} is not free" in convoy["status_reason"]
    listed = b.get(client, "/convoys?status=ready")["items"]
    assert planned.id not in [c["id"] for c in listed]


def test_a_change_that_keeps_the_convoy_clear_keeps_it_ready(client: TestClient) -> None:
    planned = b.planned_convoy(client)
    _ready(client, planned)
    person = planned.drivers[0]
    _ok(client.patch(f"{API}/drivers/{person['id']}", json={"notes": "prefers the night shift"}))
    assert detail(client, planned.id)["status"] == "ready"


def test_an_early_departure_takes_reports_and_handovers_from_then_on(
    client: TestClient,
) -> None:
    start = (datetime.now(UTC) + 40 * H).replace(minute=0, second=0, microsecond=0)
    planned = b.planned_convoy(client, start=start)
    left = datetime.now(UTC) - 5 * M
    convoy = _ok(b.post(client, f"/convoys/{planned.id}/depart", {"departed_at": iso(left)}))
    assert convoy["status"] == "under_way"
    assert datetime.fromisoformat(convoy["actual_departure_at"]) == left
    leg = planned.legs[0]["id"]
    report = {"kind": "position", "occurred_at": iso(datetime.now(UTC) - M)}
    _ok(b.post(client, f"/convoys/{planned.id}/legs/{leg}/events", report), 201)
    before = {"kind": "position", "occurred_at": iso(left - H)}
    refused = b.post(client, f"/convoys/{planned.id}/legs/{leg}/events", before)
    assert b.error_fields(refused) == ["occurred_at"]
    handover = {
        "item_id": planned.vehicles[0]["id"],
        "receiver_name": "Ivan Petrenko",
        "receiver_role": "Deputy technical director",
        # Today where the trip ends and the handover happens: its calendar, not Kyiv's (after
        # 22:00 UTC in winter Kyiv is a day ahead of Berlin, where this trip ends).
        "handed_over_on": iso(datetime.now(ZoneInfo(planned.legs[-1]["to_time_zone"])).date()),
        "place": "Hermsdorfer Kreuz rest area",
    }
    _ok(b.post(client, f"/convoys/{planned.id}/handovers", handover), 201)


def test_the_plan_of_a_departed_convoy_is_history(client: TestClient) -> None:
    planned = b.planned_convoy(client)
    _ok(b.post(client, f"/convoys/{planned.id}/depart"))
    before = detail(client, planned.id)
    moved = iso(planned.start - 24 * H)
    response = client.patch(
        f"{API}/convoys/{planned.id}",
        json={"planned_departure_at": moved, "planned_return_at": iso(planned.start + 72 * H)},
    )
    assert b.refusal_codes(response) == ["plan_is_history", "plan_is_history"]
    assert [r["field"] for r in response.json()["reasons"]] == [
        "planned_departure_at",
        "planned_return_at",
    ]
    assert detail(client, planned.id) == before
    notes = client.patch(f"{API}/convoys/{planned.id}", json={"notes": "queue at Krakovets"})
    assert notes.status_code == 200


# --- 4. people drop out --------------------------------------------------------------------------


def test_a_driver_withdraws_in_one_action_with_a_reason(
    client: TestClient, as_role: RoleClients
) -> None:
    planned = b.planned_convoy(client, plan=b.FIRST_CONVOY, vehicles=2)
    _ready(client, planned)
    leaving, staying = planned.drivers
    bus = planned.vehicles[0]
    withdrawal = _ok(
        b.post(
            client,
            f"/convoys/{planned.id}/drivers/{leaving['id']}/withdraw",
            {"reason": "heat", "note": "doctor's advice"},
        ),
        201,
    )
    assert withdrawal["reason"] == "heat"
    assert withdrawal["left_open"] == [f"leg {n}: {bus['name']}" for n in (1, 2, 3)]
    convoy = detail(client, planned.id)
    assert {a["driver_id"] for a in convoy["assignments"]} == {staying["id"]}
    assert convoy["status"] == "planning"
    assert "withdrew (heat)" in convoy["status_reason"]
    found = b.readiness(client, planned.id)["blockers"]
    assert [(f["code"], f["item_id"], f["leg_id"]) for f in found] == [
        ("vehicle_without_driver", bus["id"], leg["id"]) for leg in planned.legs
    ]
    assert all(f"{leaving['name']} withdrew (heat)" in f["message"] for f in found)
    assert b.get(client, f"/convoys/{planned.id}/withdrawals") == [withdrawal]
    history = b.get(client, f"/convoys/{planned.id}/history")["items"]
    removed = [e for e in history if e["entity"] == "assignment" and e["action"] == "delete"]
    assert len(removed) == 3

    # The driver who left is told so, not that the convoy does not exist.
    gone = as_role(Role.driver, driver_id=leaving["id"])
    response = gone.get(f"{API}/convoys/{planned.id}")
    assert response.status_code == 403
    assert response.json()["detail"] == "You are no longer assigned to this convoy"
    report = {"kind": "position", "occurred_at": iso(datetime.now(UTC))}
    leg = planned.legs[0]["id"]
    assert b.post(gone, f"/convoys/{planned.id}/legs/{leg}/events", report).status_code == 403
    stranger = as_role(Role.driver, driver_id=b.driver(client, free=None)["id"])
    assert stranger.get(f"{API}/convoys/{planned.id}").status_code == 404


def test_withdrawing_a_driver_who_drives_nothing_is_409(client: TestClient) -> None:
    planned = b.planned_convoy(client)
    idle = b.driver(client, free=planned.free)
    before = detail(client, planned.id)
    response = b.post(
        client, f"/convoys/{planned.id}/drivers/{idle['id']}/withdraw", {"reason": "ill"}
    )
    assert b.refusal_codes(response) == ["driver_not_on_convoy"]
    unknown_reason = b.post(
        client,
        f"/convoys/{planned.id}/drivers/{planned.drivers[0]['id']}/withdraw",
        {"reason": "bored"},
    )
    assert b.error_fields(unknown_reason) == ["reason"]
    assert detail(client, planned.id) == before


def test_reports_record_the_account_that_made_them(
    client: TestClient, as_role: RoleClients
) -> None:
    start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - 2 * H
    planned = b.planned_convoy(client, start=start)
    _ok(b.post(client, f"/convoys/{planned.id}/depart"))
    leg = planned.legs[0]["id"]
    driver = as_role(Role.driver, driver_id=planned.drivers[0]["id"])
    own = _ok(
        b.post(
            driver,
            f"/convoys/{planned.id}/legs/{leg}/events",
            {"kind": "departed", "occurred_at": iso(start)},
        ),
        201,
    )
    me = _ok(driver.get(f"{API}/auth/me"))
    assert (own["reporter_user_id"], own["reported_for"]) == (me["id"], None)
    assert own["reporter_name"] in {me["full_name"], me["username"]}
    relayed = _ok(
        b.post(
            client,
            f"/convoys/{planned.id}/legs/{leg}/events",
            {
                "kind": "border_queued",
                "occurred_at": iso(datetime.now(UTC)),
                "reported_for": planned.drivers[0]["name"],
            },
        ),
        201,
    )
    assert relayed["reported_for"] == planned.drivers[0]["name"]
    assert relayed["reporter_user_id"] != me["id"]


# --- 5. fewer calls -------------------------------------------------------------------------


def test_drivers_for_the_whole_trip_in_one_call(client: TestClient) -> None:
    planned = b.planned_convoy(client, plan=b.FIRST_CONVOY, vehicles=3, assigned=False)
    body = {
        "assignments": [
            {"vehicle_id": v["id"], "driver_id": d["id"]}
            for v, d in zip(planned.vehicles, planned.drivers, strict=True)
        ]
    }
    made = _ok(b.post(client, f"/convoys/{planned.id}/assignments/trip", body), 201)
    assert len(made) == 9
    assert b.readiness(client, planned.id)["blockers"] == []


def test_a_driver_for_a_range_of_legs(client: TestClient) -> None:
    planned = b.planned_convoy(client, plan=b.FIRST_CONVOY, assigned=False)
    bus, person = planned.vehicles[0], planned.drivers[0]
    body = {
        "assignments": [
            {"vehicle_id": bus["id"], "driver_id": person["id"], "first_leg": 2, "last_leg": 3}
        ]
    }
    made = _ok(b.post(client, f"/convoys/{planned.id}/assignments/trip", body), 201)
    assert [a["leg_id"] for a in made] == [leg["id"] for leg in planned.legs[1:]]
    no_such_leg = b.post(
        client,
        f"/convoys/{planned.id}/assignments/trip",
        {"assignments": [{"vehicle_id": bus["id"], "driver_id": person["id"], "last_leg": 7}]},
    )
    assert b.error_fields(no_such_leg) == ["assignments.0.last_leg"]


def test_a_refused_trip_assignment_changes_nothing_and_gives_every_reason(
    client: TestClient,
) -> None:
    planned = b.planned_convoy(client, plan=b.FIRST_CONVOY, vehicles=2, drivers=1, assigned=False)
    person = planned.drivers[0]
    before = detail(client, planned.id)
    body = {
        "assignments": [
            {"vehicle_id": v["id"], "driver_id": person["id"]} for v in planned.vehicles
        ]
    }
    response = b.post(client, f"/convoys/{planned.id}/assignments/trip", body)
    assert b.refusal_codes(response) == ["driver_double_booked"] * 3
    assert [r["leg_id"] for r in response.json()["reasons"]] == [leg["id"] for leg in planned.legs]
    assert detail(client, planned.id) == before


def test_swap_one_driver_for_another_across_the_convoy(client: TestClient) -> None:
    planned = b.planned_convoy(client, plan=b.FIRST_CONVOY)
    old, new = planned.drivers[0], b.driver(client, free=planned.free)
    made = _ok(
        b.post(
            client,
            f"/convoys/{planned.id}/assignments/swap",
            {"from_driver_id": old["id"], "to_driver_id": new["id"]},
        )
    )
    assert len(made) == 3
    assert {a["driver_id"] for a in detail(client, planned.id)["assignments"]} == {new["id"]}

    busy = b.planned_convoy(client, start=planned.start, plan=b.FIRST_CONVOY)
    before = detail(client, busy.id)
    response = b.post(
        client,
        f"/convoys/{busy.id}/assignments/swap",
        {"from_driver_id": busy.drivers[0]["id"], "to_driver_id": new["id"]},
    )
    assert b.refusal_codes(response) == ["driver_double_booked"] * 3
    assert detail(client, busy.id) == before


def test_load_several_items_at_once_all_or_nothing(client: TestClient) -> None:
    planned = b.planned_convoy(client, vehicles=0, drivers=0)
    trip_end = planned.arrival.date()
    where = planned.destination
    bus = b.vehicle(client, trip_end=trip_end, destination=where)
    pump = b.equipment(client, trip_end=trip_end, destination=where)
    offered = b.vehicle(client, trip_end=trip_end, stage="offered")
    path = f"/convoys/{planned.id}/items/batch"
    refused = b.post(
        client,
        path,
        {
            "items": [
                {"item_id": pump["id"], "carrier_id": bus["id"]},
                {"item_id": bus["id"]},
                {"item_id": offered["id"]},
            ]
        },
    )
    assert b.refusal_codes(refused) == ["item_not_loadable"]
    assert refused.json()["reasons"][0]["field"] == "items.2.item_id"
    assert refused.json()["reasons"][0]["item_id"] == offered["id"]
    assert detail(client, planned.id)["items"] == []
    loaded = _ok(
        b.post(
            client,
            path,
            {"items": [{"item_id": pump["id"], "carrier_id": bus["id"]}, {"item_id": bus["id"]}]},
        ),
        201,
    )
    assert {(i["item_id"], i["carrier_id"]) for i in loaded["items"]} == {
        (bus["id"], None),
        (pump["id"], bus["id"]),
    }


# --- 6. vehicles with trailers -----------------------------------------------------------------


def _truck(client: TestClient, gross_kg: int, trailer_kg: int | None, **fields: Any) -> Any:
    donor = factories.donor(client)
    trailer = (
        {
            "trailer_type": "Tandem drawbar trailer",
            "trailer_registration": "KEH-AW 318",
            "trailer_permissible_weight_kg": trailer_kg,
        }
        if trailer_kg is not None
        else {}
    )
    body = {"kind": "truck", "seats": None, "gross_weight_kg": gross_kg, "weight_kg": gross_kg // 2}
    return client.post(
        f"{API}/items",
        json={
            **factories.vehicle_body(donor["id"], vin=b.vin()),
            **body,
            **trailer,
            **fields,
        },
    )


def test_a_heavy_trailer_adds_the_e_to_the_licence_needed(client: TestClient) -> None:
    cases = [
        (18_000, None, "C"),
        (18_000, 750, "C"),  # a light trailer changes nothing
        (18_000, 2_000, "CE"),
        (5_000, 2_000, "C1E"),
        (5_000, 9_000, "CE"),  # C1E ends at 12 t together
        (3_000, 400, "B"),
        (2_500, 900, "B"),  # B tows it: 3,400 kg together
        (3_000, 1_500, "BE"),
    ]
    needed = [
        (gross, trailer, _ok(_truck(client, gross, trailer), 201)["licence_class_required"])
        for gross, trailer, _ in cases
    ]
    assert needed == cases
    bus = factories.vehicle(
        client,
        factories.donor(client)["id"],
        vin=b.vin(),
        trailer_type="Luggage trailer",
        trailer_permissible_weight_kg=1_300,
    )
    assert bus["licence_class_required"] == "DE"


def test_a_trailer_needs_type_and_weight_and_a_vehicle_to_pull_it(client: TestClient) -> None:
    refused = _truck(client, 18_000, None, trailer_registration="KEH-AW 318")
    assert refused.status_code == 422, refused.text
    assert set(b.error_fields(refused)) == {"trailer_type", "trailer_permissible_weight_kg"}
    donor = factories.donor(client)
    on_equipment = client.post(
        f"{API}/items",
        json={
            **factories.equipment_body(donor["id"]),
            "trailer_type": "Generator trailer",
            "trailer_permissible_weight_kg": 2_000,
        },
    )
    assert on_equipment.status_code == 422, on_equipment.text
    assert set(b.error_fields(on_equipment)) == {"trailer_type", "trailer_permissible_weight_kg"}
    too_weak = _truck(client, 18_000, 2_000, licence_class_required="C")
    assert too_weak.status_code == 422, too_weak.text
    reason = too_weak.json()["detail"][0]
    assert reason["loc"] == ["body", "licence_class_required"]
    assert "towing a trailer of 2,000 kg" in reason["msg"]
    assert "needs class CE" in reason["msg"]


def test_a_c_holder_cannot_drive_a_truck_with_a_two_tonne_trailer(client: TestClient) -> None:
    planned = b.planned_convoy(client, vehicles=0, drivers=0)
    trip_end = planned.arrival.date()
    truck = b.vehicle(
        client,
        trip_end=trip_end,
        destination=planned.destination,
        kind="truck",
        seats=None,
        trailer_type="Tandem drawbar trailer",
        trailer_registration="KEH-AW 318",
        trailer_permissible_weight_kg=2_000,
    )
    assert truck["licence_class_required"] == "CE"
    b.load(client, planned.id, truck["id"])
    valid = date.today() + timedelta(days=3 * 365)
    c_only = b.driver(client, free=planned.free, licences={"B": valid, "C": valid})
    b.assign(client, planned.id, planned.legs[0]["id"], truck["id"], c_only["id"])
    found = b.readiness(client, planned.id)["blockers"]
    assert b.codes(found) == ["driver_licence_missing"]
    assert "needs licence class CE" in found[0]["message"]
    assert "Tandem drawbar trailer" in found[0]["message"]
    assert (found[0]["driver_id"], found[0]["item_id"]) == (c_only["id"], truck["id"])
    # The trailer travels with the vehicle's papers: the convoy shows it beside the vehicle.
    shown = next(i for i in detail(client, planned.id)["items"] if i["item_id"] == truck["id"])
    assert (shown["trailer_registration"], shown["trailer_permissible_weight_kg"]) == (
        "KEH-AW 318",
        2_000,
    )
    # Unhitching the trailer clears the blocker: the class is derived again from the truck.
    unhitched = client.patch(
        f"{API}/items/{truck['id']}",
        json={
            "trailer_type": None,
            "trailer_registration": None,
            "trailer_permissible_weight_kg": None,
        },
    )
    assert _ok(unhitched)["licence_class_required"] == "C"
    assert b.readiness(client, planned.id)["blockers"] == []


# --- 7. one shape for refusals ----------------------------------------------------------------


def test_a_refusal_and_a_readiness_finding_have_one_shape(client: TestClient) -> None:
    planned = b.planned_convoy(client, vehicles=2, drivers=1)
    finding = b.readiness(client, planned.id)["blockers"][0]
    refusal = b.post(client, f"/convoys/{planned.id}/depart").json()["reasons"][0]
    assert {k: v for k, v in finding.items() if v is not None} == refusal
    assert set(finding) == {
        "code",
        "message",
        "field",
        "item_id",
        "driver_id",
        "leg_id",
        "convoy_id",
        "assignment_id",
        "context",
    }
