"""Reading the audit trail. There is deliberately no route that writes, changes or deletes an
entry: the trail is written only by the flush listener (app.audit.recording)."""

from typing import Annotated

from fastapi import APIRouter, Path, Query
from pydantic import AwareDatetime

from app.audit import service
from app.audit.schemas import AuditEntryRead
from app.core.database import SessionDep
from app.core.pagination import CursorQuery, LimitQuery, Page
from app.core.types import RecordId, SearchText

router = APIRouter(prefix="/audit", tags=["audit"])

SortQuery = Annotated[
    str, Query(description="occurred_at or id; prefix - to reverse (newest first by default)")
]


@router.get("", operation_id="list_audit_entries")
def list_audit_entries(
    session: SessionDep,
    entity: Annotated[SearchText | None, Query(description="Table name, e.g. item")] = None,
    entity_id: Annotated[
        SearchText | None, Query(description="Primary key, e.g. 12 or 3:CE")
    ] = None,
    actor_user_id: RecordId | None = None,
    actor: Annotated[SearchText | None, Query(description="Part of the actor's user name")] = None,
    operation: Annotated[SearchText | None, Query(description="API operation id")] = None,
    occurred_from: Annotated[AwareDatetime | None, Query(description="Inclusive")] = None,
    occurred_to: Annotated[AwareDatetime | None, Query(description="Exclusive")] = None,
    sort: SortQuery = "-occurred_at",
    cursor: CursorQuery = None,
    limit: LimitQuery = 50,
) -> Page[AuditEntryRead]:
    rows, next_cursor = service.search(
        session,
        entity=entity,
        entity_id=entity_id,
        actor_user_id=actor_user_id,
        actor=actor,
        operation=operation,
        occurred_from=occurred_from,
        occurred_to=occurred_to,
        sort=sort,
        cursor=cursor,
        limit=limit,
    )
    return Page(items=service.shown_all(rows), next_cursor=next_cursor)


def history_route(
    router: APIRouter, entity: str, path_param: str, operation_id: str, *, under: str = ""
) -> None:
    """Add ``GET {under}/{path_param}/history`` to a domain's router: that record's entries.

    ``under`` is the collection's path for routers without a prefix (e.g. "/items").
    Call once per router at import time (the route is copied whenever an app includes it).
    The record need not exist any more: a deleted record's history stays readable.
    """

    def read_history(
        session: SessionDep,
        record_id: Annotated[int, Path(alias=path_param)],
        sort: SortQuery = "-occurred_at",
        cursor: CursorQuery = None,
        limit: LimitQuery = 50,
    ) -> Page[AuditEntryRead]:
        rows, next_cursor = service.history(
            session, entity, str(record_id), sort=sort, cursor=cursor, limit=limit
        )
        return Page(items=service.shown_all(rows), next_cursor=next_cursor)

    router.add_api_route(
        f"{under}/{{{path_param}}}/history",
        read_history,
        methods=["GET"],
        name=operation_id,
        operation_id=operation_id,
        summary=f"History of one {entity.replace('_', ' ')}",
    )
