"""The convoy's status machine: planning → ready → under way → arrived → closed, or cancelled.
Ready and departure only without blockers (the readiness check); closed once every item is
handed over; a cancelled convoy frees its items and drivers.
"""

from sqlmodel import Session, select

from app.convoys import progress, readiness, service
from app.convoys.models import Assignment, Convoy, ConvoyItem, ConvoyStatus
from app.convoys.schemas import ArrivalCreate, DepartureCreate
from app.core.errors import InvalidInput, Reason, RuleViolation
from app.core.i18n import _, word
from app.core.service import delete_each, touch
from app.core.types import utcnow
from app.items import service as items
from app.items.lifecycle import Action
from app.items.models import ItemStatus

# The convoy status machine: action -> (statuses it may start from, status it leads to).
TRANSITIONS: dict[str, tuple[frozenset[ConvoyStatus], ConvoyStatus]] = {
    "mark_ready": (frozenset({ConvoyStatus.planning}), ConvoyStatus.ready),
    "depart": (frozenset({ConvoyStatus.planning, ConvoyStatus.ready}), ConvoyStatus.under_way),
    "arrive": (frozenset({ConvoyStatus.under_way}), ConvoyStatus.arrived),
    "close": (frozenset({ConvoyStatus.arrived}), ConvoyStatus.closed),
    "cancel": (frozenset({ConvoyStatus.planning, ConvoyStatus.ready}), ConvoyStatus.cancelled),
}


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
    if departed > utcnow() + progress.CLOCK_SKEW:
        raise InvalidInput([("departed_at", _("is in the future"))])
    _refuse_if_blocked(session, convoy, "depart")
    assert convoy.id is not None
    for _row, item in service.loaded_items(session, convoy.id):
        items.move(session, item, Action.join_convoy)
    convoy.actual_departure_at = departed
    legs = service.legs_of(session, convoy.id)
    if legs and legs[0].actual_departure_at is None:
        legs[0].actual_departure_at = departed
        touch(legs[0])
    _set_status(convoy, target)
    session.flush()
    return convoy


def arrive(session: Session, convoy: Convoy, data: ArrivalCreate | None = None) -> Convoy:
    target = _transition(convoy, "arrive")
    arrived = (data.arrived_at if data else None) or utcnow()
    if arrived > utcnow() + progress.CLOCK_SKEW:
        raise InvalidInput([("arrived_at", _("is in the future"))])
    if arrived < progress.departed_at(convoy):
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
        item
        for _, item in service.loaded_items(session, convoy.id)
        if item.status == ItemStatus.in_convoy
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


def cancel(session: Session, convoy: Convoy, reason: str | None = None) -> Convoy:
    """A cancelled convoy frees its items and drivers for another convoy; ``reason``, when
    given, is kept as the status's reason."""
    target = _transition(convoy, "cancel")
    delete_each(session, select(Assignment).where(Assignment.convoy_id == convoy.id))
    delete_each(session, select(ConvoyItem).where(ConvoyItem.convoy_id == convoy.id))
    _set_status(convoy, target)
    if reason:
        convoy.status_reason = reason[:500]
    session.flush()
    return convoy
