from datetime import date, datetime
from typing import Annotated, Any

from pydantic import ConfigDict, Field, StringConstraints, field_validator
from pydantic.json_schema import SkipJsonSchema

from app.core.i18n import _
from app.core.identifiers import VIN, HSCode, LicenceClass, LicenceClassField
from app.core.localtime import KYIV, today_at
from app.core.schemas import Schema
from app.core.types import MAX_STORED_INT, RecordId
from app.items.models import CargoCategory, Condition, ItemCategory, ItemKind, ItemStatus, Packing

MAX_WEIGHT_KG = 100_000  # far above a 40-tonne truck; catches a weight typed in grams


def _year_not_future(year: int | None) -> int | None:
    # A vehicle may carry next year's model year, never a later one; a year that has begun
    # in Kyiv (the later calendar) has begun.
    if year is not None and year > today_at(KYIV).year + 1:
        raise ValueError(_("{year} is in the future").format(year=year))
    return year


# ISO 3166-1 alpha-2, as customs writes a country of origin.
CountryCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]


class ItemFields(Schema):
    category: ItemCategory
    kind: ItemKind
    name: str = Field(min_length=1, max_length=200, examples=["MAN Lion's City bus, no. 4711"])
    description: str | None = Field(default=None, max_length=2000)
    name_uk: str | None = Field(
        default=None,
        max_length=200,
        examples=["Автобус MAN Lion's City"],
        description="The name in Ukrainian, for the bilingual papers",
    )
    origin_country: CountryCode = Field(
        default="DE", description="Country of origin (ISO 3166-1 alpha-2), for customs"
    )
    donor_id: RecordId
    declared_value_cents: int = Field(
        ge=0, le=MAX_STORED_INT, description="Declared value in euro cents"
    )
    weight_kg: int | None = Field(
        default=None, ge=0, le=MAX_WEIGHT_KG, description="Own (empty) weight"
    )
    condition: Condition = Condition.used
    hs_code: HSCode | None = Field(default=None, examples=["8702"])
    serial_number: str | None = Field(default=None, max_length=100)
    make: str | None = Field(default=None, min_length=1, max_length=100, examples=["MAN"])
    model: str | None = Field(default=None, min_length=1, max_length=100)
    vin: VIN | None = Field(default=None, description="Vehicles only; 17 characters, no I/O/Q")
    year: int | None = Field(default=None, ge=1900, le=9999)
    gross_weight_kg: int | None = Field(
        default=None, gt=0, le=MAX_WEIGHT_KG, description="Permissible gross vehicle weight"
    )
    seats: int | None = Field(default=None, ge=0, le=200, description="Passenger seats")
    licence_class_required: LicenceClassField | None = Field(
        default=None,
        description="Derived from kind, gross weight and seats when omitted; "
        "may be stronger, never weaker",
    )
    registration_papers_held: bool = False
    trailer_type: str | None = Field(
        default=None, min_length=1, max_length=100, examples=["tipping trailer, 2 axles"]
    )
    trailer_registration: str | None = Field(default=None, min_length=1, max_length=20)
    trailer_permissible_weight_kg: int | None = Field(
        default=None,
        gt=0,
        le=MAX_WEIGHT_KG,
        description="A trailer over 750 kg raises the licence needed (C → CE, C1 → C1E, D → DE)",
    )

    _year = field_validator("year")(_year_not_future)


def _moves_by_action(value: object) -> object:
    raise ValueError(
        _(
            "changes only through the item actions (accept, allocate, "
            "certify, mark-export-ready, withdraw)"
        )
    )


class ItemUpdate(Schema):
    model_config = ConfigDict(extra="forbid")

    category: ItemCategory | None = None
    kind: ItemKind | None = None
    name: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=2000)
    name_uk: str | None = Field(default=None, max_length=200)
    origin_country: CountryCode | None = None
    donor_id: RecordId | None = None
    declared_value_cents: int | None = Field(default=None, ge=0, le=MAX_STORED_INT)
    weight_kg: int | None = Field(default=None, ge=0, le=MAX_WEIGHT_KG)
    condition: Condition | None = None
    hs_code: HSCode | None = None
    serial_number: str | None = Field(default=None, max_length=100)
    make: str | None = Field(default=None, min_length=1, max_length=100)
    model: str | None = Field(default=None, min_length=1, max_length=100)
    vin: VIN | None = None
    year: int | None = Field(default=None, ge=1900, le=9999)
    gross_weight_kg: int | None = Field(default=None, gt=0, le=MAX_WEIGHT_KG)
    seats: int | None = Field(default=None, ge=0, le=200)
    licence_class_required: LicenceClassField | None = Field(
        default=None, description="null derives it again from kind, gross weight and seats"
    )
    registration_papers_held: bool | None = None
    trailer_type: str | None = Field(default=None, min_length=1, max_length=100)
    trailer_registration: str | None = Field(default=None, min_length=1, max_length=20)
    trailer_permissible_weight_kg: int | None = Field(default=None, gt=0, le=MAX_WEIGHT_KG)
    # Named, hidden fields so a client gets told why instead of "extra inputs not permitted".
    status: SkipJsonSchema[Any] = None
    destination_id: SkipJsonSchema[Any] = None
    need_id: SkipJsonSchema[Any] = None

    _year = field_validator("year")(_year_not_future)
    _by_action = field_validator("status", "destination_id", "need_id", mode="before")(
        _moves_by_action
    )


class ItemRead(Schema):
    model_config = ConfigDict(from_attributes=True)

    id: int
    category: ItemCategory
    kind: ItemKind
    name: str
    description: str | None
    name_uk: str | None
    origin_country: str
    status: ItemStatus
    status_changed_at: datetime | None
    donor_id: RecordId
    destination_id: RecordId | None
    need_id: RecordId | None
    declared_value_cents: int
    weight_kg: int | None
    condition: Condition
    hs_code: str | None
    serial_number: str | None
    make: str | None
    model: str | None
    vin: str | None
    year: int | None
    gross_weight_kg: int | None
    seats: int | None
    licence_class_required: LicenceClass | None
    registration_papers_held: bool
    trailer_type: str | None
    trailer_registration: str | None
    trailer_permissible_weight_kg: int | None
    withdrawn_reason: str | None
    status_reason: str | None = Field(
        description="Why the system last changed the status (export data no longer valid)"
    )
    plates_needed_from_on: date | None = Field(
        description="The trip the export data was checked for, when marked export-ready"
    )
    plates_needed_until_on: date | None
    cargo_weight_kg: int = Field(description="Total weight of the cargo lines it carries")
    cargo_value_cents: int = Field(description="Total value of the cargo lines it carries")
    warnings: list[str] = Field(
        description="Doubts that do not block, e.g. a VIN whose check digit fails"
    )
    version: int
    created_at: datetime
    updated_at: datetime


# --- Actions -------------------------------------------------------------------------------


class AllocateRequest(Schema):
    destination_id: RecordId
    need_id: RecordId | None = Field(
        default=None, description="The recipient's need this item meets"
    )


class ExportReadyRequest(Schema):
    plates_valid_until: date | None = Field(
        default=None,
        description="Last day of the trip (handover): export plates, insurance and inspection "
        "must last until then. Required for vehicles.",
    )
    trip_starts_on: date | None = Field(
        default=None,
        description="First day of the trip: the export plates must be valid from then "
        "(they may start after today)",
    )


# At most this many items in one batch call.
MAX_BATCH_ITEMS = 500


class ItemIds(Schema):
    item_ids: list[RecordId] = Field(
        min_length=1, max_length=MAX_BATCH_ITEMS, description="Each item once"
    )


class ItemAllocation(AllocateRequest):
    item_id: RecordId


class AllocateItems(Schema):
    items: list[ItemAllocation] = Field(min_length=1, max_length=MAX_BATCH_ITEMS)


class ExportReadyItems(ExportReadyRequest):
    """Several items marked export-ready for the same trip."""

    item_ids: list[RecordId] = Field(
        min_length=1, max_length=MAX_BATCH_ITEMS, description="Each item once"
    )


class WithdrawRequest(Schema):
    reason: str = Field(min_length=1, max_length=500, examples=["Donor sold the vehicle"])

    @field_validator("reason")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError(_("say why the item is withdrawn"))
        return value.strip()


# --- Cargo ---------------------------------------------------------------------------------


class CargoLineCreate(Schema):
    description: str = Field(min_length=1, max_length=500, examples=["Submersible pump 11 kW"])
    description_uk: str | None = Field(
        default=None, max_length=500, examples=["Занурювальний насос 11 кВт"]
    )
    marks: str | None = Field(
        default=None,
        max_length=200,
        examples=["Pallet 1/3"],
        description="Marks and numbers on the packages (CMR)",
    )
    quantity: int = Field(gt=0, le=MAX_STORED_INT)
    unit: str = Field(default="pcs", min_length=1, max_length=20, examples=["pcs", "pallets"])
    weight_kg: int = Field(ge=0, le=MAX_WEIGHT_KG, description="Total weight of the line")
    value_cents: int = Field(
        ge=0, le=MAX_STORED_INT, description="Total value of the line in euro cents"
    )
    category: CargoCategory = CargoCategory.technical
    hs_code: HSCode | None = Field(default=None, examples=["8413"])
    packing: Packing = Field(
        default=Packing.carton, description="How the goods are packed (CMR)", examples=["pallet"]
    )


# At most this many cargo lines come with an item in one call (a truck's pallets, not a stock).
MAX_CARGO_LINES = 200


class ItemCreate(ItemFields):
    destination_id: RecordId | None = Field(
        default=None, description="Earmarked recipient; the allocate action confirms it"
    )
    cargo: list[CargoLineCreate] = Field(
        default_factory=list,
        max_length=MAX_CARGO_LINES,
        description="Cargo lines loaded onto the vehicle, created with it: the item and all "
        "its lines, or nothing",
    )


class CargoLineUpdate(Schema):
    model_config = ConfigDict(extra="forbid")

    description: str | None = Field(default=None, min_length=1, max_length=500)
    description_uk: str | None = Field(default=None, max_length=500)
    marks: str | None = Field(default=None, max_length=200)
    quantity: int | None = Field(default=None, gt=0, le=MAX_STORED_INT)
    unit: str | None = Field(default=None, min_length=1, max_length=20)
    weight_kg: int | None = Field(default=None, ge=0, le=MAX_WEIGHT_KG)
    value_cents: int | None = Field(default=None, ge=0, le=MAX_STORED_INT)
    category: CargoCategory | None = None
    hs_code: HSCode | None = None
    packing: Packing | None = None


class CargoLineRead(Schema):
    model_config = ConfigDict(from_attributes=True)

    id: int
    vehicle_id: RecordId
    description: str
    description_uk: str | None
    marks: str | None
    quantity: int
    unit: str
    weight_kg: int
    value_cents: int
    category: CargoCategory
    hs_code: str | None
    packing: Packing
    version: int
    created_at: datetime
    updated_at: datetime
