"""The hall's set-up and stock keeping as a browser sends them: forms posted, pages parsed, the
effect read back through the API. A refused form names the field and the reason in the
reader's language and changes nothing; a page offers only the forms its reader may use."""

from typing import Any

from fastapi.testclient import TestClient

from app.auth.roles import Role
from tests import factories
from tests.factories import API
from tests.web.conftest import PageClients, csrf_token, soup


def _hall(client: TestClient) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    point = factories.collection_point(client)
    shelf = factories.storage_place(client, point["id"], zone="A", row="1", shelf="1")
    other = factories.storage_place(client, point["id"], zone="B", row="2", shelf="1")
    return point, shelf, other


def _line(client: TestClient, line_id: int) -> dict[str, Any]:
    response = client.get(f"{API}/stock/{line_id}")
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


def _movements(client: TestClient, line_id: int) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = client.get(
        f"{API}/stock-movements", params={"stock_line_id": line_id}
    ).json()["items"]
    return found


def test_a_coordinator_sets_up_a_hall_in_ukrainian(
    client: TestClient, page_as: PageClients
) -> None:
    desk = page_as(Role.coordinator, "uk")
    halls = soup(desk.get("/collection").text)
    assert halls.select_one("a[href='/collection/new']") is not None
    form = desk.get("/collection/new")
    token = csrf_token(form.text)
    sent = {
        "csrf_token": token,
        "name": "Склад «Тепло», зал 2",
        "street": "вул. Городоцька 15",
        "postal_code": "79000",
        "city": "Львів",
        "opening_hours": "Пн–Пт 10–18",
        "pallet_prefix": "lv",  # refused: capital letters and digits only
    }
    before = client.get(f"{API}/collection-points").json()["items"]
    refused = desk.post("/collection/new", data=sent)
    assert refused.status_code == 422
    problems = soup(refused.text).select_one(".problems")
    assert problems is not None and "Номери палет починаються з" in problems.get_text()
    page = soup(refused.text)
    assert page.select_one("input[name=name]")["value"] == sent["name"]  # type: ignore[index]
    assert client.get(f"{API}/collection-points").json()["items"] == before

    made = desk.post("/collection/new", data={**sent, "pallet_prefix": "LV"})
    assert made.status_code == 303
    point_id = int(made.headers["location"].split("/")[2])
    point = client.get(f"{API}/collection-points/{point_id}").json()
    assert (point["name"], point["city"], point["opening_hours"]) == (
        sent["name"],
        "Львів",
        "Пн–Пт 10–18",
    )

    setup = desk.get(f"/collection/{point_id}/setup")
    html = soup(setup.text)
    assert html.select_one("input[name=opening_hours]")["value"] == "Пн–Пт 10–18"  # type: ignore[index]
    changed = desk.post(
        f"/collection/{point_id}/setup",
        data={
            "csrf_token": csrf_token(setup.text),
            "version": str(point["version"]),
            "name": sent["name"],
            "street": "",
            "postal_code": "79000",
            "city": "Львів",
            "opening_hours": "Пн–Сб 9–17",
        },
    )
    assert changed.status_code == 303
    point = client.get(f"{API}/collection-points/{point_id}").json()
    assert (point["opening_hours"], point["street"]) == ("Пн–Сб 9–17", None)

    # A form loaded before that change is refused, and overwrites nothing.
    stale = desk.post(
        f"/collection/{point_id}/setup",
        data={"csrf_token": token, "version": "1", "opening_hours": "Нд 10–12"},
    )
    assert stale.status_code == 412
    assert client.get(f"{API}/collection-points/{point_id}").json()["opening_hours"] == (
        "Пн–Сб 9–17"
    )

    point = client.get(f"{API}/collection-points/{point_id}").json()
    unnamed = desk.post(
        f"/collection/{point_id}/setup",
        data={"csrf_token": token, "version": str(point["version"]), "name": "", "city": "Київ"},
    )
    assert unnamed.status_code == 422
    assert "Назва" in soup(unnamed.text).select_one(".problems").get_text()  # type: ignore[union-attr]
    assert client.get(f"{API}/collection-points/{point_id}").json() == point

    place = {"csrf_token": token, "zone": "Зона Б", "row": "3", "shelf": "2"}
    assert desk.post(f"/collection/{point_id}/places", data=place).status_code == 303
    again = desk.post(f"/collection/{point_id}/places", data=place)
    assert again.status_code == 409
    assert "Зона" in soup(again.text).select_one(".problems").get_text()  # type: ignore[union-attr]
    places = client.get(f"{API}/collection-points/{point_id}/places").json()
    assert [p["label"] for p in places] == ["Зона Б-3-2"]
    listed = soup(desk.get(f"/collection/{point_id}/setup").text).select("ul.places a")
    assert [a.get_text() for a in listed] == ["Зона Б-3-2"]


def test_a_volunteer_moves_goods_and_sees_only_the_move(
    client: TestClient, page_as: PageClients
) -> None:
    point, shelf, other = _hall(client)
    line = factories.intake(client, point["id"], shelf["id"], quantity=40)
    phone = page_as(Role.volunteer, collection_point_id=point["id"])
    stock = soup(phone.get(f"/collection/{point['id']}/stock").text)
    assert stock.select_one(f"a[href='/collection/stock/{line['id']}']") is not None
    page = phone.get(f"/collection/stock/{line['id']}")
    html = soup(page.text)
    assert html.select_one(f"form[action='/collection/stock/{line['id']}/move']") is not None
    for other_form in ("write-off", "count"):
        assert html.select_one(f"form[action$='/{other_form}']") is None
    token = csrf_token(page.text)
    moved = phone.post(
        f"/collection/stock/{line['id']}/move",
        data={"csrf_token": token, "to_place_id": str(other["id"]), "quantity": "15"},
    )
    assert moved.status_code == 303
    lines = client.get(f"{API}/stock", params={"collection_point_id": point["id"]}).json()
    assert sorted((li["place_id"], li["quantity"]) for li in lines["items"]) == sorted(
        [(shelf["id"], 25), (other["id"], 15)]
    )
    # What the volunteer may not do is refused, and changes nothing.
    refused = phone.post(
        f"/collection/stock/{line['id']}/write-off",
        data={"csrf_token": token, "quantity": "5", "reason": "зіпсовано"},
    )
    assert refused.status_code == 403
    assert _line(client, line["id"])["quantity"] == 25
    elsewhere = page_as(
        Role.volunteer, collection_point_id=factories.collection_point(client)["id"]
    )
    assert elsewhere.get(f"/collection/stock/{line['id']}").status_code == 404


def test_stock_never_goes_below_zero_on_the_page(client: TestClient, page_as: PageClients) -> None:
    point, shelf, other = _hall(client)
    line = factories.intake(client, point["id"], shelf["id"], quantity=12)
    for language, said in (
        ("uk", "Кількість: лише 12 з 12"),
        ("de", "Anzahl: nur 12 von 12"),
    ):
        desk = page_as(Role.coordinator, language)
        page = desk.get(f"/collection/stock/{line['id']}")
        refused = desk.post(
            f"/collection/stock/{line['id']}/write-off",
            data={"csrf_token": csrf_token(page.text), "quantity": "13", "reason": "Пліснява"},
        )
        assert refused.status_code == 409
        html = soup(refused.text)
        problems = html.select_one(".problems")
        assert problems is not None
        text = problems.get_text(" ", strip=True)
        assert said in text and ("нуль" in text or "null" in text), text
        assert html.select_one("details.danger-zone[open] input[name=reason]")["value"] == (  # type: ignore[index]
            "Пліснява"
        )
    assert _line(client, line["id"])["quantity"] == 12
    assert [m["kind"] for m in _movements(client, line["id"])] == ["intake"]

    desk = page_as(Role.coordinator, "uk")
    token = csrf_token(desk.get(f"/collection/stock/{line['id']}").text)
    written = desk.post(
        f"/collection/stock/{line['id']}/write-off",
        data={"csrf_token": token, "quantity": "2", "reason": "Пліснява після затоплення"},
    )
    assert written.status_code == 303
    assert _line(client, line["id"])["quantity"] == 10
    history = soup(desk.get(f"/collection/stock/{line['id']}").text).select_one("#history ~ table")
    assert history is not None and "Пліснява після затоплення" in history.get_text()
    too_far = desk.post(
        f"/collection/stock/{line['id']}/move",
        data={"csrf_token": token, "to_place_id": str(other["id"]), "quantity": "11"},
    )
    assert too_far.status_code == 409
    assert _line(client, line["id"])["place_id"] == shelf["id"]


def test_stocktaking_records_the_count_and_the_difference(
    client: TestClient, page_as: PageClients
) -> None:
    point, shelf, _other = _hall(client)
    line = factories.intake(client, point["id"], shelf["id"], quantity=40)
    clinic = factories.destination(client, kind="clinic")
    need = factories.goods_need(client, clinic["id"], quantity=30)
    reservation = factories.created(
        client,
        "/reservations",
        {"need_id": need["id"], "stock_line_id": line["id"], "quantity": 30},
    )
    desk = page_as(Role.coordinator, "uk")
    page = desk.get(f"/collection/stock/{line['id']}")
    token = csrf_token(page.text)
    # Fewer than are promised cannot be counted while the promise stands.
    refused = desk.post(
        f"/collection/stock/{line['id']}/count",
        data={"csrf_token": token, "counted": "20", "note": "полиця А"},
    )
    assert refused.status_code == 409
    problems = soup(refused.text).select_one(".problems")
    assert problems is not None and "Пораховано на полиці" in problems.get_text()
    assert _line(client, line["id"])["quantity"] == 40

    released = desk.post(
        f"/collection/reservations/{reservation['id']}/release", data={"csrf_token": token}
    )
    assert released.status_code == 303
    assert _line(client, line["id"])["reserved"] == 0
    gone = client.get(f"{API}/reservations", params={"need_id": need["id"]}).json()
    assert gone == []

    counted = desk.post(
        f"/collection/stock/{line['id']}/count",
        data={"csrf_token": token, "counted": "37", "note": "перераховано вдвох"},
    )
    assert counted.status_code == 303
    assert _line(client, line["id"])["quantity"] == 37
    last = _movements(client, line["id"])[-1]
    assert (last["kind"], last["counted"], last["difference"], last["reason"]) == (
        "stocktake",
        37,
        -3,
        "перераховано вдвох",
    )
    history = soup(desk.get(f"/collection/stock/{line['id']}").text).select_one("#history ~ table")
    assert history is not None and "різниця -3" in history.get_text()


INTAKE_CSV = (
    "place,category,subcategory,gender,size,season,quantity,description\n"
    "A-1-1,clothing,jackets,men,L,winter,12,Куртки зимові\n"
    "A-1-1,clothing,sweaters,women,M,winter,8,\n"
)


def test_an_intake_list_is_checked_row_by_row_then_imported(
    client: TestClient, page_as: PageClients
) -> None:
    point, _shelf, _other = _hall(client)
    phone = page_as(Role.volunteer, "uk", collection_point_id=point["id"])
    page = phone.get(f"/collection/{point['id']}/import")
    assert page.status_code == 200
    html = soup(page.text)
    assert html.select_one(f"a[href='/collection/{point['id']}/import/template.xlsx']")
    template = phone.get(f"/collection/{point['id']}/import/template.csv")
    assert template.status_code == 200 and template.text.lstrip("\ufeff").startswith(
        "place,category"
    )
    token = csrf_token(page.text)

    def send(body: str, step: str) -> Any:
        return phone.post(
            f"/collection/{point['id']}/import",
            data={"csrf_token": token, "step": step},
            files={"file": ("intake.csv", body.encode(), "text/csv")},
        )

    bad = INTAKE_CSV + "Z-9-9,clothing,jackets,men,L,winter,-4,\n"
    refused = send(bad, "import")
    assert refused.status_code == 422
    report = soup(refused.text)
    refusals = [
        [td.get_text() for td in tr.select("td")] for tr in report.select("table.refusals tbody tr")
    ]
    assert ["4", "place"] in [r[:2] for r in refusals]
    assert ["4", "quantity"] in [r[:2] for r in refusals]
    rows = [[td.get_text() for td in tr.select("td")] for tr in report.select("table.rows tr")[1:]]
    # The good rows are in order, but nothing is recorded while one row is refused.
    assert [(r[0], r[1], r[-1]) for r in rows] == [
        ("2", "Одяг: Куртки", "без помилок"),
        ("3", "Одяг: Светри", "без помилок"),
        ("4", "Одяг: Куртки", "відхилено"),
    ]
    listed = client.get(f"{API}/stock", params={"collection_point_id": point["id"]}).json()
    assert listed["items"] == []  # nothing of a refused sheet is recorded

    checked = send(INTAKE_CSV, "check")
    assert checked.status_code == 200
    outcomes = [
        tr.select("td")[-1].get_text() for tr in soup(checked.text).select("table.rows tr")[1:]
    ]
    assert outcomes == ["новий рядок", "новий рядок"]
    assert (
        client.get(f"{API}/stock", params={"collection_point_id": point["id"]}).json()["items"]
        == []
    )
    imported = send(INTAKE_CSV, "import")
    assert imported.status_code == 200
    lines = client.get(f"{API}/stock", params={"collection_point_id": point["id"]}).json()
    assert sorted((li["subcategory"], li["quantity"]) for li in lines["items"]) == [
        ("jackets", 12),
        ("sweaters", 8),
    ]
    assert "Куртки зимові" in {li["description"] for li in lines["items"]}
    again = soup(send(INTAKE_CSV, "check").text)
    outcomes = [tr.select("td")[-1].get_text() for tr in again.select("table.rows tr")[1:]]
    assert outcomes == ["записано раніше", "записано раніше"]
