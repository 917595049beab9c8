"""Who drives what: a driver in a vehicle's seat on a leg, never in two places at once (decided
under a lock on the driver's row), a driver's seats taken over by another, or freed when the
driver withdraws.
"""

from sqlmodel import Session, col, select

from app.convoys import planning, service
from app.convoys.models import Assignment, Convoy, ConvoyItem, ConvoyStatus, DriverWithdrawal, Leg
from app.convoys.schemas import AssignmentCreate, DriverSwap, TripAssignments, WithdrawalCreate
from app.core.errors import InvalidInput, NotFound, Reason, RuleViolation
from app.core.i18n import N_, _, word
from app.core.service import flush_or_conflict
from app.drivers.models import Driver
from app.items.models import Item, ItemCategory


def assign(session: Session, convoy: Convoy, data: AssignmentCreate) -> Assignment:
    """Put a driver on a vehicle for one leg.

    Double-booking is prevented under a row lock on the driver (SELECT ... FOR UPDATE), so two
    coordinators assigning the same driver at the same moment are serialised: the second sees
    the first's assignment and is refused.
    """
    planning.require_plannable(convoy, "assigning drivers")
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
    planning.back_to_planning(convoy, _("{driver} was assigned").format(driver=driver.name))
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
            _("{vehicle} on leg {position} of this convoy").format(
                vehicle=_vehicle_name(session, other.vehicle_id), position=other_leg.position
            )
            if other_convoy.id == convoy.id
            else _("on convoy {number}, leg {position} ({start} → {end})").format(
                number=other_convoy.number,
                position=other_leg.position,
                start=other_leg.from_place,
                end=other_leg.to_place,
            )
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
    flush_or_conflict(
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
    planning.require_plannable(convoy, "assigning drivers")
    assert convoy.id is not None
    legs = service.legs_of(session, convoy.id)
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
    planning.back_to_planning(convoy, _("drivers were assigned"))
    session.flush()
    return made


def swap_driver(session: Session, convoy: Convoy, data: DriverSwap) -> list[Assignment]:
    """Put one driver in another's seats across the convoy, all of them or none."""
    planning.require_plannable(convoy, "changing drivers")
    assert convoy.id is not None
    leaving = _locked_driver(session, data.from_driver_id, "from_driver_id")
    coming = _locked_driver(session, data.to_driver_id, "to_driver_id")
    if leaving.id == coming.id:
        raise InvalidInput([("to_driver_id", _("is the same driver as from_driver_id"))])
    seats = [a for a in service.assignments_of(session, convoy.id) if a.driver_id == leaving.id]
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
    legs = {leg.id: leg for leg in service.legs_of(session, convoy.id)}
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
    planning.back_to_planning(
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
    planning.require_plannable(convoy, "withdrawing drivers")
    assert convoy.id is not None
    driver = session.get(Driver, driver_id)
    if driver is None:
        raise NotFound(N_("Driver"), driver_id)
    seats = [a for a in service.assignments_of(session, convoy.id) if a.driver_id == driver_id]
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
    legs = {leg.id: leg for leg in service.legs_of(session, convoy.id)}
    vehicles = {item.id: item for _, item in service.loaded_items(session, convoy.id)}
    left_open = [
        service.seat_label(legs[a.leg_id], vehicles[a.vehicle_id])
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
    planning.back_to_planning(
        convoy,
        _("{driver} withdrew ({reason})").format(driver=driver.name, reason=word(data.reason)),
    )
    session.flush()
    return withdrawal


def unassign(session: Session, convoy: Convoy, assignment_id: int) -> None:
    planning.require_plannable(convoy, "removing assignments")
    assignment = session.get(Assignment, assignment_id)
    if assignment is None or assignment.convoy_id != convoy.id:
        raise NotFound(N_("Assignment"), assignment_id)
    session.delete(assignment)
    planning.back_to_planning(convoy)
    session.flush()
