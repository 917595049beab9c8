"""The convoy's papers on the API: previews in each format, issuing, the issued files."""

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response
from fastapi import status as http
from pydantic import Field
from sqlmodel import Session

from app.auth import visibility
from app.auth.deps import PrincipalDep
from app.convoys import service as convoys
from app.core.database import SessionDep
from app.core.downloads import content_disposition
from app.core.schemas import Schema
from app.core.types import RecordId
from app.documents import donor_report, service
from app.documents.models import IssuedDocument
from app.documents.schemas import IssuedDocumentRead, IssueRequest
from app.donors import service as donors

router = APIRouter(tags=["documents"])

FILES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The document",
        "content": {
            media: {"schema": {"type": "string", "format": "binary"}}
            for media in service.MEDIA_TYPES.values()
        },
    }
}


def read(session: Session, document: IssuedDocument) -> IssuedDocumentRead:
    return IssuedDocumentRead.model_validate(
        {
            **document.model_dump(exclude={"content", "facts"}),
            "changed_since_issue": service.changes_since_issue(session, document),
        }
    )


@router.get(
    "/convoys/{convoy_id}/documents/{kind}",
    operation_id="get_convoy_document",
    response_class=Response,
    responses=FILES,
)
def get_convoy_document(
    convoy_id: int,
    kind: str,
    session: SessionDep,
    principal: PrincipalDep,
    format: Annotated[Literal["pdf", "xlsx", "csv"], Query(description="pdf, xlsx or csv")] = "pdf",
    vehicle_id: Annotated[RecordId | None, Query(description="The vehicle (a CMR note)")] = None,
    destination_id: Annotated[
        RecordId | None,
        Query(
            description="The recipient (a handover act); with a vehicle, the consignee of its "
            "CMR note for goods it carries for a recipient other than its own"
        ),
    ] = None,
    donor_id: Annotated[RecordId | None, Query(description="The donor (a donation letter)")] = None,
    driver_id: Annotated[
        RecordId | None, Query(description="The driver (a driver's papers)")
    ] = None,
    language: Annotated[
        Literal["de-uk", "en"],
        Query(description="German beside Ukrainian; or English (manifest, export sheet)"),
    ] = "de-uk",
) -> Response:
    """A preview, made now from the data: not numbered, not kept. Issue it to keep it."""
    convoy = convoys.get(session, convoy_id)
    visibility.require_convoy(session, principal, convoy_id)
    wanted = service.paper(kind, vehicle_id, destination_id, donor_id, driver_id)
    service.require_paper(session, principal, convoy, wanted)
    made = service.preview(session, convoy, wanted, format, language)
    return Response(
        made.content,
        media_type=made.media_type,
        headers={"content-disposition": content_disposition(made.filename, inline=True)},
    )


@router.post(
    "/convoys/{convoy_id}/documents",
    operation_id="issue_convoy_document",
    status_code=http.HTTP_201_CREATED,
)
def issue_convoy_document(
    convoy_id: int, data: IssueRequest, session: SessionDep, principal: PrincipalDep
) -> IssuedDocumentRead:
    """Issue a paper: numbered (a reissue keeps the number, one revision more), its bytes and
    their SHA-256 kept as they are, with who issued it when."""
    convoy = convoys.get(session, convoy_id)
    wanted = service.paper(
        data.kind, data.vehicle_id, data.destination_id, data.donor_id, data.driver_id
    )
    return read(session, service.issue(session, convoy, wanted, principal))


@router.get("/convoys/{convoy_id}/issued-documents", operation_id="list_issued_documents")
def list_issued_documents(convoy_id: int, session: SessionDep) -> list[IssuedDocumentRead]:
    convoy = convoys.get(session, convoy_id)
    return [read(session, d) for d in service.issued(session, convoy)]


@router.get("/issued-documents/{document_id}", operation_id="get_issued_document")
def get_issued_document(document_id: int, session: SessionDep) -> IssuedDocumentRead:
    return read(session, service.get_issued(session, document_id))


@router.get(
    "/issued-documents/{document_id}/file",
    operation_id="download_issued_document",
    response_class=Response,
    responses=FILES,
)
def download_issued_document(document_id: int, session: SessionDep) -> Response:
    """The very bytes that were issued, whatever changed since."""
    document = service.get_issued(session, document_id)
    return Response(
        document.content,
        media_type=document.media_type,
        headers={
            "content-disposition": content_disposition(document.filename),
            "x-content-sha256": document.sha256,
        },
    )


# --- the donor report ---------------------------------------------------------------------


class ReportLinkRead(Schema):
    id: int
    donor_id: int
    created_by_name: str
    created_at: datetime
    expires_at: datetime = Field(description="The link answers 404 from then on")
    revoked_at: datetime | None
    url: str | None = Field(
        default=None, description="Only when the link is made: the token is not kept"
    )


@router.get(
    "/donors/{donor_id}/report",
    operation_id="get_donor_report",
    response_class=Response,
    responses=FILES,
)
def get_donor_report(
    donor_id: int,
    session: SessionDep,
    format: Annotated[Literal["pdf", "csv"], Query()] = "pdf",
) -> Response:
    """Where the donor's gifts ended up: each item, its recipient, convoy, handover, signer."""
    donor = donors.get(session, donor_id)
    if format == "csv":
        content, media = donor_report.csv(session, donor), service.CSV
    else:
        content, media = donor_report.pdf(session, donor), service.PDF
    name = f"donor-report-{donor_id}.{format}"
    return Response(
        content,
        media_type=media,
        headers={"content-disposition": content_disposition(name, inline=True)},
    )


@router.post(
    "/donors/{donor_id}/report-links",
    operation_id="share_donor_report",
    status_code=http.HTTP_201_CREATED,
)
def share_donor_report(
    donor_id: int, session: SessionDep, principal: PrincipalDep
) -> ReportLinkRead:
    """A read-only link to the donor's report, to send them; its address (at
    KONVOI_PUBLIC_URL) is shown once. It works until `expires_at`
    (KONVOI_REPORT_LINK_DAYS, 90 days by default) or until revoked; after that it answers 404,
    as an unknown link does."""
    link, token = donor_report.share(session, donors.get(session, donor_id), principal)
    return ReportLinkRead.model_validate({**link.model_dump(), "url": donor_report.url(token)})


@router.get("/donors/{donor_id}/report-links", operation_id="list_donor_report_links")
def list_donor_report_links(donor_id: int, session: SessionDep) -> list[ReportLinkRead]:
    donors.get(session, donor_id)
    return [
        ReportLinkRead.model_validate(link.model_dump())
        for link in donor_report.links(session, donor_id)
    ]


@router.delete("/donor-report-links/{link_id}", operation_id="revoke_donor_report_link")
def revoke_donor_report_link(link_id: int, session: SessionDep) -> ReportLinkRead:
    """The link stops working at once; the report stays available to the office."""
    return ReportLinkRead.model_validate(donor_report.revoke(session, link_id).model_dump())
