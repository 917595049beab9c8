from datetime import date, datetime

from sqlmodel import Field

from app.core.identifiers import LicenceClass
from app.core.models import Entity, Record, sort_indexes
from app.core.types import UTCDateTime, enum_type


class Driver(Entity, table=True):
    """A volunteer driver. Personal data: visible only to those who plan or are this driver."""

    __table_args__ = sort_indexes("driver", "created_at")

    name: str = Field(index=True, max_length=200)
    date_of_birth: date | None  # None only after erasure
    phone: str = Field(max_length=50)
    email: str | None = Field(default=None, max_length=200)
    languages: str = Field(default="", max_length=200)  # comma-separated ISO 639-1 codes
    emergency_contact_name: str | None = Field(default=None, max_length=200)
    emergency_contact_phone: str | None = Field(default=None, max_length=50)
    notes: str | None = Field(default=None, max_length=2000)
    # Set when the driver's personal data was erased on request (GDPR Art. 17).
    erased_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class DriverLicence(Record, table=True):
    """One licence class on the driver's card; each class has its own expiry date."""

    __tablename__ = "driver_licence"

    driver_id: int = Field(foreign_key="driver.id", primary_key=True)
    licence_class: LicenceClass = Field(sa_type=enum_type(LicenceClass), primary_key=True)
    expires_on: date


class DriverAvailability(Record, table=True):
    """A window (whole days, inclusive) in which the driver is free to drive."""

    __tablename__ = "driver_availability"

    id: int | None = Field(default=None, primary_key=True)
    driver_id: int = Field(foreign_key="driver.id", index=True)
    available_from_on: date
    available_to_on: date
