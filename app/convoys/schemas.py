from datetime import date, datetime

from pydantic import AliasChoices, AwareDatetime, ConfigDict, Field

from app.convoys.models import ConvoyStatus, EventKind, WithdrawalReason
from app.core.errors import ReasonBody
from app.core.localtime import TimeZoneName
from app.core.schemas import Schema
from app.core.types import MAX_STORED_INT, RecordId


class ConvoyCreate(Schema):
    number: str = Field(min_length=1, max_length=30, examples=["W4U-01"])
    name: str = Field(min_length=1, max_length=200, examples=["First convoy to Lviv"])
    name_uk: str | None = Field(
        default=None,
        max_length=200,
        description="The name in Ukrainian",
        examples=["Перша колона до Львова"],
    )
    coordinator_name: str = Field(min_length=1, max_length=200)
    coordinator_phone: str | None = Field(default=None, max_length=50)
    planned_departure_at: AwareDatetime
    planned_return_at: AwareDatetime | None = None
    meeting_point: str = Field(min_length=1, max_length=300, examples=["WSW bus depot"])
    meeting_point_uk: str | None = Field(default=None, max_length=300)
    meeting_time_zone: TimeZoneName = Field(description="IANA zone of the meeting point")
    planned_handover_at: AwareDatetime | None = Field(
        default=None,
        description="When the recipient takes over; plates and insurance must last until then."
        " Defaults to the last leg's arrival",
    )
    handover_place: str | None = Field(default=None, max_length=200)
    handover_place_uk: str | None = Field(default=None, max_length=200, examples=["Львів"])
    escort_vehicle: str | None = Field(default=None, max_length=200)
    claims_humanitarian_exemption: bool = Field(
        default=False,
        description="Claims Regulation (EC) 561/2006 Art. 3(d); driving-time limits then warn",
    )
    charges: str | None = Field(
        default=None,
        max_length=200,
        description="Carriage charges for the consignment notes (CMR); none: the papers say "
        "'none, free humanitarian aid'",
        examples=["Diesel paid by the donors"],
    )
    notes: str | None = Field(default=None, max_length=2000)


class ConvoyUpdate(Schema):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    name_uk: str | None = Field(default=None, max_length=200)
    coordinator_name: str | None = Field(default=None, min_length=1, max_length=200)
    coordinator_phone: str | None = Field(default=None, max_length=50)
    planned_departure_at: AwareDatetime | None = None
    planned_return_at: AwareDatetime | None = None
    meeting_point: str | None = Field(default=None, min_length=1, max_length=300)
    meeting_point_uk: str | None = Field(default=None, max_length=300)
    meeting_time_zone: TimeZoneName | None = None
    planned_handover_at: AwareDatetime | None = None
    handover_place: str | None = Field(default=None, max_length=200)
    handover_place_uk: str | None = Field(default=None, max_length=200)
    escort_vehicle: str | None = Field(default=None, max_length=200)
    claims_humanitarian_exemption: bool | None = None
    charges: str | None = Field(default=None, max_length=200)
    notes: str | None = Field(default=None, max_length=2000)


class ConvoyRead(Schema):
    model_config = ConfigDict(from_attributes=True)

    id: int
    version: int
    number: str
    name: str
    name_uk: str | None
    coordinator_name: str
    coordinator_phone: str | None
    planned_departure_at: datetime
    planned_return_at: datetime | None
    meeting_point: str
    meeting_point_uk: str | None
    meeting_time_zone: str
    planned_handover_at: datetime | None
    handover_place: str | None
    handover_place_uk: str | None
    actual_departure_at: datetime | None
    actual_arrival_at: datetime | None
    escort_vehicle: str | None
    claims_humanitarian_exemption: bool
    charges: str | None
    status: ConvoyStatus
    status_changed_at: datetime | None
    status_reason: str | None = Field(
        description="Why the system last changed the status (e.g. back to planning)"
    )
    notes: str | None
    created_at: datetime
    updated_at: datetime


class LegCreate(Schema):
    from_place: str = Field(min_length=1, max_length=200)
    to_place: str = Field(min_length=1, max_length=200)
    from_place_uk: str | None = Field(default=None, max_length=200, examples=["Вупперталь"])
    to_place_uk: str | None = Field(default=None, max_length=200, examples=["Львів"])
    to_time_zone: TimeZoneName = Field(
        description="IANA zone of the leg's end; its start is the previous leg's end "
        "(the meeting point for the first leg)"
    )
    planned_departure_at: AwareDatetime
    planned_arrival_at: AwareDatetime
    distance_km: int = Field(ge=0, le=5000)
    is_border_crossing: bool = False
    planned_wait_minutes: int = Field(default=0, ge=0, le=72 * 60)
    position: int | None = Field(
        default=None, ge=1, le=MAX_STORED_INT, description="Defaults to after the last leg"
    )


class LegUpdate(Schema):
    from_place: str | None = Field(default=None, min_length=1, max_length=200)
    to_place: str | None = Field(default=None, min_length=1, max_length=200)
    from_place_uk: str | None = Field(default=None, max_length=200)
    to_place_uk: str | None = Field(default=None, max_length=200)
    to_time_zone: TimeZoneName | None = None
    planned_departure_at: AwareDatetime | None = None
    planned_arrival_at: AwareDatetime | None = None
    distance_km: int | None = Field(default=None, ge=0, le=5000)
    is_border_crossing: bool | None = None
    planned_wait_minutes: int | None = Field(default=None, ge=0, le=72 * 60)


class LegRead(Schema):
    model_config = ConfigDict(from_attributes=True)

    id: int
    version: int
    convoy_id: RecordId
    position: int
    from_place: str
    to_place: str
    from_place_uk: str | None
    to_place_uk: str | None
    from_time_zone: str = Field(description="Zone of the departure place, for local times")
    to_time_zone: str
    planned_departure_at: datetime
    planned_arrival_at: datetime
    actual_departure_at: datetime | None
    actual_arrival_at: datetime | None
    distance_km: int
    is_border_crossing: bool
    planned_wait_minutes: int


class LoadItem(Schema):
    item_id: RecordId
    carrier_id: RecordId | None = Field(
        default=None, description="The convoy vehicle that carries this equipment"
    )


class ConvoyItemRead(Schema):
    answer_only = True  # built from the rows read for a convoy's detail, 90 at 60 vehicles

    item_id: RecordId
    name: str
    category: str
    kind: str
    status: str
    destination_id: RecordId | None
    carrier_id: RecordId | None
    vin: str | None
    licence_class_required: str | None
    trailer_type: str | None
    trailer_registration: str | None
    trailer_permissible_weight_kg: int | None
    declared_value_cents: int
    export_plate: str | None


class AssignmentCreate(Schema):
    leg_id: RecordId
    vehicle_id: RecordId
    driver_id: RecordId


class AssignmentRead(Schema):
    model_config = ConfigDict(from_attributes=True)

    id: int
    convoy_id: RecordId
    leg_id: RecordId
    vehicle_id: RecordId
    driver_id: RecordId
    starts_at: datetime
    ends_at: datetime


class SeatRead(AssignmentRead):
    """A seat as the convoy's detail shows it: the team knows each other by name."""

    vehicle_name: str
    driver_name: str


class LegEventCreate(Schema):
    kind: EventKind
    occurred_at: AwareDatetime
    reported_for: str | None = Field(
        default=None,
        min_length=1,
        max_length=200,
        validation_alias=AliasChoices("reported_for", "reported_by"),
        description="Whom the report is made for, e.g. a driver who phoned it in; the "
        "logged-in account is always recorded as the reporter",
    )
    note: str | None = Field(default=None, max_length=1000)
    client_key: str | None = Field(
        default=None,
        pattern=r"^[A-Za-z0-9_-]{8,64}$",
        description="A key the client makes for this report (e.g. a UUID); sending the same "
        "report again with it returns the first one instead of recording it twice",
    )


class LegEventRead(Schema):
    """A progress report. A recipient reads what happened where and when, not who reported it:
    the reporter's account and name, whom it was reported for, the note typed on the road and
    the client key are null for a recipient."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    convoy_id: RecordId
    leg_id: RecordId
    kind: EventKind
    occurred_at: datetime
    reporter_user_id: RecordId | None = Field(
        description="The account that reported it; null for a recipient"
    )
    reporter_name: str | None = Field(description="Who reported it; null for a recipient")
    reported_for: str | None = Field(
        description="Whom a coordinator reported for; null for a recipient"
    )
    note: str | None = Field(description="Typed on the road; null for a recipient")
    recorded_at: datetime
    client_key: str | None = Field(
        description="The reporter's own key for the report; null for a recipient"
    )


class HandoverCreate(Schema):
    item_id: RecordId
    receiver_name: str = Field(min_length=1, max_length=200)
    receiver_role: str = Field(min_length=1, max_length=200, examples=["Deputy technical director"])
    handed_over_on: date
    place: str = Field(min_length=1, max_length=200)
    note: str | None = Field(default=None, max_length=2000)


class HandoverRead(Schema):
    model_config = ConfigDict(from_attributes=True)

    id: int
    item_id: RecordId
    convoy_id: RecordId | None
    destination_id: RecordId
    receiver_name: str
    receiver_role: str
    handed_over_on: date
    place: str
    note: str | None
    created_at: datetime


class ConvoyDetail(ConvoyRead):
    legs: list[LegRead]
    items: list[ConvoyItemRead]
    assignments: list[SeatRead] = Field(
        description="The team: every seat, for the office and the convoy's drivers; none for "
        "a recipient"
    )
    position: LegEventRead | None = Field(description="The latest progress event")


# A blocker or warning of the readiness check has the shape of a 409's reasons.
Finding = ReasonBody


class Readiness(Schema):
    answer_only = True  # the check's own findings; FastAPI validates the answer once more

    convoy_id: RecordId
    status: ConvoyStatus
    can_depart: bool
    blockers: list[Finding]
    warnings: list[Finding]


class TripAssignment(Schema):
    """One driver on one vehicle for the whole trip, or for the legs from ``first_leg`` to
    ``last_leg`` (positions, inclusive)."""

    vehicle_id: RecordId
    driver_id: RecordId
    first_leg: int | None = Field(
        default=None, ge=1, le=MAX_STORED_INT, description="Leg position; default first"
    )
    last_leg: int | None = Field(
        default=None, ge=1, le=MAX_STORED_INT, description="Leg position; default last"
    )


class TripAssignments(Schema):
    assignments: list[TripAssignment] = Field(min_length=1, max_length=200)


class DriverSwap(Schema):
    """Put ``to_driver_id`` wherever ``from_driver_id`` drives on this convoy."""

    from_driver_id: RecordId
    to_driver_id: RecordId


class LoadItems(Schema):
    items: list[LoadItem] = Field(min_length=1, max_length=500)


class WithdrawalCreate(Schema):
    reason: WithdrawalReason
    note: str | None = Field(default=None, max_length=1000, examples=["heat; doctor's advice"])


class WithdrawalRead(Schema):
    model_config = ConfigDict(from_attributes=True)

    id: int
    convoy_id: RecordId
    driver_id: RecordId
    reason: WithdrawalReason
    note: str | None
    withdrawn_at: datetime
    left_open: list[str] = Field(description="Each leg and vehicle the driver leaves without one")


class DepartureCreate(Schema):
    departed_at: AwareDatetime | None = Field(
        default=None, description="When the convoy actually left; defaults to now"
    )


class ArrivalCreate(Schema):
    arrived_at: AwareDatetime | None = Field(
        default=None, description="When the convoy actually arrived; defaults to now"
    )


class ReturnVehicleCreate(Schema):
    name: str = Field(min_length=1, max_length=200, description='e.g. "Escort van (Sprinter)"')
    gross_weight_kg: int = Field(
        ge=0, le=60000, description="Over 3,500 kg the driving-time rules of 561/2006 apply"
    )
    seats: int = Field(
        ge=1, le=90, description="Persons, the driver included; over 9 the rules of 561/2006 apply"
    )


class ReturnLegCreate(Schema):
    from_place: str = Field(min_length=1, max_length=200)
    to_place: str = Field(min_length=1, max_length=200)
    to_time_zone: TimeZoneName = Field(
        description="IANA zone of the leg's end; its start is the previous return leg's end "
        "(the handover for the first)"
    )
    planned_departure_at: AwareDatetime = Field(description="Not before the handover")
    planned_arrival_at: AwareDatetime
    distance_km: int = Field(ge=0, le=5000)
    driver_id: RecordId | None = Field(default=None, description="Who drives this leg")


class ReturnLegUpdate(Schema):
    planned_departure_at: AwareDatetime | None = None
    planned_arrival_at: AwareDatetime | None = None
    driver_id: RecordId | None = Field(default=None, description="Who drives this leg")


class ReturnLegRead(Schema):
    model_config = ConfigDict(from_attributes=True)

    id: int
    version: int
    return_vehicle_id: RecordId
    position: int
    from_place: str
    to_place: str
    to_time_zone: str
    planned_departure_at: datetime
    planned_arrival_at: datetime
    distance_km: int
    driver_id: RecordId | None


class ReturnVehicleRead(Schema):
    model_config = ConfigDict(from_attributes=True)

    id: int
    version: int
    name: str
    gross_weight_kg: int
    seats: int
    under_561: bool = Field(description="Whether Regulation 561/2006 applies to its driving")
    legs: list[ReturnLegRead] = []
