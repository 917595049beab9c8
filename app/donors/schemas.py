from datetime import datetime

from pydantic import ConfigDict, Field

from app.core.schemas import Schema
from app.core.types import Email
from app.donors.models import DonorKind


class DonorBase(Schema):
    name: str = Field(min_length=1, max_length=200, examples=["WSW mobil GmbH"])
    kind: DonorKind = DonorKind.utility
    contact_name: str | None = Field(default=None, max_length=200)
    contact_email: Email | None = None
    contact_phone: str | None = Field(default=None, max_length=50)
    street: str | None = Field(default=None, max_length=200)
    postal_code: str | None = Field(default=None, max_length=20)
    city: str | None = Field(default=None, max_length=100)
    region: str | None = Field(default=None, max_length=100, examples=["Nordrhein-Westfalen"])
    country: str = Field(default="DE", pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2")


class DonorCreate(DonorBase):
    pass


class DonorUpdate(Schema):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    kind: DonorKind | None = None
    contact_name: str | None = Field(default=None, max_length=200)
    contact_email: Email | None = None
    contact_phone: str | None = Field(default=None, max_length=50)
    street: str | None = Field(default=None, max_length=200)
    postal_code: str | None = Field(default=None, max_length=20)
    city: str | None = Field(default=None, max_length=100)
    region: str | None = Field(default=None, max_length=100)
    country: str | None = Field(default=None, pattern=r"^[A-Z]{2}$")


class DonorRead(DonorBase):
    model_config = ConfigDict(from_attributes=True)

    id: int
    version: int
    created_at: datetime
    updated_at: datetime
