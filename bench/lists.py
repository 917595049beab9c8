"""Lists at 200 rows and at 100,000: the first page of each register's list, for every sort
order it offers, through the API in the app's process.

Donors, drivers, destinations and items (equipment) are filled to 200 rows, timed, filled to
100,000, timed again; the ratio of the medians per list and sort order is what counts.
"""

import os
import statistics
import time
from collections.abc import Iterator
from datetime import date
from itertools import count

from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, insert
from sqlmodel import Session, select

SMALL = 200
LARGE = int(os.environ.get("KONVOI_BENCH_LIST_ROWS", "100000"))
# A first page takes a few milliseconds: enough requests for a median the machine does not move.
REPEAT = 51
SORTS = {
    "donors": ("name", "created_at", "id"),
    "drivers": ("name", "created_at", "id"),
    "destinations": ("name", "city", "created_at", "id"),
    "items": ("name", "created_at", "declared_value_cents", "id"),
}


def _rows(register: str, numbers: Iterator[int], donor_id: int) -> list[dict[str, object]]:
    from app.core.types import utcnow

    now = utcnow()
    common = {"created_at": now, "updated_at": now, "version": 1}
    rows: list[dict[str, object]] = []
    for n in numbers:
        if register == "donors":
            rows.append(
                {**common, "name": f"Stadtwerke {n:06d}", "kind": "utility", "country": "DE"}
            )
        elif register == "drivers":
            rows.append(
                {
                    **common,
                    "name": f"Fahrer {n:06d}",
                    "date_of_birth": date(1970, 1, 1),
                    "phone": "+49 151 000000",
                    "languages": "de",
                }
            )
        elif register == "destinations":
            rows.append(
                {
                    **common,
                    "name": f"Vodokanal {n:06d}",
                    "city": f"Misto {n % 500:03d}",
                    "oblast": "Lvivska",
                    "edrpou": f"{n:08d}",
                }
            )
        else:
            rows.append(
                {
                    **common,
                    "category": "equipment",
                    "kind": "pump",
                    "name": f"Pumpe {n:06d}",
                    "origin_country": "DE",
                    "status": "offered",
                    "donor_id": donor_id,
                    "declared_value_cents": (n * 7919) % 1_000_000,
                    "condition": "used",
                    "registration_papers_held": False,
                }
            )
    return rows


def fill(engine: Engine, to: int) -> None:
    from app.destinations.models import Destination
    from app.donors.models import Donor
    from app.drivers.models import Driver
    from app.items.models import Item

    tables = {"donors": Donor, "drivers": Driver, "destinations": Destination, "items": Item}
    with Session(engine) as session:
        donor_id = session.exec(select(func.min(Donor.id))).one()
        for register, model in tables.items():
            have = session.exec(select(func.count()).select_from(model)).one()
            numbers = count(have + 1)
            while have < to:
                batch = min(10_000, to - have)
                rows = _rows(register, (next(numbers) for _ in range(batch)), donor_id or 1)
                session.execute(insert(model), rows)
                have += batch
        session.commit()


def analyze(engine: Engine) -> None:
    """Statistics and the visibility map for the rows just loaded, as autovacuum makes them
    within the minute on PostgreSQL: timed before it, the requests may race it (one run's
    worst list came out at 1.78 where the next gave 1.22). SQLite keeps none to gather."""
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")


def timings(client: TestClient, headers: dict[str, str]) -> dict[str, float]:
    """The median time of each list's first page. The lists take turns, request by request:
    a moment the shared machine is busy elsewhere slows one request of many lists, not all
    the requests of one (one list's 51 in a row once came out at 1.68 × where a rerun
    gave 1.0)."""
    lists = [
        f"{register}?sort={sort}"
        for register, sorts in SORTS.items()
        for sort in (s for field in sorts for s in (field, f"-{field}"))
    ]
    samples: dict[str, list[float]] = {name: [] for name in lists}
    for _ in range(REPEAT):
        for name in lists:
            started = time.perf_counter()
            response = client.get(f"/api/v1/{name}&limit=50", headers=headers)
            samples[name].append(time.perf_counter() - started)
            assert response.status_code == 200, response.text
    return {name: statistics.median(times) for name, times in samples.items()}


def ratios(url: str, login: tuple[str, str]) -> dict[str, tuple[float, float]]:
    """Per list and sort order: (seconds at 200 rows, seconds at LARGE rows)."""
    os.environ["KONVOI_DATABASE_URL"] = url
    from app.core.config import get_settings
    from app.core.database import get_engine
    from app.main import create_app

    get_settings.cache_clear()
    get_engine.cache_clear()
    engine = get_engine()
    with TestClient(create_app()) as client:
        token = client.post(
            "/api/v1/auth/token", data={"username": login[0], "password": login[1]}
        ).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        fill(engine, SMALL)
        small = timings(client, headers)
        fill(engine, LARGE)
        analyze(engine)
        large = timings(client, headers)
    engine.dispose()
    return {key: (small[key], large[key]) for key in small}
