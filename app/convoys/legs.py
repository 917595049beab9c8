"""A convoy's legs: each arrives after it departs, with its wait inside it, and none departs
before the one before it arrives. Drivers' assignments follow a leg's times.
"""

import itertools

from sqlmodel import Session, select

from app.convoys import planning, service
from app.convoys import trip as trips
from app.convoys.models import Assignment, Convoy, Leg
from app.convoys.schemas import LegCreate, LegUpdate
from app.core.errors import Conflict, InvalidInput
from app.core.i18n import _
from app.core.service import apply_changes, delete_each, flush_or_conflict


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
    planning.require_plannable(convoy, "adding legs")
    errors = _schedule_errors(data)
    if errors:
        raise InvalidInput(errors)
    assert convoy.id is not None
    legs = service.legs_of(session, convoy.id)
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
    planning.back_to_planning(convoy)
    flush_or_conflict(
        session,
        _("convoy {number} already has a leg {position}").format(
            number=convoy.number, position=position
        ),
        "position",
    )
    return leg


def update_leg(session: Session, convoy: Convoy, leg: Leg, changes: LegUpdate) -> Leg:
    planning.require_plannable(convoy, "changing legs")
    apply_changes(leg, changes)
    errors = _schedule_errors(leg)
    if errors:
        raise InvalidInput(errors)
    assert convoy.id is not None
    _check_leg_sequence(service.legs_of(session, convoy.id))
    _sync_assignment_times(session, leg)
    planning.back_to_planning(convoy)
    session.flush()
    return leg


def delete_leg(session: Session, convoy: Convoy, leg: Leg, reason: str | None = None) -> None:
    """The leg and its seats removed; ``reason``, when given, kept beside the status."""
    planning.require_plannable(convoy, "removing legs")
    delete_each(session, select(Assignment).where(Assignment.leg_id == leg.id))
    session.delete(leg)
    planning.back_to_planning(convoy)
    what = _("Leg {position} ({start} → {end}) removed").format(
        position=leg.position, start=leg.from_place, end=leg.to_place
    )
    planning.note_change(convoy, what, reason)
    session.flush()
