"""One compact top bar on every page: the brand, the reader's navigation, and one menu that
holds who is signed in, the languages and signing out, as a <details> disclosure that works
without scripts. Read from the rendered pages of each kind of user."""

from typing import Any

import pytest
from bs4 import BeautifulSoup, Tag
from fastapi.testclient import TestClient

from app.auth.roles import Role
from app.core.i18n import LANGUAGES
from tests import factories
from tests.convoys import builders as b
from tests.web.conftest import PageClients, csrf_token, soup

NAMES = {"de": "Deutsch", "uk": "Українська", "en": "English"}


def _menu(html: BeautifulSoup) -> Tag:
    [bar] = html.select("body > header.topbar")
    [menu] = bar.select("details.account-menu")
    assert menu.select_one(":scope > summary") is not None
    return menu


def _user(client: TestClient, kind: str) -> tuple[Role, dict[str, Any], str]:
    """The account of ``kind``, what ties it to its records, and its start page."""
    if kind == "driver":
        driver = b.driver(client, free=None)
        return Role.driver, {"driver_id": driver["id"]}, "/my-convoy"
    if kind == "recipient":
        destination = factories.destination(client)
        return Role.recipient, {"destination_id": destination["id"]}, "/deliveries"
    if kind == "volunteer":
        point = factories.collection_point(client)
        return (
            Role.volunteer,
            {"collection_point_id": point["id"]},
            f"/collection/{point['id']}/intake",
        )
    if kind == "treasurer":
        return Role.treasurer, {}, "/programmes"
    return Role.coordinator, {}, "/desk"


@pytest.mark.parametrize(
    ("kind", "language"),
    [
        ("coordinator", "de"),
        ("driver", "de"),
        ("recipient", "uk"),
        ("volunteer", "de"),
        ("treasurer", "de"),
    ],
)
def test_every_kind_of_page_has_the_menu_with_the_languages_and_the_account(
    client: TestClient, page_as: PageClients, kind: str, language: str
) -> None:
    role, links, start = _user(client, kind)
    browser = page_as(role, language=language, **links)
    page = browser.get(start)
    assert page.status_code == 200, page.text[:300]
    html = soup(page.text)
    assert html.select_one("html")["lang"] == language  # type: ignore[index]
    menu = _menu(html)
    # Closed until the reader opens it; no script needed to open it.
    assert not menu.has_attr("open")
    # Who is signed in, on the summary and in the menu.
    name = f"Test {role.value}"
    assert name in menu.select_one("summary").get_text()  # type: ignore[union-attr]
    assert name in menu.select_one(".menu-signed-in").get_text()  # type: ignore[union-attr]
    # Every language, each a button of one form that posts the choice; the page's own is marked.
    [languages] = menu.select("form[action='/language']")
    assert languages["method"] == "post"
    buttons = languages.select("button[type=submit][name=language]")
    assert {str(button["value"]): button.get_text(strip=True) for button in buttons} == {
        code: NAMES[code] for code in LANGUAGES
    }
    assert all(button["lang"] == button["value"] for button in buttons)
    assert [button["value"] for button in buttons if button.get("aria-current") == "true"] == [
        language
    ]
    token = csrf_token(page.text)
    assert languages.select_one("input[name=csrf_token]")["value"] == token  # type: ignore[index]
    # Signing out is in the same menu.
    [logout] = menu.select("form[action='/logout']")
    assert logout["method"] == "post"
    assert logout.select_one("input[name=csrf_token]")["value"] == token  # type: ignore[index]
    assert logout.select_one("button[type=submit]") is not None
    # Nothing of the kind anywhere else on the page: one switch, one sign-out.
    assert len(html.select("form[action='/language']")) == 1
    assert len(html.select("form[action='/logout']")) == 1


def test_a_language_button_of_the_menu_switches_the_page(
    client: TestClient, page_as: PageClients
) -> None:
    browser = page_as(Role.coordinator, language="de")
    page = browser.get("/desk")
    [ukrainian] = _menu(soup(page.text)).select("button[name=language][value=uk]")
    chosen = browser.post(
        "/language",
        data={"csrf_token": csrf_token(page.text), "language": str(ukrainian["value"])},
        headers={"Referer": "http://testserver/desk"},
    )
    assert (chosen.status_code, chosen.headers["location"]) == (303, "/desk")
    again = soup(browser.get("/desk").text)
    assert again.select_one("html")["lang"] == "uk"  # type: ignore[index]
    marked = _menu(again).select("button[name=language][aria-current=true]")
    assert [button["value"] for button in marked] == ["uk"]


def test_the_office_reaches_every_register_from_the_top_bar(page_as: PageClients) -> None:
    browser = page_as(Role.coordinator)
    html = soup(browser.get("/desk").text)
    [nav] = html.select("body > header.topbar > nav")
    reached = {str(a["href"]) for a in nav.select("a[href]")}
    assert {
        "/desk",
        "/convoys",
        "/items",
        "/certificates",
        "/export-records",
        "/drivers",
        "/needs",
        "/donors",
        "/destinations",
        "/collection",
        "/programmes",
        "/organisation",
        "/docs",
    } <= reached
    assert [a["href"] for a in nav.select("a[aria-current=page]")] == ["/desk"]
    # A register folded under "More" marks "More" as where the reader is.
    donors = soup(browser.get("/donors").text)
    assert donors.select_one(".topbar .nav-more summary.current") is not None
    assert [a["href"] for a in donors.select(".topbar nav a[aria-current=page]")] == ["/donors"]


def test_the_login_page_has_the_brand_and_no_menu(app: Any) -> None:
    with TestClient(app) as anonymous:
        html = soup(anonymous.get("/login").text)
    [bar] = html.select("body > header.topbar")
    assert bar.select_one("a.brand[href='/']") is not None
    assert bar.select("details") == []
