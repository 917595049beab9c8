"""How many API calls does it take to plan a convoy from an empty database to "ready"?

Plans a convoy shaped like the demo's W4U-02 (six vehicles, four of them packed with a cargo
line, three pumps and a generator riding on them, six drivers, four legs from Wuppertal to
Lviv) twice through the HTTP API, each time in a fresh SQLite database: once one call per
cargo line, per item and action, per item loaded and per vehicle per leg; once with the batch
calls (an item with its cargo; accept, allocate, certify, record export data and mark
export-ready for all items at once; load several items; a driver for the whole trip). Both end
with a readiness check without blockers and "mark ready"; the script prints the calls by kind.

    python -m bench.planning_calls
"""

import os
import sys
import tempfile
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from fastapi.testclient import TestClient

VEHICLES = 6
EQUIPMENT = 4
PACKED = 4  # vehicles that carry a cargo line
# The most calls the batch plan may take (issue: at most 40 from an empty database).
TARGET_CALLS = 40
BERLIN = ZoneInfo("Europe/Berlin")
ROUTE = (  # from, to, zone of the end, departs (hours after Friday 00:00 Berlin), arrives, km
    ("WSW bus depot, Wuppertal", "Görlitz rest area", "Europe/Berlin", 17, 27, 690),
    ("Görlitz rest area", "Korczowa border car park", "Europe/Warsaw", 27.75, 38.75, 620),
    ("Korczowa border car park", "Krakovets customs", "Europe/Kyiv", 38.75, 50.5, 10),
    ("Krakovets customs", "Lvivvodokanal depot, Lviv", "Europe/Kyiv", 50.5, 53, 80),
)
WAITS = (60, 90, 645, 0)


# The coordinator every benchmark plans as.
PLANNER = ("planner", "a long enough password")


def planner_database(url: str) -> None:
    """Point Konvoi at ``url``, migrate it and add the coordinator PLANNER."""
    os.environ["KONVOI_DATABASE_URL"] = url
    from sqlmodel import Session

    from app.auth import service as accounts
    from app.auth.roles import Role
    from app.auth.schemas import UserCreate
    from app.core import migrations
    from app.core.config import get_settings
    from app.core.database import get_engine

    get_settings.cache_clear()
    get_engine.cache_clear()
    with get_engine().begin() as conn:
        migrations.upgrade(conn)
    with Session(get_engine()) as session:
        accounts.create_user(
            session,
            UserCreate(
                username=PLANNER[0],
                full_name="Convoy planner",
                role=Role.coordinator,
                password=PLANNER[1],
            ),
        )
        session.commit()


@contextmanager
def fresh_app() -> Iterator[TestClient]:
    """Konvoi on an empty, migrated SQLite database, with one coordinator logged in."""
    with tempfile.TemporaryDirectory() as folder:
        planner_database(f"sqlite:///{Path(folder) / 'plan.db'}")
        from app.core.database import get_engine
        from app.main import create_app

        with TestClient(create_app()) as client:
            yield client
        get_engine().dispose()


class Planner:
    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.calls: Counter[str] = Counter()
        self.convoy_id = 0
        token = self.call(
            "POST",
            "/auth/token",
            data={"username": PLANNER[0], "password": PLANNER[1]},
        )["access_token"]
        client.headers["Authorization"] = f"Bearer {token}"

    def call(self, method: str, path: str, **kwargs: Any) -> Any:
        response: httpx.Response = self.client.request(method, f"/api/v1{path}", **kwargs)
        if response.status_code >= 300:
            sys.exit(f"{method} {path}: {response.status_code} {response.text}")
        kind = f"{method} {_shape(path)}"
        self.calls[kind] += 1
        return response.json() if response.content else None


def _shape(path: str) -> str:
    """The path with its ids replaced, so calls group by kind."""
    return "/".join("{id}" if part.isdigit() else part for part in path.split("/"))


def _at(friday: date, hours: float) -> str:
    moment = datetime.combine(friday, time(0), BERLIN) + timedelta(hours=hours)
    return moment.astimezone(UTC).isoformat()


def plan(
    client: TestClient,
    *,
    batch: bool,
    vehicles_count: int = VEHICLES,
    equipment_count: int = EQUIPMENT,
    number: int = 2,
) -> Planner:
    """Plan convoy W4U-0``number``; the planner holds the calls made and the convoy's id.
    Several convoys fit in one database: serials start at ``number`` × 1,000."""
    p = Planner(client)
    first = number * 1000
    today = datetime.now(BERLIN).date()
    friday = today + timedelta(days=(4 - today.weekday()) % 7 + 21)
    handover_day = friday + timedelta(days=3)
    plates = {
        "plate_valid_from_on": (today - timedelta(days=1)).isoformat(),
        "plate_valid_to_on": (handover_day + timedelta(days=30)).isoformat(),
        "insurance_until_on": (handover_day + timedelta(days=30)).isoformat(),
        "inspection_due_on": (handover_day + timedelta(days=300)).isoformat(),
    }
    donor = p.call("POST", "/donors", json={"name": "WSW mobil GmbH", "country": "DE"})
    known = p.call("GET", "/destinations", params={"q": "Lvivvodokanal"})["items"]
    lviv = (
        known[0]
        if known
        else p.call(
            "POST",
            "/destinations",
            json={
                "name": "Lvivvodokanal",
                "city": "Lviv",
                "oblast": "Lviv",
                "edrpou": "03348471",
                "contact_name": "Deputy technical director",
            },
        )
    )
    vehicles: list[dict[str, Any]] = []
    equipment: list[dict[str, Any]] = []
    for n in range(vehicles_count + equipment_count):
        is_vehicle = n < vehicles_count
        body: dict[str, Any] = {
            "category": "vehicle" if is_vehicle else "equipment",
            "kind": "bus" if is_vehicle else "pump",
            "name": f"MAN Lion's City bus {n + 1}" if is_vehicle else f"Borehole pump {n}",
            "donor_id": donor["id"],
            "declared_value_cents": 4_500_000,
            "weight_kg": 11_000 if is_vehicle else 400,
        }
        cargo = []
        if is_vehicle:
            body |= {
                "make": "MAN",
                "model": "Lion's City A21",
                "vin": f"WMA{first + n + 1:014d}",
                "year": 2007,
                "gross_weight_kg": 18_000,
                "seats": 40,
                "registration_papers_held": True,
            }
            if n < PACKED:
                cargo = [
                    {
                        "description": "Pipe fittings DN 100",
                        "quantity": 2,
                        "unit": "pallets",
                        "weight_kg": 900,
                        "value_cents": 350_000,
                        "packing": "pallet",
                    }
                ]
        if batch:
            item = p.call("POST", "/items", json={**body, "cargo": cargo})
        else:
            item = p.call("POST", "/items", json=body)
            for line in cargo:
                p.call("POST", f"/items/{item['id']}/cargo", json=line)
            p.call("POST", f"/items/{item['id']}/accept")
            p.call("POST", f"/items/{item['id']}/allocate", json={"destination_id": lviv["id"]})
        (vehicles if is_vehicle else equipment).append(item)
    everything = vehicles + equipment
    all_ids = [i["id"] for i in everything]
    if batch:
        p.call("POST", "/items/accept", json={"item_ids": all_ids})
        p.call(
            "POST",
            "/items/allocate",
            json={"items": [{"item_id": i, "destination_id": lviv["id"]} for i in all_ids]},
        )
    p.call(
        "POST",
        "/certificates",
        json={
            "number": f"VN-LV-2026-{number:02d}",
            "destination_id": lviv["id"],
            "intended_use": "Water supply and sewage service of Lviv",
            "issued_on": today.isoformat(),
            "issuer": "Lvivvodokanal",
            "item_ids": all_ids,
        },
    )
    records: list[dict[str, Any]] = []
    for serial, item in enumerate(everything):
        record: dict[str, Any] = {
            "item_id": item["id"],
            "customs_office_code": "DE004601",
            "mrn": _mrn(first + serial),
        }
        if item["category"] == "vehicle":
            record |= {"export_plate": f"W {number * 100 + serial} A", **plates}
        records.append(record)
    trip = {"plates_valid_until": handover_day.isoformat()}
    if batch:
        p.call("POST", "/items/certify", json={"item_ids": all_ids})
        p.call("POST", "/export-records/batch", json={"records": records})
        p.call("POST", "/items/mark-export-ready", json={"item_ids": all_ids, **trip})
    else:
        for item, record in zip(everything, records, strict=True):
            p.call("POST", f"/items/{item['id']}/certify")
            p.call("POST", "/export-records", json=record)
            p.call("POST", f"/items/{item['id']}/mark-export-ready", json=trip)
    drivers = [
        p.call(
            "POST",
            "/drivers",
            json={
                "name": f"Volunteer driver {n + 1}",
                "date_of_birth": "1961-07-02",
                "phone": f"+49 202 555 01{n:02d}",
                "licences": [
                    {
                        "licence_class": "D",
                        "expires_on": (today + timedelta(days=900)).isoformat(),
                    }
                ],
                "availability": [
                    {
                        "available_from_on": (friday - timedelta(days=1)).isoformat(),
                        "available_to_on": (handover_day + timedelta(days=1)).isoformat(),
                    }
                ],
            },
        )
        for n in range(vehicles_count)
    ]
    convoy = p.call(
        "POST",
        "/convoys",
        json={
            "number": f"W4U-{number:02d}",
            "name": "Six WSW vehicles for Lviv",
            "coordinator_name": "Convoy planner",
            "planned_departure_at": _at(friday, 17),
            "planned_handover_at": _at(friday, 3 * 24 + 8),
            "meeting_point": "WSW bus depot, Wuppertal",
            "meeting_time_zone": "Europe/Berlin",
            "claims_humanitarian_exemption": True,
        },
    )
    cid = convoy["id"]
    legs = [
        p.call(
            "POST",
            f"/convoys/{cid}/legs",
            json={
                "from_place": start,
                "to_place": end,
                "to_time_zone": zone,
                "planned_departure_at": _at(friday, departs),
                "planned_arrival_at": _at(friday, arrives),
                "distance_km": km,
                "planned_wait_minutes": wait,
                "is_border_crossing": n == 2,
            },
        )
        for n, ((start, end, zone, departs, arrives, km), wait) in enumerate(
            zip(ROUTE, WAITS, strict=True)
        )
    ]
    loads = [{"item_id": v["id"]} for v in vehicles] + [
        {"item_id": e["id"], "carrier_id": vehicles[n % vehicles_count]["id"]}
        for n, e in enumerate(equipment)
    ]
    seats = [
        {"vehicle_id": v["id"], "driver_id": d["id"]}
        for v, d in zip(vehicles, drivers, strict=True)
    ]
    if batch:
        p.call("POST", f"/convoys/{cid}/items/batch", json={"items": loads})
        p.call("POST", f"/convoys/{cid}/assignments/trip", json={"assignments": seats})
    else:
        for load in loads:
            p.call("POST", f"/convoys/{cid}/items", json=load)
        for leg in legs:
            for seat in seats:
                p.call("POST", f"/convoys/{cid}/assignments", json={**seat, "leg_id": leg["id"]})
    readiness = p.call("GET", f"/convoys/{cid}/readiness")
    if readiness["blockers"]:
        sys.exit(f"not ready: {readiness['blockers']}")
    p.call("POST", f"/convoys/{cid}/mark-ready")
    p.convoy_id = cid
    return p


def _mrn(serial: int) -> str:
    from app.core.identifiers import mrn_check_digit

    body = f"26DE4601{serial:09d}"
    return body + mrn_check_digit(body)


def main() -> None:
    with fresh_app() as client:
        one_by_one = plan(client, batch=False).calls
    with fresh_app() as client:
        batched = plan(client, batch=True).calls
    kinds = sorted(set(one_by_one) | set(batched))
    width = max(len(k) for k in kinds)
    print(f"Planning a {VEHICLES}-vehicle, {len(ROUTE)}-leg convoy from an empty database")
    print(f"{'call':<{width}}  one by one  batch")
    for kind in kinds:
        print(f"{kind:<{width}}  {one_by_one[kind]:>10}  {batched[kind]:>5}")
    total = sum(batched.values())
    print(f"{'total':<{width}}  {sum(one_by_one.values()):>10}  {total:>5}")
    print(f"API calls with the batch calls: {total} (target: at most {TARGET_CALLS})")
    if total > TARGET_CALLS:
        sys.exit(f"{total} calls is more than {TARGET_CALLS}")


if __name__ == "__main__":
    main()
