"""The funding API: programmes and their transports, funds, the ledger, pledges, grants,
balances, the forecast and the papers.

A booked ledger entry has no PATCH and no DELETE here: a correction is a reversal
(``POST /ledger-entries/{id}/reversal``).
"""

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi import status as http

from app.auth.deps import PrincipalDep, require_version
from app.core.database import SessionDep
from app.core.downloads import content_disposition
from app.core.pagination import CursorQuery, LimitQuery, Page
from app.core.types import RecordId
from app.funding import papers, service
from app.funding.models import EntryKind, Fund, GrantAward, PayrollPledge, Programme, Transport
from app.funding.schemas import (
    Balances,
    EntryCreate,
    EntryRead,
    Forecast,
    FundCreate,
    FundingPaperRead,
    FundRead,
    GrantCreate,
    GrantRead,
    PledgeCreate,
    PledgeMonth,
    PledgeMonthRead,
    PledgeRead,
    PledgeUpdate,
    ProgrammeCreate,
    ProgrammeRead,
    ProgrammeUpdate,
    ReversalCreate,
    TransportCreate,
    TransportRead,
    TransportUpdate,
    YearReportCreate,
)

router = APIRouter(tags=["funding"])
FILES: dict[int | str, dict[str, Any]] = {200: {"content": {"application/pdf": {}, "text/csv": {}}}}


def programme_dep(programme_id: RecordId, request: Request, session: SessionDep) -> Programme:
    programme = service.get_programme(session, programme_id)
    require_version(request, programme)
    return programme


def transport_dep(transport_id: RecordId, request: Request, session: SessionDep) -> Transport:
    transport = service.get_transport(session, transport_id)
    require_version(request, transport)
    return transport


def fund_dep(fund_id: RecordId, session: SessionDep) -> Fund:
    return service.get_fund(session, fund_id)


def pledge_dep(pledge_id: RecordId, request: Request, session: SessionDep) -> PayrollPledge:
    pledge = service.get_pledge(session, pledge_id)
    require_version(request, pledge)
    return pledge


def grant_dep(grant_id: RecordId, session: SessionDep) -> GrantAward:
    return service.get_grant(session, grant_id)


ProgrammeDep = Annotated[Programme, Depends(programme_dep)]
TransportDep = Annotated[Transport, Depends(transport_dep)]
FundDep = Annotated[Fund, Depends(fund_dep)]
PledgeDep = Annotated[PayrollPledge, Depends(pledge_dep)]
GrantDep = Annotated[GrantAward, Depends(grant_dep)]


# --- programmes and transports ----------------------------------------------------------------


@router.get("/programmes", operation_id="list_programmes")
def list_programmes(session: SessionDep) -> list[ProgrammeRead]:
    return [ProgrammeRead.model_validate(p) for p in service.programmes(session)]


@router.post("/programmes", status_code=http.HTTP_201_CREATED, operation_id="create_programme")
def create_programme(data: ProgrammeCreate, session: SessionDep) -> ProgrammeRead:
    return ProgrammeRead.model_validate(service.create_programme(session, data))


@router.get("/programmes/{programme_id}", operation_id="get_programme")
def get_programme(programme: ProgrammeDep) -> ProgrammeRead:
    return ProgrammeRead.model_validate(programme)


@router.patch("/programmes/{programme_id}", operation_id="update_programme")
def update_programme(
    programme: ProgrammeDep, changes: ProgrammeUpdate, session: SessionDep
) -> ProgrammeRead:
    return ProgrammeRead.model_validate(service.update_programme(session, programme, changes))


@router.get("/programmes/{programme_id}/transports", operation_id="list_transports")
def list_transports(programme: ProgrammeDep, session: SessionDep) -> list[TransportRead]:
    rows = service.transports(session, programme.id or 0)
    return service.transport_reads(session, programme, rows)


@router.post(
    "/programmes/{programme_id}/transports",
    status_code=http.HTTP_201_CREATED,
    operation_id="create_transport",
)
def create_transport(
    programme: ProgrammeDep, data: TransportCreate, session: SessionDep
) -> TransportRead:
    transport = service.create_transport(session, programme, data)
    return service.transport_reads(session, programme, [transport])[0]


@router.get("/transports/{transport_id}", operation_id="get_transport")
def get_transport(transport: TransportDep, session: SessionDep) -> TransportRead:
    programme = service.get_programme(session, transport.programme_id)
    return service.transport_reads(session, programme, [transport])[0]


@router.patch("/transports/{transport_id}", operation_id="update_transport")
def update_transport(
    transport: TransportDep, changes: TransportUpdate, session: SessionDep
) -> TransportRead:
    programme = service.get_programme(session, transport.programme_id)
    service.update_transport(session, transport, changes)
    return service.transport_reads(session, programme, [transport])[0]


# --- funds, balances, forecast ----------------------------------------------------------------


@router.get("/programmes/{programme_id}/funds", operation_id="list_funds")
def list_funds(programme: ProgrammeDep, session: SessionDep) -> list[FundRead]:
    return [service.fund_read(session, f) for f in service.funds(session, programme.id or 0)]


@router.post(
    "/programmes/{programme_id}/funds",
    status_code=http.HTTP_201_CREATED,
    operation_id="create_fund",
)
def create_fund(programme: ProgrammeDep, data: FundCreate, session: SessionDep) -> FundRead:
    return service.fund_read(session, service.create_fund(session, programme, data))


@router.get("/funds/{fund_id}", operation_id="get_fund")
def get_fund(fund: FundDep, session: SessionDep) -> FundRead:
    return service.fund_read(session, fund)


@router.get("/programmes/{programme_id}/balances", operation_id="get_balances")
def get_balances(
    programme: ProgrammeDep,
    session: SessionDep,
    until: Annotated[date | None, Query(description="Entries booked up to this day")] = None,
) -> Balances:
    """Each fund's balance: the sum of its entries, reversals included."""
    return service.balances(session, programme, until)


@router.get("/programmes/{programme_id}/forecast", operation_id="get_forecast")
def get_forecast(programme: ProgrammeDep, session: SessionDep) -> Forecast:
    """At the current monthly inflow, when the next transport of its usual cost is paid for;
    what each grant still needs before its report is due."""
    return service.forecast(session, programme)


# --- the ledger -------------------------------------------------------------------------------


@router.get("/ledger-entries", operation_id="list_ledger_entries")
def list_ledger_entries(
    session: SessionDep,
    programme_id: RecordId | None = None,
    fund_id: RecordId | None = None,
    transport_id: RecordId | None = None,
    kind: EntryKind | None = None,
    booked_from: Annotated[date | None, Query(alias="from")] = None,
    booked_to: Annotated[date | None, Query(alias="to")] = None,
    sort: Annotated[str, Query(description="booked_on or id; prefix - to reverse")] = "-booked_on",
    cursor: CursorQuery = None,
    limit: LimitQuery = 50,
) -> Page[EntryRead]:
    rows, next_cursor = service.search_entries(
        session,
        programme_id=programme_id,
        fund_id=fund_id,
        transport_id=transport_id,
        kind=kind,
        booked_from=booked_from,
        booked_to=booked_to,
        sort=sort,
        cursor=cursor,
        limit=limit,
    )
    return Page(items=[EntryRead.model_validate(r) for r in rows], next_cursor=next_cursor)


@router.post("/ledger-entries", status_code=http.HTTP_201_CREATED, operation_id="book_entry")
def book_entry(data: EntryCreate, session: SessionDep, principal: PrincipalDep) -> EntryRead:
    """Book an entry: costs are stored negative. Booked, it never changes."""
    return EntryRead.model_validate(service.book(session, data, principal))


@router.get("/ledger-entries/{entry_id}", operation_id="get_ledger_entry")
def get_ledger_entry(entry_id: RecordId, session: SessionDep) -> EntryRead:
    return EntryRead.model_validate(service.get_entry(session, entry_id))


@router.post(
    "/ledger-entries/{entry_id}/reversal",
    status_code=http.HTTP_201_CREATED,
    operation_id="reverse_entry",
)
def reverse_entry(
    entry_id: RecordId, data: ReversalCreate, session: SessionDep, principal: PrincipalDep
) -> EntryRead:
    """Correct an entry the way GoBD asks: a new entry of the opposite amount naming it."""
    entry = service.get_entry(session, entry_id)
    return EntryRead.model_validate(service.reverse(session, entry, data, principal))


@router.get(
    "/programmes/{programme_id}/ledger.{fmt}",
    operation_id="export_ledger",
    response_class=Response,
    responses=FILES,
)
def export_ledger(
    programme: ProgrammeDep,
    fmt: Literal["csv", "xlsx"],
    session: SessionDep,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
) -> Response:
    """The ledger for a tax adviser: DATEV Buchungsstapel's columns (see README, "The
    ledger export"), semicolon-separated with a decimal comma as CSV, or as XLSX."""
    made = papers.ledger_export(session, programme, fmt, year)
    return Response(
        made.content,
        media_type=made.media_type,
        headers={"content-disposition": content_disposition(made.filename)},
    )


# --- pledges and grants -----------------------------------------------------------------------


@router.get("/funds/{fund_id}/pledges", operation_id="list_pledges")
def list_pledges(fund: FundDep, session: SessionDep) -> list[PledgeRead]:
    return [PledgeRead.model_validate(p) for p in service.pledges(session, [fund.id or 0])]


@router.post(
    "/funds/{fund_id}/pledges", status_code=http.HTTP_201_CREATED, operation_id="create_pledge"
)
def create_pledge(fund: FundDep, data: PledgeCreate, session: SessionDep) -> PledgeRead:
    return PledgeRead.model_validate(service.create_pledge(session, fund, data))


@router.patch("/pledges/{pledge_id}", operation_id="update_pledge")
def update_pledge(pledge: PledgeDep, changes: PledgeUpdate, session: SessionDep) -> PledgeRead:
    return PledgeRead.model_validate(service.update_pledge(session, pledge, changes))


@router.post(
    "/funds/{fund_id}/pledge-months",
    status_code=http.HTTP_201_CREATED,
    operation_id="book_pledge_month",
)
def book_pledge_month(
    fund: FundDep, data: PledgeMonth, session: SessionDep, principal: PrincipalDep
) -> PledgeMonthRead:
    """Book a month of payroll giving in one call: one entry per pledge active that month."""
    entries = service.book_pledge_month(session, fund, data.month, data.booked_on, principal)
    return PledgeMonthRead(
        month=service.month_of(data.month),
        entries=[EntryRead.model_validate(e) for e in entries],
        total_cents=sum(e.amount_cents for e in entries),
    )


@router.get("/programmes/{programme_id}/grants", operation_id="list_grants")
def list_grants(programme: ProgrammeDep, session: SessionDep) -> list[GrantRead]:
    fund_ids = [f.id for f in service.funds(session, programme.id or 0) if f.id is not None]
    return service.grant_reads(session, service.grants(session, fund_ids))


@router.post(
    "/funds/{fund_id}/grants", status_code=http.HTTP_201_CREATED, operation_id="create_grant"
)
def create_grant(fund: FundDep, data: GrantCreate, session: SessionDep) -> GrantRead:
    return service.grant_reads(session, [service.create_grant(session, fund, data)])[0]


@router.get("/grants/{grant_id}", operation_id="get_grant")
def get_grant(grant: GrantDep, session: SessionDep) -> GrantRead:
    return service.grant_reads(session, [grant])[0]


# --- papers -----------------------------------------------------------------------------------


@router.post(
    "/transports/{transport_id}/funders-report",
    status_code=http.HTTP_201_CREATED,
    operation_id="issue_transport_report",
)
def issue_transport_report(
    transport: TransportDep, session: SessionDep, principal: PrincipalDep
) -> FundingPaperRead:
    """The transport's report for its funders: what went where, what it cost, from which fund,
    with the handover records. Numbered and kept as issued."""
    return FundingPaperRead.model_validate(
        papers.issue_transport_report(session, transport, principal)
    )


@router.post(
    "/funds/{fund_id}/year-reports",
    status_code=http.HTTP_201_CREATED,
    operation_id="issue_fund_year_report",
)
def issue_fund_year_report(
    fund: FundDep, data: YearReportCreate, session: SessionDep, principal: PrincipalDep
) -> FundingPaperRead:
    return FundingPaperRead.model_validate(
        papers.issue_year_report(session, fund, data.year, principal)
    )


@router.post(
    "/ledger-entries/{entry_id}/receipt",
    status_code=http.HTTP_201_CREATED,
    operation_id="issue_donation_receipt",
)
def issue_donation_receipt(
    entry_id: RecordId, session: SessionDep, principal: PrincipalDep
) -> FundingPaperRead:
    """A donation receipt (Zuwendungsbestätigung) on the official model for Geldzuwendungen:
    numbered, kept as issued, one per donation."""
    entry = service.get_entry(session, entry_id)
    return FundingPaperRead.model_validate(papers.issue_receipt(session, entry, principal))


@router.get("/programmes/{programme_id}/papers", operation_id="list_funding_papers")
def list_funding_papers(programme: ProgrammeDep, session: SessionDep) -> list[FundingPaperRead]:
    return [FundingPaperRead.model_validate(p) for p in papers.issued(session, programme)]


@router.get(
    "/funding-papers/{paper_id}/file",
    operation_id="download_funding_paper",
    response_class=Response,
    responses=FILES,
)
def download_funding_paper(paper_id: RecordId, session: SessionDep) -> Response:
    """The very bytes that were issued."""
    paper = papers.get(session, paper_id)
    return Response(
        paper.content,
        media_type=paper.media_type,
        headers={
            "content-disposition": content_disposition(paper.filename),
            "x-content-sha256": paper.sha256,
        },
    )
