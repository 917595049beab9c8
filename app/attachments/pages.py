"""Attached files on the record pages: the list, an upload form, the downloads."""

from typing import Annotated

from fastapi import APIRouter, File, Form, Response, UploadFile
from fastapi.responses import RedirectResponse

from app.attachments import service
from app.attachments.models import AttachmentKind
from app.core.database import SessionDep
from app.core.downloads import content_disposition
from app.core.types import MAX_STORED_INT
from app.web.pages import PagePrincipalDep, require

router = APIRouter(include_in_schema=False)

# Where each kind of record's page is, to come back to after an upload.
PAGES = {
    "item": "/items/{id}",
    "export_record": "/export-records/{id}",
    "usage_certificate": "/certificates/{id}",
    "convoy": "/convoys/{id}",
    "ledger_entry": "/ledger-entries/{id}",
}


@router.post("/attachments")
def upload(
    session: SessionDep,
    principal: PagePrincipalDep,
    file: Annotated[UploadFile | None, File()] = None,
    entity: Annotated[str, Form()] = "",
    entity_id: Annotated[int, Form(le=MAX_STORED_INT)] = 0,
    kind: Annotated[AttachmentKind, Form()] = AttachmentKind.other,
) -> Response:
    """The same checks as the API's; a refusal is a page naming the reason."""
    require(principal, "create_attachment")
    content = file.file.read() if file is not None else b""
    service.attach(
        session,
        principal,
        entity=entity,
        entity_id=entity_id,
        kind=kind,
        filename=(file.filename if file is not None else "") or "",
        declared_type=file.content_type if file is not None else None,
        content=content,
    )
    back = PAGES.get(entity, "/").format(id=entity_id)
    return RedirectResponse(f"{back}#attachments-heading", status_code=303)


@router.get("/attachments/{attachment_id}/file")
def download(attachment_id: int, session: SessionDep, principal: PagePrincipalDep) -> Response:
    require(principal, "download_attachment")
    attachment = service.get(session, principal, attachment_id)
    return Response(
        attachment.content,
        media_type=attachment.media_type,
        headers={"content-disposition": content_disposition(attachment.filename)},
    )
