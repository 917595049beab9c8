"""Issued documents: the exact bytes that were handed out, with their number and hash.

Generating a document is a preview; issuing it stores the file as it was signed, so an auditor
downloads that very file after the data changed. A reissue is a new revision under the same
number; the earlier one stays.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, LargeBinary, UniqueConstraint
from sqlmodel import Field

from app.core.models import Record
from app.core.types import UTCDateTime, utcnow


class IssuedDocument(Record, table=True):
    __tablename__ = "issued_document"
    # The trail notes that a document was issued; the file and its facts are kept here.
    __audit_redact__ = frozenset({"content", "facts"})
    __table_args__ = (UniqueConstraint("number", "revision", name="uq_issued_document_revision"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=30, index=True)  # manifest, cmr, handover_act, export_sheet
    convoy_id: int = Field(foreign_key="convoy.id", index=True)
    # What in the convoy it is about: the vehicle of a CMR note, the recipient of a handover act.
    vehicle_id: int | None = Field(default=None, foreign_key="item.id")
    destination_id: int | None = Field(default=None, foreign_key="destination.id", index=True)
    donor_id: int | None = Field(default=None, foreign_key="donor.id")  # a donation letter's
    driver_id: int | None = Field(default=None, foreign_key="driver.id")  # a driver's papers
    number: str = Field(max_length=60, index=True)  # "W4U-02/CMR/3"
    revision: int = Field(default=1)
    media_type: str = Field(max_length=100)
    filename: str = Field(max_length=200)
    content: bytes = Field(sa_type=LargeBinary)
    sha256: str = Field(max_length=64)
    size_bytes: int
    # The facts the file was made from: what "changed since issue" compares against.
    facts: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    issued_by_user_id: int | None = Field(default=None, foreign_key="app_user.id")
    issued_by_name: str = Field(max_length=200)
    issued_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class DonorReportLink(Record, table=True):
    """A read-only link to a donor's report, to share with the donor: unguessable (only the
    token's hash is stored), revocable, and working only until it expires."""

    __tablename__ = "donor_report_link"
    __audit_redact__ = frozenset({"token_hash"})

    id: int | None = Field(default=None, primary_key=True)
    donor_id: int = Field(foreign_key="donor.id", index=True)
    token_hash: str = Field(max_length=64, unique=True)
    created_by_name: str = Field(max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
