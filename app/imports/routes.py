"""Spreadsheet imports on the API."""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Query, Response, UploadFile
from fastapi.responses import JSONResponse
from pydantic import Field

from app.auth import visibility
from app.auth.deps import PrincipalDep
from app.core.database import SessionDep
from app.core.downloads import content_disposition
from app.core.schemas import Schema
from app.core.types import RecordId
from app.documents.service import CSV, XLSX
from app.imports import intake, needs, offers

router = APIRouter(prefix="/imports", tags=["imports"])


class ImportProblem(Schema):
    row: int = Field(description="As the spreadsheet numbers it: 1 is the header; 0 the file")
    column: str = Field(description="The template's column name; empty for the whole row")
    message: str


class ImportReport(Schema):
    rows: int
    created: int = Field(description="Recorded now (dry run: would be recorded)")
    already_recorded: int = Field(description="Rows recorded before; never recorded twice")
    dry_run: bool
    problems: list[ImportProblem]


# A refused spreadsheet answers its report; a request without a file, the API's usual 422.
REFUSED_ROWS: dict[int | str, dict[str, Any]] = {
    422: {
        "description": "Rows refused, nothing recorded (the report); or a request without a file",
        "content": {
            "application/json": {
                "schema": {
                    "anyOf": [
                        {"$ref": "#/components/schemas/ImportReport"},
                        {"$ref": "#/components/schemas/HTTPValidationError"},
                    ]
                }
            }
        },
    }
}


@router.post(
    "/needs",
    operation_id="import_needs",
    responses=REFUSED_ROWS,
)
def import_needs(
    session: SessionDep,
    file: Annotated[UploadFile, File(description="XLSX or CSV with the template's columns")],
    dry_run: Annotated[bool, Query(description="Only check and report")] = True,
) -> ImportReport:
    """A needs list: every row checked, then (without ``dry_run``) all rows recorded or none."""
    report = needs.run(session, file.file.read(), dry_run=dry_run)
    shown = ImportReport.model_validate(report.as_dict())
    if report.problems:
        return JSONResponse(shown.model_dump(), status_code=422)  # type: ignore[return-value]
    return shown


@router.get(
    "/needs/template",
    operation_id="get_needs_template",
    response_class=Response,
    responses={
        200: {
            "description": "The columns a needs list has, with an example row",
            "content": {XLSX: {"schema": {"type": "string", "format": "binary"}}, CSV: {}},
        }
    },
)
def get_needs_template(
    format: Annotated[Literal["xlsx", "csv"], Query()] = "xlsx",
) -> Response:
    media = XLSX if format == "xlsx" else CSV
    headers: dict[str, Any] = {
        "content-disposition": content_disposition(f"konvoi-needs-template.{format}")
    }
    return Response(needs.template(format), media_type=media, headers=headers)


@router.post(
    "/offers",
    operation_id="import_offer",
    responses=REFUSED_ROWS,
)
def import_offer(
    session: SessionDep,
    file: Annotated[UploadFile, File(description="XLSX or CSV with the template's columns")],
    dry_run: Annotated[bool, Query(description="Only check and report")] = True,
) -> ImportReport:
    """A donation offer: items (vehicles, equipment) and the cargo on the vehicles, checked by
    the same rules as the API; then (without ``dry_run``) all rows recorded or none."""
    report = offers.run(session, file.file.read(), dry_run=dry_run)
    shown = ImportReport.model_validate(report.as_dict())
    if report.problems:
        return JSONResponse(shown.model_dump(), status_code=422)  # type: ignore[return-value]
    return shown


@router.get(
    "/offers/template",
    operation_id="get_offer_template",
    response_class=Response,
    responses={
        200: {
            "description": "The columns of a donation offer, with an example vehicle and cargo",
            "content": {XLSX: {"schema": {"type": "string", "format": "binary"}}, CSV: {}},
        }
    },
)
def get_offer_template(
    format: Annotated[Literal["xlsx", "csv"], Query()] = "xlsx",
) -> Response:
    media = XLSX if format == "xlsx" else CSV
    headers = {"content-disposition": content_disposition(f"konvoi-offer-template.{format}")}
    return Response(offers.template(format), media_type=media, headers=headers)


@router.post(
    "/intake",
    operation_id="import_intake",
    responses=REFUSED_ROWS,
)
def import_intake(
    session: SessionDep,
    principal: PrincipalDep,
    collection_point_id: Annotated[RecordId, Query(description="The hall the goods are in")],
    file: Annotated[UploadFile, File(description="XLSX or CSV with the template's columns")],
    dry_run: Annotated[bool, Query(description="Only check and report")] = True,
) -> ImportReport:
    """A hall's intake list: sorted goods checked by the same rules as one intake line; then
    (without ``dry_run``) all rows recorded or none. The same file sent again records nothing
    twice."""
    visibility.require_collection_point(principal, collection_point_id)
    report = intake.run(session, collection_point_id, file.file.read(), dry_run=dry_run)
    shown = ImportReport.model_validate(report.as_dict())
    if report.problems:
        return JSONResponse(shown.model_dump(), status_code=422)  # type: ignore[return-value]
    return shown


@router.get(
    "/intake/template",
    operation_id="get_intake_template",
    response_class=Response,
    responses={
        200: {
            "description": "The columns of an intake list, with an example line",
            "content": {XLSX: {"schema": {"type": "string", "format": "binary"}}, CSV: {}},
        }
    },
)
def get_intake_template(
    format: Annotated[Literal["xlsx", "csv"], Query()] = "xlsx",
) -> Response:
    media = XLSX if format == "xlsx" else CSV
    headers = {"content-disposition": content_disposition(f"konvoi-intake-template.{format}")}
    return Response(intake.template(format), media_type=media, headers=headers)
