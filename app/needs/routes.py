from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi import status as http

from app.auth import visibility
from app.auth.deps import PrincipalDep, require_version
from app.core.database import SessionDep
from app.core.pagination import CursorQuery, LimitQuery, Page
from app.core.types import RecordId, SearchText
from app.items.models import ItemKind
from app.needs import service
from app.needs.models import Need
from app.needs.schemas import NeedCreate, NeedRead, NeedStatus, NeedUpdate

router = APIRouter(prefix="/needs", tags=["needs"])


def need_dep(need_id: int, request: Request, session: SessionDep, principal: PrincipalDep) -> Need:
    """The need, if the principal may see it (a recipient: only its destination's)."""
    need = service.get(session, need_id)
    visibility.require_need(principal, need)
    require_version(request, need)
    return need


NeedDep = Annotated[Need, Depends(need_dep)]


@router.get("", operation_id="list_needs")
def list_needs(
    session: SessionDep,
    principal: PrincipalDep,
    destination_id: Annotated[RecordId | None, Query(description="Needs of this utility")] = None,
    item_kind: ItemKind | None = None,
    status: NeedStatus | None = None,
    q: Annotated[SearchText | None, Query(description="Search the description")] = None,
    sort: Annotated[
        str,
        Query(description="priority, requested_on, created_at or id; prefix - to reverse"),
    ] = "priority",
    cursor: CursorQuery = None,
    limit: LimitQuery = 50,
) -> Page[NeedRead]:
    rows, next_cursor = service.search(
        session,
        destination_id=destination_id,
        item_kind=item_kind,
        status=status,
        q=q,
        sort=sort,
        cursor=cursor,
        limit=limit,
        visible=visibility.needs(principal),
    )
    return Page(items=service.read_page(session, rows), next_cursor=next_cursor)


@router.post("", status_code=http.HTTP_201_CREATED, operation_id="create_need")
def create_need(data: NeedCreate, session: SessionDep, principal: PrincipalDep) -> NeedRead:
    visibility.require_own_destination_for_need(principal, data.destination_id)
    return service.read(session, service.create(session, data))


@router.get("/{need_id}", operation_id="get_need")
def get_need(need: NeedDep, session: SessionDep) -> NeedRead:
    return service.read(session, need)


@router.patch("/{need_id}", operation_id="update_need")
def update_need(
    need: NeedDep, changes: NeedUpdate, session: SessionDep, principal: PrincipalDep
) -> NeedRead:
    visibility.require_own_destination_for_need(principal, changes.destination_id)
    return service.read(session, service.update(session, need, changes))


@router.post("/{need_id}/cancel", operation_id="cancel_need")
def cancel_need(need: NeedDep, session: SessionDep) -> NeedRead:
    return service.read(session, service.cancel(session, need))
