from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, status

from app.auth.deps import require_version
from app.certificates import service
from app.certificates.models import UsageCertificate
from app.certificates.schemas import (
    CertificateCreate,
    CertificateItemsAdd,
    CertificateRead,
    CertificateUpdate,
)
from app.core.database import SessionDep
from app.core.pagination import CursorQuery, LimitQuery, Page
from app.core.types import RecordId, SearchText

router = APIRouter(prefix="/certificates", tags=["certificates"])


def certificate_dep(certificate_id: int, request: Request, session: SessionDep) -> UsageCertificate:
    # Paperwork is read by the office only (the policy table keeps drivers and recipients out).
    certificate = service.get(session, certificate_id)
    require_version(request, certificate)
    return certificate


CertificateDep = Annotated[UsageCertificate, Depends(certificate_dep)]


@router.get("", operation_id="list_certificates")
def list_certificates(
    session: SessionDep,
    q: Annotated[
        SearchText | None, Query(description="Search number, issuer, intended use")
    ] = None,
    destination_id: RecordId | None = None,
    item_id: Annotated[
        RecordId | None, Query(description="Only certificates covering this item")
    ] = None,
    sort: Annotated[
        str, Query(description="issued_on, number, created_at or id; prefix - to reverse")
    ] = "-issued_on",
    cursor: CursorQuery = None,
    limit: LimitQuery = 50,
) -> Page[CertificateRead]:
    rows, next_cursor = service.search(
        session,
        q=q,
        destination_id=destination_id,
        item_id=item_id,
        sort=sort,
        cursor=cursor,
        limit=limit,
    )
    return Page(items=service.read_page(session, rows), next_cursor=next_cursor)


@router.post("", status_code=status.HTTP_201_CREATED, operation_id="create_certificate")
def create_certificate(data: CertificateCreate, session: SessionDep) -> CertificateRead:
    return service.read(session, service.create(session, data))


@router.get("/{certificate_id}", operation_id="get_certificate")
def get_certificate(certificate: CertificateDep, session: SessionDep) -> CertificateRead:
    return service.read(session, certificate)


@router.patch("/{certificate_id}", operation_id="update_certificate")
def update_certificate(
    certificate: CertificateDep, changes: CertificateUpdate, session: SessionDep
) -> CertificateRead:
    return service.read(session, service.update(session, certificate, changes))


@router.post("/{certificate_id}/items", operation_id="add_certificate_items")
def add_certificate_items(
    certificate: CertificateDep, data: CertificateItemsAdd, session: SessionDep
) -> CertificateRead:
    return service.read(session, service.add_items(session, certificate, data.item_ids))


@router.delete("/{certificate_id}/items/{item_id}", operation_id="remove_certificate_item")
def remove_certificate_item(
    certificate: CertificateDep, item_id: int, session: SessionDep
) -> CertificateRead:
    return service.read(session, service.remove_item(session, certificate, item_id))
