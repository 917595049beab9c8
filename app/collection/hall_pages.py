"""The hall's set-up and its stock keeping as pages: a new hall, its address and opening hours
and storage places (the coordinator's); the stock list and a stock line's page, where goods are
moved (volunteers too), written off with a reason, counted at stocktaking, and reservations
released; and the intake spreadsheet's import, checked first, then recorded whole.

Each form calls the same service function as the API route that does the same thing, after the
API's policy table (``require``) and the row-level view (a volunteer's own hall). A refused
form comes back with the field and the reason, and nothing of it is written.
"""

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlmodel import Session, col, select

from app.auth import visibility
from app.auth.deps import require_version
from app.auth.service import Principal
from app.collection import service
from app.collection.catalogue import CATALOGUE, goods_name
from app.collection.models import CollectionPoint, StockCategory, StockLine
from app.collection.pages import WORDS
from app.collection.schemas import (
    CollectionPointCreate,
    CollectionPointUpdate,
    StockCount,
    StockMove,
    StockWriteOff,
    StoragePlaceCreate,
)
from app.core.database import SessionDep
from app.core.downloads import content_disposition
from app.core.errors import DomainError, PreconditionFailed
from app.core.i18n import language
from app.destinations.models import Destination
from app.documents.service import CSV, XLSX
from app.imports import intake
from app.needs.models import Need
from app.web import forms
from app.web.i18n import N_
from app.web.pages import PagePrincipalDep, require
from app.web.templating import render

router = APIRouter(include_in_schema=False)

# What each movement was, as the stock line's history says it.
MOVEMENTS = {
    "intake": N_("taken in"),
    "move": N_("moved"),
    "reserve": N_("reserved"),
    "release": N_("released"),
    "pack": N_("packed"),
    "dispatch": N_("dispatched"),
    "write_off": N_("written off"),
    "stocktake": N_("counted"),
}
# What becomes of an intake sheet's row.
OUTCOMES = {
    "new": N_("new line"),
    "ready": N_("in order"),  # a good row of a sheet refused for other rows
    "recorded_before": N_("recorded before"),
    "refused": N_("refused"),
}
HALL_FIELDS = ("name", "street", "postal_code", "city", "opening_hours")
SHOWN_LINES = 50


def _point(session: Session, principal: Principal, point_id: int) -> CollectionPoint:
    visibility.require_collection_point(principal, point_id)
    return service.get_point(session, point_id)


def _typed(submitted: forms.SubmittedForm) -> dict[str, str]:
    return {k: str(v).strip() for k, v in submitted.items() if k != "csrf_token"}


def _status(exc: Exception) -> int:
    return exc.status_code if isinstance(exc, DomainError) else 422


# --- a new hall and the hall's set-up --------------------------------------------------------


def _hall_form(
    request: Request,
    session: Session,
    principal: Principal,
    point: CollectionPoint | None,
    typed: dict[str, str],
    errors: forms.FieldErrors,
    *,
    place_typed: dict[str, str] | None = None,
    place_errors: forms.FieldErrors | None = None,
    stale: bool = False,
    status_code: int = 200,
) -> HTMLResponse:
    places = service.places_of(session, point.id) if point and point.id else []
    return render(
        request,
        "collection/setup.html",
        {
            "point": point,
            "typed": typed,
            "errors": errors,
            "stale": stale,
            "places": [(p, service.place_label(p)) for p in places],
            "place_typed": place_typed or {},
            "place_errors": place_errors or {},
        },
        principal=principal,
        status_code=status_code,
    )


def _typed_hall(point: CollectionPoint) -> dict[str, str]:
    return {name: str(getattr(point, name) or "") for name in HALL_FIELDS} | {
        "version": str(point.version)
    }


@router.get("/collection/new", response_class=HTMLResponse)
def new_hall(request: Request, session: SessionDep, principal: PagePrincipalDep) -> HTMLResponse:
    require(principal, "create_collection_point")
    return _hall_form(request, session, principal, None, {}, {})


@router.post("/collection/new", response_model=None)
def create_hall(
    request: Request,
    session: SessionDep,
    principal: PagePrincipalDep,
    submitted: forms.SubmittedForm,
) -> Response:
    require(principal, "create_collection_point")
    typed = _typed(submitted)
    try:
        values = {k: v for k, v in typed.items() if v and k in (*HALL_FIELDS, "pallet_prefix")}
        point = service.create_point(session, CollectionPointCreate.model_validate(values))
    except (ValidationError, DomainError) as exc:
        errors = forms.field_errors(exc)
        if not errors:
            raise
        session.rollback()
        return _hall_form(
            request, session, principal, None, typed, errors, status_code=_status(exc)
        )
    return RedirectResponse(f"/collection/{point.id}/setup", status_code=303)


@router.get("/collection/{point_id}/setup", response_class=HTMLResponse)
def setup(
    request: Request, point_id: int, session: SessionDep, principal: PagePrincipalDep
) -> HTMLResponse:
    require(principal, "update_collection_point")
    point = _point(session, principal, point_id)
    return _hall_form(request, session, principal, point, _typed_hall(point), {})


@router.post("/collection/{point_id}/setup", response_model=None)
def save_setup(
    request: Request,
    point_id: int,
    session: SessionDep,
    principal: PagePrincipalDep,
    submitted: forms.SubmittedForm,
) -> Response:
    require(principal, "update_collection_point")
    point = _point(session, principal, point_id)
    typed = _typed(submitted)
    try:
        require_version(request, point, typed.get("version") or None)
        before = _typed_hall(point)
        # What the form changed; an emptied optional field is cleared, as the API's null.
        changed = {
            name: typed.get(name) or None
            for name in HALL_FIELDS
            if name in typed and typed.get(name, "") != before[name]
        }
        service.update_point(session, point, CollectionPointUpdate.model_validate(changed))
        session.flush()
    except PreconditionFailed as exc:
        # Someone saved the hall since the form was loaded: nothing is overwritten.
        session.rollback()
        point = _point(session, principal, point_id)
        return _hall_form(
            request,
            session,
            principal,
            point,
            typed | {"version": str(point.version)},
            {"": exc.message},
            stale=True,
            status_code=exc.status_code,
        )
    except (ValidationError, DomainError) as exc:
        errors = forms.field_errors(exc)
        if not errors:
            raise
        session.rollback()
        point = _point(session, principal, point_id)
        return _hall_form(
            request, session, principal, point, typed, errors, status_code=_status(exc)
        )
    return RedirectResponse(f"/collection/{point_id}", status_code=303)


@router.post("/collection/{point_id}/places", response_model=None)
def add_place(
    request: Request,
    point_id: int,
    session: SessionDep,
    principal: PagePrincipalDep,
    submitted: forms.SubmittedForm,
) -> Response:
    require(principal, "create_storage_place")
    point = _point(session, principal, point_id)
    typed = _typed(submitted)
    try:
        data = StoragePlaceCreate.model_validate(
            {k: typed.get(k, "") for k in ("zone", "row", "shelf")}
        )
        service.create_place(session, point, data)
        session.flush()
    except (ValidationError, DomainError) as exc:
        errors = forms.field_errors(exc)
        if not errors:
            raise
        session.rollback()
        point = _point(session, principal, point_id)
        return _hall_form(
            request,
            session,
            principal,
            point,
            _typed_hall(point),
            {},
            place_typed=typed,
            place_errors=errors,
            status_code=_status(exc),
        )
    return RedirectResponse(f"/collection/{point_id}/setup#places", status_code=303)


# --- the hall's stock ------------------------------------------------------------------------


@router.get("/collection/{point_id}/stock", response_class=HTMLResponse)
def stock(
    request: Request, point_id: int, session: SessionDep, principal: PagePrincipalDep
) -> HTMLResponse:
    """What the hall holds, by category and place, the newest lines first."""
    require(principal, "list_stock")
    point = _point(session, principal, point_id)
    query = request.query_params
    category = query.get("category") or ""
    place_id = forms.record_id("place_id", query.get("place_id"))
    places = service.places_of(session, point_id)
    wanted = service.StockFilter(
        collection_point_id=point_id,
        category=StockCategory(category) if category in StockCategory.__members__ else None,
        place_id=place_id,
        available_only=query.get("available") == "1",
    )
    rows, next_cursor = service.search_stock(
        session,
        wanted,
        sort="-id",
        cursor=query.get("cursor") or None,
        limit=SHOWN_LINES,
        visible=visibility.stock_lines(principal),
    )
    spoken = language()
    return render(
        request,
        "collection/stock.html",
        {
            "point": point,
            "lines": [(line, goods_name(line.category, line.subcategory, spoken)) for line in rows],
            "next_cursor": next_cursor,
            "categories": [(c.value, CATALOGUE[c].name(spoken)) for c in StockCategory],
            "places": [(p.id, service.place_label(p)) for p in places],
            "place_names": {p.id: service.place_label(p) for p in places},
            "chosen": {
                "category": category,
                "place_id": place_id,
                "available": query.get("available") == "1",
            },
            "words": WORDS,
        },
        principal=principal,
    )


def _line(session: Session, principal: Principal, line_id: int) -> StockLine:
    line = service.get_line(session, line_id)
    visibility.require_collection_point(principal, line.collection_point_id)
    return line


def _line_page(
    request: Request,
    session: Session,
    principal: Principal,
    line: StockLine,
    errors: forms.FieldErrors,
    typed: dict[str, str] | None = None,
    *,
    form: str = "",
    status_code: int = 200,
) -> HTMLResponse:
    assert line.id is not None
    point = service.get_point(session, line.collection_point_id)
    places = service.places_of(session, line.collection_point_id)
    held = service.reservations(
        session, need_id=None, collection_point_id=None, stock_line_id=line.id
    )
    needs = {
        n.id: n
        for n in session.exec(select(Need).where(col(Need.id).in_({r.need_id for r in held}))).all()
    }
    recipients = {
        d.id: d.name
        for d in session.exec(
            select(Destination).where(
                col(Destination.id).in_({n.destination_id for n in needs.values()})
            )
        ).all()
    }
    moves, _next = service.movements(
        session,
        stock_line_id=line.id,
        collection_point_id=None,
        cursor=None,
        limit=100,
        visible=visibility.stock_movements(principal),
    )
    return render(
        request,
        "collection/stock_line.html",
        {
            "line": line,
            "name": goods_name(line.category, line.subcategory, language()),
            "point": point,
            "places": [(p.id, service.place_label(p)) for p in places],
            "place_names": {p.id: service.place_label(p) for p in places},
            "held": [
                (r, needs[r.need_id], recipients.get(needs[r.need_id].destination_id, ""))
                for r in held
            ],
            "moves": moves,
            "movements": MOVEMENTS,
            "errors": errors,
            "typed": typed or {},
            "form": form,
            "words": WORDS,
        },
        principal=principal,
        status_code=status_code,
    )


@router.get("/collection/stock/{line_id}", response_class=HTMLResponse)
def stock_line(
    request: Request, line_id: int, session: SessionDep, principal: PagePrincipalDep
) -> HTMLResponse:
    require(principal, "get_stock_line")
    return _line_page(request, session, principal, _line(session, principal, line_id), {})


def _keeping(
    request: Request,
    session: Session,
    principal: Principal,
    line_id: int,
    operation: str,
    form: str,
    typed: dict[str, str],
    change: Callable[[StockLine], StockLine],
) -> Response:
    """One stock-keeping form: the change through the service, or the line's page again with
    the field and the reason (a 409 when stock would go below zero), nothing written."""
    require(principal, operation)
    line = _line(session, principal, line_id)
    try:
        changed = change(line)
        session.flush()
    except (ValidationError, DomainError) as exc:
        errors = forms.field_errors(exc)
        if not errors:
            raise
        session.rollback()
        line = _line(session, principal, line_id)
        return _line_page(
            request, session, principal, line, errors, typed, form=form, status_code=_status(exc)
        )
    return RedirectResponse(f"/collection/stock/{changed.id}#history", status_code=303)


@router.post("/collection/stock/{line_id}/move", response_model=None)
def move(
    request: Request,
    line_id: int,
    session: SessionDep,
    principal: PagePrincipalDep,
    submitted: forms.SubmittedForm,
) -> Response:
    """Put goods elsewhere in the hall; part of the line becomes a new line there."""
    typed = _typed(submitted)

    def change(line: StockLine) -> StockLine:
        data = StockMove.model_validate(
            {"to_place_id": typed.get("to_place_id"), "quantity": typed.get("quantity") or None}
        )
        return service.move(session, line, data)

    return _keeping(request, session, principal, line_id, "move_stock", "move", typed, change)


@router.post("/collection/stock/{line_id}/write-off", response_model=None)
def write_off(
    request: Request,
    line_id: int,
    session: SessionDep,
    principal: PagePrincipalDep,
    submitted: forms.SubmittedForm,
) -> Response:
    typed = _typed(submitted)

    def change(line: StockLine) -> StockLine:
        data = StockWriteOff.model_validate(
            {"quantity": typed.get("quantity"), "reason": typed.get("reason")}
        )
        return service.write_off(session, line, data)

    return _keeping(
        request, session, principal, line_id, "write_off_stock", "write-off", typed, change
    )


@router.post("/collection/stock/{line_id}/count", response_model=None)
def count(
    request: Request,
    line_id: int,
    session: SessionDep,
    principal: PagePrincipalDep,
    submitted: forms.SubmittedForm,
) -> Response:
    """Stocktaking: what was counted on the shelf replaces the books; the difference is kept."""
    typed = _typed(submitted)

    def change(line: StockLine) -> StockLine:
        data = StockCount.model_validate(
            {"counted": typed.get("counted"), "note": typed.get("note") or None}
        )
        return service.count(session, line, data)

    return _keeping(request, session, principal, line_id, "count_stock", "count", typed, change)


@router.post("/collection/reservations/{reservation_id}/release", response_model=None)
def release(
    request: Request,
    reservation_id: int,
    session: SessionDep,
    principal: PagePrincipalDep,
) -> Response:
    """Give back what a need holds of this line and has not packed."""
    require(principal, "release_reservation")
    reservation = service.get_reservation(session, reservation_id)
    line_id = reservation.stock_line_id
    _line(session, principal, line_id)
    try:
        service.release(session, reservation)
        session.flush()
    except DomainError as exc:
        errors = forms.field_errors(exc)
        if not errors:
            raise
        session.rollback()
        line = _line(session, principal, line_id)
        return _line_page(
            request, session, principal, line, errors, form="release", status_code=_status(exc)
        )
    return RedirectResponse(f"/collection/stock/{line_id}#held", status_code=303)


# --- the intake spreadsheet --------------------------------------------------------------------


def _import_page(
    request: Request,
    principal: Principal,
    point: CollectionPoint,
    report: intake.IntakeReport | None,
) -> HTMLResponse:
    return render(
        request,
        "collection/import.html",
        {"point": point, "report": report, "outcomes": OUTCOMES},
        principal=principal,
        status_code=422 if report is not None and report.problems else 200,
    )


@router.get("/collection/{point_id}/import", response_class=HTMLResponse)
def import_form(
    request: Request, point_id: int, session: SessionDep, principal: PagePrincipalDep
) -> HTMLResponse:
    require(principal, "import_intake")
    return _import_page(request, principal, _point(session, principal, point_id), None)


@router.post("/collection/{point_id}/import", response_class=HTMLResponse)
def import_sheet(
    request: Request,
    point_id: int,
    session: SessionDep,
    principal: PagePrincipalDep,
    file: Annotated[UploadFile | None, File()] = None,
    step: Annotated[str, Form()] = "check",
) -> HTMLResponse:
    """ "check" lists what each row would become; "import" records every row, or none."""
    require(principal, "import_intake")
    point = _point(session, principal, point_id)
    content = file.file.read() if file is not None else b""
    report = intake.run(session, point_id, content, dry_run=step != "import")
    return _import_page(request, principal, point, report)


@router.get("/collection/{point_id}/import/template.{fmt}")
def import_template(
    point_id: int, fmt: str, session: SessionDep, principal: PagePrincipalDep
) -> Response:
    require(principal, "get_intake_template")
    _point(session, principal, point_id)
    if fmt not in ("xlsx", "csv"):
        return Response(status_code=404)
    return Response(
        intake.template(fmt),
        media_type=XLSX if fmt == "xlsx" else CSV,
        headers={"content-disposition": content_disposition(f"konvoi-intake-template.{fmt}")},
    )
