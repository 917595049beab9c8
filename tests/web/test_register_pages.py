"""The office's registers as pages: search and filters, a record with its history, forms that
keep what was typed and name the refused field, actions that list every reason."""

from fastapi.testclient import TestClient

from app.auth.roles import Role
from tests import factories
from tests.convoys import builders as b
from tests.web.conftest import PageClients, csrf_token, soup


def _names_listed(html: str) -> list[str]:
    return [a.get_text() for a in soup(html).select("#rows tbody tr td:first-child a")]


def test_the_item_register_searches_and_filters(client: TestClient, page_as: PageClients) -> None:
    donor = factories.donor(client)
    bus = factories.vehicle(client, donor["id"], name="Solaris Urbino 12")
    factories.equipment(client, donor["id"], name="Diesel generator 60 kVA")
    b.post(client, f"/items/{bus['id']}/accept")
    page = page_as(Role.clerk)
    assert _names_listed(page.get("/items?q=urbino").text) == ["Solaris Urbino 12"]
    assert _names_listed(page.get("/items?status=accepted").text) == ["Solaris Urbino 12"]
    assert _names_listed(page.get("/items?category=equipment").text) == ["Diesel generator 60 kVA"]
    # htmx asks for the rows only.
    rows = page.get("/items?q=diesel", headers={"HX-Request": "true"})
    assert soup(rows.text).select_one("html") is None
    assert _names_listed(rows.text) == ["Diesel generator 60 kVA"]


def test_an_edit_with_a_bad_vin_names_the_field_and_keeps_what_was_typed(
    client: TestClient, page_as: PageClients
) -> None:
    donor = factories.donor(client)
    bus = factories.vehicle(client, donor["id"])
    page = page_as(Role.coordinator)
    form = page.get(f"/items/{bus['id']}/edit")
    html_form = soup(form.text)
    fields = {
        str(i["name"]): str(i.get("value", "on" if i.get("type") == "checkbox" else ""))
        for i in html_form.select("form input[name]")
        if i.get("type") != "checkbox" or i.has_attr("checked")
    }
    for select in html_form.select("form select[name]"):
        chosen = select.select("option[selected]")
        fields[str(select["name"])] = str(chosen[0]["value"]) if chosen else ""
    fields |= {
        "vin": "WMA0O000000000000",
        "name": "Bus no. 4712",
        "csrf_token": csrf_token(form.text),
    }
    refused = page.post(f"/items/{bus['id']}/edit", data=fields)
    assert refused.status_code == 422
    html = soup(refused.text)
    assert html.select("#vin")[0]["aria-invalid"] == "true"
    assert html.select("#vin-error")
    assert html.select("#name")[0]["value"] == "Bus no. 4712"
    assert b.get(client, f"/items/{bus['id']}")["name"] == bus["name"]
    fields["vin"] = bus["vin"]
    saved = page.post(f"/items/{bus['id']}/edit", data=fields)
    assert saved.status_code == 303, [e.get_text() for e in soup(saved.text).select(".blocker")]
    assert (saved.status_code, saved.headers["location"]) == (303, f"/items/{bus['id']}")
    assert b.get(client, f"/items/{bus['id']}")["name"] == "Bus no. 4712"
    history = soup(page.get(f"/items/{bus['id']}").text).select("#history-heading ~ details")
    assert history and "Bus no. 4712" in history[0].get_text()


def test_a_refused_action_lists_its_reasons_and_changes_nothing(
    client: TestClient, page_as: PageClients
) -> None:
    destination = factories.destination(client)
    bus = b.vehicle(client, trip_end=b.friday_ahead().date(), destination=destination,
                    stage="allocated")  # fmt: skip
    page = page_as(Role.coordinator)
    shown = page.get(f"/items/{bus['id']}")
    assert soup(shown.text).select(f'form[action="/items/{bus["id"]}/actions/certify"]')
    refused = page.post(
        f"/items/{bus['id']}/actions/certify", data={"csrf_token": csrf_token(shown.text)}
    )
    assert refused.status_code == 409
    api = b.post(client, f"/items/{bus['id']}/certify").json()["reasons"]
    shown_reasons = [li.get_text() for li in soup(refused.text).select(".problems li")]
    assert " ".join(shown_reasons) == " ".join(r["message"] for r in api)
    assert b.get(client, f"/items/{bus['id']}")["status"] == "allocated"


def test_a_donor_created_through_the_form(client: TestClient, page_as: PageClients) -> None:
    page = page_as(Role.coordinator)
    form = page.get("/donors/new")
    token = csrf_token(form.text)
    refused = page.post(
        "/donors/new", data={"csrf_token": token, "name": "Stadtwerke Bochum", "country": "Germany"}
    )
    assert refused.status_code == 422
    assert soup(refused.text).select("#country-error")
    created = page.post(
        "/donors/new",
        data={"csrf_token": token, "name": "Stadtwerke Bochum", "kind": "utility", "country": "DE"},
    )
    assert created.status_code == 303
    [donor] = [d for d in b.get(client, "/donors")["items"] if d["name"] == "Stadtwerke Bochum"]
    assert created.headers["location"] == f"/donors/{donor['id']}"


def test_drivers_and_recipients_do_not_open_the_registers_and_csrf_is_checked(
    client: TestClient, page_as: PageClients
) -> None:
    planned = b.planned_convoy(client, vehicles=1)
    driver = page_as(Role.driver, driver_id=planned.drivers[0]["id"])
    for path in ("/items", f"/items/{planned.vehicles[0]['id']}", "/donors", "/drivers"):
        assert driver.get(path).status_code == 403, path
    coordinator = page_as(Role.coordinator)
    no_token = coordinator.post("/donors/new", data={"name": "Without a token", "country": "DE"})
    assert no_token.status_code == 403
    assert [d for d in b.get(client, "/donors")["items"] if d["name"] == "Without a token"] == []


def test_the_organisation_is_set_and_changed_by_an_admin_on_its_page(
    client: TestClient, page_as: PageClients
) -> None:
    admin = page_as(Role.admin)
    form = admin.get("/organisation/new")
    token = csrf_token(form.text)
    typed = {k: v for k, v in factories.ORGANISATION.items() if k != "register_number"}
    refused = admin.post("/organisation/new", data={**typed, "csrf_token": token, "country": "D"})
    assert refused.status_code == 422 and soup(refused.text).select("#country-error")
    created = admin.post(
        "/organisation/new", data={**factories.ORGANISATION, "csrf_token": token, "country": "DE"}
    )
    assert created.status_code == 303, created.text
    saved = b.get(client, "/organisation")
    assert created.headers["location"] == f"/organisation/{saved['id']}"
    listed = admin.get("/organisation")
    assert [a.get_text() for a in soup(listed.text).select("#rows tbody a")] == [
        "Water4Ukraine e.V."
    ]
    edit = admin.get(f"/organisation/{saved['id']}/edit")
    changed = admin.post(
        f"/organisation/{saved['id']}/edit",
        data={
            "csrf_token": csrf_token(edit.text),
            "version": str(saved["version"]),
            "register_number": "VR 31246",
        },
    )
    assert changed.status_code == 303, changed.text
    assert b.get(client, "/organisation")["register_number"] == "VR 31246"
    # A coordinator reads it; the form is the admin's.
    coordinator = page_as(Role.coordinator)
    assert "VR 31246" in coordinator.get(f"/organisation/{saved['id']}").text
    assert coordinator.get(f"/organisation/{saved['id']}/edit").status_code == 403


def test_a_destinations_form_takes_its_address_in_both_scripts(
    client: TestClient, page_as: PageClients
) -> None:
    page = page_as(Role.coordinator)
    destination = factories.destination(client)
    edit = page.get(f"/destinations/{destination['id']}/edit")
    shown = soup(edit.text)
    for field in ("street", "street_uk", "postal_code", "city_uk", "oblast_uk"):
        assert shown.select_one(f'input[name="{field}"]') is not None, field
    data = {"csrf_token": csrf_token(edit.text), "version": str(destination["version"])}
    refused = page.post(f"/destinations/{destination['id']}/edit", data={**data, "city_uk": "Lviv"})
    assert refused.status_code == 422 and soup(refused.text).select("#city_uk-error")
    saved = page.post(
        f"/destinations/{destination['id']}/edit",
        data={**data, "street_uk": "вул. Зелена, 64", "postal_code": "79017", "city_uk": "Львів"},
    )
    assert saved.status_code == 303, saved.text
    stored = b.get(client, f"/destinations/{destination['id']}")
    assert (stored["street_uk"], stored["postal_code"], stored["city_uk"]) == (
        "вул. Зелена, 64",
        "79017",
        "Львів",
    )


def test_a_cargo_line_is_loaded_with_its_packing_from_the_items_page(
    client: TestClient, page_as: PageClients
) -> None:
    page = page_as(Role.coordinator)
    bus = factories.vehicle(client, factories.donor(client)["id"])
    shown = page.get(f"/items/{bus['id']}")
    token = csrf_token(shown.text)
    options = [o["value"] for o in soup(shown.text).select("#cargo-packing option")]
    assert options == ["pallet", "crate", "carton", "loose", "fixed_in_vehicle"]
    typed = {
        "csrf_token": token,
        "description": "Drainage pumps 3 kW",
        "quantity": "20",
        "weight_kg": "600",
        "value_cents": "24,000.00",
        "marks": "W4U 2/1-5",
    }
    refused = page.post(f"/items/{bus['id']}/cargo", data={**typed, "packing": "barrel"})
    assert refused.status_code == 422
    again = soup(refused.text)
    assert again.select_one("#cargo-packing-error") is not None
    description = again.select_one("#cargo-description")
    assert description is not None and description["value"] == "Drainage pumps 3 kW"  # kept
    loaded = page.post(f"/items/{bus['id']}/cargo", data={**typed, "packing": "crate"})
    assert loaded.status_code == 303, loaded.text
    (line,) = b.get(client, f"/items/{bus['id']}/cargo")["items"]
    assert (line["packing"], line["quantity"], line["marks"]) == ("crate", 20, "W4U 2/1-5")
    assert line["value_cents"] == 2_400_000
    cells = [td.get_text() for td in soup(page.get(f"/items/{bus['id']}").text).select("tbody td")]
    assert "crate" in cells
