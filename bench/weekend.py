"""A convoy weekend against one uvicorn worker: how long each request takes when the people
who use Konvoi on a weekend use it at once, and how many of them it takes to pass 500 ms.

The weekend (bench/weekend_data.py plans it through the API on a scratch database):
five convoys of twenty vehicles are on the road, each vehicle with its own driver, and ten
boards are being planned for the next weekend. Its people, each a Locust user on its own
account (signed in once before the load, as a phone or a desk stays signed in):

- 100 drivers: the phone page (`GET /my-convoy`) every 30 s; on half of the loads they tap
  the next step on their legs, as the phone sends it (the page's form, `POST
  /my-convoy/legs/{id}/report`, then the page again: the redirect the phone follows and the
  reload after its queue is sent). Denser than a real weekend, so the reports are measured.
- 10 coordinators, one board each, every 2–8 s the next of: read the board, readiness,
  withdraw the driver of their vehicle, readiness, seat them again for the trip, load a
  cargo line onto the vehicle, readiness, unload it.
- 5 clerks, every 10–30 s the next of: issue the manifest of a board, list its issued
  papers, issue a vehicle's CMR note, download it.
- 3 recipients (Lvivvodokanal), every 10–30 s: their deliveries, then one delivery.

After a warm-up at the same mix (KONVOI_WEEKEND_WARMUP_SECONDS, 10 s, not counted), users
start over a ramp (KONVOI_WEEKEND_RAMP_SECONDS, 10 s), each phone at its own moment of the
half-minute, and run KONVOI_WEEKEND_SECONDS in all (60 s). The table shows Locust's
p50/p95/p99 (kept to 2 significant digits above 100 ms) and the requests that did not answer
as the user expects. Then the whole mix runs again at ×2, ×4, … up to
×KONVOI_WEEKEND_MAX_FACTOR (16), each KONVOI_WEEKEND_STEP_SECONDS (as long), stopping at the
first step where some p95 passes 500 ms. At ×k the users share the accounts
and the boards of the weekend (k phones per driver, k coordinators per board; past ×8 two on
one vehicle, whose edits can then refuse each other: 409s, counted).

    make bench-weekend     # SQLite; with KONVOI_BENCH_POSTGRES_URL set, PostgreSQL too
    KONVOI_WEEKEND_SECONDS=30 KONVOI_WEEKEND_MAX_FACTOR=4 make bench-weekend
"""

# Locust patches the standard library for gevent when imported: before anything else does.
import locust  # isort: skip

import itertools
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, ClassVar

import gevent
import httpx
from locust.contrib.fasthttp import ResponseContextManager
from locust.env import Environment

from bench.serving import ROOT, launch, ready, scratch_database, stop
from bench.weekend_data import PASSWORD, Board, Weekend

SECONDS = float(os.environ.get("KONVOI_WEEKEND_SECONDS", "60"))
STEP_SECONDS = float(os.environ.get("KONVOI_WEEKEND_STEP_SECONDS", str(SECONDS)))
RAMP_SECONDS = float(os.environ.get("KONVOI_WEEKEND_RAMP_SECONDS", "10"))
WARMUP_SECONDS = float(os.environ.get("KONVOI_WEEKEND_WARMUP_SECONDS", "10"))
MAX_FACTOR = int(os.environ.get("KONVOI_WEEKEND_MAX_FACTOR", "16"))
TARGET_MS = 150  # every p95 at the weekend's load, with no errors
LIMIT_MS = 500  # the p95 the step-up looks for
DRIVER_PACING = 30.0  # seconds from one page load to the next
REPORT_SHARE = 0.5  # of the page loads that end with a tap


# --- what the users send and read -------------------------------------------------------------


class Forms(HTMLParser):
    """The forms (action and hidden fields) and the links of a page."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.forms: list[tuple[str, dict[str, str]]] = []
        self.links: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: value or "" for name, value in attrs}
        if tag == "form":
            self.forms.append((found.get("action", ""), {}))
        elif tag == "input" and self.forms and found.get("type") == "hidden":
            self.forms[-1][1][found.get("name", "")] = found.get("value", "")
        elif tag == "a" and "href" in found:
            self.links.append(found["href"])


@dataclass
class SignedIn:
    """What each account sends: a session cookie (pages) or a bearer token (API)."""

    headers: dict[str, dict[str, str]]
    seconds: list[float] = field(default_factory=list)  # each sign-in's time


def sign_in(base: str, weekend: Weekend) -> SignedIn:
    """Every account once: the phones and the recipients through the login form, the desks
    through the API's token."""
    signed = SignedIn({})
    with httpx.Client(base_url=base, timeout=30) as client:
        for username in weekend.drivers + weekend.recipients:
            started = time.perf_counter()
            response = client.post("/login", data={"username": username, "password": PASSWORD})
            signed.seconds.append(time.perf_counter() - started)
            if response.status_code != 303:
                raise RuntimeError(f"{username} could not log in: {response.status_code}")
            cookie = response.cookies["konvoi_session"]
            signed.headers[username] = {"Cookie": f"konvoi_session={cookie}"}
            client.cookies.clear()
        for username in weekend.coordinators + weekend.clerks:
            started = time.perf_counter()
            response = client.post(
                "/api/v1/auth/token", data={"username": username, "password": PASSWORD}
            )
            signed.seconds.append(time.perf_counter() - started)
            response.raise_for_status()
            signed.headers[username] = {
                "Authorization": f"Bearer {response.json()['access_token']}"
            }
            client.cookies.clear()
    return signed


@dataclass
class Run:
    """What the users of one run share: the data, who signed in, the account counters."""

    weekend: Weekend
    signed: SignedIn
    counters: dict[str, Iterator[int]] = field(default_factory=dict)
    # the first answer of each (request, status) that the user did not expect
    bodies: dict[tuple[str, int], str] = field(default_factory=dict)

    def next_index(self, role: str) -> int:
        return next(self.counters.setdefault(role, itertools.count()))


class WeekendUser(locust.FastHttpUser):
    abstract = True
    network_timeout = 30.0
    connection_timeout = 30.0
    shared: ClassVar[Run]
    role: ClassVar[str]

    def on_start(self) -> None:
        self.index = self.shared.next_index(self.role)
        self.step = 0

    def account(self, usernames: list[str]) -> dict[str, str]:
        return self.shared.signed.headers[usernames[self.index % len(usernames)]]

    def call(
        self,
        method: str,
        path: str,
        name: str,
        expected: int,
        headers: dict[str, str],
        **kwargs: Any,
    ) -> ResponseContextManager | None:
        """One request, a failure in the statistics unless it answers ``expected``; the
        response when it did."""
        with self.client.request(
            method,
            path,
            name=f"{self.role}: {name}",
            headers=headers,
            catch_response=True,
            allow_redirects=False,
            **kwargs,
        ) as entered:
            response: ResponseContextManager = entered
            status = response.status_code or 0
            if status == expected:
                response.success()  # type: ignore[no-untyped-call]  # (locust: unannotated)
                return response
            key = (f"{self.role}: {name}", status)
            if key not in self.shared.bodies:
                self.shared.bodies[key] = f"{method} {path}: {(response.text or '')[:300]}"
            response.failure(f"HTTP {status}")  # type: ignore[no-untyped-call]
            return None


class Driver(WeekendUser):
    role = "driver"
    wait_time = locust.constant_pacing(DRIVER_PACING)

    def on_start(self) -> None:
        super().on_start()
        # Each phone at its own moment of the half-minute, not all in step with the ramp.
        gevent.sleep(random.uniform(0, DRIVER_PACING))

    def page(self) -> ResponseContextManager | None:
        return self.call(
            "GET",
            "/my-convoy",
            "phone page  GET /my-convoy",
            200,
            self.account(self.shared.weekend.drivers),
        )

    @locust.task
    def phone(self) -> None:
        page = self.page()
        if page is None or random.random() >= REPORT_SHARE:
            return
        taps = [
            (action, fields)
            for action, fields in Forms(page.text or "").forms
            if action.endswith("/report")
        ]
        if not taps:
            return
        # The next step along the legs, round and round: a weekend on repeat.
        action, fields = taps[self.step % len(taps)]
        self.step += 1
        headers = self.account(self.shared.weekend.drivers)
        # What konvoi.js sends: the form's fields, when it was tapped, a key of its own.
        data = {
            **fields,
            "occurred_at": datetime.now(UTC).isoformat(),
            "client_key": uuid.uuid4().hex,
        }
        sent = self.call(
            "POST",
            action,
            "report a step  POST /my-convoy/legs/{id}/report",
            303,
            {**headers, "X-CSRF-Token": fields.get("csrf_token", "")},
            data=data,
        )
        if sent is not None:
            self.page()  # the redirect the phone follows
            self.page()  # the reload once its queue is empty


class Coordinator(WeekendUser):
    role = "coordinator"
    wait_time = locust.between(2, 8)

    def on_start(self) -> None:
        super().on_start()
        boards = self.shared.weekend.boards
        self.board: Board = boards[self.index % len(boards)]
        seats = self.board.seats
        self.vehicle, self.driver = seats[(self.index // len(boards)) % len(seats)]
        self.convoy = f"/api/v1/convoys/{self.board.convoy_id}"
        # As the board last read showed it: a run that ended mid-cycle left it either way.
        self.seated = True
        self.cargo: int | None = None

    @locust.task
    def next_action(self) -> None:
        actions = [
            self.read_board,
            self.readiness,
            self.change_seat,
            self.readiness,
            self.change_seat,
            self.load_cargo,
            self.readiness,
            self.unload_cargo,
        ]
        actions[self.step % len(actions)]()
        self.step += 1

    @property
    def headers(self) -> dict[str, str]:
        return self.account(self.shared.weekend.coordinators)

    def read_board(self) -> None:
        board = self.call("GET", self.convoy, "board  GET /api/v1/convoys/{id}", 200, self.headers)
        if board is not None:
            self.seated = any(
                (a["vehicle_id"], a["driver_id"]) == (self.vehicle, self.driver)
                for a in board.json()["assignments"]
            )

    def readiness(self) -> None:
        self.call(
            "GET",
            f"{self.convoy}/readiness",
            "readiness  GET /api/v1/convoys/{id}/readiness",
            200,
            self.headers,
        )

    def change_seat(self) -> None:
        """The driver of their vehicle drops out, or is seated again for the whole trip."""
        if self.seated:
            done = self.call(
                "POST",
                f"{self.convoy}/drivers/{self.driver}/withdraw",
                "withdraw a driver  POST …/drivers/{id}/withdraw",
                201,
                self.headers,
                json={"reason": "heat", "note": "bench: a weekend's change of plan"},
            )
        else:
            done = self.call(
                "POST",
                f"{self.convoy}/assignments/trip",
                "seat a driver  POST …/assignments/trip",
                201,
                self.headers,
                json={"assignments": [{"vehicle_id": self.vehicle, "driver_id": self.driver}]},
            )
        if done is not None:
            self.seated = not self.seated

    def load_cargo(self) -> None:
        loaded = self.call(
            "POST",
            f"/api/v1/items/{self.vehicle}/cargo",
            "load cargo  POST /api/v1/items/{id}/cargo",
            201,
            self.headers,
            json={
                "description": "Diesel generator 20 kVA",
                "description_uk": "Дизельний генератор 20 кВА",
                "quantity": 1,
                "weight_kg": 450,
                "value_cents": 900_000,
                "hs_code": "8502",
            },
        )
        self.cargo = int(loaded.json()["id"]) if loaded is not None else None

    def unload_cargo(self) -> None:
        if self.cargo is None:
            return
        self.call(
            "DELETE",
            f"/api/v1/cargo/{self.cargo}",
            "unload cargo  DELETE /api/v1/cargo/{id}",
            204,
            self.headers,
        )
        self.cargo = None


class Clerk(WeekendUser):
    role = "clerk"
    wait_time = locust.between(10, 30)

    def on_start(self) -> None:
        super().on_start()
        self.issued: int | None = None

    @locust.task
    def next_paper(self) -> None:
        headers = self.account(self.shared.weekend.clerks)
        board = random.choice(self.shared.weekend.boards)
        vehicle = random.choice(board.seats)[0]
        papers = f"/api/v1/convoys/{board.convoy_id}"
        match self.step % 4:
            case 0:
                self.call(
                    "POST",
                    f"{papers}/documents",
                    "issue a manifest  POST …/documents",
                    201,
                    headers,
                    json={"kind": "manifest"},
                )
            case 1:
                self.call(
                    "GET",
                    f"{papers}/issued-documents",
                    "issued papers  GET …/issued-documents",
                    200,
                    headers,
                )
            case 2:
                issued = self.call(
                    "POST",
                    f"{papers}/documents",
                    "issue a CMR note  POST …/documents",
                    201,
                    headers,
                    json={"kind": "cmr", "vehicle_id": vehicle},
                )
                self.issued = int(issued.json()["id"]) if issued is not None else None
            case _:
                if self.issued is not None:
                    self.call(
                        "GET",
                        f"/api/v1/issued-documents/{self.issued}/file",
                        "download a paper  GET /api/v1/issued-documents/{id}/file",
                        200,
                        headers,
                    )
        self.step += 1


class Recipient(WeekendUser):
    role = "recipient"
    wait_time = locust.between(10, 30)

    @locust.task
    def deliveries(self) -> None:
        headers = self.account(self.shared.weekend.recipients)
        listed = self.call("GET", "/deliveries", "deliveries  GET /deliveries", 200, headers)
        if listed is None:
            return
        links = sorted(
            {
                link
                for link in Forms(listed.text or "").links
                if link.startswith("/deliveries/") and link.removeprefix("/deliveries/").isdigit()
            }
        )
        if links:
            gevent.sleep(random.uniform(3, 10))  # reads the list, then opens one
            self.call("GET", random.choice(links), "a delivery  GET /deliveries/{id}", 200, headers)


USERS: list[type[WeekendUser]] = [Driver, Coordinator, Clerk, Recipient]


# --- one run ----------------------------------------------------------------------------------


@dataclass
class Row:
    name: str
    requests: int
    p50: float
    p95: float
    p99: float
    errors: int


@dataclass
class Measured:
    factor: int
    users: int
    seconds: float
    rows: list[Row]
    errors: dict[tuple[str, str], int]  # (request, error) -> occurrences
    bodies: dict[tuple[str, int], str]
    # the machine's 1-minute load average at the end: the cores are shared with others
    load_average: float

    @property
    def worst(self) -> Row:
        return max(self.rows, key=lambda row: row.p95)

    @property
    def failed(self) -> int:
        return sum(row.errors for row in self.rows)


def mix(weekend: Weekend, factor: int) -> dict[type[WeekendUser], int]:
    return {
        Driver: len(weekend.drivers) * factor,
        Coordinator: len(weekend.coordinators) * factor,
        Clerk: len(weekend.clerks) * factor,
        Recipient: len(weekend.recipients) * factor,
    }


def load(base: str, weekend: Weekend, signed: SignedIn, factor: int, seconds: float) -> Measured:
    """The weekend's mix × ``factor`` for ``seconds`` (the ramp included), then its numbers."""
    run = Run(weekend, signed)
    counts = mix(weekend, factor)
    for user, count in counts.items():
        user.shared = run
        user.fixed_count = count
    users = sum(counts.values())
    # A user still inside a request at the end gets a few seconds to finish it.
    env = Environment(user_classes=list(USERS), host=base, stop_timeout=5)
    runner = env.create_local_runner()
    runner.start(users, spawn_rate=users / RAMP_SECONDS)
    gevent.spawn_later(seconds, runner.quit)
    runner.greenlet.join()
    rows = [
        Row(
            name,
            entry.num_requests,
            entry.get_response_time_percentile(0.5),
            entry.get_response_time_percentile(0.95),
            entry.get_response_time_percentile(0.99),
            entry.num_failures,
        )
        for (name, _method), entry in sorted(env.stats.entries.items(), key=_by_role)
    ]
    errors = {(e.name, str(e.error)): e.occurrences for e in env.stats.errors.values()}
    return Measured(factor, users, seconds, rows, errors, run.bodies, os.getloadavg()[0])


ROLES = [user.role for user in USERS]


def _by_role(item: tuple[tuple[str, str], object]) -> tuple[int, str]:
    name = item[0][0]
    return ROLES.index(name.split(":")[0]), name


# --- per backend ------------------------------------------------------------------------------


@dataclass
class Pauses:
    """The server's full collections of the cycle collector during a run (its /metrics)."""

    runs: int
    seconds: float
    longest: float  # the longest since the server started


METRICS_TOKEN = "weekend-bench-scraper"  # noqa: S105 (a scratch server of the bench)


def full_collections(base: str) -> Pauses:
    text = httpx.get(
        f"{base}/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}, timeout=30
    ).text
    found = {
        line.split("{")[0]: float(line.split()[-1])
        for line in text.splitlines()
        if line.startswith("konvoi_gc_") and 'generation="2"' in line
    }
    return Pauses(
        int(found["konvoi_gc_collections_total"]),
        found["konvoi_gc_pause_seconds_total"],
        found["konvoi_gc_longest_pause_seconds"],
    )


@dataclass
class Result:
    backend: str
    weekend: Measured
    steps: list[Measured]
    sign_ins: list[float]
    server_errors: list[str]  # tracebacks in the server's log
    pauses: Pauses  # during the weekend's run (×1)


def prepared(url: str, folder: Path) -> Weekend:
    out = folder / "weekend.json"
    with (folder / "prepare.log").open("w") as log:
        subprocess.run(  # noqa: S603 (this interpreter and fixed arguments)
            [sys.executable, "-m", "bench.weekend_data", url, str(out)],
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            check=True,
            timeout=1200,
        )
    return Weekend.load(out)


def tracebacks(log: Path) -> list[str]:
    text = log.read_text(errors="replace")
    found = []
    for part in text.split("Traceback (most recent call last):")[1:]:
        lines = [line for line in part.splitlines() if line.strip()]
        found.append(next((line for line in reversed(lines) if not line.startswith(" ")), "?"))
    return found


def measure(backend: str, folder: Path) -> Result:
    server = None if backend == "sqlite" else os.environ["KONVOI_BENCH_POSTGRES_URL"]
    with scratch_database(server) as url:
        print(f"{backend}: planning the weekend …", file=sys.stderr, flush=True)
        weekend = prepared(url, folder)
        log = folder / f"konvoi-{backend}.log"
        konvoi = ready(
            launch(url, log, args=("--workers", "1"), env={"KONVOI_METRICS_TOKEN": METRICS_TOKEN})
        )
        try:
            signed = sign_in(konvoi.base, weekend)
            # A server that has been up a while: templates compiled, the papers' fonts read.
            print(f"{backend}: warming up …", file=sys.stderr, flush=True)
            load(konvoi.base, weekend, signed, 1, WARMUP_SECONDS)
            print(f"{backend}: the weekend, ×1 …", file=sys.stderr, flush=True)
            before = full_collections(konvoi.base)
            first = load(konvoi.base, weekend, signed, 1, SECONDS)
            after = full_collections(konvoi.base)
            pauses = Pauses(after.runs - before.runs, after.seconds - before.seconds, after.longest)
            steps = [first]
            factor = 1
            while steps[-1].worst.p95 <= LIMIT_MS and factor * 2 <= MAX_FACTOR:
                factor *= 2
                print(f"{backend}: ×{factor} …", file=sys.stderr, flush=True)
                steps.append(load(konvoi.base, weekend, signed, factor, STEP_SECONDS))
        finally:
            stop(konvoi.process)
        return Result(backend, first, steps, signed.seconds, tracebacks(log), pauses)


# --- the tables -------------------------------------------------------------------------------


def table(result: Result) -> str:
    run = result.weekend
    width = max(len(row.name) for row in run.rows)
    total = sum(row.requests for row in run.rows)
    lines = [
        f"{result.backend}: the weekend, {run.users} users (100 drivers, 10 coordinators, "
        f"5 clerks, 3 recipients), {run.seconds:.0f} s with a {RAMP_SECONDS:.0f} s ramp, "
        f"{total / run.seconds:.1f} requests/s, one uvicorn worker; the machine's load "
        f"average {run.load_average:.1f} on {os.cpu_count()} cores",
        "",
        f"| {'request':<{width}} |      n | p50 ms | p95 ms | p99 ms | errors "
        f"| p95 < {TARGET_MS} |",
        f"|{'-' * (width + 2)}|--------|--------|--------|--------|--------|----------|",
    ]
    for row in run.rows:
        mark = "ok" if row.p95 < TARGET_MS and not row.errors else "NO"
        lines.append(
            f"| {row.name:<{width}} | {row.requests:>6} | {row.p50:>6.0f} | {row.p95:>6.0f} "
            f"| {row.p99:>6.0f} | {row.errors:>6} | {mark:>8} |"
        )
    missed = [row.name for row in run.rows if row.p95 >= TARGET_MS or row.errors]
    lines += [
        "",
        f"target at the weekend's load: every p95 < {TARGET_MS} ms and no errors: "
        + ("met" if not missed else f"NOT met ({len(missed)} of {len(run.rows)} requests)"),
    ]
    pauses = result.pauses
    lines.append(
        f"full collections of the cycle collector during the weekend: {pauses.runs}, "
        f"{pauses.seconds * 1000:.0f} ms in all (every request in flight waits); the longest "
        f"since the server started {pauses.longest * 1000:.0f} ms"
    )
    sign_ins = sorted(result.sign_ins)
    lines.append(
        f"sign-ins before the load: {len(sign_ins)}, median "
        f"{sign_ins[len(sign_ins) // 2] * 1000:.0f} ms, slowest {sign_ins[-1] * 1000:.0f} ms"
    )
    lines += ["", f"step-up (the whole mix × k, {STEP_SECONDS:.0f} s each):", ""]
    lines.append("|  ×k | users | req/s | load avg | errors | worst p95 ms |     n | of")
    lines.append("|-----|-------|-------|----------|--------|--------------|-------|----")
    for step in result.steps:
        worst = step.worst
        total = sum(row.requests for row in step.rows)
        lines.append(
            f"| {step.factor:>3} | {step.users:>5} | {total / step.seconds:>5.1f} "
            f"| {step.load_average:>8.1f} | {step.failed:>6} | {worst.p95:>12.0f} "
            f"| {worst.requests:>5} | {worst.name}"
        )
    passed = next((s for s in result.steps if s.worst.p95 > LIMIT_MS), None)
    if passed is not None:
        lines.append(
            f"\nsome p95 passes {LIMIT_MS} ms at {passed.users} users (×{passed.factor}): "
            f"{passed.worst.name}, {passed.worst.p95:.0f} ms"
        )
    else:
        last = result.steps[-1]
        lines.append(
            f"\nsome p95 passes {LIMIT_MS} ms: above {last.users} users (×{last.factor}, the bound)"
        )
    for step in result.steps:
        if step.errors:
            lines.append(f"\nerrors at ×{step.factor}:")
            for (name, error), count in sorted(step.errors.items()):
                lines.append(f"  {name}: {error} × {count}")
            for (name, status), body in sorted(step.bodies.items()):
                lines.append(f"  first {status} of {name}: {body}")
    if result.server_errors:
        lines.append(f"\nserver log: {len(result.server_errors)} tracebacks, ending in:")
        for last_line in sorted(set(result.server_errors)):
            lines.append(f"  {last_line} × {result.server_errors.count(last_line)}")
    return "\n".join(lines)


def main() -> None:
    backends = ["sqlite"]
    if os.environ.get("KONVOI_BENCH_POSTGRES_URL"):
        backends.append("postgresql")
    with tempfile.TemporaryDirectory() as tmp:
        for backend in backends:
            folder = Path(tmp) / backend
            folder.mkdir()
            print(table(measure(backend, folder)), flush=True)
            print(flush=True)


if __name__ == "__main__":
    main()
