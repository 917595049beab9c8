"""Konvoi as an operator runs it: `konvoi serve` in processes of its own, for the benchmark
and for the tests that need real servers (several workers, restarts, two processes at once)."""

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def scratch_database(server: str | None) -> Iterator[str]:
    """A fresh SQLite file, or a fresh database on the PostgreSQL server; removed afterwards."""
    if server is None:
        with tempfile.TemporaryDirectory() as tmp:
            yield f"sqlite:///{tmp}/konvoi.db"
        return
    name = f"konvoi_bench_{os.getpid()}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@dataclass
class Served:
    base: str
    process: "subprocess.Popen[bytes]"
    log: Path
    # when launched (perf_counter); once ready, seconds from the start to the first 200
    started_in: float


def launch(
    url: str,
    log: Path,
    *,
    args: tuple[str, ...] = (),
    env: Mapping[str, str] | None = None,
) -> Served:
    """Start `konvoi serve` without waiting for it."""
    port = free_port()
    environment = {**os.environ, "KONVOI_DATABASE_URL": url, **(env or {})}
    command = [sys.executable, "-m", "app.cli", "serve", "--port", str(port), *args]
    started = time.perf_counter()
    with log.open("w") as out:
        # The command is this interpreter and fixed arguments.
        process = subprocess.Popen(  # noqa: S603
            command, cwd=ROOT, env=environment, stdout=out, stderr=out
        )
    return Served(f"http://127.0.0.1:{port}", process, log, started)


def ready(served: Served, probe: str = "/healthz", timeout: float = 60) -> Served:
    """Wait for the first 200 of ``probe``; ``started_in`` becomes the time it took."""
    deadline = time.monotonic() + timeout
    with httpx.Client(timeout=5) as client:
        while True:
            try:
                if client.get(f"{served.base}{probe}").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if served.process.poll() is not None or time.monotonic() > deadline:
                stop(served.process)
                raise RuntimeError(f"the server did not start:\n{served.log.read_text()}")
            time.sleep(0.01)
    served.started_in = time.perf_counter() - served.started_in
    return served


def start(
    url: str,
    log: Path,
    *,
    args: tuple[str, ...] = (),
    env: Mapping[str, str] | None = None,
) -> Served:
    """Start `konvoi serve` and wait for its first 200."""
    return ready(launch(url, log, args=args, env=env))


def stop(process: "subprocess.Popen[bytes]") -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextmanager
def serving(
    url: str,
    log: Path,
    *,
    args: tuple[str, ...] = (),
    env: Mapping[str, str] | None = None,
) -> Iterator[Served]:
    served = start(url, log, args=args, env=env)
    try:
        yield served
    finally:
        stop(served.process)
