from datetime import date

from sqlmodel import Field

from app.core.models import Entity, sort_indexes


class ExportRecord(Entity, table=True):
    """Customs export data for one item: declaration (MRN), export plates, exit confirmation."""

    __table_args__ = sort_indexes("export_record", "created_at")

    __tablename__ = "export_record"

    item_id: int = Field(foreign_key="item.id", unique=True)
    customs_office_code: str = Field(max_length=8)
    mrn: str | None = Field(default=None, unique=True, max_length=18)
    export_plate: str | None = Field(default=None, max_length=12)
    plate_valid_from_on: date | None = None
    plate_valid_to_on: date | None = None
    insurer: str | None = Field(default=None, max_length=200)
    insurance_until_on: date | None = None
    inspection_due_on: date | None = None  # Hauptuntersuchung (HU)
    exit_confirmed_on: date | None = None  # Ausgangsvermerk received
    # Declared as humanitarian aid (a relief consignment without commercial value): the
    # consignment note then instructs customs so.
    humanitarian_aid: bool = False
