"""Reading the audit trail. Entries are written only by app.audit.recording; the one change
ever made to a stored entry is the erasure of personal values (``erase_values``)."""

from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_
from sqlmodel import Session, col, select

from app.audit.models import AuditEntry
from app.audit.recording import REDACTED, plain
from app.audit.schemas import AuditEntryRead
from app.core.errors import InvalidInput
from app.core.i18n import _
from app.core.models import Record
from app.core.pagination import keyset_page
from app.core.service import like

# What an erased personal value reads as in the trail.
ERASED = "erased"

SORTABLE = {
    "occurred_at": col(AuditEntry.occurred_at),
    "id": col(AuditEntry.id),
}


def search(
    session: Session,
    *,
    entity: str | None = None,
    entity_id: str | None = None,
    actor_user_id: int | None = None,
    actor: str | None = None,
    operation: str | None = None,
    occurred_from: datetime | None = None,
    occurred_to: datetime | None = None,
    sort: str = "-occurred_at",
    cursor: str | None = None,
    limit: int = 50,
) -> tuple[Sequence[AuditEntry], str | None]:
    """Entries matching every filter given; ``occurred_from`` inclusive, ``occurred_to`` not."""
    if occurred_from and occurred_to and occurred_from >= occurred_to:
        raise InvalidInput([("occurred_to", _("must be later than occurred_from"))])
    stmt = select(AuditEntry)
    if entity:
        stmt = stmt.where(AuditEntry.entity == entity)
    if entity_id:
        stmt = stmt.where(AuditEntry.entity_id == entity_id)
    if actor_user_id is not None:
        stmt = stmt.where(AuditEntry.actor_user_id == actor_user_id)
    if actor:
        stmt = stmt.where(func.lower(AuditEntry.actor_name).like(like(actor), escape="\\"))
    if operation:
        stmt = stmt.where(AuditEntry.operation == operation)
    if occurred_from:
        stmt = stmt.where(col(AuditEntry.occurred_at) >= occurred_from)
    if occurred_to:
        stmt = stmt.where(col(AuditEntry.occurred_at) < occurred_to)
    return keyset_page(
        session,
        stmt,
        id_column=col(AuditEntry.id),
        sort=sort,
        sortable=SORTABLE,
        cursor=cursor,
        limit=limit,
    )


def history(
    session: Session,
    entity: str,
    entity_id: str,
    *,
    sort: str = "-occurred_at",
    cursor: str | None = None,
    limit: int = 50,
) -> tuple[Sequence[AuditEntry], str | None]:
    """One record's entries and those of the rows that belong to it (see recording.PARENTS).

    A deleted record keeps its history: the trail outlives the record it describes.
    """
    stmt = select(AuditEntry).where(
        or_(
            and_(col(AuditEntry.entity) == entity, col(AuditEntry.entity_id) == entity_id),
            and_(col(AuditEntry.parent_entity) == entity, col(AuditEntry.parent_id) == entity_id),
        )
    )
    return keyset_page(
        session,
        stmt,
        id_column=col(AuditEntry.id),
        sort=sort,
        sortable=SORTABLE,
        cursor=cursor,
        limit=limit,
    )


# --- what a reader sees -----------------------------------------------------------------------


@cache
def _models_by_table() -> dict[str, type[Any]]:
    """Table name -> model class, for every table model (all are imported by then)."""
    found: dict[str, type[Any]] = {}
    waiting: list[type[Any]] = [Record]
    while waiting:
        model = waiting.pop()
        waiting.extend(model.__subclasses__())
        if "__table__" in vars(model):
            found[model.__tablename__] = model
    return found


def _redacted_fields(entity: str) -> frozenset[str]:
    model = _models_by_table().get(entity)
    return frozenset(getattr(model, "__audit_redact__", ())) if model else frozenset()


def shown(entry: AuditEntry) -> AuditEntryRead:
    """An entry as the API shows it. Fields a table redacts (password hashes) read "***" even
    if an entry holds a value: an entry written before the field was redacted, or by hand."""
    read = AuditEntryRead.model_validate(entry)
    redact = _redacted_fields(entry.entity)
    if redact & read.changes.keys():
        read.changes = {
            field: {side: REDACTED for side in change} if field in redact else change
            for field, change in read.changes.items()
        }
    return read


def shown_all(entries: Iterable[AuditEntry]) -> list[AuditEntryRead]:
    return [shown(e) for e in entries]


# --- erasure ------------------------------------------------------------------------------------


def about(entity: str, entity_ids: Collection[str]) -> ColumnElement[bool]:
    """Entries on these records and on the rows that belong to them (a driver's licences)."""
    ids = list(entity_ids)
    return or_(
        and_(col(AuditEntry.entity) == entity, col(AuditEntry.entity_id).in_(ids)),
        and_(col(AuditEntry.parent_entity) == entity, col(AuditEntry.parent_id).in_(ids)),
    )


def erase_values(
    session: Session,
    entries: Iterable[AuditEntry],
    fields: Mapping[str, Collection[str]],
    kept: Mapping[str, Mapping[str, Any]] | None = None,
) -> int:
    """Replace personal values inside stored entries with "erased"; return how many changed.

    This is the one sanctioned change to an audit entry, and only the erasure of a person's
    data on request calls it. The trail exists to prove who did what, when, to which record;
    GDPR Art. 17 gives the person the right to have their personal data erased, and Art. 5(1)(c)
    and (e) forbid keeping it longer than the purpose needs. Both are met by erasing the values
    and nothing else: the entry, its actor, time, operation, record, action and the names of
    the changed fields stay, so the trail still shows that, for example, driver 12's phone
    number was changed by olena.koval on 3 May, and still shows every fact that is not personal
    (which vehicle the driver drove on which leg).

    ``fields``: entity -> the personal fields of that table. ``kept``: entity -> values the
    record holds now (after anonymising, e.g. the name "Erased driver #12"), left as they are,
    since they are no longer personal. A null stays null: there was nothing to erase.
    """
    changed = 0
    for entry in entries:
        personal = fields.get(entry.entity, ())
        now = {f: plain(v) for f, v in (kept or {}).get(entry.entity, {}).items()}
        changes = {
            field: {
                side: ERASED
                if field in personal
                and value is not None
                and (field not in now or value != now[field])
                else value
                for side, value in change.items()
            }
            for field, change in entry.changes.items()
        }
        if changes != entry.changes:
            entry.changes = changes  # a new dict: the JSON column tracks assignment, not edits
            changed += 1
    session.flush()
    return changed
