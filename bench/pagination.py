"""Keyset pagination: does a deep page cost the same as the first one?

Loads N donors into a fresh SQLite (or KONVOI_BENCH_DATABASE_URL) database, then times the
list query for the first page and for a page deep into the list, reached by its cursor, and
compares with what OFFSET paging would cost for the same deep page.

    python -m bench.pagination            # SQLite, N=50,000, pages of 50
    KONVOI_BENCH_POSTGRES_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test \\
        python -m bench.pagination        # the same in a scratch PostgreSQL database
"""

import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable

from sqlalchemy import create_engine, insert, text
from sqlalchemy.engine import make_url
from sqlmodel import Session, col, select

from app.core import migrations
from app.core.database import make_engine
from app.core.types import utcnow
from app.donors import service as donors
from app.donors.models import Donor

ROWS = int(os.environ.get("KONVOI_BENCH_ROWS", "50000"))
LIMIT = 50
REPEAT = 25


def median_ms(run: Callable[[], object]) -> float:
    samples = []
    for _ in range(REPEAT):
        start = time.perf_counter()
        run()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def main() -> None:
    server = os.environ.get("KONVOI_BENCH_POSTGRES_URL")
    tmp = None
    scratch = None
    if server:
        # A scratch database on that server, dropped afterwards.
        scratch = f"konvoi_bench_{os.getpid()}"
        with create_engine(server, isolation_level="AUTOCOMMIT").connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{scratch}"'))
        url = make_url(server).set(database=scratch).render_as_string(hide_password=False)
    else:
        tmp = tempfile.NamedTemporaryFile(suffix=".db", delete=False)  # noqa: SIM115
        url = f"sqlite:///{tmp.name}"
    engine = make_engine(url)
    with engine.begin() as conn:
        migrations.upgrade(conn)
        now = utcnow()
        conn.execute(
            insert(Donor),
            [
                {
                    "name": f"Stadtwerke {i:06d}",
                    "kind": "utility",
                    "country": "DE",
                    "created_at": now,
                    "updated_at": now,
                    "version": 1,
                }
                for i in range(ROWS)
            ],
        )
    results = []
    with Session(engine) as session:
        deep_page = ROWS // LIMIT - 2
        for sort in ("id", "name"):
            # Walk to a deep page once to get its cursor (the client would hold it).
            cursor = None
            for _ in range(deep_page):
                _, cursor = donors.search(
                    session, q=None, kind=None, country=None, sort=sort, cursor=cursor, limit=LIMIT
                )

            def page(sort: str = sort, cursor: str | None = cursor) -> object:
                return donors.search(
                    session, q=None, kind=None, country=None, sort=sort, cursor=cursor, limit=LIMIT
                )

            order = col(Donor.id) if sort == "id" else col(Donor.name)

            def offset(order: object = order) -> object:
                stmt = select(Donor).order_by(order, col(Donor.id))  # type: ignore[arg-type]
                return session.exec(stmt.offset(deep_page * LIMIT).limit(LIMIT)).all()

            def first(sort: str = sort) -> object:
                return page(sort, None)

            first_ms = median_ms(first)
            results.append((sort, first_ms, median_ms(page), median_ms(offset)))
    engine.dispose()
    if tmp is not None:
        os.unlink(tmp.name)
    if server and scratch:
        with create_engine(server, isolation_level="AUTOCOMMIT").connect() as conn:
            conn.execute(text(f'DROP DATABASE "{scratch}"'))
    print(f"backend {engine.dialect.name}, {ROWS} donors, pages of {LIMIT}, median of {REPEAT}")
    print(
        f"{'sort':6} {'first page':>12} {'page ' + str(deep_page) + ' keyset':>18} {'OFFSET':>10}"
    )
    for sort, first_ms, deep_ms, offset_ms in results:
        print(
            f"{sort:6} {first_ms:9.2f} ms {deep_ms:9.2f} ms (x{deep_ms / first_ms:4.2f})"
            f" {offset_ms:7.2f} ms (x{offset_ms / first_ms:4.2f})"
        )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
