"""Screenshots of the main pages for the README, from the demo data in Debian's Chromium.

python -m docs.screenshots        # make screenshots; writes docs/screenshots/*.png
"""

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
        browser.close()
    for shot in sorted(OUT.glob("*.png")):
        print(f"wrote {shot.relative_to(OUT.parent.parent)}")


if __name__ == "__main__":
    main()
