"""One "today": each rule reads the calendar of the place it means, never the server's.

Late in the evening the places part ways: at 22:30 UTC in January it is 23:30 in Berlin and
already 00:30 the next day in Kyiv; at 23:30 UTC it is the next day in Berlin too, but not yet
in UTC. Each test sets the clock (``clock``) to such a moment and goes through the API.
"""

import io
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlmodel import Session

from tests import factories
from tests.convoys import builders as b
from tests.convoys.builders import H
from tests.factories import API
from tests.items.helpers import allocated_vehicle, insert_certificate

Clock = Callable[[datetime], None]

# Wednesday 14 January 2026: 23:30 in Berlin, 00:30 on the 15th in Kyiv.
KYIV_ALREADY_TOMORROW = datetime(2026, 1, 14, 22, 30, tzinfo=UTC)
# An hour later: 00:30 on the 15th in Berlin as well, still the 14th in UTC.
BERLIN_TOO = datetime(2026, 1, 14, 23, 30, tzinfo=UTC)
THE_14TH, THE_15TH, THE_16TH = date(2026, 1, 14), date(2026, 1, 15), date(2026, 1, 16)


def _text(pdf: bytes) -> str:
    return " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())


def test_a_need_sent_today_in_ukraine_is_not_in_the_future(
    client: TestClient, clock: Clock
) -> None:
    clock(KYIV_ALREADY_TOMORROW)
    destination = factories.destination(client)
    need = factories.need(client, destination["id"])
    assert need["requested_on"] == THE_15TH.isoformat()
    assert factories.need(client, destination["id"], requested_on=THE_15TH.isoformat())
    later = b.post(
        client,
        "/needs",
        {
            "destination_id": destination["id"],
            "item_kind": "pump",
            "description": "Submersible pump",
            "quantity": 1,
            "requested_on": THE_16TH.isoformat(),
        },
    )
    assert b.error_fields(later) == ["requested_on"]


def test_a_certificate_signed_today_in_kyiv_is_not_in_the_future(
    client: TestClient, clock: Clock
) -> None:
    clock(KYIV_ALREADY_TOMORROW)
    item, destination = allocated_vehicle(client)
    signed = factories.certificate(
        client, destination["id"], [item["id"]], issued_on=THE_15TH.isoformat()
    )
    assert signed["issued_on"] == THE_15TH.isoformat()
    ahead = client.post(
        f"{API}/certificates",
        json={
            "number": "VN-2026-AHEAD",
            "destination_id": destination["id"],
            "intended_use": "Drinking-water supply",
            "issued_on": THE_16TH.isoformat(),
            "issuer": "Lvivvodokanal",
            "item_ids": [item["id"]],
        },
    )
    assert b.error_fields(ahead) == ["issued_on"]


def test_next_years_model_counts_from_the_year_begun_in_kyiv(
    client: TestClient, clock: Clock
) -> None:
    donor = factories.donor(client)
    # 23:00 on New Year's Eve in Kyiv: 2027's models are next year's, 2028's are not yet.
    clock(datetime(2026, 12, 31, 21, 0, tzinfo=UTC))
    early = client.post(f"{API}/items", json=factories.vehicle_body(donor["id"], year=2028))
    assert b.error_fields(early) == ["year"]
    # Half past midnight in Kyiv, still 2026 in Berlin and UTC: 2028 is next year's model.
    clock(datetime(2026, 12, 31, 22, 30, tzinfo=UTC))
    assert factories.vehicle(client, donor["id"], year=2028)["year"] == 2028
    late = client.post(f"{API}/items", json=factories.vehicle_body(donor["id"], year=2029))
    assert b.error_fields(late) == ["year"]


def test_certifying_counts_the_day_at_the_german_export_office(
    client: TestClient, session: Session, clock: Clock
) -> None:
    item, destination = allocated_vehicle(client)
    issued = date(2026, 1, 2)
    insert_certificate(
        session, destination["id"], [item["id"]], issued_on=issued, valid_until_on=THE_14TH
    )
    # Past midnight in Berlin: the certificate ran out yesterday.
    clock(BERLIN_TOO)
    refused = b.post(client, f"/items/{item['id']}/certify")
    assert refused.status_code == 409, refused.text
    # Already the 15th in Kyiv, still its last day in Berlin: it covers the item.
    clock(KYIV_ALREADY_TOMORROW)
    certified = b.post(client, f"/items/{item['id']}/certify")
    assert certified.status_code == 200, certified.text
    assert certified.json()["status"] == "certified"


def test_a_driver_turns_eighteen_and_a_licence_runs_out_on_germanys_calendar(
    client: TestClient, clock: Clock
) -> None:
    body: dict[str, Any] = {
        "name": "Volunteer who turns eighteen",
        "date_of_birth": date(2008, 1, 15).isoformat(),
        "phone": "+49 202 555 1801",
    }
    clock(KYIV_ALREADY_TOMORROW)  # his birthday in Kyiv, not yet in Germany
    assert b.error_fields(client.post(f"{API}/drivers", json=body)) == ["date_of_birth"]
    clock(BERLIN_TOO)
    assert factories.created(client, "/drivers", body)["date_of_birth"] == "2008-01-15"

    expiring = b.driver(client, free=None, licences={"D": THE_14TH}, name="Licence ends today")

    def found() -> list[int]:
        params = {"licence_class": "D", "q": "Licence ends today"}
        listed = client.get(f"{API}/drivers", params=params)
        assert listed.status_code == 200, listed.text
        return [d["id"] for d in listed.json()["items"]]

    clock(KYIV_ALREADY_TOMORROW)  # the 14th in Germany: its last valid day
    assert found() == [expiring["id"]]
    clock(BERLIN_TOO)  # the 14th in UTC, the 15th in Germany: expired
    assert found() == []


def _kyiv_half_past_midnight_after(day: date) -> datetime:
    """00:30 in Kyiv on the day after ``day``: 23:30 on ``day`` in Berlin, summer or winter."""
    return datetime.combine(day + timedelta(days=1), time(0, 30), tzinfo=ZoneInfo("Europe/Kyiv"))


def _handover(client: TestClient, planned: b.Planned, on: date) -> Any:
    body = {
        "item_id": planned.vehicles[0]["id"],
        "receiver_name": "Ivan Petrenko",
        "receiver_role": "Deputy technical director",
        "handed_over_on": on.isoformat(),
        "place": "Depot",
    }
    return b.post(client, f"/convoys/{planned.id}/handovers", body)


def test_a_handover_is_dated_on_the_calendar_where_the_trip_ends(
    client: TestClient, clock: Clock
) -> None:
    start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - 48 * H
    to_lviv = b.planned_convoy(client, start=start, plan=b.FIRST_CONVOY)
    to_berlin = b.planned_convoy(client, start=start, plan=b.ONE_LEG)
    for planned in (to_lviv, to_berlin):
        assert b.post(client, f"/convoys/{planned.id}/depart").status_code == 200
    day = datetime.now(UTC).date()
    clock(_kyiv_half_past_midnight_after(day))
    tomorrow = day + timedelta(days=1)

    # In Lviv it is already tomorrow; in Berlin it is not.
    assert b.error_fields(_handover(client, to_lviv, tomorrow + timedelta(days=1))) == [
        "handed_over_on"
    ]
    assert b.error_fields(_handover(client, to_berlin, tomorrow)) == ["handed_over_on"]
    assert _handover(client, to_berlin, day).status_code == 201
    assert _handover(client, to_lviv, tomorrow).status_code == 201


def test_a_paper_is_dated_where_the_convoy_sets_off(client: TestClient, clock: Clock) -> None:
    from_berlin = b.planned_convoy(client)
    from_kyiv = b.planned_convoy(client, meeting_time_zone="Europe/Kyiv")
    day = datetime.now(UTC).date()
    clock(_kyiv_half_past_midnight_after(day))
    for planned, dated in ((from_berlin, day), (from_kyiv, day + timedelta(days=1))):
        bus = planned.vehicles[0]
        issued = client.post(
            f"{API}/convoys/{planned.id}/documents", json={"kind": "cmr", "vehicle_id": bus["id"]}
        )
        assert issued.status_code == 201, issued.text
        paper = client.get(f"{API}/issued-documents/{issued.json()['id']}/file")
        assert f"ausgegeben / видано {dated:%d.%m.%Y}" in _text(paper.content)


def test_the_donor_report_is_as_of_today_in_kyiv(client: TestClient, clock: Clock) -> None:
    donor = factories.donor(client)
    factories.vehicle(client, donor["id"])
    clock(KYIV_ALREADY_TOMORROW)
    report = client.get(f"{API}/donors/{donor['id']}/report", params={"format": "pdf"})
    assert report.status_code == 200, report.text
    text = _text(report.content)
    assert f"{THE_15TH:%d.%m.%Y}" in text
    assert f"{THE_14TH:%d.%m.%Y}" not in text
