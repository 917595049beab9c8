from datetime import date, datetime

from pydantic import ConfigDict, Field

from app.core.identifiers import MRN, CustomsOfficeCode, ExportPlate
from app.core.schemas import Schema
from app.core.types import RecordId


class ExportRecordFields(Schema):
    customs_office_code: CustomsOfficeCode = Field(
        examples=["DE004601"],
        description="Export customs office; German offices are DE00 + 4 digits",
    )
    mrn: MRN | None = Field(
        default=None,
        examples=["06DE586600006143E1"],
        description="Movement Reference Number of the export declaration (ATLAS)",
    )
    export_plate: ExportPlate | None = Field(
        default=None, examples=["W 1234 A"], description="Ausfuhrkennzeichen (§ 19 FZV)"
    )
    plate_valid_from_on: date | None = None
    plate_valid_to_on: date | None = Field(
        default=None, description="Date in the plate's red field; at most one year after the start"
    )
    insurer: str | None = Field(default=None, max_length=200)
    insurance_until_on: date | None = Field(
        default=None, description="Last day of the liability insurance; covers the plate"
    )
    inspection_due_on: date | None = Field(
        default=None, description="Hauptuntersuchung (HU) due; must not expire before the plate"
    )
    exit_confirmed_on: date | None = Field(
        default=None, description="Exit confirmation (Ausgangsvermerk) received; needs an MRN"
    )
    humanitarian_aid: bool = Field(
        default=False,
        description="Declared as humanitarian aid (a relief consignment without commercial "
        "value); the CMR note's customs instructions say so",
    )


class ExportRecordCreate(ExportRecordFields):
    item_id: RecordId


class ExportRecordsCreate(Schema):
    records: list[ExportRecordCreate] = Field(
        min_length=1, max_length=500, description="One record per item"
    )


class ExportRecordUpdate(Schema):
    """The item of a record is fixed; every other field may change."""

    # Refuse fields that cannot change here instead of silently dropping them.
    model_config = ConfigDict(extra="forbid")

    customs_office_code: CustomsOfficeCode | None = None
    mrn: MRN | None = None
    export_plate: ExportPlate | None = None
    plate_valid_from_on: date | None = None
    plate_valid_to_on: date | None = None
    insurer: str | None = Field(default=None, max_length=200)
    insurance_until_on: date | None = None
    inspection_due_on: date | None = None
    exit_confirmed_on: date | None = None
    humanitarian_aid: bool | None = None


class ExportRecordRead(ExportRecordFields):
    model_config = ConfigDict(from_attributes=True)

    id: int
    item_id: RecordId
    version: int
    created_at: datetime
    updated_at: datetime
