"""PostgreSQL restarted under load: the outage is answered with quick 503s, the service
recovers by itself, and every write answered 2xx is in the database afterwards.

A private PostgreSQL cluster (initdb in a temporary directory, the machine's PostgreSQL
binaries) so that restarting it disturbs nobody; Konvoi served by `konvoi serve`; writers
creating donors throughout. Run: `make bench-restart` (as root or the postgres user).
"""

import os
import shutil
import statistics
import subprocess
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlmodel import Session, select

from app.core.database import make_engine
from app.donors.models import Donor
from bench.concurrent_writes import USERNAME, create_admin
from bench.serving import free_port, serving

WRITERS = 8
BEFORE_SECONDS = 1.5
OUTAGE_SECONDS = 3.0
AFTER_SECONDS = 6.0


def _bindir() -> Path:
    found = shutil.which("pg_config")
    if found:
        out = subprocess.run([found, "--bindir"], capture_output=True, text=True, check=True)  # noqa: S603
        candidate = Path(out.stdout.strip())
        if (candidate / "initdb").exists():
            return candidate
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if not versions:
        raise RuntimeError("PostgreSQL's server binaries (initdb, pg_ctl) are not installed")
    return versions[-1].parent


@dataclass
class Cluster:
    """A PostgreSQL server of our own: its data directory, port, and pg_ctl."""

    directory: Path
    port: int
    bindir: Path

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *command: str) -> None:
        # PostgreSQL refuses to run as root: as root, run it as the postgres user.
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        subprocess.run([*prefix, *command], check=True, capture_output=True)  # noqa: S603

    def pg_ctl(self, *args: str) -> None:
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.directory / "data"), *args)

    def start(self) -> None:
        options = f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1"
        self.pg_ctl("-o", options, "-l", str(self.directory / "server.log"), "-w", "start")

    def stop(self) -> None:
        self.pg_ctl("-m", "fast", "-w", "stop")


@contextmanager
def private_cluster() -> Iterator[Cluster]:
    directory = Path(tempfile.mkdtemp(prefix="konvoi-pg-"))
    directory.chmod(0o755)
    if os.geteuid() == 0:
        shutil.chown(directory, "postgres", "postgres")
    cluster = Cluster(directory, free_port(), _bindir())
    try:
        cluster._run(
            str(cluster.bindir / "initdb"),
            "-D",
            str(directory / "data"),
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-sync",
        )
        cluster.start()
        yield cluster
    finally:
        with suppress(subprocess.CalledProcessError):  # already stopped
            cluster.stop()
        shutil.rmtree(directory, ignore_errors=True)


@dataclass
class Answer:
    sent: float  # seconds since the load began
    elapsed: float
    status: int  # 0: no answer at all
    name: str
    code: str | None = None


@dataclass
class Outcome:
    answers: list[Answer] = field(default_factory=list)
    down_at: float = 0.0  # the server has stopped
    starting_at: float = 0.0  # asked to start again
    up_at: float = 0.0  # accepting connections
    stored: set[str] = field(default_factory=set)
    log: str = ""

    def during_outage(self) -> list[Answer]:
        """The requests sent while the server was down for certain."""
        return [a for a in self.answers if self.down_at < a.sent < self.starting_at]

    def answered_created(self) -> set[str]:
        return {a.name for a in self.answers if a.status == 201}

    def recovered_after(self) -> float | None:
        """Seconds from the restart to the first write accepted again."""
        after = [
            a.sent + a.elapsed for a in self.answers if a.status == 201 and a.sent > self.up_at
        ]
        return min(after) - self.up_at if after else None

    def report(self) -> str:
        codes = Counter(a.status for a in self.answers)
        outage = self.during_outage()
        slowest = max((a.elapsed for a in outage), default=0.0)
        median = statistics.median([a.elapsed for a in outage]) if outage else 0.0
        recovered = self.recovered_after()
        missing = self.answered_created() - self.stored
        return "\n".join(
            [
                f"requests: {len(self.answers)} ({dict(sorted(codes.items()))})",
                f"during the outage: {len(outage)} requests, "
                f"median answer {median * 1000:.0f} ms, slowest {slowest * 1000:.0f} ms",
                f"first write accepted {recovered:.2f} s after the restart"
                if recovered is not None
                else "no write accepted after the restart",
                f"answered 201: {len(self.answered_created())}, in the database: "
                f"{len(self.stored)}, answered 201 but missing: {len(missing)}",
            ]
        )


def run(log_dir: Path) -> Outcome:
    outcome = Outcome()
    with private_cluster() as cluster:
        password = create_admin(cluster.url)
        with serving(cluster.url, log_dir / "server.log") as served:
            token = httpx.post(
                f"{served.base}/api/v1/auth/token",
                data={"username": USERNAME, "password": password},
            ).json()["access_token"]
            headers = {"Authorization": f"Bearer {token}"}
            began = time.perf_counter()
            stop_at = [float("inf")]
            lock = threading.Lock()

            def write(writer: int) -> None:
                with httpx.Client(base_url=served.base, headers=headers, timeout=60) as client:
                    n = 0
                    while time.perf_counter() - began < stop_at[0]:
                        n += 1
                        name = f"Stadtwerke {writer}-{n}"
                        sent = time.perf_counter()
                        try:
                            response = client.post("/api/v1/donors", json={"name": name})
                            status = response.status_code
                            code = response.json().get("code") if status != 201 else None
                        except httpx.HTTPError:
                            status, code = 0, None
                        answer = Answer(
                            sent - began, time.perf_counter() - sent, status, name, code
                        )
                        with lock:
                            outcome.answers.append(answer)
                        if status != 201:
                            time.sleep(0.05)  # as a client would, before trying again

            threads = [threading.Thread(target=write, args=(w,)) for w in range(WRITERS)]
            for thread in threads:
                thread.start()
            time.sleep(BEFORE_SECONDS)
            cluster.stop()
            outcome.down_at = time.perf_counter() - began
            time.sleep(OUTAGE_SECONDS)
            outcome.starting_at = time.perf_counter() - began
            cluster.start()
            outcome.up_at = time.perf_counter() - began
            time.sleep(AFTER_SECONDS)
            stop_at[0] = time.perf_counter() - began
            for thread in threads:
                thread.join(timeout=90)
        outcome.log = (log_dir / "server.log").read_text()
        engine = make_engine(cluster.url)
        with Session(engine) as session:
            outcome.stored = set(session.exec(select(Donor.name)).all())
        engine.dispose()
    return outcome


def main() -> None:
    with tempfile.TemporaryDirectory() as directory:
        outcome = run(Path(directory))
    print(outcome.report())


if __name__ == "__main__":
    main()
