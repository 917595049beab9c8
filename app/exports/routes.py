from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, status

from app.auth import visibility
from app.auth.deps import PrincipalDep, require_version
from app.core.database import SessionDep
from app.core.errors import NotFound
from app.core.i18n import N_
from app.core.pagination import CursorQuery, LimitQuery, Page
from app.core.types import RecordId, SearchText
from app.exports import service
from app.exports.models import ExportRecord
from app.exports.schemas import (
    ExportRecordCreate,
    ExportRecordRead,
    ExportRecordsCreate,
    ExportRecordUpdate,
)
from app.items import service as items

# No prefix: the item's record lives under /items/{item_id}/export-record, and app/main.py
# includes only this one router per domain.
router = APIRouter(tags=["exports"])


def export_record_dep(
    export_record_id: int, request: Request, session: SessionDep, principal: PrincipalDep
) -> ExportRecord:
    """The record, if the principal may see its item (a driver: the vehicle they drive)."""
    record = service.get(session, export_record_id)
    if not visibility.visible_item_ids(session, principal, [record.item_id]):
        raise NotFound(N_("Export record"), export_record_id)
    require_version(request, record)
    return record


ExportRecordDep = Annotated[ExportRecord, Depends(export_record_dep)]


@router.get("/export-records", operation_id="list_export_records")
def list_export_records(
    session: SessionDep,
    principal: PrincipalDep,
    q: Annotated[SearchText | None, Query(description="Search MRN, export plate, insurer")] = None,
    item_id: RecordId | None = None,
    customs_office_code: SearchText | None = None,
    has_mrn: Annotated[bool | None, Query(description="Export declared (MRN known)")] = None,
    exit_confirmed: Annotated[
        bool | None, Query(description="Exit confirmation (Ausgangsvermerk) received")
    ] = None,
    sort: Annotated[str, Query(description="created_at or id; prefix - to reverse")] = "created_at",
    cursor: CursorQuery = None,
    limit: LimitQuery = 50,
) -> Page[ExportRecordRead]:
    rows, next_cursor = service.search(
        session,
        q=q,
        item_id=item_id,
        customs_office_code=customs_office_code,
        has_mrn=has_mrn,
        exit_confirmed=exit_confirmed,
        sort=sort,
        cursor=cursor,
        limit=limit,
        visible=visibility.export_records(principal),
    )
    return Page(items=[ExportRecordRead.model_validate(r) for r in rows], next_cursor=next_cursor)


@router.post(
    "/export-records", status_code=status.HTTP_201_CREATED, operation_id="create_export_record"
)
def create_export_record(data: ExportRecordCreate, session: SessionDep) -> ExportRecordRead:
    return ExportRecordRead.model_validate(service.create(session, data))


@router.post(
    "/export-records/batch",
    status_code=status.HTTP_201_CREATED,
    operation_id="create_export_records",
)
def create_export_records(data: ExportRecordsCreate, session: SessionDep) -> list[ExportRecordRead]:
    """The export records of several items: all of them, or none with every reason."""
    made = items.record_export_data(session, data)
    return [ExportRecordRead.model_validate(r) for r in made]


@router.get("/export-records/{export_record_id}", operation_id="get_export_record")
def get_export_record(record: ExportRecordDep) -> ExportRecordRead:
    return ExportRecordRead.model_validate(record)


@router.patch("/export-records/{export_record_id}", operation_id="update_export_record")
def update_export_record(
    record: ExportRecordDep, changes: ExportRecordUpdate, session: SessionDep
) -> ExportRecordRead:
    updated = service.update(session, record, changes, recheck_item=items.recheck_export)
    return ExportRecordRead.model_validate(updated)


@router.get("/items/{item_id}/export-record", operation_id="get_item_export_record")
def get_item_export_record(
    item_id: int, session: SessionDep, principal: PrincipalDep
) -> ExportRecordRead:
    visibility.require_item(session, principal, item_id)
    return ExportRecordRead.model_validate(service.get_for_item(session, item_id))
