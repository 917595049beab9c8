from fastapi.testclient import TestClient

from tests import factories
from tests.factories import API


def test_create_and_read_donor(client: TestClient) -> None:
    donor = factories.donor(client, name="WSW mobil GmbH", contact_email="fuhrpark@wsw.example")
    response = client.get(f"{API}/donors/{donor['id']}")
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "WSW mobil GmbH"
    assert body["version"] == 1
    assert body["created_at"].endswith("Z") or body["created_at"].endswith("+00:00")


def test_unknown_donor_is_404(client: TestClient) -> None:
    response = client.get(f"{API}/donors/999999")
    assert response.status_code == 404
    assert response.json()["detail"] == "Donor 999999 does not exist"


def test_invalid_donor_names_the_field_and_writes_nothing(client: TestClient) -> None:
    response = client.post(f"{API}/donors", json={"name": "", "country": "Germany"})
    assert response.status_code == 422
    fields = {tuple(e["loc"]) for e in response.json()["detail"]}
    assert fields == {("body", "name"), ("body", "country")}
    assert client.get(f"{API}/donors").json()["items"] == []


def test_patch_changes_only_sent_fields_and_bumps_version(client: TestClient) -> None:
    donor = factories.donor(client, city="Wuppertal")
    response = client.patch(f"{API}/donors/{donor['id']}", json={"contact_name": "A. Schmidt"})
    assert response.status_code == 200
    body = response.json()
    assert body["contact_name"] == "A. Schmidt"
    assert body["city"] == "Wuppertal"
    assert body["version"] == 2


def test_patch_cannot_null_a_required_field(client: TestClient) -> None:
    donor = factories.donor(client)
    response = client.patch(f"{API}/donors/{donor['id']}", json={"name": None})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "name"]
    assert client.get(f"{API}/donors/{donor['id']}").json()["name"] == donor["name"]


def test_list_filters_by_text_and_kind(client: TestClient) -> None:
    factories.donor(client, name="Stadtwerke Wuppertal", kind="utility")
    factories.donor(client, name="AWG Abfallwirtschaft", kind="association", city="Solingen")
    factories.donor(client, name="Pumpenwerk Muster", kind="manufacturer", city="Hannover")
    by_text = client.get(f"{API}/donors", params={"q": "wupper"}).json()["items"]
    assert [d["name"] for d in by_text] == ["Stadtwerke Wuppertal"]
    by_kind = client.get(f"{API}/donors", params={"kind": "association"}).json()["items"]
    assert [d["name"] for d in by_kind] == ["AWG Abfallwirtschaft"]


def test_keyset_pagination_walks_every_row_once(client: TestClient) -> None:
    names = [f"Donor {i:02d}" for i in range(7)]
    for name in reversed(names):
        factories.donor(client, name=name)
    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": 3, "sort": "name", **({"cursor": cursor} if cursor else {})}
        page = client.get(f"{API}/donors", params=params).json()
        seen += [d["name"] for d in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == names


def test_descending_sort_and_bad_sort_or_cursor(client: TestClient) -> None:
    for name in ("A", "B", "C"):
        factories.donor(client, name=name)
    page = client.get(f"{API}/donors", params={"sort": "-name", "limit": 2}).json()
    assert [d["name"] for d in page["items"]] == ["C", "B"]
    rest = client.get(
        f"{API}/donors", params={"sort": "-name", "limit": 2, "cursor": page["next_cursor"]}
    ).json()
    assert [d["name"] for d in rest["items"]] == ["A"]
    bad_sort = client.get(f"{API}/donors", params={"sort": "secret"})
    assert bad_sort.status_code == 422
    assert bad_sort.json()["detail"][0]["loc"] == ["body", "sort"]
    bad_cursor = client.get(f"{API}/donors", params={"cursor": "not-a-cursor"})
    assert bad_cursor.status_code == 422


def test_keyset_pagination_by_a_timestamp_column(client: TestClient) -> None:
    for i in range(5):
        factories.donor(client, name=f"Timestamped {i}")
    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": 2, "sort": "-created_at", **({"cursor": cursor} if cursor else {})}
        response = client.get(f"{API}/donors", params=params)
        assert response.status_code == 200, response.text
        page = response.json()
        seen += [d["name"] for d in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == [f"Timestamped {i}" for i in range(5)]
    assert len(seen) == len(set(seen)) == 5
