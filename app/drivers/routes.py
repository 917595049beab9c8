from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, status

from app.auth import visibility
from app.auth.deps import PrincipalDep, require_version
from app.core.database import SessionDep
from app.core.identifiers import LicenceClass
from app.core.pagination import CursorQuery, LimitQuery, Page
from app.core.types import SearchText
from app.drivers import service
from app.drivers.models import Driver
from app.drivers.schemas import DriverCreate, DriverRead, DriverUpdate

router = APIRouter(prefix="/drivers", tags=["drivers"])


def driver_dep(
    driver_id: int, request: Request, session: SessionDep, principal: PrincipalDep
) -> Driver:
    """The driver record: personal data, so a driver sees only their own (others are 404)."""
    visibility.require_driver_record(principal, driver_id)
    driver = service.get(session, driver_id)
    require_version(request, driver)
    return driver


DriverDep = Annotated[Driver, Depends(driver_dep)]


@router.get("", operation_id="list_drivers")
def list_drivers(
    session: SessionDep,
    principal: PrincipalDep,
    q: Annotated[SearchText | None, Query(description="Search name and phone")] = None,
    licence_class: Annotated[
        LicenceClass | None,
        Query(
            description="May drive what needs this class (holds it or one that includes it), "
            "valid on available_on/today"
        ),
    ] = None,
    available_on: Annotated[date | None, Query(description="Free on this day")] = None,
    sort: Annotated[str, Query(description="name, created_at or id; prefix - to reverse")] = "name",
    cursor: CursorQuery = None,
    limit: LimitQuery = 50,
) -> Page[DriverRead]:
    rows, next_cursor = service.search(
        session,
        q=q,
        licence_class=licence_class,
        available_on=available_on,
        sort=sort,
        cursor=cursor,
        limit=limit,
        visible=visibility.drivers(principal),
    )
    return Page(items=service.read_many(session, rows), next_cursor=next_cursor)


@router.post("", status_code=status.HTTP_201_CREATED, operation_id="create_driver")
def create_driver(data: DriverCreate, session: SessionDep) -> DriverRead:
    return service.read(session, service.create(session, data))


@router.get("/{driver_id}", operation_id="get_driver")
def get_driver(driver: DriverDep, session: SessionDep) -> DriverRead:
    return service.read(session, driver)


@router.patch("/{driver_id}", operation_id="update_driver")
def update_driver(driver: DriverDep, changes: DriverUpdate, session: SessionDep) -> DriverRead:
    return service.read(session, service.update(session, driver, changes))
