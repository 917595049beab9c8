"""Helpers every domain service uses."""

from collections.abc import Mapping
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
