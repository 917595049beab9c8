from datetime import datetime
from typing import Any

from pydantic import ConfigDict, Field

from app.audit.models import AuditAction
from app.core.schemas import Schema
from app.core.types import RecordId


class AuditEntryRead(Schema):
    model_config = ConfigDict(from_attributes=True)

    id: int
    occurred_at: datetime
    actor_user_id: RecordId | None
    actor_name: str = Field(description="The account's login at the time")
    actor_full_name: str | None = Field(
        description="The account's full name at the time, shown beside the login"
    )
    actor_role: str
    operation: str | None = Field(description="The API operation id; null outside a request")
    entity: str = Field(description="Table name of the changed record", examples=["item"])
    entity_id: str = Field(description="Its primary key; composite keys joined with ':'")
    parent_entity: str | None = Field(
        description="The record this one belongs to (a licence's driver, a leg's convoy)"
    )
    parent_id: str | None
    action: AuditAction
    changes: dict[str, dict[str, Any]] = Field(
        description='{field: {"before": x, "after": y}}; a create has only "after", '
        'a delete only "before"'
    )
