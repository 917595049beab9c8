"""The donor report: every item a donor gave with its recipient, convoy, handover and signer;
shared with the donor as a read-only link that can be revoked."""

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader

from app.core.config import get_settings
from tests import factories
from tests.convoys import builders as b
from tests.factories import API

RECEIVER = "Володимир Білинський"


def test_the_report_follows_each_gift_to_its_signer_and_the_link_can_be_revoked(
    client: TestClient, anonymous: TestClient
) -> None:
    start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - 2 * b.H
    planned = b.planned_convoy(client, start=start, vehicles=2)
    assert b.post(client, f"/convoys/{planned.id}/depart").status_code == 200
    handed, waiting = planned.vehicles
    body = {
        "item_id": handed["id"],
        "receiver_name": RECEIVER,
        "receiver_role": "Заступник директора",
        "handed_over_on": datetime.now(UTC).date().isoformat(),
        "place": "Львів",
    }
    assert b.post(client, f"/convoys/{planned.id}/handovers", body).status_code == 201
    donor_id = handed["donor_id"]
    unrelated = factories.vehicle(client, factories.donor(client)["id"])

    pdf = client.get(f"{API}/donors/{donor_id}/report", params={"format": "pdf"})
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    text = " ".join(
        " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages).split()
    )
    assert handed["vin"] in text and waiting["vin"] in text
    assert unrelated["vin"] not in text
    assert RECEIVER in text and planned.convoy["number"] in text

    rows = list(
        csv.DictReader(
            io.StringIO(
                client.get(
                    f"{API}/donors/{donor_id}/report", params={"format": "csv"}
                ).content.decode("utf-8-sig")
            )
        )
    )
    by_vin = {r["VIN / Nr."]: r for r in rows}
    assert RECEIVER in by_vin[handed["vin"]]["Empfangen von / Отримав"]
    assert by_vin[waiting["vin"]]["Übergeben am / Передано"] == ""

    shared = client.post(f"{API}/donors/{donor_id}/report-links")
    assert shared.status_code == 201
    url = shared.json()["url"]
    path = url[url.index("/reports/donors/") :]
    page = anonymous.get(path)  # the donor opens it without an account
    assert page.status_code == 200
    assert RECEIVER in page.text and handed["vin"] in page.text
    assert anonymous.get(path + "x").status_code == 404  # a guessed token shows nothing
    listed = client.get(f"{API}/donors/{donor_id}/report-links").json()
    assert [link["url"] for link in listed] == [None]  # the token is not kept
    revoked = client.delete(f"{API}/donor-report-links/{shared.json()['id']}")
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    assert anonymous.get(path).status_code == 404


# --- the shared link: from the configured address, for a limited time, kept nowhere --------


def _path(url: str) -> str:
    return url[url.index("/reports/donors/") :]


def test_a_shared_link_is_built_from_the_public_address_never_the_host_header(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A Host header is whatever the sender writes: a link built from it would send the
    donor, token and all, to the sender's site."""
    monkeypatch.setattr(get_settings(), "public_url", "https://konvoi.example.org")
    donor_id = factories.donor(client)["id"]
    forged = {"Host": "attacker.example", "X-Forwarded-Host": "attacker.example"}
    shared = client.post(f"{API}/donors/{donor_id}/report-links", headers=forged)
    assert shared.status_code == 201
    assert shared.json()["url"].startswith("https://konvoi.example.org/reports/donors/")


def test_a_shared_link_expires_and_then_answers_as_an_unknown_one(
    client: TestClient, anonymous: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    donor_id = factories.donor(client)["id"]
    shared = client.post(f"{API}/donors/{donor_id}/report-links").json()
    made, until = (datetime.fromisoformat(shared[k]) for k in ("created_at", "expires_at"))
    assert until - made == timedelta(days=90)
    path = _path(shared["url"])
    unknown = anonymous.get(path[:-4] + "abcd")
    assert unknown.status_code == 404
    for variant in ("", "?format=csv", "?format=pdf"):
        assert anonymous.get(path + variant).status_code == 200, variant

    monkeypatch.setattr("app.documents.donor_report.utcnow", lambda: until)
    for variant in ("", "?format=csv", "?format=pdf"):
        expired = anonymous.get(path + variant)
        assert expired.status_code == 404, variant
        assert expired.text == unknown.text  # says nothing of a link that was
    # The office still sees the link, as expired, and the report itself.
    [listed] = client.get(f"{API}/donors/{donor_id}/report-links").json()
    assert listed["expires_at"] == shared["expires_at"] and listed["url"] is None
    assert client.get(f"{API}/donors/{donor_id}/report?format=csv").status_code == 200


def test_the_links_lifetime_is_a_setting(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(get_settings(), "report_link_days", 7)
    donor_id = factories.donor(client)["id"]
    shared = client.post(f"{API}/donors/{donor_id}/report-links").json()
    made, until = (datetime.fromisoformat(shared[k]) for k in ("created_at", "expires_at"))
    assert until - made == timedelta(days=7)


def test_the_shared_report_is_kept_by_no_browser_or_proxy(
    client: TestClient, anonymous: TestClient
) -> None:
    donor_id = factories.donor(client)["id"]
    path = _path(client.post(f"{API}/donors/{donor_id}/report-links").json()["url"])
    for variant in ("", "?format=csv", "?format=pdf", "x"):
        response = anonymous.get(path + variant)
        assert response.headers.get_list("cache-control") == ["no-store"], variant
