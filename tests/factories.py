"""Build records through the public API, with realistic defaults a test can override."""

import itertools
from typing import Any

from fastapi.testclient import TestClient

API = "/api/v1"
_seq = itertools.count(1)


def created(client: TestClient, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = client.post(f"{API}{path}", json=body)
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()
    return data


def donor(client: TestClient, **overrides: Any) -> dict[str, Any]:
    body = {
        "name": f"Stadtwerke Nr. {next(_seq)}",
        "kind": "utility",
        "city": "Wuppertal",
        "region": "Nordrhein-Westfalen",
        "country": "DE",
        **overrides,
    }
    return created(client, "/donors", body)


def destination(client: TestClient, **overrides: Any) -> dict[str, Any]:
    from stdnum.ua import edrpou

    base = f"{3300000 + next(_seq):07d}"
    body = {
        "name": f"Vodokanal {base}",
        "city": "Lviv",
        "oblast": "Lvivska",
        "edrpou": base + edrpou.calc_check_digit(base),
        "contact_name": "Deputy technical director",
        **overrides,
    }
    return created(client, "/destinations", body)


def need(client: TestClient, destination_id: int, **overrides: Any) -> dict[str, Any]:
    body = {
        "destination_id": destination_id,
        "item_kind": "pump",
        "description": "Submersible pump for a well field",
        "quantity": 2,
        "priority": 1,
        **overrides,
    }
    return created(client, "/needs", body)


def vehicle(client: TestClient, donor_id: int, **overrides: Any) -> dict[str, Any]:
    return created(client, "/items", vehicle_body(donor_id, **overrides))


def vehicle_body(donor_id: int, **overrides: Any) -> dict[str, Any]:
    """What a clerk sends for a donated city bus."""
    n = next(_seq)
    return {
        "category": "vehicle",
        "kind": "bus",
        "name": f"MAN Lion's City bus no. {n}",
        "donor_id": donor_id,
        "declared_value_cents": 2_500_000,
        "weight_kg": 11_000,
        "condition": "used",
        "make": "MAN",
        "model": "Lion's City",
        "vin": f"WMA{n:014d}"[:17],
        "year": 2008,
        "gross_weight_kg": 18_000,
        "seats": 40,
        "registration_papers_held": True,
        **overrides,
    }


def equipment(client: TestClient, donor_id: int, **overrides: Any) -> dict[str, Any]:
    return created(client, "/items", equipment_body(donor_id, **overrides))


def equipment_body(donor_id: int, **overrides: Any) -> dict[str, Any]:
    """What a clerk sends for a donated generator."""
    return {
        "category": "equipment",
        "kind": "generator",
        "name": f"Diesel generator 100 kVA no. {next(_seq)}",
        "donor_id": donor_id,
        "declared_value_cents": 1_800_000,
        "weight_kg": 1_500,
        "condition": "good",
        "hs_code": "8502",
        **overrides,
    }


def certificate(
    client: TestClient, destination_id: int, item_ids: list[int], **overrides: Any
) -> dict[str, Any]:
    body = {
        "number": f"VN-2024-{next(_seq):03d}",
        "destination_id": destination_id,
        "intended_use": "Drinking-water supply: pumping stations of the city's well fields",
        "issued_on": "2024-05-02",
        "issuer": "Lvivvodokanal, deputy technical director",
        "item_ids": item_ids,
        **overrides,
    }
    return created(client, "/certificates", body)


def export_record(client: TestClient, item_id: int, **overrides: Any) -> dict[str, Any]:
    body = {
        "item_id": item_id,
        "customs_office_code": "DE004601",
        "export_plate": "W 1234 A",
        "plate_valid_from_on": "2024-06-01",
        "plate_valid_to_on": "2024-06-30",
        "insurer": "Provinzial",
        "insurance_until_on": "2024-06-30",
        "inspection_due_on": "2025-03-31",
        **overrides,
    }
    return created(client, "/export-records", body)


ORGANISATION = {
    "name": "Water4Ukraine e.V.",
    "legal_form": "eingetragener Verein (e.V.)",
    "street": "Bromberger Straße 39–41",
    "postal_code": "42281",
    "city": "Wuppertal",
    "register_court": "Amtsgericht Wuppertal",
    "register_number": "VR 31245",
    "contact_name": "Rita Falkenberg",
    "contact_phone": "+49 202 555 0142",
}


def organisation(client: TestClient, **overrides: Any) -> dict[str, Any]:
    """The organisation that runs the convoys (an admin's client sets it)."""
    return created(client, "/organisation", {**ORGANISATION, **overrides})


def cargo_line(client: TestClient, vehicle_id: int, **overrides: Any) -> dict[str, Any]:
    body = {
        "description": f"Submersible pump 11 kW no. {next(_seq)}",
        "quantity": 2,
        "unit": "pcs",
        "weight_kg": 300,
        "value_cents": 400_000,
        "category": "technical",
        "hs_code": "8413",
        **overrides,
    }
    return created(client, f"/items/{vehicle_id}/cargo", body)


def programme_data(destination_id: int | None = None, **overrides: Any) -> dict[str, Any]:
    """A transport series (the LVR's to its partner clinic) with the association's tax data."""
    return {
        "code": f"LVR{next(_seq)}",
        "name": "LVR-Hilfstransporte Kulparkiv",
        "partner_name": "Psychiatrische Klinik Kulparkiv, Lwiw",
        "partner_name_uk": "Львівська обласна клінічна психіатрична лікарня (Кульпарків)",
        "destination_id": destination_id,
        "organiser_name": "Förderverein der LVR-Klinik Langenfeld e.V.",
        "organiser_street": "Kölner Str. 82",
        "organiser_postal_code": "40764",
        "organiser_city": "Langenfeld",
        "tax_office": "Finanzamt Leverkusen",
        "tax_number": "230/5712/0815",
        "exemption_notice_on": "2024-05-14",
        "exemption_period": "2023",
        "tax_purpose": "der Hilfe für Kranke und Menschen in Not (§ 52 Abs. 2 Nr. 3 und 9 AO)",
        **overrides,
    }


def grant_data(**overrides: Any) -> dict[str, Any]:
    return {
        "funder": "Engagement Global",
        "reference": "EG-2026-1234",
        "purpose": "Medizinisches Material für die Klinik Kulparkiv",
        "amount_cents": 1_500_000,
        "starts_on": "2026-01-01",
        "ends_on": "2026-12-31",
        "conditions": "Verwendungsnachweis mit Belegen; Eigenanteil 10 %",
        "report_due_on": "2027-03-31",
        **overrides,
    }


def collection_point(client: TestClient, **overrides: Any) -> dict[str, Any]:
    n = next(_seq)
    body = {
        "name": f"Westfalenhalle {n}",
        "street": "Rheinlanddamm 200",
        "postal_code": "44139",
        "city": "Dortmund",
        "opening_hours": "Mo-Fr 10-18",
        "pallet_prefix": f"WH{n}",
        **overrides,
    }
    return created(client, "/collection-points", body)


def storage_place(client: TestClient, point_id: int, **overrides: Any) -> dict[str, Any]:
    body = {"zone": "A", "row": str(next(_seq)), "shelf": "1", **overrides}
    return created(client, f"/collection-points/{point_id}/places", body)


def intake(client: TestClient, point_id: int, place_id: int, **overrides: Any) -> dict[str, Any]:
    body = {
        "place_id": place_id,
        "category": "clothing",
        "subcategory": "jackets",
        "gender": "men",
        "size": "L",
        "season": "winter",
        "quantity": 40,
        "priority": "urgent",
        **overrides,
    }
    return created(client, f"/collection-points/{point_id}/intake", body)


def goods_need(client: TestClient, destination_id: int, **overrides: Any) -> dict[str, Any]:
    body = {
        "item_kind": "goods",
        "description": "Winter jackets for the patients",
        "quantity": 30,
        "goods_category": "clothing",
        "goods_subcategory": "jackets",
        "season": "winter",
        **overrides,
    }
    return need(client, destination_id, **body)
