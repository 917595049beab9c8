"""Screenshots of the main pages for the README, from the demo data in Debian's Chromium.

python -m docs.screenshots        # make screenshots; writes docs/screenshots/*.png
"""

import shutil
import subprocess
import tempfile
from pathlib import Path

from playwright.sync_api import Browser, Page, sync_playwright

from bench.driver_page import CHROMIUM, demo_server, session_cookie

OUT = Path(__file__).resolve().parent / "screenshots"


def _page(browser: Browser, url: str, login: tuple[str, str], width: int, locale: str) -> Page:
    context = browser.new_context(
        base_url=url,
        viewport={"width": width, "height": 900},
        locale=locale,
        device_scale_factor=1,
    )
    context.add_cookies([session_cookie(url, *login)])  # type: ignore[list-item]
    return context.new_page()


def main() -> None:
    OUT.mkdir(exist_ok=True)
    with demo_server() as (url, logins), sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        coordinator = _page(browser, url, logins["coordinator"], 1366, "en-GB")
        coordinator.goto("/desk")
        coordinator.screenshot(path=str(OUT / "desk.png"), full_page=True)
        coordinator.get_by_role("link", name="W4U-03").first.click()
        coordinator.wait_for_load_state()
        # The grid and the readiness panel, as a coordinator scrolls to them.
        coordinator.locator("#grid-heading").evaluate("e => window.scrollTo(0, e.offsetTop - 16)")
        coordinator.screenshot(path=str(OUT / "convoy-board.png"))
        driver = _page(browser, url, logins["driver"], 360, "de-DE")
        driver.goto("/my-convoy")
        driver.screenshot(path=str(OUT / "driver-phone.png"), full_page=True)
        recipient = _page(browser, url, logins["recipient"], 390, "uk-UA")
        recipient.goto("/deliveries")
        recipient.screenshot(path=str(OUT / "recipient.png"), full_page=True)
        _chuhuiv_note(_page(browser, url, logins["clerk"], 1280, "de-DE"))
        browser.close()
    for shot in sorted(OUT.glob("*.png")):
        print(f"wrote {shot.relative_to(OUT.parent.parent)}")


def _chuhuiv_note(clerk: Page) -> None:
    """The first page of W4U-02's CMR note for the truck to Chuhuiv, as the clerk prints it."""
    clerk.goto("/desk")
    clerk.get_by_role("link", name="W4U-02").first.click()
    clerk.wait_for_load_state()
    convoy = clerk.url.rstrip("/").rsplit("/", 1)[-1]
    clerk.goto(f"/convoys/{convoy}/papers")
    row = clerk.locator("tr", has_text="MAN TGL").first
    href = row.locator("a", has_text="PDF").first.get_attribute("href")
    assert href, "the papers offer the truck's note"
    pdf = clerk.context.request.get(href)
    assert pdf.ok, pdf.status
    with tempfile.TemporaryDirectory() as folder:
        note = Path(folder) / "note.pdf"
        note.write_bytes(pdf.body())
        pdftoppm = shutil.which("pdftoppm")
        assert pdftoppm, "pdftoppm (Debian's poppler-utils) renders the note: make system-packages"
        subprocess.run(  # noqa: S603 (our own file, a fixed program)
            [pdftoppm, "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", str(note),
             str(OUT / "cmr-w4u02-chuhuiv")],
            check=True,
        )  # fmt: skip


if __name__ == "__main__":
    main()
