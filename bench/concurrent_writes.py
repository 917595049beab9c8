"""Concurrent writes against a running server: does any of them get a 5xx?

Starts Konvoi with uvicorn on a fresh, migrated SQLite file (and, when
KONVOI_BENCH_POSTGRES_URL is set, on a scratch PostgreSQL database beside it), then lets 32
clients write at once for 8 seconds: PATCH one shared donor without If-Match, create donors,
create needs, and read the donor list in between. Prints the status codes per request and
database; exits 1 if any request got a 5xx or no answer.

    python -m bench.concurrent_writes
    KONVOI_BENCH_POSTGRES_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test \\
        python -m bench.concurrent_writes
    KONVOI_BENCH_CLIENTS=64 KONVOI_BENCH_SECONDS=20 python -m bench.concurrent_writes
"""

import itertools
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlmodel import Session

from app.auth import service as accounts
from app.auth.roles import Role
from app.auth.schemas import UserCreate
from app.core import migrations
from app.core.database import make_engine
from bench.serving import ROOT, free_port, scratch_database

API = "/api/v1"
USERNAME = "bench-admin"
# A valid EDRPOU code (check digit included): the needs' destination.
EDRPOU = "03348471"

# What one client sends: the request's label, and how to send it (client, a unique number).
Write = Callable[[httpx.Client, int], httpx.Response]
PATCH_DONOR = "PATCH /donors/{id}, no If-Match"
POST_DONOR = "POST /donors"
POST_NEED = "POST /needs"
GET_DONORS = "GET /donors"


@dataclass
class Tally:
    """Status codes and latencies per request label; "error" when no answer came."""

    codes: Counter[tuple[str, int | str]] = field(default_factory=Counter)
    millis: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    seconds: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, label: str, code: int | str, ms: float) -> None:
        with self.lock:
            self.codes[label, code] += 1
            self.millis[label].append(ms)

    def succeeded(self, label: str) -> int:
        return sum(n for (lab, code), n in self.codes.items() if lab == label and is_2xx(code))

    def failures(self, label: str | None = None) -> int:
        """Requests answered with a 5xx, or not answered at all."""
        return sum(
            n
            for (lab, code), n in self.codes.items()
            if label in (None, lab) and (code == "error" or int(code) >= 500)
        )


def is_2xx(code: int | str) -> bool:
    return isinstance(code, int) and 200 <= code < 300


def create_admin(url: str) -> str:
    """Migrate the database and add an admin account; returns its password."""
    engine = make_engine(url)
    with engine.begin() as conn:
        migrations.upgrade(conn)
    password = secrets.token_urlsafe(16)
    with Session(engine) as session:
        accounts.create_user(
            session,
            UserCreate(username=USERNAME, full_name="Bench", role=Role.admin, password=password),
        )
        session.commit()
    engine.dispose()
    return password


@contextmanager
def running_server(url: str, log: Path) -> Iterator[str]:
    """Konvoi served by uvicorn in a process of its own, as `konvoi serve` runs it."""
    port = free_port()
    env = {**os.environ, "KONVOI_DATABASE_URL": url}
    command = [sys.executable, "-m", "uvicorn", "app.main:app", "--host", "127.0.0.1"]
    command += ["--port", str(port), "--no-access-log", "--log-level", "warning"]
    with log.open("w") as out:
        # The command is this interpreter and fixed arguments.
        server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=out)  # noqa: S603
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the server did not start:\n{log.read_text()}")
            time.sleep(0.1)
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            # Requests still hanging (the very failure this looks for) keep uvicorn waiting.
            server.kill()
            server.wait()


def log_in(base: str, password: str) -> dict[str, str]:
    form = {"username": USERNAME, "password": password}
    response = httpx.post(f"{base}{API}/auth/token", data=form)
    response.raise_for_status()
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def writes(base: str, headers: dict[str, str]) -> tuple[int, dict[str, Write]]:
    """The mix of requests, against one shared donor and one destination made here; and the
    donor's id."""
    with httpx.Client(base_url=base + API, headers=headers) as client:
        donor = client.post("/donors", json={"name": "Stadtwerke Wuppertal"})
        destination = client.post(
            "/destinations",
            json={"name": "Lvivvodokanal", "city": "Lviv", "oblast": "Lvivska", "edrpou": EDRPOU},
        )
    donor.raise_for_status()
    destination.raise_for_status()
    donor_id = donor.json()["id"]
    need = {"destination_id": destination.json()["id"], "item_kind": "pump", "quantity": 1}

    return donor_id, {
        # Every PATCH changes the donor (a new contact each time), so each one is a write.
        PATCH_DONOR: lambda c, n: c.patch(f"/donors/{donor_id}", json={"contact_name": f"C {n}"}),
        POST_DONOR: lambda c, n: c.post("/donors", json={"name": f"Stadtwerke {n:06d}"}),
        POST_NEED: lambda c, n: c.post("/needs", json={**need, "description": f"Pump {n}"}),
        GET_DONORS: lambda c, n: c.get("/donors", params={"limit": 50}),
    }


def fire(
    base: str,
    headers: dict[str, str],
    mix: dict[str, Write],
    *,
    clients: int,
    seconds: float | None = None,
    rounds: int | None = None,
) -> Tally:
    """Each client sends the mix in turn (each starting elsewhere in it), all at once, until
    ``seconds`` have passed or it has sent ``rounds`` requests."""
    tally = Tally()
    numbers = itertools.count()
    labels = list(mix)
    start = threading.Barrier(clients + 1)

    def client(index: int) -> None:
        with httpx.Client(base_url=base + API, headers=headers, timeout=60) as http:
            start.wait()
            end = time.monotonic() + seconds if seconds is not None else None
            for sent in itertools.count():
                if (rounds is not None and sent >= rounds) or (
                    end is not None and time.monotonic() >= end
                ):
                    return
                label = labels[(index + sent) % len(labels)]
                began = time.perf_counter()
                try:
                    code: int | str = mix[label](http, next(numbers)).status_code
                except httpx.TransportError:
                    code = "error"
                tally.add(label, code, (time.perf_counter() - began) * 1000)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    tally.seconds = time.perf_counter() - began
    return tally


def table(results: dict[str, Tally]) -> str:
    codes = sorted({code for t in results.values() for _, code in t.codes}, key=str)
    head = f"{'database':10} {'request':32}" + "".join(f"{c!s:>7}" for c in codes)
    lines = [head + f"{'5xx':>6}{'median':>10}{'max':>10}"]
    for database, tally in results.items():
        for label, millis in tally.millis.items():
            row = f"{database:10} {label:32}"
            row += "".join(f"{tally.codes[label, c]:>7}" for c in codes)
            row += f"{tally.failures(label):>6}"
            row += f"{statistics.median(millis):>8.0f}ms{max(millis):>8.0f}ms"
            lines.append(row)
        total = sum(tally.codes.values())
        lines.append(
            f"{database:10} {'all':32}{'':>{7 * len(codes)}}{tally.failures():>6}"
            f"   {total} requests in {tally.seconds:.1f} s ({total / tally.seconds:.0f}/s)"
        )
    return "\n".join(lines)


def main() -> None:
    clients = int(os.environ.get("KONVOI_BENCH_CLIENTS", "32"))
    seconds = float(os.environ.get("KONVOI_BENCH_SECONDS", "8"))
    servers: dict[str, str | None] = {"sqlite": None}
    if postgres := os.environ.get("KONVOI_BENCH_POSTGRES_URL"):
        servers["postgresql"] = postgres
    results: dict[str, Tally] = {}
    logs: dict[str, str] = {}
    for database, server in servers.items():
        with scratch_database(server) as url, tempfile.TemporaryDirectory() as tmp:
            password = create_admin(url)
            log = Path(tmp) / "server.log"
            with running_server(url, log) as base:
                headers = log_in(base, password)
                _, mix = writes(base, headers)
                results[database] = fire(base, headers, mix, clients=clients, seconds=seconds)
            logs[database] = log.read_text()
    print(f"{clients} clients, {seconds:g} s per database")
    print(table(results))
    failed = [database for database, tally in results.items() if tally.failures()]
    for database in failed:
        print(f"\n{database} server log (last 40 lines):")
        print("\n".join(logs[database].splitlines()[-40:]))
    sys.stdout.flush()
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
