"""Attaching a file from a record's page: the same checks as the API, the file listed after."""

from fastapi.testclient import TestClient

from app.auth.roles import Role
from tests import factories
from tests.convoys import builders as b
from tests.files import PDF
from tests.web.conftest import PageClients, csrf_token, soup


def test_a_clerk_attaches_the_registration_papers_on_the_item_page(
    client: TestClient, page_as: PageClients
) -> None:
    bus = factories.vehicle(client, factories.donor(client)["id"])
    clerk = page_as(Role.clerk)
    page = clerk.get(f"/items/{bus['id']}")
    form = soup(page.text).select_one('form[action="/attachments"]')
    assert form is not None and form["enctype"] == "multipart/form-data"
    fields = {
        "csrf_token": csrf_token(page.text),
        "entity": "item",
        "entity_id": str(bus["id"]),
        "kind": "registration_papers",
    }
    refused = clerk.post(
        "/attachments", data=fields, files={"file": ("papers.pdf", b"not a pdf", "application/pdf")}
    )
    assert refused.status_code == 422
    assert "PDF, JPEG or PNG" in soup(refused.text).get_text()
    only_starts = clerk.post(
        "/attachments",
        data=fields,
        files={"file": ("akt.pdf", b"%PDF-1.4\n" + b"garbage" * 20, "application/pdf")},
    )
    assert only_starts.status_code == 422
    assert "akt.pdf is refused: it does not open as a PDF" in soup(only_starts.text).get_text()
    saved = clerk.post(
        "/attachments", data=fields, files={"file": ("Zulassung.pdf", PDF, "application/pdf")}
    )
    assert saved.status_code == 303
    assert saved.headers["location"] == f"/items/{bus['id']}#attachments-heading"
    shown = soup(clerk.get(f"/items/{bus['id']}").text)
    (link,) = shown.select("#attachments-heading ~ ul a")
    assert link.get_text() == "Zulassung.pdf"
    assert clerk.get(str(link["href"])).content == PDF


def test_a_recipient_page_does_not_download_an_export_records_file(
    client: TestClient, page_as: PageClients
) -> None:
    planned = b.planned_convoy(client, vehicles=1)
    (bus,) = planned.vehicles
    record = b.get(client, f"/items/{bus['id']}/export-record")
    exit_note = client.post(
        "/api/v1/attachments",
        data={
            "entity": "export_record",
            "entity_id": str(record["id"]),
            "kind": "exit_confirmation",
        },
        files={"file": ("Ausgangsvermerk.pdf", PDF, "application/pdf")},
    ).json()
    recipient = page_as(Role.recipient, destination_id=planned.destination["id"])
    refused = recipient.get(f"/attachments/{exit_note['id']}/file")
    assert refused.status_code == 404
    assert f"Attachment {exit_note['id']} does not exist" in soup(refused.text).get_text()
    assert b"%PDF" not in refused.content
