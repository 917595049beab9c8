"""The readiness check: each blocker and warning, from a plan that breaks exactly one rule.

Every test starts from a convoy that can depart (export-ready bus, one leg, a licensed and
available driver) and changes one thing through the API.
"""

from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient

from tests import factories
from tests.convoys import builders as b
from tests.convoys.builders import H, LegPlan, M, iso
from tests.factories import API


def patch(client: TestClient, path: str, body: dict[str, Any]) -> Any:
    response = client.patch(f"{API}{path}", json=body)
    assert response.status_code == 200, response.text
    return response.json()


def export_record_of(client: TestClient, item_id: int) -> dict[str, Any]:
    data: dict[str, Any] = b.get(client, f"/items/{item_id}/export-record")
    return data


def blockers(client: TestClient, convoy_id: int) -> list[str]:
    return b.codes(b.readiness(client, convoy_id)["blockers"])


def test_a_complete_plan_has_no_blockers_and_no_warnings(client: TestClient) -> None:
    planned = b.planned_convoy(client, plan=b.FIRST_CONVOY)
    assert b.readiness(client, planned.id) == {
        "convoy_id": planned.id,
        "status": "planning",
        "can_depart": True,
        "blockers": [],
        "warnings": [],
    }


def test_unknown_convoy_is_404(client: TestClient) -> None:
    assert client.get(f"{API}/convoys/999999/readiness").status_code == 404


# --- route and load --------------------------------------------------------------------------


def test_no_legs(client: TestClient) -> None:
    start = b.friday_ahead()
    convoy = b.convoy(client, start)
    bus = b.vehicle(client, trip_end=start.date())
    b.load(client, convoy["id"], bus["id"])
    result = b.readiness(client, convoy["id"])
    assert b.codes(result["blockers"]) == ["no_legs"]
    assert result["can_depart"] is False


def test_no_vehicles(client: TestClient) -> None:
    start = b.friday_ahead()
    convoy = b.convoy(client, start)
    b.leg(client, convoy["id"], start, start + 3 * H)
    assert blockers(client, convoy["id"]) == ["no_vehicles"]


def test_item_without_destination(client: TestClient) -> None:
    planned = b.planned_convoy(client)
    pump = b.equipment(client, trip_end=planned.arrival.date(), stage="accepted", kind="pump")
    b.load(client, planned.id, pump["id"], carrier_id=planned.vehicles[0]["id"])
    found = b.readiness(client, planned.id)["blockers"]
    assert b.codes(found) == ["item_not_export_ready", "item_without_destination"]
    assert {f["item_id"] for f in found} == {pump["id"]}


def test_item_without_certificate_valid_on_departure(client: TestClient) -> None:
    planned = b.planned_convoy(client)
    bus = planned.vehicles[0]
    certificate = b.get(client, f"/certificates?item_id={bus['id']}")["items"][0]
    # The certificate runs out before the convoy leaves.
    patch(
        client,
        f"/certificates/{certificate['id']}",
        {"valid_until_on": iso(planned.start.date() - timedelta(days=1))},
    )
    found = b.readiness(client, planned.id)["blockers"]
    assert b.codes(found) == ["item_without_certificate"]
    assert found[0]["item_id"] == bus["id"]
    assert "Verwendungsnachweis" in found[0]["message"]


def test_item_not_export_ready(client: TestClient) -> None:
    planned = b.planned_convoy(client)
    truck = b.vehicle(
        client,
        trip_end=planned.arrival.date(),
        destination=planned.destination,
        stage="certified",
        kind="truck",
        name="MAN TGS 26.400 tipper",
        seats=2,
        gross_weight_kg=26_000,
    )
    b.load(client, planned.id, truck["id"])
    extra = b.driver(client, free=planned.free)
    b.assign(client, planned.id, planned.legs[0]["id"], truck["id"], extra["id"])
    found = b.readiness(client, planned.id)["blockers"]
    assert b.codes(found) == ["item_not_export_ready"]
    assert found[0]["message"] == "MAN TGS 26.400 tipper is certified, not export-ready."


def test_equipment_without_carrier(client: TestClient) -> None:
    planned = b.planned_convoy(client)
    generator = b.equipment(
        client, trip_end=planned.arrival.date(), destination=planned.destination
    )
    b.load(client, planned.id, generator["id"])
    found = b.readiness(client, planned.id)["blockers"]
    assert b.codes(found) == ["equipment_without_carrier"]
    assert found[0]["item_id"] == generator["id"]


# --- export plates, insurance, inspection ----------------------------------------------------


def _record_path(client: TestClient, planned: b.Planned) -> str:
    return f"/export-records/{export_record_of(client, planned.vehicles[0]['id'])['id']}"


def test_export_plate_missing(client: TestClient) -> None:
    planned = b.planned_convoy(client)
    patch(
        client,
        _record_path(client, planned),
        {"export_plate": None, "plate_valid_from_on": None, "plate_valid_to_on": None},
    )
    # The item no longer meets the trip it was marked export-ready for: it went back.
    assert blockers(client, planned.id) == ["export_plate_missing", "item_not_export_ready"]


def test_export_plate_not_yet_valid_on_departure(client: TestClient) -> None:
    planned = b.planned_convoy(client)
    patch(
        client,
        _record_path(client, planned),
        {"plate_valid_from_on": iso(planned.start.date() + timedelta(days=1))},
    )
    assert blockers(client, planned.id) == ["export_plate_not_yet_valid"]


def test_export_plate_expiring_before_arrival(client: TestClient) -> None:
    planned = b.planned_convoy(client, plan=b.FIRST_CONVOY)  # Friday to Sunday
    patch(
        client,
        _record_path(client, planned),
        {"plate_valid_to_on": iso(planned.start.date() + timedelta(days=1))},  # Saturday
    )
    found = b.readiness(client, planned.id)["blockers"]
    assert b.codes(found) == ["export_plate_expires_during_trip", "item_not_export_ready"]
    plate = next(f for f in found if f["code"] == "export_plate_expires_during_trip")
    # The arrival is named in Lviv's local time, with its zone.
    assert "before the arrival Sun " in plate["message"]
    assert "(Lviv, Lvivvodokanal depot (via Korczowa-Krakovets), EET)" in plate["message"]
    expiry = planned.start.date() + timedelta(days=1)
    assert f"expires on {expiry:%a %d %b %Y}" in plate["message"]


def test_insurance_not_recorded_for_the_trip(client: TestClient) -> None:
    planned = b.planned_convoy(client)
    patch(client, _record_path(client, planned), {"insurance_until_on": None})
    assert blockers(client, planned.id) == ["insurance_ends_during_trip", "item_not_export_ready"]


def test_insurance_ending_before_arrival(client: TestClient) -> None:
    planned = b.planned_convoy(client, plan=b.FIRST_CONVOY)
    saturday = iso(planned.start.date() + timedelta(days=1))
    patch(
        client,
        _record_path(client, planned),
        {"plate_valid_to_on": saturday, "insurance_until_on": saturday},
    )
    assert blockers(client, planned.id) == [
        "export_plate_expires_during_trip",
        "insurance_ends_during_trip",
        "item_not_export_ready",
    ]


def test_inspection_due_before_arrival(client: TestClient) -> None:
    planned = b.planned_convoy(client, plan=b.FIRST_CONVOY)
    saturday = iso(planned.start.date() + timedelta(days=1))
    patch(
        client,
        _record_path(client, planned),
        {"plate_valid_to_on": saturday, "inspection_due_on": saturday},
    )
    assert blockers(client, planned.id) == [
        "export_plate_expires_during_trip",
        "inspection_due_during_trip",
        "item_not_export_ready",
    ]


def test_inspection_date_not_recorded(client: TestClient) -> None:
    planned = b.planned_convoy(client)
    patch(client, _record_path(client, planned), {"inspection_due_on": None})
    found = b.readiness(client, planned.id)["blockers"]
    assert b.codes(found) == ["inspection_due_during_trip", "item_not_export_ready"]
    assert "no inspection" in found[-1]["message"].lower()


def test_export_plate_expiring_soon_after_arrival_is_a_warning(client: TestClient) -> None:
    planned = b.planned_convoy(client)
    two_days_after = planned.arrival.date() + timedelta(days=2)
    patch(client, _record_path(client, planned), {"plate_valid_to_on": iso(two_days_after)})
    result = b.readiness(client, planned.id)
    assert result["blockers"] == []
    assert b.codes(result["warnings"]) == ["export_plate_expires_soon"]
    assert "2 day(s) after the arrival" in result["warnings"][0]["message"]
    # Four days of margin is enough.
    patch(
        client,
        _record_path(client, planned),
        {"plate_valid_to_on": iso(two_days_after + timedelta(days=2))},
    )
    assert b.readiness(client, planned.id)["warnings"] == []


def test_vin_check_digit_is_a_warning(client: TestClient) -> None:
    planned = b.planned_convoy(client)
    european = b.vehicle(
        client,
        trip_end=planned.arrival.date(),
        destination=planned.destination,
        check_digit_ok=False,
    )
    b.load(client, planned.id, european["id"])
    b.assign(
        client,
        planned.id,
        planned.legs[0]["id"],
        european["id"],
        b.driver(client, free=planned.free)["id"],
    )
    result = b.readiness(client, planned.id)
    assert result["blockers"] == []
    assert b.codes(result["warnings"]) == ["vin_check_digit"]
    assert result["warnings"][0]["item_id"] == european["id"]


# --- drivers ---------------------------------------------------------------------------------


def test_vehicle_without_driver(client: TestClient) -> None:
    planned = b.planned_convoy(client, assigned=False)
    result = b.readiness(client, planned.id)
    assert b.codes(result["blockers"]) == ["vehicle_without_driver"]
    blocker = result["blockers"][0]
    assert (blocker["item_id"], blocker["leg_id"]) == (
        planned.vehicles[0]["id"],
        planned.legs[0]["id"],
    )
    assert b.codes(result["warnings"]) == ["driver_shortage"]
    assert result["warnings"][0]["context"] == {"vehicles": 1, "drivers": 0}


def test_driver_shortage_shows_the_shuttle_plan(client: TestClient) -> None:
    planned = b.planned_convoy(client, vehicles=3, drivers=2)
    result = b.readiness(client, planned.id)
    assert b.codes(result["blockers"]) == ["vehicle_without_driver"]
    assert b.codes(result["warnings"]) == ["driver_shortage"]
    shortage = result["warnings"][0]
    # 4 h 30 min of driving; one driver moves two buses: drive, be driven back, drive again.
    assert shortage["context"] == {
        "vehicles": 3,
        "drivers": 2,
        "rounds": 2,
        "vehicles_per_driver": 2,
        "extra_minutes": 540,
    }
    assert shortage["leg_id"] == planned.legs[0]["id"]
    assert "1 driver must move 2 vehicles in stages" in shortage["message"]
    assert "about 9 h longer" in shortage["message"]


def test_driver_without_the_licence_class(client: TestClient) -> None:
    planned = b.planned_convoy(client)
    person = planned.drivers[0]
    patch(
        client,
        f"/drivers/{person['id']}",
        {"licences": [{"licence_class": "CE", "expires_on": "2035-01-01"}]},
    )
    found = b.readiness(client, planned.id)["blockers"]
    assert b.codes(found) == ["driver_licence_missing"]
    assert found[0]["driver_id"] == person["id"]
    assert "needs licence class D, and they do not hold it" in found[0]["message"]


def test_licence_expiring_before_the_convoy_is_back(client: TestClient) -> None:
    planned = b.planned_convoy(client)
    back = planned.arrival + timedelta(days=3)
    patch(client, f"/convoys/{planned.id}", {"planned_return_at": iso(back)})
    expires = planned.arrival.date() + timedelta(days=1)  # after arrival, before the return
    person = planned.drivers[0]
    patch(
        client,
        f"/drivers/{person['id']}",
        {"licences": [{"licence_class": "D", "expires_on": iso(expires)}]},
    )
    found = b.readiness(client, planned.id)["blockers"]
    assert b.codes(found) == ["driver_licence_missing"]
    assert f"expires on {expires:%a %d %b %Y}, before the team is back on " in found[0]["message"]
    patch(
        client,
        f"/drivers/{person['id']}",
        {"licences": [{"licence_class": "D", "expires_on": iso(back.date())}]},
    )
    assert blockers(client, planned.id) == []


def test_driver_outside_their_availability(client: TestClient) -> None:
    planned = b.planned_convoy(client)
    person = planned.drivers[0]
    day_before = planned.start.date() - timedelta(days=1)
    patch(
        client,
        f"/drivers/{person['id']}",
        {
            "availability": [
                {"available_from_on": iso(day_before), "available_to_on": iso(day_before)}
            ]
        },
    )
    found = b.readiness(client, planned.id)["blockers"]
    assert b.codes(found) == ["driver_unavailable"]
    assert found[0]["driver_id"] == person["id"]


def test_availability_windows_that_follow_each_other_count_as_one(client: TestClient) -> None:
    # Friday 20:00 to Saturday 01:15: the driver is free "Thursday-Friday" and "Saturday-Sunday".
    planned = b.planned_convoy(client, start=b.friday_ahead() + 3 * H)
    friday = planned.start.date()
    windows = [
        (friday - timedelta(days=1), friday),
        (friday + timedelta(days=1), friday + timedelta(days=2)),
    ]
    body = [{"available_from_on": iso(f), "available_to_on": iso(t)} for f, t in windows]
    patch(client, f"/drivers/{planned.drivers[0]['id']}", {"availability": body})
    assert b.readiness(client, planned.id)["blockers"] == []
    # A day missing in between is a gap.
    body[1]["available_from_on"] = iso(friday + timedelta(days=2))
    patch(client, f"/drivers/{planned.drivers[0]['id']}", {"availability": body})
    assert blockers(client, planned.id) == ["driver_unavailable"]


def test_driver_availability_unknown_is_a_warning(client: TestClient) -> None:
    planned = b.planned_convoy(client)
    patch(client, f"/drivers/{planned.drivers[0]['id']}", {"availability": []})
    result = b.readiness(client, planned.id)
    assert result["blockers"] == []
    assert b.codes(result["warnings"]) == ["driver_availability_unknown"]


def test_driver_double_booked_with_another_convoy(client: TestClient) -> None:
    planned = b.planned_convoy(client)
    person = planned.drivers[0]
    other = b.planned_convoy(client, start=planned.start + timedelta(days=7), assigned=False)
    b.assign(client, other.id, other.legs[0]["id"], other.vehicles[0]["id"], person["id"])
    assert blockers(client, planned.id) == []
    # The other convoy is brought forward onto our dates: the assignment moves with its leg.
    mine = planned.legs[0]
    patch(
        client,
        f"/convoys/{other.id}/legs/{other.legs[0]['id']}",
        {
            "planned_departure_at": mine["planned_departure_at"],
            "planned_arrival_at": mine["planned_arrival_at"],
        },
    )
    for convoy_id, their_id, their_number in (
        (planned.id, other.id, other.convoy["number"]),
        (other.id, planned.id, planned.convoy["number"]),
    ):
        found = b.readiness(client, convoy_id)["blockers"]
        assert b.codes(found) == ["driver_double_booked"]
        assert found[0]["driver_id"] == person["id"]
        assert found[0]["context"]["other_convoy_id"] == their_id
        assert f"convoy {their_number}, leg 1" in found[0]["message"]


# --- driving time (Regulation 561/2006) ------------------------------------------------------

SIX_HOURS_STRAIGHT = (LegPlan("Wuppertal", "Dresden", 0 * H, 6 * H, 560),)


def test_continuous_driving_over_four_and_a_half_hours(client: TestClient) -> None:
    planned = b.planned_convoy(client, plan=SIX_HOURS_STRAIGHT)
    found = b.readiness(client, planned.id)["blockers"]
    assert b.codes(found) == ["driving_time_continuous_driving_over_4h30"]
    assert found[0]["driver_id"] == planned.drivers[0]["id"]
    assert found[0]["context"] == {"over_by_minutes": 90}
    assert "Driving 6 h without a 45-minute break" in found[0]["message"]


def test_more_than_ten_hours_in_a_day(client: TestClient) -> None:
    # 12 h 30 min with 90 minutes of stops: 11 h of driving, in blocks of at most 4 h 30 min.
    long_day = (LegPlan("Wuppertal", "Wrocław", 0 * H, 12 * H + 30 * M, 1000, 90),)
    planned = b.planned_convoy(client, plan=long_day)
    found = b.readiness(client, planned.id)["blockers"]
    assert b.codes(found) == ["driving_time_daily_driving_over_10h"]
    assert found[0]["context"] == {"over_by_minutes": 60}


def test_driving_on_another_convoy_counts_against_the_daily_rest(client: TestClient) -> None:
    planned = b.planned_convoy(client)  # Friday 17:00-21:30 driving
    person = planned.drivers[0]
    night = planned.start + 10 * H  # Saturday 03:00, only 5 h 30 min after
    other = b.planned_convoy(
        client,
        start=night,
        plan=(LegPlan("Wuppertal", "Kassel", 0 * H, 6 * H, 250, 45),),
        assigned=False,
    )
    b.assign(client, other.id, other.legs[0]["id"], other.vehicles[0]["id"], person["id"])
    found = b.readiness(client, planned.id)["blockers"]
    assert b.codes(found) == ["driving_time_daily_rest_under_11h"]
    assert found[0]["driver_id"] == person["id"]


def test_humanitarian_exemption_turns_driving_time_into_warnings(client: TestClient) -> None:
    planned = b.planned_convoy(client, plan=SIX_HOURS_STRAIGHT, claims_humanitarian_exemption=True)
    result = b.readiness(client, planned.id)
    assert result["blockers"] == []
    assert result["can_depart"] is True
    assert b.codes(result["warnings"]) == ["driving_time_continuous_driving_over_4h30"]
    assert "humanitarian exemption" in result["warnings"][0]["message"]
    # Withdrawing the claim makes it a blocker again.
    patch(client, f"/convoys/{planned.id}", {"claims_humanitarian_exemption": False})
    assert blockers(client, planned.id) == ["driving_time_continuous_driving_over_4h30"]


# --- every blocker at once ------------------------------------------------------------------


def test_all_blockers_are_reported_in_one_call(client: TestClient) -> None:
    start = b.friday_ahead()
    convoy = b.convoy(client, start)
    b.leg(client, convoy["id"], start, start + 6 * H, planned_wait_minutes=0)
    offered_bus = b.vehicle(client, trip_end=start.date(), stage="accepted")
    generator = b.equipment(
        client, trip_end=start.date(), destination=factories.destination(client)
    )
    b.load(client, convoy["id"], offered_bus["id"])
    b.load(client, convoy["id"], generator["id"])
    assert blockers(client, convoy["id"]) == [
        "equipment_without_carrier",
        "export_plate_missing",
        "item_not_export_ready",
        "item_without_destination",
        "vehicle_without_driver",
    ]
