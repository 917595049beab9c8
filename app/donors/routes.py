from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, status

from app.auth.deps import require_version
from app.core.database import SessionDep
from app.core.pagination import CursorQuery, LimitQuery, Page
from app.core.types import SearchText
from app.donors import service
from app.donors.models import Donor, DonorKind
from app.donors.schemas import DonorCreate, DonorRead, DonorUpdate

router = APIRouter(prefix="/donors", tags=["donors"])


def donor_dep(donor_id: int, request: Request, session: SessionDep) -> Donor:
    # Donors are office records (the policy table keeps drivers and recipients out).
    donor = service.get(session, donor_id)
    require_version(request, donor)
    return donor


DonorDep = Annotated[Donor, Depends(donor_dep)]


@router.get("", operation_id="list_donors")
def list_donors(
    session: SessionDep,
    q: Annotated[SearchText | None, Query(description="Search name, city, contact")] = None,
    kind: DonorKind | None = None,
    country: SearchText | None = None,
    sort: Annotated[str, Query(description="name, created_at or id; prefix - to reverse")] = "name",
    cursor: CursorQuery = None,
    limit: LimitQuery = 50,
) -> Page[DonorRead]:
    rows, next_cursor = service.search(
        session, q=q, kind=kind, country=country, sort=sort, cursor=cursor, limit=limit
    )
    return Page(items=[DonorRead.model_validate(r) for r in rows], next_cursor=next_cursor)


@router.post("", status_code=status.HTTP_201_CREATED, operation_id="create_donor")
def create_donor(data: DonorCreate, session: SessionDep) -> DonorRead:
    return DonorRead.model_validate(service.create(session, data))


@router.get("/{donor_id}", operation_id="get_donor")
def get_donor(donor: DonorDep) -> DonorRead:
    return DonorRead.model_validate(donor)


@router.patch("/{donor_id}", operation_id="update_donor")
def update_donor(donor: DonorDep, changes: DonorUpdate, session: SessionDep) -> DonorRead:
    return DonorRead.model_validate(service.update(session, donor, changes))
