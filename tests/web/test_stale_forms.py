"""Edit forms carry the version they were loaded with: posted after someone else saved a
change, a form is refused (412, as the API refuses a stale If-Match), nothing is overwritten,
and the page shows what is saved now beside what the user typed, keeping their input."""

from datetime import date, timedelta
from typing import Any

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient

from app.auth.roles import Role
from tests import factories
from tests.convoys import builders as b
from tests.web.conftest import PageClients, csrf_token, soup

# Each register with a text field two people might both change: (path, API path, field).
REGISTERS = [
    ("donors", "/donors", "name"),
    ("destinations", "/destinations", "name"),
    ("items", "/items", "name"),
    ("drivers", "/drivers", "name"),
    ("needs", "/needs", "description"),
    ("certificates", "/certificates", "intended_use"),
    ("export-records", "/export-records", "insurer"),
]


def _record_ids(client: TestClient) -> dict[str, int]:
    planned = b.planned_convoy(client, vehicles=1)
    (bus,) = planned.vehicles
    (certificate,) = b.get(client, f"/certificates?item_id={bus['id']}")["items"]
    return {
        "donors": bus["donor_id"],
        "destinations": planned.destination["id"],
        "items": bus["id"],
        "drivers": planned.drivers[0]["id"],
        "needs": factories.need(client, planned.destination["id"])["id"],
        "certificates": certificate["id"],
        "export-records": b.get(client, f"/items/{bus['id']}/export-record")["id"],
    }


def _filled(form: BeautifulSoup) -> dict[str, str]:
    """What the browser would send for the form as loaded."""
    fields = {
        str(i["name"]): str(i.get("value", "on" if i.get("type") == "checkbox" else ""))
        for i in form.select("form input[name]")
        if i.get("type") != "checkbox" or i.has_attr("checked")
    }
    for select in form.select("form select[name]"):
        chosen = [str(o["value"]) for o in select.select("option[selected]")]
        if select.has_attr("multiple"):
            fields[str(select["name"])] = chosen  # type: ignore[assignment]
        else:
            fields[str(select["name"])] = chosen[0] if chosen else ""
    for area in form.select("form textarea[name]"):
        fields[str(area["name"])] = area.get_text()
    return fields


@pytest.mark.parametrize(("path", "api", "field"), REGISTERS)
def test_a_second_edit_from_the_same_loaded_form_is_refused_and_shows_both_values(
    client: TestClient, page_as: PageClients, path: str, api: str, field: str
) -> None:
    record_id = _record_ids(client)[path]
    stored: dict[str, Any] = b.get(client, f"{api}/{record_id}")
    page = page_as(Role.coordinator)
    loaded = page.get(f"/{path}/{record_id}/edit")
    assert loaded.status_code == 200, loaded.text
    form = _filled(soup(loaded.text))
    assert form["version"] == str(stored["version"])

    first = page.post(f"/{path}/{record_id}/edit", data={**form, field: "Anna's change"})
    assert first.status_code == 303, first.text
    second = page.post(f"/{path}/{record_id}/edit", data={**form, field: "Boris's change"})

    assert second.status_code == 412, second.text
    after: dict[str, Any] = b.get(client, f"{api}/{record_id}")
    assert after[field] == "Anna's change"
    assert after["version"] == stored["version"] + 1
    html = soup(second.text)
    assert html.select_one("#stale-heading") is not None
    kept = html.select_one(f"#{field}")
    assert kept is not None
    assert (kept.get_text() if kept.name == "textarea" else kept["value"]) == "Boris's change"
    beside = html.select_one(f'.saved-now[data-field="{field}"]')
    assert beside is not None and "Anna's change" in beside.get_text()
    # The form now carries the version saved: sending it again keeps Boris's input on purpose.
    again = _filled(html)
    assert again["version"] == str(after["version"])
    third = page.post(f"/{path}/{record_id}/edit", data=again)
    assert third.status_code == 303, third.text
    assert b.get(client, f"{api}/{record_id}")[field] == "Boris's change"


def test_a_stale_form_in_german_says_so(client: TestClient, page_as: PageClients) -> None:
    donor = factories.donor(client)
    page = page_as(Role.coordinator, language="de")
    form = _filled(soup(page.get(f"/donors/{donor['id']}/edit").text))
    assert (
        page.post(f"/donors/{donor['id']}/edit", data={**form, "city": "Köln"}).status_code == 303
    )
    refused = page.post(f"/donors/{donor['id']}/edit", data={**form, "city": "Essen"})
    assert refused.status_code == 412
    assert "Jetzt gespeichert" in soup(refused.text).get_text()
    assert b.get(client, f"/donors/{donor['id']}")["city"] == "Köln"
    assert csrf_token(refused.text)


def _version_in(html: BeautifulSoup, action: str) -> str:
    version = html.select_one(f'form[action="{action}"] input[name="version"]')
    assert version is not None
    return str(version["value"])


def test_licences_from_a_stale_page_are_refused_and_both_dates_shown(
    client: TestClient, page_as: PageClients
) -> None:
    person = b.driver(client, free=None, licences={"D": date(2031, 5, 1)})
    action = f"/drivers/{person['id']}/licences"
    page = page_as(Role.coordinator)
    loaded = page.get(f"/drivers/{person['id']}")
    sent = {
        "csrf_token": csrf_token(loaded.text),
        "version": _version_in(soup(loaded.text), action),
    }
    first = page.post(action, data={**sent, "expires_D": "2032-01-31"})
    assert first.status_code == 303, first.text
    second = page.post(action, data={**sent, "expires_D": "2033-06-30", "expires_C": "2030-01-01"})
    assert second.status_code == 412, second.text
    stored = b.get(client, f"/drivers/{person['id']}")["licences"]
    assert [(lic["licence_class"], lic["expires_on"]) for lic in stored] == [("D", "2032-01-31")]
    html = soup(second.text)
    assert html.select_one("#expires_D")["value"] == "2033-06-30"  # type: ignore[index]
    assert html.select_one("#expires_C")["value"] == "2030-01-01"  # type: ignore[index]
    assert "Jan 31, 2032" in html.select_one('.saved-now[data-field="expires_D"]').get_text()  # type: ignore[union-attr]
    assert "Someone else changed this driver" in html.get_text()


def test_removing_days_free_from_a_stale_page_removes_nothing(
    client: TestClient, page_as: PageClients
) -> None:
    start = date.today() + timedelta(days=30)
    person = b.driver(client, free=(start, start + timedelta(days=3)))
    action = f"/drivers/{person['id']}/availability"
    page = page_as(Role.coordinator)
    loaded = page.get(f"/drivers/{person['id']}")
    sent = {
        "csrf_token": csrf_token(loaded.text),
        "version": _version_in(soup(loaded.text), action),
    }
    later = {
        "available_from_on": (start - timedelta(days=20)).isoformat(),
        "available_to_on": (start - timedelta(days=18)).isoformat(),
    }
    # Someone adds earlier days (listed first); the stale page's "remove the first" would hit them.
    assert page.post(action, data={**sent, **later}).status_code == 303
    refused = page.post(action, data={**sent, "remove": "0"})
    assert refused.status_code == 412, refused.text
    stored = b.get(client, f"/drivers/{person['id']}")["availability"]
    assert len(stored) == 2


def test_allocating_from_a_stale_item_page_does_not_move_the_item(
    client: TestClient, page_as: PageClients
) -> None:
    bus = factories.vehicle(client, factories.donor(client)["id"])
    b.post(client, f"/items/{bus['id']}/accept")
    lviv, chuhuiv = factories.destination(client), factories.destination(client)
    page = page_as(Role.coordinator)
    loaded = page.get(f"/items/{bus['id']}")
    action = f"/items/{bus['id']}/actions/allocate"
    sent = {
        "csrf_token": csrf_token(loaded.text),
        "version": _version_in(soup(loaded.text), action),
    }
    first = page.post(action, data={**sent, "destination_id": lviv["id"]})
    assert first.status_code == 303, first.text
    second = page.post(action, data={**sent, "destination_id": chuhuiv["id"]})
    assert second.status_code == 412, second.text
    assert b.get(client, f"/items/{bus['id']}")["destination_id"] == lviv["id"]
    html = soup(second.text)
    assert "Someone else changed this item" in html.select_one(".problems").get_text()  # type: ignore[union-attr]
    chosen = html.select_one("#allocate-to option[selected]")
    assert chosen is not None and chosen["value"] == str(chuhuiv["id"])
    shown = html.get_text()
    assert lviv["name"] in shown  # what is saved now, on the record's own fields
