from datetime import datetime

from pydantic import Field

from app.core.schemas import Schema
from app.core.types import RecordId


class IssueRequest(Schema):
    kind: str = Field(
        examples=["cmr"],
        description=(
            "manifest, cmr, handover_act, donation_letter, usage_form, driver_papers or "
            "export_sheet"
        ),
    )
    vehicle_id: RecordId | None = Field(default=None, description="The vehicle of a CMR note")
    destination_id: RecordId | None = Field(
        default=None,
        description=(
            "The recipient of a handover act, donation letter, usage form; with a vehicle, the "
            "consignee of a CMR note for goods it carries for a recipient other than its own"
        ),
    )
    donor_id: RecordId | None = Field(default=None, description="The donor of a donation letter")
    driver_id: RecordId | None = Field(default=None, description="The driver of a driver's papers")


class IssuedDocumentRead(Schema):
    id: int
    kind: str
    convoy_id: RecordId
    vehicle_id: RecordId | None
    destination_id: RecordId | None
    donor_id: RecordId | None
    driver_id: RecordId | None
    number: str = Field(examples=["W4U-02/CMR/3"])
    revision: int
    media_type: str
    filename: str
    sha256: str
    size_bytes: int
    issued_by_name: str
    issued_at: datetime
    changed_since_issue: list[str] = Field(
        description="Where the data differs now from what the document says; empty: unchanged"
    )
