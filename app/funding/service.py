"""The rules of a transport series' money: booking, reversing, pledges, grants, balances and
the forecast.

A booked entry is never changed or deleted (GoBD): this module offers no way to, and the
database refuses it too. A correction is a reversing entry of the opposite amount that names
the entry it reverses; an entry is reversed at most once, and a reversal is never reversed.
A fund's balance is the sum of its entries, always computed, never stored.
"""

import statistics
from collections import defaultdict
from collections.abc import Sequence
from datetime import date, timedelta

from sqlalchemy import ColumnElement, case, func
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from app.auth.service import Principal
from app.convoys import service as convoys
from app.convoys.models import Convoy
from app.core.errors import Conflict, InvalidInput, NotFound
from app.core.i18n import N_, _
from app.core.localtime import today_at
from app.core.pagination import keyset_page
from app.core.service import apply_changes, get_or_404, touch
from app.destinations.models import Destination
from app.funding.models import (
    COSTS,
    INCOME,
    EntryKind,
    Fund,
    GrantAward,
    LedgerEntry,
    PayrollPledge,
    Programme,
    Transport,
    TransportNeed,
    TransportStatus,
)
from app.funding.schemas import (
    Balances,
    EntryCreate,
    Forecast,
    FundBalance,
    FundCreate,
    FundRead,
    GrantCreate,
    GrantRead,
    PledgeCreate,
    PledgeUpdate,
    ProgrammeCreate,
    ProgrammeUpdate,
    ReversalCreate,
    TransportCreate,
    TransportRead,
    TransportUpdate,
)
from app.needs.models import Need

# The association keeps its books in Germany: its calendar says what "today" is.
BOOKS_ZONE = "Europe/Berlin"
# How many transports done make the usual cost of the next.
USUAL_OF_LAST = 5


def today() -> date:
    return today_at(BOOKS_ZONE)


def month_of(day: date) -> date:
    return day.replace(day=1)


def next_month(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1)


def booked_by(principal: Principal) -> str:
    return principal.full_name or principal.username


# --- programmes --------------------------------------------------------------------------------


def get_programme(session: Session, programme_id: int) -> Programme:
    return get_or_404(session, Programme, programme_id, N_("Programme"))


def programmes(session: Session) -> Sequence[Programme]:
    return session.exec(select(Programme).order_by(col(Programme.name), col(Programme.id))).all()


def _check_destination(session: Session, destination_id: int | None) -> None:
    if destination_id is not None and session.get(Destination, destination_id) is None:
        said = _("destination {id} does not exist").format(id=destination_id)
        raise InvalidInput([("destination_id", said)])


def create_programme(session: Session, data: ProgrammeCreate) -> Programme:
    _check_destination(session, data.destination_id)
    if session.exec(select(Programme.id).where(Programme.code == data.code)).first():
        raise Conflict(_("a programme with code {code} exists").format(code=data.code), "code")
    programme = Programme.model_validate(data)
    session.add(programme)
    session.flush()
    return programme


def update_programme(session: Session, programme: Programme, changes: ProgrammeUpdate) -> Programme:
    _check_destination(session, changes.destination_id)
    apply_changes(programme, changes)
    session.flush()
    return programme


# --- transports --------------------------------------------------------------------------------


def get_transport(session: Session, transport_id: int) -> Transport:
    return get_or_404(session, Transport, transport_id, N_("Transport"))


def label(programme: Programme, transport: Transport) -> str:
    return f"{programme.code}-{transport.number}"


def transports(session: Session, programme_id: int) -> Sequence[Transport]:
    return session.exec(
        select(Transport)
        .where(Transport.programme_id == programme_id)
        .order_by(col(Transport.number))
    ).all()


def _check_links(session: Session, convoy_id: int | None, need_ids: Sequence[int]) -> None:
    errors: list[tuple[str, str]] = []
    if convoy_id is not None and session.get(Convoy, convoy_id) is None:
        errors.append(("convoy_id", _("convoy {id} does not exist").format(id=convoy_id)))
    if need_ids:
        found = set(session.exec(select(Need.id).where(col(Need.id).in_(need_ids))).all())
        missing = sorted(set(need_ids) - found)
        if missing:
            said = _("needs {ids} do not exist").format(ids=", ".join(map(str, missing)))
            errors.append(("need_ids", said))
    if errors:
        raise InvalidInput(errors)


def create_transport(session: Session, programme: Programme, data: TransportCreate) -> Transport:
    _check_links(session, data.convoy_id, data.need_ids)
    number = data.number
    if number is None:
        last = session.exec(
            select(func.max(Transport.number)).where(Transport.programme_id == programme.id)
        ).one()
        number = (last or 0) + 1
    elif session.exec(
        select(Transport.id).where(
            Transport.programme_id == programme.id, Transport.number == number
        )
    ).first():
        said = _("{code} already has a transport {number}").format(
            code=programme.code, number=number
        )
        raise Conflict(said, "number")
    assert programme.id is not None
    transport = Transport(
        programme_id=programme.id,
        number=number,
        convoy_id=data.convoy_id,
        planned_on=data.planned_on,
        status=data.status,
        notes=data.notes,
    )
    session.add(transport)
    session.flush()
    _set_needs(session, transport, data.need_ids)
    return transport


def _set_needs(session: Session, transport: Transport, need_ids: Sequence[int]) -> None:
    for link in session.exec(
        select(TransportNeed).where(TransportNeed.transport_id == transport.id)
    ).all():
        session.delete(link)
    session.flush()
    assert transport.id is not None
    session.add_all(TransportNeed(transport_id=transport.id, need_id=n) for n in set(need_ids))
    session.flush()


def update_transport(session: Session, transport: Transport, changes: TransportUpdate) -> Transport:
    sent = changes.model_dump(exclude_unset=True)
    need_ids = sent.pop("need_ids", None)
    _check_links(session, sent.get("convoy_id"), need_ids or [])
    for name, value in sent.items():
        if value is None and name in ("planned_on", "status"):
            raise InvalidInput([(name, "is required and cannot be set to null")])
        setattr(transport, name, value)
    if need_ids is not None:
        _set_needs(session, transport, need_ids)
    touch(transport)
    session.flush()
    return transport


def transport_reads(
    session: Session, programme: Programme, rows: Sequence[Transport]
) -> list[TransportRead]:
    """A page of transports with their convoys, needs and costs: three queries, any length."""
    ids = [t.id for t in rows if t.id is not None]
    needs: dict[int, list[int]] = defaultdict(list)
    costs: dict[int, int] = {}
    convoy_rows: dict[int, Convoy] = {}
    if ids:
        for transport_id, need_id in session.exec(
            select(TransportNeed.transport_id, TransportNeed.need_id)
            .where(col(TransportNeed.transport_id).in_(ids))
            .order_by(col(TransportNeed.need_id))
        ).all():
            needs[transport_id].append(need_id)
        costs = {
            transport_id: -int(total)
            for transport_id, total in session.exec(
                select(LedgerEntry.transport_id, func.sum(LedgerEntry.amount_cents))
                .where(col(LedgerEntry.transport_id).in_(ids), _is_cost())
                .group_by(col(LedgerEntry.transport_id))
            ).all()
            if transport_id is not None
        }
        convoy_ids = [t.convoy_id for t in rows if t.convoy_id is not None]
        if convoy_ids:
            convoy_rows = {
                c.id: c
                for c in session.exec(select(Convoy).where(col(Convoy.id).in_(convoy_ids))).all()
                if c.id is not None
            }
    reads = []
    for t in rows:
        assert t.id is not None
        convoy = convoy_rows.get(t.convoy_id) if t.convoy_id is not None else None
        reads.append(
            TransportRead(
                id=t.id,
                programme_id=t.programme_id,
                number=t.number,
                label=label(programme, t),
                convoy_id=t.convoy_id,
                convoy_number=convoy.number if convoy else None,
                convoy_status=convoy.status.value if convoy else None,
                planned_on=t.planned_on,
                status=t.status,
                notes=t.notes,
                need_ids=needs.get(t.id, []),
                costs_cents=costs.get(t.id, 0),
                version=t.version,
                created_at=t.created_at,
                updated_at=t.updated_at,
            )
        )
    return reads


def convoy_of(session: Session, transport: Transport) -> Convoy | None:
    return convoys.get(session, transport.convoy_id) if transport.convoy_id else None


# --- funds -------------------------------------------------------------------------------------


def get_fund(session: Session, fund_id: int) -> Fund:
    return get_or_404(session, Fund, fund_id, N_("Fund"))


def funds(session: Session, programme_id: int) -> Sequence[Fund]:
    return session.exec(
        select(Fund).where(Fund.programme_id == programme_id).order_by(col(Fund.id))
    ).all()


def create_fund(session: Session, programme: Programme, data: FundCreate) -> Fund:
    assert programme.id is not None
    fund = Fund(programme_id=programme.id, **data.model_dump())
    session.add(fund)
    session.flush()
    return fund


def fund_read(session: Session, fund: Fund) -> FundRead:
    return FundRead.model_validate(
        {**fund.model_dump(), "balance_cents": balance_of(session, fund.id or 0)}
    )


def _is_cost() -> ColumnElement[bool]:
    return col(LedgerEntry.kind).in_([k.value for k in COSTS])


def balance_of(session: Session, fund_id: int) -> int:
    """The fund's balance: the sum of its entries, reversals included."""
    total = session.exec(
        select(func.coalesce(func.sum(LedgerEntry.amount_cents), 0)).where(
            LedgerEntry.fund_id == fund_id
        )
    ).one()
    return int(total)


def balances(session: Session, programme: Programme, until: date | None = None) -> Balances:
    """Every fund's income, costs and balance, in one grouped query."""
    income = func.sum(case((_is_cost(), 0), else_=col(LedgerEntry.amount_cents)))
    costs = func.sum(case((_is_cost(), col(LedgerEntry.amount_cents)), else_=0))
    stmt = (
        select(LedgerEntry.fund_id, income, costs)
        .join(Fund, col(Fund.id) == col(LedgerEntry.fund_id))
        .where(Fund.programme_id == programme.id)
        .group_by(col(LedgerEntry.fund_id))
    )
    if until is not None:
        stmt = stmt.where(col(LedgerEntry.booked_on) <= until)
    sums = {fund_id: (int(i or 0), int(c or 0)) for fund_id, i, c in session.exec(stmt).all()}
    rows = []
    for fund in funds(session, programme.id or 0):
        i, c = sums.get(fund.id or 0, (0, 0))
        rows.append(
            FundBalance(
                fund_id=fund.id or 0,
                name=fund.name,
                income_cents=i,
                costs_cents=-c,
                balance_cents=i + c,
            )
        )
    return Balances(
        programme_id=programme.id or 0,
        funds=rows,
        balance_cents=sum(r.balance_cents for r in rows),
    )


# --- the ledger --------------------------------------------------------------------------------


def get_entry(session: Session, entry_id: int) -> LedgerEntry:
    entry = session.get(LedgerEntry, entry_id)
    if entry is None:
        raise NotFound(N_("Ledger entry"), entry_id)
    return entry


def _signed(kind: EntryKind, amount_cents: int) -> int:
    return amount_cents if kind in INCOME else -amount_cents


def book(session: Session, data: EntryCreate, principal: Principal) -> LedgerEntry:
    """Book one entry. Costs are stored negative, income positive."""
    fund = session.get(Fund, data.fund_id)
    errors: list[tuple[str, str]] = []
    if fund is None:
        errors.append(("fund_id", _("fund {id} does not exist").format(id=data.fund_id)))
    if data.transport_id is not None:
        transport = session.get(Transport, data.transport_id)
        if transport is None:
            said = _("transport {id} does not exist").format(id=data.transport_id)
            errors.append(("transport_id", said))
        elif fund is not None and transport.programme_id != fund.programme_id:
            errors.append(("transport_id", _("is a transport of another programme")))
    if data.grant_id is not None:
        grant = session.get(GrantAward, data.grant_id)
        if grant is None:
            errors.append(("grant_id", _("grant {id} does not exist").format(id=data.grant_id)))
        elif grant.fund_id != data.fund_id:
            errors.append(("grant_id", _("the grant's money goes into its own fund")))
        if data.kind != EntryKind.grant:
            errors.append(("grant_id", _("only grant income names a grant")))
    if data.kind == EntryKind.grant and data.grant_id is None:
        errors.append(("grant_id", _("grant income names the grant it comes from")))
    if data.kind == EntryKind.payroll_pledge:
        errors.append(("kind", _("a month of payroll pledges is booked with its own call")))
    if data.kind in INCOME and data.transport_id is not None:
        errors.append(("transport_id", _("income goes into a fund, not to a transport")))
    if (data.donor_name or data.donor_address) and data.kind != EntryKind.donation:
        errors.append(("donor_name", _("only a donation names a donor")))
    if errors:
        raise InvalidInput(errors)
    entry = LedgerEntry(
        **data.model_dump(exclude={"amount_cents"}),
        amount_cents=_signed(data.kind, data.amount_cents),
        booked_by_name=booked_by(principal),
    )
    session.add(entry)
    session.flush()
    return entry


def reverse(
    session: Session, entry: LedgerEntry, data: ReversalCreate, principal: Principal
) -> LedgerEntry:
    """Book the entry's opposite: the correction GoBD asks for instead of an edit."""
    if entry.reverses_id is not None:
        raise Conflict(_("entry {id} is a reversal; book the entry anew").format(id=entry.id))
    if session.exec(select(LedgerEntry.id).where(LedgerEntry.reverses_id == entry.id)).first():
        raise Conflict(_("entry {id} is already reversed").format(id=entry.id))
    reversal = LedgerEntry(
        fund_id=entry.fund_id,
        transport_id=entry.transport_id,
        booked_on=data.booked_on or today(),
        kind=entry.kind,
        amount_cents=-entry.amount_cents,
        # The books are kept in German, whoever books: the words do not follow the reader.
        description=f"Storno der Buchung {entry.id}: {data.reason}"[:500],
        reference=entry.reference,
        pledge_id=entry.pledge_id,
        month_on=entry.month_on,
        grant_id=entry.grant_id,
        reverses_id=entry.id,
        booked_by_name=booked_by(principal),
    )
    session.add(reversal)
    session.flush()
    return reversal


def reversal_of(session: Session, entry: LedgerEntry) -> LedgerEntry | None:
    return session.exec(select(LedgerEntry).where(LedgerEntry.reverses_id == entry.id)).first()


def reversed_ids(session: Session, entry_ids: Sequence[int]) -> set[int]:
    if not entry_ids:
        return set()
    return {
        rid
        for rid in session.exec(
            select(LedgerEntry.reverses_id).where(col(LedgerEntry.reverses_id).in_(entry_ids))
        ).all()
        if rid is not None
    }


SORTABLE = {"booked_on": col(LedgerEntry.booked_on), "id": col(LedgerEntry.id)}


def search_entries(
    session: Session,
    *,
    programme_id: int | None = None,
    fund_id: int | None = None,
    transport_id: int | None = None,
    kind: EntryKind | None = None,
    booked_from: date | None = None,
    booked_to: date | None = None,
    sort: str = "-booked_on",
    cursor: str | None = None,
    limit: int = 50,
) -> tuple[Sequence[LedgerEntry], str | None]:
    stmt = _entries(programme_id, fund_id, transport_id, kind, booked_from, booked_to)
    return keyset_page(
        session,
        stmt,
        id_column=col(LedgerEntry.id),
        sort=sort,
        sortable=SORTABLE,
        cursor=cursor,
        limit=limit,
    )


def _entries(
    programme_id: int | None,
    fund_id: int | None,
    transport_id: int | None,
    kind: EntryKind | None,
    booked_from: date | None,
    booked_to: date | None,
) -> SelectOfScalar[LedgerEntry]:
    stmt = select(LedgerEntry)
    if programme_id is not None:
        in_programme = select(Fund.id).where(Fund.programme_id == programme_id)
        stmt = stmt.where(col(LedgerEntry.fund_id).in_(in_programme))
    if fund_id is not None:
        stmt = stmt.where(LedgerEntry.fund_id == fund_id)
    if transport_id is not None:
        stmt = stmt.where(LedgerEntry.transport_id == transport_id)
    if kind is not None:
        stmt = stmt.where(LedgerEntry.kind == kind)
    if booked_from is not None:
        stmt = stmt.where(col(LedgerEntry.booked_on) >= booked_from)
    if booked_to is not None:
        stmt = stmt.where(col(LedgerEntry.booked_on) <= booked_to)
    return stmt


def all_entries(
    session: Session,
    programme_id: int,
    booked_from: date | None,
    booked_to: date | None,
    fund_id: int | None = None,
) -> Sequence[LedgerEntry]:
    """Every entry in the range, in booking order (an export, a report)."""
    stmt = _entries(programme_id, fund_id, None, None, booked_from, booked_to)
    return session.exec(stmt.order_by(col(LedgerEntry.booked_on), col(LedgerEntry.id))).all()


# --- payroll pledges ---------------------------------------------------------------------------


def get_pledge(session: Session, pledge_id: int) -> PayrollPledge:
    return get_or_404(session, PayrollPledge, pledge_id, N_("Pledge"))


def pledges(session: Session, fund_ids: Sequence[int]) -> Sequence[PayrollPledge]:
    if not fund_ids:
        return []
    return session.exec(
        select(PayrollPledge)
        .where(col(PayrollPledge.fund_id).in_(fund_ids))
        .order_by(col(PayrollPledge.starts_on), col(PayrollPledge.monthly_cents))
    ).all()


def create_pledge(session: Session, fund: Fund, data: PledgeCreate) -> PayrollPledge:
    assert fund.id is not None
    pledge = PayrollPledge(fund_id=fund.id, **data.model_dump())
    session.add(pledge)
    session.flush()
    return pledge


def update_pledge(session: Session, pledge: PayrollPledge, changes: PledgeUpdate) -> PayrollPledge:
    sent = changes.model_dump(exclude_unset=True)
    if sent.get("ends_on") is not None and sent["ends_on"] < pledge.starts_on:
        raise InvalidInput([("ends_on", _("is before the pledge starts"))])
    apply_changes(pledge, changes)
    session.flush()
    return pledge


def active_in(pledge: PayrollPledge, month: date) -> bool:
    """Whether the pledge gives in ``month`` (the first of a month)."""
    last_day = next_month(month) - timedelta(days=1)
    return pledge.starts_on <= last_day and (pledge.ends_on is None or pledge.ends_on >= month)


def monthly_pledged(session: Session, fund_ids: Sequence[int], month: date) -> int:
    return sum(
        p.monthly_cents * p.employees for p in pledges(session, fund_ids) if active_in(p, month)
    )


def book_pledge_month(
    session: Session, fund: Fund, month: date, booked_on: date | None, principal: Principal
) -> list[LedgerEntry]:
    """One entry per pledge active in the month, in one call; a month already booked (and not
    reversed) is refused, so payroll money is never counted twice."""
    month = month_of(month)
    assert fund.id is not None
    active = [p for p in pledges(session, [fund.id]) if active_in(p, month)]
    if not active:
        said = _("no pledge of this fund gives in {month}").format(month=month.strftime("%m/%Y"))
        raise InvalidInput([("month", said)])
    booked = session.exec(
        select(func.coalesce(func.sum(LedgerEntry.amount_cents), 0)).where(
            LedgerEntry.fund_id == fund.id,
            LedgerEntry.kind == EntryKind.payroll_pledge,
            LedgerEntry.month_on == month,
        )
    ).one()
    if booked:
        said = _("the pledges of {month} are booked already").format(month=month.strftime("%m/%Y"))
        raise Conflict(said, "month")
    who = booked_by(principal)
    entries = [
        LedgerEntry(
            fund_id=fund.id,
            booked_on=booked_on or today(),
            kind=EntryKind.payroll_pledge,
            amount_cents=p.monthly_cents * p.employees,
            description=(f"Lohnspende {month:%m/%Y}: {p.employees} × {p.monthly_cents // 100} €"),
            pledge_id=p.id,
            month_on=month,
            booked_by_name=who,
        )
        for p in active
    ]
    session.add_all(entries)
    session.flush()
    return entries


# --- grants ------------------------------------------------------------------------------------


def get_grant(session: Session, grant_id: int) -> GrantAward:
    return get_or_404(session, GrantAward, grant_id, N_("Grant"))


def create_grant(session: Session, fund: Fund, data: GrantCreate) -> GrantAward:
    assert fund.id is not None
    grant = GrantAward(fund_id=fund.id, **data.model_dump())
    session.add(grant)
    session.flush()
    return grant


def grants(session: Session, fund_ids: Sequence[int]) -> Sequence[GrantAward]:
    if not fund_ids:
        return []
    return session.exec(
        select(GrantAward)
        .where(col(GrantAward.fund_id).in_(fund_ids))
        .order_by(col(GrantAward.report_due_on), col(GrantAward.id))
    ).all()


def grant_reads(session: Session, rows: Sequence[GrantAward]) -> list[GrantRead]:
    """What each grant has brought and what must still be spent before its report is due."""
    reads = []
    for grant in rows:
        received = session.exec(
            select(func.coalesce(func.sum(LedgerEntry.amount_cents), 0)).where(
                LedgerEntry.grant_id == grant.id
            )
        ).one()
        spent = session.exec(
            select(func.coalesce(func.sum(LedgerEntry.amount_cents), 0)).where(
                LedgerEntry.fund_id == grant.fund_id,
                _is_cost(),
                col(LedgerEntry.booked_on) >= grant.starts_on,
                col(LedgerEntry.booked_on) <= grant.ends_on,
            )
        ).one()
        spent_cents = -int(spent)
        reads.append(
            GrantRead(
                **grant.model_dump(exclude={"created_at", "updated_at"}),
                received_cents=int(received),
                spent_cents=spent_cents,
                to_receive_cents=max(grant.amount_cents - int(received), 0),
                to_spend_cents=max(grant.amount_cents - spent_cents, 0),
                days_to_report=(grant.report_due_on - today()).days,
            )
        )
    return reads


# --- the forecast ------------------------------------------------------------------------------


def usual_cost(session: Session, programme: Programme) -> int:
    """The median cost of the last transports done (0 when none is done yet)."""
    done = session.exec(
        select(Transport.id)
        .where(Transport.programme_id == programme.id, Transport.status == TransportStatus.done)
        .order_by(col(Transport.number).desc())
        .limit(USUAL_OF_LAST)
    ).all()
    if not done:
        return 0
    totals = dict(
        session.exec(
            select(LedgerEntry.transport_id, func.sum(LedgerEntry.amount_cents))
            .where(col(LedgerEntry.transport_id).in_(done), _is_cost())
            .group_by(col(LedgerEntry.transport_id))
        ).all()
    )
    return int(statistics.median(-int(totals.get(t, 0) or 0) for t in done))


def forecast(session: Session, programme: Programme) -> Forecast:
    """At the current monthly inflow, when the next transport of its usual cost is paid for."""
    fund_ids = [f.id for f in funds(session, programme.id or 0) if f.id is not None]
    now = today()
    this_month = month_of(now)
    pledged = monthly_pledged(session, fund_ids, this_month)
    year_ago = this_month.replace(year=this_month.year - 1)
    donated = (
        session.exec(
            select(func.coalesce(func.sum(LedgerEntry.amount_cents), 0)).where(
                col(LedgerEntry.fund_id).in_(fund_ids),
                LedgerEntry.kind == EntryKind.donation,
                col(LedgerEntry.booked_on) >= year_ago,
                col(LedgerEntry.booked_on) < this_month,
            )
        ).one()
        if fund_ids
        else 0
    )
    other = int(donated) // 12
    inflow = pledged + other
    balance = balances(session, programme).balance_cents
    upcoming = session.exec(
        select(Transport)
        .where(Transport.programme_id == programme.id, Transport.status == TransportStatus.planned)
        .order_by(col(Transport.number))
    ).first()
    usual = usual_cost(session, programme)
    booked_for_next = 0
    if upcoming is not None:
        booked_for_next = transport_reads(session, programme, [upcoming])[0].costs_cents
    # The balance already counts what is booked for it: what remains is the rest of its cost.
    still_needed = max(usual - booked_for_next, 0)
    funded = balance >= still_needed
    funded_by: date | None = now if funded else None
    if not funded and inflow > 0:
        months = -(-(still_needed - balance) // inflow)
        funded_by = this_month
        for _month in range(months):
            funded_by = next_month(funded_by)
    return Forecast(
        programme_id=programme.id or 0,
        balance_cents=balance,
        pledged_per_month_cents=pledged,
        other_per_month_cents=other,
        inflow_per_month_cents=inflow,
        next_transport_id=upcoming.id if upcoming else None,
        next_transport_label=label(programme, upcoming) if upcoming else None,
        usual_cost_cents=usual,
        booked_for_next_cents=booked_for_next,
        still_needed_cents=still_needed,
        funded=funded,
        funded_by=funded_by,
        grants=grant_reads(session, grants(session, fund_ids)),
    )


def monthly_series(
    session: Session, programme: Programme, months: int = 24
) -> list[tuple[date, int, int]]:
    """(month, income of the month, balance at its end) for the last ``months`` months: the
    overview's chart, from one grouped query."""
    fund_ids = [f.id for f in funds(session, programme.id or 0) if f.id is not None]
    end = next_month(month_of(today()))
    first = end
    for _step in range(months):
        first = (first - timedelta(days=1)).replace(day=1)
    if not fund_ids:
        return []
    before = session.exec(
        select(func.coalesce(func.sum(LedgerEntry.amount_cents), 0)).where(
            col(LedgerEntry.fund_id).in_(fund_ids), col(LedgerEntry.booked_on) < first
        )
    ).one()
    rows = session.exec(
        select(
            col(LedgerEntry.booked_on), col(LedgerEntry.kind), col(LedgerEntry.amount_cents)
        ).where(col(LedgerEntry.fund_id).in_(fund_ids), col(LedgerEntry.booked_on) >= first)
    ).all()
    income: dict[date, int] = defaultdict(int)
    net: dict[date, int] = defaultdict(int)
    for booked_on, kind, amount in rows:
        month = month_of(booked_on)
        net[month] += amount
        if EntryKind(kind) in INCOME:
            income[month] += amount
    series = []
    running = int(before)
    month = first
    while month < end:
        running += net[month]
        series.append((month, income[month], running))
        month = next_month(month)
    return series
