"""What each principal may see of a convoy, decided here once for the API and the pages.

- The office sees all of it.
- A driver is one of the convoy's team. They see the convoy, its legs and position, and the
  whole team: which driver drives which vehicle on which leg, by name, so that they find each
  other at the meeting point and on the road (drivers swap and fetch the next trucks in
  stages). Of the goods they see the vehicles they drive and what those carry, with their
  papers; not the other vehicles' goods, values or papers, nor the other drivers' personal
  data (date of birth, phone, licences: app/drivers, the driver's own record only).
- A recipient sees the convoy, its legs and position, and its own items; no driver data: of
  a progress report, what happened where and when, not who reported it (``event_for``).

Each part is read in one statement into plain rows: the detail is a fixed number of
statements whatever the convoy's size.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, or_
from sqlalchemy import select as select_rows
from sqlmodel import Session, col, select

from app.auth import visibility
from app.auth.roles import Role
from app.auth.service import Principal
from app.convoys import service
from app.convoys.models import Assignment, Convoy, ConvoyItem, Leg, LegEvent
from app.convoys.schemas import ConvoyDetail, ConvoyItemRead, ConvoyRead, LegEventRead, SeatRead
from app.core.database import plain_rows
from app.core.errors import NotFound
from app.core.i18n import N_
from app.drivers.models import Driver
from app.exports.models import ExportRecord
from app.items.models import Item


@dataclass(frozen=True)
class Seat:
    """One seat of the team: who drives which vehicle on which leg."""

    id: int
    convoy_id: int
    leg_id: int
    vehicle_id: int
    vehicle_name: str
    vehicle_name_uk: str | None  # the phone page names the vehicle in the reader's language
    driver_id: int
    driver_name: str
    starts_at: datetime
    ends_at: datetime


def sees_the_team(principal: Principal) -> bool:
    """The office and the convoy's drivers see every seat; a recipient sees none."""
    return visibility.is_office(principal) or principal.role == Role.driver


def event_for(principal: Principal, event: LegEvent) -> LegEventRead:
    """A progress report as this principal may see it: the office and the convoy's drivers all
    of it; a recipient no account, name, note or client key (its page names no driver)."""
    read = LegEventRead.model_validate(event)
    if sees_the_team(principal):
        return read
    hidden = ("reporter_user_id", "reporter_name", "reported_for", "note", "client_key")
    return read.model_copy(update=dict.fromkeys(hidden))


# A convoy by its id, built once: the office's reads of any convoy, and a driver's of theirs.
_CONVOY = select(Convoy).where(col(Convoy.id) == bindparam("convoy_id"))
# The same with its legs, in one statement.
_CONVOY_WITH_LEGS = service.with_legs(bindparam("convoy_id"))


def in_view(session: Session, principal: Principal, convoy_id: int) -> Convoy:
    """The convoy, if the principal may see it (a driver: assigned to it; a recipient: it
    carries its items); otherwise 404. One statement."""
    by_id = {"convoy_id": convoy_id}
    if visibility.is_office(principal):  # the office sees every convoy
        convoy = session.exec(_CONVOY, params=by_id).first()
    else:
        visible = _CONVOY.where(visibility.convoys(principal))
        convoy = session.exec(visible, params=by_id).first()
    if convoy is None:
        visibility.require_convoy(session, principal, convoy_id)  # says why, for a driver
        raise NotFound(N_("Convoy"), convoy_id)
    return convoy


# Each read below is built once, with bind parameters (a statement built anew costs more than
# its execution on SQLite), and returns plain rows, not ORM objects.
_SEATS = (
    select_rows(
        col(Assignment.id),
        col(Assignment.convoy_id),
        col(Assignment.leg_id),
        col(Assignment.vehicle_id),
        col(Item.name),
        col(Item.name_uk),
        col(Assignment.driver_id),
        col(Driver.name),
        col(Assignment.starts_at),
        col(Assignment.ends_at),
    )
    .join(Item, col(Item.id) == col(Assignment.vehicle_id))
    .join(Driver, col(Driver.id) == col(Assignment.driver_id))
    .where(col(Assignment.convoy_id) == bindparam("convoy_id"))
    .order_by(col(Assignment.id))
)


def seats(session: Session, convoy_id: int) -> list[Seat]:
    """The team: every seat of the convoy with the vehicle's and the driver's names."""
    return [Seat(*row) for row in plain_rows(session, _SEATS, {"convoy_id": convoy_id}).all()]


_ITEMS = (
    select_rows(
        col(ConvoyItem.item_id),
        col(Item.name),
        col(Item.category),
        col(Item.kind),
        col(Item.status),
        col(Item.destination_id),
        col(ConvoyItem.carrier_id),
        col(Item.vin),
        col(Item.licence_class_required),
        col(Item.trailer_type),
        col(Item.trailer_registration),
        col(Item.trailer_permissible_weight_kg),
        col(Item.declared_value_cents),
        col(ExportRecord.export_plate),
    )
    .join(Item, col(Item.id) == col(ConvoyItem.item_id))
    .outerjoin(ExportRecord, col(ExportRecord.item_id) == col(Item.id))
    .where(col(ConvoyItem.convoy_id) == bindparam("convoy_id"))
    .order_by(col(Item.category).desc(), col(Item.id))
)
# The names the API gives the columns are the columns' own.
_ITEM_FIELDS = tuple(_ITEMS.selected_columns.keys())
# Enums are sent as their values, as the API has always sent them.
_ENUM_FIELDS = ("category", "kind", "status", "licence_class_required")
# A driver's: the vehicles of their seats and the goods those carry.
_DRIVERS_ITEMS = _ITEMS.where(
    or_(
        col(ConvoyItem.item_id).in_(bindparam("driven", expanding=True)),
        col(ConvoyItem.carrier_id).in_(bindparam("driven", expanding=True)),
    )
)


def carried(
    session: Session, principal: Principal, convoy_id: int, team: list[Seat]
) -> list[ConvoyItemRead]:
    """The convoy's goods this principal may see, vehicles first, with their export plates."""
    if visibility.is_office(principal):
        rows = plain_rows(session, _ITEMS, {"convoy_id": convoy_id}).all()
    elif principal.role == Role.driver:
        driven = sorted({seat.vehicle_id for seat in team if seat.driver_id == principal.driver_id})
        rows = plain_rows(session, _DRIVERS_ITEMS, {"convoy_id": convoy_id, "driven": driven}).all()
    else:
        visible = _ITEMS.where(visibility.items(principal))
        rows = plain_rows(session, visible, {"convoy_id": convoy_id}).all()
    return [
        ConvoyItemRead.model_validate(_plain(dict(zip(_ITEM_FIELDS, row, strict=True))))
        for row in rows
    ]


def _plain(fields: dict[str, Any]) -> dict[str, Any]:
    for name in _ENUM_FIELDS:
        if fields[name] is not None:
            fields[name] = fields[name].value
    return fields


def detail_for(
    session: Session,
    principal: Principal,
    convoy: Convoy,
    team: list[Seat] | None = None,
    legs: list[Leg] | None = None,
) -> ConvoyDetail:
    """The convoy as this principal may see it (the module's docstring says what that is)."""
    assert convoy.id is not None
    if team is None:
        team = seats(session, convoy.id)
    if legs is None:
        legs = service.legs_of(session, convoy.id)
    position = service.latest_event(session, convoy.id)
    return ConvoyDetail(
        **ConvoyRead.model_validate(convoy).model_dump(),
        legs=service.leg_reads(convoy, legs),
        items=carried(session, principal, convoy.id, team),
        assignments=[
            SeatRead.model_validate(seat, from_attributes=True)
            for seat in (team if sees_the_team(principal) else [])
        ],
        position=event_for(principal, position) if position else None,
    )


def visible_detail(session: Session, principal: Principal, convoy_id: int) -> ConvoyDetail:
    """``detail_for`` by id; 404 for a convoy the principal may not see. A driver's phone asks
    for this most: the convoy comes with its legs in one statement, and the team read for
    the detail also tells whether the driver holds a seat on it (visibility.convoys, for one
    convoy), without a statement of its own."""
    if principal.role != Role.driver:
        return detail_for(session, principal, in_view(session, principal, convoy_id))
    found = service.convoy_and_legs(session, _CONVOY_WITH_LEGS, {"convoy_id": convoy_id})
    team = seats(session, convoy_id) if found is not None else []
    if found is None or all(seat.driver_id != principal.driver_id for seat in team):
        visibility.require_convoy(session, principal, convoy_id)  # says why, if it can
        raise NotFound(N_("Convoy"), convoy_id)
    convoy, legs = found
    return detail_for(session, principal, convoy, team, legs)
