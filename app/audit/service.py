"""Reading the audit trail. Entries are written only by app.audit.recording, never here."""

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import and_, func, or_
from sqlmodel import Session, col, select

from app.audit.models import AuditEntry
from app.core.errors import InvalidInput
from app.core.pagination import keyset_page
from app.core.service import like

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
        raise InvalidInput([("occurred_to", "must be later than occurred_from")])
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
