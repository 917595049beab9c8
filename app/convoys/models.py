from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import UniqueConstraint
from sqlmodel import Field

from app.core.models import Entity, Record, sort_indexes
from app.core.types import UTCDateTime, enum_type, utcnow


class ConvoyStatus(StrEnum):
    planning = "planning"
    ready = "ready"
    under_way = "under_way"
    arrived = "arrived"
    closed = "closed"
    cancelled = "cancelled"


class Convoy(Entity, table=True):
    __table_args__ = sort_indexes("convoy", "planned_departure_at", "created_at")
    number: str = Field(unique=True, max_length=30)  # e.g. "W4U-01"
    name: str = Field(max_length=200)
    # What users type can carry its Ukrainian text beside it, for the recipients' pages and the
    # Ukrainian half of the papers; missing, the original shows marked as untranslated.
    name_uk: str | None = Field(default=None, max_length=200)
    coordinator_name: str = Field(max_length=200)
    coordinator_phone: str | None = Field(default=None, max_length=50)
    planned_departure_at: datetime = Field(sa_type=UTCDateTime)
    # Licences and plates must still be valid when the team is back; defaults to the last arrival.
    planned_return_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    meeting_point: str = Field(max_length=300)
    meeting_point_uk: str | None = Field(default=None, max_length=300)
    # IANA zone of the meeting point: times there are shown, and dates compared, in it.
    meeting_time_zone: str = Field(max_length=64)
    # The trip ends when the recipient takes over, often the morning after arrival: plates and
    # insurance must last until then (DOMAIN.md, "Export plates").
    planned_handover_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    handover_place: str | None = Field(default=None, max_length=200)
    handover_place_uk: str | None = Field(default=None, max_length=200)  # "Львів, ..."
    actual_departure_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    actual_arrival_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    escort_vehicle: str | None = Field(default=None, max_length=200)
    # Regulation (EC) 561/2006 Art. 3(d): non-commercial humanitarian transport in emergencies.
    claims_humanitarian_exemption: bool = False
    # The carriage charges a consignment note states (CMR Art. 6(1)(i)); none: the papers say
    # "none, free humanitarian aid".
    charges: str | None = Field(default=None, max_length=200)
    status: ConvoyStatus = Field(
        default=ConvoyStatus.planning, sa_type=enum_type(ConvoyStatus), index=True
    )
    status_changed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Why the status last changed when the system changed it (a ready convoy that gained a
    # blocker goes back to planning, and says why).
    status_reason: str | None = Field(default=None, max_length=1000)
    notes: str | None = Field(default=None, max_length=2000)


class Leg(Entity, table=True):
    __table_args__ = (UniqueConstraint("convoy_id", "position"),)

    convoy_id: int = Field(foreign_key="convoy.id", index=True)
    position: int = Field(ge=1)
    from_place: str = Field(max_length=200)
    to_place: str = Field(max_length=200)
    from_place_uk: str | None = Field(default=None, max_length=200)  # "Вупперталь"
    to_place_uk: str | None = Field(default=None, max_length=200)  # "Львів"
    # IANA zone of the leg's end; its start is the previous leg's end (or the meeting point).
    to_time_zone: str = Field(max_length=64)
    planned_departure_at: datetime = Field(sa_type=UTCDateTime)
    planned_arrival_at: datetime = Field(sa_type=UTCDateTime)
    actual_departure_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    actual_arrival_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    distance_km: int = Field(ge=0)
    is_border_crossing: bool = False
    planned_wait_minutes: int = Field(default=0, ge=0)  # e.g. the queue at the border


class ConvoyItem(Record, table=True):
    """An item loaded onto a convoy; equipment rides in or on one of the convoy's vehicles."""

    __tablename__ = "convoy_item"

    convoy_id: int = Field(foreign_key="convoy.id", primary_key=True)
    item_id: int = Field(foreign_key="item.id", primary_key=True, unique=True)
    carrier_id: int | None = Field(default=None, foreign_key="item.id")
    loaded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Assignment(Entity, table=True):
    """Driver x vehicle x leg. Times copy the leg's, so overlaps are one indexed query."""

    __table_args__ = (UniqueConstraint("leg_id", "vehicle_id"),)

    convoy_id: int = Field(foreign_key="convoy.id", index=True)
    leg_id: int = Field(foreign_key="leg.id", index=True)
    vehicle_id: int = Field(foreign_key="item.id")
    driver_id: int = Field(foreign_key="driver.id", index=True)
    starts_at: datetime = Field(sa_type=UTCDateTime)
    ends_at: datetime = Field(sa_type=UTCDateTime)


class EventKind(StrEnum):
    departed = "departed"
    arrived = "arrived"
    border_queued = "border_queued"
    border_crossed = "border_crossed"
    position = "position"


class LegEvent(Record, table=True):
    """Progress reported from the road; the convoy's position is its latest event."""

    __tablename__ = "leg_event"
    # A client key names one report of one account: another reporter's key, on this convoy or
    # another, is theirs, neither refused nor revealed.
    __table_args__ = (UniqueConstraint("reporter_user_id", "client_key"),)

    id: int | None = Field(default=None, primary_key=True)
    convoy_id: int = Field(foreign_key="convoy.id", index=True)
    leg_id: int = Field(foreign_key="leg.id", index=True)
    kind: EventKind = Field(sa_type=enum_type(EventKind))
    occurred_at: datetime = Field(sa_type=UTCDateTime)
    # The account that filed the report (no foreign key: erasing an account keeps the trail).
    reporter_user_id: int | None = Field(default=None)
    reporter_name: str = Field(max_length=200)
    # Whom a coordinator reports for, e.g. a driver who phoned in.
    reported_for: str | None = Field(default=None, max_length=200)
    note: str | None = Field(default=None, max_length=1000)
    recorded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # Made by the phone that sent the report: a retry after a lost answer is recognised.
    client_key: str | None = Field(default=None, max_length=64)


class Handover(Entity, table=True):
    """The receiving utility's confirmation of receipt (acceptance-transfer act) for one item."""

    item_id: int = Field(foreign_key="item.id", unique=True)
    convoy_id: int | None = Field(default=None, foreign_key="convoy.id", index=True)
    destination_id: int = Field(foreign_key="destination.id", index=True)
    receiver_name: str = Field(max_length=200)
    receiver_role: str = Field(max_length=200)
    handed_over_on: date
    place: str = Field(max_length=200)
    note: str | None = Field(default=None, max_length=2000)


class WithdrawalReason(StrEnum):
    ill = "ill"
    heat = "heat"
    family = "family"
    vehicle = "vehicle"
    other = "other"


class DriverWithdrawal(Entity, table=True):
    """A driver who dropped out of a convoy; their assignments were removed, this stays."""

    __tablename__ = "driver_withdrawal"

    convoy_id: int = Field(foreign_key="convoy.id", index=True)
    driver_id: int = Field(foreign_key="driver.id", index=True)
    reason: WithdrawalReason = Field(sa_type=enum_type(WithdrawalReason))
    note: str | None = Field(default=None, max_length=1000)
    withdrawn_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # The legs and vehicles they were to drive, as "leg position: vehicle name" lines.
    left_open: str = Field(default="", max_length=4000)


# The way back. The vehicles that bring the team home (the escort van, a hired minibus) are not
# donated items: no donor, papers or recipient, so they are rows of their own, each with its own
# return legs after the handover. A return leg has one seat, the driver at the wheel; the others
# ride along and take over on the next leg. Outward legs and assignments stay as they were, so no
# outward rule (a driver for every donated vehicle on every leg, plates, the progress steps)
# reaches the way back.


class ReturnVehicle(Entity, table=True):
    __tablename__ = "return_vehicle"

    convoy_id: int = Field(foreign_key="convoy.id", index=True)
    name: str = Field(max_length=200)  # e.g. "Escort van (Sprinter)"
    # Whether Regulation 561/2006 applies: goods vehicles over 3.5 t, or more than 9 persons.
    gross_weight_kg: int = Field(ge=0)
    seats: int = Field(ge=1)  # persons, the driver included

    @property
    def under_561(self) -> bool:
        return under_561(self.gross_weight_kg, self.seats)


def under_561(gross_weight_kg: int, seats: int) -> bool:
    """Whether Regulation 561/2006 applies to a vehicle: over 3.5 t, or more than 9 persons."""
    return gross_weight_kg > 3500 or seats > 9


class ReturnLeg(Entity, table=True):
    """A leg of the way back for one return vehicle; it starts where the one before it ended
    (the handover place for the first), and never before the handover."""

    __tablename__ = "return_leg"
    __table_args__ = (UniqueConstraint("return_vehicle_id", "position"),)

    convoy_id: int = Field(foreign_key="convoy.id", index=True)
    return_vehicle_id: int = Field(foreign_key="return_vehicle.id", index=True)
    position: int = Field(ge=1)
    from_place: str = Field(max_length=200)
    to_place: str = Field(max_length=200)
    to_time_zone: str = Field(max_length=64)
    planned_departure_at: datetime = Field(sa_type=UTCDateTime)
    planned_arrival_at: datetime = Field(sa_type=UTCDateTime)
    distance_km: int = Field(ge=0)
    driver_id: int | None = Field(default=None, foreign_key="driver.id", index=True)
