from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi import status as http

from app.auth import visibility
from app.auth.deps import PrincipalDep, require_version
from app.core.database import SessionDep
from app.core.errors import NotFound
from app.core.i18n import N_
from app.core.pagination import CursorQuery, LimitQuery, Page
from app.core.types import RecordId, SearchText
from app.items import service
from app.items.models import CargoCategory, CargoLine, Item, ItemCategory, ItemKind, ItemStatus
from app.items.schemas import (
    AllocateItems,
    AllocateRequest,
    CargoLineCreate,
    CargoLineRead,
    CargoLineUpdate,
    ExportReadyItems,
    ExportReadyRequest,
    ItemCreate,
    ItemIds,
    ItemRead,
    ItemUpdate,
    WithdrawRequest,
)

router = APIRouter(tags=["items"])


def item_dep(item_id: int, request: Request, session: SessionDep, principal: PrincipalDep) -> Item:
    """The item, if the principal may see it (app.auth.visibility); If-Match is its version."""
    item = service.get(session, item_id)
    visibility.require_item(session, principal, item_id)
    require_version(request, item)
    return item


def cargo_line_dep(
    cargo_id: int, request: Request, session: SessionDep, principal: PrincipalDep
) -> CargoLine:
    """A cargo line is seen exactly by those who may see the vehicle carrying it."""
    line = service.get_cargo_line(session, cargo_id)
    if not visibility.visible_item_ids(session, principal, [line.vehicle_id]):
        raise NotFound(N_("Cargo line"), cargo_id)
    require_version(request, line)
    return line


ItemDep = Annotated[Item, Depends(item_dep)]
CargoLineDep = Annotated[CargoLine, Depends(cargo_line_dep)]


@router.get("/items", operation_id="list_items")
def list_items(
    session: SessionDep,
    principal: PrincipalDep,
    q: Annotated[
        SearchText | None, Query(description="Search name, make, model, VIN, description")
    ] = None,
    status: ItemStatus | None = None,
    category: ItemCategory | None = None,
    kind: ItemKind | None = None,
    donor_id: RecordId | None = None,
    destination_id: RecordId | None = None,
    sort: Annotated[
        str,
        Query(description="name, created_at, declared_value_cents or id; prefix - to reverse"),
    ] = "name",
    cursor: CursorQuery = None,
    limit: LimitQuery = 50,
) -> Page[ItemRead]:
    rows, next_cursor = service.search(
        session,
        q=q,
        status=status,
        category=category,
        kind=kind,
        donor_id=donor_id,
        destination_id=destination_id,
        sort=sort,
        cursor=cursor,
        limit=limit,
        visible=visibility.items(principal),
    )
    return Page(items=service.read_page(session, rows), next_cursor=next_cursor)


@router.post("/items", status_code=http.HTTP_201_CREATED, operation_id="create_item")
def create_item(data: ItemCreate, session: SessionDep) -> ItemRead:
    """An item, with the cargo lines it carries (``cargo``) in the same call."""
    return service.read(session, service.create(session, data))


# --- Several items in one call: each one transaction, all of it or nothing with every reason -


@router.post("/items/accept", operation_id="accept_items")
def accept_items(data: ItemIds, session: SessionDep) -> list[ItemRead]:
    """Several items offered → accepted."""
    return service.read_page(session, service.accept_all(session, data.item_ids))


@router.post("/items/allocate", operation_id="allocate_items")
def allocate_items(data: AllocateItems, session: SessionDep) -> list[ItemRead]:
    """Several items allocated, each to its destination (and need)."""
    return service.read_page(session, service.allocate_all(session, data))


@router.post("/items/certify", operation_id="certify_items")
def certify_items(data: ItemIds, session: SessionDep) -> list[ItemRead]:
    """Several items allocated → certified; each needs a usage certificate valid today."""
    return service.read_page(session, service.certify_all(session, data.item_ids))


@router.post("/items/mark-export-ready", operation_id="mark_items_export_ready")
def mark_items_export_ready(data: ExportReadyItems, session: SessionDep) -> list[ItemRead]:
    """Several items certified → export-ready for the same trip."""
    return service.read_page(session, service.mark_all_export_ready(session, data))


@router.get("/items/{item_id}", operation_id="get_item")
def get_item(item: ItemDep, session: SessionDep) -> ItemRead:
    return service.read(session, item)


@router.patch("/items/{item_id}", operation_id="update_item")
def update_item(item: ItemDep, changes: ItemUpdate, session: SessionDep) -> ItemRead:
    return service.read(session, service.update(session, item, changes))


# --- Lifecycle actions ----------------------------------------------------------------------


@router.post("/items/{item_id}/accept", operation_id="accept_item")
def accept_item(item: ItemDep, session: SessionDep) -> ItemRead:
    """offered → accepted."""
    return service.read(session, service.accept(session, item))


@router.post("/items/{item_id}/allocate", operation_id="allocate_item")
def allocate_item(item: ItemDep, data: AllocateRequest, session: SessionDep) -> ItemRead:
    """accepted or allocated → allocated to a destination, optionally against one of its needs."""
    return service.read(session, service.allocate(session, item, data.destination_id, data.need_id))


@router.post("/items/{item_id}/certify", operation_id="certify_item")
def certify_item(item: ItemDep, session: SessionDep) -> ItemRead:
    """allocated → certified; needs a usage certificate valid today for the destination."""
    return service.read(session, service.certify(session, item))


@router.post("/items/{item_id}/mark-export-ready", operation_id="mark_item_export_ready")
def mark_item_export_ready(
    item: ItemDep, data: ExportReadyRequest, session: SessionDep
) -> ItemRead:
    """certified → export-ready; needs the certificate, an MRN and, for a vehicle, plates,
    insurance and inspection lasting until ``plates_valid_until`` and its registration papers."""
    return service.read(
        session,
        service.mark_export_ready(session, item, data.plates_valid_until, data.trip_starts_on),
    )


@router.post("/items/{item_id}/withdraw", operation_id="withdraw_item")
def withdraw_item(item: ItemDep, data: WithdrawRequest, session: SessionDep) -> ItemRead:
    """Any status before the convoy → withdrawn; the need it met is open again."""
    return service.read(session, service.withdraw(session, item, data.reason))


# --- Cargo -----------------------------------------------------------------------------------


@router.post(
    "/items/{item_id}/cargo",
    status_code=http.HTTP_201_CREATED,
    operation_id="create_cargo_line",
)
def create_cargo_line(item: ItemDep, data: CargoLineCreate, session: SessionDep) -> CargoLineRead:
    return service.read_cargo_line(service.add_cargo_line(session, item, data))


@router.get("/items/{item_id}/cargo", operation_id="list_cargo_lines")
def list_cargo_lines(
    item: ItemDep,
    session: SessionDep,
    q: Annotated[SearchText | None, Query(description="Search the description")] = None,
    category: CargoCategory | None = None,
    sort: Annotated[
        str, Query(description="id, description, weight_kg or value_cents; prefix - to reverse")
    ] = "id",
    cursor: CursorQuery = None,
    limit: LimitQuery = 50,
) -> Page[CargoLineRead]:
    rows, next_cursor = service.search_cargo(
        session, item, q=q, category=category, sort=sort, cursor=cursor, limit=limit
    )
    return Page(items=[service.read_cargo_line(r) for r in rows], next_cursor=next_cursor)


@router.patch("/cargo/{cargo_id}", operation_id="update_cargo_line")
def update_cargo_line(
    line: CargoLineDep, changes: CargoLineUpdate, session: SessionDep
) -> CargoLineRead:
    return service.read_cargo_line(service.update_cargo_line(session, line, changes))


@router.delete(
    "/cargo/{cargo_id}", status_code=http.HTTP_204_NO_CONTENT, operation_id="delete_cargo_line"
)
def delete_cargo_line(line: CargoLineDep, session: SessionDep) -> Response:
    service.delete_cargo_line(session, line)
    return Response(status_code=http.HTTP_204_NO_CONTENT)
