from typing import Any

from fastapi.testclient import TestClient

from tests import factories
from tests.factories import API

LVIVVODOKANAL = {
    "name": "Lvivvodokanal",
    "name_uk": "ЛМКП «Львівводоканал»",
    "city": "Lviv",
    "oblast": "Lvivska",
    "edrpou": "03348471",
    "contact_name": "Deputy technical director",
    "contact_email": "tech@lvivvodokanal.example",
}


def _all(client: TestClient, **params: Any) -> list[dict[str, Any]]:
    response = client.get(f"{API}/destinations", params={"limit": 200, **params})
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def test_create_and_read_destination(client: TestClient) -> None:
    response = client.post(f"{API}/destinations", json={**LVIVVODOKANAL, "edrpou": " 03348471 "})
    assert response.status_code == 201, response.text
    created = response.json()
    body = client.get(f"{API}/destinations/{created['id']}").json()
    assert body == created
    assert {k: body[k] for k in LVIVVODOKANAL} == LVIVVODOKANAL  # EDRPOU stored without spaces
    assert body["via_destination_id"] is None
    assert body["contact_phone"] is None
    assert body["version"] == 1


def test_unknown_destination_is_404(client: TestClient) -> None:
    for response in (
        client.get(f"{API}/destinations/999999"),
        client.patch(f"{API}/destinations/999999", json={"city": "Lviv"}),
    ):
        assert response.status_code == 404
        assert response.json() == {
            "detail": "Destination 999999 does not exist",
            "code": "not_found",
        }


def test_edrpou_with_wrong_check_digit_is_refused_and_nothing_written(client: TestClient) -> None:
    response = client.post(f"{API}/destinations", json={**LVIVVODOKANAL, "edrpou": "03348472"})
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == ["body", "edrpou"]
    assert "not a valid EDRPOU code" in error["msg"]
    assert "check digit" in error["msg"]
    assert _all(client) == []


def test_edrpou_with_wrong_length_or_letters_is_refused(client: TestClient) -> None:
    for code in ("0334847", "033484710", "0334847A", ""):
        response = client.post(f"{API}/destinations", json={**LVIVVODOKANAL, "edrpou": code})
        assert response.status_code == 422, code
        assert [e["loc"] for e in response.json()["detail"]] == [["body", "edrpou"]]
    assert _all(client) == []


def test_duplicate_edrpou_is_409_naming_the_field(client: TestClient) -> None:
    first = factories.destination(client, **LVIVVODOKANAL)
    response = client.post(
        f"{API}/destinations", json={**LVIVVODOKANAL, "name": "Lviv water, second entry"}
    )
    assert response.status_code == 409
    assert response.json() == {
        "detail": f"EDRPOU 03348471 is already registered for destination {first['id']} "
        "(Lvivvodokanal)",
        "code": "conflict",
        "field": "edrpou",
    }
    assert [d["id"] for d in _all(client)] == [first["id"]]


def test_patch_to_another_destinations_edrpou_is_409_and_changes_nothing(
    client: TestClient,
) -> None:
    lviv = factories.destination(client, **LVIVVODOKANAL)
    other = factories.destination(client, name="Chuhuivvodokanal", city="Chuhuiv")
    response = client.patch(
        f"{API}/destinations/{other['id']}", json={"edrpou": "03348471", "city": "Kharkiv"}
    )
    assert response.status_code == 409
    assert response.json()["field"] == "edrpou"
    assert client.get(f"{API}/destinations/{other['id']}").json() == other
    # Re-sending its own code is not a clash with itself.
    same = client.patch(f"{API}/destinations/{lviv['id']}", json={"edrpou": "03348471"})
    assert same.status_code == 200


def test_ukrainian_name_must_be_cyrillic(client: TestClient) -> None:
    cases = {
        "Lvivvodokanal": "L a d i k l n o v",
        "Льв\N{LATIN SMALL LETTER I}вводоканал": "i",  # one look-alike among Cyrillic letters
        "1234 «»": None,
    }
    for name_uk, letters in cases.items():
        response = client.post(f"{API}/destinations", json={**LVIVVODOKANAL, "name_uk": name_uk})
        assert response.status_code == 422, name_uk
        [error] = response.json()["detail"]
        assert error["loc"] == ["body", "name_uk"]
        if letters:
            assert error["msg"].endswith(
                f"write the Ukrainian name in Cyrillic; found non-Cyrillic letters: {letters}"
            )
        else:
            assert "at least one Cyrillic letter" in error["msg"]
    assert _all(client) == []


def test_ukrainian_apostrophes_are_cyrillic_text(client: TestClient) -> None:
    for name_uk in (
        "Кам'янське водоканал",
        "Кам\N{MODIFIER LETTER APOSTROPHE}янське водоканал",
        "Кам\N{RIGHT SINGLE QUOTATION MARK}янське водоканал",
    ):
        created = factories.destination(client, name_uk=name_uk)
        assert created["name_uk"] == name_uk


def test_patch_validates_like_create(client: TestClient) -> None:
    dest = factories.destination(client)
    for changes, field in (
        ({"edrpou": "12345679"}, "edrpou"),
        ({"name_uk": "Vodokanal"}, "name_uk"),
        ({"contact_email": "not-an-address"}, "contact_email"),
        ({"edrpou": None}, "edrpou"),
        ({"city": None}, "city"),
        ({"id": 5}, "id"),
    ):
        response = client.patch(f"{API}/destinations/{dest['id']}", json=changes)
        assert response.status_code == 422, changes
        assert [e["loc"] for e in response.json()["detail"]] == [["body", field]]
    assert client.get(f"{API}/destinations/{dest['id']}").json() == dest


def test_patch_changes_only_sent_fields_and_bumps_version(client: TestClient) -> None:
    dest = factories.destination(client, **LVIVVODOKANAL)
    response = client.patch(
        f"{API}/destinations/{dest['id']}", json={"contact_phone": "+380 32 000 00 00"}
    )
    assert response.status_code == 200
    body = response.json()
    assert body == {
        **dest,
        "contact_phone": "+380 32 000 00 00",
        "version": 2,
        "updated_at": body["updated_at"],
    }


def test_destination_receives_through_a_hub(client: TestClient) -> None:
    lviv = factories.destination(client, **LVIVVODOKANAL)
    chuhuiv = factories.destination(
        client,
        name="Chuhuivvodokanal",
        name_uk="КП «Чугуївводоканал»",
        city="Chuhuiv",
        oblast="Kharkivska",
        via_destination_id=lviv["id"],
    )
    assert chuhuiv["via_destination_id"] == lviv["id"]
    direct = client.patch(f"{API}/destinations/{chuhuiv['id']}", json={"via_destination_id": None})
    assert direct.status_code == 200
    assert direct.json()["via_destination_id"] is None


def test_hub_must_exist(client: TestClient) -> None:
    response = client.post(
        f"{API}/destinations", json={**LVIVVODOKANAL, "via_destination_id": 999999}
    )
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "loc": ["body", "via_destination_id"],
                "msg": "destination 999999 does not exist",
                "type": "value_error",
            }
        ]
    }
    assert _all(client) == []
    dest = factories.destination(client)
    patched = client.patch(f"{API}/destinations/{dest['id']}", json={"via_destination_id": 999999})
    assert patched.status_code == 422
    assert patched.json()["detail"][0]["loc"] == ["body", "via_destination_id"]
    assert client.get(f"{API}/destinations/{dest['id']}").json() == dest


def test_destination_cannot_receive_through_itself(client: TestClient) -> None:
    dest = factories.destination(client)
    response = client.patch(
        f"{API}/destinations/{dest['id']}", json={"via_destination_id": dest["id"]}
    )
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {
            "loc": ["body", "via_destination_id"],
            "msg": "a destination cannot receive through itself",
            "type": "value_error",
        }
    ]
    assert client.get(f"{API}/destinations/{dest['id']}").json() == dest


def test_hubs_cannot_form_a_circle(client: TestClient) -> None:
    lviv = factories.destination(client, name="Lviv")
    kharkiv = factories.destination(client, name="Kharkiv", via_destination_id=lviv["id"])
    chuhuiv = factories.destination(client, name="Chuhuiv", via_destination_id=kharkiv["id"])
    response = client.patch(
        f"{API}/destinations/{lviv['id']}", json={"via_destination_id": chuhuiv["id"]}
    )
    assert response.status_code == 422
    assert response.json()["detail"][0] == {
        "loc": ["body", "via_destination_id"],
        "msg": f"destination {chuhuiv['id']} already receives through this destination; "
        "the route would go round in a circle",
        "type": "value_error",
    }
    assert client.get(f"{API}/destinations/{lviv['id']}").json() == lviv


def test_list_searches_names_city_and_oblast_and_filters_by_oblast(client: TestClient) -> None:
    factories.destination(client, **LVIVVODOKANAL)
    factories.destination(
        client,
        name="Chuhuivvodokanal",
        name_uk="КП «Чугуївводоканал»",
        city="Chuhuiv",
        oblast="Kharkivska",
    )
    factories.destination(client, name="Mykolaivvodokanal", city="Mykolaiv", oblast="Mykolaivska")

    def names(**params: Any) -> list[str]:
        return [d["name"] for d in _all(client, **params)]

    assert names(q="LVIVVODO") == ["Lvivvodokanal"]
    # The Ukrainian name. Lower-case on purpose: SQLite's lower() folds only ASCII letters.
    assert names(q="угуїв") == ["Chuhuivvodokanal"]
    assert names(q="chuhu") == ["Chuhuivvodokanal"]
    assert names(q="kharkiv") == ["Chuhuivvodokanal"]  # the oblast
    assert names(q="mykolaiv") == ["Mykolaivvodokanal"]
    assert names(q="%") == []  # wildcards are text, not patterns
    assert names(oblast="lvivska") == ["Lvivvodokanal"]
    assert names(oblast="Lviv") == []  # the oblast filter is exact


def test_keyset_pagination_by_city_walks_every_row_once(client: TestClient) -> None:
    cities = ["Chernihiv", "Chuhuiv", "Kharkiv", "Kherson", "Lviv", "Mykolaiv", "Odesa"]
    for city in reversed(cities):
        factories.destination(client, city=city)
    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 3, "sort": "-city"}
        if cursor:
            params["cursor"] = cursor
        page = client.get(f"{API}/destinations", params=params).json()
        seen += [d["city"] for d in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == list(reversed(cities))


def test_bad_sort_or_cursor_is_422(client: TestClient) -> None:
    bad_sort = client.get(f"{API}/destinations", params={"sort": "edrpou"})
    assert bad_sort.status_code == 422
    assert bad_sort.json()["detail"][0]["loc"] == ["body", "sort"]
    bad_cursor = client.get(f"{API}/destinations", params={"cursor": "not-a-cursor"})
    assert bad_cursor.status_code == 422
    assert bad_cursor.json()["detail"][0]["loc"] == ["body", "cursor"]


ADDRESS = {
    "street": "Zelena St 64",
    "street_uk": "вул. Зелена, 64",
    "postal_code": "79017",
    "city_uk": "Львів",
    "oblast_uk": "Львівська область",
}


def test_a_destination_has_its_address_in_latin_and_cyrillic(client: TestClient) -> None:
    created = factories.created(client, "/destinations", {**LVIVVODOKANAL, **ADDRESS})
    assert {k: created[k] for k in ADDRESS} == ADDRESS
    url = f"{API}/destinations/{created['id']}"
    moved = client.patch(url, json={"street": "Zelena St 66", "street_uk": "вул. Зелена, 66"})
    assert moved.status_code == 200, moved.text
    assert (moved.json()["street"], moved.json()["street_uk"]) == (
        "Zelena St 66",
        "вул. Зелена, 66",
    )
    for field, value in (
        ("street_uk", "vul. Zelena 64"),  # Latin where Cyrillic belongs
        ("city_uk", "Lviv"),
        ("oblast_uk", "123"),
        ("postal_code", "7901"),  # a Ukrainian postcode has five digits
        ("postal_code", "790170"),
        ("street", "x" * 201),
    ):
        refused = client.patch(url, json={field: value})
        assert refused.status_code == 422, (field, value)
        assert refused.json()["detail"][0]["loc"][-1] == field
    assert client.get(url).json()["street"] == "Zelena St 66"
