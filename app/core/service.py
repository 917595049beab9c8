"""Helpers every domain service uses."""

from typing import Any, TypeVar

from pydantic import BaseModel
from sqlmodel import Session

from app.core.errors import InvalidInput, NotFound
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


def apply_changes(entity: Entity, changes: BaseModel) -> dict[str, Any]:
    """Copy the fields a PATCH sent; return them so callers can check combinations."""
    data = changes.model_dump(exclude_unset=True)
    columns = type(entity).__table__.c  # type: ignore[attr-defined]
    empty = [n for n, v in data.items() if v is None and not columns[n].nullable]
    if empty:
        raise InvalidInput([(n, "is required and cannot be set to null") for n in empty])
    for name, value in data.items():
        setattr(entity, name, value)
    if data:
        touch(entity)
    return data


def like(text: str) -> str:
    """A case-insensitive LIKE pattern for a free-text search, with wildcards escaped."""
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
