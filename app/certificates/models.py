from datetime import date

from sqlmodel import Field

from app.core.models import Entity, Record, sort_indexes


class UsageCertificate(Entity, table=True):
    """Verwendungsnachweis: proof of intended use, required before goods leave Germany."""

    __table_args__ = sort_indexes("usage_certificate", "issued_on", "created_at")

    __tablename__ = "usage_certificate"

    number: str = Field(unique=True, max_length=50)
    destination_id: int = Field(foreign_key="destination.id", index=True)
    intended_use: str = Field(max_length=2000)
    intended_use_uk: str | None = Field(default=None, max_length=2000)  # for the bilingual form
    issued_on: date
    issuer: str = Field(max_length=200)
    valid_until_on: date | None = None
    signed_copy_filename: str | None = Field(default=None, max_length=200)


class CertificateItem(Record, table=True):
    """An item covered by a usage certificate."""

    __tablename__ = "certificate_item"

    certificate_id: int = Field(foreign_key="usage_certificate.id", primary_key=True)
    item_id: int = Field(foreign_key="item.id", primary_key=True, index=True)
