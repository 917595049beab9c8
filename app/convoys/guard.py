"""A convoy marked ready never says "ready" beside a blocker.

Readiness depends on records outside the convoy: its drivers (licences, availability), its
items (status, papers), their export records and usage certificates. Every flush notes which
of those changed; before the transaction commits, each *ready* convoy they belong to is checked
again, and one that now has a blocker goes back to planning with the blockers as its reason
(recorded in its history by the audit trail, in the same transaction). Changes to the convoy's
own legs, loading and assignments send it back to planning where they are made already
(``planning.back_to_planning``).
"""

from typing import Any

from sqlalchemy import event
from sqlmodel import Session, col, select

from app.certificates.models import CertificateItem, UsageCertificate
from app.convoys.models import Assignment, Convoy, ConvoyItem, ConvoyStatus
from app.core.service import touch
from app.core.types import utcnow
from app.drivers.models import Driver, DriverAvailability, DriverLicence
from app.exports.models import ExportRecord
from app.items.models import Item

_TOUCHED = "convoy_guard_touched"


def _note(session: Session, _context: Any) -> None:
    touched: dict[str, set[int]] = session.info.setdefault(
        _TOUCHED, {"drivers": set(), "items": set(), "certificates": set()}
    )
    for row in [*session.new, *session.dirty, *session.deleted]:
        if isinstance(row, Driver) and row.id is not None:
            touched["drivers"].add(row.id)
        elif isinstance(row, DriverLicence | DriverAvailability):
            touched["drivers"].add(row.driver_id)
        elif isinstance(row, Item) and row.id is not None:
            touched["items"].add(row.id)
        elif isinstance(row, ExportRecord | CertificateItem):
            touched["items"].add(row.item_id)
        elif isinstance(row, UsageCertificate) and row.id is not None:
            touched["certificates"].add(row.id)


def affected(session: Session, touched: dict[str, set[int]]) -> list[Convoy]:
    """The ready convoys whose readiness the touched records take part in."""
    items = set(touched["items"])
    if touched["certificates"]:
        covered = select(CertificateItem.item_id).where(
            col(CertificateItem.certificate_id).in_(touched["certificates"])
        )
        items |= set(session.exec(covered).all())
    convoy_ids: set[int] = set()
    if items:
        loaded = select(ConvoyItem.convoy_id).where(col(ConvoyItem.item_id).in_(items))
        convoy_ids |= set(session.exec(loaded).all())
    if touched["drivers"]:
        driving = select(Assignment.convoy_id).where(
            col(Assignment.driver_id).in_(touched["drivers"])
        )
        convoy_ids |= set(session.exec(driving).all())
    if not convoy_ids:
        return []
    ready = select(Convoy).where(
        col(Convoy.id).in_(convoy_ids), Convoy.status == ConvoyStatus.ready
    )
    return list(session.exec(ready).all())


def _recheck(session: Session) -> None:
    touched: dict[str, set[int]] | None = session.info.pop(_TOUCHED, None)
    if not touched or not any(touched.values()):
        return
    from app.convoys import readiness  # readiness reads every domain; imported when needed

    for convoy in affected(session, touched):
        blockers = readiness.check(session, convoy).blockers
        if not blockers:
            continue
        said = "; ".join(b.message for b in blockers[:3])
        more = f" (and {len(blockers) - 3} more)" if len(blockers) > 3 else ""
        convoy.status = ConvoyStatus.planning
        convoy.status_changed_at = utcnow()
        convoy.status_reason = f"Back to planning: {said}{more}"[:1000]
        touch(convoy)
    session.flush()
    session.info.pop(_TOUCHED, None)  # the convoys' own changes need no second look


def _forget(session: Session, *_args: Any) -> None:
    session.info.pop(_TOUCHED, None)


def install() -> None:
    if event.contains(Session, "after_flush", _note):
        return
    event.listen(Session, "after_flush", _note)
    event.listen(Session, "before_commit", _recheck)
    event.listen(Session, "after_rollback", _forget)
