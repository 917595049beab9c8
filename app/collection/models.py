"""The collection point: a hall where donated goods are sorted, stored, reserved and packed.

Stock is kept per line (one kind of sorted goods in one storage place); every change to a
line is a movement, and the audit trail records each row as it is flushed.
"""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, Index, UniqueConstraint
from sqlmodel import Field, Relationship

from app.core.models import Entity, Record, sort_indexes
from app.core.types import UTCDateTime, enum_type, utcnow


class StockCategory(StrEnum):
    clothing = "clothing"
    shoes = "shoes"
    hygiene = "hygiene"
    baby_care = "baby_care"
    food = "food"
    medical = "medical"
    bedding = "bedding"
    tools = "tools"


class Gender(StrEnum):
    women = "women"
    men = "men"
    girls = "girls"
    boys = "boys"
    unisex = "unisex"


class Season(StrEnum):
    winter = "winter"
    summer = "summer"
    all_year = "all_year"


class StockUnit(StrEnum):
    pcs = "pcs"
    pairs = "pairs"
    packs = "packs"
    boxes = "boxes"
    kg = "kg"


class StockCondition(StrEnum):
    new = "new"
    good = "good"
    worn = "worn"


class Priority(StrEnum):
    """SUMA's sorting at the table: what the war zone asks for now, later, or never."""

    urgent = "urgent"
    not_urgent = "not_urgent"
    not_usable = "not_usable"


class MovementKind(StrEnum):
    intake = "intake"
    move = "move"
    reserve = "reserve"
    release = "release"
    pack = "pack"
    dispatch = "dispatch"
    write_off = "write_off"
    stocktake = "stocktake"


class PalletKind(StrEnum):
    pallet = "pallet"
    box = "box"


class PalletStatus(StrEnum):
    open = "open"  # being packed
    loaded = "loaded"  # on a convoy vehicle: cargo on the convoy's papers
    handed_over = "handed_over"  # to a partner's truck


class CollectionPoint(Entity, table=True):
    """A hall where donations are taken in and sorted (e.g. the Westfalenhalle, Dortmund)."""

    __tablename__ = "collection_point"
    __table_args__ = sort_indexes("collection_point", "name")

    name: str = Field(max_length=200)
    street: str | None = Field(default=None, max_length=200)
    postal_code: str | None = Field(default=None, max_length=10)
    city: str = Field(max_length=100)
    country: str = Field(default="DE", max_length=2)
    opening_hours: str | None = Field(default=None, max_length=300)
    time_zone: str = Field(default="Europe/Berlin", max_length=50)
    # Pallets are numbered with this prefix and a running number (WH-0001).
    pallet_prefix: str = Field(max_length=10)


class StoragePlace(Entity, table=True):
    """Where sorted goods are put: zone, row and shelf of one hall."""

    __tablename__ = "storage_place"
    __table_args__ = (UniqueConstraint("collection_point_id", "zone", "row", "shelf"),)

    collection_point_id: int = Field(foreign_key="collection_point.id", index=True)
    zone: str = Field(max_length=30)
    row: str = Field(default="", max_length=30)
    shelf: str = Field(default="", max_length=30)


class StockLine(Entity, table=True):
    """One kind of sorted goods in one place: how many are at hand and how many promised."""

    __tablename__ = "stock_line"
    __table_args__ = (
        CheckConstraint("quantity >= 0", name="quantity_not_negative"),
        CheckConstraint("reserved >= 0 AND reserved <= quantity", name="reserved_within_quantity"),
        # A double tap on the phone: the second send of one line finds the first.
        UniqueConstraint("recorded_by_user_id", "client_key"),
        # A hall's list (filtered by category, size, season as it goes) and a place's list
        # walk these in id order and stop after a page, however much the hall holds.
        Index("ix_stock_line_collection_point_id_id", "collection_point_id", "id"),
        Index("ix_stock_line_place_id_id", "place_id", "id"),
        *sort_indexes("stock_line", "created_at"),
    )

    collection_point_id: int = Field(foreign_key="collection_point.id")
    place_id: int = Field(foreign_key="storage_place.id")
    category: StockCategory = Field(sa_type=enum_type(StockCategory))
    subcategory: str = Field(max_length=40)
    gender: Gender | None = Field(default=None, sa_type=enum_type(Gender))
    size: str | None = Field(default=None, max_length=20)
    season: Season | None = Field(default=None, sa_type=enum_type(Season))
    description: str | None = Field(default=None, max_length=200)
    unit: StockUnit = Field(default=StockUnit.pcs, sa_type=enum_type(StockUnit))
    quantity: int = Field(ge=0)  # at hand in the hall, reserved included
    reserved: int = Field(default=0, ge=0)  # promised to needs, not yet packed
    condition: StockCondition = Field(
        default=StockCondition.good, sa_type=enum_type(StockCondition)
    )
    priority: Priority = Field(default=Priority.not_urgent, sa_type=enum_type(Priority))
    best_before_on: date | None = None  # food
    batch: str | None = Field(default=None, max_length=50)  # medical supplies
    expires_on: date | None = None  # medical supplies
    donor_id: int | None = Field(default=None, foreign_key="donor.id", index=True)
    recorded_by_user_id: int | None = Field(default=None)
    client_key: str | None = Field(default=None, max_length=64)

    @property
    def available(self) -> int:
        """What may still be moved, reserved or written off: at hand and not promised."""
        return self.quantity - self.reserved


class StockMovement(Record, table=True):
    """One change to a stock line; never edited (a correction is a movement of its own)."""

    __tablename__ = "stock_movement"

    id: int | None = Field(default=None, primary_key=True)
    stock_line_id: int = Field(foreign_key="stock_line.id", index=True)
    collection_point_id: int = Field(foreign_key="collection_point.id", index=True)
    kind: MovementKind = Field(sa_type=enum_type(MovementKind))
    quantity: int  # how many the movement concerned
    from_place_id: int | None = Field(default=None, foreign_key="storage_place.id")
    to_place_id: int | None = Field(default=None, foreign_key="storage_place.id")
    need_id: int | None = Field(default=None, foreign_key="need.id")
    pallet_id: int | None = Field(default=None, foreign_key="pallet.id")
    reason: str | None = Field(default=None, max_length=500)
    # Stocktaking: what was counted, and the difference to what the books said.
    counted: int | None = None
    difference: int | None = None
    user_id: int | None = Field(default=None)
    user_name: str = Field(max_length=200)
    recorded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # Only so a new line and its intake are written in one flush; never loaded.
    stock_line: StockLine | None = Relationship(sa_relationship_kwargs={"lazy": "raise"})


class Reservation(Entity, table=True):
    """Stock promised to a need: no one else can promise it while it is held."""

    __tablename__ = "reservation"
    __table_args__ = (
        CheckConstraint("quantity >= 0", name="quantity_not_negative"),
        CheckConstraint("packed <= quantity", name="packed_within_quantity"),
    )

    stock_line_id: int = Field(foreign_key="stock_line.id", index=True)
    need_id: int = Field(foreign_key="need.id", index=True)
    quantity: int = Field(ge=0)  # still held, packed included
    packed: int = Field(default=0, ge=0)
    released: bool = False


class Pallet(Entity, table=True):
    """A numbered pallet or box of packed goods, with its weight and volume."""

    __tablename__ = "pallet"
    __table_args__ = sort_indexes("pallet", "created_at")

    collection_point_id: int = Field(foreign_key="collection_point.id", index=True)
    number: str = Field(unique=True, max_length=30)
    kind: PalletKind = Field(default=PalletKind.pallet, sa_type=enum_type(PalletKind))
    need_id: int | None = Field(default=None, foreign_key="need.id", index=True)
    weight_kg: int = Field(default=0, ge=0)
    volume_dm3: int = Field(default=0, ge=0)  # litres: 1.2 m³ is 1200
    status: PalletStatus = Field(default=PalletStatus.open, sa_type=enum_type(PalletStatus))
    # Loaded on a convoy's vehicle: the cargo line on the convoy's papers.
    convoy_id: int | None = Field(default=None, foreign_key="convoy.id", index=True)
    vehicle_id: int | None = Field(default=None, foreign_key="item.id")
    cargo_line_id: int | None = Field(default=None, foreign_key="cargo_line.id")
    # Handed to a partner's truck: the handover record.
    carrier_name: str | None = Field(default=None, max_length=200)
    truck_plate: str | None = Field(default=None, max_length=20)
    received_by: str | None = Field(default=None, max_length=200)
    handed_over_on: date | None = None


class PalletLine(Entity, table=True):
    """Goods packed onto a pallet, from one reservation."""

    __tablename__ = "pallet_line"

    pallet_id: int = Field(foreign_key="pallet.id", index=True)
    reservation_id: int = Field(foreign_key="reservation.id", index=True)
    stock_line_id: int = Field(foreign_key="stock_line.id", index=True)
    quantity: int = Field(gt=0)
