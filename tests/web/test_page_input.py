"""A page's form or link holding what no column can hold (NUL, an id beyond the column) gets
the page's refusal naming the field, never a server error, and saves nothing."""

from fastapi.testclient import TestClient

from app.auth.roles import Role
from app.core.types import MAX_STORED_INT
from tests.web.conftest import PageClients, csrf_token, soup

BEYOND = MAX_STORED_INT + 1


def test_a_page_form_with_nul_names_the_field_and_saves_nothing(
    client: TestClient, page_as: PageClients
) -> None:
    page = page_as(Role.coordinator)
    token = csrf_token(page.get("/donors/new").text)
    fields = {"csrf_token": token, "kind": "utility", "country": "DE"}
    answer = page.post("/donors/new", data={**fields, "name": "Stadtwerke\x00Hagen"})
    assert answer.status_code == 422
    assert soup(answer.text).select("#name-error")
    assert client.get("/api/v1/donors", params={"q": "Hagen"}).json()["items"] == []


def test_page_links_beyond_the_column_answer_a_page(page_as: PageClients) -> None:
    page = page_as(Role.coordinator)
    for link in (f"/items?donor_id={BEYOND}", f"/items/{BEYOND}", "/donors?q=%00"):
        answer = page.get(link)
        assert answer.status_code == 422, link
        assert answer.headers["content-type"].startswith("text/html")
        assert soup(answer.text).select("[role=alert]")
