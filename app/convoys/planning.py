"""A convoy's plan: the record itself (``create``, ``update``) and the two rules every change to
the plan follows: it changes only while the convoy is being planned, and a "ready" convoy whose
plan changed goes back to planning, to be checked again.
"""

import re
from collections import Counter

from sqlmodel import Session, col, select

from app.convoys.models import Convoy, ConvoyStatus
from app.convoys.schemas import ConvoyCreate, ConvoyUpdate
from app.core.errors import Conflict, InvalidInput, Reason, RuleViolation
from app.core.i18n import _, word
from app.core.service import apply_changes, flush_or_conflict, touch
from app.core.types import utcnow

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


def require_plannable(convoy: Convoy, what: str) -> None:
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


def note_change(convoy: Convoy, what: str, reason: str | None) -> None:
    """A change someone gave a reason for (a leg removed, an item unloaded, the convoy
    cancelled): said beside the status and kept in the convoy's history."""
    if reason:
        convoy.status_reason = f"{what}: {reason}"[:500]
        touch(convoy)


def back_to_planning(convoy: Convoy, reason: str = "its plan changed") -> None:
    """A change to a 'ready' convoy's plan means it must be checked again."""
    if convoy.status == ConvoyStatus.ready:
        convoy.status = ConvoyStatus.planning
        convoy.status_changed_at = utcnow()
        convoy.status_reason = f"Back to planning: {reason}."
    touch(convoy)


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
    flush_or_conflict(
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
        back_to_planning(
            convoy,
            _("{fields} changed").format(fields=", ".join(sorted(changed.keys() & PLAN_FIELDS))),
        )
    session.flush()
    return convoy


_NUMBERED = re.compile(r"^(.*?)(\d+)$")


# How many of the latest convoys say which series a new one most likely continues.
RECENT_CONVOYS = 50


def suggestions(session: Session) -> dict[str, str]:
    """What a new convoy's form starts with: the next number of the series most of the recent
    convoys belong to ("W4U-03" → "W4U-04", not the number of another partnership's series
    that happens to leave later) and the meeting point and zone its latest convoy left from."""
    recent = session.exec(
        select(Convoy)
        .order_by(col(Convoy.planned_departure_at).desc(), col(Convoy.id).desc())
        .limit(RECENT_CONVOYS)
    ).all()
    if not recent:
        return {}
    series = Counter(
        numbered.group(1) for c in recent if (numbered := _NUMBERED.match(c.number)) is not None
    )
    usual = series.most_common(1)[0][0] if series else None
    latest = next((c for c in recent if usual and c.number.startswith(usual)), recent[0])
    found: dict[str, str] = {
        "meeting_point": latest.meeting_point,
        "meeting_time_zone": latest.meeting_time_zone,
    }
    numbered = _NUMBERED.match(latest.number)
    if numbered:
        digits = numbered.group(2)
        following = str(int(digits) + 1).zfill(len(digits))
        candidate = numbered.group(1) + following
        taken = session.exec(select(Convoy.id).where(Convoy.number == candidate)).first()
        if taken is None:
            found["number"] = candidate
    return found
