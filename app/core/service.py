"""Helpers every domain service uses."""

from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import BaseModel
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from app.core.errors import Conflict, InvalidInput, NotFound
from app.core.models import Entity
from app.core.types import utcnow

E = TypeVar("E", bound=Entity)


def get_or_404(session: Session, model: type[E], entity_id: int, label: str) -> E:
    entity = session.get(model, entity_id)
    if entity is None:
        raise NotFound(label, entity_id)
    return entity


def touch(entity: Entity) -> None:
    """Mark a record changed: new version (the ETag), new updated_at."""
    entity.version += 1
    entity.updated_at = utcnow()


def null_errors(model: type[Any], sent: Mapping[str, Any]) -> list[tuple[str, str]]:
    """A PATCH that sets a required column to null, as (field, reason) pairs."""
    columns = model.__table__.c
    return [
        (name, "is required and cannot be set to null")
        for name, value in sent.items()
        if value is None and not columns[name].nullable
    ]


def apply_changes(entity: Entity, changes: BaseModel) -> dict[str, Any]:
    """Copy the fields a PATCH sent; return them so callers can check combinations."""
    data = changes.model_dump(exclude_unset=True)
    empty = null_errors(type(entity), data)
    if empty:
        raise InvalidInput(empty)
    for name, value in data.items():
        setattr(entity, name, value)
    if data:
        touch(entity)
    return data


def like(text: str) -> str:
    """A case-insensitive LIKE pattern for a free-text search, with wildcards escaped."""
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def hold(session: Session, model: type[Entity], entity_id: int | None) -> None:
    """Hold a record's row until the transaction ends, so work that reads and then numbers
    after it runs one at a time (PostgreSQL; SQLite writes one transaction at a time anyway).
    NO KEY UPDATE still lets others add rows that refer to it meanwhile."""
    session.exec(
        select(col(model.id)).where(col(model.id) == entity_id).with_for_update(key_share=True)
    ).one()


def flush_or_conflict(session: Session, message: str, field: str) -> None:
    """Flush; a unique constraint that lost a race with a concurrent request is a 409 naming
    the field, like the check before it, never a 500."""
    try:
        session.flush()
    except IntegrityError as exc:
        raise Conflict(message, field=field) from exc


def delete_each(session: Session, rows: SelectOfScalar[Any]) -> None:
    """Delete the selected rows one by one through the ORM, not with one DELETE statement: a
    bulk statement bypasses the flush, and so the audit trail, which must record each removal.
    Flushed at once, so the rows are gone before anything that refers to them (a leg) is."""
    for row in session.exec(rows).all():
        session.delete(row)
    session.flush()
