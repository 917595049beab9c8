"""A convoy's reads: the convoy, its legs, what it carries, who drives, where it is.

What changes a convoy lives beside it, one module per part of the plan and its rules:
``planning`` (the convoy record, and what every change to the plan follows), ``legs``,
``loading``, ``assignments`` (drivers' seats and withdrawals), ``transitions`` (the status
machine) and ``progress`` (reports from the road and the handover).
"""

import re
from collections.abc import Sequence
from typing import Protocol

from sqlalchemy import ColumnElement, bindparam, func, or_
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import Select

from app.convoys import trip as trips
from app.convoys.models import (
    Assignment,
    Convoy,
    ConvoyItem,
    ConvoyStatus,
    DriverWithdrawal,
    Handover,
    Leg,
    LegEvent,
)
from app.convoys.schemas import (
    LegRead,
    WithdrawalRead,
)
from app.core.errors import NotFound
from app.core.i18n import N_, _
from app.core.pagination import keyset_page
from app.core.service import get_or_404, like
from app.exports.models import ExportRecord
from app.items.models import Item

SORTABLE = {
    "planned_departure_at": col(Convoy.planned_departure_at),
    "number": col(Convoy.number),
    "created_at": col(Convoy.created_at),
    "id": col(Convoy.id),
}


def get(session: Session, convoy_id: int) -> Convoy:
    return get_or_404(session, Convoy, convoy_id, N_("Convoy"))


def get_leg(session: Session, convoy: Convoy, leg_id: int) -> Leg:
    leg = session.get(Leg, leg_id)
    if leg is None or leg.convoy_id != convoy.id:
        raise NotFound(N_("Leg"), leg_id)
    return leg


def search(
    session: Session,
    *,
    q: str | None,
    status: ConvoyStatus | None,
    sort: str,
    cursor: str | None,
    limit: int,
    visible: ColumnElement[bool] | None = None,
) -> tuple[Sequence[Convoy], str | None]:
    stmt = select(Convoy)
    if visible is not None:  # the caller's row-level view (app.auth.visibility)
        stmt = stmt.where(visible)
    if q:
        pattern = like(q)
        stmt = stmt.where(
            or_(
                func.lower(Convoy.number).like(pattern, escape="\\"),
                func.lower(Convoy.name).like(pattern, escape="\\"),
            )
        )
    if status:
        stmt = stmt.where(Convoy.status == status)
    return keyset_page(
        session,
        stmt,
        id_column=col(Convoy.id),
        sort=sort,
        sortable=SORTABLE,
        cursor=cursor,
        limit=limit,
    )


# The convoy's reads that every detail, board and phone page makes: each statement is built
# once, with bind parameters, instead of on every request.
_LEGS = select(Leg).where(col(Leg.convoy_id) == bindparam("convoy_id")).order_by(col(Leg.position))
_EVENTS = (
    select(LegEvent)
    .where(col(LegEvent.convoy_id) == bindparam("convoy_id"))
    .order_by(col(LegEvent.occurred_at), col(LegEvent.id))
)
_LATEST_EVENT = (
    select(LegEvent)
    .where(col(LegEvent.convoy_id) == bindparam("convoy_id"))
    .order_by(col(LegEvent.occurred_at).desc(), col(LegEvent.id).desc())
    .limit(1)
)


def legs_of(session: Session, convoy_id: int) -> list[Leg]:
    return list(session.exec(_LEGS, params={"convoy_id": convoy_id}).all())


def with_legs(convoy_id: ColumnElement[int]) -> Select[Convoy, Leg]:
    """The convoy whose id is ``convoy_id`` (a bind parameter or a subquery) with its legs in
    order, in one statement: one statement fewer than the convoy and then its legs. Built
    once by the caller; read with ``convoy_and_legs``, or with its columns replaced by those a
    page shows (the driver's phone)."""
    return (
        select(Convoy, Leg)
        .outerjoin(Leg, col(Leg.convoy_id) == col(Convoy.id))
        .where(col(Convoy.id) == convoy_id)
        .order_by(col(Leg.position))
    )


def convoy_and_legs(
    session: Session, statement: Select[Convoy, Leg], params: dict[str, object]
) -> tuple[Convoy, list[Leg]] | None:
    """The convoy and its legs read by a ``with_legs`` statement; None: no such convoy. A
    convoy without legs is one row without a leg (the outer join)."""
    rows = session.exec(statement, params=params).all()
    if not rows:
        return None
    legs: list[Leg | None] = [leg for _convoy, leg in rows]
    return rows[0][0], [leg for leg in legs if leg is not None]


def loaded_items(session: Session, convoy_id: int) -> list[tuple[ConvoyItem, Item]]:
    return loaded_items_of(session, [convoy_id])


def loaded_items_of(session: Session, convoy_ids: list[int]) -> list[tuple[ConvoyItem, Item]]:
    """What several convoys carry, in one statement: vehicles first, then by item."""
    stmt = (
        select(ConvoyItem, Item)
        .join(Item, col(Item.id) == col(ConvoyItem.item_id))
        .where(col(ConvoyItem.convoy_id).in_(convoy_ids))
        .order_by(col(Item.category).desc(), col(Item.id))
    )
    return [(ci, item) for ci, item in session.exec(stmt).all()]


def legs_of_convoys(session: Session, convoy_ids: list[int]) -> dict[int, list[Leg]]:
    """Each convoy's legs in order, for several convoys in one statement."""
    legs: dict[int, list[Leg]] = {convoy_id: [] for convoy_id in convoy_ids}
    stmt = select(Leg).where(col(Leg.convoy_id).in_(convoy_ids)).order_by(col(Leg.position))
    for leg in session.exec(stmt):
        legs[leg.convoy_id].append(leg)
    return legs


def assignments_of(session: Session, convoy_id: int) -> list[Assignment]:
    stmt = select(Assignment).where(Assignment.convoy_id == convoy_id).order_by(col(Assignment.id))
    return list(session.exec(stmt).all())


_WITHDRAWALS = (
    select(DriverWithdrawal)
    .where(col(DriverWithdrawal.convoy_id) == bindparam("convoy_id"))
    .order_by(col(DriverWithdrawal.withdrawn_at), col(DriverWithdrawal.id))
)


def withdrawals_of(session: Session, convoy_id: int) -> list[DriverWithdrawal]:
    return list(session.exec(_WITHDRAWALS, params={"convoy_id": convoy_id}).all())


def leg_reads(convoy: Convoy, legs: list[Leg]) -> list[LegRead]:
    """The legs with the zone of each end, so a client can show every time locally."""
    zones = trips.zones_of(convoy, legs)
    return [
        LegRead.model_validate(
            {**leg.model_dump(), "from_time_zone": zones[leg.id or 0][0]},
        )
        for leg in sorted(legs, key=lambda leg: leg.position)
    ]


def leg_read(session: Session, convoy: Convoy, leg: Leg) -> LegRead:
    assert convoy.id is not None
    return next(r for r in leg_reads(convoy, legs_of(session, convoy.id)) if r.id == leg.id)


def export_records_for(session: Session, item_ids: list[int]) -> dict[int, ExportRecord]:
    if not item_ids:
        return {}
    stmt = select(ExportRecord).where(col(ExportRecord.item_id).in_(item_ids))
    return {r.item_id: r for r in session.exec(stmt).all()}


def latest_event(session: Session, convoy_id: int) -> LegEvent | None:
    return session.exec(_LATEST_EVENT, params={"convoy_id": convoy_id}).first()


class Named(Protocol):
    @property
    def name(self) -> str: ...


def seat_label(leg: Leg, vehicle: Named) -> str:
    """How a withdrawal names a seat it leaves empty."""
    return f"leg {leg.position}: {vehicle.name}"  # a key, shown through seat_shown


_SEAT_KEY = re.compile(r"^leg (\d+): (.*)$")


def seat_shown(key: str) -> str:
    """A seat a withdrawal left open (its stored ``seat_label``), in the reader's language."""
    match = _SEAT_KEY.match(key)
    if match is None:
        return key
    return _("leg {position}: {vehicle}").format(position=match[1], vehicle=match[2])


def withdrawal_read(withdrawal: DriverWithdrawal) -> WithdrawalRead:
    """The withdrawal, each seat it left open named in the reader's language."""
    seats = [seat_shown(key) for key in withdrawal.left_open.splitlines()]
    return WithdrawalRead.model_validate({**withdrawal.model_dump(), "left_open": seats})


def events_of(session: Session, convoy_id: int) -> Sequence[LegEvent]:
    return session.exec(_EVENTS, params={"convoy_id": convoy_id}).all()


def handovers_of(session: Session, convoy_id: int) -> Sequence[Handover]:
    stmt = select(Handover).where(Handover.convoy_id == convoy_id).order_by(col(Handover.id))
    return session.exec(stmt).all()


def upcoming(session: Session, limit: int = 20) -> list[Convoy]:
    """Convoys still to leave or on the road, soonest first: what a coordinator looks after."""
    stmt = (
        select(Convoy)
        .where(
            col(Convoy.status).in_(
                [ConvoyStatus.planning, ConvoyStatus.ready, ConvoyStatus.under_way]
            )
        )
        .order_by(col(Convoy.planned_departure_at), col(Convoy.id))
        .limit(limit)
    )
    return list(session.exec(stmt).all())
