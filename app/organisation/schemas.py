from datetime import datetime

from pydantic import ConfigDict, EmailStr, Field

from app.core.schemas import Schema


class OrganisationCreate(Schema):
    name: str = Field(min_length=1, max_length=200, examples=["Water4Ukraine e.V."])
    legal_form: str = Field(min_length=1, max_length=100, examples=["eingetragener Verein (e.V.)"])
    street: str = Field(min_length=1, max_length=200, examples=["Bromberger Straße 39"])
    postal_code: str = Field(min_length=1, max_length=20, examples=["42281"])
    city: str = Field(min_length=1, max_length=100, examples=["Wuppertal"])
    country: str = Field(default="DE", pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2")
    register_court: str | None = Field(
        default=None, max_length=100, examples=["Amtsgericht Wuppertal"]
    )
    register_number: str | None = Field(default=None, max_length=50, examples=["VR 31245"])
    contact_name: str | None = Field(default=None, max_length=200)
    contact_phone: str | None = Field(default=None, max_length=50)
    contact_email: EmailStr | None = None


class OrganisationUpdate(Schema):
    # Refuse fields that cannot change here instead of silently dropping them.
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=200)
    legal_form: str | None = Field(default=None, min_length=1, max_length=100)
    street: str | None = Field(default=None, min_length=1, max_length=200)
    postal_code: str | None = Field(default=None, min_length=1, max_length=20)
    city: str | None = Field(default=None, min_length=1, max_length=100)
    country: str | None = Field(default=None, pattern=r"^[A-Z]{2}$")
    register_court: str | None = Field(default=None, max_length=100)
    register_number: str | None = Field(default=None, max_length=50)
    contact_name: str | None = Field(default=None, max_length=200)
    contact_phone: str | None = Field(default=None, max_length=50)
    contact_email: EmailStr | None = None


class OrganisationRead(Schema):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    legal_form: str
    street: str
    postal_code: str
    city: str
    country: str
    register_court: str | None
    register_number: str | None
    contact_name: str | None
    contact_phone: str | None
    contact_email: str | None
    version: int
    created_at: datetime
    updated_at: datetime
