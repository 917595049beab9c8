"""The funding API's shapes. Money is integer cents in every field (``*_cents``), never a
float: a test walks every schema to hold it so."""

from datetime import date, datetime
from typing import Annotated

from pydantic import ConfigDict, Field, model_validator

from app.core.schemas import Schema
from app.core.types import MAX_STORED_INT, RecordId
from app.funding.models import EntryKind, FundingPaperKind, TransportStatus

# An amount a person books: a cent up to the largest stored whole number of cents.
Cents = Annotated[int, Field(ge=1, le=MAX_STORED_INT, description="Euro cents, > 0")]
# The tiers of the payroll giving: 2, 5 or 10 euros a month.
PLEDGE_TIERS = (200, 500, 1000)


def _ordered(starts: date | None, ends: date | None, field: str) -> None:
    if starts is not None and ends is not None and ends < starts:
        raise ValueError(f"{field} ends before it starts")


class ProgrammeCreate(Schema):
    code: str = Field(min_length=1, max_length=20, pattern=r"^[A-Za-z0-9-]+$", examples=["LVR"])
    name: str = Field(min_length=1, max_length=200)
    partner_name: str = Field(min_length=1, max_length=200)
    partner_name_uk: str | None = Field(default=None, max_length=200)
    destination_id: RecordId | None = None
    description: str | None = Field(default=None, max_length=2000)
    organiser_name: str = Field(min_length=1, max_length=200)
    organiser_street: str = Field(default="", max_length=200)
    organiser_postal_code: str = Field(default="", max_length=20)
    organiser_city: str = Field(default="", max_length=100)
    tax_office: str | None = Field(default=None, max_length=200)
    tax_number: str | None = Field(default=None, max_length=50)
    exemption_notice_on: date | None = None
    exemption_period: str | None = Field(default=None, max_length=50)
    tax_purpose: str | None = Field(default=None, max_length=500)


class ProgrammeUpdate(Schema):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=200)
    partner_name: str | None = Field(default=None, min_length=1, max_length=200)
    partner_name_uk: str | None = Field(default=None, max_length=200)
    destination_id: RecordId | None = None
    description: str | None = Field(default=None, max_length=2000)
    organiser_name: str | None = Field(default=None, min_length=1, max_length=200)
    organiser_street: str | None = Field(default=None, max_length=200)
    organiser_postal_code: str | None = Field(default=None, max_length=20)
    organiser_city: str | None = Field(default=None, max_length=100)
    tax_office: str | None = Field(default=None, max_length=200)
    tax_number: str | None = Field(default=None, max_length=50)
    exemption_notice_on: date | None = None
    exemption_period: str | None = Field(default=None, max_length=50)
    tax_purpose: str | None = Field(default=None, max_length=500)


class ProgrammeRead(ProgrammeCreate):
    model_config = ConfigDict(from_attributes=True)

    id: int
    version: int
    created_at: datetime
    updated_at: datetime


class TransportCreate(Schema):
    number: int | None = Field(
        default=None, ge=1, le=MAX_STORED_INT, description="Omit for the next in the series"
    )
    convoy_id: RecordId | None = None
    planned_on: date
    status: TransportStatus = TransportStatus.planned
    notes: str | None = Field(default=None, max_length=2000)
    need_ids: list[RecordId] = Field(default_factory=list, max_length=200)


class TransportUpdate(Schema):
    model_config = ConfigDict(extra="forbid")

    convoy_id: RecordId | None = None
    planned_on: date | None = None
    status: TransportStatus | None = None
    notes: str | None = Field(default=None, max_length=2000)
    need_ids: list[RecordId] | None = Field(default=None, max_length=200)


class TransportRead(Schema):
    id: int
    programme_id: int
    number: int
    label: str = Field(examples=["LVR-20"])
    convoy_id: int | None
    convoy_number: str | None
    convoy_status: str | None
    planned_on: date
    status: TransportStatus
    notes: str | None
    need_ids: list[int]
    costs_cents: int = Field(description="What its booked costs add up to (positive)")
    version: int
    created_at: datetime
    updated_at: datetime


class FundCreate(Schema):
    name: str = Field(min_length=1, max_length=200)
    purpose: str | None = Field(default=None, max_length=500)
    restricted: bool = False


class FundRead(FundCreate):
    id: int
    programme_id: int
    balance_cents: int
    version: int
    created_at: datetime
    updated_at: datetime


class EntryCreate(Schema):
    fund_id: RecordId
    transport_id: RecordId | None = None
    booked_on: date = Field(description="The day of the payment (Belegdatum)")
    kind: EntryKind
    amount_cents: Cents
    description: str = Field(min_length=1, max_length=500)
    reference: str | None = Field(default=None, max_length=100)
    donor_name: str | None = Field(default=None, max_length=200)
    donor_address: str | None = Field(default=None, max_length=500)
    grant_id: RecordId | None = None


class ReversalCreate(Schema):
    booked_on: date | None = Field(default=None, description="Today when omitted")
    reason: str = Field(min_length=1, max_length=400)


class EntryRead(Schema):
    model_config = ConfigDict(from_attributes=True)

    id: int
    fund_id: int
    transport_id: int | None
    booked_on: date
    kind: EntryKind
    amount_cents: int = Field(description="Signed: income positive, costs negative")
    description: str
    reference: str | None
    donor_name: str | None
    donor_address: str | None
    pledge_id: int | None
    month_on: date | None
    grant_id: int | None
    reverses_id: int | None
    booked_by_name: str
    booked_at: datetime


class PledgeCreate(Schema):
    monthly_cents: int = Field(
        ge=200, le=1000, description="200, 500 or 1000: 2, 5 or 10 euros a month"
    )
    employees: int = Field(ge=1, le=1_000_000)
    starts_on: date
    ends_on: date | None = None

    @model_validator(mode="after")
    def _valid(self) -> "PledgeCreate":
        if self.monthly_cents not in PLEDGE_TIERS:
            raise ValueError("monthly_cents is one of 200, 500, 1000")
        _ordered(self.starts_on, self.ends_on, "the pledge")
        return self


class PledgeUpdate(Schema):
    model_config = ConfigDict(extra="forbid")

    employees: int | None = Field(default=None, ge=1, le=1_000_000)
    ends_on: date | None = None


class PledgeRead(Schema):
    model_config = ConfigDict(from_attributes=True)

    id: int
    fund_id: int
    monthly_cents: int
    employees: int
    starts_on: date
    ends_on: date | None
    version: int


class PledgeMonth(Schema):
    month: date = Field(description="Any day of the month to book; it is booked as a whole")
    booked_on: date | None = Field(
        default=None, description="Day of the transfer; today if omitted"
    )


class PledgeMonthRead(Schema):
    month: date
    entries: list[EntryRead]
    total_cents: int


class GrantCreate(Schema):
    funder: str = Field(min_length=1, max_length=200, examples=["Engagement Global"])
    reference: str | None = Field(default=None, max_length=100)
    purpose: str = Field(min_length=1, max_length=500)
    amount_cents: Cents
    starts_on: date
    ends_on: date
    conditions: str | None = Field(default=None, max_length=2000)
    report_due_on: date

    @model_validator(mode="after")
    def _valid(self) -> "GrantCreate":
        _ordered(self.starts_on, self.ends_on, "the grant period")
        return self


class GrantRead(Schema):
    id: int
    fund_id: int
    funder: str
    reference: str | None
    purpose: str
    amount_cents: int
    starts_on: date
    ends_on: date
    conditions: str | None
    report_due_on: date
    received_cents: int = Field(description="Grant income booked so far")
    spent_cents: int = Field(description="Costs booked in its fund within the grant's period")
    to_receive_cents: int
    to_spend_cents: int = Field(description="What must still be spent before the report")
    days_to_report: int
    version: int


class FundBalance(Schema):
    fund_id: int
    name: str
    income_cents: int
    costs_cents: int
    balance_cents: int


class Balances(Schema):
    programme_id: int
    funds: list[FundBalance]
    balance_cents: int


class Forecast(Schema):
    programme_id: int
    balance_cents: int
    pledged_per_month_cents: int = Field(description="The active payroll pledges' month")
    other_per_month_cents: int = Field(
        description="Donations of the last twelve months, a month's average"
    )
    inflow_per_month_cents: int
    next_transport_id: int | None
    next_transport_label: str | None
    usual_cost_cents: int = Field(description="Median cost of the last five transports done")
    booked_for_next_cents: int
    still_needed_cents: int
    funded: bool
    funded_by: date | None = Field(description="The month it is paid for at this inflow")
    grants: list[GrantRead]


class FundingPaperRead(Schema):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: FundingPaperKind
    programme_id: int
    transport_id: int | None
    fund_id: int | None
    entry_id: int | None
    year: int | None
    number: str
    media_type: str
    filename: str
    sha256: str
    size_bytes: int
    issued_by_name: str
    issued_at: datetime


class YearReportCreate(Schema):
    year: int = Field(ge=2000, le=2100)
