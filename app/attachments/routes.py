"""Files attached to records, on the API."""

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, Response, UploadFile
from fastapi import status as http

from app.attachments import service
from app.attachments.models import AttachmentKind
from app.attachments.schemas import AttachmentRead
from app.auth.deps import PrincipalDep
from app.core.database import SessionDep
from app.core.downloads import content_disposition
from app.core.openapi import ErrorBody
from app.core.types import RecordId

router = APIRouter(prefix="/attachments", tags=["attachments"])

FILE: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The file as it was uploaded",
        "content": {
            media: {"schema": {"type": "string", "format": "binary"}}
            for media in service.EXTENSIONS
        },
    }
}


# The record a file is attached to, or whose files are listed, is named in the body or query.
NO_RECORD: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorBody, "description": "No such record, or one the account may not see"}
}


@router.post(
    "",
    status_code=http.HTTP_201_CREATED,
    operation_id="create_attachment",
    responses=NO_RECORD,
)
def create_attachment(
    session: SessionDep,
    principal: PrincipalDep,
    file: Annotated[UploadFile, File(description="PDF, JPEG or PNG")],
    entity: Annotated[
        str, Form(description="item, export_record, usage_certificate, convoy, ledger_entry")
    ],
    entity_id: Annotated[RecordId, Form()],
    kind: Annotated[AttachmentKind, Form()] = AttachmentKind.other,
) -> AttachmentRead:
    """Attach a file to a record. Its type is read from its content; the limit is 10 MB."""
    content = file.file.read()
    attachment = service.attach(
        session,
        principal,
        entity=entity,
        entity_id=entity_id,
        kind=kind,
        filename=file.filename or "",
        declared_type=file.content_type,
        content=content,
    )
    return AttachmentRead.model_validate(service.described(attachment))


@router.get("", operation_id="list_attachments", responses=NO_RECORD)
def list_attachments(
    session: SessionDep,
    principal: PrincipalDep,
    entity: Annotated[str, Query()],
    entity_id: Annotated[RecordId, Query()],
) -> list[AttachmentRead]:
    service.require_record(session, principal, entity, entity_id)
    return [
        AttachmentRead.model_validate(service.described(a))
        for a in service.of(session, entity, entity_id)
    ]


@router.get(
    "/{attachment_id}/file",
    operation_id="download_attachment",
    response_class=Response,
    responses=FILE,
)
def download_attachment(
    attachment_id: int, session: SessionDep, principal: PrincipalDep
) -> Response:
    attachment = service.get(session, principal, attachment_id)
    return Response(
        attachment.content,
        media_type=attachment.media_type,
        headers={
            "content-disposition": content_disposition(attachment.filename),
            "x-content-sha256": attachment.sha256,
        },
    )
