"""Browser tests: Konvoi served by uvicorn with the demo data, driven by Playwright in Debian's
Chromium (/usr/bin/chromium; `make chromium` installs it, no tool downloads its own browser).

Each test gets its own server on a fresh SQLite database, so a journey that departs a convoy
leaves the next one the demo as it was. Pages of a failed test are saved as screenshots in
tests/browser/screenshots/.
"""

import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Locator, Page, Playwright, sync_playwright

from tests.conftest import IN_CI, POSTGRES_URL, fresh_database

CHROMIUM = os.environ.get("KONVOI_CHROMIUM", "/usr/bin/chromium")
# Without these Chromium reaches for Google's services, which this network refuses.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).parent / "screenshots"
ROOT = Path(__file__).resolve().parents[2]
LOGIN_LINE = re.compile(r"^\s+(\w+)\s+(\S+)\s+(\S+)\s*$")


@dataclass
class LiveServer:
    url: str
    db_url: str
    logins: dict[str, tuple[str, str]]  # role -> (username, password)
    process: subprocess.Popen[bytes]

    def api_token(self, role: str) -> str:
        username, password = self.logins[role]
        response = httpx.post(
            f"{self.url}/api/v1/auth/token", data={"username": username, "password": password}
        )
        response.raise_for_status()
        token: str = response.json()["access_token"]
        return token

    def api(self, role: str) -> httpx.Client:
        """A JSON API client logged in with the demo account of ``role``."""
        return httpx.Client(
            base_url=f"{self.url}/api/v1",
            headers={"Authorization": f"Bearer {self.api_token(role)}"},
        )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def live_backend(request: pytest.FixtureRequest) -> str:
    """The database the live server runs on: SQLite, unless a module asks for both with
    ``pytestmark = pytest.mark.parametrize("live_backend", BACKENDS, indirect=True)``."""
    backend: str = getattr(request, "param", "sqlite")
    if backend == "postgresql" and not POSTGRES_URL:
        if IN_CI:
            pytest.fail("KONVOI_TEST_POSTGRES_URL is not set; CI runs every test on PostgreSQL")
        pytest.skip("set KONVOI_TEST_POSTGRES_URL to run the PostgreSQL half of the suite")
    return backend


@pytest.fixture
def live_server(live_backend: str) -> Iterator[LiveServer]:
    with (
        tempfile.TemporaryDirectory() as folder,
        fresh_database(live_backend, Path(folder)) as db_url,
    ):
        env = {**os.environ, "KONVOI_DATABASE_URL": db_url}
        env.pop("KONVOI_DEMO_ON_FIRST_START", None)
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
        assert {"admin", "coordinator", "driver", "recipient"} <= set(logins), loaded.stdout
        port = _free_port()
        process = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "uvicorn", "app.main:app", "--port", str(port)],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{url}/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                error = process.stderr.read().decode() if process.stderr else ""
                raise RuntimeError(f"Konvoi did not start: {error}")
            time.sleep(0.1)
        try:
            yield LiveServer(url, db_url, logins, process)
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as running:
        yield running


@pytest.fixture(scope="session")
def chromium(playwright: Playwright) -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make chromium` (Debian's chromium package)")
    browser = playwright.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
    )
    yield browser
    browser.close()


@dataclass
class _Opened:
    pages: list[Page] = field(default_factory=list)


@pytest.fixture
def open_as(
    request: pytest.FixtureRequest, chromium: Browser, live_server: LiveServer
) -> Iterator[Callable[..., Page]]:
    """``open_as("driver", viewport=(360, 740), javascript=False)``: a page logged in with the
    demo account of that role, at "/"."""
    opened = _Opened()

    def open_page(
        role: str, *, viewport: tuple[int, int] = (1280, 900), javascript: bool = True
    ) -> Page:
        username, password = live_server.logins[role]
        context = chromium.new_context(
            base_url=live_server.url,
            viewport={"width": viewport[0], "height": viewport[1]},
            java_script_enabled=javascript,
            locale="de-DE" if role != "recipient" else "uk-UA",
        )
        page = context.new_page()
        opened.pages.append(page)
        page.goto("/login")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", password)
        page.click("button[type=submit]")
        page.wait_for_load_state()
        return page

    yield open_page
    report = getattr(request.node, "konvoi_call_report", None)
    if report is not None and report.failed:
        SCREENSHOTS.mkdir(exist_ok=True)
        for n, page in enumerate(opened.pages):
            name = f"{request.node.name}-{n}.png".replace("/", "_")
            page.screenshot(path=str(SCREENSHOTS / name), full_page=True)
    for page in opened.pages:
        page.context.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> object:
    report = yield
    if call.when == "call":
        item.konvoi_call_report = report  # type: ignore[attr-defined]
    return report


AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"


def serious_accessibility_violations(page: Page) -> list[str]:
    """axe-core's serious and critical findings on the page as it is now (axe-core from npm,
    evaluated through the debugging protocol, so the page's CSP stays as strict as it is)."""
    page.evaluate(AXE.read_text())
    found: list[dict[str, object]] = page.evaluate(
        "async () => (await axe.run(document)).violations"
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']}"
        for v in found
        if v.get("impact") in {"serious", "critical"}
    ]


class Interactions:
    """What a person does on the pages, counted: each click, typed field, choice, tick or
    address typed is one interaction. A page's own loading and htmx swaps are not."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.count = 0

    def _at(self, target: str | Locator) -> Locator:
        return self.page.locator(target) if isinstance(target, str) else target

    def goto(self, path: str) -> None:
        self.count += 1
        self.page.goto(path)

    def click(self, target: str | Locator) -> None:
        self.count += 1
        self._at(target).first.click()
        self.page.wait_for_load_state()

    def fill(self, target: str | Locator, value: str) -> None:
        self.count += 1
        self._at(target).first.fill(value)

    def check(self, target: str | Locator) -> None:
        self.count += 1
        self._at(target).first.check()

    def choose(self, select: str | Locator, starting: str) -> None:
        """Pick the option whose text starts with ``starting`` (a driver's name; the options
        of those who do not fit say why after it)."""
        self.count += 1
        chosen = self._at(select).first
        texts: list[str] = chosen.evaluate("s => Array.from(s.options).map(o => o.text)")
        label = next(text for text in texts if text.startswith(starting))
        chosen.select_option(label=label)

    def seat(self, select: str, starting: str, *, javascript: bool = True) -> None:
        """Choose a driver in a seat's select, then press its "Seat" button; with scripts the
        grid is swapped in place, and this waits for the new one."""
        self.choose(select, starting)
        if javascript:
            self.page.evaluate(
                "document.querySelectorAll('select[data-filled]').forEach("
                "s => s.dataset.stale = '1')"
            )
        self.click(self.page.locator(select).locator("xpath=ancestor::form").locator("button"))
        if javascript:
            self.page.locator("select[data-filled]:not([data-stale])").first.wait_for(
                state="attached"
            )
