"""What happens on the road and at the destination: progress reported from the road (once, however
often a phone sends it) and the recipient's confirmation of receipt.
"""

from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.convoys import service
from app.convoys import trip as trips
from app.convoys.models import Convoy, ConvoyItem, ConvoyStatus, EventKind, Handover, Leg, LegEvent
from app.convoys.schemas import HandoverCreate, LegEventCreate
from app.core.context import acting
from app.core.errors import Conflict, InvalidInput, Reason, RuleViolation
from app.core.i18n import _, word
from app.core.localtime import describe, local_date, today_at
from app.core.service import flush_or_conflict, touch
from app.core.types import utcnow
from app.items import service as items
from app.items.lifecycle import Action
from app.items.models import Item

# Phones abroad have drifting clocks; a report a few minutes "ahead" is not an error.
CLOCK_SKEW = timedelta(minutes=10)


def departed_at(convoy: Convoy) -> datetime:
    """From when the road counts: the actual departure, or the planned one when the departure
    was recorded late (a driver's report of leaving on time is not refused)."""
    if convoy.actual_departure_at is None:
        return convoy.planned_departure_at
    return min(convoy.actual_departure_at, convoy.planned_departure_at)


def report_event(session: Session, convoy: Convoy, leg: Leg, data: LegEventCreate) -> LegEvent:
    return report_event_once(session, convoy, leg, data)[0]


def _earlier_report(session: Session, leg: Leg, data: LegEventCreate) -> LegEvent | None:
    """The report this account already recorded under this client key, if it is the same
    report (keys are the reporter's own: another account's key is never found here)."""
    if data.client_key is None:
        return None
    earlier = session.exec(
        select(LegEvent).where(
            LegEvent.reporter_user_id == acting(session).user_id,
            LegEvent.client_key == data.client_key,
        )
    ).first()
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


# Steps of a leg that happen once: a second report of one (a tap on a done step, the same
# step sent from two phones) records nothing. Positions are reported as often as wanted.
ONCE_PER_LEG = frozenset(
    {EventKind.departed, EventKind.border_queued, EventKind.border_crossed, EventKind.arrived}
)


def _step_done(session: Session, leg: Leg, kind: EventKind) -> LegEvent | None:
    """The report of this step on this leg, if there is one. The leg's row is locked first,
    so two phones reporting the step at once are recorded one after the other."""
    if kind not in ONCE_PER_LEG:
        return None
    session.exec(select(Leg.id).where(col(Leg.id) == leg.id).with_for_update()).first()
    return session.exec(
        select(LegEvent)
        .where(col(LegEvent.leg_id) == leg.id, col(LegEvent.kind) == kind)
        .order_by(col(LegEvent.id))
    ).first()


def report_event_once(
    session: Session, convoy: Convoy, leg: Leg, data: LegEventCreate
) -> tuple[LegEvent, bool]:
    """Progress from the road; the reporter is the logged-in account, and a coordinator
    reporting for a driver who phoned names them in ``reported_for``.

    A report sent again with its client key (a phone retrying after a lost answer) returns the
    first one, recorded once: (event, True) when it is new.
    """
    earlier = _earlier_report(session, leg, data) or _step_done(session, leg, data.kind)
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
    if data.occurred_at > utcnow() + CLOCK_SKEW:
        raise InvalidInput([("occurred_at", _("is in the future"))])
    departed = departed_at(convoy)
    if data.occurred_at < departed - CLOCK_SKEW:
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
    departed = departed_at(convoy)
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
    trip_end = trips.of(convoy, service.legs_of(session, convoy.id)).handover
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
    flush_or_conflict(
        session, _("{item} has already been handed over").format(item=item.name), "item_id"
    )
    return handover
