"""Usage certificates and export records as pages: a clerk records them through forms that
keep what was typed and name the refused field; each record links its items."""

from typing import Any

from fastapi.testclient import TestClient

from app.auth.roles import Role
from tests import factories
from tests.convoys import builders as b
from tests.web.conftest import PageClients, csrf_token, soup


def _allocated_bus(client: TestClient, destination_id: int, name: str) -> dict[str, Any]:
    donor = factories.donor(client)
    bus = factories.vehicle(client, donor["id"], name=name)
    b.post(client, f"/items/{bus['id']}/accept")
    allocated = b.post(client, f"/items/{bus['id']}/allocate", {"destination_id": destination_id})
    assert allocated.status_code == 200, allocated.text
    return bus


def test_a_clerk_records_a_certificate_for_two_items(
    client: TestClient, page_as: PageClients
) -> None:
    lviv = factories.destination(client)
    first = _allocated_bus(client, lviv["id"], "Solaris Urbino 12")
    second = _allocated_bus(client, lviv["id"], "MAN Lion's City")
    clerk = page_as(Role.clerk)
    form = clerk.get("/certificates/new")
    assert form.status_code == 200
    offered = {o["value"] for o in soup(form.text).select("#item_ids option")}
    assert {str(first["id"]), str(second["id"])} <= offered
    fields: dict[str, str | list[str]] = {
        "number": "VN-2027-001",
        "destination_id": str(lviv["id"]),
        "intended_use": "Drinking-water supply",
        "issued_on": "2026-01-10",
        "issuer": "Lvivvodokanal",
        "valid_until_on": "2025-12-31",  # before the issue date
        "item_ids": [str(first["id"]), str(second["id"])],  # a multiple select
        "csrf_token": csrf_token(form.text),
    }
    refused = clerk.post("/certificates/new", data=fields)
    assert refused.status_code == 422, refused.text
    html = soup(refused.text)
    assert html.select("#valid_until_on")[0]["aria-invalid"] == "true"
    assert "before the issue date" in html.select("#valid_until_on-error")[0].get_text()
    # Nothing lost: both items stay chosen, the number stays typed.
    assert {o["value"] for o in html.select("#item_ids option[selected]")} == {
        str(first["id"]),
        str(second["id"]),
    }
    assert html.select("#number")[0]["value"] == "VN-2027-001"
    assert b.get(client, "/certificates?q=VN-2027-001")["items"] == []
    fields["valid_until_on"] = "2028-12-31"
    saved = clerk.post("/certificates/new", data=fields)
    assert saved.status_code == 303, saved.text
    stored = b.get(client, "/certificates?q=VN-2027-001")["items"]
    assert [sorted(c["item_ids"]) for c in stored] == [sorted([first["id"], second["id"]])]
    shown = soup(clerk.get(saved.headers["location"]).text)
    assert {a.get_text() for a in shown.select("#covered-heading ~ ul a")} == {
        "Solaris Urbino 12",
        "MAN Lion's City",
    }


def test_an_item_page_starts_its_export_record_and_a_bad_mrn_is_named(
    client: TestClient, page_as: PageClients
) -> None:
    lviv = factories.destination(client)
    bus = _allocated_bus(client, lviv["id"], "Setra S 415")
    clerk = page_as(Role.clerk)
    item_page = soup(clerk.get(f"/items/{bus['id']}").text)
    start = item_page.select_one(f'a[href="/export-records/new?item_id={bus["id"]}"]')
    assert start is not None
    form = clerk.get(str(start["href"]))
    chosen = soup(form.text).select("#item_id option[selected]")
    assert [o["value"] for o in chosen] == [str(bus["id"])]
    fields = {
        "item_id": str(bus["id"]),
        "customs_office_code": "DE004601",
        "mrn": "06DE58660000614300",  # wrong check digit
        "export_plate": "W 1234 A",
        "csrf_token": csrf_token(form.text),
    }
    refused = clerk.post("/export-records/new", data=fields)
    assert refused.status_code == 422
    html = soup(refused.text)
    assert html.select("#mrn")[0]["aria-invalid"] == "true"
    assert "check digit" in html.select("#mrn-error")[0].get_text()
    assert html.select("#export_plate")[0]["value"] == "W 1234 A"
    assert client.get(f"/api/v1/items/{bus['id']}/export-record").status_code == 404
    fields |= {"mrn": "", "plate_valid_from_on": "2027-07-01", "plate_valid_to_on": "2027-07-31"}
    saved = clerk.post("/export-records/new", data=fields)
    assert saved.status_code == 303, saved.text
    record = b.get(client, f"/items/{bus['id']}/export-record")
    assert (record["export_plate"], record["mrn"]) == ("W 1234 A", None)
    linked = soup(clerk.get(f"/items/{bus['id']}").text)
    assert linked.select_one(f'a[href="/export-records/{record["id"]}"]') is not None
