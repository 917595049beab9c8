"""A spreadsheet import as a page: a form, the template to download, and the report (checked
first, then recorded whole). One page per kind of sheet, built from its description here."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session

from app.core.database import SessionDep
from app.core.downloads import content_disposition
from app.documents.service import CSV, XLSX
from app.imports.needs import Report
from app.web.pages import PagePrincipalDep, require
from app.web.templating import render


@dataclass(frozen=True)
class SheetImport:
    register: str  # "needs": the page lives at /needs/import and goes back to /needs
    register_title: str  # "Needs", translated where shown
    title: str  # "Import a needs list"
    intro: str  # what the sheet holds
    operation: str  # the policy table's operation for importing
    template_operation: str
    run: Callable[..., Report]  # (session, content, *, dry_run) -> Report
    template: Callable[[str], bytes]  # format -> the template file
    template_name: str  # "konvoi-needs-template"


def routes(sheet: SheetImport) -> APIRouter:
    """The three routes of an import page; include them before the register's
    ``/{record_id}`` routes, which would take "import" for an id."""
    router = APIRouter(include_in_schema=False)
    base = f"/{sheet.register}/import"

    def page(request: Request, principal: PagePrincipalDep, report: Report | None) -> HTMLResponse:
        return render(
            request,
            "imports/sheet.html",
            {"sheet": sheet, "report": report},
            principal=principal,
            status_code=422 if report is not None and report.problems else 200,
        )

    @router.get(base, response_class=HTMLResponse, name=f"{sheet.register}_import")
    def form(request: Request, principal: PagePrincipalDep) -> HTMLResponse:
        require(principal, sheet.operation)
        return page(request, principal, None)

    @router.post(base, response_class=HTMLResponse, name=f"{sheet.register}_import_sheet")
    def upload(
        request: Request,
        session: SessionDep,
        principal: PagePrincipalDep,
        file: Annotated[UploadFile | None, File()] = None,
        step: Annotated[str, Form()] = "check",
    ) -> HTMLResponse:
        """ "check" reports what would happen; "import" records every row, or none."""
        require(principal, sheet.operation)
        content = file.file.read() if file is not None else b""
        report = _run(sheet, session, content, step != "import")
        return page(request, principal, report)

    @router.get(base + "/template.{fmt}", name=f"{sheet.register}_import_template")
    def template(fmt: str, principal: PagePrincipalDep) -> Response:
        require(principal, sheet.template_operation)
        if fmt not in ("xlsx", "csv"):
            return Response(status_code=404)
        return Response(
            sheet.template(fmt),
            media_type=XLSX if fmt == "xlsx" else CSV,
            headers={"content-disposition": content_disposition(f"{sheet.template_name}.{fmt}")},
        )

    return router


def _run(sheet: SheetImport, session: Session, content: bytes, dry_run: bool) -> Report:
    return sheet.run(session, content, dry_run=dry_run)
