"""The collection point as pages: the volunteer's phone page at the sorting table, the hall's
snapshot (stock against open needs), the coordinator's matching, reserving and packing, and a
pallet's label and packing list.

Each page calls the same service function as the API route that does the same thing, and asks
the API's policy table (``require``) and the row-level view (a volunteer's own hall) first.
"""

import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlmodel import Session, col, select

from app.auth import visibility
from app.auth.roles import Role
from app.auth.service import Principal
from app.collection import service
from app.collection.catalogue import CATALOGUE, goods_name
from app.collection.models import (
    CollectionPoint,
    Gender,
    Pallet,
    PalletKind,
    Priority,
    Season,
    StockCondition,
    StockLine,
)
from app.collection.schemas import (
    IntakeCreate,
    PalletCreate,
    PalletHandover,
    PalletLoad,
    PalletPack,
    PalletUpdate,
    ReservationCreate,
    ReservationFill,
)
from app.core.database import SessionDep
from app.core.errors import DomainError
from app.core.i18n import _, language
from app.destinations.models import Destination
from app.documents import pallet as pallet_papers
from app.donors.models import Donor
from app.needs.models import Need
from app.web import forms
from app.web.i18n import N_
from app.web.pages import PagePrincipalDep, require
from app.web.templating import render

router = APIRouter(include_in_schema=False)

WORDS = {
    # priorities, as the sorting table says them
    "urgent": N_("urgent"),
    "not_urgent": N_("not urgent"),
    "not_usable": N_("not usable"),
    # conditions
    "new": N_("new"),
    "good": N_("good"),
    "worn": N_("worn"),
    # genders
    "women": N_("women"),
    "men": N_("men"),
    "girls": N_("girls"),
    "boys": N_("boys"),
    "unisex": N_("unisex"),
    # seasons
    "winter": N_("winter"),
    "summer": N_("summer"),
    "all_year": N_("all year"),
    # units
    "pcs": N_("pcs"),
    "pairs": N_("pairs"),
    "packs": N_("packs"),
    "boxes": N_("boxes"),
    "kg": N_("kg"),
    # pallets
    "pallet": N_("pallet"),
    "box": N_("box"),
    "open": N_("being packed"),
    "loaded": N_("loaded on a convoy"),
    "handed_over": N_("handed to a partner's truck"),
}

SHOWN_LINES = 25

# The sticky choices of the phone page: kept from one line to the next.
STICKY = ("goods", "gender", "season", "place_id", "priority", "condition", "donor_id")


def _point(session: Session, principal: Principal, point_id: int) -> CollectionPoint:
    visibility.require_collection_point(principal, point_id)
    return service.get_point(session, point_id)


def _goods_options() -> list[tuple[str, str]]:
    """Category and subcategory as one choice ("Kleidung: Jacken"): one tap, not two."""
    spoken = language()
    return [
        (f"{entry.category.value}:{sub.code}", goods_name(entry.category, sub.code, spoken))
        for entry in CATALOGUE.values()
        for sub in entry.subcategories
    ]


def _name(line: StockLine) -> str:
    return goods_name(line.category, line.subcategory, language())


def _common(session: Session) -> dict[str, Any]:
    return {"words": WORDS, "goods_name": goods_name, "spoken": language()}


# --- the list of halls; a volunteer's start -----------------------------------------------------


@router.get("/collection", response_model=None)
def halls(request: Request, session: SessionDep, principal: PagePrincipalDep) -> Response:
    require(principal, "list_collection_points")
    if principal.role == Role.volunteer and principal.collection_point_id is not None:
        return RedirectResponse(
            f"/collection/{principal.collection_point_id}/intake", status_code=303
        )
    rows, _next = service.search_points(
        session, cursor=None, limit=200, visible=visibility.collection_points(principal)
    )
    return render(
        request,
        "collection/halls.html",
        {"points": rows, **_common(session)},
        principal=principal,
    )


# --- the hall's snapshot -------------------------------------------------------------------


@router.get("/collection/{point_id}", response_class=HTMLResponse)
def hall(
    request: Request, point_id: int, session: SessionDep, principal: PagePrincipalDep
) -> HTMLResponse:
    require(principal, "get_collection_point")
    point = _point(session, principal, point_id)
    matches = service.matching(session, point_id)
    flows = service.snapshot(session, point_id, matches)
    urgent = [m for m in matches if m.priority <= 2 and m.available < m.open_quantity]
    rows, _next = service.search_pallets(
        session,
        collection_point_id=point_id,
        need_id=None,
        convoy_id=None,
        cursor=None,
        limit=50,
        visible=visibility.pallets(principal),
    )
    recipients = _recipients(session, [m.destination_id for m in urgent])
    return render(
        request,
        "collection/hall.html",
        {
            "point": point,
            "flows": flows,
            "scale": max([max(f.available, f.asked) for f in flows] + [1]),
            "urgent": urgent,
            "recipients": recipients,
            "pallets": service.read_pallets(session, rows),
            "category_name": lambda c: CATALOGUE[c].name(language()),
            **_common(session),
        },
        principal=principal,
    )


def _recipients(session: Session, ids: list[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = session.exec(select(Destination).where(col(Destination.id).in_(set(ids)))).all()
    return {d.id or 0: d.name for d in rows}


# --- the phone page at the sorting table ---------------------------------------------------


def _intake_page(
    request: Request,
    session: Session,
    principal: Principal,
    point: CollectionPoint,
    typed: dict[str, Any],
    errors: forms.FieldErrors,
    done: StockLine | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    assert point.id is not None
    places = service.places_of(session, point.id)
    donors = session.exec(select(Donor).order_by(col(Donor.name)).limit(200)).all()
    recent, _next = service.search_stock(
        session,
        service.StockFilter(collection_point_id=point.id),
        sort="-id",
        cursor=None,
        limit=5,
        visible=visibility.stock_lines(principal),
    )
    return render(
        request,
        "collection/intake.html",
        {
            "point": point,
            "typed": typed,
            "errors": errors,
            "done": done,
            "done_name": _name(done) if done else "",
            "goods": _goods_options(),
            "places": [(p.id, service.place_label(p)) for p in places],
            "donors": [(d.id, d.name) for d in donors],
            "genders": [g.value for g in Gender],
            "seasons": [s.value for s in Season],
            "priorities": [p.value for p in Priority],
            "conditions": [c.value for c in StockCondition],
            "recent": [(line, _name(line)) for line in recent],
            "place_names": {p.id: service.place_label(p) for p in places},
            "client_key": uuid.uuid4().hex,
            **_common(session),
        },
        principal=principal,
        status_code=status_code,
    )


@router.get("/collection/{point_id}/intake", response_class=HTMLResponse)
def intake_page(
    request: Request, point_id: int, session: SessionDep, principal: PagePrincipalDep
) -> HTMLResponse:
    require(principal, "record_intake")
    point = _point(session, principal, point_id)
    typed = {name: request.query_params.get(name, "") for name in STICKY}
    typed.setdefault("priority", "")
    if not typed["priority"]:
        typed["priority"] = Priority.not_urgent.value
    if not typed["condition"]:
        typed["condition"] = StockCondition.good.value
    done_id = forms.record_id("done", request.query_params.get("done"))
    done = session.get(StockLine, done_id) if done_id else None
    if done is not None and done.collection_point_id != point_id:
        done = None
    return _intake_page(request, session, principal, point, typed, {}, done)


@router.post("/collection/{point_id}/intake", response_model=None)
def record_intake(
    request: Request,
    point_id: int,
    session: SessionDep,
    principal: PagePrincipalDep,
    submitted: forms.SubmittedForm,
) -> Response:
    require(principal, "record_intake")
    point = _point(session, principal, point_id)
    typed: dict[str, Any] = {
        name: str(value).strip() for name, value in submitted.items() if name != "csrf_token"
    }
    category, _sep, subcategory = typed.get("goods", "").partition(":")
    body = {
        name: typed.get(name) or None
        for name in (
            "gender",
            "size",
            "season",
            "quantity",
            "place_id",
            "priority",
            "condition",
            "donor_id",
            "best_before_on",
            "batch",
            "expires_on",
            "description",
            "client_key",
        )
    }
    body = {k: v for k, v in body.items() if v is not None}
    try:
        data = IntakeCreate.model_validate(
            {**body, "category": category or None, "subcategory": subcategory or None}
        )
        line, _created = service.record_intake(session, point_id, data)
        session.flush()
    except (ValidationError, DomainError) as exc:
        errors = forms.field_errors(exc)
        if not errors:
            raise
        session.rollback()
        if "category" in errors or "subcategory" in errors:
            errors["goods"] = errors.pop("category", "") or errors.pop("subcategory", "")
        status_code = exc.status_code if isinstance(exc, DomainError) else 422
        point = _point(session, principal, point_id)
        return _intake_page(request, session, principal, point, typed, errors, None, status_code)
    kept = "&".join(f"{name}={typed.get(name, '')}" for name in STICKY if typed.get(name))
    return RedirectResponse(f"/collection/{point_id}/intake?done={line.id}&{kept}", status_code=303)


# --- matching and reserving ----------------------------------------------------------------


@router.get("/collection-matching", response_class=HTMLResponse)
def matching(request: Request, session: SessionDep, principal: PagePrincipalDep) -> HTMLResponse:
    """Each open need for sorted goods and what the halls hold for it; choosing one lists the
    lines that fit, each with what can still be reserved."""
    require(principal, "match_stock")
    matches = service.matching(session, include_met=True)
    need_id = forms.record_id("need_id", request.query_params.get("need_id"))
    chosen = next((m for m in matches if m.need_id == need_id), None)
    lines: list[tuple[StockLine, str, str]] = []
    if chosen is not None:
        need = session.get(Need, chosen.need_id)
        assert need is not None
        for point_id in sorted({fit.collection_point_id for fit in chosen.fits}):
            places = {p.id: service.place_label(p) for p in service.places_of(session, point_id)}
            # The fullest lines first; a few dozen are enough to choose from.
            for line in service.fitting_lines(session, need, point_id)[:SHOWN_LINES]:
                lines.append((line, _name(line), places.get(line.place_id, "")))
    points = {
        p.id: p.name
        for p in session.exec(select(CollectionPoint).order_by(col(CollectionPoint.name))).all()
    }
    to_pack: list[int] = []
    packed: list[Any] = []
    if chosen is not None:
        held = service.reservations(session, need_id=chosen.need_id, collection_point_id=None)
        waiting = [r.stock_line_id for r in held if r.quantity > r.packed]
        to_pack = sorted(
            set(
                session.exec(
                    select(StockLine.collection_point_id).where(col(StockLine.id).in_(waiting))
                ).all()
            )
        )
        rows, _next = service.search_pallets(
            session,
            collection_point_id=None,
            need_id=chosen.need_id,
            convoy_id=None,
            cursor=None,
            limit=50,
            visible=visibility.pallets(principal),
        )
        packed = service.read_pallets(session, rows)
    return render(
        request,
        "collection/matching.html",
        {
            "matches": matches,
            "chosen": chosen,
            "lines": lines,
            "points": points,
            "to_pack": to_pack,
            "packed": packed,
            "recipients": _recipients(session, [m.destination_id for m in matches]),
            "category_name": lambda c: CATALOGUE[c].name(language()),
            "errors": {},
            **_common(session),
        },
        principal=principal,
    )


@router.post("/collection-matching/reserve", response_model=None)
def reserve(
    request: Request,
    session: SessionDep,
    principal: PagePrincipalDep,
    submitted: forms.SubmittedForm,
) -> Response:
    require(principal, "reserve_stock")
    need_id = submitted.get("need_id")
    try:
        data = ReservationCreate.model_validate(
            {
                "need_id": submitted.get("need_id"),
                "stock_line_id": submitted.get("stock_line_id"),
                "quantity": submitted.get("quantity"),
            }
        )
        service.reserve(session, data)
        session.flush()
    except (ValidationError, DomainError) as exc:
        errors = forms.field_errors(exc)
        if not errors:
            raise
        session.rollback()
        status_code = exc.status_code if isinstance(exc, DomainError) else 422
        return render(
            request,
            "web/error.html",
            {"title": _("Not reserved"), "message": " ".join(errors.values())},
            principal=principal,
            status_code=status_code,
        )
    return RedirectResponse(f"/collection-matching?need_id={need_id}", status_code=303)


@router.post("/collection-matching/fill", response_model=None)
def fill(
    request: Request,
    session: SessionDep,
    principal: PagePrincipalDep,
    submitted: forms.SubmittedForm,
) -> Response:
    """One tap: reserve what the need lacks from the hall's fullest fitting lines."""
    require(principal, "fill_need_from_stock")
    need_id = forms.record_id("need_id", str(submitted.get("need_id") or ""))
    point_id = forms.record_id(
        "collection_point_id", str(submitted.get("collection_point_id") or "")
    )
    try:
        data = ReservationFill.model_validate({"need_id": need_id, "collection_point_id": point_id})
        service.reserve_fullest(session, data.need_id, data.collection_point_id)
        session.flush()
    except (ValidationError, DomainError) as exc:
        errors = forms.field_errors(exc)
        if not errors:
            raise
        session.rollback()
        status_code = exc.status_code if isinstance(exc, DomainError) else 422
        return render(
            request,
            "web/error.html",
            {"title": _("Not reserved"), "message": " ".join(errors.values())},
            principal=principal,
            status_code=status_code,
        )
    return RedirectResponse(f"/collection-matching?need_id={need_id}", status_code=303)


# --- pallets -------------------------------------------------------------------------------


def _pallet(session: Session, principal: Principal, pallet_id: int) -> Pallet:
    pallet = service.get_pallet(session, pallet_id)
    visibility.require_collection_point(principal, pallet.collection_point_id)
    return pallet


def _pallet_page(
    request: Request,
    session: Session,
    principal: Principal,
    pallet: Pallet,
    errors: forms.FieldErrors,
    status_code: int = 200,
) -> HTMLResponse:
    point = service.get_point(session, pallet.collection_point_id)
    need = session.get(Need, pallet.need_id) if pallet.need_id else None
    waiting = [
        r
        for r in service.reservations(
            session, need_id=pallet.need_id, collection_point_id=pallet.collection_point_id
        )
        if r.quantity > r.packed
    ]
    lines = {
        line.id: line
        for line in session.exec(
            select(StockLine).where(col(StockLine.id).in_([r.stock_line_id for r in waiting]))
        ).all()
    }
    return render(
        request,
        "collection/pallet.html",
        {
            "pallet": service.read_pallet(session, pallet),
            "point": point,
            "need": need,
            "recipient": session.get(Destination, need.destination_id) if need else None,
            "waiting": [(r, _name(lines[r.stock_line_id])) for r in waiting],
            "carriers": service.carriers(session) if pallet.status == "open" else [],
            "errors": errors,
            "url": pallet_papers.page_url(pallet),
            **_common(session),
        },
        principal=principal,
        status_code=status_code,
    )


@router.post("/collection/{point_id}/pallets", response_model=None)
def new_pallet(
    request: Request,
    point_id: int,
    session: SessionDep,
    principal: PagePrincipalDep,
    submitted: forms.SubmittedForm,
) -> Response:
    require(principal, "create_pallet")
    _point(session, principal, point_id)
    kind = str(submitted.get("kind") or "")
    data = PalletCreate(
        collection_point_id=point_id,
        kind=PalletKind(kind) if kind in PalletKind.__members__ else PalletKind.pallet,
        need_id=forms.record_id("need_id", str(submitted.get("need_id") or "")),
    )
    pallet = service.create_pallet(session, data)
    return RedirectResponse(f"/collection/pallets/{pallet.id}", status_code=303)


@router.get("/collection/pallets/{pallet_id}", response_class=HTMLResponse)
def pallet_page(
    request: Request, pallet_id: int, session: SessionDep, principal: PagePrincipalDep
) -> HTMLResponse:
    require(principal, "get_pallet")
    return _pallet_page(request, session, principal, _pallet(session, principal, pallet_id), {})


def _pallet_change(
    request: Request,
    session: Session,
    principal: Principal,
    pallet_id: int,
    operation: str,
    change: Any,
) -> Response:
    require(principal, operation)
    pallet = _pallet(session, principal, pallet_id)
    try:
        change(pallet)
        session.flush()
    except (ValidationError, DomainError) as exc:
        errors = forms.field_errors(exc)
        if not errors:
            raise
        session.rollback()
        status_code = exc.status_code if isinstance(exc, DomainError) else 422
        pallet = _pallet(session, principal, pallet_id)
        return _pallet_page(request, session, principal, pallet, errors, status_code)
    return RedirectResponse(f"/collection/pallets/{pallet_id}", status_code=303)


@router.post("/collection/pallets/{pallet_id}/pack", response_model=None)
def pack(
    request: Request,
    pallet_id: int,
    session: SessionDep,
    principal: PagePrincipalDep,
    submitted: forms.SubmittedForm,
) -> Response:
    def change(pallet: Pallet) -> None:
        if submitted.get("reservation_id") == "all":
            service.pack_all(session, pallet)
            return
        data = PalletPack.model_validate(
            {
                "reservation_id": submitted.get("reservation_id"),
                "quantity": submitted.get("quantity") or None,
            }
        )
        service.pack(session, pallet, data)

    return _pallet_change(request, session, principal, pallet_id, "pack_pallet", change)


@router.post("/collection/pallets/{pallet_id}/weigh", response_model=None)
def weigh(
    request: Request,
    pallet_id: int,
    session: SessionDep,
    principal: PagePrincipalDep,
    submitted: forms.SubmittedForm,
) -> Response:
    def change(pallet: Pallet) -> None:
        data = PalletUpdate.model_validate(
            {
                "weight_kg": submitted.get("weight_kg") or None,
                "volume_dm3": submitted.get("volume_dm3") or None,
            }
        )
        service.update_pallet(session, pallet, data)

    return _pallet_change(request, session, principal, pallet_id, "update_pallet", change)


@router.post("/collection/pallets/{pallet_id}/load", response_model=None)
def load(
    request: Request,
    pallet_id: int,
    session: SessionDep,
    principal: PagePrincipalDep,
    submitted: forms.SubmittedForm,
) -> Response:
    def change(pallet: Pallet) -> None:
        convoy_id, _sep, vehicle_id = str(submitted.get("carrier") or "").partition(":")
        data = PalletLoad.model_validate(
            {"convoy_id": convoy_id or None, "vehicle_id": vehicle_id or None}
        )
        service.load(session, pallet, data)

    return _pallet_change(request, session, principal, pallet_id, "load_pallet", change)


@router.post("/collection/pallets/{pallet_id}/handover", response_model=None)
def hand_over(
    request: Request,
    pallet_id: int,
    session: SessionDep,
    principal: PagePrincipalDep,
    submitted: forms.SubmittedForm,
) -> Response:
    def change(pallet: Pallet) -> None:
        data = PalletHandover.model_validate(
            {
                name: submitted.get(name) or None
                for name in ("carrier_name", "truck_plate", "received_by", "handed_over_on")
            }
        )
        service.hand_over(session, pallet, data)

    return _pallet_change(request, session, principal, pallet_id, "hand_over_pallet", change)


@router.get("/collection/pallets/{pallet_id}/{paper}.pdf", response_class=Response)
def pallet_paper(
    pallet_id: int, paper: str, session: SessionDep, principal: PagePrincipalDep
) -> Response:
    """The label (label.pdf) or the packing list (packing-list.pdf)."""
    require(principal, "get_pallet")
    pallet = _pallet(session, principal, pallet_id)
    kinds = {"label": "label", "packing-list": "packing_list"}
    if paper not in kinds:
        return Response(status_code=404)
    body = pallet_papers.pdf(session, pallet, kinds[paper])
    return Response(
        body,
        media_type="application/pdf",
        headers={"content-disposition": f'inline; filename="{pallet.number}-{paper}.pdf"'},
    )
