"""A small, complete data set for authorization tests, built through the API as an admin.

One convoy with one leg, one export-ready bus (with its certificate, export record and a cargo
line) driven by one volunteer, bound for one destination that also has a need; plus one user.
Every path parameter of the API has a real id here.
"""

from dataclasses import dataclass
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.auth import service as accounts
from app.auth.deps import CSRF_HEADER, SESSION_COOKIE
from app.auth.roles import Role
from tests import factories, files
from tests.accounts import make_user
from tests.convoys import builders as b


@dataclass
class Records:
    planned: b.Planned
    ids: dict[str, int]  # path parameter name -> id of an existing record

    @property
    def driver_id(self) -> int:
        return self.ids["driver_id"]

    @property
    def destination_id(self) -> int:
        return self.ids["destination_id"]


def build(admin: TestClient, session: Session) -> Records:
    planned = b.planned_convoy(admin)
    bus = planned.vehicles[0]
    cargo = factories.cargo_line(admin, bus["id"])
    organisation = factories.organisation(admin)
    need = factories.need(admin, planned.destination["id"])
    (certificate,) = b.get(admin, f"/certificates?item_id={bus['id']}")["items"]
    record = b.get(admin, f"/items/{bus['id']}/export-record")
    (assignment,) = planned.convoy["assignments"]
    user = make_user(session, Role.clerk)
    assert user.id is not None
    issued = b.post(admin, f"/convoys/{planned.id}/documents", {"kind": "manifest"})
    assert issued.status_code == 201, issued.text
    attached = admin.post(
        "/api/v1/attachments",
        data={"entity": "item", "entity_id": str(bus["id"]), "kind": "registration_papers"},
        files={"file": ("papers.pdf", files.PDF, "application/pdf")},
    )
    assert attached.status_code == 201, attached.text
    back, _return_leg = b.way_back(admin, planned, b.SPRINTER, rest_hours=12)
    shared = b.post(admin, f"/donors/{bus['donor_id']}/report-links")
    assert shared.status_code == 201, shared.text
    funding = build_funding(admin, planned.id, need["id"], planned.destination["id"])
    point = factories.collection_point(admin)
    place = factories.storage_place(admin, point["id"])
    line = factories.intake(admin, point["id"], place["id"])
    goods = factories.goods_need(admin, planned.destination["id"])
    reserved = b.post(
        admin, "/reservations", {"need_id": goods["id"], "stock_line_id": line["id"], "quantity": 5}
    )
    assert reserved.status_code == 201, reserved.text
    pallet = factories.created(admin, "/pallets", {"collection_point_id": point["id"]})
    return Records(
        planned,
        {
            "donor_id": bus["donor_id"],
            "destination_id": planned.destination["id"],
            "need_id": need["id"],
            "item_id": bus["id"],
            "cargo_id": cargo["id"],
            "certificate_id": certificate["id"],
            "export_record_id": record["id"],
            "driver_id": planned.drivers[0]["id"],
            "convoy_id": planned.id,
            "leg_id": planned.legs[0]["id"],
            "assignment_id": assignment["id"],
            "user_id": user.id,
            "document_id": issued.json()["id"],
            "attachment_id": attached.json()["id"],
            "link_id": shared.json()["id"],
            "organisation_id": organisation["id"],
            "vehicle_id": back["id"],  # the return vehicle
            **funding,
            "point_id": point["id"],
            "line_id": line["id"],
            "reservation_id": reserved.json()["id"],
            "pallet_id": pallet["id"],
        },
    )


def credentials(session: Session, role: Role, **links: int | None) -> dict[str, str]:
    """Headers of a fresh user of this role: a bearer token for the API, and a browser
    session cookie with its CSRF token for the HTML pages."""
    user = make_user(session, role, **links)
    token, _ = accounts.issue_token(session, user)
    cookie, web = accounts.open_session(session, user)
    session.commit()
    return {
        "Authorization": f"Bearer {token}",
        "Cookie": f"{SESSION_COOKIE}={cookie}",
        CSRF_HEADER: web.csrf_token,
    }


def links_for(role: Role, records: Records) -> dict[str, Any]:
    """A driver account tied to the data set's driver, a recipient to its destination."""
    if role == Role.driver:
        return {"driver_id": records.driver_id}
    if role == Role.recipient:
        return {"destination_id": records.destination_id}
    if role == Role.volunteer:
        return {"collection_point_id": records.ids["point_id"]}
    return {}


def build_funding(
    admin: TestClient, convoy_id: int, need_id: int, destination_id: int
) -> dict[str, int]:
    """A programme with a transport on the convoy, a fund with a pledge, a grant, a donation
    and an issued funders' report: the ids of the funding routes."""
    programme = b.post(admin, "/programmes", factories.programme_data(destination_id))
    assert programme.status_code == 201, programme.text
    pid = programme.json()["id"]
    transport = b.post(
        admin,
        f"/programmes/{pid}/transports",
        {"planned_on": "2027-03-01", "convoy_id": convoy_id, "need_ids": [need_id]},
    )
    assert transport.status_code == 201, transport.text
    fund = b.post(admin, f"/programmes/{pid}/funds", {"name": "LVR-Ukraine-Euro"})
    assert fund.status_code == 201, fund.text
    fund_id = fund.json()["id"]
    pledge = b.post(
        admin,
        f"/funds/{fund_id}/pledges",
        {"monthly_cents": 500, "employees": 40, "starts_on": "2022-07-01"},
    )
    assert pledge.status_code == 201, pledge.text
    grant = b.post(
        admin,
        f"/funds/{fund_id}/grants",
        factories.grant_data(),
    )
    assert grant.status_code == 201, grant.text
    entry = b.post(
        admin,
        "/ledger-entries",
        {
            "fund_id": fund_id,
            "booked_on": "2026-11-02",
            "kind": "donation",
            "amount_cents": 25_000,
            "description": "Spende",
            "donor_name": "Erika Muster",
            "donor_address": "Hauptstr. 1, 40764 Langenfeld",
        },
    )
    assert entry.status_code == 201, entry.text
    report = b.post(admin, f"/transports/{transport.json()['id']}/funders-report")
    assert report.status_code == 201, report.text
    return {
        "programme_id": pid,
        "transport_id": transport.json()["id"],
        "fund_id": fund_id,
        "pledge_id": pledge.json()["id"],
        "grant_id": grant.json()["id"],
        "entry_id": entry.json()["id"],
        "paper_id": report.json()["id"],
    }
