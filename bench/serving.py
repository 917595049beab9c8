"""Konvoi as an operator runs it: `konvoi serve` in processes of its own, for the benchmark
and for the tests that need real servers (several workers, restarts, two processes at once)."""

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


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
