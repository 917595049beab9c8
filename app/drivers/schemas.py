from datetime import date, datetime
from typing import Annotated

from pydantic import AfterValidator, ConfigDict, Field, model_validator

from app.core.i18n import _
from app.core.identifiers import LicenceClassField
from app.core.localtime import today_at
from app.core.schemas import Schema
from app.core.types import Email

MIN_DRIVER_AGE = 18
# Volunteers from Germany with German licences: a driver's birthday and a licence's last day
# are days on Germany's calendar.
DRIVERS_TIMEZONE = "Europe/Berlin"


def _language_codes(codes: list[str]) -> list[str]:
    cleaned = [c.strip().lower() for c in codes]
    bad = [c for c in cleaned if len(c) != 2 or not c.isalpha()]
    if bad:
        raise ValueError(
            _("languages are ISO 639-1 codes such as de, uk, pl, en (not {bad})").format(bad=bad)
        )
    return list(dict.fromkeys(cleaned))


# As many codes as the column holds, comma-separated in 200 characters.
MAX_LANGUAGES = 67
Languages = Annotated[list[str], Field(max_length=MAX_LANGUAGES), AfterValidator(_language_codes)]


def _adult(born: date) -> date:
    today = today_at(DRIVERS_TIMEZONE)
    age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    if age < MIN_DRIVER_AGE:
        raise ValueError(
            _("a driver must be at least {MIN_DRIVER_AGE} years old").format(
                MIN_DRIVER_AGE=MIN_DRIVER_AGE
            )
        )
    if age > 100:
        raise ValueError(_("date of birth is more than 100 years ago; mistyped?"))
    return born


DateOfBirth = Annotated[date, AfterValidator(_adult)]


class Licence(Schema):
    model_config = ConfigDict(from_attributes=True)

    licence_class: LicenceClassField
    expires_on: date


class Availability(Schema):
    model_config = ConfigDict(from_attributes=True)

    available_from_on: date
    available_to_on: date

    @model_validator(mode="after")
    def _ordered(self) -> "Availability":
        if self.available_to_on < self.available_from_on:
            raise ValueError(_("available_to_on is before available_from_on"))
        return self


def _one_per_class(licences: list[Licence]) -> list[Licence]:
    classes = [lic.licence_class for lic in licences]
    duplicates = sorted({c.value for c in classes if classes.count(c) > 1})
    if duplicates:
        raise ValueError(
            _("each licence class appears once; repeated: {fields}").format(
                fields=", ".join(duplicates)
            )
        )
    return licences


Licences = Annotated[list[Licence], AfterValidator(_one_per_class)]


class DriverCreate(Schema):
    name: str = Field(min_length=1, max_length=200)
    date_of_birth: DateOfBirth
    phone: str = Field(min_length=5, max_length=50, examples=["+49 202 555 0101"])
    email: Email | None = None
    languages: Languages = Field(default_factory=list, examples=[["de", "uk"]])
    emergency_contact_name: str | None = Field(default=None, max_length=200)
    emergency_contact_phone: str | None = Field(default=None, max_length=50)
    notes: str | None = Field(default=None, max_length=2000)
    licences: Licences = Field(default_factory=list)
    availability: list[Availability] = Field(default_factory=list)


class DriverUpdate(Schema):
    """Fields to change; `licences` and `availability`, when sent, replace the stored lists."""

    name: str | None = Field(default=None, min_length=1, max_length=200)
    date_of_birth: DateOfBirth | None = None
    phone: str | None = Field(default=None, min_length=5, max_length=50)
    email: Email | None = None
    languages: Languages | None = None
    emergency_contact_name: str | None = Field(default=None, max_length=200)
    emergency_contact_phone: str | None = Field(default=None, max_length=50)
    notes: str | None = Field(default=None, max_length=2000)
    licences: Licences | None = None
    availability: list[Availability] | None = None


class DriverRead(Schema):
    id: int
    version: int
    name: str
    date_of_birth: date | None
    erased_at: datetime | None = None
    phone: str
    email: str | None
    languages: list[str]
    emergency_contact_name: str | None
    emergency_contact_phone: str | None
    notes: str | None
    licences: list[Licence]
    availability: list[Availability]
    created_at: datetime
    updated_at: datetime
