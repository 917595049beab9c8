"""The lifecycle actions: each moves an item on, or refuses naming every unmet condition."""

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.certificates.models import UsageCertificate
from app.exports.models import ExportRecord
from app.items.models import ItemStatus
from tests import factories
from tests.items.helpers import (
    allocated_vehicle,
    certified_vehicle,
    complete_export_fields,
    force_status,
    get_item,
    insert_certificate,
    insert_export_record,
    post,
    today,
)


def refusal(detail: str, *reasons: dict[str, Any]) -> dict[str, Any]:
    return {"detail": detail, "code": "rule_violation", "reasons": list(reasons)}


def wrong_status(verb: str, allowed: list[str], status: str, shown: str | None = None) -> Any:
    labels = [a.replace("export_ready", "export-ready") for a in allowed]
    listed = labels[0] if len(labels) == 1 else f"{', '.join(labels[:-1])} or {labels[-1]}"
    return {
        "code": "wrong_status",
        "message": f"An item can be {verb} only while it is {listed}; "
        f"this one is {shown or status}",
        "field": "status",
        "context": {"status": status, "allowed": allowed},
    }


def iso(days: int) -> str:
    return (today() + timedelta(days=days)).isoformat()


# --- accept ----------------------------------------------------------------------------------


def test_accept_moves_an_offered_item_and_records_when(client: TestClient) -> None:
    donor = factories.donor(client)
    item = factories.vehicle(client, donor["id"])
    response = post(client, f"/items/{item['id']}/accept")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "accepted"
    assert body["version"] == item["version"] + 1
    assert body["status_changed_at"] > item["status_changed_at"]


def test_accept_twice_is_refused_and_changes_nothing(client: TestClient) -> None:
    donor = factories.donor(client)
    item = factories.vehicle(client, donor["id"], name="Bus 4711")
    accepted = post(client, f"/items/{item['id']}/accept").json()
    response = post(client, f"/items/{item['id']}/accept")
    assert response.status_code == 409
    assert response.json() == refusal(
        f"Item {item['id']} (Bus 4711) cannot be accepted",
        wrong_status("accepted", ["offered"], "accepted"),
    )
    assert get_item(client, item["id"]) == accepted


def test_unknown_item_action_is_404(client: TestClient) -> None:
    response = post(client, "/items/999999/accept")
    assert response.status_code == 404
    assert response.json()["detail"] == "Item 999999 does not exist"


# --- allocate --------------------------------------------------------------------------------


def test_allocate_against_a_need_sets_destination_and_need(client: TestClient) -> None:
    donor = factories.donor(client)
    lviv = factories.destination(client)
    need = factories.need(client, lviv["id"], item_kind="bus")
    item = factories.vehicle(client, donor["id"])
    post(client, f"/items/{item['id']}/accept")
    response = post(
        client,
        f"/items/{item['id']}/allocate",
        {"destination_id": lviv["id"], "need_id": need["id"]},
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["destination_id"], body["need_id"]) == (
        "allocated",
        lviv["id"],
        need["id"],
    )


def test_allocate_again_moves_the_item_to_another_destination(client: TestClient) -> None:
    item, _ = allocated_vehicle(client)
    chuhuiv = factories.destination(client, city="Chuhuiv", oblast="Kharkivska")
    response = post(client, f"/items/{item['id']}/allocate", {"destination_id": chuhuiv["id"]})
    assert response.status_code == 200
    assert (response.json()["destination_id"], response.json()["need_id"]) == (
        chuhuiv["id"],
        None,
    )


def test_allocate_needs_an_existing_destination_and_need(client: TestClient) -> None:
    donor = factories.donor(client)
    item = factories.vehicle(client, donor["id"])
    accepted = post(client, f"/items/{item['id']}/accept").json()
    response = post(
        client, f"/items/{item['id']}/allocate", {"destination_id": 999_998, "need_id": 999_999}
    )
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {
            "loc": ["body", "destination_id"],
            "msg": "Destination 999998 does not exist",
            "type": "value_error",
        },
        {"loc": ["body", "need_id"], "msg": "Need 999999 does not exist", "type": "value_error"},
    ]
    assert get_item(client, item["id"]) == accepted


def test_allocate_refuses_every_unmet_condition_at_once(client: TestClient) -> None:
    donor = factories.donor(client)
    lviv = factories.destination(client, name="Lvivvodokanal")
    chuhuiv = factories.destination(client, name="Chuhuiv Vodokanal")
    need = factories.need(client, chuhuiv["id"], item_kind="pump", description="Well pump")
    assert post(client, f"/needs/{need['id']}/cancel").status_code == 200
    item = factories.vehicle(client, donor["id"], name="Bus 4711")  # still offered
    response = post(
        client,
        f"/items/{item['id']}/allocate",
        {"destination_id": lviv["id"], "need_id": need["id"]},
    )
    assert response.status_code == 409
    context = {"need_id": need["id"]}
    assert response.json() == refusal(
        f"Item {item['id']} (Bus 4711) cannot be allocated",
        wrong_status("allocated", ["accepted", "allocated"], "offered"),
        {
            "code": "need_of_other_destination",
            "message": f"Need {need['id']} (Well pump) was sent by Chuhuiv Vodokanal, "
            "not by Lvivvodokanal",
            "field": "need_id",
            "context": {**context, "need_destination_id": chuhuiv["id"]},
        },
        {
            "code": "need_cancelled",
            "message": f"Need {need['id']} (Well pump) was cancelled by the recipient",
            "field": "need_id",
            "context": context,
        },
        {
            "code": "need_kind_mismatch",
            "message": f"Need {need['id']} asks for kind 'pump'; this item is of kind 'bus'",
            "field": "need_id",
            "context": {**context, "need_kind": "pump", "item_kind": "bus"},
        },
    )
    assert get_item(client, item["id"]) == item


# --- certify ---------------------------------------------------------------------------------


def test_certify_with_a_valid_certificate(client: TestClient, session: Session) -> None:
    item, destination = allocated_vehicle(client)
    insert_certificate(
        session, destination["id"], [item["id"]], issued_on=today(), valid_until_on=today()
    )
    response = post(client, f"/items/{item['id']}/certify")
    assert response.status_code == 200
    assert response.json()["status"] == "certified"


def test_certify_an_unallocated_item_names_status_and_destination(client: TestClient) -> None:
    donor = factories.donor(client)
    item = factories.vehicle(client, donor["id"], name="Bus 4711")
    response = post(client, f"/items/{item['id']}/certify")
    assert response.status_code == 409
    assert response.json() == refusal(
        f"Item {item['id']} (Bus 4711) cannot be certified",
        wrong_status("certified", ["allocated"], "offered"),
        {
            "code": "no_destination",
            "message": "The item is not allocated to a destination, so no usage certificate "
            "can cover it; allocate it first",
            "field": "destination_id",
        },
    )
    assert get_item(client, item["id"]) == item


@pytest.mark.parametrize(
    "certificate",
    [
        "none",
        "expired_yesterday",
        "issued_tomorrow",
        "other_destination",
        "other_item",
    ],
)
def test_certify_without_a_certificate_valid_today_is_refused(
    client: TestClient, session: Session, certificate: str
) -> None:
    item, destination = allocated_vehicle(client, name="Bus 4711")
    other_item = factories.equipment(client, item["donor_id"])
    other_destination = factories.destination(client)
    yesterday, tomorrow = today() - timedelta(days=1), today() + timedelta(days=1)
    if certificate == "expired_yesterday":
        insert_certificate(session, destination["id"], [item["id"]], valid_until_on=yesterday)
    elif certificate == "issued_tomorrow":
        insert_certificate(session, destination["id"], [item["id"]], issued_on=tomorrow)
    elif certificate == "other_destination":
        insert_certificate(session, other_destination["id"], [item["id"]])
    elif certificate == "other_item":
        insert_certificate(session, destination["id"], [other_item["id"]])
    before = get_item(client, item["id"])
    response = post(client, f"/items/{item['id']}/certify")
    assert response.status_code == 409
    assert response.json() == refusal(
        f"Item {item['id']} (Bus 4711) cannot be certified",
        {
            "code": "certificate_missing",
            "message": f"No usage certificate (Verwendungsnachweis) for {destination['name']} "
            f"that is valid on {today().isoformat()} covers this item",
            "context": {"destination_id": destination["id"], "on": today().isoformat()},
        },
    )
    assert get_item(client, item["id"]) == before


# --- mark export-ready --------------------------------------------------------------------------


def test_mark_vehicle_export_ready(client: TestClient, session: Session) -> None:
    item, _ = certified_vehicle(client, session)
    until = today() + timedelta(days=10)
    insert_export_record(session, item["id"], **complete_export_fields(until))
    response = post(
        client, f"/items/{item['id']}/mark-export-ready", {"plates_valid_until": until.isoformat()}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["status"], body["version"]) == ("export_ready", item["version"] + 1)


def test_mark_equipment_export_ready_needs_only_certificate_and_mrn(
    client: TestClient, session: Session
) -> None:
    donor = factories.donor(client)
    destination = factories.destination(client)
    item = factories.equipment(client, donor["id"], name="Generator 100 kVA")
    post(client, f"/items/{item['id']}/accept")
    post(client, f"/items/{item['id']}/allocate", {"destination_id": destination["id"]})
    insert_certificate(session, destination["id"], [item["id"]])
    assert post(client, f"/items/{item['id']}/certify").status_code == 200
    record_id = insert_export_record(session, item["id"], customs_office_code="DE004601")
    before = get_item(client, item["id"])
    no_mrn = post(client, f"/items/{item['id']}/mark-export-ready", {})
    assert no_mrn.status_code == 409
    assert no_mrn.json() == refusal(
        f"Item {item['id']} (Generator 100 kVA) cannot be marked export-ready",
        {
            "code": "mrn_missing",
            "message": "The export record has no MRN: the export declaration is not filed yet",
            "field": "mrn",
        },
    )
    assert get_item(client, item["id"]) == before
    record = session.get(ExportRecord, record_id)
    assert record is not None
    record.mrn = "06DE586600006143E1"
    session.commit()
    response = post(client, f"/items/{item['id']}/mark-export-ready", {})
    assert response.status_code == 200
    assert response.json()["status"] == "export_ready"


def test_export_ready_without_any_export_record(client: TestClient, session: Session) -> None:
    item, _ = certified_vehicle(client, session, name="Bus 4711", registration_papers_held=False)
    response = post(
        client, f"/items/{item['id']}/mark-export-ready", {"plates_valid_until": iso(10)}
    )
    assert response.status_code == 409
    assert response.json() == refusal(
        f"Item {item['id']} (Bus 4711) cannot be marked export-ready",
        {
            "code": "export_record_missing",
            "message": "No export record: record the customs export data (an MRN, export "
            "plates, insurance and inspection date) for this item",
            "field": "export_record",
        },
        {
            "code": "registration_papers_missing",
            "message": "The vehicle's registration papers are not held; the plates and customs "
            "need them",
            "field": "registration_papers_held",
        },
    )
    assert get_item(client, item["id"]) == item


def test_export_ready_names_every_missing_paper(client: TestClient, session: Session) -> None:
    item, _ = certified_vehicle(client, session, name="Bus 4711")
    insert_export_record(session, item["id"], customs_office_code="DE004601")
    response = post(
        client, f"/items/{item['id']}/mark-export-ready", {"plates_valid_until": iso(10)}
    )
    assert response.status_code == 409
    assert [r["code"] for r in response.json()["reasons"]] == [
        "mrn_missing",
        "export_plate_missing",
        "insurance_missing",
        "inspection_date_missing",
    ]
    assert get_item(client, item["id"]) == item


def test_export_ready_names_every_date_that_falls_short(
    client: TestClient, session: Session
) -> None:
    item, destination = certified_vehicle(client, session, name="Bus 4711")
    until = today() + timedelta(days=10)
    short = today() + timedelta(days=9)
    insert_export_record(
        session,
        item["id"],
        **{
            **complete_export_fields(until),
            "plate_valid_from_on": today() + timedelta(days=1),
            "plate_valid_to_on": short,
            "insurance_until_on": short,
            "inspection_due_on": short,
        },
    )
    # The certificate has run out since the item was certified.
    for certificate in session.exec(select(UsageCertificate)).all():
        certificate.valid_until_on = today() - timedelta(days=1)
    session.commit()
    # The trip starts today, and the plate only tomorrow.
    response = post(
        client,
        f"/items/{item['id']}/mark-export-ready",
        {"plates_valid_until": until.isoformat(), "trip_starts_on": today().isoformat()},
    )
    assert response.status_code == 409
    u, s = until.isoformat(), short.isoformat()
    assert response.json() == refusal(
        f"Item {item['id']} (Bus 4711) cannot be marked export-ready",
        {
            "code": "certificate_missing",
            "message": f"No usage certificate (Verwendungsnachweis) for {destination['name']} "
            f"that is valid on {today().isoformat()} covers this item",
            "context": {"destination_id": destination["id"], "on": today().isoformat()},
        },
        {
            "code": "plate_not_yet_valid",
            "message": f"Export plate W 1234 A is valid only from {iso(1)}, "
            f"after the trip starts on {today().isoformat()}",
            "field": "plate_valid_from_on",
            "context": {"plate_valid_from_on": iso(1)},
        },
        {
            "code": "plate_expires_too_early",
            "message": f"Export plate W 1234 A expires {s}, before {u}",
            "field": "plate_valid_to_on",
            "context": {"plate_valid_to_on": s, "plates_valid_until": u},
        },
        {
            "code": "insurance_ends_too_early",
            "message": f"The insurance ends {s}, before {u}",
            "field": "insurance_until_on",
            "context": {"insurance_until_on": s, "plates_valid_until": u},
        },
        {
            "code": "inspection_due_too_early",
            "message": f"The inspection (HU) is due {s}, before {u}",
            "field": "inspection_due_on",
            "context": {"inspection_due_on": s, "plates_valid_until": u},
        },
    )
    assert get_item(client, item["id"]) == item


def test_export_ready_plate_without_validity(client: TestClient, session: Session) -> None:
    item, _ = certified_vehicle(client, session)
    until = today() + timedelta(days=10)
    insert_export_record(
        session, item["id"], **{**complete_export_fields(until), "plate_valid_to_on": None}
    )
    response = post(
        client, f"/items/{item['id']}/mark-export-ready", {"plates_valid_until": until.isoformat()}
    )
    assert response.status_code == 409
    assert response.json()["reasons"] == [
        {
            "code": "plate_validity_missing",
            "message": "The validity (from, to) of export plate W 1234 A is not recorded",
            "field": "plate_valid_to_on",
        }
    ]


def test_export_ready_from_the_wrong_status(client: TestClient, session: Session) -> None:
    item, _ = allocated_vehicle(client, name="Bus 4711")
    until = today() + timedelta(days=10)
    insert_export_record(session, item["id"], **complete_export_fields(until))
    response = post(
        client, f"/items/{item['id']}/mark-export-ready", {"plates_valid_until": until.isoformat()}
    )
    assert response.status_code == 409
    assert [r["code"] for r in response.json()["reasons"]] == [
        "wrong_status",
        "certificate_missing",
    ]
    assert response.json()["reasons"][0] == wrong_status(
        "marked export-ready", ["certified"], "allocated"
    )
    assert get_item(client, item["id"]) == item


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "is required for a vehicle: the last day of the trip"),
        (
            {"plates_valid_until": iso(-1)},
            f"{iso(-1)} is in the past; give the trip's end",
        ),
    ],
)
def test_export_ready_needs_a_trip_end_for_a_vehicle(
    client: TestClient, session: Session, body: dict[str, Any], message: str
) -> None:
    item, _ = certified_vehicle(client, session)
    response = post(client, f"/items/{item['id']}/mark-export-ready", body)
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {"loc": ["body", "plates_valid_until"], "msg": message, "type": "value_error"}
    ]
    assert get_item(client, item["id"]) == item


# --- withdraw --------------------------------------------------------------------------------


def test_withdraw_records_the_reason(client: TestClient) -> None:
    donor = factories.donor(client)
    item = factories.vehicle(client, donor["id"])
    response = post(client, f"/items/{item['id']}/withdraw", {"reason": "  Sold by the donor "})
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["withdrawn_reason"]) == ("withdrawn", "Sold by the donor")


def test_withdraw_needs_a_reason(client: TestClient) -> None:
    donor = factories.donor(client)
    item = factories.vehicle(client, donor["id"])
    response = post(client, f"/items/{item['id']}/withdraw", {"reason": "   "})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "reason"]
    assert get_item(client, item["id"]) == item


@pytest.mark.parametrize("status", list(ItemStatus))
def test_withdraw_is_possible_until_the_convoy(
    client: TestClient, session: Session, status: ItemStatus
) -> None:
    donor = factories.donor(client)
    item = factories.vehicle(client, donor["id"], name="Bus 4711")
    force_status(session, item["id"], status)
    before = get_item(client, item["id"])
    response = post(client, f"/items/{item['id']}/withdraw", {"reason": "Engine failure"})
    if status in {ItemStatus.in_convoy, ItemStatus.delivered, ItemStatus.withdrawn}:
        assert response.status_code == 409
        shown = {"in_convoy": "in a convoy"}.get(status.value, status.value)
        assert response.json() == refusal(
            f"Item {item['id']} (Bus 4711) cannot be withdrawn",
            wrong_status(
                "withdrawn",
                ["offered", "accepted", "allocated", "certified", "export_ready"],
                status.value,
                shown,
            ),
        )
        assert get_item(client, item["id"]) == before
    else:
        assert response.status_code == 200
        assert response.json()["status"] == "withdrawn"


def test_withdrawn_item_no_longer_meets_its_need(client: TestClient) -> None:
    donor = factories.donor(client)
    lviv = factories.destination(client)
    need = factories.need(client, lviv["id"], item_kind="bus", quantity=1)
    item = factories.vehicle(client, donor["id"])
    post(client, f"/items/{item['id']}/accept")
    post(
        client,
        f"/items/{item['id']}/allocate",
        {"destination_id": lviv["id"], "need_id": need["id"]},
    )
    assert client.get(f"/api/v1/needs/{need['id']}").json()["status"] == "matched"
    withdrawn = post(client, f"/items/{item['id']}/withdraw", {"reason": "Engine failure"})
    # The item keeps the record of what it was meant for; the need counts it no longer.
    assert withdrawn.json()["need_id"] == need["id"]
    assert client.get(f"/api/v1/needs/{need['id']}").json()["status"] == "open"
