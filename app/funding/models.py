"""A transport series and what pays for it: programmes, their numbered transports, funds, the
ledger, payroll pledges and grants.

Money is in integer cents. A ledger entry is booked once and never changed: a correction is a
reversing entry (GoBD, the principles of proper bookkeeping German associations keep), and the
database refuses an UPDATE or DELETE of a booked entry (migration 0021's triggers).
"""

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, CheckConstraint, LargeBinary, UniqueConstraint
from sqlmodel import Field

from app.core.models import Entity, Record, sort_indexes
from app.core.types import UTCDateTime, enum_type, utcnow


class Programme(Entity, table=True):
    """A partnership's recurring series of transports to one partner, run by an association
    that keeps its books and issues donation receipts (its tax exemption is on them)."""

    __table_args__ = sort_indexes("programme", "name")

    code: str = Field(unique=True, max_length=20)  # "LVR": the series' transports are LVR-20
    name: str = Field(max_length=200)
    partner_name: str = Field(max_length=200)  # the clinic
    partner_name_uk: str | None = Field(default=None, max_length=200)
    destination_id: int | None = Field(default=None, foreign_key="destination.id", index=True)
    description: str | None = Field(default=None, max_length=2000)
    # The association that receives the money: on the donation receipts.
    organiser_name: str = Field(max_length=200)
    organiser_street: str = Field(default="", max_length=200)
    organiser_postal_code: str = Field(default="", max_length=20)
    organiser_city: str = Field(default="", max_length=100)
    tax_office: str | None = Field(default=None, max_length=200)  # Finanzamt
    tax_number: str | None = Field(default=None, max_length=50)  # StNr.
    exemption_notice_on: date | None = None  # Freistellungsbescheid of
    exemption_period: str | None = Field(default=None, max_length=50)  # Veranlagungszeitraum
    tax_purpose: str | None = Field(default=None, max_length=500)  # "Förderung der ..."


class TransportStatus(StrEnum):
    planned = "planned"
    done = "done"
    cancelled = "cancelled"


class Transport(Entity, table=True):
    """One transport of a series ("Transport 20"), planned as a convoy of one or more vehicles."""

    __table_args__ = (
        UniqueConstraint("programme_id", "number", name="uq_transport_programme_number"),
        *sort_indexes("transport", "number", "planned_on"),
    )

    programme_id: int = Field(foreign_key="programme.id", index=True)
    number: int = Field(ge=1)
    convoy_id: int | None = Field(default=None, foreign_key="convoy.id", index=True)
    planned_on: date
    status: TransportStatus = Field(
        default=TransportStatus.planned, sa_type=enum_type(TransportStatus)
    )
    notes: str | None = Field(default=None, max_length=2000)


class TransportNeed(Record, table=True):
    """A partner's request (need) a transport answers."""

    __tablename__ = "transport_need"

    transport_id: int = Field(foreign_key="transport.id", primary_key=True)
    need_id: int = Field(foreign_key="need.id", primary_key=True, index=True)


class Fund(Entity, table=True):
    """Money kept apart for a purpose: the payroll giving, a grant's money, donations."""

    __table_args__ = sort_indexes("fund", "name")

    programme_id: int = Field(foreign_key="programme.id", index=True)
    name: str = Field(max_length=200)
    purpose: str | None = Field(default=None, max_length=500)
    # Restricted money (a grant's) may pay only what its purpose says.
    restricted: bool = False


class EntryKind(StrEnum):
    payroll_pledge = "payroll_pledge"  # a month of payroll giving
    donation = "donation"  # a one-off donation
    grant = "grant"  # grant income
    goods = "goods"  # goods bought
    vehicle_hire = "vehicle_hire"
    fuel = "fuel"
    tolls = "tolls"
    other_cost = "other_cost"


INCOME = frozenset({EntryKind.payroll_pledge, EntryKind.donation, EntryKind.grant})
COSTS = frozenset(set(EntryKind) - INCOME)


class LedgerEntry(Record, table=True):
    """One booking: money in (positive cents) or out (negative), dated, in a fund.

    Never updated, never deleted: a reversal is an entry of the opposite amount that names
    the entry it reverses.
    """

    __tablename__ = "ledger_entry"
    __table_args__ = (
        CheckConstraint("amount_cents <> 0", name="amount_not_zero"),
        *sort_indexes("ledger_entry", "booked_on"),
    )

    id: int | None = Field(default=None, primary_key=True)
    fund_id: int = Field(foreign_key="fund.id", index=True)
    transport_id: int | None = Field(default=None, foreign_key="transport.id", index=True)
    booked_on: date  # the day of the payment (Belegdatum)
    kind: EntryKind = Field(sa_type=enum_type(EntryKind))
    # Signed: income positive, costs negative; a reversal the opposite of what it reverses.
    amount_cents: int
    description: str = Field(max_length=500)
    reference: str | None = Field(default=None, max_length=100)  # the voucher's number
    # A one-off donation: who gave, when they want a receipt (Zuwendungsbestätigung).
    donor_name: str | None = Field(default=None, max_length=200)
    donor_address: str | None = Field(default=None, max_length=500)
    pledge_id: int | None = Field(default=None, foreign_key="payroll_pledge.id", index=True)
    month_on: date | None = None  # the first day of the month a pledge entry books
    grant_id: int | None = Field(default=None, foreign_key="grant_award.id", index=True)
    reverses_id: int | None = Field(
        default=None, foreign_key="ledger_entry.id", unique=True, index=False
    )
    booked_by_name: str = Field(max_length=200)
    booked_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class PayrollPledge(Entity, table=True):
    """How many employees give an amount of their monthly salary, from when to when: no names."""

    __tablename__ = "payroll_pledge"
    __table_args__ = (
        CheckConstraint("employees > 0", name="employees_positive"),
        CheckConstraint("monthly_cents > 0", name="monthly_positive"),
    )

    fund_id: int = Field(foreign_key="fund.id", index=True)
    monthly_cents: int  # 200, 500 or 1000
    employees: int
    starts_on: date
    ends_on: date | None = None


class GrantAward(Entity, table=True):
    """A grant: funder, purpose, period, conditions and when its report (Verwendungsnachweis) is
    due."""

    __tablename__ = "grant_award"

    fund_id: int = Field(foreign_key="fund.id", index=True)
    funder: str = Field(max_length=200)
    reference: str | None = Field(default=None, max_length=100)
    purpose: str = Field(max_length=500)
    amount_cents: int
    starts_on: date
    ends_on: date
    conditions: str | None = Field(default=None, max_length=2000)
    report_due_on: date


class FundingPaperKind(StrEnum):
    transport_report = "transport_report"
    fund_year_report = "fund_year_report"
    donation_receipt = "donation_receipt"


class FundingPaper(Record, table=True):
    """An issued funders' report or donation receipt: the exact bytes handed out, with its
    number and SHA-256, as the convoys' issued papers are kept."""

    __tablename__ = "funding_paper"
    __audit_redact__ = frozenset({"content", "facts"})

    id: int | None = Field(default=None, primary_key=True)
    kind: FundingPaperKind = Field(sa_type=enum_type(FundingPaperKind), index=True)
    programme_id: int = Field(foreign_key="programme.id", index=True)
    transport_id: int | None = Field(default=None, foreign_key="transport.id")
    fund_id: int | None = Field(default=None, foreign_key="fund.id")
    entry_id: int | None = Field(default=None, foreign_key="ledger_entry.id", unique=True)
    year: int | None = None
    number: str = Field(max_length=60, unique=True)
    media_type: str = Field(max_length=100)
    filename: str = Field(max_length=200)
    content: bytes = Field(sa_type=LargeBinary)
    sha256: str = Field(max_length=64)
    size_bytes: int
    facts: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    issued_by_name: str = Field(max_length=200)
    issued_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
