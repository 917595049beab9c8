"""A driver's licences and the days they are free, edited on their page: the lists the API
replaces whole, through the same service; a refused date is named beside its input."""

from datetime import date, timedelta

from fastapi.testclient import TestClient

from app.auth.roles import Role
from tests.convoys import builders as b
from tests.web.conftest import PageClients, csrf_token, soup


def test_licences_are_set_per_class_and_a_bad_date_is_named(
    client: TestClient, page_as: PageClients
) -> None:
    person = b.driver(client, free=None)
    page = page_as(Role.coordinator)
    shown = page.get(f"/drivers/{person['id']}")
    token = csrf_token(shown.text)
    expiry = (date.today() + timedelta(days=900)).isoformat()
    refused = page.post(
        f"/drivers/{person['id']}/licences",
        data={"expires_D": "2031-02-30", "expires_CE": expiry, "csrf_token": token},
    )
    assert refused.status_code == 422
    html = soup(refused.text)
    assert html.select("#expires_D")[0]["aria-invalid"] == "true"
    assert html.select("#expires_D-error")
    before = {lic["licence_class"] for lic in person["licences"]}
    stored = b.get(client, f"/drivers/{person['id']}")
    assert {lic["licence_class"] for lic in stored["licences"]} == before
    saved = page.post(
        f"/drivers/{person['id']}/licences",
        data={"expires_D": expiry, "expires_CE": expiry, "csrf_token": token},
    )
    assert saved.status_code == 303, saved.text
    stored = b.get(client, f"/drivers/{person['id']}")
    assert sorted((lic["licence_class"], lic["expires_on"]) for lic in stored["licences"]) == [
        ("CE", expiry),
        ("D", expiry),
    ]
    # The form shows what is held.
    form = soup(page.get(f"/drivers/{person['id']}").text)
    assert form.select("#expires_D")[0]["value"] == expiry
    assert form.select("#expires_B")[0].get("value", "") == ""


def test_days_free_are_added_and_removed_and_a_reversed_window_is_refused(
    client: TestClient, page_as: PageClients
) -> None:
    person = b.driver(client, free=None)
    page = page_as(Role.coordinator)
    token = csrf_token(page.get(f"/drivers/{person['id']}").text)
    start = date.today() + timedelta(days=30)
    reversed_window = {
        "available_from_on": (start + timedelta(days=3)).isoformat(),
        "available_to_on": start.isoformat(),
        "csrf_token": token,
    }
    refused = page.post(f"/drivers/{person['id']}/availability", data=reversed_window)
    assert refused.status_code == 422
    assert soup(refused.text).select("#available_from_on-error")
    assert b.get(client, f"/drivers/{person['id']}")["availability"] == []
    window = {
        "available_from_on": start.isoformat(),
        "available_to_on": (start + timedelta(days=3)).isoformat(),
        "csrf_token": token,
    }
    added = page.post(f"/drivers/{person['id']}/availability", data=window)
    assert added.status_code == 303, added.text
    stored = b.get(client, f"/drivers/{person['id']}")["availability"]
    assert [(w["available_from_on"], w["available_to_on"]) for w in stored] == [
        (window["available_from_on"], window["available_to_on"])
    ]
    removed = page.post(
        f"/drivers/{person['id']}/availability", data={"remove": "0", "csrf_token": token}
    )
    assert removed.status_code == 303
    assert b.get(client, f"/drivers/{person['id']}")["availability"] == []
    # A clerk reads the page but is not offered the forms, and may not post them.
    clerk = page_as(Role.clerk)
    read_only = clerk.get(f"/drivers/{person['id']}")
    assert soup(read_only.text).select(f'form[action="/drivers/{person["id"]}/availability"]') == []
    denied = clerk.post(
        f"/drivers/{person['id']}/availability",
        data={**window, "csrf_token": csrf_token(read_only.text)},
    )
    assert denied.status_code == 403
