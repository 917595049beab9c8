"""The driver's page as a phone abroad loads it: bytes transferred and Largest Contentful Paint.

Starts Konvoi with the demo data on a fresh SQLite file, logs in as the demo driver in Debian's
Chromium, then loads /my-convoy three times on an emulated slow 3G link (400 kbit/s each way,
400 ms round trip), each time in a new browser profile (empty cache, no service worker), and
once more with the browser's cache warm.
Prints the bytes on the wire (compressed, as sent) and the LCP, with the medians.

    python -m bench.driver_page          # make bench-driver
"""

import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import CDPSession, Page, sync_playwright

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("KONVOI_CHROMIUM", "/usr/bin/chromium")
SLOW_3G = {
    "offline": False,
    "latency": 400,  # ms round trip
    "downloadThroughput": 400_000 / 8,  # bytes per second
    "uploadThroughput": 400_000 / 8,
}
LOGIN_LINE = re.compile(r"^\s+(\w+)\s+(\S+)\s+(\S+)\s*$")
RUNS = 3


@dataclass
class Load:
    transferred_bytes: int
    lcp_ms: float
    requests: int


@contextmanager
def demo_server() -> Iterator[tuple[str, dict[str, tuple[str, str]]]]:
    """Konvoi on a fresh SQLite file with the demo loaded; yields its URL and the logins."""
    with tempfile.TemporaryDirectory() as folder:
        env = {**os.environ, "KONVOI_DATABASE_URL": f"sqlite:///{Path(folder) / 'k.db'}"}
        loaded = subprocess.run(
            [sys.executable, "-m", "app.cli", "demo"],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        logins = {
            m.group(1): (m.group(2), m.group(3))
            for line in loaded.stdout.splitlines()
            if (m := LOGIN_LINE.match(line))
        }
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        server = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "uvicorn", "app.main:app", "--port", str(port)],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            for _ in range(300):
                try:
                    if httpx.get(f"{url}/healthz").status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.1)
            yield url, logins
        finally:
            server.terminate()
            server.wait(timeout=10)


def session_cookie(url: str, username: str, password: str) -> dict[str, Any]:
    """Log in through the login form, as the phone did before: the session cookie."""
    with httpx.Client(base_url=url) as client:
        response = client.post("/login", data={"username": username, "password": password})
        assert response.status_code == 303, response.text
        value = client.cookies["konvoi_session"]  # beside it, the device cookie
    return {"name": "konvoi_session", "value": value, "url": url}


LCP_SCRIPT = """() => new Promise(resolve => {
  new PerformanceObserver(list => {
    const entries = list.getEntries();
    resolve(entries[entries.length - 1].startTime);
  }).observe({type: 'largest-contentful-paint', buffered: true});
})"""


def load(page: Page, cdp: CDPSession, path: str) -> Load:
    """One navigation: bytes on the wire for every response of it, and its LCP."""
    sizes: dict[str, float] = {}

    def finished(event: dict[str, Any]) -> None:
        sizes[event["requestId"]] = event["encodedDataLength"]

    cdp.on("Network.loadingFinished", finished)
    if path == RELOAD:
        page.reload(wait_until="load")
    else:
        page.goto(path, wait_until="load")
    lcp = float(page.evaluate(LCP_SCRIPT))
    page.wait_for_timeout(300)  # the last loadingFinished events
    cdp.remove_listener("Network.loadingFinished", finished)
    return Load(int(sum(sizes.values())), lcp, len(sizes))


RELOAD = "reload"  # the page shown now, reloaded: what a driver's pull-down costs


def measure(page: Page, *, throttle: bool, path: str = "/my-convoy") -> Load:
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    if throttle:
        cdp.send("Network.emulateNetworkConditions", SLOW_3G)
    try:
        return load(page, cdp, path)
    finally:
        cdp.detach()


def main() -> None:
    with demo_server() as (url, logins), sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        cookie = session_cookie(url, *logins["driver"])
        phone = {"base_url": url, "viewport": {"width": 360, "height": 740}}
        cold = []
        for _ in range(RUNS):
            # A phone that never opened Konvoi: empty cache, no service worker yet.
            context = browser.new_context(**phone, service_workers="block")  # type: ignore[arg-type]
            context.add_cookies([cookie])  # type: ignore[list-item]
            cold.append(measure(context.new_page(), throttle=True))
            context.close()
        # The same phone the next time, counted without the service worker's copy: the page
        # comes over the network, the assets from the browser's cache (or a 304).
        context = browser.new_context(**phone, service_workers="block")  # type: ignore[arg-type]
        context.add_cookies([cookie])  # type: ignore[list-item]
        page = context.new_page()
        page.goto("/my-convoy")
        warm = measure(page, throttle=True)
        again = measure(page, throttle=True, path=RELOAD)
        browser.close()
    print("Driver page /my-convoy, 360 px, slow 3G (400 kbit/s, 400 ms RTT)")
    print(f"{'load':<22}{'requests':>9}{'KB on the wire':>16}{'LCP ms':>9}")
    for n, run in enumerate(cold, 1):
        kb = run.transferred_bytes / 1024
        print(f"{f'first load, run {n}':<22}{run.requests:>9}{kb:>16.1f}{run.lcp_ms:>9.0f}")
    kb = statistics.median(r.transferred_bytes for r in cold) / 1024
    lcp = statistics.median(r.lcp_ms for r in cold)
    print(f"{'first load, median':<22}{'':>9}{kb:>16.1f}{lcp:>9.0f}")
    warm_kb = warm.transferred_bytes / 1024
    print(f"{'later load (cached)':<22}{warm.requests:>9}{warm_kb:>16.1f}{warm.lcp_ms:>9.0f}")
    again_kb = again.transferred_bytes / 1024
    print(f"{'reload, unchanged':<22}{again.requests:>9}{again_kb:>16.2f}{again.lcp_ms:>9.0f}")
    print("targets: first load at most 30 KB, LCP under 1500 ms, a reload at most 1 KB")


if __name__ == "__main__":
    main()
