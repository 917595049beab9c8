from datetime import date, datetime
from enum import StrEnum

from sqlmodel import Field

from app.core.identifiers import LicenceClass
from app.core.models import Entity, sort_indexes
from app.core.types import UTCDateTime, enum_type


class ItemCategory(StrEnum):
    vehicle = "vehicle"
    equipment = "equipment"


class ItemKind(StrEnum):
    # vehicles
    bus = "bus"
    truck = "truck"
    unimog = "unimog"
    van = "van"
    car = "car"
    special_vehicle = "special_vehicle"
    # equipment
    generator = "generator"
    pump = "pump"
    pipes = "pipes"
    tools = "tools"
    other_equipment = "other_equipment"
    # sorted donations (clothing, hygiene, medical supplies) kept at a collection point
    goods = "goods"


VEHICLE_KINDS = frozenset(
    {
        ItemKind.bus,
        ItemKind.truck,
        ItemKind.unimog,
        ItemKind.van,
        ItemKind.car,
        ItemKind.special_vehicle,
    }
)


class ItemStatus(StrEnum):
    offered = "offered"
    accepted = "accepted"
    allocated = "allocated"
    certified = "certified"
    export_ready = "export_ready"
    in_convoy = "in_convoy"
    delivered = "delivered"
    withdrawn = "withdrawn"


class Condition(StrEnum):
    new = "new"
    good = "good"
    used = "used"
    needs_repair = "needs_repair"


class Item(Entity, table=True):
    """A donated vehicle or piece of equipment; a vehicle may also carry cargo."""

    __table_args__ = sort_indexes("item", "name", "created_at", "declared_value_cents")

    category: ItemCategory = Field(sa_type=enum_type(ItemCategory))
    kind: ItemKind = Field(sa_type=enum_type(ItemKind))
    name: str = Field(max_length=200)  # e.g. "MAN Lion's City bus, fleet no. 4711"
    description: str | None = Field(default=None, max_length=2000)
    name_uk: str | None = Field(default=None, max_length=200)  # for the bilingual papers
    origin_country: str = Field(default="DE", max_length=2)
    status: ItemStatus = Field(
        default=ItemStatus.offered, sa_type=enum_type(ItemStatus), index=True
    )
    donor_id: int = Field(foreign_key="donor.id", index=True)
    destination_id: int | None = Field(default=None, foreign_key="destination.id", index=True)
    need_id: int | None = Field(default=None, foreign_key="need.id", index=True)
    declared_value_cents: int = Field(ge=0)
    weight_kg: int | None = Field(default=None, ge=0)
    condition: Condition = Field(default=Condition.used, sa_type=enum_type(Condition))
    hs_code: str | None = Field(default=None, max_length=10)
    serial_number: str | None = Field(default=None, max_length=100)
    # vehicles only
    make: str | None = Field(default=None, max_length=100)
    model: str | None = Field(default=None, max_length=100)
    vin: str | None = Field(default=None, unique=True, max_length=17)
    year: int | None = None
    gross_weight_kg: int | None = None
    seats: int | None = None
    licence_class_required: LicenceClass | None = Field(
        default=None, sa_type=enum_type(LicenceClass)
    )
    registration_papers_held: bool = False
    # A towed trailer: with more than 750 kg it raises the licence needed (C → CE, C1 → C1E,
    # D → DE); its registration travels with the vehicle's papers.
    trailer_type: str | None = Field(default=None, max_length=100)
    trailer_registration: str | None = Field(default=None, max_length=20)
    trailer_permissible_weight_kg: int | None = Field(default=None, ge=0)
    # The trip the export data was checked for when the item was marked export-ready; a later
    # change to the export record is checked against it again.
    plates_needed_from_on: date | None = None
    plates_needed_until_on: date | None = None
    # Why the status last changed when the system changed it (export data no longer valid).
    status_reason: str | None = Field(default=None, max_length=1000)
    withdrawn_reason: str | None = Field(default=None, max_length=500)
    status_changed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class CargoCategory(StrEnum):
    technical = "technical"
    medical = "medical"
    clothing = "clothing"
    food = "food"
    electronics = "electronics"
    other = "other"


class Packing(StrEnum):
    """How goods are packed (CMR Art. 6(1)(f)); a vehicle rides on its own wheels."""

    pallet = "pallet"
    crate = "crate"
    carton = "carton"
    loose = "loose"
    fixed_in_vehicle = "fixed_in_vehicle"  # lashed or bolted down


class CargoLine(Entity, table=True):
    """Goods loaded onto a vehicle that are not tracked as items of their own."""

    __tablename__ = "cargo_line"

    vehicle_id: int = Field(foreign_key="item.id", index=True)
    description: str = Field(max_length=500)
    description_uk: str | None = Field(default=None, max_length=500)
    marks: str | None = Field(default=None, max_length=200)  # on the packages, for the CMR
    quantity: int = Field(gt=0)
    unit: str = Field(default="pcs", max_length=20)
    weight_kg: int = Field(ge=0)
    value_cents: int = Field(ge=0)
    category: CargoCategory = Field(
        default=CargoCategory.technical, sa_type=enum_type(CargoCategory)
    )
    hs_code: str | None = Field(default=None, max_length=10)
    packing: Packing = Field(default=Packing.carton, sa_type=enum_type(Packing))
