from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi import status as http

from app.auth import visibility
from app.auth.deps import PrincipalDep, require_version
from app.collection import service
from app.collection.models import (
    CollectionPoint,
    Gender,
    Pallet,
    Priority,
    Reservation,
    Season,
    StockCategory,
    StockLine,
)
from app.collection.schemas import (
    CategoryRead,
    CollectionPointCreate,
    CollectionPointRead,
    CollectionPointUpdate,
    IntakeCreate,
    MovementRead,
    NeedMatch,
    PalletCreate,
    PalletHandover,
    PalletLoad,
    PalletPack,
    PalletRead,
    PalletUpdate,
    ReservationCreate,
    ReservationFill,
    ReservationRead,
    StockCount,
    StockLineRead,
    StockMove,
    StockWriteOff,
    StoragePlaceCreate,
    StoragePlaceRead,
)
from app.core.database import SessionDep
from app.core.i18n import language
from app.core.pagination import CursorQuery, LimitQuery, Page
from app.core.types import RecordId, SearchText

router = APIRouter(tags=["collection"])


def point_dep(
    point_id: int, request: Request, session: SessionDep, principal: PrincipalDep
) -> CollectionPoint:
    """The hall, if the principal works there or is in the office (404 otherwise)."""
    visibility.require_collection_point(principal, point_id)
    point = service.get_point(session, point_id)
    require_version(request, point)
    return point


async def hall_id_dep(point_id: int, principal: PrincipalDep) -> int:
    """The hall's id, if the principal works there or is in the office: no row read or
    locked, so volunteers at one hall record lines side by side. Nothing here blocks, so it
    runs on the event loop, not in a worker thread (as ``authorize`` does)."""
    visibility.require_collection_point(principal, point_id)
    return point_id


def line_dep(
    line_id: int, request: Request, session: SessionDep, principal: PrincipalDep
) -> StockLine:
    line = service.get_line(session, line_id)
    visibility.require_collection_point(principal, line.collection_point_id)
    require_version(request, line)
    return line


def pallet_dep(
    pallet_id: int, request: Request, session: SessionDep, principal: PrincipalDep
) -> Pallet:
    pallet = service.get_pallet(session, pallet_id)
    visibility.require_collection_point(principal, pallet.collection_point_id)
    require_version(request, pallet)
    return pallet


def reservation_dep(reservation_id: int, session: SessionDep) -> Reservation:
    return service.get_reservation(session, reservation_id)


PointDep = Annotated[CollectionPoint, Depends(point_dep)]
HallIdDep = Annotated[int, Depends(hall_id_dep)]
LineDep = Annotated[StockLine, Depends(line_dep)]
PalletDep = Annotated[Pallet, Depends(pallet_dep)]
ReservationDep = Annotated[Reservation, Depends(reservation_dep)]


# --- intake: first, as the hall's phones ask for it most ----------------------------------


@router.post(
    "/collection-points/{point_id}/intake",
    status_code=http.HTTP_201_CREATED,
    operation_id="record_intake",
    responses={200: {"description": "The same line sent again: recorded once, answered again"}},
)
def record_intake(
    point_id: HallIdDep, data: IntakeCreate, session: SessionDep, response: Response
) -> StockLineRead:
    line, created = service.record_intake(session, point_id, data)
    if not created:
        response.status_code = http.HTTP_200_OK
    return line


# --- halls, places, catalogue ----------------------------------------------------------------


@router.get("/collection-points", operation_id="list_collection_points")
def list_collection_points(
    session: SessionDep, principal: PrincipalDep, cursor: CursorQuery = None, limit: LimitQuery = 50
) -> Page[CollectionPointRead]:
    rows, next_cursor = service.search_points(
        session, cursor=cursor, limit=limit, visible=visibility.collection_points(principal)
    )
    return Page(
        items=[CollectionPointRead.model_validate(r) for r in rows], next_cursor=next_cursor
    )


@router.post(
    "/collection-points", status_code=http.HTTP_201_CREATED, operation_id="create_collection_point"
)
def create_collection_point(
    data: CollectionPointCreate, session: SessionDep
) -> CollectionPointRead:
    return CollectionPointRead.model_validate(service.create_point(session, data))


@router.get("/collection-points/{point_id}", operation_id="get_collection_point")
def get_collection_point(point: PointDep) -> CollectionPointRead:
    return CollectionPointRead.model_validate(point)


@router.patch("/collection-points/{point_id}", operation_id="update_collection_point")
def update_collection_point(
    point: PointDep, changes: CollectionPointUpdate, session: SessionDep
) -> CollectionPointRead:
    return CollectionPointRead.model_validate(service.update_point(session, point, changes))


@router.get("/collection-points/{point_id}/places", operation_id="list_storage_places")
def list_storage_places(point: PointDep, session: SessionDep) -> list[StoragePlaceRead]:
    assert point.id is not None
    return [service.read_place(p) for p in service.places_of(session, point.id)]


@router.post(
    "/collection-points/{point_id}/places",
    status_code=http.HTTP_201_CREATED,
    operation_id="create_storage_place",
)
def create_storage_place(
    point: PointDep, data: StoragePlaceCreate, session: SessionDep
) -> StoragePlaceRead:
    return service.read_place(service.create_place(session, point, data))


@router.get("/stock-catalogue", operation_id="get_stock_catalogue")
def get_stock_catalogue() -> list[CategoryRead]:
    """The kept catalogue: categories, subcategories and what a line of each records."""
    return service.catalogue(language())


# --- stock -----------------------------------------------------------------------------------


@router.get("/stock", operation_id="list_stock")
def list_stock(
    session: SessionDep,
    principal: PrincipalDep,
    collection_point_id: RecordId | None = None,
    category: StockCategory | None = None,
    subcategory: Annotated[SearchText | None, Query(max_length=40)] = None,
    size: Annotated[SearchText | None, Query(max_length=20)] = None,
    season: Season | None = None,
    gender: Gender | None = None,
    place_id: RecordId | None = None,
    priority: Priority | None = None,
    available_only: Annotated[bool, Query(description="Only lines with unreserved stock")] = False,
    sort: Annotated[str, Query(description="created_at or id; prefix - to reverse")] = "id",
    cursor: CursorQuery = None,
    limit: LimitQuery = 50,
) -> Page[StockLineRead]:
    wanted = service.StockFilter(
        collection_point_id=collection_point_id,
        category=category,
        subcategory=subcategory,
        size=size,
        season=season,
        gender=gender,
        place_id=place_id,
        priority=priority,
        available_only=available_only,
    )
    rows, next_cursor = service.search_stock(
        session,
        wanted,
        sort=sort,
        cursor=cursor,
        limit=limit,
        visible=visibility.stock_lines(principal),
    )
    return Page(items=[service.read_line(r) for r in rows], next_cursor=next_cursor)


@router.get("/stock/{line_id}", operation_id="get_stock_line")
def get_stock_line(line: LineDep) -> StockLineRead:
    return service.read_line(line)


@router.post("/stock/{line_id}/move", operation_id="move_stock")
def move_stock(line: LineDep, data: StockMove, session: SessionDep) -> StockLineRead:
    """Put goods elsewhere in the hall; moving part of a line makes a new line there."""
    return service.read_line(service.move(session, line, data))


@router.post("/stock/{line_id}/write-off", operation_id="write_off_stock")
def write_off_stock(line: LineDep, data: StockWriteOff, session: SessionDep) -> StockLineRead:
    return service.read_line(service.write_off(session, line, data))


@router.post("/stock/{line_id}/count", operation_id="count_stock")
def count_stock(line: LineDep, data: StockCount, session: SessionDep) -> StockLineRead:
    """Stocktaking: what was counted replaces what the books said; the difference is kept."""
    return service.read_line(service.count(session, line, data))


@router.get("/stock-movements", operation_id="list_stock_movements")
def list_stock_movements(
    session: SessionDep,
    principal: PrincipalDep,
    stock_line_id: RecordId | None = None,
    collection_point_id: RecordId | None = None,
    cursor: CursorQuery = None,
    limit: LimitQuery = 50,
) -> Page[MovementRead]:
    rows, next_cursor = service.movements(
        session,
        stock_line_id=stock_line_id,
        collection_point_id=collection_point_id,
        cursor=cursor,
        limit=limit,
        visible=visibility.stock_movements(principal),
    )
    return Page(items=[MovementRead.model_validate(r) for r in rows], next_cursor=next_cursor)


# --- needs met from stock --------------------------------------------------------------------


@router.get("/stock-matching", operation_id="match_stock")
def match_stock(
    session: SessionDep, collection_point_id: RecordId | None = None
) -> list[NeedMatch]:
    """For each open need for sorted goods: what stock fits it, and how much."""
    return service.matching(session, collection_point_id)


@router.get("/reservations", operation_id="list_reservations")
def list_reservations(
    session: SessionDep,
    principal: PrincipalDep,
    need_id: RecordId | None = None,
    collection_point_id: RecordId | None = None,
) -> list[ReservationRead]:
    if principal.collection_point_id is not None and not visibility.is_office(principal):
        collection_point_id = principal.collection_point_id  # a volunteer packs their hall's
    rows = service.reservations(session, need_id=need_id, collection_point_id=collection_point_id)
    return [ReservationRead.model_validate(r) for r in rows]


@router.post("/reservations", status_code=http.HTTP_201_CREATED, operation_id="reserve_stock")
def reserve_stock(data: ReservationCreate, session: SessionDep) -> ReservationRead:
    return ReservationRead.model_validate(service.reserve(session, data))


@router.post(
    "/reservations/fill", status_code=http.HTTP_201_CREATED, operation_id="fill_need_from_stock"
)
def fill_need_from_stock(data: ReservationFill, session: SessionDep) -> list[ReservationRead]:
    """Reserve what a need still lacks from one hall, its fullest fitting lines first."""
    made = service.reserve_fullest(session, data.need_id, data.collection_point_id)
    return [ReservationRead.model_validate(r) for r in made]


@router.post("/reservations/{reservation_id}/release", operation_id="release_reservation")
def release_reservation(reservation: ReservationDep, session: SessionDep) -> ReservationRead:
    return ReservationRead.model_validate(service.release(session, reservation))


# --- pallets ---------------------------------------------------------------------------------


@router.get("/pallets", operation_id="list_pallets")
def list_pallets(
    session: SessionDep,
    principal: PrincipalDep,
    collection_point_id: RecordId | None = None,
    need_id: RecordId | None = None,
    convoy_id: RecordId | None = None,
    cursor: CursorQuery = None,
    limit: LimitQuery = 50,
) -> Page[PalletRead]:
    rows, next_cursor = service.search_pallets(
        session,
        collection_point_id=collection_point_id,
        need_id=need_id,
        convoy_id=convoy_id,
        cursor=cursor,
        limit=limit,
        visible=visibility.pallets(principal),
    )
    return Page(items=service.read_pallets(session, rows), next_cursor=next_cursor)


@router.post("/pallets", status_code=http.HTTP_201_CREATED, operation_id="create_pallet")
def create_pallet(data: PalletCreate, session: SessionDep, principal: PrincipalDep) -> PalletRead:
    visibility.require_collection_point(principal, data.collection_point_id)
    return service.read_pallet(session, service.create_pallet(session, data))


@router.get("/pallets/{pallet_id}", operation_id="get_pallet")
def get_pallet(pallet: PalletDep, session: SessionDep) -> PalletRead:
    return service.read_pallet(session, pallet)


@router.patch("/pallets/{pallet_id}", operation_id="update_pallet")
def update_pallet(pallet: PalletDep, changes: PalletUpdate, session: SessionDep) -> PalletRead:
    """Weight and volume, as weighed and measured when packed."""
    return service.read_pallet(session, service.update_pallet(session, pallet, changes))


@router.post("/pallets/{pallet_id}/pack", operation_id="pack_pallet")
def pack_pallet(pallet: PalletDep, data: PalletPack, session: SessionDep) -> PalletRead:
    service.pack(session, pallet, data)
    return service.read_pallet(session, pallet)


@router.post("/pallets/{pallet_id}/load", operation_id="load_pallet")
def load_pallet(pallet: PalletDep, data: PalletLoad, session: SessionDep) -> PalletRead:
    """Load onto a convoy's vehicle: cargo packed as a pallet on the manifest and CMR."""
    return service.read_pallet(session, service.load(session, pallet, data))


@router.post("/pallets/{pallet_id}/handover", operation_id="hand_over_pallet")
def hand_over_pallet(pallet: PalletDep, data: PalletHandover, session: SessionDep) -> PalletRead:
    """Hand to a partner's truck, with the handover record."""
    return service.read_pallet(session, service.hand_over(session, pallet, data))
