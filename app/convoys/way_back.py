"""The way back: the vehicles that bring the team home after the handover, their legs, who
drives each, and the rest each driver gets before taking the wheel again.

On the first convoy the escort team drove home after four hours' sleep in Lviv: the rest before
the return is the rule that matters most to people (DOMAIN.md). It is the same daily rest as on
the way out, 11 h reducible to 9 h: a vehicle within Regulation 561/2006 (over 3.5 t, or more
than 9 persons) is blocked from departing without it, a van outside it is warned about.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple, Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam
from sqlalchemy import select as select_rows
from sqlmodel import Session, col, select

from app.convoys import driving_time, planning
from app.convoys import trip as trips
from app.convoys.models import (
    Assignment,
    Convoy,
    ConvoyStatus,
    Leg,
    ReturnLeg,
    ReturnVehicle,
    under_561,
)
from app.convoys.schemas import (
    ReturnLegCreate,
    ReturnLegRead,
    ReturnLegUpdate,
    ReturnVehicleCreate,
    ReturnVehicleRead,
)
from app.convoys.service import legs_of
from app.core.database import plain_rows
from app.core.errors import InvalidInput, NotFound, Reason, RuleViolation
from app.core.i18n import N_, _
from app.core.service import apply_changes, flush_or_conflict
from app.drivers.models import Driver


class BackVehicle(NamedTuple):
    """A return vehicle as the plan is read: a plain row. The plan is read for every phone
    page, board and readiness check, and most convoys have no way back planned yet: an ORM
    read of nothing cost the phone page as much as its convoy's read."""

    id: int
    version: int
    convoy_id: int
    name: str
    gross_weight_kg: int
    seats: int

    @property
    def under_561(self) -> bool:
        return under_561(self.gross_weight_kg, self.seats)


class BackLeg(NamedTuple):
    """A leg of the way back, as the plan is read."""

    id: int
    version: int
    convoy_id: int
    return_vehicle_id: int
    position: int
    from_place: str
    to_place: str
    to_time_zone: str
    planned_departure_at: datetime
    planned_arrival_at: datetime
    distance_km: int
    driver_id: int | None


class ReturnStage(trips.Span, Protocol):
    """What the rules read of a return leg: one of the plan's, or the one being changed."""

    @property
    def return_vehicle_id(self) -> int: ...


@dataclass(frozen=True)
class Plan:
    """The way back as read once: each return vehicle with its legs in order."""

    vehicles: list[tuple[BackVehicle, list[BackLeg]]]

    @property
    def legs(self) -> list[tuple[BackVehicle, BackLeg]]:
        return [(v, leg) for v, legs in self.vehicles for leg in legs]


# A convoy's way back, read for every phone page and board: each return vehicle with its
# legs, in one statement built once.
_WAY_BACK = (
    select_rows(
        *(col(getattr(ReturnVehicle, name)) for name in BackVehicle._fields),
        *(col(getattr(ReturnLeg, name)) for name in BackLeg._fields),
    )
    .outerjoin(ReturnLeg, col(ReturnLeg.return_vehicle_id) == col(ReturnVehicle.id))
    .where(col(ReturnVehicle.convoy_id) == bindparam("convoy_id"))
    .order_by(col(ReturnVehicle.id), col(ReturnLeg.position))
)
_VEHICLE_COLUMNS = len(BackVehicle._fields)


def plan_of(session: Session, convoy_id: int) -> Plan:
    vehicles: dict[int, tuple[BackVehicle, list[BackLeg]]] = {}
    for row in plain_rows(session, _WAY_BACK, {"convoy_id": convoy_id}):
        vehicle = BackVehicle._make(row[:_VEHICLE_COLUMNS])
        _vehicle, legs = vehicles.setdefault(vehicle.id, (vehicle, []))
        if row[_VEHICLE_COLUMNS] is not None:  # a vehicle without legs yet (the outer join)
            legs.append(BackLeg._make(row[_VEHICLE_COLUMNS:]))
    return Plan(list(vehicles.values()))


def read(plan: Plan) -> list[ReturnVehicleRead]:
    return [
        ReturnVehicleRead(
            id=v.id or 0,
            version=v.version,
            name=v.name,
            gross_weight_kg=v.gross_weight_kg,
            seats=v.seats,
            under_561=v.under_561,
            legs=[ReturnLegRead.model_validate(leg._asdict()) for leg in legs],
        )
        for v, legs in plan.vehicles
    ]


def start_zone(
    convoy: trips.Route, outward: Sequence[trips.Stage], plan: Plan, leg: ReturnStage
) -> str:
    """A return leg starts where the one before it ended; the first at the handover."""
    before = [
        other
        for v, other in plan.legs
        if v.id == leg.return_vehicle_id and other.position < leg.position
    ]
    if before:
        return max(before, key=lambda other: other.position).to_time_zone
    return trips.of(convoy, outward).handover.zone


def start_of(
    convoy: trips.Route, outward: Sequence[trips.Stage], plan: Plan, leg: ReturnStage
) -> trips.Moment:
    zone = start_zone(convoy, outward, plan, leg)
    return trips.Moment(leg.planned_departure_at, zone, leg.from_place)


def end_of(leg: ReturnStage) -> trips.Moment:
    return trips.Moment(leg.planned_arrival_at, leg.to_time_zone, leg.to_place)


def add_vehicle(session: Session, convoy: Convoy, data: ReturnVehicleCreate) -> ReturnVehicle:
    planning.require_plannable(convoy, "planning the way back")
    assert convoy.id is not None
    vehicle = ReturnVehicle.model_validate({**data.model_dump(), "convoy_id": convoy.id})
    session.add(vehicle)
    planning.back_to_planning(convoy, _("the way back changed"))
    session.flush()
    return vehicle


def vehicle_of(session: Session, convoy: Convoy, vehicle_id: int) -> ReturnVehicle:
    vehicle = session.get(ReturnVehicle, vehicle_id)
    if vehicle is None or vehicle.convoy_id != convoy.id:
        raise NotFound(N_("Return vehicle"), vehicle_id)
    return vehicle


def leg_of(session: Session, convoy: Convoy, leg_id: int) -> ReturnLeg:
    leg = session.get(ReturnLeg, leg_id)
    if leg is None or leg.convoy_id != convoy.id:
        raise NotFound(N_("Return leg"), leg_id)
    return leg


def add_leg(
    session: Session, convoy: Convoy, vehicle: ReturnVehicle, data: ReturnLegCreate
) -> ReturnLeg:
    planning.require_plannable(convoy, "planning the way back")
    assert convoy.id is not None and vehicle.id is not None
    plan = plan_of(session, convoy.id)
    legs = next(legs for v, legs in plan.vehicles if v.id == vehicle.id)
    leg = ReturnLeg.model_validate(
        {
            **data.model_dump(),
            "convoy_id": convoy.id,
            "return_vehicle_id": vehicle.id,
            "position": max((other.position for other in legs), default=0) + 1,
        }
    )
    _check_times(session, convoy, leg, legs)
    if leg.driver_id is not None:
        _check_driver(session, convoy, leg, leg.driver_id)
    session.add(leg)
    planning.back_to_planning(convoy, _("the way back changed"))
    flush_or_conflict(
        session,
        _("{vehicle} got another leg in the meantime").format(vehicle=vehicle.name),
        "return_vehicle_id",
    )
    return leg


def update_leg(
    session: Session, convoy: Convoy, leg: ReturnLeg, changes: ReturnLegUpdate
) -> ReturnLeg:
    """A later departure, another driver: the change a rest warning asks for."""
    planning.require_plannable(convoy, "planning the way back")
    assert convoy.id is not None
    apply_changes(leg, changes)
    plan = plan_of(session, convoy.id)
    legs = [other for v, other in plan.legs if v.id == leg.return_vehicle_id and other.id != leg.id]
    _check_times(session, convoy, leg, legs)
    if leg.driver_id is not None:
        _check_driver(session, convoy, leg, leg.driver_id)
    planning.back_to_planning(convoy, _("the way back changed"))
    session.flush()
    return leg


def _check_times(
    session: Session, convoy: Convoy, leg: ReturnLeg, others: Sequence[ReturnStage]
) -> None:
    assert convoy.id is not None
    if leg.planned_arrival_at <= leg.planned_departure_at:
        raise InvalidInput([("planned_arrival_at", _("must be after planned_departure_at"))])
    handover = trips.of(convoy, _outward(session, convoy.id)).handover
    if leg.planned_departure_at < handover.at:
        raise InvalidInput(
            [
                (
                    "planned_departure_at",
                    _("the way back starts after the handover {time}").format(time=handover),
                )
            ]
        )
    for other in others:
        if (
            other.position < leg.position and leg.planned_departure_at < other.planned_arrival_at
        ) or (
            other.position > leg.position and other.planned_departure_at < leg.planned_arrival_at
        ):
            raise InvalidInput(
                [
                    (
                        "planned_departure_at",
                        _("overlaps return leg {position} of the same vehicle").format(
                            position=other.position
                        ),
                    )
                ]
            )


def _check_driver(session: Session, convoy: Convoy, leg: ReturnLeg, driver_id: int) -> None:
    """The driver exists and drives nothing else at the same time (a seat outward, or another
    return leg); decided under a lock on the driver's row, like an outward seat."""
    driver = session.exec(select(Driver).where(Driver.id == driver_id).with_for_update()).first()
    if driver is None:
        raise InvalidInput(
            [("driver_id", _("driver {driver_id} does not exist").format(driver_id=driver_id))]
        )
    live = col(Convoy.status).not_in([ConvoyStatus.cancelled, ConvoyStatus.closed])
    seat = session.exec(
        select(Assignment)
        .join(Convoy, col(Convoy.id) == col(Assignment.convoy_id))
        .where(
            Assignment.driver_id == driver_id,
            col(Assignment.starts_at) < leg.planned_arrival_at,
            col(Assignment.ends_at) > leg.planned_departure_at,
            live,
        )
    ).first()
    other = session.exec(
        select(ReturnLeg)
        .join(Convoy, col(Convoy.id) == col(ReturnLeg.convoy_id))
        .where(
            ReturnLeg.driver_id == driver_id,
            col(ReturnLeg.planned_departure_at) < leg.planned_arrival_at,
            col(ReturnLeg.planned_arrival_at) > leg.planned_departure_at,
            col(ReturnLeg.id) != (leg.id or 0),
            live,
        )
    ).first()
    if seat is not None or other is not None:
        raise RuleViolation(
            _("{driver} cannot drive this return leg").format(driver=driver.name),
            [
                Reason(
                    "driver_double_booked",
                    _("{driver} already drives at the same time as this return leg.").format(
                        driver=driver.name
                    ),
                    field="driver_id",
                    driver_id=driver_id,
                )
            ],
        )


def _outward(session: Session, convoy_id: int) -> list[Leg]:
    return legs_of(session, convoy_id)


# --- the rest before the return -----------------------------------------------------------------


@dataclass(frozen=True)
class Rest:
    """One driver's rest before their first return leg."""

    driver_id: int
    vehicle: BackVehicle
    leg: BackLeg
    start: trips.Moment  # the later of their last outward driving and the handover
    end: trips.Moment  # the return leg's departure

    @property
    def length(self) -> timedelta:
        return self.end.at - self.start.at

    @property
    def too_short(self) -> bool:
        return self.length < driving_time.REDUCED_DAILY_REST


def rests(
    convoy: trips.Route,
    outward: Sequence[trips.Stage],
    plan: Plan,
    driven_until: dict[int, datetime],
) -> list[Rest]:
    """Each return driver's rest: from the later of their last outward driving (from
    ``driven_until``) and the handover, which is work too, to their first return leg."""
    handover = trips.of(convoy, outward).handover
    first: dict[int, tuple[BackVehicle, BackLeg]] = {}
    for vehicle, leg in plan.legs:
        if leg.driver_id is None:
            continue
        known = first.get(leg.driver_id)
        if known is None or leg.planned_departure_at < known[1].planned_departure_at:
            first[leg.driver_id] = (vehicle, leg)
    out: list[Rest] = []
    for driver_id, (vehicle, leg) in sorted(first.items()):
        until = driven_until.get(driver_id)
        start = (
            trips.Moment(until, handover.zone, handover.place)
            if until is not None and until > handover.at
            else handover
        )
        out.append(Rest(driver_id, vehicle, leg, start, start_of(convoy, outward, plan, leg)))
    return out


def return_blocks(
    convoy: Convoy, outward: list[Leg], plan: Plan
) -> dict[int, list[driving_time.DrivingBlock]]:
    """The driving of return legs within Regulation 561/2006, per driver, in the zone each leg
    starts in: checked with the outward driving by the same rules. A leg is driven without a
    break unless the plan splits it into legs."""
    blocks: dict[int, list[driving_time.DrivingBlock]] = {}
    for vehicle, leg in plan.legs:
        if leg.driver_id is None or not vehicle.under_561:
            continue
        zone = ZoneInfo(start_zone(convoy, outward, plan, leg))
        blocks.setdefault(leg.driver_id, []).append(
            driving_time.DrivingBlock(
                start=leg.planned_departure_at.astimezone(zone),
                end=leg.planned_arrival_at.astimezone(zone),
                leg_id=-(leg.id or 0),
            )
        )
    return blocks
