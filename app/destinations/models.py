from enum import StrEnum

from sqlmodel import Field

from app.core.models import Entity, sort_indexes
from app.core.types import enum_type


class RecipientKind(StrEnum):
    utility = "utility"
    clinic = "clinic"
    hospital = "hospital"
    rehabilitation_centre = "rehabilitation_centre"
    other = "other"


class Destination(Entity, table=True):
    """A recipient in Ukraine: a utility, a clinic, a hospital, a rehabilitation centre."""

    __table_args__ = sort_indexes("destination", "city", "created_at")

    name: str = Field(index=True, max_length=200)
    kind: RecipientKind = Field(default=RecipientKind.utility, sa_type=enum_type(RecipientKind))
    name_uk: str | None = Field(default=None, max_length=200)  # Ukrainian name, in Cyrillic
    # The address a consignment note names (CMR Art. 6(1)(e)), in Latin and in Cyrillic.
    street: str | None = Field(default=None, max_length=200)
    street_uk: str | None = Field(default=None, max_length=200)
    postal_code: str | None = Field(default=None, max_length=5)
    city: str = Field(max_length=100)
    city_uk: str | None = Field(default=None, max_length=100)
    oblast: str = Field(max_length=100)
    oblast_uk: str | None = Field(default=None, max_length=100)
    edrpou: str = Field(unique=True, max_length=8)
    contact_name: str | None = Field(default=None, max_length=200)
    contact_phone: str | None = Field(default=None, max_length=50)
    contact_email: str | None = Field(default=None, max_length=200)
    # Deliveries reach smaller utilities through a hub (Chuhuiv's goods come via Lviv).
    via_destination_id: int | None = Field(default=None, foreign_key="destination.id")
