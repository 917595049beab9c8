"""The rules speak the reader's language: a blocker on the German board is German, the same
blocker through the API is English unless the client asks for Ukrainian or German, and a
time a blocker names is written the way that language writes it, naming the zone."""

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from app.auth.roles import Role
from tests.convoys import builders as b
from tests.factories import API
from tests.web.conftest import PageClients, csrf_token, soup

NO_DRIVER = {
    "en": "has no driver on leg 1",
    "de": "hat keinen Fahrer auf Etappe 1",
    "uk": "не має водія на етап 1",
}


@pytest.mark.parametrize("language", ["en", "de", "uk"])
def test_the_boards_blockers_are_in_the_readers_language(
    client: TestClient, page_as: PageClients, language: str
) -> None:
    planned = b.planned_convoy(client, vehicles=1, assigned=False)
    page = page_as(Role.coordinator, language=language)
    shown = page.get(f"/convoys/{planned.id}")
    assert shown.status_code == 200
    blockers = [li.get_text(" ") for li in soup(shown.text).select(".readiness li.blocker")]
    assert any(NO_DRIVER[language] in text for text in blockers), blockers
    others = [phrase for lang, phrase in NO_DRIVER.items() if lang != language]
    assert not any(phrase in text for text in blockers for phrase in others)


def test_the_api_speaks_english_unless_asked_otherwise(client: TestClient) -> None:
    planned = b.planned_convoy(client, vehicles=1, assigned=False)
    path = f"{API}/convoys/{planned.id}/readiness"
    said = {
        language: [f["message"] for f in client.get(path, headers=headers).json()["blockers"]]
        for language, headers in (
            ("default", {}),
            ("uk", {"Accept-Language": "uk-UA,uk;q=0.9"}),
            ("de", {"Accept-Language": "de-DE"}),
            ("fr", {"Accept-Language": "fr-FR"}),
        )
    }
    assert any(NO_DRIVER["en"] in m for m in said["default"])
    assert any(NO_DRIVER["uk"] in m for m in said["uk"])
    assert any(NO_DRIVER["de"] in m for m in said["de"])
    assert said["fr"] == said["default"]  # a language Konvoi does not speak: English
    # The codes, the records named and their order do not depend on the language.
    codes = [
        [f["code"] for f in client.get(path, headers=h).json()["blockers"]]
        for h in ({}, {"Accept-Language": "uk"})
    ]
    assert codes[0] == codes[1]


def test_a_refusal_names_local_times_in_the_readers_language(
    client: TestClient, page_as: PageClients
) -> None:
    """A driver who is not free on the trip's days: the German blocker names the days and
    the leg's local times in German, with the German name of the zone."""
    planned = b.planned_convoy(client, start=b.friday_ahead())
    person = planned.drivers[0]
    day_before = planned.start.date() - timedelta(days=1)
    free = {"available_from_on": day_before.isoformat(), "available_to_on": day_before.isoformat()}
    changed = client.patch(f"{API}/drivers/{person['id']}", json={"availability": [free]})
    assert changed.status_code == 200, changed.text
    english = client.get(f"{API}/convoys/{planned.id}/readiness").json()["blockers"]
    assert [f["code"] for f in english] == ["driver_unavailable"]
    assert "is not free on " in english[0]["message"]
    page = page_as(Role.coordinator, language="de")
    blockers = soup(page.get(f"/convoys/{planned.id}").text).select(".readiness li.blocker")
    text = " ".join(li.get_text(" ") for li in blockers)
    assert "ist am " in text and "nicht frei (Etappe 1, " in text, text
    assert "MESZ" in text or "MEZ" in text, text  # Wuppertal's zone, named in German


def test_a_field_refused_on_a_german_form_says_why_in_german(page_as: PageClients) -> None:
    page = page_as(Role.coordinator, language="de")
    form = page.get("/donors/new")
    refused = page.post(
        "/donors/new",
        data={"name": "", "kind": "municipal_utility", "csrf_token": csrf_token(form.text)},
    )
    assert refused.status_code == 422
    said = soup(refused.text).get_text(" ")
    assert "Pflichtfeld" in said or "mindestens 1 Zeichen" in said, said
    assert "Field required" not in said and "String should have" not in said


def test_a_finding_names_goods_and_places_in_ukrainian_for_a_ukrainian_reader(
    client: TestClient,
) -> None:
    planned = b.planned_convoy(client, vehicles=1, assigned=False)
    bus, leg = planned.vehicles[0], planned.legs[0]
    named = {"name": "MAN Lion's City of WSW", "name_uk": "Автобус MAN Lion's City від WSW"}
    assert client.patch(f"{API}/items/{bus['id']}", json=named).status_code == 200
    places = {"from_place_uk": "Вупперталь", "to_place_uk": "Гермсдорф"}
    path = f"{API}/convoys/{planned.id}/legs/{leg['id']}"
    assert client.patch(path, json=places).status_code == 200
    readiness = f"{API}/convoys/{planned.id}/readiness"

    def no_driver(language: str) -> str:
        found = client.get(readiness, headers={"Accept-Language": language}).json()["blockers"]
        return str(next(f["message"] for f in found if f["code"] == "vehicle_without_driver"))

    ukrainian, german = no_driver("uk"), no_driver("de")
    assert "Автобус MAN Lion's City від WSW" in ukrainian
    assert "(Вупперталь → Гермсдорф)" in ukrainian
    assert "MAN Lion's City of WSW" in german and "Вупперталь" not in german
