"""Convoy scenarios built through the public API, the way a coordinator builds them.

Every item goes the whole way a real one does (offered, accepted, allocated, certified, export
data recorded, export-ready), so a readiness test starts from a convoy that can depart and breaks
exactly one thing. Trips are planned in UTC a few weeks ahead unless a test gives ``start``.
"""

import itertools
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from fastapi.testclient import TestClient

from app.core.identifiers import mrn_check_digit, vin_check_digit
from tests import factories
from tests.factories import API
from tests.items.helpers import today

_seq = itertools.count(1)

STAGES = ("offered", "accepted", "allocated", "certified", "export_ready")


# --- identifiers that pass their checks and never collide with other tests' ------------------


def vin(*, check_digit_ok: bool = True) -> str:
    """A unique VIN; with ``check_digit_ok=False`` position 9 is deliberately wrong."""
    body = f"WDB{next(_seq):014d}"
    digit = vin_check_digit(body)  # position 9 has weight 0, so its own value does not matter
    if not check_digit_ok:
        digit = "1" if digit != "1" else "2"
    return body[:8] + digit + body[9:]


def mrn() -> str:
    first17 = f"24DEW4U{next(_seq):010d}"
    return first17 + mrn_check_digit(first17)


def export_plate() -> str:
    return f"W {next(_seq) % 9000 + 1000} A"


# --- time -----------------------------------------------------------------------------------


def friday_ahead(days: int = 21) -> datetime:
    """Friday 17:00 UTC, at least ``days`` from today: the first convoy left on a Friday."""
    day = date.today() + timedelta(days=days)
    day += timedelta(days=(4 - day.weekday()) % 7)
    return datetime.combine(day, time(17), tzinfo=UTC)


def iso(moment: datetime | date) -> str:
    return moment.isoformat()


@dataclass(frozen=True)
class LegPlan:
    from_place: str
    to_place: str
    departs: timedelta  # after the convoy's start
    arrives: timedelta
    distance_km: int
    wait_minutes: int = 0
    border: bool = False
    zone: str = "Europe/Berlin"  # of the leg's end


H = timedelta(hours=1)
M = timedelta(minutes=1)

# One evening's drive: 5 h 15 min with a 45-minute stop, i.e. 4 h 30 min of driving.
ONE_LEG = (
    LegPlan(
        "WSW bus depot, Wuppertal", "Hermsdorfer Kreuz rest area", 0 * H, 5 * H + 15 * M, 400, 45
    ),
)

# The first convoy: Friday 17:00 Wuppertal -> Sunday 05:00 Lviv, 1,400 km. Planned so that one
# driver per vehicle keeps every rule of Regulation 561/2006: Friday 4 h 30 min of driving;
# 9 h 15 min rest; Saturday 2 x 4 h 30 min around the 75-minute stop; 9 h rest; Sunday 2 h 30
# min to the border and on to Lviv, with a 30-minute queue at the crossing.
FIRST_CONVOY = (
    LegPlan(
        "WSW bus depot, Wuppertal", "Hermsdorfer Kreuz rest area", 0 * H, 5 * H + 15 * M, 400, 45
    ),
    LegPlan(
        "Hermsdorfer Kreuz rest area",
        "Rzeszów, eastern Poland",
        13 * H + 45 * M,
        24 * H,
        830,
        75,
        zone="Europe/Warsaw",
    ),
    LegPlan(
        "Rzeszów, eastern Poland",
        "Lviv, Lvivvodokanal depot (via Korczowa-Krakovets)",
        33 * H,
        36 * H,
        170,
        30,
        border=True,
        zone="Europe/Kyiv",
    ),
)


# --- records --------------------------------------------------------------------------------


def post(client: TestClient, path: str, body: dict[str, Any] | None = None) -> Any:
    return client.post(f"{API}{path}", json=body)


def get(client: TestClient, path: str) -> Any:
    response = client.get(f"{API}{path}")
    assert response.status_code == 200, response.text
    return response.json()


def _ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def vehicle(
    client: TestClient,
    *,
    trip_end: date,
    destination: dict[str, Any] | None = None,
    donor: dict[str, Any] | None = None,
    need_id: int | None = None,
    stage: str = "export_ready",
    record: dict[str, Any] | None = None,
    check_digit_ok: bool = True,
    **overrides: Any,
) -> dict[str, Any]:
    """A vehicle taken up to ``stage``; from "certified" on it has complete export data whose
    plates, insurance and inspection last two weeks past ``trip_end``."""
    donor = donor or factories.donor(client)
    item = factories.vehicle(
        client, donor["id"], vin=vin(check_digit_ok=check_digit_ok), **overrides
    )
    return _advance(client, item, stage, trip_end, destination, need_id, record, plates=True)


def equipment(
    client: TestClient,
    *,
    trip_end: date,
    destination: dict[str, Any] | None = None,
    donor: dict[str, Any] | None = None,
    stage: str = "export_ready",
    **overrides: Any,
) -> dict[str, Any]:
    donor = donor or factories.donor(client)
    item = factories.equipment(client, donor["id"], **overrides)
    return _advance(client, item, stage, trip_end, destination, None, None, plates=False)


def _advance(
    client: TestClient,
    item: dict[str, Any],
    stage: str,
    trip_end: date,
    destination: dict[str, Any] | None,
    need_id: int | None,
    record: dict[str, Any] | None,
    *,
    plates: bool,
) -> dict[str, Any]:
    reached = STAGES.index(stage)
    item_id = item["id"]
    if reached >= STAGES.index("accepted"):
        _ok(post(client, f"/items/{item_id}/accept"))
    if reached >= STAGES.index("allocated"):
        destination = destination or factories.destination(client)
        body = {"destination_id": destination["id"], "need_id": need_id}
        _ok(post(client, f"/items/{item_id}/allocate", body))
    if reached >= STAGES.index("certified"):
        assert destination is not None
        factories.certificate(
            client, destination["id"], [item_id], issued_on=iso(today() - timedelta(days=30))
        )
        _ok(post(client, f"/items/{item_id}/certify"))
        valid_to = trip_end + timedelta(days=14)
        fields: dict[str, Any] = {"mrn": mrn()}
        if plates:
            fields |= {
                "export_plate": export_plate(),
                "plate_valid_from_on": iso(today() - timedelta(days=7)),
                "plate_valid_to_on": iso(valid_to),
                "insurance_until_on": iso(valid_to),
                "inspection_due_on": iso(valid_to + timedelta(days=200)),
            }
        else:
            fields |= dict.fromkeys(
                (
                    "export_plate",
                    "plate_valid_from_on",
                    "plate_valid_to_on",
                    "insurance_until_on",
                    "inspection_due_on",
                )
            )
        factories.export_record(client, item_id, **(fields | (record or {})))
    if reached >= STAGES.index("export_ready"):
        # A trip already under way (handover tests) needs its plates from today on.
        body = {"plates_valid_until": iso(max(trip_end, today()))}
        _ok(post(client, f"/items/{item_id}/mark-export-ready", body))
    data: dict[str, Any] = get(client, f"/items/{item_id}")
    return data


def driver(
    client: TestClient,
    *,
    free: tuple[date, date] | None,
    licences: dict[str, date] | None = None,
    **overrides: Any,
) -> dict[str, Any]:
    """A volunteer with classes D and CE valid for years, free in the window ``free``."""
    n = next(_seq)
    valid = today() + timedelta(days=4 * 365)
    body = {
        "name": f"Volunteer driver {n}",
        "date_of_birth": "1961-07-02",
        "phone": f"+49 202 555 {n:04d}",
        "languages": ["de", "pl"],
        "emergency_contact_name": "Family",
        "emergency_contact_phone": "+49 202 555 0000",
        "licences": [
            {"licence_class": cls, "expires_on": iso(until)}
            for cls, until in (licences or {"D": valid, "CE": valid}).items()
        ],
        "availability": (
            [{"available_from_on": iso(free[0]), "available_to_on": iso(free[1])}] if free else []
        ),
        **overrides,
    }
    return factories.created(client, "/drivers", body)


def convoy(client: TestClient, start: datetime, **overrides: Any) -> dict[str, Any]:
    body = {
        "number": f"W4U-T{next(_seq):04d}",
        "name": "Water pumps and buses for Lviv",
        "coordinator_name": "Convoy coordinator, WSW",
        "coordinator_phone": "+49 202 569 0",
        "planned_departure_at": iso(start),
        "meeting_point": "WSW bus depot, Wuppertal",
        "meeting_time_zone": "Europe/Berlin",
        "escort_vehicle": "Mercedes Sprinter",
        **overrides,
    }
    return factories.created(client, "/convoys", body)


def leg(
    client: TestClient, convoy_id: int, departs: datetime, arrives: datetime, **overrides: Any
) -> dict[str, Any]:
    body = {
        "from_place": "WSW bus depot, Wuppertal",
        "to_place": "Hermsdorfer Kreuz rest area",
        "to_time_zone": "Europe/Berlin",
        "planned_departure_at": iso(departs),
        "planned_arrival_at": iso(arrives),
        "distance_km": 400,
        **overrides,
    }
    return factories.created(client, f"/convoys/{convoy_id}/legs", body)


def legs_from(
    client: TestClient, convoy_id: int, start: datetime, plan: tuple[LegPlan, ...]
) -> list[dict[str, Any]]:
    return [
        leg(
            client,
            convoy_id,
            start + p.departs,
            start + p.arrives,
            from_place=p.from_place,
            to_place=p.to_place,
            distance_km=p.distance_km,
            planned_wait_minutes=p.wait_minutes,
            is_border_crossing=p.border,
            to_time_zone=p.zone,
        )
        for p in plan
    ]


def load(
    client: TestClient, convoy_id: int, item_id: int, carrier_id: int | None = None
) -> dict[str, Any]:
    body = {"item_id": item_id, "carrier_id": carrier_id}
    return factories.created(client, f"/convoys/{convoy_id}/items", body)


def assign(
    client: TestClient, convoy_id: int, leg_id: int, vehicle_id: int, driver_id: int
) -> dict[str, Any]:
    body = {"leg_id": leg_id, "vehicle_id": vehicle_id, "driver_id": driver_id}
    return factories.created(client, f"/convoys/{convoy_id}/assignments", body)


def readiness(client: TestClient, convoy_id: int) -> dict[str, Any]:
    data: dict[str, Any] = get(client, f"/convoys/{convoy_id}/readiness")
    return data


def codes(findings: list[dict[str, Any]]) -> list[str]:
    return sorted(f["code"] for f in findings)


# --- whole convoys ----------------------------------------------------------------------------


@dataclass
class Planned:
    """A convoy with its legs, vehicles and drivers, as the API returned them."""

    convoy: dict[str, Any]
    legs: list[dict[str, Any]]
    vehicles: list[dict[str, Any]]
    drivers: list[dict[str, Any]]
    destination: dict[str, Any]
    start: datetime

    @property
    def id(self) -> int:
        convoy_id: int = self.convoy["id"]
        return convoy_id

    @property
    def arrival(self) -> datetime:
        return datetime.fromisoformat(self.legs[-1]["planned_arrival_at"])

    @property
    def free(self) -> tuple[date, date]:
        """A window in which a driver is free for the whole trip."""
        return self.start.date() - timedelta(days=1), self.arrival.date() + timedelta(days=1)


def planned_convoy(
    client: TestClient,
    *,
    start: datetime | None = None,
    plan: tuple[LegPlan, ...] = ONE_LEG,
    vehicles: int = 1,
    drivers: int | None = None,
    assigned: bool = True,
    destination: dict[str, Any] | None = None,
    **convoy_fields: Any,
) -> Planned:
    """A convoy of export-ready buses; ``drivers`` (default: one per bus) each drive the same
    bus on every leg when ``assigned``."""
    start = start or friday_ahead()
    trip_end = (start + plan[-1].arrives).date()
    destination = destination or factories.destination(client)
    donor = factories.donor(client)
    record = convoy(client, start, **convoy_fields)
    legs = legs_from(client, record["id"], start, plan)
    buses = [
        vehicle(client, trip_end=trip_end, destination=destination, donor=donor)
        for _ in range(vehicles)
    ]
    for bus in buses:
        load(client, record["id"], bus["id"])
    planned = Planned(record, legs, buses, [], destination, start)
    planned.drivers = [
        driver(client, free=planned.free) for _ in range(vehicles if drivers is None else drivers)
    ]
    if assigned:
        for leg_record in legs:
            for bus, person in zip(buses, planned.drivers, strict=False):
                assign(client, record["id"], leg_record["id"], bus["id"], person["id"])
    planned.convoy = get(client, f"/convoys/{record['id']}")
    return planned


def refusal_codes(response: Any) -> list[str]:
    """The reason codes of a 409 rule violation."""
    body = response.json()
    assert body["code"] == "rule_violation", body
    return sorted(r["code"] for r in body["reasons"])


def error_fields(response: Any) -> list[str]:
    """The fields a 422 names, as dotted paths below "body"."""
    assert response.status_code == 422, response.text
    return sorted(".".join(str(p) for p in e["loc"][1:]) for e in response.json()["detail"])


SPRINTER = {"name": "Escort van (Sprinter)", "gross_weight_kg": 3500, "seats": 3}
MINIBUS = {"name": "Hired minibus", "gross_weight_kg": 5000, "seats": 17}


def way_back(
    client: TestClient,
    planned: Planned,
    vehicle: dict[str, Any],
    rest_hours: int,
    driver_id: int | None = None,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The team drives ``vehicle`` from Lviv to Rzeszów (4 h) ``rest_hours`` after the arrival
    (the handover); ``driver_id`` (default: the first driver) at the wheel."""
    back = _ok(post(client, f"/convoys/{planned.id}/return/vehicles", vehicle), 201)
    leaves = planned.arrival + rest_hours * H
    leg = _ok(
        post(
            client,
            f"/convoys/{planned.id}/return/vehicles/{back['id']}/legs",
            {
                "from_place": "Lviv, Lvivvodokanal depot",
                "to_place": "Rzeszów, eastern Poland",
                "to_time_zone": "Europe/Warsaw",
                "planned_departure_at": iso(leaves),
                "planned_arrival_at": iso(leaves + 4 * H),
                "distance_km": 170,
                "driver_id": planned.drivers[0]["id"] if driver_id is None else driver_id,
            },
        ),
        201,
    )
    return back, leg
