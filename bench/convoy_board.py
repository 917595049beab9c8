"""The convoy board and readiness at 6 and at 60 vehicles: server time and SQL statements.

Plans a convoy of 6 and one of 60 export-ready vehicles (four legs, a driver per vehicle for
the whole trip, equipment riding on them) through the API in a fresh SQLite database, then
renders the board page (`GET /convoys/{id}` as a coordinator) and the readiness check
(`GET /api/v1/convoys/{id}/readiness`) in the app's process, alternating between the two
convoys, and prints the medians, the SQL statements each request ran and its bytes.

    python -m bench.convoy_board          # make bench-board
"""

import statistics
import time
from collections.abc import Iterator
from contextlib import contextmanager

from fastapi.testclient import TestClient
from sqlalchemy import event

from bench.planning_calls import PLANNER, Planner, fresh_app, plan

ROUNDS = 15


@contextmanager
def counted_statements() -> Iterator[list[str]]:
    from app.core.database import get_engine

    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    engine = get_engine()
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def timed(client: TestClient, path: str, **kwargs: object) -> tuple[float, int, int]:
    """Milliseconds, SQL statements and bytes of the answer."""
    with counted_statements() as statements:
        start = time.perf_counter()
        response = client.get(path, **kwargs)  # type: ignore[arg-type]
        elapsed = time.perf_counter() - start
    assert response.status_code == 200, response.text
    return elapsed * 1000, len(statements), len(response.content)


def main() -> None:
    with fresh_app() as client:
        convoys: dict[int, Planner] = {
            size: plan(
                client, batch=True, vehicles_count=size, equipment_count=size // 2, number=number
            )
            for number, size in ((6, 6), (60, 60))
        }
        token = client.headers["Authorization"]
        page = TestClient(client.app)
        login = page.post(
            "/login",
            data={"username": PLANNER[0], "password": PLANNER[1]},
            follow_redirects=False,
        )
        assert login.status_code == 303, login.text
        times: dict[tuple[str, int], list[float]] = {}
        statements: dict[tuple[str, int], int] = {}
        sizes: dict[tuple[str, int], int] = {}
        for _ in range(ROUNDS):
            for size, planner in convoys.items():
                cid = planner.convoy_id
                for name, path, who, headers in (
                    ("board page", f"/convoys/{cid}", page, {}),
                    (
                        "readiness API",
                        f"/api/v1/convoys/{cid}/readiness",
                        client,
                        {"Authorization": token},
                    ),
                ):
                    ms, count, size_bytes = timed(who, path, headers=headers)
                    times.setdefault((name, size), []).append(ms)
                    statements[(name, size)] = count
                    sizes[(name, size)] = size_bytes
    print(f"Convoy board and readiness, medians of {ROUNDS} alternating runs (SQLite, in process)")
    print(f"{'request':<16}{'vehicles':>9}{'median ms':>11}{'statements':>12}{'bytes':>10}")
    for (name, size), runs in sorted(times.items()):
        print(
            f"{name:<16}{size:>9}{statistics.median(runs):>11.1f}"
            f"{statements[(name, size)]:>12}{sizes[(name, size)]:>10}"
        )
    for name in ("board page", "readiness API"):
        ratio = statistics.median(times[(name, 60)]) / statistics.median(times[(name, 6)])
        print(f"{name}: 60 vehicles take {ratio:.2f} × the time of 6")
    print("target: the board of 60 vehicles under 300 ms, statements not growing with size")


if __name__ == "__main__":
    main()
