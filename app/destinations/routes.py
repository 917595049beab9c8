from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, status

from app.auth import visibility
from app.auth.deps import PrincipalDep, require_version
from app.core.database import SessionDep
from app.core.pagination import CursorQuery, LimitQuery, Page
from app.core.types import SearchText
from app.destinations import service
from app.destinations.models import Destination
from app.destinations.schemas import DestinationCreate, DestinationRead, DestinationUpdate

router = APIRouter(prefix="/destinations", tags=["destinations"])


def destination_dep(
    destination_id: int, request: Request, session: SessionDep, principal: PrincipalDep
) -> Destination:
    """The destination, if the principal may see it (a recipient: only its own)."""
    visibility.require_destination(principal, destination_id)
    destination = service.get(session, destination_id)
    require_version(request, destination)
    return destination


DestinationDep = Annotated[Destination, Depends(destination_dep)]


@router.get("", operation_id="list_destinations")
def list_destinations(
    session: SessionDep,
    principal: PrincipalDep,
    q: Annotated[
        SearchText | None, Query(description="Search name, Ukrainian name, city, oblast")
    ] = None,
    oblast: Annotated[SearchText | None, Query(description="Exact oblast, any letter case")] = None,
    sort: Annotated[
        str, Query(description="name, city, created_at or id; prefix - to reverse")
    ] = "name",
    cursor: CursorQuery = None,
    limit: LimitQuery = 50,
) -> Page[DestinationRead]:
    rows, next_cursor = service.search(
        session,
        q=q,
        oblast=oblast,
        sort=sort,
        cursor=cursor,
        limit=limit,
        visible=visibility.destinations(principal),
    )
    return Page(items=[DestinationRead.model_validate(r) for r in rows], next_cursor=next_cursor)


@router.post("", status_code=status.HTTP_201_CREATED, operation_id="create_destination")
def create_destination(data: DestinationCreate, session: SessionDep) -> DestinationRead:
    return DestinationRead.model_validate(service.create(session, data))


@router.get("/{destination_id}", operation_id="get_destination")
def get_destination(destination: DestinationDep) -> DestinationRead:
    return DestinationRead.model_validate(destination)


@router.patch("/{destination_id}", operation_id="update_destination")
def update_destination(
    destination: DestinationDep, changes: DestinationUpdate, session: SessionDep
) -> DestinationRead:
    return DestinationRead.model_validate(service.update(session, destination, changes))
