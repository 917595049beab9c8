"""The first Water4Ukraine convoy (DOMAIN.md): six vehicles, at first only four drivers.

Wuppertal bus depot Friday 17:00 -> eastern Poland -> Polish-Ukrainian border -> Lviv Sunday
05:00, 1,400 km. With four drivers the readiness check shows the shortage and what shuttling
in stages costs; with two more drivers nothing blocks and the convoy departs.
"""

from datetime import date, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient

from tests import factories
from tests.convoys import builders as b
from tests.convoys.builders import H, iso


def adult_born(years: int) -> str:
    today = date.today()
    return iso(today.replace(year=today.year - years) - timedelta(days=10))


def test_first_convoy_from_shortage_to_departure(client: TestClient) -> None:
    start = b.friday_ahead()
    assert (start.weekday(), start.hour) == (4, 17)  # Friday 17:00
    trip_end = (start + b.FIRST_CONVOY[-1].arrives).date()
    lviv = factories.destination(client, name="Lvivvodokanal", city="Lviv")
    chuhuiv = factories.destination(
        client, name="Chuhuiv water utility", city="Chuhuiv", oblast="Kharkivska"
    )
    wsw = factories.donor(client, name="WSW mobil GmbH")
    awg = factories.donor(client, name="AWG Abfallwirtschaftsgesellschaft Wuppertal")

    def vehicle(destination: dict[str, Any], donor: dict[str, Any], **kw: Any) -> dict[str, Any]:
        return b.vehicle(client, trip_end=trip_end, destination=destination, donor=donor, **kw)

    fleet = [
        vehicle(lviv, wsw, name="MAN Lion's City bus, fleet no. 4711"),
        vehicle(lviv, wsw, name="Mercedes Citaro bus, fleet no. 4712", make="Mercedes-Benz"),
        vehicle(
            chuhuiv,
            awg,
            kind="truck",
            name="MAN TGS 26.360 tipper",
            seats=2,
            weight_kg=12_000,
            gross_weight_kg=26_000,
        ),
        vehicle(
            chuhuiv,
            awg,
            kind="truck",
            name="Mercedes Actros 2532 sewer flusher",
            make="Mercedes-Benz",
            seats=2,
            weight_kg=14_000,
            gross_weight_kg=25_000,
        ),
        vehicle(
            lviv,
            wsw,
            kind="unimog",
            name="Unimog U 20 with crane",
            make="Mercedes-Benz",
            seats=2,
            weight_kg=5_000,
            gross_weight_kg=7_490,
        ),
        vehicle(
            lviv,
            wsw,
            kind="van",
            name="VW Crafter service van",
            make="Volkswagen",
            seats=3,
            weight_kg=2_200,
            gross_weight_kg=3_500,
        ),
    ]
    assert [v["licence_class_required"] for v in fleet] == ["D", "D", "C", "C", "C1", "B"]
    generators = [
        b.equipment(client, trip_end=trip_end, destination=chuhuiv, donor=awg) for _ in range(2)
    ]

    convoy = b.convoy(
        client,
        start,
        number="W4U-01",
        name="First convoy: Wuppertal → Lviv",
        planned_return_at=iso(start + 75 * H),  # the escort team drives back in the Sprinter
    )
    legs = b.legs_from(client, convoy["id"], start, b.FIRST_CONVOY)
    assert sum(leg["distance_km"] for leg in legs) == 1_400
    arrival = datetime.fromisoformat(legs[-1]["planned_arrival_at"])
    assert (arrival - start, arrival.weekday(), arrival.hour) == (36 * H, 6, 5)  # Sunday 05:00
    assert [leg["is_border_crossing"] for leg in legs] == [False, False, True]
    for item in fleet:
        b.load(client, convoy["id"], item["id"])
    for generator, truck in zip(generators, fleet[2:4], strict=True):
        b.load(client, convoy["id"], generator["id"], carrier_id=truck["id"])

    free = (start.date() - timedelta(days=1), start.date() + timedelta(days=4))
    ages = (76, 64, 58, 23)
    drivers = [
        b.driver(client, free=free, date_of_birth=adult_born(age), name=f"Volunteer aged {age}")
        for age in ages
    ]
    for leg in legs:
        for item, person in zip(fleet, drivers, strict=False):
            b.assign(client, convoy["id"], leg["id"], item["id"], person["id"])

    result = b.readiness(client, convoy["id"])
    assert result["can_depart"] is False
    # Two vehicles (the Unimog and the van) have nobody on any of the three legs.
    assert sorted((f["code"], f["item_id"], f["leg_id"]) for f in result["blockers"]) == sorted(
        ("vehicle_without_driver", item["id"], leg["id"]) for leg in legs for item in fleet[4:]
    )
    shortage = result["warnings"]
    assert b.codes(shortage) == ["driver_shortage"] * 3
    # One driver per vehicle would be 16 h of driving; shuttling adds every stage twice more
    # for two of the drivers: driven ahead, fetched back, driven again.
    assert [(f["leg_id"], f["context"]) for f in shortage] == [
        (
            leg["id"],
            {
                "vehicles": 6,
                "drivers": 4,
                "rounds": 2,
                "vehicles_per_driver": 2,
                "extra_minutes": extra,
            },
        )
        for leg, extra in zip(legs, (540, 1080, 300), strict=True)
    ]
    assert "2 drivers must move 2 vehicles each in stages" in shortage[0]["message"]
    assert "about 9 h longer" in shortage[0]["message"]
    refused = b.post(client, f"/convoys/{convoy['id']}/depart")
    assert refused.status_code == 409
    assert b.refusal_codes(refused) == ["vehicle_without_driver"] * 6

    # Two more volunteers come forward; each drives one vehicle all the way.
    for item in fleet[4:]:
        person = b.driver(client, free=free)
        for leg in legs:
            b.assign(client, convoy["id"], leg["id"], item["id"], person["id"])
    assert b.readiness(client, convoy["id"]) == {
        "convoy_id": convoy["id"],
        "status": "planning",
        "can_depart": True,
        "blockers": [],
        "warnings": [],
    }
    departed = b.post(client, f"/convoys/{convoy['id']}/depart")
    assert departed.status_code == 200, departed.text
    assert departed.json()["status"] == "under_way"
    loaded = b.get(client, f"/convoys/{convoy['id']}")["items"]
    assert len(loaded) == 8
    assert {i["status"] for i in loaded} == {"in_convoy"}
