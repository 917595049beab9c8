"""Papers show whatever people type: Latin with diacritics, Cyrillic, Greek, emoji, Chinese,
Korean, Japanese, Arabic. A character no font has is marked "�"; a paper never fails for a
name."""

import io
from datetime import UTC, datetime
from typing import Any

from fastapi.testclient import TestClient
from pypdf import PdfReader

from tests import factories
from tests.convoys import builders as b
from tests.factories import API

UTILITY = "Водоканал Чугуїв 💧"
DONOR = "Εταιρεία Ύδρευσης Αθηνών – Łódź Żółć"
CARGO = "水泵 펌프 ポンプ مضخة 🚒"
RECEIVER = "Олена Петренко 🌻"
DRIVER = "Μαρία Łukasz 🙂"
# No font has an Egyptian hieroglyph, nor a character of private use.
UNSHOWN = "Pump " + " ".join(chr(0x13000 + n) for n in range(9)) + " \ue000"


def _delivered(client: TestClient) -> b.Planned:
    """A convoy under way whose every name mixes scripts, one bus handed over."""
    start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - 2 * b.H
    destination = factories.destination(client, name=UTILITY, name_uk=UTILITY)
    planned = b.planned_convoy(client, start=start, destination=destination, number="КОН-🚚-01")
    bus = planned.vehicles[0]
    donor = client.patch(f"{API}/donors/{bus['donor_id']}", json={"name": DONOR})
    assert donor.status_code == 200, donor.text
    factories.cargo_line(client, bus["id"], description=CARGO, marks=UNSHOWN)
    driver = planned.drivers[0]
    renamed = client.patch(f"{API}/drivers/{driver['id']}", json={"name": DRIVER})
    assert renamed.status_code == 200, renamed.text
    assert b.post(client, f"/convoys/{planned.id}/depart").status_code == 200
    handover = {
        "item_id": bus["id"],
        "receiver_name": RECEIVER,
        "receiver_role": "Інженерка 👷",
        "handed_over_on": datetime.now(UTC).date().isoformat(),
        "place": "Чугуїв",
    }
    assert b.post(client, f"/convoys/{planned.id}/handovers", handover).status_code == 201
    return planned


def _text(response: Any) -> str:
    assert response.status_code == 200, response.text
    assert response.content.startswith(b"%PDF")
    pages = PdfReader(io.BytesIO(response.content)).pages
    return " ".join(" ".join(page.extract_text() for page in pages).split())


def test_every_paper_shows_names_in_any_script_and_marks_what_no_font_has(
    client: TestClient,
) -> None:
    planned = _delivered(client)
    bus = planned.vehicles[0]
    place = {"destination_id": planned.destination["id"]}
    papers: dict[str, dict[str, Any]] = {
        "manifest": {},
        "cmr": {"vehicle_id": bus["id"]},
        "handover_act": place,
        "donation_letter": place | {"donor_id": bus["donor_id"]},
        "usage_form": place,
        "driver_papers": {"driver_id": planned.drivers[0]["id"]},
    }
    texts = {
        kind: _text(client.get(f"{API}/convoys/{planned.id}/documents/{kind}", params=params))
        for kind, params in papers.items()
    }
    texts["donor_report"] = _text(
        client.get(f"{API}/donors/{bus['donor_id']}/report", params={"format": "pdf"})
    )
    assert "Водоканал Чугуїв" in texts["manifest"]
    assert "水泵 펌프 ポンプ" in texts["manifest"]
    # Marked, each of them, and the paper is made with all the rest.
    assert "Pump " + " ".join(["\ufffd"] * 10) in texts["manifest"]
    assert "\U00013000" not in texts["manifest"]
    assert RECEIVER.removesuffix(" 🌻") in texts["handover_act"]
    assert "Εταιρεία Ύδρευσης Αθηνών" in texts["donation_letter"]
    assert "Μαρία Łukasz" in texts["driver_papers"]
    assert RECEIVER.removesuffix(" 🌻") in texts["donor_report"]
    for kind, params in papers.items():
        issued = client.post(f"{API}/convoys/{planned.id}/documents", json={"kind": kind, **params})
        assert issued.status_code == 201, (kind, issued.text)
