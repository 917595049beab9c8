"""A transport series' books at scale: a ledger of 100,000 entries, then the balances of every
fund, a fund's yearly report (its facts, and the issued PDF) and a year's export for the tax
adviser, each the median of five runs. Target: balances and a year's report under 1 s.

python -m bench.ledger                # make bench-ledger (SQLite)
KONVOI_BENCH_POSTGRES_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test python -m bench.ledger
"""

import os
import random
import statistics
import time
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from sqlalchemy import insert
from sqlmodel import Session

from app.auth.roles import Role
from app.auth.service import Principal
from app.core import migrations
from app.core.database import make_engine
from app.funding import papers, service
from app.funding.models import COSTS, EntryKind, LedgerEntry
from app.funding.schemas import FundCreate, ProgrammeCreate, TransportCreate
from app.main import install_listeners
from bench.serving import scratch_database

ENTRIES = 100_000
FUNDS = 4
TRANSPORTS = 60
FIRST_DAY = date(2022, 7, 1)
DAYS = 5 * 365  # five years of books
YEAR = 2025
TREASURER = Principal(1, "kasse", Role.treasurer, full_name="Kassenwart")
KINDS = [EntryKind.payroll_pledge, EntryKind.donation, *sorted(COSTS)]


def fill(session: Session) -> tuple[Any, list[Any]]:
    programme = service.create_programme(
        session,
        ProgrammeCreate(
            code="LVR", name="LVR", partner_name="Kulparkiv", organiser_name="Förderverein"
        ),
    )
    funds = [
        service.create_fund(session, programme, FundCreate(name=f"Fonds {n + 1}"))
        for n in range(FUNDS)
    ]
    transports = [
        service.create_transport(
            session, programme, TransportCreate(planned_on=FIRST_DAY + timedelta(days=30 * n))
        )
        for n in range(TRANSPORTS)
    ]
    rng = random.Random(24)
    rows = []
    for n in range(ENTRIES):
        kind = rng.choice(KINDS)
        cents = rng.randint(100, 500_000)
        rows.append(
            {
                "fund_id": funds[n % FUNDS].id,
                "transport_id": rng.choice(transports).id if kind in COSTS else None,
                "booked_on": FIRST_DAY + timedelta(days=rng.randrange(DAYS)),
                "kind": kind,
                "amount_cents": -cents if kind in COSTS else cents,
                "description": f"Buchung {n + 1}",
                "booked_by_name": "Kassenwart",
            }
        )
    for start in range(0, ENTRIES, 5_000):
        session.execute(insert(LedgerEntry), rows[start : start + 5_000])
    session.commit()
    return programme, funds


def median_of(runs: int, work: Callable[[], object]) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def measure(url: str) -> dict[str, float]:
    install_listeners()
    engine = make_engine(url)
    with engine.begin() as connection:
        migrations.upgrade(connection)
    with Session(engine, expire_on_commit=False) as session:
        start = time.perf_counter()
        programme, funds = fill(session)
        filled = time.perf_counter() - start
    with Session(engine) as session:
        fund = service.get_fund(session, funds[0].id)
        results = {
            "fill (bulk insert)": filled,
            "balances of every fund": median_of(5, lambda: service.balances(session, programme)),
            "forecast (balances, pledges, usual cost)": median_of(
                5, lambda: service.forecast(session, programme)
            ),
            f"a fund's year {YEAR}: the report's facts": median_of(
                5, lambda: papers.year_facts(session, fund, YEAR)
            ),
        }

        def issue() -> None:
            with session.begin_nested() as kept:
                papers.issue_year_report(session, fund, YEAR, TREASURER)
                kept.rollback()

        results[f"a fund's year {YEAR}: issued as PDF"] = median_of(5, issue)
        results[f"the ledger {YEAR} as CSV for the tax adviser"] = median_of(
            5, lambda: papers.ledger_export(session, programme, "csv", YEAR)
        )
        total = service.balances(session, programme).balance_cents
        check = sum(service.balance_of(session, f.id) for f in funds)
        assert total == check, (total, check)
    engine.dispose()
    return results


def main() -> None:
    servers: dict[str, str | None] = {"SQLite": None}
    if postgres := os.environ.get("KONVOI_BENCH_POSTGRES_URL"):
        servers["PostgreSQL"] = postgres
    for name, server in servers.items():
        with scratch_database(server) as url:
            results = measure(url)
        print(f"ledger of {ENTRIES:,} entries in {FUNDS} funds, {TRANSPORTS} transports ({name})")
        for label, seconds in results.items():
            print(f"  {label:<45} {seconds * 1000:8.0f} ms")
        slow = [
            label
            for label, seconds in results.items()
            if label.startswith(("balances", "a fund's year")) and seconds >= 1
        ]
        if slow:
            raise SystemExit(f"over 1 s: {', '.join(slow)}")


if __name__ == "__main__":
    main()
