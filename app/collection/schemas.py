from datetime import date, datetime

from pydantic import ConfigDict, Field

from app.collection.models import (
    Gender,
    MovementKind,
    PalletKind,
    PalletStatus,
    Priority,
    Season,
    StockCategory,
    StockCondition,
    StockUnit,
)
from app.core.schemas import Schema
from app.core.types import MAX_STORED_INT, RecordId

MAX_WEIGHT_KG = 100_000
MAX_VOLUME_DM3 = 100_000


class CollectionPointCreate(Schema):
    name: str = Field(min_length=1, max_length=200, examples=["Westfalenhalle, Halle 3"])
    street: str | None = Field(default=None, max_length=200, examples=["Rheinlanddamm 200"])
    postal_code: str | None = Field(default=None, max_length=10, examples=["44139"])
    city: str = Field(min_length=1, max_length=100, examples=["Dortmund"])
    country: str = Field(default="DE", pattern=r"^[A-Z]{2}$")
    opening_hours: str | None = Field(
        default=None, max_length=300, examples=["Mo–Fr 10–18, Sa 10–14"]
    )
    time_zone: str = Field(default="Europe/Berlin", max_length=50)
    pallet_prefix: str = Field(
        min_length=1,
        max_length=10,
        pattern=r"^[A-Z0-9]+$",
        examples=["WH"],
        description="Pallet numbers start with it: WH-0001",
    )


class CollectionPointUpdate(Schema):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=200)
    street: str | None = Field(default=None, max_length=200)
    postal_code: str | None = Field(default=None, max_length=10)
    city: str | None = Field(default=None, min_length=1, max_length=100)
    opening_hours: str | None = Field(default=None, max_length=300)


class CollectionPointRead(CollectionPointCreate):
    model_config = ConfigDict(from_attributes=True)

    id: int
    version: int
    created_at: datetime
    updated_at: datetime


class StoragePlaceCreate(Schema):
    zone: str = Field(min_length=1, max_length=30, examples=["A"])
    row: str = Field(default="", max_length=30, examples=["3"])
    shelf: str = Field(default="", max_length=30, examples=["2"])


class StoragePlaceRead(StoragePlaceCreate):
    model_config = ConfigDict(from_attributes=True)

    id: int
    collection_point_id: int
    label: str = Field(description="Zone, row and shelf as written on the shelf: A-3-2")


class SubcategoryRead(Schema):
    code: str
    name: str
    name_de: str
    name_uk: str


class CategoryRead(Schema):
    category: StockCategory
    name: str
    name_de: str
    name_uk: str
    subcategories: list[SubcategoryRead]
    gender: bool
    size: bool
    season: bool
    best_before: bool
    batch_and_expiry: bool
    default_unit: StockUnit


class IntakeCreate(Schema):
    """One sorted line from the sorting table."""

    place_id: RecordId = Field(description="Where it was put")
    category: StockCategory = Field(examples=["clothing"])
    subcategory: str = Field(min_length=1, max_length=40, examples=["jackets"])
    gender: Gender | None = None
    size: str | None = Field(default=None, min_length=1, max_length=20, examples=["L"])
    season: Season | None = None
    description: str | None = Field(default=None, max_length=200)
    quantity: int = Field(gt=0, le=MAX_STORED_INT, examples=[12])
    unit: StockUnit | None = Field(default=None, description="The category's usual unit if unset")
    condition: StockCondition = StockCondition.good
    priority: Priority = Priority.not_urgent
    best_before_on: date | None = None
    batch: str | None = Field(default=None, min_length=1, max_length=50)
    expires_on: date | None = None
    donor_id: RecordId | None = None
    client_key: str | None = Field(
        default=None,
        min_length=1,
        max_length=64,
        description="Made by the phone per line: the same line sent twice is recorded once",
    )


class StockLineRead(Schema):
    model_config = ConfigDict(from_attributes=True)

    id: int
    collection_point_id: int
    place_id: int
    category: StockCategory
    subcategory: str
    gender: Gender | None
    size: str | None
    season: Season | None
    description: str | None
    unit: StockUnit
    quantity: int = Field(description="At hand, reserved included")
    reserved: int
    available: int = Field(description="At hand and not reserved")
    condition: StockCondition
    priority: Priority
    best_before_on: date | None
    batch: str | None
    expires_on: date | None
    donor_id: int | None
    client_key: str | None
    version: int
    created_at: datetime


class StockMove(Schema):
    to_place_id: RecordId
    quantity: int | None = Field(
        default=None, gt=0, le=MAX_STORED_INT, description="Part of the line; all if unset"
    )


class StockWriteOff(Schema):
    quantity: int = Field(gt=0, le=MAX_STORED_INT)
    reason: str = Field(min_length=3, max_length=500, examples=["Mouldy after water damage"])


class StockCount(Schema):
    counted: int = Field(ge=0, le=MAX_STORED_INT, description="What was counted on the shelf")
    note: str | None = Field(default=None, max_length=500)


class MovementRead(Schema):
    model_config = ConfigDict(from_attributes=True)

    id: int
    stock_line_id: int
    collection_point_id: int
    kind: MovementKind
    quantity: int
    from_place_id: int | None
    to_place_id: int | None
    need_id: int | None
    pallet_id: int | None
    reason: str | None
    counted: int | None
    difference: int | None
    user_name: str
    recorded_at: datetime


class ReservationCreate(Schema):
    need_id: RecordId
    stock_line_id: RecordId
    quantity: int = Field(gt=0, le=MAX_STORED_INT)


class ReservationFill(Schema):
    need_id: RecordId
    collection_point_id: RecordId = Field(description="The hall whose stock meets it")


class ReservationRead(Schema):
    model_config = ConfigDict(from_attributes=True)

    id: int
    stock_line_id: int
    need_id: int
    quantity: int
    packed: int
    released: bool
    version: int


class StockFit(Schema):
    """Stock at hand and unreserved that fits a need, grouped as it is sorted."""

    collection_point_id: int
    subcategory: str
    gender: Gender | None
    size: str | None
    season: Season | None
    available: int


class NeedMatch(Schema):
    need_id: int
    destination_id: int
    description: str
    priority: int
    category: StockCategory
    subcategory: str | None
    quantity: int
    reserved: int = Field(description="Already reserved for it, packed included")
    open_quantity: int
    available: int = Field(description="Fitting stock at hand and not yet reserved")
    can_reserve: int = Field(description="How much of what is open the stock can meet now")
    fits: list[StockFit]


class PalletCreate(Schema):
    collection_point_id: RecordId
    kind: PalletKind = PalletKind.pallet
    need_id: RecordId | None = Field(default=None, description="The need it is packed for")


class PalletUpdate(Schema):
    model_config = ConfigDict(extra="forbid")

    weight_kg: int | None = Field(default=None, ge=0, le=MAX_WEIGHT_KG)
    volume_dm3: int | None = Field(default=None, ge=0, le=MAX_VOLUME_DM3)


class PalletPack(Schema):
    reservation_id: RecordId
    quantity: int | None = Field(
        default=None, gt=0, le=MAX_STORED_INT, description="All still unpacked if unset"
    )


class PalletLoad(Schema):
    convoy_id: RecordId
    vehicle_id: RecordId = Field(description="The convoy's vehicle that carries it")


class PalletHandover(Schema):
    carrier_name: str = Field(min_length=1, max_length=200, examples=["Spedition Kowalski"])
    truck_plate: str = Field(min_length=1, max_length=20, examples=["WA 12345"])
    received_by: str = Field(min_length=1, max_length=200, examples=["Piotr Nowak"])
    handed_over_on: date


class PalletLineRead(Schema):
    model_config = ConfigDict(from_attributes=True)

    id: int
    stock_line_id: int
    reservation_id: int
    quantity: int
    unit: StockUnit
    contents_de: str
    contents_uk: str
    size: str | None


class PalletRead(Schema):
    id: int
    collection_point_id: int
    number: str
    kind: PalletKind
    need_id: int | None
    weight_kg: int
    volume_dm3: int
    status: PalletStatus
    convoy_id: int | None
    vehicle_id: int | None
    cargo_line_id: int | None
    carrier_name: str | None
    truck_plate: str | None
    received_by: str | None
    handed_over_on: date | None
    lines: list[PalletLineRead]
    version: int
    created_at: datetime
