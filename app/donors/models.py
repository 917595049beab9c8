from enum import StrEnum

from sqlmodel import Field

from app.core.models import Entity, sort_indexes
from app.core.types import enum_type


class DonorKind(StrEnum):
    utility = "utility"  # Stadtwerke, water or transport company
    association = "association"  # e.g. a waste-management association
    manufacturer = "manufacturer"
    other = "other"


class Donor(Entity, table=True):
    __table_args__ = sort_indexes("donor", "created_at")
    name: str = Field(index=True, max_length=200)
    kind: DonorKind = Field(default=DonorKind.utility, sa_type=enum_type(DonorKind))
    contact_name: str | None = Field(default=None, max_length=200)
    contact_email: str | None = Field(default=None, max_length=200)
    contact_phone: str | None = Field(default=None, max_length=50)
    street: str | None = Field(default=None, max_length=200)
    postal_code: str | None = Field(default=None, max_length=20)
    city: str | None = Field(default=None, max_length=100)
    region: str | None = Field(default=None, max_length=100)  # Bundesland
    country: str = Field(default="DE", max_length=2)
