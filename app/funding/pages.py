"""A transport series as pages: the programme's overview with its chart, the ledger with its
filters, each transport's costs beside its convoy, an entry with its receipts, and the
treasurer's booking forms. Every form calls the service the API calls."""

from collections.abc import Callable
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup, escape
from pydantic import ValidationError
from sqlmodel import Session

from app.attachments import service as attachments
from app.auth.service import Principal
from app.convoys import service as convoys
from app.core.database import SessionDep
from app.core.downloads import content_disposition
from app.core.errors import DomainError
from app.core.pagination import MAX_CURSOR_LENGTH
from app.core.types import RecordId
from app.funding import papers, service
from app.funding.models import COSTS, INCOME, EntryKind, FundingPaperKind, Programme, Transport
from app.funding.schemas import EntryCreate, PledgeMonth, ReversalCreate, YearReportCreate
from app.needs import service as needs
from app.web import forms
from app.web.i18n import N_
from app.web.pages import PagePrincipalDep, require
from app.web.templating import render

router = APIRouter(include_in_schema=False)
FormText = Annotated[str | None, Form()]

KIND_LABELS = {
    EntryKind.payroll_pledge: N_("Payroll giving"),
    EntryKind.donation: N_("Donation"),
    EntryKind.grant: N_("Grant"),
    EntryKind.goods: N_("Goods bought"),
    EntryKind.vehicle_hire: N_("Vehicle hire"),
    EntryKind.fuel: N_("Fuel"),
    EntryKind.tolls: N_("Tolls"),
    EntryKind.other_cost: N_("Other costs"),
}
STATUS_LABELS = {
    "planned": N_("planned"),
    "done": N_("done"),
    "cancelled": N_("cancelled"),
}
PAPER_LABELS = {
    FundingPaperKind.transport_report: N_("Funders' report"),
    FundingPaperKind.fund_year_report: N_("Yearly report of a fund"),
    FundingPaperKind.donation_receipt: N_("Donation receipt"),
}
BOOKABLE = [k for k in EntryKind if k not in (EntryKind.payroll_pledge,)]


def _common(principal: Principal) -> dict[str, Any]:
    return {
        "kind_labels": KIND_LABELS,
        "status_labels": STATUS_LABELS,
        "paper_labels": PAPER_LABELS,
        "bookable": BOOKABLE,
        "costs": COSTS,
        "income": INCOME,
        "today": service.today(),
        "is_treasurer": principal.role.value == "treasurer",
    }


# --- the chart --------------------------------------------------------------------------------

WIDTH, HEIGHT, PAD = 720, 240, 48


def chart(series: list[tuple[date, int, int]], title: str, income: str, balance: str) -> Markup:
    """Income per month as bars, the balance at each month's end as a line: SVG made here from
    numbers and escaped words only, so it is safe to place in the page."""
    if not series:
        return Markup("")
    top = max(max(i for _m, i, _b in series), max(b for _m, _i, b in series), 1)
    bottom = min(0, min(b for _m, _i, b in series))
    span = top - bottom
    inner_w, inner_h = WIDTH - 2 * PAD, HEIGHT - 2 * PAD
    step = inner_w / len(series)

    def y(cents: int) -> float:
        return PAD + inner_h - (cents - bottom) / span * inner_h

    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="chart-title" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="chart-title">{escape(title)}</title>',
        f'<line x1="{PAD}" y1="{y(0):.1f}" x2="{WIDTH - PAD}" y2="{y(0):.1f}" stroke="#888"/>',
    ]
    for n, (month, cents, _b) in enumerate(series):
        x = PAD + n * step
        height = max(y(0) - y(cents), 0)
        parts.append(
            f'<rect x="{x + step * 0.15:.1f}" y="{y(cents):.1f}" width="{step * 0.7:.1f}" '
            f'height="{height:.1f}" fill="#7aa6d8"><title>{month:%m/%Y}: '
            f"{escape(_euros(cents))}</title></rect>"
        )
        if n % 3 == 0:
            parts.append(
                f'<text x="{x + step / 2:.1f}" y="{HEIGHT - PAD + 16}" font-size="11" '
                f'text-anchor="middle">{month:%m/%y}</text>'
            )
    points = " ".join(
        f"{PAD + n * step + step / 2:.1f},{y(b):.1f}" for n, (_m, _i, b) in enumerate(series)
    )
    parts.append(f'<polyline points="{points}" fill="none" stroke="#1b6e20" stroke-width="2"/>')
    parts.append(
        f'<text x="{PAD}" y="{PAD - 24}" font-size="12">{escape(_euros(top))}</text>'
        f'<rect x="{WIDTH - 300}" y="8" width="12" height="12" fill="#7aa6d8"/>'
        f'<text x="{WIDTH - 284}" y="18" font-size="12">{escape(income)}</text>'
        f'<line x1="{WIDTH - 300}" y1="32" x2="{WIDTH - 288}" y2="32" stroke="#1b6e20" '
        f'stroke-width="2"/><text x="{WIDTH - 284}" y="36" font-size="12">{escape(balance)}</text>'
    )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 (numbers and escaped words only)


def _euros(cents: int) -> str:
    return papers.euros(cents)


# --- pages ------------------------------------------------------------------------------------


@router.get("/programmes", response_class=HTMLResponse)
def programmes(request: Request, session: SessionDep, principal: PagePrincipalDep) -> Response:
    require(principal, "list_programmes")
    rows = service.programmes(session)
    if len(rows) == 1:
        return RedirectResponse(f"/programmes/{rows[0].id}", status_code=303)
    return render(
        request,
        "funding/programmes.html",
        {"programmes": rows, **_common(principal)},
        principal=principal,
    )


def _overview(
    request: Request,
    session: SessionDep,
    principal: Principal,
    programme: Programme,
    errors: dict[str, str] | None = None,
    typed: dict[str, Any] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    from app.core.i18n import _

    transports = service.transport_reads(
        session, programme, service.transports(session, programme.id or 0)
    )
    funds = service.funds(session, programme.id or 0)
    fund_ids = [f.id or 0 for f in funds]
    series = service.monthly_series(session, programme)
    return render(
        request,
        "funding/programme.html",
        {
            "programme": programme,
            "transports": transports,
            "done": [t for t in transports if t.status.value == "done"],
            "planned": [t for t in transports if t.status.value == "planned"],
            "balances": service.balances(session, programme),
            "forecast": service.forecast(session, programme),
            "pledges": service.pledges(session, fund_ids),
            "funds": funds,
            "papers": papers.issued(session, programme)[:20],
            "chart": chart(
                series,
                _("Income per month and balance, last 24 months"),
                _("income per month"),
                _("balance"),
            ),
            "series": series,
            "errors": errors or {},
            "typed": typed or {},
            **_common(principal),
        },
        principal=principal,
        status_code=status_code,
    )


@router.get("/programmes/{programme_id}", response_class=HTMLResponse)
def overview(
    request: Request, programme_id: RecordId, session: SessionDep, principal: PagePrincipalDep
) -> HTMLResponse:
    require(principal, "get_programme")
    programme = service.get_programme(session, programme_id)
    return _overview(request, session, principal, programme)


@router.get("/programmes/{programme_id}/ledger", response_class=HTMLResponse)
def ledger(
    request: Request,
    programme_id: RecordId,
    session: SessionDep,
    principal: PagePrincipalDep,
    fund_id: Annotated[str | None, Query()] = None,
    transport_id: Annotated[str | None, Query()] = None,
    kind: Annotated[EntryKind | None, Query()] = None,
    booked_from: Annotated[date | None, Query(alias="from")] = None,
    booked_to: Annotated[date | None, Query(alias="to")] = None,
    cursor: Annotated[str | None, Query(max_length=MAX_CURSOR_LENGTH)] = None,
) -> HTMLResponse:
    require(principal, "list_ledger_entries")
    programme = service.get_programme(session, programme_id)
    fund = forms.record_id("fund_id", fund_id)
    transport = forms.record_id("transport_id", transport_id)
    rows, next_cursor = service.search_entries(
        session,
        programme_id=programme.id,
        fund_id=fund,
        transport_id=transport,
        kind=kind,
        booked_from=booked_from,
        booked_to=booked_to,
        cursor=cursor,
        limit=50,
    )
    transports = service.transports(session, programme.id or 0)
    filters = {
        "fund_id": fund or "",
        "transport_id": transport or "",
        "kind": kind.value if kind else "",
        "from": booked_from.isoformat() if booked_from else "",
        "to": booked_to.isoformat() if booked_to else "",
    }
    return render(
        request,
        "funding/ledger.html",
        {
            "programme": programme,
            "entries": rows,
            "reversed": service.reversed_ids(session, [e.id or 0 for e in rows]),
            "next_cursor": next_cursor,
            "funds": {f.id: f for f in service.funds(session, programme.id or 0)},
            "transports": {t.id: t for t in transports},
            "filters": filters,
            "query": "&".join(f"{k}={v}" for k, v in filters.items() if v),
            **_common(principal),
        },
        principal=principal,
        block="rows",
    )


def _transport_page(
    request: Request,
    session: Session,
    principal: Principal,
    transport: Transport,
    errors: dict[str, str] | None = None,
    typed: dict[str, Any] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    programme = service.get_programme(session, transport.programme_id)
    read = service.transport_reads(session, programme, [transport])[0]
    convoy = service.convoy_of(session, transport)
    entries, _next = service.search_entries(
        session, transport_id=transport.id, sort="booked_on", limit=200
    )
    return render(
        request,
        "funding/transport.html",
        {
            "programme": programme,
            "transport": read,
            "convoy": convoy,
            "legs": convoys.legs_of(session, convoy.id) if convoy and convoy.id else [],
            "handovers": convoys.handovers_of(session, convoy.id) if convoy and convoy.id else [],
            "entries": entries,
            "funds": service.funds(session, programme.id or 0),
            "fund_names": {f.id: f.name for f in service.funds(session, programme.id or 0)},
            "usual": service.usual_cost(session, programme),
            "needs": [needs.get(session, n) for n in read.need_ids],
            "papers": [
                p for p in papers.issued(session, programme) if p.transport_id == transport.id
            ],
            "errors": errors or {},
            "typed": typed or {},
            **_common(principal),
        },
        principal=principal,
        status_code=status_code,
    )


@router.get("/transports/{transport_id}", response_class=HTMLResponse)
def transport_page(
    request: Request, transport_id: RecordId, session: SessionDep, principal: PagePrincipalDep
) -> HTMLResponse:
    require(principal, "get_transport")
    return _transport_page(
        request, session, principal, service.get_transport(session, transport_id)
    )


def _entry_page(
    request: Request,
    session: Session,
    principal: Principal,
    entry_id: int,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    entry = service.get_entry(session, entry_id)
    fund = service.get_fund(session, entry.fund_id)
    programme = service.get_programme(session, fund.programme_id)
    reversed_by = service.reversal_of(session, entry)
    receipt = next((p for p in papers.issued(session, programme) if p.entry_id == entry.id), None)
    return render(
        request,
        "funding/entry.html",
        {
            "programme": programme,
            "entry": entry,
            "fund": fund,
            "transport": service.get_transport(session, entry.transport_id)
            if entry.transport_id
            else None,
            "reversed_by": reversed_by,
            "receipt": receipt,
            "attachments": attachments.of(session, "ledger_entry", entry_id),
            "errors": errors or {},
            **_common(principal),
        },
        principal=principal,
        status_code=status_code,
    )


@router.get("/ledger-entries/{entry_id}", response_class=HTMLResponse)
def entry_page(
    request: Request, entry_id: RecordId, session: SessionDep, principal: PagePrincipalDep
) -> HTMLResponse:
    require(principal, "get_ledger_entry")
    return _entry_page(request, session, principal, entry_id)


# --- the treasurer's forms --------------------------------------------------------------------


def _attempt(
    session: Session, act: Callable[[], str], refused: Callable[[dict[str, str], int], Response]
) -> Response:
    """Run a form's change; refused, the page again with each refused field named."""
    try:
        target = act()
        session.flush()
    except (ValidationError, DomainError) as exc:
        errors = forms.field_errors(exc)
        if not errors:
            raise
        session.rollback()
        return refused(errors, exc.status_code if isinstance(exc, DomainError) else 422)
    return RedirectResponse(target, status_code=303)


@router.post("/programmes/{programme_id}/entries", response_model=None)
def book_entry(
    request: Request,
    programme_id: RecordId,
    session: SessionDep,
    principal: PagePrincipalDep,
    fund_id: FormText = None,
    transport_id: FormText = None,
    booked_on: FormText = None,
    kind: FormText = None,
    amount: FormText = None,
    description: FormText = None,
    reference: FormText = None,
    donor_name: FormText = None,
    donor_address: FormText = None,
    grant_id: FormText = None,
    back: FormText = None,
) -> Response:
    """Book an entry from a form; the amount is typed in euros ("1.234,56" or "1234.56") and
    read into cents without a float."""
    require(principal, "book_entry")
    programme = service.get_programme(session, programme_id)
    typed = {
        "fund_id": fund_id,
        "transport_id": transport_id,
        "booked_on": booked_on,
        "kind": kind,
        "amount": amount,
        "description": description,
        "reference": reference,
        "donor_name": donor_name,
        "donor_address": donor_address,
        "grant_id": grant_id,
    }

    def act() -> str:
        data = EntryCreate.model_validate(
            {
                "fund_id": forms.record_id("fund_id", fund_id) or fund_id,
                "transport_id": forms.record_id("transport_id", transport_id),
                "booked_on": booked_on or None,
                "kind": kind,
                "amount_cents": cents_of(amount),
                "description": (description or "").strip(),
                "reference": (reference or "").strip() or None,
                "donor_name": (donor_name or "").strip() or None,
                "donor_address": (donor_address or "").strip() or None,
                "grant_id": forms.record_id("grant_id", grant_id),
            }
        )
        entry = service.book(session, data, principal)
        return f"/ledger-entries/{entry.id}"

    def refused(errors: dict[str, str], status_code: int) -> Response:
        if "amount_cents" in errors:
            errors["amount"] = errors.pop("amount_cents")
        transport = forms.record_id("transport_id", transport_id) if back == "transport" else None
        if transport is not None:
            return _transport_page(
                request,
                session,
                principal,
                service.get_transport(session, transport),
                errors,
                typed,
                status_code,
            )
        return _overview(request, session, principal, programme, errors, typed, status_code)

    return _attempt(session, act, refused)


def cents_of(typed: str | None) -> int | str | None:
    """Euros as typed ("1.234,56", "1234.56", "45") in cents, by the digits; what cannot be
    read goes on as typed, so the schema names the field."""
    text = (typed or "").strip().replace(" ", "").replace("€", "")
    if not text:
        return None
    if "," in text:
        text = text.replace(".", "").replace(",", ".")
    whole, _dot, fraction = text.partition(".")
    if not whole.isdecimal() or (fraction and not fraction.isdecimal()) or len(fraction) > 2:
        return typed
    if len(whole) > 12:
        return typed
    return int(whole) * 100 + int((fraction + "00")[:2])


@router.post("/funds/{fund_id}/pledge-months", response_model=None)
def book_pledge_month(
    request: Request,
    fund_id: RecordId,
    session: SessionDep,
    principal: PagePrincipalDep,
    month: FormText = None,
    booked_on: FormText = None,
) -> Response:
    require(principal, "book_pledge_month")
    fund = service.get_fund(session, fund_id)
    programme = service.get_programme(session, fund.programme_id)

    def act() -> str:
        data = PledgeMonth.model_validate(
            {
                "month": f"{month}-01" if month and len(month) == 7 else month,
                "booked_on": booked_on or None,
            }
        )
        service.book_pledge_month(session, fund, data.month, data.booked_on, principal)
        return f"/programmes/{programme.id}/ledger?fund_id={fund.id}&kind=payroll_pledge"

    def refused(errors: dict[str, str], status_code: int) -> Response:
        return _overview(
            request, session, principal, programme, errors, {"month": month}, status_code
        )

    return _attempt(session, act, refused)


@router.post("/ledger-entries/{entry_id}/reversal", response_model=None)
def reverse_entry(
    request: Request,
    entry_id: RecordId,
    session: SessionDep,
    principal: PagePrincipalDep,
    reason: FormText = None,
) -> Response:
    require(principal, "reverse_entry")
    entry = service.get_entry(session, entry_id)

    def act() -> str:
        data = ReversalCreate.model_validate({"reason": (reason or "").strip()})
        return f"/ledger-entries/{service.reverse(session, entry, data, principal).id}"

    return _attempt(
        session,
        act,
        lambda errors, status_code: _entry_page(
            request, session, principal, entry_id, errors, status_code
        ),
    )


@router.post("/ledger-entries/{entry_id}/receipt", response_model=None)
def issue_receipt(
    request: Request, entry_id: RecordId, session: SessionDep, principal: PagePrincipalDep
) -> Response:
    require(principal, "issue_donation_receipt")
    entry = service.get_entry(session, entry_id)

    def act() -> str:
        papers.issue_receipt(session, entry, principal)
        return f"/ledger-entries/{entry_id}"

    return _attempt(
        session,
        act,
        lambda errors, status_code: _entry_page(
            request, session, principal, entry_id, errors, status_code
        ),
    )


@router.post("/transports/{transport_id}/funders-report", response_model=None)
def issue_transport_report(
    transport_id: RecordId, session: SessionDep, principal: PagePrincipalDep
) -> Response:
    require(principal, "issue_transport_report")
    transport = service.get_transport(session, transport_id)
    papers.issue_transport_report(session, transport, principal)
    return RedirectResponse(f"/transports/{transport_id}#papers-heading", status_code=303)


@router.post("/funds/{fund_id}/year-reports", response_model=None)
def issue_year_report(
    request: Request,
    fund_id: RecordId,
    session: SessionDep,
    principal: PagePrincipalDep,
    year: FormText = None,
) -> Response:
    require(principal, "issue_fund_year_report")
    fund = service.get_fund(session, fund_id)
    programme = service.get_programme(session, fund.programme_id)

    def act() -> str:
        data = YearReportCreate.model_validate({"year": year})
        papers.issue_year_report(session, fund, data.year, principal)
        return f"/programmes/{programme.id}#papers-heading"

    def refused(errors: dict[str, str], status_code: int) -> Response:
        return _overview(request, session, principal, programme, errors, {}, status_code)

    return _attempt(session, act, refused)


@router.get("/funding-papers/{paper_id}/file")
def download_paper(
    paper_id: RecordId, session: SessionDep, principal: PagePrincipalDep
) -> Response:
    require(principal, "download_funding_paper")
    paper = papers.get(session, paper_id)
    return Response(
        paper.content,
        media_type=paper.media_type,
        headers={"content-disposition": content_disposition(paper.filename, inline=True)},
    )


@router.get("/programmes/{programme_id}/ledger.{fmt}")
def export_ledger(
    programme_id: RecordId,
    fmt: str,
    session: SessionDep,
    principal: PagePrincipalDep,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
) -> Response:
    require(principal, "export_ledger")
    programme = service.get_programme(session, programme_id)
    made = papers.ledger_export(session, programme, "xlsx" if fmt == "xlsx" else "csv", year)
    return Response(
        made.content,
        media_type=made.media_type,
        headers={"content-disposition": content_disposition(made.filename)},
    )
