from datetime import date, datetime
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from app.convoys.models import ConvoyStatus, EventKind


class ConvoyCreate(BaseModel):
    number: str = Field(min_length=1, max_length=30, examples=["W4U-01"])
    name: str = Field(min_length=1, max_length=200, examples=["First convoy to Lviv"])
    coordinator_name: str = Field(min_length=1, max_length=200)
    coordinator_phone: str | None = Field(default=None, max_length=50)
    planned_departure_at: AwareDatetime
    planned_return_at: AwareDatetime | None = None
    meeting_point: str = Field(min_length=1, max_length=300, examples=["WSW bus depot"])
    escort_vehicle: str | None = Field(default=None, max_length=200)
    claims_humanitarian_exemption: bool = Field(
        default=False,
        description="Claims Regulation (EC) 561/2006 Art. 3(d); driving-time limits then warn",
    )
    notes: str | None = Field(default=None, max_length=2000)


class ConvoyUpdate(BaseModel):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    coordinator_name: str | None = Field(default=None, min_length=1, max_length=200)
    coordinator_phone: str | None = Field(default=None, max_length=50)
    planned_departure_at: AwareDatetime | None = None
    planned_return_at: AwareDatetime | None = None
    meeting_point: str | None = Field(default=None, min_length=1, max_length=300)
    escort_vehicle: str | None = Field(default=None, max_length=200)
    claims_humanitarian_exemption: bool | None = None
    notes: str | None = Field(default=None, max_length=2000)


class ConvoyRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    version: int
    number: str
    name: str
    coordinator_name: str
    coordinator_phone: str | None
    planned_departure_at: datetime
    planned_return_at: datetime | None
    meeting_point: str
    escort_vehicle: str | None
    claims_humanitarian_exemption: bool
    status: ConvoyStatus
    status_changed_at: datetime | None
    notes: str | None
    created_at: datetime
    updated_at: datetime


class LegCreate(BaseModel):
    from_place: str = Field(min_length=1, max_length=200)
    to_place: str = Field(min_length=1, max_length=200)
    planned_departure_at: AwareDatetime
    planned_arrival_at: AwareDatetime
    distance_km: int = Field(ge=0, le=5000)
    is_border_crossing: bool = False
    planned_wait_minutes: int = Field(default=0, ge=0, le=72 * 60)
    position: int | None = Field(default=None, ge=1, description="Defaults to after the last leg")


class LegUpdate(BaseModel):
    from_place: str | None = Field(default=None, min_length=1, max_length=200)
    to_place: str | None = Field(default=None, min_length=1, max_length=200)
    planned_departure_at: AwareDatetime | None = None
    planned_arrival_at: AwareDatetime | None = None
    distance_km: int | None = Field(default=None, ge=0, le=5000)
    is_border_crossing: bool | None = None
    planned_wait_minutes: int | None = Field(default=None, ge=0, le=72 * 60)


class LegRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    version: int
    convoy_id: int
    position: int
    from_place: str
    to_place: str
    planned_departure_at: datetime
    planned_arrival_at: datetime
    actual_departure_at: datetime | None
    actual_arrival_at: datetime | None
    distance_km: int
    is_border_crossing: bool
    planned_wait_minutes: int


class LoadItem(BaseModel):
    item_id: int
    carrier_id: int | None = Field(
        default=None, description="The convoy vehicle that carries this equipment"
    )


class ConvoyItemRead(BaseModel):
    item_id: int
    name: str
    category: str
    kind: str
    status: str
    destination_id: int | None
    carrier_id: int | None
    vin: str | None
    licence_class_required: str | None
    declared_value_cents: int
    export_plate: str | None


class AssignmentCreate(BaseModel):
    leg_id: int
    vehicle_id: int
    driver_id: int


class AssignmentRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    convoy_id: int
    leg_id: int
    vehicle_id: int
    driver_id: int
    starts_at: datetime
    ends_at: datetime


class LegEventCreate(BaseModel):
    kind: EventKind
    occurred_at: AwareDatetime
    reported_by: str = Field(min_length=1, max_length=200)
    note: str | None = Field(default=None, max_length=1000)


class LegEventRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    convoy_id: int
    leg_id: int
    kind: EventKind
    occurred_at: datetime
    reported_by: str
    note: str | None
    recorded_at: datetime


class HandoverCreate(BaseModel):
    item_id: int
    receiver_name: str = Field(min_length=1, max_length=200)
    receiver_role: str = Field(min_length=1, max_length=200, examples=["Deputy technical director"])
    handed_over_on: date
    place: str = Field(min_length=1, max_length=200)
    note: str | None = Field(default=None, max_length=2000)


class HandoverRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    item_id: int
    convoy_id: int | None
    destination_id: int
    receiver_name: str
    receiver_role: str
    handed_over_on: date
    place: str
    note: str | None
    created_at: datetime


class ConvoyDetail(ConvoyRead):
    legs: list[LegRead]
    items: list[ConvoyItemRead]
    assignments: list[AssignmentRead]
    position: LegEventRead | None = Field(description="The latest progress event")


class Finding(BaseModel):
    """One blocker or warning of the readiness check."""

    code: str
    message: str
    item_id: int | None = None
    driver_id: int | None = None
    leg_id: int | None = None
    context: dict[str, Any] = Field(default_factory=dict)


class Readiness(BaseModel):
    convoy_id: int
    status: ConvoyStatus
    can_depart: bool
    blockers: list[Finding]
    warnings: list[Finding]
