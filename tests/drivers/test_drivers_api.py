from datetime import date, timedelta
from typing import Any

from fastapi.testclient import TestClient

from tests.factories import API


def driver_body(**overrides: Any) -> dict[str, Any]:
    return {
        "name": "Jürgen Becker",
        "date_of_birth": "1958-03-14",
        "phone": "+49 202 555 0101",
        "languages": ["de", "UK"],
        "emergency_contact_name": "Petra Becker",
        "emergency_contact_phone": "+49 202 555 0102",
        "licences": [
            {"licence_class": "ce", "expires_on": "2029-06-30"},
            {"licence_class": "D", "expires_on": "2027-01-31"},
        ],
        "availability": [{"available_from_on": "2026-12-10", "available_to_on": "2026-12-14"}],
        **overrides,
    }


def test_register_driver_with_licences_and_availability(client: TestClient) -> None:
    response = client.post(f"{API}/drivers", json=driver_body())
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["languages"] == ["de", "uk"]
    assert {(lic["licence_class"], lic["expires_on"]) for lic in body["licences"]} == {
        ("CE", "2029-06-30"),
        ("D", "2027-01-31"),
    }
    assert body["availability"] == [
        {"available_from_on": "2026-12-10", "available_to_on": "2026-12-14"}
    ]
    again = client.get(f"{API}/drivers/{body['id']}").json()
    assert again == body


def test_unknown_licence_class_is_refused_and_nothing_written(client: TestClient) -> None:
    bad = driver_body(licences=[{"licence_class": "Z", "expires_on": "2030-01-01"}])
    response = client.post(f"{API}/drivers", json=bad)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][:4] == ["body", "licences", 0, "licence_class"]
    assert client.get(f"{API}/drivers").json()["items"] == []


def test_repeated_class_availability_backwards_and_minor_are_refused(client: TestClient) -> None:
    too_young = (date.today() - timedelta(days=17 * 365)).isoformat()
    response = client.post(
        f"{API}/drivers",
        json=driver_body(
            date_of_birth=too_young,
            licences=[
                {"licence_class": "C", "expires_on": "2030-01-01"},
                {"licence_class": "C", "expires_on": "2031-01-01"},
            ],
            availability=[{"available_from_on": "2026-12-14", "available_to_on": "2026-12-10"}],
            languages=["deutsch"],
        ),
    )
    assert response.status_code == 422
    locs = {tuple(e["loc"][:3]) for e in response.json()["detail"]}
    assert locs == {
        ("body", "date_of_birth"),
        ("body", "licences"),
        ("body", "availability", 0),
        ("body", "languages"),
    }


def test_patch_replaces_licences_and_bumps_version(client: TestClient) -> None:
    driver = client.post(f"{API}/drivers", json=driver_body()).json()
    response = client.patch(
        f"{API}/drivers/{driver['id']}",
        json={"licences": [{"licence_class": "C1", "expires_on": "2028-01-01"}]},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["licences"] == [{"licence_class": "C1", "expires_on": "2028-01-01"}]
    assert body["version"] == driver["version"] + 1
    assert body["phone"] == driver["phone"]


def test_filter_by_licence_class_and_availability(client: TestClient) -> None:
    client.post(f"{API}/drivers", json=driver_body(name="Anna Busfahrerin"))
    client.post(
        f"{API}/drivers",
        json=driver_body(
            name="Karl Lkw",
            licences=[{"licence_class": "CE", "expires_on": "2030-01-01"}],
            availability=[{"available_from_on": "2027-03-01", "available_to_on": "2027-03-05"}],
        ),
    )
    with_d = client.get(f"{API}/drivers", params={"licence_class": "D"}).json()["items"]
    assert [d["name"] for d in with_d] == ["Anna Busfahrerin"]
    free = client.get(f"{API}/drivers", params={"available_on": "2027-03-02"}).json()["items"]
    assert [d["name"] for d in free] == ["Karl Lkw"]


def test_filter_by_licence_class_finds_holders_of_a_class_that_includes_it(
    client: TestClient,
) -> None:
    client.post(
        f"{API}/drivers",
        json=driver_body(
            name="Karl Sattelzug", licences=[{"licence_class": "CE", "expires_on": "2030-01-01"}]
        ),
    )
    client.post(
        f"{API}/drivers",
        json=driver_body(
            name="Anna Bus", licences=[{"licence_class": "D", "expires_on": "2030-01-01"}]
        ),
    )
    # A truck over 7.5 t needs C; class CE includes it, class D does not.
    for_truck = client.get(f"{API}/drivers", params={"licence_class": "C"}).json()["items"]
    assert [d["name"] for d in for_truck] == ["Karl Sattelzug"]
    for_car = client.get(f"{API}/drivers", params={"licence_class": "B"}).json()["items"]
    assert [d["name"] for d in for_car] == ["Anna Bus", "Karl Sattelzug"]
