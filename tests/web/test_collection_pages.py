"""The collection point's pages as a browser sends them: the volunteer's phone form (a second
send of the same form records nothing), its refusals beside the fields, the hall's chart, and
a pallet's label."""

from fastapi.testclient import TestClient

from app.auth.roles import Role
from tests import factories
from tests.factories import API
from tests.web.conftest import PageClients, csrf_token, soup


def test_the_phone_form_records_a_line_once(client: TestClient, page_as: PageClients) -> None:
    point = factories.collection_point(client)
    place = factories.storage_place(client, point["id"])
    phone = page_as(Role.volunteer, collection_point_id=point["id"])
    start = phone.get("/")
    assert start.headers["location"] == "/collection"
    assert phone.get("/collection").headers["location"] == f"/collection/{point['id']}/intake"
    page = phone.get(f"/collection/{point['id']}/intake")
    assert page.status_code == 200
    form = soup(page.text).select_one("form.intake")
    assert form is not None
    key = form.select_one("input[name=client_key]")
    assert key is not None
    sent = {
        "csrf_token": csrf_token(page.text),
        "client_key": str(key["value"]),
        "goods": "clothing:jackets",
        "size": "L",
        "season": "winter",
        "quantity": "12",
        "place_id": str(place["id"]),
        "priority": "urgent",
    }
    first = phone.post(f"/collection/{point['id']}/intake", data=sent)
    again = phone.post(f"/collection/{point['id']}/intake", data=sent)
    assert first.status_code == again.status_code == 303
    assert first.headers["location"] == again.headers["location"]
    assert "goods=clothing:jackets" in first.headers["location"]
    lines = client.get(f"{API}/stock", params={"collection_point_id": point["id"]}).json()
    assert [(line["quantity"], line["priority"]) for line in lines["items"]] == [(12, "urgent")]

    refused = phone.post(
        f"/collection/{point['id']}/intake",
        data={**sent, "client_key": "another", "goods": "food:canned"},
    )
    assert refused.status_code == 422
    assert "best-before" in soup(refused.text).select_one(".problems").get_text()  # type: ignore[union-attr]


def test_the_hall_page_draws_stock_against_needs(client: TestClient, page_as: PageClients) -> None:
    point = factories.collection_point(client)
    place = factories.storage_place(client, point["id"])
    factories.intake(client, point["id"], place["id"], quantity=5)
    clinic = factories.destination(client, kind="clinic")
    factories.goods_need(client, clinic["id"], quantity=30, priority=1)
    desk = page_as(Role.coordinator)
    page = desk.get(f"/collection/{point['id']}")
    assert page.status_code == 200
    html = soup(page.text)
    assert html.select_one("svg[role=img] desc") is not None
    urgent = html.select("h2 ~ table")[0].get_text()
    assert "Winter jackets for the patients" in urgent
    other = factories.collection_point(client)
    volunteer = page_as(Role.volunteer, collection_point_id=other["id"])
    assert volunteer.get(f"/collection/{point['id']}").status_code == 404


def test_a_pallet_label_is_a_pdf(client: TestClient, page_as: PageClients) -> None:
    point = factories.collection_point(client)
    pallet = factories.created(client, "/pallets", {"collection_point_id": point["id"]})
    desk = page_as(Role.coordinator)
    label = desk.get(f"/collection/pallets/{pallet['id']}/label.pdf")
    assert label.status_code == 200
    assert label.headers["content-type"] == "application/pdf"
    assert label.content.startswith(b"%PDF-")
    assert desk.get(f"/collection/pallets/{pallet['id']}/nonsense.pdf").status_code == 404
