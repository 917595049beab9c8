"""The receiving utility: its needs, the convoys coming to it, and the handover, item by item,
all or nothing."""

from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.auth.roles import Role
from tests import factories
from tests.accounts import PASSWORD, make_user
from tests.convoys import builders as b
from tests.convoys.builders import H
from tests.web.conftest import PageClients, csrf_token, soup


def _under_way(client: TestClient, vehicles: int = 2) -> b.Planned:
    start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - 2 * H
    planned = b.planned_convoy(client, start=start, vehicles=vehicles)
    assert b.post(client, f"/convoys/{planned.id}/depart").status_code == 200
    return planned


def _form(page: TestClient, convoy_id: int, **fields: Any) -> dict[str, Any]:
    shown = page.get(f"/deliveries/{convoy_id}")
    assert shown.status_code == 200, shown.text
    items = [str(i["value"]) for i in soup(shown.text).select('input[name="item"]')]
    return {
        "csrf_token": csrf_token(shown.text),
        "item": items,
        "remark": ["" for _ in items],
        "receiver_name": "Володимир Білинський",
        "receiver_role": "Заступник технічного директора",
        "handed_over_on": datetime.now(UTC).date().isoformat(),
        "place": "Львівводоканал, Львів",
        **fields,
    }


def test_a_recipient_sees_its_convoys_and_needs_in_ukrainian(
    client: TestClient, page_as: PageClients
) -> None:
    planned = _under_way(client)
    need = factories.need(client, planned.destination["id"], description="Автобуси для працівників")
    other = _under_way(client, vehicles=1)
    page = page_as(Role.recipient, language="uk", destination_id=planned.destination["id"])
    home = page.get("/deliveries")
    assert home.status_code == 200
    assert soup(home.text).select("html")[0]["lang"] == "uk"
    text = soup(home.text).get_text(" ")
    assert planned.convoy["number"] in text
    assert other.convoy["number"] not in text  # another utility's convoy
    assert "Автобуси для працівників" in text
    # Each need links to its page, where the utility can change it.
    assert soup(home.text).select(f'a[href="/needs/{need["id"]}"]')
    assert soup(home.text).select('a[href="/needs/new"]')
    assert page.get(f"/deliveries/{other.id}").status_code == 404


def test_one_form_confirms_the_ticked_items(client: TestClient, page_as: PageClients) -> None:
    planned = _under_way(client)
    first, second = (v["id"] for v in planned.vehicles)
    page = page_as(Role.recipient, destination_id=planned.destination["id"])
    fields = _form(page, planned.id, received=[str(first)])
    fields["remark"] = ["Без запасного колеса" if i == str(first) else "" for i in fields["item"]]
    done = page.post(f"/deliveries/{planned.id}", data=fields)
    assert (done.status_code, done.headers["location"]) == (303, f"/deliveries/{planned.id}")
    [handover] = b.get(client, f"/convoys/{planned.id}/handovers")
    assert handover["item_id"] == first
    assert (handover["receiver_name"], handover["note"]) == (
        "Володимир Білинський",
        "Без запасного колеса",
    )
    after = soup(page.get(f"/deliveries/{planned.id}").text)
    assert "Володимир Білинський" in after.get_text()
    assert [str(i["value"]) for i in after.select('input[name="received"]')] == [str(second)]


def test_the_form_proposes_today_where_the_convoy_hands_over(
    client: TestClient, page_as: PageClients, clock: Callable[[datetime], None]
) -> None:
    start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - 48 * H
    planned = b.planned_convoy(client, start=start, plan=b.FIRST_CONVOY)  # ends in Lviv
    assert b.post(client, f"/convoys/{planned.id}/depart").status_code == 200
    page = page_as(Role.recipient, destination_id=planned.destination["id"])
    # Half past midnight in Lviv: still the day before in Berlin and in UTC.
    lviv_day = datetime.now(UTC).date() + timedelta(days=1)
    clock(datetime.combine(lviv_day, time(0, 30), tzinfo=ZoneInfo("Europe/Kyiv")))
    shown = soup(page.get(f"/deliveries/{planned.id}").text)
    assert shown.select_one("#handed_over_on")["value"] == lviv_day.isoformat()  # type: ignore[index]


def test_a_refused_handover_records_none_and_keeps_what_was_typed(
    client: TestClient, page_as: PageClients
) -> None:
    planned = _under_way(client)
    page = page_as(Role.recipient, language="en", destination_id=planned.destination["id"])
    ticked = [str(v["id"]) for v in planned.vehicles]
    fields = _form(page, planned.id, received=ticked, receiver_role="", place="Lviv depot")
    refused = page.post(f"/deliveries/{planned.id}", data=fields)
    assert refused.status_code == 422
    html = soup(refused.text)
    assert html.select_one("#receiver_role")["aria-invalid"] == "true"  # type: ignore[index]
    assert html.select_one("#place")["value"] == "Lviv depot"  # type: ignore[index]
    assert b.get(client, f"/convoys/{planned.id}/handovers") == []
    # A date before the convoy left is a rule of the service: refused the same way.
    fields = _form(page, planned.id, received=ticked, handed_over_on="2020-01-01")
    too_early = page.post(f"/deliveries/{planned.id}", data=fields)
    assert too_early.status_code == 422
    assert "before the convoy departed" in soup(too_early.text).select(".problems")[0].get_text()
    assert b.get(client, f"/convoys/{planned.id}/handovers") == []


def test_before_departure_the_page_explains_and_records_nothing(
    client: TestClient, page_as: PageClients
) -> None:
    planned = b.planned_convoy(client, vehicles=1)
    page = page_as(Role.recipient, language="en", destination_id=planned.destination["id"])
    shown = page.get(f"/deliveries/{planned.id}")
    assert soup(shown.text).select('input[name="received"]') == []
    assert "once the convoy is on its way" in shown.text
    fields = _form(page, planned.id, item=[str(planned.vehicles[0]["id"])])
    fields["received"] = [str(planned.vehicles[0]["id"])]
    refused = page.post(f"/deliveries/{planned.id}", data=fields)
    assert refused.status_code == 409
    assert b.get(client, f"/convoys/{planned.id}/handovers") == []


def test_other_roles_do_not_get_the_recipient_pages(
    client: TestClient, page_as: PageClients
) -> None:
    planned = _under_way(client, vehicles=1)
    driver = page_as(Role.driver, driver_id=planned.drivers[0]["id"])
    assert driver.get("/deliveries").status_code == 403
    assert driver.get(f"/deliveries/{planned.id}").status_code == 403


def test_a_recipient_reads_ukrainian_until_its_account_picks_another_language(
    client: TestClient, session: Session, app: FastAPI
) -> None:
    """Its browser asks for English; the page speaks Ukrainian, until the account says so."""
    planned = b.planned_convoy(client, vehicles=1)
    user = make_user(session, Role.recipient, destination_id=planned.destination["id"])
    browser = TestClient(app, follow_redirects=False, headers={"Accept-Language": "en-GB,en"})
    with browser:
        login = browser.post("/login", data={"username": user.username, "password": PASSWORD})
        assert login.status_code == 303, login.text
        page = browser.get("/deliveries")
        assert page.headers["content-language"] == "uk"
        token = csrf_token(page.text)
        chosen = browser.post("/language", data={"csrf_token": token, "language": "en"})
        assert chosen.status_code == 303
        assert browser.get("/deliveries").headers["content-language"] == "en"
