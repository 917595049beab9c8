"""The organisation that runs the convoys: set once by an admin, changed with its version,
read by the office, and printed as the carrier of every consignment note."""

import io

from fastapi.testclient import TestClient
from pypdf import PdfReader

from app.auth.roles import Role
from tests import factories
from tests.accounts import RoleClients
from tests.convoys import builders as b
from tests.factories import API, ORGANISATION


def test_an_admin_sets_the_organisation_once_and_changes_it(
    client: TestClient, as_role: RoleClients
) -> None:
    assert client.get(f"{API}/organisation").status_code == 404  # not set yet
    made = factories.organisation(client)
    assert {k: made[k] for k in ORGANISATION} == ORGANISATION and made["country"] == "DE"
    assert client.get(f"{API}/organisation").json() == made
    again = client.post(f"{API}/organisation", json=ORGANISATION)
    assert again.status_code == 409  # one carrier for every paper
    changed = client.patch(
        f"{API}/organisation",
        json={"register_number": "VR 31246"},
        headers={"If-Match": f'"{made["version"]}"'},
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["register_number"] == "VR 31246"
    stale = client.patch(
        f"{API}/organisation", json={"city": "Köln"}, headers={"If-Match": f'"{made["version"]}"'}
    )
    assert stale.status_code == 412
    # The office reads it; only an admin changes it.
    assert as_role(Role.clerk).get(f"{API}/organisation").status_code == 200
    coordinator = as_role(Role.coordinator)
    assert coordinator.patch(f"{API}/organisation", json={"city": "Köln"}).status_code == 403


def test_bad_organisation_fields_are_named(client: TestClient) -> None:
    for field, value in (
        ("name", ""),
        ("legal_form", "x" * 101),
        ("country", "Germany"),
        ("register_number", "x" * 51),
        ("contact_email", "not an address"),
    ):
        response = client.post(f"{API}/organisation", json={**ORGANISATION, field: value})
        assert response.status_code == 422, field
        assert response.json()["detail"][0]["loc"][-1] == field
    factories.organisation(client)
    refused = client.patch(f"{API}/organisation", json={"name": None})
    assert refused.status_code == 422
    assert client.patch(f"{API}/organisation", json={"vat": "x"}).status_code == 422


def _carrier_box(client: TestClient, convoy_id: int, vehicle_id: int) -> str:
    response = client.get(
        f"{API}/convoys/{convoy_id}/documents/cmr", params={"vehicle_id": vehicle_id}
    )
    assert response.status_code == 200, response.text
    page = " ".join(PdfReader(io.BytesIO(response.content)).pages[0].extract_text().split())
    return page[page.index("Frachtführer") :]


def test_the_carrier_box_names_the_organisation_and_the_plate(client: TestClient) -> None:
    planned = b.planned_convoy(client)
    bus = planned.vehicles[0]
    plate = b.get(client, f"/items/{bus['id']}/export-record")["export_plate"]
    unset = _carrier_box(client, planned.id, bus["id"])
    assert unset.startswith("Frachtführer / Перевізник Organisation nicht festgelegt")
    factories.organisation(client)
    carrier = _carrier_box(client, planned.id, bus["id"])
    assert carrier.startswith(
        "Frachtführer / Перевізник Water4Ukraine e.V. (eingetragener Verein (e.V.)) "
        "Bromberger Straße 39–41, 42281 Wuppertal, DE Amtsgericht Wuppertal VR 31245"
    )
    assert f"Kennzeichen / Номерний знак {plate}" in carrier
