"""The audit trail: one row per created, changed or deleted record, never updated afterwards."""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Index
from sqlmodel import Field

import app.core.models  # noqa: F401  (the metadata with the naming convention must exist first)
from app.core.models import Record
from app.core.types import UTCDateTime, enum_type, utcnow


class AuditAction(StrEnum):
    create = "create"
    update = "update"
    delete = "delete"


class AuditEntry(Record, table=True):
    """Who changed what, when. Not an Entity: an entry has no version because it never changes.

    ``actor_user_id`` has no foreign key so that erasing or deleting a user never breaks the
    trail; ``actor_name`` and ``actor_role`` keep what the user was called at the time.
    """

    __tablename__ = "audit_entry"
    __table_args__ = (
        Index("ix_audit_entry_entity_entity_id", "entity", "entity_id"),
        Index("ix_audit_entry_parent_entity_parent_id", "parent_entity", "parent_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    occurred_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    actor_user_id: int | None = Field(default=None, index=True)
    actor_name: str = Field(max_length=200)
    actor_full_name: str | None = Field(default=None, max_length=200)
    actor_role: str = Field(max_length=30)
    # The API operation id (e.g. "accept_item"); None for changes made outside a request.
    operation: str | None = Field(default=None, max_length=100)
    entity: str = Field(max_length=100)  # table name, e.g. "item"
    entity_id: str = Field(max_length=200)  # primary key; composite keys joined with ":"
    # The record this one belongs to (a driver's licence → the driver), so that the parent's
    # history shows it; None for records that stand alone.
    parent_entity: str | None = Field(default=None, max_length=100)
    parent_id: str | None = Field(default=None, max_length=200)
    action: AuditAction = Field(sa_type=enum_type(AuditAction))
    # {field: {"before": x, "after": y}}; a create has only "after", a delete only "before".
    changes: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
