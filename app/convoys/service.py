"""Convoys: planning (legs, loading, assignments), the status machine, progress and handover."""

import itertools
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, func, or_
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from app.convoys import trip as trips
from app.convoys.models import (
    Assignment,
    Convoy,
    ConvoyItem,
    ConvoyStatus,
    DriverWithdrawal,
    EventKind,
    Handover,
    Leg,
    LegEvent,
)
from app.convoys.schemas import (
    ArrivalCreate,
    AssignmentCreate,
    AssignmentRead,
    ConvoyCreate,
    ConvoyDetail,
    ConvoyItemRead,
    ConvoyRead,
    ConvoyUpdate,
    DepartureCreate,
    DriverSwap,
    HandoverCreate,
    LegCreate,
    LegEventCreate,
    LegEventRead,
    LegRead,
    LegUpdate,
    LoadItem,
    LoadItems,
    TripAssignments,
    WithdrawalCreate,
    WithdrawalRead,
)
from app.core.context import acting
from app.core.errors import Conflict, InvalidInput, NotFound, Reason, RuleViolation
from app.core.i18n import N_, _, word
from app.core.localtime import describe, local_date, today_at
from app.core.pagination import keyset_page
from app.core.revision import Kept
from app.core.service import apply_changes, get_or_404, like, touch
from app.core.types import utcnow
from app.drivers.models import Driver
from app.exports.models import ExportRecord
from app.items import service as items
from app.items.lifecycle import Action
from app.items.models import Item, ItemCategory, ItemStatus

SORTABLE = {
    "planned_departure_at": col(Convoy.planned_departure_at),
    "number": col(Convoy.number),
    "created_at": col(Convoy.created_at),
    "id": col(Convoy.id),
}

# The convoy status machine: action -> (statuses it may start from, status it leads to).
TRANSITIONS: dict[str, tuple[frozenset[ConvoyStatus], ConvoyStatus]] = {
    "mark_ready": (frozenset({ConvoyStatus.planning}), ConvoyStatus.ready),
    "depart": (frozenset({ConvoyStatus.planning, ConvoyStatus.ready}), ConvoyStatus.under_way),
    "arrive": (frozenset({ConvoyStatus.under_way}), ConvoyStatus.arrived),
    "close": (frozenset({ConvoyStatus.arrived}), ConvoyStatus.closed),
    "cancel": (frozenset({ConvoyStatus.planning, ConvoyStatus.ready}), ConvoyStatus.cancelled),
}
PLANNABLE = frozenset({ConvoyStatus.planning, ConvoyStatus.ready})
# Convoy fields the readiness check depends on (licences until the return, the exemption).
PLAN_FIELDS = frozenset(
    {
        "planned_departure_at",
        "planned_return_at",
        "planned_handover_at",
        "meeting_time_zone",
        "claims_humanitarian_exemption",
    }
)
# What may still change once a convoy has left: who to call, and notes. The plan is history.
EDITABLE_ON_THE_ROAD = frozenset({"name", "coordinator_name", "coordinator_phone", "notes"})
# Phones abroad have drifting clocks; a report a few minutes "ahead" is not an error.
_CLOCK_SKEW = timedelta(minutes=10)


def get(session: Session, convoy_id: int) -> Convoy:
    return get_or_404(session, Convoy, convoy_id, N_("Convoy"))


def get_leg(session: Session, convoy: Convoy, leg_id: int) -> Leg:
    leg = session.get(Leg, leg_id)
    if leg is None or leg.convoy_id != convoy.id:
        raise NotFound(N_("Leg"), leg_id)
    return leg


def _require_plannable(convoy: Convoy, what: str) -> None:
    if convoy.status not in PLANNABLE:
        raise RuleViolation(
            _("Convoy {number} is {status}; {what} only while planning").format(
                number=convoy.number, status=word(convoy.status), what=what
            ),
            [
                Reason(
                    "convoy_not_in_planning",
                    (
                        _(
                            "Convoy {number} is {status}: {what} is possible only while "
                            "it is being planned."
                        ).format(number=convoy.number, status=word(convoy.status), what=what)
                    ),
                )
            ],
        )


def _back_to_planning(convoy: Convoy, reason: str = "its plan changed") -> None:
    """A change to a 'ready' convoy's plan means it must be checked again."""
    if convoy.status == ConvoyStatus.ready:
        convoy.status = ConvoyStatus.planning
        convoy.status_changed_at = utcnow()
        convoy.status_reason = f"Back to planning: {reason}."
    touch(convoy)


def _flush_or_conflict(session: Session, message: str, field: str) -> None:
    """Flush; a unique constraint that lost a race with a concurrent request is a 409 naming
    the field, like the check before it, never a 500."""
    try:
        session.flush()
    except IntegrityError as exc:
        raise Conflict(message, field=field) from exc


# --- convoys --------------------------------------------------------------------------------


def _return_errors(convoy: Convoy | ConvoyCreate) -> list[tuple[str, str]]:
    errors = []
    if convoy.planned_return_at and convoy.planned_return_at <= convoy.planned_departure_at:
        errors.append(("planned_return_at", _("must be after planned_departure_at")))
    if convoy.planned_handover_at and convoy.planned_handover_at <= convoy.planned_departure_at:
        errors.append(("planned_handover_at", _("must be after planned_departure_at")))
    if (
        convoy.planned_handover_at
        and convoy.planned_return_at
        and convoy.planned_return_at < convoy.planned_handover_at
    ):
        errors.append(("planned_return_at", _("must not be before planned_handover_at")))
    return errors


def create(session: Session, data: ConvoyCreate) -> Convoy:
    errors = _return_errors(data)
    if errors:
        raise InvalidInput(errors)
    if session.exec(select(Convoy.id).where(Convoy.number == data.number)).first():
        raise Conflict(
            _("a convoy numbered {number} already exists").format(number=data.number),
            field="number",
        )
    convoy = Convoy.model_validate(data)
    session.add(convoy)
    _flush_or_conflict(
        session, _("a convoy numbered {number} already exists").format(number=data.number), "number"
    )
    return convoy


def update(session: Session, convoy: Convoy, changes: ConvoyUpdate) -> Convoy:
    if convoy.status in {ConvoyStatus.closed, ConvoyStatus.cancelled}:
        raise Conflict(
            _("convoy {number} is {status} and cannot be edited").format(
                number=convoy.number, status=word(convoy.status)
            )
        )
    if convoy.status not in PLANNABLE:
        history = sorted(changes.model_dump(exclude_unset=True).keys() - EDITABLE_ON_THE_ROAD)
        if history:
            raise RuleViolation(
                _("Convoy {number} has departed; its plan is history").format(number=convoy.number),
                [
                    Reason(
                        "plan_is_history",
                        (
                            _(
                                "Convoy {number} is {status}: its {field} is part of what "
                                "happened and can no longer change."
                            ).format(
                                number=convoy.number,
                                status=word(convoy.status),
                                field=field.replace("_", " "),
                            )
                        ),
                        field=field,
                        convoy_id=convoy.id,
                    )
                    for field in history
                ],
            )
    changed = apply_changes(convoy, changes)
    errors = _return_errors(convoy)
    if errors:
        raise InvalidInput(errors)
    if changed.keys() & PLAN_FIELDS:
        # The readiness that made it "ready" depended on these; it must be checked again.
        _back_to_planning(
            convoy,
            _("{fields} changed").format(fields=", ".join(sorted(changed.keys() & PLAN_FIELDS))),
        )
    session.flush()
    return convoy


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


def legs_of(session: Session, convoy_id: int) -> list[Leg]:
    stmt = select(Leg).where(Leg.convoy_id == convoy_id).order_by(col(Leg.position))
    return list(session.exec(stmt).all())


def loaded_items(session: Session, convoy_id: int) -> list[tuple[ConvoyItem, Item]]:
    stmt = (
        select(ConvoyItem, Item)
        .join(Item, col(Item.id) == col(ConvoyItem.item_id))
        .where(ConvoyItem.convoy_id == convoy_id)
        .order_by(col(Item.category).desc(), col(Item.id))
    )
    return [(ci, item) for ci, item in session.exec(stmt).all()]


def assignments_of(session: Session, convoy_id: int) -> list[Assignment]:
    stmt = select(Assignment).where(Assignment.convoy_id == convoy_id).order_by(col(Assignment.id))
    return list(session.exec(stmt).all())


def withdrawals_of(session: Session, convoy_id: int) -> list[DriverWithdrawal]:
    stmt = (
        select(DriverWithdrawal)
        .where(DriverWithdrawal.convoy_id == convoy_id)
        .order_by(col(DriverWithdrawal.withdrawn_at), col(DriverWithdrawal.id))
    )
    return list(session.exec(stmt).all())


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
    stmt = (
        select(LegEvent)
        .where(LegEvent.convoy_id == convoy_id)
        .order_by(col(LegEvent.occurred_at).desc(), col(LegEvent.id).desc())
        .limit(1)
    )
    return session.exec(stmt).first()


# The detail of the convoys looked at lately, while nothing has been written since.
_kept_details: Kept[ConvoyDetail] = Kept(size=256)


def kept_detail(session: Session, convoy: Convoy) -> ConvoyDetail:
    """``detail``, computed again only when the data has changed (app/core/revision.py).
    Shared with the next caller: copy it before changing it."""
    return _kept_details.get(session, convoy.id, lambda: detail(session, convoy), reread=convoy)


def kept_detail_of(session: Session, convoy_id: int) -> ConvoyDetail:
    """``kept_detail`` by id: the convoy is read only when the detail is computed."""
    return _kept_details.get(session, convoy_id, lambda: detail(session, get(session, convoy_id)))


def detail(session: Session, convoy: Convoy) -> ConvoyDetail:
    """Convoy with legs, items, assignments and position: five queries whatever its size."""
    assert convoy.id is not None
    legs = legs_of(session, convoy.id)
    loaded = loaded_items(session, convoy.id)
    records = export_records_for(session, [item.id for _, item in loaded if item.id])
    position = latest_event(session, convoy.id)
    return ConvoyDetail(
        **ConvoyRead.model_validate(convoy).model_dump(),
        legs=leg_reads(convoy, legs),
        items=[
            ConvoyItemRead(
                item_id=item.id or 0,
                name=item.name,
                category=item.category.value,
                kind=item.kind.value,
                status=item.status.value,
                destination_id=item.destination_id,
                carrier_id=ci.carrier_id,
                vin=item.vin,
                licence_class_required=(
                    item.licence_class_required.value if item.licence_class_required else None
                ),
                trailer_type=item.trailer_type,
                trailer_registration=item.trailer_registration,
                trailer_permissible_weight_kg=item.trailer_permissible_weight_kg,
                declared_value_cents=item.declared_value_cents,
                export_plate=(records[item.id].export_plate if item.id in records else None),
            )
            for ci, item in loaded
        ],
        assignments=[AssignmentRead.model_validate(a) for a in assignments_of(session, convoy.id)],
        position=LegEventRead.model_validate(position) if position else None,
    )


# --- legs -----------------------------------------------------------------------------------


def _schedule_errors(leg: Leg | LegCreate) -> list[tuple[str, str]]:
    """A leg arrives after it departs, and its planned wait fits inside it."""
    if leg.planned_arrival_at <= leg.planned_departure_at:
        return [("planned_arrival_at", _("must be after planned_departure_at"))]
    minutes = (leg.planned_arrival_at - leg.planned_departure_at).total_seconds() / 60
    if leg.planned_wait_minutes >= minutes:
        return [
            (
                "planned_wait_minutes",
                _("must be shorter than the leg itself ({minutes} minutes)").format(
                    minutes=int(minutes)
                ),
            )
        ]
    return []


def _check_leg_sequence(legs: list[Leg]) -> None:
    """Legs follow each other: a leg cannot start before the previous one arrives."""
    ordered = sorted(legs, key=lambda leg: leg.position)
    for before, after in itertools.pairwise(ordered):
        if after.planned_departure_at < before.planned_arrival_at:
            raise InvalidInput(
                [
                    (
                        "planned_departure_at",
                        (
                            _(
                                "leg {position} would depart before leg {before_position} "
                                "arrives: {time}"
                            ).format(
                                position=after.position,
                                before_position=before.position,
                                time=trips.leg_end(before),
                            )
                        ),
                    )
                ]
            )


def _sync_assignment_times(session: Session, leg: Leg) -> None:
    for assignment in session.exec(select(Assignment).where(Assignment.leg_id == leg.id)):
        assignment.starts_at = leg.planned_departure_at
        assignment.ends_at = leg.planned_arrival_at


def add_leg(session: Session, convoy: Convoy, data: LegCreate) -> Leg:
    _require_plannable(convoy, "adding legs")
    errors = _schedule_errors(data)
    if errors:
        raise InvalidInput(errors)
    assert convoy.id is not None
    legs = legs_of(session, convoy.id)
    position = data.position or (max((leg.position for leg in legs), default=0) + 1)
    if any(leg.position == position for leg in legs):
        raise Conflict(
            _("convoy {number} already has a leg {position}").format(
                number=convoy.number, position=position
            ),
            field="position",
        )
    leg = Leg.model_validate({**data.model_dump(), "convoy_id": convoy.id, "position": position})
    _check_leg_sequence([*legs, leg])
    session.add(leg)
    _back_to_planning(convoy)
    _flush_or_conflict(
        session,
        _("convoy {number} already has a leg {position}").format(
            number=convoy.number, position=position
        ),
        "position",
    )
    return leg


def update_leg(session: Session, convoy: Convoy, leg: Leg, changes: LegUpdate) -> Leg:
    _require_plannable(convoy, "changing legs")
    apply_changes(leg, changes)
    errors = _schedule_errors(leg)
    if errors:
        raise InvalidInput(errors)
    assert convoy.id is not None
    _check_leg_sequence(legs_of(session, convoy.id))
    _sync_assignment_times(session, leg)
    _back_to_planning(convoy)
    session.flush()
    return leg


def _remove(session: Session, rows: SelectOfScalar[Any]) -> None:
    """Delete the selected rows one by one through the ORM, not with one DELETE statement: a
    bulk statement bypasses the flush, and so the audit trail, which must record each removal.
    Flushed at once, so the rows are gone before anything that refers to them (a leg) is."""
    for row in session.exec(rows).all():
        session.delete(row)
    session.flush()


def delete_leg(session: Session, convoy: Convoy, leg: Leg) -> None:
    _require_plannable(convoy, "removing legs")
    _remove(session, select(Assignment).where(Assignment.leg_id == leg.id))
    session.delete(leg)
    _back_to_planning(convoy)
    session.flush()


# --- loading --------------------------------------------------------------------------------

LOADABLE = frozenset(
    {ItemStatus.accepted, ItemStatus.allocated, ItemStatus.certified, ItemStatus.export_ready}
)


def loadable_items(session: Session, limit: int = 200) -> list[Item]:
    """Items that could be loaded onto a convoy now: loadable and on no convoy yet,
    export-ready first (the others will block departure until they are)."""
    on_a_convoy = select(ConvoyItem.item_id)
    stmt = (
        select(Item)
        .where(col(Item.status).in_(LOADABLE), col(Item.id).not_in(on_a_convoy))
        .order_by(col(Item.status) != ItemStatus.export_ready, col(Item.name), col(Item.id))
        .limit(limit)
    )
    return list(session.exec(stmt))


def load_item(session: Session, convoy: Convoy, data: LoadItem) -> ConvoyItem:
    _require_plannable(convoy, "loading items")
    item = session.get(Item, data.item_id)
    if item is None:
        raise InvalidInput(
            [("item_id", _("item {item_id} does not exist").format(item_id=data.item_id))]
        )
    reasons: list[Reason] = []
    if item.status not in LOADABLE:
        reasons.append(
            Reason(
                "item_not_loadable",
                (
                    _(
                        "{item} is {status}; only accepted items that are not yet on "
                        "the road can be loaded."
                    ).format(item=item.name, status=word(item.status))
                ),
                field="item_id",
            )
        )
    existing = session.exec(select(ConvoyItem).where(ConvoyItem.item_id == item.id)).first()
    if existing is not None:
        other = session.get(Convoy, existing.convoy_id)
        reasons.append(
            Reason(
                "item_already_loaded",
                _("{item} is already loaded on convoy {number}.").format(
                    item=item.name, number=other.number if other else "?"
                ),
                field="item_id",
            )
        )
    if item.category == ItemCategory.vehicle and data.carrier_id is not None:
        reasons.append(
            Reason("vehicle_has_no_carrier", _("A vehicle drives itself."), field="carrier_id")
        )
    if data.carrier_id is not None and item.category == ItemCategory.equipment:
        carrier = session.get(ConvoyItem, (convoy.id, data.carrier_id))
        carrier_item = session.get(Item, data.carrier_id)
        if carrier is None or carrier_item is None:
            reasons.append(
                Reason(
                    "carrier_not_in_convoy",
                    _("Carrier {carrier_id} is not a vehicle loaded on this convoy.").format(
                        carrier_id=data.carrier_id
                    ),
                    field="carrier_id",
                )
            )
        elif carrier_item.category != ItemCategory.vehicle:
            reasons.append(
                Reason(
                    "carrier_not_a_vehicle",
                    _("{carrier_item} is equipment and cannot carry other items.").format(
                        carrier_item=carrier_item.name
                    ),
                    field="carrier_id",
                )
            )
    if reasons:
        raise RuleViolation(
            _("{item} cannot be loaded onto convoy {number}").format(
                item=item.name, number=convoy.number
            ),
            reasons,
        )
    assert convoy.id is not None and item.id is not None
    loaded = ConvoyItem(convoy_id=convoy.id, item_id=item.id, carrier_id=data.carrier_id)
    session.add(loaded)
    _back_to_planning(convoy)
    _flush_or_conflict(
        session, _("{item} was loaded onto another convoy").format(item=item.name), "item_id"
    )
    return loaded


def load_items(session: Session, convoy: Convoy, data: LoadItems) -> list[ConvoyItem]:
    """Load several items in one transaction: vehicles first, so equipment can name a vehicle
    of the same batch as its carrier; all are loaded, or none, with every reason."""
    order = sorted(range(len(data.items)), key=lambda n: data.items[n].carrier_id is not None)
    loaded: list[ConvoyItem] = []
    errors: list[tuple[str, str]] = []
    reasons: list[Reason] = []
    for n in order:
        wanted = data.items[n]
        try:
            loaded.append(load_item(session, convoy, wanted))
        except InvalidInput as exc:
            errors += [(f"items.{n}.{field}", message) for field, message in exc.errors]
        except RuleViolation as exc:
            for reason in exc.reasons:
                reason.field = f"items.{n}.{reason.field or 'item_id'}"
                reason.item_id = reason.item_id or wanted.item_id
                reasons.append(reason)
        except Conflict as exc:
            reasons.append(
                Reason("conflict", exc.message, f"items.{n}.item_id", item_id=wanted.item_id)
            )
    if errors:
        raise InvalidInput(errors)
    if reasons:
        raise RuleViolation(
            _("{count} item(s) cannot be loaded").format(count=len(reasons)), reasons
        )
    return loaded


def unload_item(session: Session, convoy: Convoy, item_id: int) -> None:
    _require_plannable(convoy, "unloading items")
    loaded = session.get(ConvoyItem, (convoy.id, item_id))
    if loaded is None:
        raise NotFound(N_("Loaded item"), item_id)
    riders = session.exec(select(ConvoyItem).where(ConvoyItem.carrier_id == item_id)).all()
    for rider in riders:
        rider.carrier_id = None
    _remove(
        session,
        select(Assignment).where(
            Assignment.convoy_id == convoy.id, Assignment.vehicle_id == item_id
        ),
    )
    session.delete(loaded)
    _back_to_planning(convoy)
    session.flush()


# --- assignments ------------------------------------------------------------------------------


def assign(session: Session, convoy: Convoy, data: AssignmentCreate) -> Assignment:
    """Put a driver on a vehicle for one leg.

    Double-booking is prevented under a row lock on the driver (SELECT ... FOR UPDATE), so two
    coordinators assigning the same driver at the same moment are serialised: the second sees
    the first's assignment and is refused.
    """
    _require_plannable(convoy, "assigning drivers")
    leg = session.get(Leg, data.leg_id)
    if leg is None or leg.convoy_id != convoy.id:
        raise InvalidInput(
            [("leg_id", _("leg {leg_id} is not a leg of this convoy").format(leg_id=data.leg_id))]
        )
    item = _vehicle_on(session, convoy, data.vehicle_id, "vehicle_id")
    driver = _locked_driver(session, data.driver_id, "driver_id")
    assignment, reasons = _seat(session, convoy, leg, item, driver)
    if assignment is None:
        raise RuleViolation(
            _("{driver} cannot be assigned to {item}").format(driver=driver.name, item=item.name),
            reasons,
        )
    _back_to_planning(convoy, _("{driver} was assigned").format(driver=driver.name))
    return assignment


def _vehicle_on(session: Session, convoy: Convoy, vehicle_id: int, field: str) -> Item:
    loaded = session.get(ConvoyItem, (convoy.id, vehicle_id))
    item = session.get(Item, vehicle_id)
    if loaded is None or item is None or item.category != ItemCategory.vehicle:
        raise InvalidInput(
            [
                (
                    field,
                    _("item {vehicle_id} is not a vehicle loaded on this convoy").format(
                        vehicle_id=vehicle_id
                    ),
                )
            ]
        )
    return item


def _locked_driver(session: Session, driver_id: int, field: str) -> Driver:
    """The driver row, locked for the rest of the transaction: assignments of one driver are
    decided one at a time, so two concurrent requests cannot both book them."""
    driver = session.exec(select(Driver).where(Driver.id == driver_id).with_for_update()).first()
    if driver is None:
        raise InvalidInput(
            [(field, _("driver {driver_id} does not exist").format(driver_id=driver_id))]
        )
    return driver


def _seat(
    session: Session, convoy: Convoy, leg: Leg, item: Item, driver: Driver
) -> tuple[Assignment | None, list[Reason]]:
    """Assign ``driver`` to ``item`` on ``leg`` and flush, or say every reason it cannot be.

    Flushed one by one, so the next seat of a batch sees this one (a driver cannot take two
    vehicles on one leg within one request either); the request's transaction makes a
    refused batch leave nothing behind."""
    about = {"item_id": item.id, "driver_id": driver.id, "leg_id": leg.id}
    reasons: list[Reason] = []
    taken = session.exec(
        select(Assignment).where(Assignment.leg_id == leg.id, Assignment.vehicle_id == item.id)
    ).first()
    if taken is not None:
        reasons.append(
            Reason(
                "vehicle_already_has_driver",
                (
                    _(
                        "{item} already has a driver on leg {position}; remove that "
                        "assignment first."
                    ).format(item=item.name, position=leg.position)
                ),
                field="vehicle_id",
                assignment_id=taken.id,
                **about,  # type: ignore[arg-type]
            )
        )
    clash = session.exec(
        select(Assignment, Leg, Convoy)
        .join(Leg, col(Leg.id) == col(Assignment.leg_id))
        .join(Convoy, col(Convoy.id) == col(Assignment.convoy_id))
        .where(
            Assignment.driver_id == driver.id,
            col(Assignment.starts_at) < leg.planned_arrival_at,
            col(Assignment.ends_at) > leg.planned_departure_at,
            col(Convoy.status).not_in([ConvoyStatus.cancelled, ConvoyStatus.closed]),
        )
    ).first()
    if clash is not None:
        other, other_leg, other_convoy = clash
        where = (
            f"{_vehicle_name(session, other.vehicle_id)} on leg {other_leg.position} of this convoy"
            if other_convoy.id == convoy.id
            else f"on convoy {other_convoy.number}, leg {other_leg.position} "
            f"({other_leg.from_place} → {other_leg.to_place})"
        )
        reasons.append(
            Reason(
                "driver_double_booked",
                _("{driver} already drives {where}, at the same time as leg {position}.").format(
                    driver=driver.name, where=where, position=leg.position
                ),
                field="driver_id",
                context={"other_convoy_id": other_convoy.id, "other_leg_id": other_leg.id},
                assignment_id=other.id,
                **about,  # type: ignore[arg-type]
            )
        )
    if reasons:
        return None, reasons
    assert convoy.id is not None and leg.id is not None and driver.id is not None
    assert item.id is not None
    assignment = Assignment(
        convoy_id=convoy.id,
        leg_id=leg.id,
        vehicle_id=item.id,
        driver_id=driver.id,
        starts_at=leg.planned_departure_at,
        ends_at=leg.planned_arrival_at,
    )
    session.add(assignment)
    _flush_or_conflict(
        session,
        _("{item} got a driver on leg {position} in the meantime").format(
            item=item.name, position=leg.position
        ),
        "vehicle_id",
    )
    return assignment, []


def _vehicle_name(session: Session, vehicle_id: int) -> str:
    item = session.get(Item, vehicle_id)
    return item.name if item else f"vehicle {vehicle_id}"


def assign_trip(session: Session, convoy: Convoy, data: TripAssignments) -> list[Assignment]:
    """Drivers on vehicles for the whole trip or a range of legs, in one transaction: every
    seat is taken, or nothing is, and the refusal lists every reason."""
    _require_plannable(convoy, "assigning drivers")
    assert convoy.id is not None
    legs = legs_of(session, convoy.id)
    if not legs:
        raise RuleViolation(
            _("Convoy {number} has no legs").format(number=convoy.number),
            [
                Reason(
                    "no_legs",
                    _("Convoy {number} has no route yet: add its legs first.").format(
                        number=convoy.number
                    ),
                )
            ],
        )
    positions = {leg.position for leg in legs}
    errors: list[tuple[str, str]] = []
    for n, wanted in enumerate(data.assignments):
        for name in ("first_leg", "last_leg"):
            value = getattr(wanted, name)
            if value is not None and value not in positions:
                errors.append(
                    (f"assignments.{n}.{name}", _("convoy has no leg {value}").format(value=value))
                )
        if (wanted.first_leg or 1) > (wanted.last_leg or max(positions)):
            errors.append((f"assignments.{n}.last_leg", _("is before first_leg")))
    if errors:
        raise InvalidInput(errors)
    made: list[Assignment] = []
    reasons: list[Reason] = []
    for n, wanted in enumerate(data.assignments):
        item = _vehicle_on(session, convoy, wanted.vehicle_id, f"assignments.{n}.vehicle_id")
        driver = _locked_driver(session, wanted.driver_id, f"assignments.{n}.driver_id")
        first, last = wanted.first_leg or min(positions), wanted.last_leg or max(positions)
        for leg in legs:
            if first <= leg.position <= last:
                assignment, refused = _seat(session, convoy, leg, item, driver)
                made += [assignment] if assignment else []
                reasons += refused
    if reasons:
        raise RuleViolation(
            _("{count} assignment(s) of convoy {number} refused").format(
                count=len(reasons), number=convoy.number
            ),
            reasons,
        )
    _back_to_planning(convoy, _("drivers were assigned"))
    session.flush()
    return made


def swap_driver(session: Session, convoy: Convoy, data: DriverSwap) -> list[Assignment]:
    """Put one driver in another's seats across the convoy, all of them or none."""
    _require_plannable(convoy, "changing drivers")
    assert convoy.id is not None
    leaving = _locked_driver(session, data.from_driver_id, "from_driver_id")
    coming = _locked_driver(session, data.to_driver_id, "to_driver_id")
    if leaving.id == coming.id:
        raise InvalidInput([("to_driver_id", _("is the same driver as from_driver_id"))])
    seats = [a for a in assignments_of(session, convoy.id) if a.driver_id == leaving.id]
    if not seats:
        raise RuleViolation(
            _("{leaving} drives nothing on convoy {number}").format(
                leaving=leaving.name, number=convoy.number
            ),
            [
                Reason(
                    "driver_not_on_convoy",
                    _("{leaving} has no assignment on convoy {number}.").format(
                        leaving=leaving.name, number=convoy.number
                    ),
                    field="from_driver_id",
                    driver_id=leaving.id,
                )
            ],
        )
    legs = {leg.id: leg for leg in legs_of(session, convoy.id)}
    places = [(legs[a.leg_id], a.vehicle_id) for a in seats]
    for seat in seats:
        session.delete(seat)
    session.flush()
    made: list[Assignment] = []
    reasons: list[Reason] = []
    for leg, vehicle_id in places:
        item = session.get(Item, vehicle_id)
        assert item is not None
        assignment, refused = _seat(session, convoy, leg, item, coming)
        made += [assignment] if assignment else []
        reasons += refused
    if reasons:
        raise RuleViolation(
            _("{coming} cannot take over from {leaving}").format(
                coming=coming.name, leaving=leaving.name
            ),
            reasons,
        )
    _back_to_planning(
        convoy,
        _("{coming} took over from {leaving}").format(coming=coming.name, leaving=leaving.name),
    )
    session.flush()
    return made


def withdraw_driver(
    session: Session, convoy: Convoy, driver_id: int, data: WithdrawalCreate
) -> DriverWithdrawal:
    """A driver drops out (ill, heat, family): their seats on this convoy are freed in one
    step, and the withdrawal stays on record with the seats it left empty."""
    _require_plannable(convoy, "withdrawing drivers")
    assert convoy.id is not None
    driver = session.get(Driver, driver_id)
    if driver is None:
        raise NotFound(N_("Driver"), driver_id)
    seats = [a for a in assignments_of(session, convoy.id) if a.driver_id == driver_id]
    if not seats:
        raise RuleViolation(
            _("{driver} drives nothing on convoy {number}").format(
                driver=driver.name, number=convoy.number
            ),
            [
                Reason(
                    "driver_not_on_convoy",
                    (
                        _(
                            "{driver} has no assignment on convoy {number}; there is "
                            "nothing to withdraw from."
                        ).format(driver=driver.name, number=convoy.number)
                    ),
                    driver_id=driver_id,
                )
            ],
        )
    from app.convoys.readiness import seat_label

    legs = {leg.id: leg for leg in legs_of(session, convoy.id)}
    vehicles = {item.id: item for _, item in loaded_items(session, convoy.id)}
    left_open = [
        seat_label(legs[a.leg_id], vehicles[a.vehicle_id])
        for a in sorted(seats, key=lambda a: (legs[a.leg_id].position, a.vehicle_id))
    ]
    for seat in seats:
        session.delete(seat)
    withdrawal = DriverWithdrawal(
        convoy_id=convoy.id,
        driver_id=driver_id,
        reason=data.reason,
        note=data.note,
        left_open="\n".join(left_open),
    )
    session.add(withdrawal)
    _back_to_planning(
        convoy,
        _("{driver} withdrew ({reason})").format(driver=driver.name, reason=word(data.reason)),
    )
    session.flush()
    return withdrawal


def withdrawal_read(withdrawal: DriverWithdrawal) -> WithdrawalRead:
    return WithdrawalRead.model_validate(
        {**withdrawal.model_dump(), "left_open": withdrawal.left_open.splitlines()}
    )


def unassign(session: Session, convoy: Convoy, assignment_id: int) -> None:
    _require_plannable(convoy, "removing assignments")
    assignment = session.get(Assignment, assignment_id)
    if assignment is None or assignment.convoy_id != convoy.id:
        raise NotFound(N_("Assignment"), assignment_id)
    session.delete(assignment)
    _back_to_planning(convoy)
    session.flush()


# --- progress and handover -------------------------------------------------------------------


def _departed_at(convoy: Convoy) -> datetime:
    """From when the road counts: the actual departure, or the planned one when the departure
    was recorded late (a driver's report of leaving on time is not refused)."""
    if convoy.actual_departure_at is None:
        return convoy.planned_departure_at
    return min(convoy.actual_departure_at, convoy.planned_departure_at)


def report_event(session: Session, convoy: Convoy, leg: Leg, data: LegEventCreate) -> LegEvent:
    return report_event_once(session, convoy, leg, data)[0]


def _earlier_report(session: Session, leg: Leg, data: LegEventCreate) -> LegEvent | None:
    """The report already recorded under this client key, if it is the same report."""
    if data.client_key is None:
        return None
    earlier = session.exec(select(LegEvent).where(LegEvent.client_key == data.client_key)).first()
    if earlier is not None and (earlier.leg_id, earlier.kind) != (leg.id, data.kind):
        raise Conflict(
            (
                _(
                    "client key {client_key} was already used for another report "
                    "({kind} on leg {leg_id}); make a new key per report"
                ).format(client_key=data.client_key, kind=word(earlier.kind), leg_id=earlier.leg_id)
            ),
            field="client_key",
        )
    return earlier


def report_event_once(
    session: Session, convoy: Convoy, leg: Leg, data: LegEventCreate
) -> tuple[LegEvent, bool]:
    """Progress from the road; the reporter is the logged-in account, and a coordinator
    reporting for a driver who phoned names them in ``reported_for``.

    A report sent again with its client key (a phone retrying after a lost answer) returns the
    first one, recorded once: (event, True) when it is new.
    """
    earlier = _earlier_report(session, leg, data)
    if earlier is not None:
        return earlier, False
    if convoy.status != ConvoyStatus.under_way:
        raise RuleViolation(
            _("progress is reported only while the convoy is under way"),
            [
                Reason(
                    "convoy_not_under_way",
                    (
                        _(
                            "Convoy {number} is {status}; progress can be reported once "
                            "it has departed."
                        ).format(number=convoy.number, status=word(convoy.status))
                    ),
                    convoy_id=convoy.id,
                )
            ],
        )
    if data.occurred_at > utcnow() + _CLOCK_SKEW:
        raise InvalidInput([("occurred_at", _("is in the future"))])
    departed = _departed_at(convoy)
    if data.occurred_at < departed - _CLOCK_SKEW:
        raise InvalidInput(
            [
                (
                    "occurred_at",
                    (
                        _("is before the convoy departed: {time}").format(
                            time=describe(departed, convoy.meeting_time_zone, convoy.meeting_point)
                        )
                    ),
                )
            ]
        )
    assert convoy.id is not None and leg.id is not None
    actor = acting(session)
    event = LegEvent(
        convoy_id=convoy.id,
        leg_id=leg.id,
        kind=data.kind,
        occurred_at=data.occurred_at,
        reporter_user_id=actor.user_id,
        reporter_name=actor.full_name or actor.username,
        reported_for=data.reported_for,
        note=data.note,
        client_key=data.client_key,
    )
    if data.client_key is not None:
        # Two sends of one report racing: the second finds the first's key taken and
        # answers with the first.
        try:
            with session.begin_nested():
                session.add(event)
        except IntegrityError:
            raced = _earlier_report(session, leg, data)
            if raced is None:
                raise
            return raced, False
    if data.kind == EventKind.departed:
        leg.actual_departure_at = data.occurred_at
        touch(leg)
    elif data.kind == EventKind.arrived:
        leg.actual_arrival_at = data.occurred_at
        touch(leg)
    session.add(event)
    session.flush()
    return event, True


def events_of(session: Session, convoy_id: int) -> Sequence[LegEvent]:
    stmt = (
        select(LegEvent)
        .where(LegEvent.convoy_id == convoy_id)
        .order_by(col(LegEvent.occurred_at), col(LegEvent.id))
    )
    return session.exec(stmt).all()


def handovers_of(session: Session, convoy_id: int) -> Sequence[Handover]:
    stmt = select(Handover).where(Handover.convoy_id == convoy_id).order_by(col(Handover.id))
    return session.exec(stmt).all()


# --- the status machine --------------------------------------------------------------------


def _transition(convoy: Convoy, action: str) -> ConvoyStatus:
    sources, target = TRANSITIONS[action]
    if convoy.status not in sources:
        allowed = _(" or ").join(sorted(word(s) for s in sources))
        raise RuleViolation(
            _("Convoy {number} cannot {action}").format(number=convoy.number, action=word(action)),
            [
                Reason(
                    "convoy_status",
                    (
                        _(
                            "Convoy {number} is {status}; this is possible only when it "
                            "is {allowed}."
                        ).format(number=convoy.number, status=word(convoy.status), allowed=allowed)
                    ),
                    field="status",
                )
            ],
        )
    return target


def _set_status(convoy: Convoy, status: ConvoyStatus) -> None:
    convoy.status = status
    convoy.status_changed_at = utcnow()
    convoy.status_reason = None
    touch(convoy)


def _refuse_if_blocked(session: Session, convoy: Convoy, what: str) -> None:
    from app.convoys import readiness

    result = readiness.check(session, convoy)
    if result.blockers:
        raise RuleViolation(
            _("Convoy {number} cannot {what}: {count} blocker(s)").format(
                number=convoy.number, what=what, count=len(result.blockers)
            ),
            [
                Reason(
                    f.code,
                    f.message,
                    f.field,
                    f.context or {},
                    item_id=f.item_id,
                    driver_id=f.driver_id,
                    leg_id=f.leg_id,
                    convoy_id=f.convoy_id,
                    assignment_id=f.assignment_id,
                )
                for f in result.blockers
            ],
        )


def mark_ready(session: Session, convoy: Convoy) -> Convoy:
    target = _transition(convoy, "mark_ready")
    _refuse_if_blocked(session, convoy, "be marked ready")
    _set_status(convoy, target)
    session.flush()
    return convoy


def depart(session: Session, convoy: Convoy, data: DepartureCreate | None = None) -> Convoy:
    """Under way only with no blockers; every loaded item is then in the convoy. Records when
    it actually left: reports and handovers count from then, even when it left early."""
    target = _transition(convoy, "depart")
    departed = (data.departed_at if data else None) or utcnow()
    if departed > utcnow() + _CLOCK_SKEW:
        raise InvalidInput([("departed_at", _("is in the future"))])
    _refuse_if_blocked(session, convoy, "depart")
    assert convoy.id is not None
    for _row, item in loaded_items(session, convoy.id):
        items.move(session, item, Action.join_convoy)
    convoy.actual_departure_at = departed
    legs = legs_of(session, convoy.id)
    if legs and legs[0].actual_departure_at is None:
        legs[0].actual_departure_at = departed
        touch(legs[0])
    _set_status(convoy, target)
    session.flush()
    return convoy


def arrive(session: Session, convoy: Convoy, data: ArrivalCreate | None = None) -> Convoy:
    target = _transition(convoy, "arrive")
    arrived = (data.arrived_at if data else None) or utcnow()
    if arrived > utcnow() + _CLOCK_SKEW:
        raise InvalidInput([("arrived_at", _("is in the future"))])
    if arrived < _departed_at(convoy):
        raise InvalidInput([("arrived_at", _("is before the convoy departed"))])
    convoy.actual_arrival_at = arrived
    _set_status(convoy, target)
    session.flush()
    return convoy


def close(session: Session, convoy: Convoy) -> Convoy:
    """Closed once every item has been handed over (or was taken back out)."""
    target = _transition(convoy, "close")
    assert convoy.id is not None
    open_items = [
        item for _, item in loaded_items(session, convoy.id) if item.status == ItemStatus.in_convoy
    ]
    if open_items:
        raise RuleViolation(
            _("Convoy {number} cannot be closed").format(number=convoy.number),
            [
                Reason(
                    "item_not_handed_over",
                    _("{item} has no handover recorded yet.").format(item=item.name),
                    item_id=item.id,
                )
                for item in open_items
            ],
        )
    _set_status(convoy, target)
    session.flush()
    return convoy


def cancel(session: Session, convoy: Convoy) -> Convoy:
    """A cancelled convoy frees its items and drivers for another convoy."""
    target = _transition(convoy, "cancel")
    _remove(session, select(Assignment).where(Assignment.convoy_id == convoy.id))
    _remove(session, select(ConvoyItem).where(ConvoyItem.convoy_id == convoy.id))
    _set_status(convoy, target)
    session.flush()
    return convoy


def hand_over(session: Session, convoy: Convoy, data: HandoverCreate) -> Handover:
    """Record the recipient's confirmation of receipt; the item is then delivered."""
    if convoy.status not in {ConvoyStatus.under_way, ConvoyStatus.arrived}:
        raise RuleViolation(
            _("handover happens at the destination"),
            [
                Reason(
                    "convoy_not_at_destination",
                    (
                        _(
                            "Convoy {number} is {status}; handovers are recorded once it "
                            "is under way or has arrived."
                        ).format(number=convoy.number, status=word(convoy.status))
                    ),
                )
            ],
        )
    loaded = session.get(ConvoyItem, (convoy.id, data.item_id))
    item = session.get(Item, data.item_id)
    if loaded is None or item is None:
        raise InvalidInput(
            [("item_id", _("item {item_id} is not on this convoy").format(item_id=data.item_id))]
        )
    departed = _departed_at(convoy)
    # The day it left on the meeting point's calendar; a handover date is a local date.
    if data.handed_over_on < local_date(departed, convoy.meeting_time_zone):
        raise InvalidInput(
            [
                (
                    "handed_over_on",
                    (
                        _("is before the convoy departed: {time}").format(
                            time=describe(departed, convoy.meeting_time_zone, convoy.meeting_point)
                        )
                    ),
                )
            ]
        )
    assert convoy.id is not None
    # Handed over where the trip ends: a date already today there is not in the future.
    trip_end = trips.of(convoy, legs_of(session, convoy.id)).handover
    if data.handed_over_on > today_at(trip_end.zone):
        raise InvalidInput([("handed_over_on", _("is in the future"))])
    assert item.destination_id is not None  # departure required a destination
    items.move(session, item, Action.deliver)
    handover = Handover(
        item_id=data.item_id,
        convoy_id=convoy.id,
        destination_id=item.destination_id,
        **data.model_dump(exclude={"item_id"}),
    )
    session.add(handover)
    _flush_or_conflict(
        session, _("{item} has already been handed over").format(item=item.name), "item_id"
    )
    return handover


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
