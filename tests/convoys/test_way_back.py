"""The way back: the team drives home after the handover, and rests before it. On the first
convoy the escort team slept four hours in Lviv and drove back in the Sprinter: Konvoi warns
about that, names the driver and the local times, and a later return clears it."""

from typing import Any

from fastapi.testclient import TestClient

from tests.convoys import builders as b
from tests.convoys.builders import H, iso
from tests.factories import API

SPRINTER, MINIBUS = b.SPRINTER, b.MINIBUS


def _ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def _way_back(
    client: TestClient, vehicle: dict[str, Any], rest_hours: int
) -> tuple[b.Planned, dict[str, Any], dict[str, Any]]:
    """The first convoy (Fri 17:00 UTC Wuppertal -> Sun 05:00 UTC Lviv), its driver driving
    ``vehicle`` home ``rest_hours`` after the arrival, which is the handover."""
    planned = b.planned_convoy(client, plan=b.FIRST_CONVOY)
    back, leg = b.way_back(client, planned, vehicle, rest_hours)
    return planned, back, leg


def test_the_return_is_planned_through_the_api(client: TestClient) -> None:
    planned, back, leg = _way_back(client, SPRINTER, rest_hours=12)
    assert back["under_561"] is False
    plan = _ok(client.get(f"{API}/convoys/{planned.id}/return"))
    assert [v["name"] for v in plan] == ["Escort van (Sprinter)"]
    assert plan[0]["legs"] == [leg]
    assert leg["position"] == 1 and leg["driver_id"] == planned.drivers[0]["id"]
    readiness = b.readiness(client, planned.id)
    assert readiness["blockers"] == [] and readiness["warnings"] == []


def test_four_hours_sleep_before_the_van_home_is_a_warning_naming_driver_and_times(
    client: TestClient,
) -> None:
    planned, _back, leg = _way_back(client, SPRINTER, rest_hours=4)
    readiness = b.readiness(client, planned.id)
    assert readiness["blockers"] == []
    assert readiness["can_depart"] is True
    (warning,) = readiness["warnings"]
    assert warning["code"] == "return_rest_too_short"
    assert warning["driver_id"] == planned.drivers[0]["id"]
    name = planned.drivers[0]["name"]
    arrival = planned.arrival  # Sunday 05:00 UTC: 08:00 in Lviv (EEST) or 07:00 (EET)
    local = arrival.astimezone(__import__("zoneinfo").ZoneInfo("Europe/Kyiv"))
    zone = local.tzname()
    assert warning["message"].startswith(f"{name} rests only 4 h before driving Escort van")
    assert (
        f"{local:%H:%M} (Lviv, Lvivvodokanal depot (via Korczowa-Krakovets), {zone})"
        in (warning["message"])
    )
    assert f"{(local + 4 * H):%H:%M} (Lviv, Lvivvodokanal depot, {zone})" in warning["message"]
    assert "outside Regulation 561/2006" in warning["message"]
    assert warning["context"] == {"return_leg_id": leg["id"], "rest_minutes": 240}

    # The coordinator lets the team sleep: a return 11 hours after the handover clears it.
    later = planned.arrival + 11 * H
    moved = client.patch(
        f"{API}/convoys/{planned.id}/return/legs/{leg['id']}",
        json={"planned_departure_at": iso(later), "planned_arrival_at": iso(later + 4 * H)},
    )
    _ok(moved)
    assert b.readiness(client, planned.id)["warnings"] == []


def test_a_bus_home_falls_under_561_and_a_short_rest_blocks_departure(client: TestClient) -> None:
    planned, back, _leg = _way_back(client, MINIBUS, rest_hours=4)
    assert back["under_561"] is True
    readiness = b.readiness(client, planned.id)
    assert b.codes(readiness["blockers"]) == ["return_rest_too_short"]
    assert readiness["can_depart"] is False
    assert "Hired minibus" in readiness["blockers"][0]["message"]
    refused = b.post(client, f"/convoys/{planned.id}/mark-ready")
    assert refused.status_code == 409


def test_a_bus_home_is_checked_by_the_driving_rules(client: TestClient) -> None:
    """Seven hours at the wheel of a minibus without a break breaks the 4.5-hour rule."""
    planned = b.planned_convoy(client, plan=b.FIRST_CONVOY)
    back = _ok(b.post(client, f"/convoys/{planned.id}/return/vehicles", MINIBUS), 201)
    leaves = planned.arrival + 12 * H
    _ok(
        b.post(
            client,
            f"/convoys/{planned.id}/return/vehicles/{back['id']}/legs",
            {
                "from_place": "Lviv",
                "to_place": "Hermsdorfer Kreuz",
                "to_time_zone": "Europe/Berlin",
                "planned_departure_at": iso(leaves),
                "planned_arrival_at": iso(leaves + 7 * H),
                "distance_km": 700,
                "driver_id": planned.drivers[0]["id"],
            },
        ),
        201,
    )
    codes = b.codes(b.readiness(client, planned.id)["blockers"])
    assert codes == ["driving_time_continuous_driving_over_4h30"]


def test_a_return_before_the_handover_or_by_an_unknown_driver_is_422(client: TestClient) -> None:
    planned = b.planned_convoy(client, plan=b.FIRST_CONVOY)
    back = _ok(b.post(client, f"/convoys/{planned.id}/return/vehicles", SPRINTER), 201)
    body = {
        "from_place": "Lviv",
        "to_place": "Rzeszów",
        "to_time_zone": "Europe/Warsaw",
        "planned_departure_at": iso(planned.arrival - H),
        "planned_arrival_at": iso(planned.arrival + 3 * H),
        "distance_km": 170,
    }
    path = f"/convoys/{planned.id}/return/vehicles/{back['id']}/legs"
    assert b.error_fields(b.post(client, path, body)) == ["planned_departure_at"]
    later = {
        **body,
        "planned_departure_at": iso(planned.arrival + 12 * H),
        "planned_arrival_at": iso(planned.arrival + 16 * H),
    }
    assert b.error_fields(b.post(client, path, {**later, "driver_id": 999999})) == ["driver_id"]
    assert b.error_fields(b.post(client, path, {**later, "to_time_zone": "Mars/Base"})) == [
        "to_time_zone"
    ]
    bad_vehicle = b.post(client, f"/convoys/{planned.id}/return/vehicles", {"name": "Van"})
    assert b.error_fields(bad_vehicle) == ["gross_weight_kg", "seats"]
    assert (
        b.post(client, f"/convoys/{planned.id}/return/vehicles/999999/legs", later).status_code
        == 404
    )
