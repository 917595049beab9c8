"""The collection point's targets: recording an intake line against creating a donor, side by
side; matching 500 open needs against 20,000 stock lines; the stock list at 20,000 lines
against 200. Through the API in the app's process, on a fresh SQLite file (and on a scratch
PostgreSQL database when KONVOI_BENCH_POSTGRES_URL is set).

    python -m bench.collection
    KONVOI_BENCH_POSTGRES_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test \\
        python -m bench.collection
"""

import os
import statistics
import time
from collections.abc import Callable
from datetime import date
from functools import partial
from itertools import count

from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, insert
from sqlmodel import Session, select

from bench.concurrent_writes import USERNAME, create_admin
from bench.serving import scratch_database

SMALL, LARGE = 200, int(os.environ.get("KONVOI_BENCH_STOCK_LINES", "20000"))
NEEDS = int(os.environ.get("KONVOI_BENCH_NEEDS", "500"))
WRITES = 101  # intake lines and donors, taking turns
REPEAT = 31  # list pages
MATCHES = 11  # matching runs
API = "/api/v1"
SIZES = ("S", "M", "L", "XL", "XXL", "38", "40", "42", "44", None)
SORTED = (
    ("clothing", "jackets"),
    ("clothing", "sweaters"),
    ("clothing", "trousers"),
    ("shoes", "boots"),
    ("hygiene", "soap"),
    ("baby_care", "nappies"),
    ("bedding", "blankets"),
    ("tools", "torches"),
)
LISTS = (
    "",
    "&category=clothing",
    "&category=clothing&size=L&season=winter",
    "&place_id={place}",
    "&available_only=true",
)


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def timed(run: Callable[[], object]) -> float:
    """Seconds one request took; a request that failed stops the benchmark."""
    started = time.perf_counter()
    ok(run())
    return time.perf_counter() - started


def fill_stock(engine: Engine, point_id: int, places: list[int], to: int) -> None:
    """Sorted lines written straight into the table, as a season of intake leaves them."""
    from app.collection.models import StockLine
    from app.core.types import utcnow

    with Session(engine) as session:
        have = session.exec(select(func.count()).select_from(StockLine)).one()
        numbers = count(have + 1)
        while have < to:
            batch = min(5_000, to - have)
            now = utcnow()
            rows = []
            for _ in range(batch):
                n = next(numbers)
                category, subcategory = SORTED[n % len(SORTED)]
                clothing = category in ("clothing", "shoes")
                rows.append(
                    {
                        "created_at": now,
                        "updated_at": now,
                        "version": 1,
                        "collection_point_id": point_id,
                        "place_id": places[n % len(places)],
                        "category": category,
                        "subcategory": subcategory,
                        "gender": ("women", "men", "unisex")[n % 3] if clothing else None,
                        "size": SIZES[n % len(SIZES)] if clothing else None,
                        "season": ("winter", "summer", "all_year")[n % 3] if clothing else None,
                        "unit": "pcs",
                        "quantity": 5 + n % 40,
                        "reserved": 0,
                        "condition": "good",
                        "priority": "not_usable" if n % 29 == 0 else "urgent",
                    }
                )
            session.execute(insert(StockLine), rows)
            have += batch
        session.commit()


def fill_needs(engine: Engine, destination_id: int, how_many: int) -> None:
    from app.core.types import utcnow
    from app.needs.models import Need

    now = utcnow()
    rows = []
    for n in range(how_many):
        category, subcategory = SORTED[n % len(SORTED)]
        clothing = category in ("clothing", "shoes")
        rows.append(
            {
                "created_at": now,
                "updated_at": now,
                "version": 1,
                "destination_id": destination_id,
                "item_kind": "goods",
                "description": f"Need {n:04d}",
                "quantity": 10 + n % 200,
                "priority": 1 + n % 5,
                "requested_on": date(2026, 11, 1),
                "cancelled": False,
                "goods_category": category,
                "goods_subcategory": subcategory if n % 2 else None,
                "size": SIZES[n % len(SIZES)] if clothing and n % 3 else None,
                "season": "winter" if clothing and n % 4 else None,
            }
        )
    with Session(engine) as session:
        session.execute(insert(Need), rows)
        session.commit()


def analyze(engine: Engine) -> None:
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")


def list_times(client: TestClient, point_id: int, place_id: int) -> dict[str, float]:
    """The median first page of each stock list, the lists taking turns request by request."""
    samples: dict[str, list[float]] = {query: [] for query in LISTS}
    for _ in range(REPEAT):
        for query in LISTS:
            url = f"{API}/stock?collection_point_id={point_id}&limit=50" + query.format(
                place=place_id
            )
            samples[query].append(timed(partial(client.get, url)))
    return {query: median_ms(times) for query, times in samples.items()}


def ok(response: object) -> object:
    status = getattr(response, "status_code", 0)
    assert 200 <= status < 300, getattr(response, "text", "")
    return response


def run(url: str) -> dict[str, object]:
    os.environ["KONVOI_DATABASE_URL"] = url
    from app.core.config import get_settings
    from app.core.database import get_engine
    from app.main import create_app

    password = create_admin(url)
    get_settings.cache_clear()
    get_engine.cache_clear()
    engine = get_engine()
    with TestClient(create_app()) as client:
        token = client.post(
            f"{API}/auth/token", data={"username": USERNAME, "password": password}
        ).json()["access_token"]
        client.headers["Authorization"] = f"Bearer {token}"
        destination = ok(
            client.post(
                f"{API}/destinations",
                json={
                    "name": "Kulparkiv clinic",
                    "kind": "clinic",
                    "city": "Lviv",
                    "oblast": "Lvivska",
                    "edrpou": "01994126",
                },
            )
        ).json()  # type: ignore[attr-defined]
        point = ok(
            client.post(
                f"{API}/collection-points",
                json={"name": "Westfalenhalle", "city": "Dortmund", "pallet_prefix": "WH"},
            )
        ).json()  # type: ignore[attr-defined]
        places = [
            ok(
                client.post(
                    f"{API}/collection-points/{point['id']}/places",
                    json={"zone": zone, "row": str(row), "shelf": "1"},
                )
            ).json()["id"]  # type: ignore[attr-defined]
            for zone in "ABCD"
            for row in range(1, 13)
        ]

        # Recording an intake line and creating a donor, taking turns.
        intake_s: list[float] = []
        donor_s: list[float] = []
        for n in range(WRITES):
            line = {
                "place_id": places[n % len(places)],
                "category": "clothing",
                "subcategory": "jackets",
                "gender": "men",
                "size": "L",
                "season": "winter",
                "quantity": 12,
                "client_key": f"bench-{n}",
            }
            intake_s.append(
                timed(
                    partial(client.post, f"{API}/collection-points/{point['id']}/intake", json=line)
                )
            )
            donor = {"name": f"Spender {n}", "kind": "other", "city": "Dortmund"}
            donor_s.append(timed(partial(client.post, f"{API}/donors", json=donor)))

        fill_stock(engine, point["id"], places, SMALL)
        small = list_times(client, point["id"], places[0])
        fill_stock(engine, point["id"], places, LARGE)
        fill_needs(engine, destination["id"], NEEDS)
        analyze(engine)
        large = list_times(client, point["id"], places[0])

        matching_s: list[float] = []
        for _ in range(MATCHES):
            matching_s.append(timed(partial(client.get, f"{API}/stock-matching")))
        matched = client.get(f"{API}/stock-matching").json()
    engine.dispose()
    return {
        "backend": engine.dialect.name,
        "intake_ms": median_ms(intake_s),
        "donor_ms": median_ms(donor_s),
        "matching_ms": median_ms(matching_s),
        "needs_matched": len(matched),
        "small": small,
        "large": large,
    }


def report(result: dict[str, object]) -> bool:
    small = result["small"]
    large = result["large"]
    assert isinstance(small, dict) and isinstance(large, dict)
    intake, donor = float(result["intake_ms"]), float(result["donor_ms"])  # type: ignore[arg-type]
    matching = float(result["matching_ms"])  # type: ignore[arg-type]
    print(f"\n== {result['backend']} ==")
    print(
        f"intake line      {intake:7.2f} ms   create donor {donor:7.2f} ms"
        f"   ({intake / donor:.2f} ×)"
    )
    print(
        f"matching         {matching:7.1f} ms   {NEEDS} open needs × {LARGE:,} stock lines "
        f"({result['needs_matched']} needs answered)"
    )
    print(f"{'stock list, first page of 50':44} {SMALL:>8} {LARGE:>9}   ratio")
    worst = 0.0
    for query in LISTS:
        ratio = large[query] / small[query]
        worst = max(worst, ratio)
        name = query.lstrip("&") or "(all)"
        print(f"  {name:42} {small[query]:6.2f} ms {large[query]:6.2f} ms   {ratio:4.2f} ×")
    passed = intake <= donor * 1.05 and matching < 1000 and worst <= 1.5
    print(
        f"targets: intake ≤ donor, matching < 1 s, lists ≤ 1.5 ×: {'met' if passed else 'MISSED'}"
    )
    return passed


def main() -> None:
    results = []
    with scratch_database(None) as url:
        results.append(run(url))
    server = os.environ.get("KONVOI_BENCH_POSTGRES_URL")
    if server:
        with scratch_database(server) as url:
            results.append(run(url))
    met = [report(result) for result in results]
    raise SystemExit(0 if all(met) else 1)


if __name__ == "__main__":
    main()
