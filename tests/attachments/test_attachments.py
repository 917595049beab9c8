"""Files attached to records: the type read from the content, a size limit with a clear 413,
the bytes kept with their SHA-256, listed in the record's history, and only for those who may
see the record."""

import hashlib
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.attachments import service as attachments
from app.auth.roles import Role
from app.core.config import get_settings
from tests import factories, files
from tests.convoys import builders as b
from tests.factories import API
from tests.files import JPEG, PDF, PNG

# Fakes that start like the real thing: the parsers see through them.
FAKE_PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _attach(client: TestClient, item_id: int, name: str, content: bytes, media: str) -> Any:
    return client.post(
        f"{API}/attachments",
        data={"entity": "item", "entity_id": str(item_id), "kind": "registration_papers"},
        files={"file": (name, content, media)},
    )


def _listed(client: TestClient, item_id: int) -> list[dict[str, Any]]:
    response = client.get(f"{API}/attachments", params={"entity": "item", "entity_id": item_id})
    assert response.status_code == 200, response.text
    listed: list[dict[str, Any]] = response.json()
    return listed


def test_a_file_is_kept_as_it_came_and_shows_in_the_items_history(client: TestClient) -> None:
    bus = factories.vehicle(client, factories.donor(client)["id"])
    for name, content, media in (
        ("Zulassung.pdf", PDF, "application/pdf"),
        ("photo.jpg", JPEG, "image/jpeg"),
        ("scan.png", PNG, "image/png"),
    ):
        created = _attach(client, bus["id"], name, content, media)
        assert created.status_code == 201, created.text
        body = created.json()
        assert body["media_type"] == media
        assert body["sha256"] == hashlib.sha256(content).hexdigest()
        kept = client.get(f"{API}/attachments/{body['id']}/file")
        assert kept.content == content and kept.headers["content-type"] == media
    assert [a["filename"] for a in _listed(client, bus["id"])] == [
        "Zulassung.pdf",
        "photo.jpg",
        "scan.png",
    ]
    history = client.get(f"{API}/items/{bus['id']}/history").json()["items"]
    attached = [e for e in history if e["entity"] == "attachment"]
    assert len(attached) == 3
    # The trail names each file and its hash; the bytes stay out of it.
    assert {e["changes"]["filename"]["after"] for e in attached} == {
        "Zulassung.pdf",
        "photo.jpg",
        "scan.png",
    }
    assert all(e["changes"]["content"]["after"] == "***" for e in attached)


@pytest.mark.parametrize(
    ("name", "content", "media"),
    [
        ("papers.pdf", FAKE_PNG, "application/pdf"),  # a PNG with a PDF's name and type
        ("notes.pdf", b"just some text, not a PDF", "application/pdf"),
        ("macro.pdf", b"PK\x03\x04 a zip in disguise", "application/octet-stream"),
    ],
)
def test_a_file_whose_content_is_not_what_it_claims_is_refused(
    client: TestClient, name: str, content: bytes, media: str
) -> None:
    bus = factories.vehicle(client, factories.donor(client)["id"])
    refused = _attach(client, bus["id"], name, content, media)
    assert refused.status_code == 422, refused.text
    assert refused.json()["detail"][0]["loc"][-1] == "file"
    assert _listed(client, bus["id"]) == []


def test_a_file_over_the_limit_is_refused_with_413(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    bus = factories.vehicle(client, factories.donor(client)["id"])
    monkeypatch.setattr(get_settings(), "max_attachment_bytes", 2_000)
    refused = _attach(client, bus["id"], "big.pdf", PDF + b"0" * 3_000, "application/pdf")
    assert refused.status_code == 413
    assert "at most 2000" in refused.json()["detail"]
    # Far over it, the request is cut off before the app reads it.
    huge = _attach(client, bus["id"], "huge.pdf", PDF + b"0" * 200_000, "application/pdf")
    assert huge.status_code == 413
    assert _listed(client, bus["id"]) == []


def test_only_those_who_may_see_the_record_see_its_files(client: TestClient, as_role: Any) -> None:
    planned = b.planned_convoy(client, vehicles=2)
    mine, theirs = planned.vehicles
    created = _attach(client, theirs["id"], "papers.pdf", PDF, "application/pdf").json()
    driver = as_role(Role.driver, driver_id=planned.drivers[0]["id"])  # drives the first bus
    assert driver.get(f"{API}/attachments/{created['id']}/file").status_code == 404
    listed = driver.get(f"{API}/attachments", params={"entity": "item", "entity_id": theirs["id"]})
    assert listed.status_code == 404
    own = _attach(client, mine["id"], "own.pdf", PDF, "application/pdf").json()
    assert driver.get(f"{API}/attachments/{own['id']}/file").content == PDF
    recipient = as_role(Role.recipient, destination_id=planned.destination["id"])
    signed = recipient.post(
        f"{API}/attachments",
        data={"entity": "item", "entity_id": str(mine["id"]), "kind": "signed_handover_act"},
        files={"file": ("akt.jpg", JPEG, "image/jpeg")},
    )
    assert signed.status_code == 201, signed.text
    stranger = as_role(Role.recipient, destination_id=factories.destination(client)["id"])
    assert stranger.get(f"{API}/attachments/{own['id']}/file").status_code == 404


@pytest.mark.parametrize(
    ("name", "content", "media", "reason"),
    [
        (
            "akt.pdf",
            b"%PDF-1.7\n" + b"\x00garbage" * 40,
            "application/pdf",
            "does not open as a PDF",
        ),
        ("half.pdf", PDF[: len(PDF) // 2], "application/pdf", "does not open as a PDF"),
        ("scan.png", FAKE_PNG, "image/png", "does not open as a PNG image"),
        ("photo.jpg", JPEG[:40], "image/jpeg", "does not open as a JPEG image"),
        ("locked.pdf", files.pdf(password="secret"), "application/pdf", "protected by a password"),
        ("empty.pdf", files.pdf(pages=0), "application/pdf", "has no pages"),
    ],
)
def test_a_file_that_only_starts_like_a_pdf_or_an_image_is_refused_naming_it(
    client: TestClient, name: str, content: bytes, media: str, reason: str
) -> None:
    bus = factories.vehicle(client, factories.donor(client)["id"])
    refused = _attach(client, bus["id"], name, content, media)
    assert refused.status_code == 422, refused.text
    (problem,) = refused.json()["detail"]
    assert problem["loc"] == ["body", "file"]
    assert problem["msg"].startswith(f"{name} is refused: ") and reason in problem["msg"]
    assert _listed(client, bus["id"]) == []
    assert [
        e
        for e in client.get(f"{API}/items/{bus['id']}/history").json()["items"]
        if e["entity"] == "attachment"
    ] == []


def test_a_file_the_caller_may_not_see_is_an_attachment_that_does_not_exist(
    client: TestClient, as_role: Any
) -> None:
    planned = b.planned_convoy(client, vehicles=2)
    theirs = planned.vehicles[1]  # the driver drives the first
    hidden = _attach(client, theirs["id"], "papers.pdf", PDF, "application/pdf").json()
    driver = as_role(Role.driver, driver_id=planned.drivers[0]["id"])
    for asked in (hidden["id"], hidden["id"] + 1000):  # hidden, and not there at all
        refused = driver.get(f"{API}/attachments/{asked}/file")
        assert refused.status_code == 404
        assert refused.json()["detail"] == f"Attachment {asked} does not exist"
    # The record's own list answers as the record does.
    listed = driver.get(f"{API}/attachments", params={"entity": "item", "entity_id": theirs["id"]})
    assert listed.json()["detail"] == f"Item {theirs['id']} does not exist"


def test_recipients_get_no_files_of_the_export_records_hidden_from_them(
    client: TestClient, as_role: Any
) -> None:
    planned = b.planned_convoy(client, vehicles=1)
    (bus,) = planned.vehicles
    record = b.get(client, f"/items/{bus['id']}/export-record")
    exit_note = client.post(
        f"{API}/attachments",
        data={
            "entity": "export_record",
            "entity_id": str(record["id"]),
            "kind": "exit_confirmation",
        },
        files={"file": ("Ausgangsvermerk.pdf", PDF, "application/pdf")},
    ).json()
    recipient = as_role(Role.recipient, destination_id=planned.destination["id"])
    # The item is theirs; its export record is not (the policy table keeps it from them).
    assert recipient.get(f"{API}/items/{bus['id']}").status_code == 200
    assert recipient.get(f"{API}/export-records/{record['id']}").status_code == 403
    download = recipient.get(f"{API}/attachments/{exit_note['id']}/file")
    assert download.status_code == 404
    assert download.json()["detail"] == f"Attachment {exit_note['id']} does not exist"
    listed = recipient.get(
        f"{API}/attachments", params={"entity": "export_record", "entity_id": record["id"]}
    )
    assert listed.status_code == 404
    assert listed.json()["detail"] == f"Export record {record['id']} does not exist"
    uploaded = recipient.post(
        f"{API}/attachments",
        data={"entity": "export_record", "entity_id": str(record["id"]), "kind": "other"},
        files={"file": ("note.pdf", PDF, "application/pdf")},
    )
    assert uploaded.status_code == 404
    assert [a["id"] for a in _listed_for(client, "export_record", record["id"])] == [
        exit_note["id"]
    ]
    # The driver of the vehicle carries its papers, the exit confirmation among them.
    driver = as_role(Role.driver, driver_id=planned.drivers[0]["id"])
    assert driver.get(f"{API}/attachments/{exit_note['id']}/file").content == PDF


def _listed_for(client: TestClient, entity: str, entity_id: int) -> list[dict[str, Any]]:
    response = client.get(f"{API}/attachments", params={"entity": entity, "entity_id": entity_id})
    assert response.status_code == 200, response.text
    listed: list[dict[str, Any]] = response.json()
    return listed


def test_an_image_of_too_many_pixels_is_refused_before_it_is_decoded(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    bus = factories.vehicle(client, factories.donor(client)["id"])
    monkeypatch.setattr(attachments, "MAX_IMAGE_PIXELS", 63)  # the test picture has 64
    refused = _attach(client, bus["id"], "scan.png", PNG, "image/png")
    assert refused.status_code == 422, refused.text
    assert refused.json()["detail"][0]["msg"] == (
        "scan.png is refused: it has 64 pixels; at most 63 are accepted"
    )
    assert _listed(client, bus["id"]) == []
