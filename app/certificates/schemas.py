from datetime import date, datetime

from pydantic import ConfigDict, Field

from app.core.schemas import Schema
from app.core.types import RecordId

ItemIds = list[RecordId]


class CertificateBase(Schema):
    number: str = Field(min_length=1, max_length=50, examples=["VN-2022-017"])
    destination_id: RecordId
    intended_use: str = Field(
        min_length=1,
        max_length=2000,
        examples=["Transport of drinking-water pumps between well fields of Lvivvodokanal"],
    )
    intended_use_uk: str | None = Field(
        default=None,
        max_length=2000,
        description="The intended use in Ukrainian, for the Ukrainian half of the usage form",
        examples=["Перевезення насосів питної води між водозаборами Львівводоканалу"],
    )
    issued_on: date
    issuer: str = Field(
        min_length=1, max_length=200, examples=["Lvivvodokanal, technical director"]
    )
    valid_until_on: date | None = Field(
        default=None, description="Last day the certificate is valid; open-ended when null"
    )


class CertificateCreate(CertificateBase):
    item_ids: ItemIds = Field(min_length=1, description="Items the certificate covers")


class CertificateUpdate(Schema):
    """Covered items change through the item endpoints, not here."""

    # Refuse fields that cannot change here instead of silently dropping them.
    model_config = ConfigDict(extra="forbid")

    number: str | None = Field(default=None, min_length=1, max_length=50)
    destination_id: RecordId | None = None
    intended_use: str | None = Field(default=None, min_length=1, max_length=2000)
    intended_use_uk: str | None = Field(default=None, max_length=2000)
    issued_on: date | None = None
    issuer: str | None = Field(default=None, min_length=1, max_length=200)
    valid_until_on: date | None = None


class CertificateItemsAdd(Schema):
    item_ids: ItemIds = Field(min_length=1)


class CertificateRead(CertificateBase):
    model_config = ConfigDict(from_attributes=True)

    id: int
    item_ids: ItemIds
    version: int
    created_at: datetime
    updated_at: datetime
