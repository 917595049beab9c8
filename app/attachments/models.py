"""Files attached to records: a signed usage certificate, the exit confirmation from ATLAS, the
registration papers, the insurance certificate, the signed handover act."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import LargeBinary
from sqlmodel import Field

from app.core.models import Record
from app.core.types import UTCDateTime, enum_type, utcnow


class AttachmentKind(StrEnum):
    signed_usage_certificate = "signed_usage_certificate"
    exit_confirmation = "exit_confirmation"  # Ausgangsvermerk, a PDF from ATLAS
    registration_papers = "registration_papers"
    insurance_certificate = "insurance_certificate"
    signed_handover_act = "signed_handover_act"
    receipt = "receipt"  # a voucher of a ledger entry: an invoice, a fuel or toll receipt
    other = "other"


class Attachment(Record, table=True):
    """One uploaded file, kept as it came, under the record it belongs to."""

    # The trail names the file and its hash; the bytes are kept here only.
    __audit_redact__ = frozenset({"content"})

    id: int | None = Field(default=None, primary_key=True)
    entity: str = Field(max_length=30, index=True)  # item, export_record, usage_certificate, ...
    entity_id: int = Field(index=True)
    kind: AttachmentKind = Field(sa_type=enum_type(AttachmentKind))
    filename: str = Field(max_length=200)
    media_type: str = Field(max_length=50)  # as read from the content
    size_bytes: int
    sha256: str = Field(max_length=64)
    content: bytes = Field(sa_type=LargeBinary)
    uploaded_by_user_id: int | None = Field(default=None, foreign_key="app_user.id")
    uploaded_by_name: str = Field(max_length=200)
    uploaded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
