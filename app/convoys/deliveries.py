"""The receiving utility's pages: what it asked for, what is coming, and the handover.

A recipient account sees its own destination only (app.auth.visibility, as in the API). The
handover is one form for the whole delivery, item by item; it records every ticked item
through the same ``hand_over`` as ``POST /api/v1/convoys/{id}/handovers``, all or none.
"""

from dataclasses import dataclass, field
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlmodel import Session, col, select

from app.auth import visibility
from app.auth.service import Principal
from app.convoys import progress, service, trip
from app.convoys.models import Convoy, ConvoyStatus, Handover
from app.convoys.schemas import HandoverCreate
from app.core.database import SessionDep
from app.core.errors import DomainError, Forbidden, InvalidInput, NotFound, RuleViolation
from app.core.i18n import N_, _
from app.core.localtime import today_at
from app.destinations.models import Destination
from app.donors.models import Donor
from app.items.models import Item
from app.needs import service as needs
from app.needs.schemas import NeedRead
from app.web.pages import PagePrincipalDep, require
from app.web.templating import render

router = APIRouter(include_in_schema=False)

COMING = (ConvoyStatus.planning, ConvoyStatus.ready, ConvoyStatus.under_way, ConvoyStatus.arrived)
HANDOVER_OPEN = (ConvoyStatus.under_way, ConvoyStatus.arrived)


@dataclass
class Delivery:
    convoy: Convoy
    trip: trip.Trip
    items: list[Item]
    handed_over: dict[int, Handover]
    donors: dict[int, str] = field(default_factory=dict)  # who gave them: one letter each
    # Items of ours riding on another recipient's vehicle: that vehicle, to find them by.
    carried_on: dict[int, Item] = field(default_factory=dict)

    @property
    def can_hand_over(self) -> bool:
        return self.convoy.status in HANDOVER_OPEN and len(self.handed_over) < len(self.items)


@dataclass
class Typed:
    """What the receiver typed, kept when the form comes back with a problem."""

    receiver_name: str = ""
    receiver_role: str = ""
    handed_over_on: str = ""
    place: str = ""
    ticked: set[int] = field(default_factory=set)
    remarks: dict[int, str] = field(default_factory=dict)


def _destination_of(
    session: Session, principal: Principal, chosen: int | None = None
) -> Destination:
    """The utility's own destination; the office (recording a handover a utility reported
    by phone or on paper) names the destination it records for."""
    wanted = principal.destination_id
    if wanted is None and visibility.is_office(principal):
        wanted = chosen
    if wanted is None:
        raise Forbidden(_("this page is for a receiving utility's account"))
    destination = session.get(Destination, wanted)
    if destination is None:
        raise NotFound(N_("Destination"), wanted)
    return destination


def _deliveries(session: Session, convoys: list[Convoy], destination_id: int) -> list[Delivery]:
    """What each convoy brings this recipient, read in a fixed number of statements however
    many convoys are coming: the convoys' loaded items, their legs, our handovers, our donors."""
    ids = [convoy.id for convoy in convoys if convoy.id is not None]
    if not ids:
        return []
    loaded = service.loaded_items_of(session, ids)
    legs = service.legs_of_convoys(session, ids)
    everything = {item.id: item for _, item in loaded}
    ours: dict[int, list[Item]] = {convoy_id: [] for convoy_id in ids}
    carriers: dict[int, dict[int, Item]] = {convoy_id: {} for convoy_id in ids}
    for row, item in loaded:
        if item.destination_id == destination_id:
            ours[row.convoy_id].append(item)
        if row.carrier_id is not None and row.carrier_id in everything:
            carriers[row.convoy_id][row.item_id] = everything[row.carrier_id]
    our_ids = [item.id for items in ours.values() for item in items]
    handed: dict[int, dict[int, Handover]] = {convoy_id: {} for convoy_id in ids}
    for handover in session.exec(
        select(Handover).where(col(Handover.convoy_id).in_(ids), col(Handover.item_id).in_(our_ids))
    ):
        if handover.convoy_id in handed:
            handed[handover.convoy_id][handover.item_id] = handover
    donors = {
        d.id: d.name
        for d in session.exec(
            select(Donor).where(
                col(Donor.id).in_({i.donor_id for items in ours.values() for i in items})
            )
        ).all()
        if d.id is not None
    }
    return [
        Delivery(
            convoy=convoy,
            trip=trip.of(convoy, legs[convoy.id]),
            items=ours[convoy.id],
            handed_over=handed[convoy.id],
            carried_on={
                item.id: carrier
                for item in ours[convoy.id]
                if item.id is not None
                and (carrier := carriers[convoy.id].get(item.id)) is not None
                and carrier.destination_id != destination_id
            },
            donors={
                i.donor_id: donors[i.donor_id]
                for i in ours[convoy.id]
                if i.donor_id is not None and i.donor_id in donors
            },
        )
        for convoy in convoys
        if convoy.id is not None
    ]


def _convoys_for(session: Session, principal: Principal) -> list[Convoy]:
    stmt = (
        select(Convoy)
        .where(visibility.convoys(principal), col(Convoy.status).in_(COMING))
        .order_by(col(Convoy.planned_departure_at))
    )
    return list(session.exec(stmt))


@router.get("/deliveries", response_class=HTMLResponse)
def deliveries(request: Request, session: SessionDep, principal: PagePrincipalDep) -> HTMLResponse:
    require(principal, "list_needs")
    destination = _destination_of(session, principal)
    assert destination.id is not None
    rows, _ = needs.search(
        session,
        destination_id=destination.id,
        item_kind=None,
        status=None,
        q=None,
        sort="-priority",
        cursor=None,
        limit=100,
    )
    own_needs: list[NeedRead] = needs.read_page(session, rows)
    coming = _deliveries(session, _convoys_for(session, principal), destination.id)
    return render(
        request,
        "convoys/deliveries.html",
        {"destination": destination, "needs": own_needs, "deliveries": coming},
        principal=principal,
    )


def _handover_page(
    request: Request,
    session: Session,
    principal: Principal,
    convoy_id: int,
    *,
    typed: Typed | None = None,
    problems: list[tuple[str, str]] | None = None,
    status_code: int = 200,
    destination_id: int | None = None,
) -> HTMLResponse:
    destination = _destination_of(session, principal, destination_id)
    assert destination.id is not None
    visibility.require_convoy(session, principal, convoy_id)
    (delivery,) = _deliveries(session, [service.get(session, convoy_id)], destination.id)
    if typed is None:
        typed = Typed(
            handed_over_on=today_at(delivery.trip.handover.zone).isoformat(),
            place=delivery.trip.handover.place,
            ticked={i.id for i in delivery.items if i.id not in delivery.handed_over and i.id},
        )
    return render(
        request,
        "convoys/handover.html",
        {
            "destination": destination,
            "delivery": delivery,
            "typed": typed,
            "problems": problems or [],
        },
        principal=principal,
        status_code=status_code,
    )


@router.get("/deliveries/{convoy_id}", response_class=HTMLResponse)
def handover_form(
    request: Request,
    convoy_id: int,
    session: SessionDep,
    principal: PagePrincipalDep,
    destination_id: int | None = None,
) -> HTMLResponse:
    require(principal, "record_handover")
    return _handover_page(request, session, principal, convoy_id, destination_id=destination_id)


@router.post("/deliveries/{convoy_id}", response_model=None)
def record_handover(
    request: Request,
    convoy_id: int,
    session: SessionDep,
    principal: PagePrincipalDep,
    receiver_name: Annotated[str, Form()] = "",
    receiver_role: Annotated[str, Form()] = "",
    handed_over_on: Annotated[str, Form()] = "",
    place: Annotated[str, Form()] = "",
    received: Annotated[list[str] | None, Form()] = None,
    item: Annotated[list[str] | None, Form()] = None,
    remark: Annotated[list[str] | None, Form()] = None,
    destination_id: int | None = None,
) -> Response:
    """Every ticked item handed over, or none, with the reasons beside the form.

    ``item`` and ``remark`` come in the same order, one per item listed; ``received`` holds
    the ticked ones (a checkbox left empty sends nothing).
    """
    require(principal, "record_handover")
    ticked = {int(v) for v in received or [] if v.isdigit()}
    remarks = {
        int(item_id): text.strip()
        for item_id, text in zip(item or [], remark or [], strict=False)
        if item_id.isdigit()
    }
    typed = Typed(receiver_name, receiver_role, handed_over_on, place, ticked, remarks)
    return _record(request, session, principal, convoy_id, typed, destination_id)


def _record(
    request: Request,
    session: Session,
    principal: Principal,
    convoy_id: int,
    typed: Typed,
    destination_id: int | None = None,
) -> Response:
    _destination_of(session, principal, destination_id)
    visibility.require_convoy(session, principal, convoy_id)
    convoy = service.get(session, convoy_id)
    problems: list[tuple[str, str]] = []  # (field, message); "" for the whole delivery
    status_code = 422
    if not typed.ticked:
        problems.append(("received", _("tick at least one item that was received")))
    try:
        for item_id in sorted(typed.ticked):
            visibility.require_own_item_for_handover(session, principal, item_id)
            data = HandoverCreate.model_validate(
                {
                    "item_id": item_id,
                    "receiver_name": typed.receiver_name.strip(),
                    "receiver_role": typed.receiver_role.strip(),
                    "handed_over_on": typed.handed_over_on or None,
                    "place": typed.place.strip(),
                    "note": typed.remarks.get(item_id) or None,
                }
            )
            if not problems:
                progress.hand_over(session, convoy, data)
    except ValidationError as exc:
        problems += sorted({(str(e["loc"][-1]), e["msg"]) for e in exc.errors()})
    except RuleViolation as exc:
        problems += [("", reason.message) for reason in exc.reasons]
        status_code = 409
    except InvalidInput as exc:
        problems += list(exc.errors)
    except DomainError as exc:
        if exc.status_code != 409:
            raise
        problems.append(("", exc.message))
        status_code = 409
    if problems:
        session.rollback()  # all or none: not one of the ticked items is recorded
        return _handover_page(
            request,
            session,
            principal,
            convoy_id,
            typed=typed,
            problems=problems,
            status_code=status_code,
            destination_id=destination_id,
        )
    if principal.destination_id is None:  # the office, back to the convoy's board
        return RedirectResponse(f"/convoys/{convoy_id}", status_code=303)
    return RedirectResponse(f"/deliveries/{convoy_id}", status_code=303)
