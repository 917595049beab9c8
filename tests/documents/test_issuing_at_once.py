"""Several people issuing numbered papers at the same moment, on a running server.

Each issue reads the last number or revision, makes the PDF (a tenth of a second) and writes
the next. Sent at once on PostgreSQL, they all read the same last one, and all but one
collided on the unique number with a 500. Now each gets a number or revision of its own.
"""

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import cast

import httpx
from fastapi.testclient import TestClient

from bench.concurrent_writes import create_admin, log_in, running_server
from tests import factories
from tests.conftest import fresh_database
from tests.convoys import builders as b

CLERKS = 6


@contextmanager
def served(database_url: str, folder: Path) -> Iterator[tuple[str, dict[str, str]]]:
    """A server of its own on an empty database of the test's backend, and an admin's
    headers; its log is ``folder / "server.log"``."""
    with fresh_database(database_url, folder) as url:
        password = create_admin(url)
        with running_server(url, folder / "server.log") as base:
            yield base, log_in(base, password)


def test_clerks_issuing_one_paper_at_once_each_get_a_revision(
    database_url: str, tmp_path: Path
) -> None:
    log = tmp_path / "server.log"
    with served(database_url, tmp_path) as (base, headers):
        with httpx.Client(base_url=base, headers=headers, timeout=60) as http:
            # The builders speak to a client's interface, which a TestClient extends.
            planned = b.planned_convoy(cast(TestClient, http), vehicles=2)
        issue = f"{base}/api/v1/convoys/{planned.id}/documents"

        def clerk(_: int) -> httpx.Response:
            return httpx.post(issue, json={"kind": "manifest"}, headers=headers, timeout=120)

        with ThreadPoolExecutor(CLERKS) as pool:
            answers = list(pool.map(clerk, range(CLERKS)))
        listed = httpx.get(
            f"{base}/api/v1/convoys/{planned.id}/issued-documents", headers=headers
        ).json()

    report = "\n".join(f"{a.status_code} {a.text[:200]}" for a in answers) + log.read_text()[-2000:]
    assert [a.status_code for a in answers] == [201] * CLERKS, report
    issued = [a.json() for a in answers]
    assert len({paper["number"] for paper in issued}) == 1, report
    assert sorted(paper["revision"] for paper in issued) == list(range(1, CLERKS + 1))
    assert sorted(paper["revision"] for paper in listed) == list(range(1, CLERKS + 1))


def test_receipts_for_donations_issued_at_once_each_get_a_number(
    database_url: str, tmp_path: Path
) -> None:
    """A programme's receipts are numbered through the year (LVR/ZB/2026/0001, 0002, ...):
    receipts for several donations issued at once each take the next number."""
    log = tmp_path / "server.log"
    with served(database_url, tmp_path) as (base, headers):
        with httpx.Client(base_url=base, headers=headers, timeout=60) as http:
            books = cast(TestClient, http)
            destination = factories.destination(books)
            programme = factories.created(
                books, "/programmes", factories.programme_data(destination["id"])
            )
            fund = factories.created(
                books, f"/programmes/{programme['id']}/funds", {"name": "LVR-Ukraine-Euro"}
            )
            donations = [
                factories.created(
                    books,
                    "/ledger-entries",
                    {
                        "fund_id": fund["id"],
                        "booked_on": "2026-11-02",
                        "kind": "donation",
                        "amount_cents": 10_000 + n,
                        "description": "Spende",
                        "donor_name": f"Олена Коваль {n}",
                        "donor_address": "Hauptstr. 1, 40764 Langenfeld",
                    },
                )
                for n in range(CLERKS)
            ]

        def treasurer(entry: dict[str, object]) -> httpx.Response:
            receipt = f"{base}/api/v1/ledger-entries/{entry['id']}/receipt"
            return httpx.post(receipt, headers=headers, timeout=120)

        with ThreadPoolExecutor(CLERKS) as pool:
            answers = list(pool.map(treasurer, donations))

    told = "\n".join(f"{a.status_code} {a.text[:200]}" for a in answers) + log.read_text()[-2000:]
    assert [a.status_code for a in answers] == [201] * CLERKS, told
    numbers = sorted(a.json()["number"].rsplit("/", 1)[1] for a in answers)
    assert numbers == [f"{n:04d}" for n in range(1, CLERKS + 1)], told
