"""Importing a 5,000-row needs list: the dry run and the import, through the API.

python -m bench.needs_import          # make bench-import
"""

import io
import statistics
import time

from openpyxl import Workbook

from bench.planning_calls import Planner, fresh_app

ROWS = 5_000


def sheet(edrpou: str) -> bytes:
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.append(["edrpou", "kind", "description", "quantity", "priority", "requested_on"])
    for n in range(ROWS):
        ws.append([edrpou, "pump", f"Submersible pump no. {n + 1}", 1 + n % 9, 1 + n % 5, None])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def main() -> None:
    with fresh_app() as client:
        planner = Planner(client)  # logs in as the coordinator
        utility = planner.call(
            "POST",
            "/destinations",
            json={"name": "Lvivvodokanal", "city": "Lviv", "oblast": "Lviv", "edrpou": "03348471"},
        )
        content = sheet(utility["edrpou"])
        checks = []
        for _round in range(3):
            start = time.perf_counter()
            checked = client.post(
                "/api/v1/imports/needs",
                params={"dry_run": "true"},
                files={"file": ("needs.xlsx", content, "application/octet-stream")},
            )
            checks.append(time.perf_counter() - start)
            assert checked.status_code == 200, checked.text
        start = time.perf_counter()
        done = client.post(
            "/api/v1/imports/needs",
            params={"dry_run": "false"},
            files={"file": ("needs.xlsx", content, "application/octet-stream")},
        )
        imported = time.perf_counter() - start
        assert done.status_code == 200 and done.json()["created"] == ROWS, done.text
        start = time.perf_counter()
        again = client.post(
            "/api/v1/imports/needs",
            params={"dry_run": "false"},
            files={"file": ("needs.xlsx", content, "application/octet-stream")},
        )
        repeated = time.perf_counter() - start
        assert again.json()["already_recorded"] == ROWS
    print(f"needs list of {ROWS:,} rows, XLSX of {len(content) / 1024:.0f} KB (SQLite, in-process)")
    print(f"  dry run, median of 3:   {statistics.median(checks):6.2f} s")
    print(f"  import (all rows):      {imported:6.2f} s")
    print(f"  the same file again:    {repeated:6.2f} s (nothing recorded twice)")


if __name__ == "__main__":
    main()
