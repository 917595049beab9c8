"""Money on the pages is typed and shown in euros, the reader's way ("39.000,00" in German,
"39 000,00" in Ukrainian, "39,000.00" in English); the API keeps integer cents. What cannot be
read one way only is refused naming the field, and nothing is saved."""

import pytest
from fastapi.testclient import TestClient

from app.auth.roles import Role
from app.core.errors import InvalidInput
from app.core.i18n import speaking
from app.web import forms
from app.web.formatting import money_input
from tests import factories
from tests.convoys import builders as b
from tests.web.conftest import PageClients, csrf_token, soup

NBSP = "\u00a0"


@pytest.mark.parametrize(
    ("language", "typed", "cents"),
    [
        ("de", "39.000,00", 3_900_000),
        ("de", "39000", 3_900_000),
        ("de", "39 000,5", 3_900_050),
        ("de", "39.000,00 €", 3_900_000),
        ("uk", "39 000,00", 3_900_000),
        ("uk", f"39{NBSP}000,00", 3_900_000),
        ("uk", "0,99", 99),
        ("en", "39,000.00", 3_900_000),
        ("en", "€39,000", 3_900_000),
        ("en", "12.5", 1_250),
    ],
)
def test_an_amount_is_read_in_the_readers_language(language: str, typed: str, cents: int) -> None:
    with speaking(language):
        assert forms.cents("declared_value_cents", typed) == cents


@pytest.mark.parametrize(
    ("language", "typed"),
    [
        ("de", "39.5"),  # a German grouping dot in the wrong place: 395 or 39,5?
        ("en", "39.000,00"),
        ("uk", "39.000,00"),
        ("de", "-5"),
        ("de", "1e5"),
        ("de", "NaN"),
        ("en", "forty"),
        ("de", "0,001"),
    ],
)
def test_an_amount_that_reads_two_ways_or_none_is_refused(language: str, typed: str) -> None:
    with speaking(language), pytest.raises(InvalidInput) as refused:
        forms.cents("declared_value_cents", typed)
    ((field, message),) = refused.value.errors
    assert field == "declared_value_cents"
    assert typed.strip() in message


def test_an_empty_amount_is_no_amount() -> None:
    with speaking("de"):
        assert forms.cents("value_cents", "  ") is None


def test_an_amount_is_shown_for_editing_the_readers_way() -> None:
    assert money_input(3_900_000, "de") == "39.000,00"
    assert money_input(3_900_000, "uk") == f"39{NBSP}000,00"
    assert money_input(3_900_000, "en") == "39,000.00"
    assert money_input(None, "de") == ""


def _new_item(page: TestClient, donor_id: int, declared: str) -> tuple[int, str]:
    token = csrf_token(page.get("/items/new").text)
    answer = page.post(
        "/items/new",
        data={
            "csrf_token": token,
            "category": "equipment",
            "kind": "pump",
            "name": "Borehole pump 30 kW",
            "donor_id": str(donor_id),
            "declared_value_cents": declared,
            "condition": "good",
        },
    )
    return answer.status_code, answer.headers.get("location", "") or answer.text


@pytest.mark.parametrize(
    ("language", "typed", "shown"),
    [
        ("de", "39.000,00", "39.000,00"),
        ("uk", "39 000,00", f"39{NBSP}000,00"),
        ("en", "39,000.00", "39,000.00"),
    ],
)
def test_an_item_is_created_with_its_value_in_euros(
    client: TestClient, page_as: PageClients, language: str, typed: str, shown: str
) -> None:
    page = page_as(Role.coordinator, language=language)
    donor = factories.donor(client)
    form = soup(page.get("/items/new").text)
    value_input = form.select_one("#declared_value_cents")
    assert value_input is not None and value_input["inputmode"] == "decimal"
    status, location = _new_item(page, donor["id"], typed)
    assert status == 303, location
    item_id = int(location.rsplit("/", 1)[1])
    assert b.get(client, f"/items/{item_id}")["declared_value_cents"] == 3_900_000
    edit = soup(page.get(f"/items/{item_id}/edit").text).select_one("#declared_value_cents")
    assert edit is not None and edit["value"] == shown
    record = soup(page.get(f"/items/{item_id}").text).select_one("dl.record")
    assert record is not None
    assert shown in record.get_text() and "3900000" not in record.get_text()


def test_an_unchanged_amount_is_not_sent_again_on_edit(
    client: TestClient, page_as: PageClients
) -> None:
    page = page_as(Role.coordinator, language="de")
    donor = factories.donor(client)
    item = factories.equipment(client, donor["id"], declared_value_cents=1_800_050)
    shown = page.get(f"/items/{item['id']}/edit")
    form = soup(shown.text)
    typed = {
        str(i["name"]): str(i.get("value", ""))
        for i in form.select("form input")
        if i.get("name") and i.get("type") != "checkbox"
    }
    assert typed["declared_value_cents"] == "18.000,50"
    typed["name"] = "Generator, renamed"
    saved = page.post(f"/items/{item['id']}/edit", data=typed)
    assert saved.status_code == 303, saved.text
    stored = b.get(client, f"/items/{item['id']}")
    assert (stored["name"], stored["declared_value_cents"]) == ("Generator, renamed", 1_800_050)


def test_an_amount_that_cannot_be_read_is_refused_beside_its_input(
    client: TestClient, page_as: PageClients
) -> None:
    page = page_as(Role.coordinator, language="de")
    donor = factories.donor(client)
    before = len(b.get(client, "/items?limit=200")["items"])
    status, text = _new_item(page, donor["id"], "39.5")
    assert status == 422
    refused = soup(text)
    error = refused.select_one("#declared_value_cents-error")
    assert error is not None
    assert "39.5" in error.get_text() and "39.000,00" in error.get_text()
    kept = refused.select_one("#declared_value_cents")
    assert kept is not None and kept["value"] == "39.5"
    assert len(b.get(client, "/items?limit=200")["items"]) == before


def test_a_cargo_line_value_is_typed_in_euros(client: TestClient, page_as: PageClients) -> None:
    page = page_as(Role.coordinator, language="uk")
    bus = factories.vehicle(client, factories.donor(client)["id"])
    token = csrf_token(page.get(f"/items/{bus['id']}").text)
    typed = {
        "csrf_token": token,
        "description": "Drainage pumps 3 kW",
        "quantity": "20",
        "weight_kg": "600",
        "packing": "crate",
    }
    refused = page.post(f"/items/{bus['id']}/cargo", data={**typed, "value_cents": "24,000.00"})
    assert refused.status_code == 422
    assert soup(refused.text).select_one("#cargo-value_cents-error") is not None
    loaded = page.post(f"/items/{bus['id']}/cargo", data={**typed, "value_cents": "24 000,50"})
    assert loaded.status_code == 303, loaded.text
    (line,) = b.get(client, f"/items/{bus['id']}/cargo")["items"]
    assert line["value_cents"] == 2_400_050
    shown = soup(page.get(f"/items/{bus['id']}").text).select("tbody td")
    cells = [td.get_text() for td in shown]
    assert f"600{NBSP}kg" in cells or "600 kg" in cells
