"""The donor report: every item a donor gave with its recipient, convoy, handover and signer;
shared with the donor as a read-only link that can be revoked."""

import csv
import io
from datetime import UTC, datetime

from fastapi.testclient import TestClient
from pypdf import PdfReader

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
