import unicodedata
from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, ConfigDict, Field

from app.core.i18n import _
from app.core.identifiers import EDRPOU
from app.core.schemas import Schema
from app.core.types import Email, RecordId
from app.destinations.models import RecipientKind

# Ukrainian writes the apostrophe inside words (Кам'янське); the ASCII, modifier-letter and
# typographic forms are all in use.
_APOSTROPHES = frozenset("'\u02bc\u2019")


def validate_cyrillic(value: str) -> str:
    """The Ukrainian name goes onto the Ukrainian paperwork, so it must be Cyrillic.

    A single look-alike (a Latin i typed for the Cyrillic one) makes the name unsearchable and
    wrong on the humanitarian-aid declaration, so every non-Cyrillic letter is refused by name.
    """
    name = value.strip()
    letters = [c for c in name if c.isalpha() and c not in _APOSTROPHES]
    foreign = sorted({c for c in letters if not unicodedata.name(c, "").startswith("CYRILLIC")})
    if foreign:
        raise ValueError(
            _("write the Ukrainian name in Cyrillic; found non-Cyrillic letters: {fields}").format(
                fields=" ".join(foreign)
            )
        )
    if not letters:
        raise ValueError(_("the Ukrainian name needs at least one Cyrillic letter"))
    return name


CyrillicName = Annotated[str, AfterValidator(validate_cyrillic)]


def validate_cyrillic_place(value: str) -> str:
    """A street, city or oblast in Ukrainian script: as the name, every letter Cyrillic."""
    place = value.strip()
    letters = [c for c in place if c.isalpha() and c not in _APOSTROPHES]
    foreign = sorted({c for c in letters if not unicodedata.name(c, "").startswith("CYRILLIC")})
    if foreign:
        raise ValueError(
            _("write it in Cyrillic; found non-Cyrillic letters: {fields}").format(
                fields=" ".join(foreign)
            )
        )
    if not letters:
        raise ValueError(_("write it in Cyrillic: at least one Cyrillic letter"))
    return place


CyrillicPlace = Annotated[str, AfterValidator(validate_cyrillic_place)]
# A Ukrainian postcode (поштовий індекс) has five digits.
UA_POSTAL_CODE = r"^\d{5}$"


class DestinationCreate(Schema):
    name: str = Field(min_length=1, max_length=200, examples=["Lvivvodokanal"])
    kind: RecipientKind = Field(
        default=RecipientKind.utility, description="A utility, a clinic, a hospital, ..."
    )
    name_uk: CyrillicName | None = Field(
        default=None, max_length=200, examples=["ЛМКП «Львівводоканал»"]
    )
    street: str | None = Field(
        default=None, max_length=200, examples=["Zelena St 64"], description="Street and number"
    )
    street_uk: CyrillicPlace | None = Field(
        default=None, max_length=200, examples=["вул. Зелена, 64"]
    )
    postal_code: str | None = Field(
        default=None, pattern=UA_POSTAL_CODE, max_length=5, examples=["79017"]
    )
    city: str = Field(min_length=1, max_length=100, examples=["Lviv"])
    city_uk: CyrillicPlace | None = Field(default=None, max_length=100, examples=["Львів"])
    oblast: str = Field(min_length=1, max_length=100, examples=["Lvivska"])
    oblast_uk: CyrillicPlace | None = Field(
        default=None, max_length=100, examples=["Львівська область"]
    )
    edrpou: EDRPOU = Field(
        description="8-digit Ukrainian organisation code with a check digit",
        examples=["03348471"],
    )
    contact_name: str | None = Field(
        default=None, max_length=200, examples=["Deputy technical director"]
    )
    contact_phone: str | None = Field(default=None, max_length=50)
    contact_email: Email | None = None
    via_destination_id: RecordId | None = Field(
        default=None,
        description="The hub this utility receives its deliveries through (e.g. Lvivvodokanal)",
    )


class DestinationUpdate(Schema):
    # Refuse fields that cannot change here instead of silently dropping them.
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=200)
    kind: RecipientKind | None = None
    name_uk: CyrillicName | None = Field(default=None, max_length=200)
    street: str | None = Field(default=None, max_length=200)
    street_uk: CyrillicPlace | None = Field(default=None, max_length=200)
    postal_code: str | None = Field(default=None, pattern=UA_POSTAL_CODE, max_length=5)
    city: str | None = Field(default=None, min_length=1, max_length=100)
    city_uk: CyrillicPlace | None = Field(default=None, max_length=100)
    oblast: str | None = Field(default=None, min_length=1, max_length=100)
    oblast_uk: CyrillicPlace | None = Field(default=None, max_length=100)
    edrpou: EDRPOU | None = None
    contact_name: str | None = Field(default=None, max_length=200)
    contact_phone: str | None = Field(default=None, max_length=50)
    contact_email: Email | None = None
    via_destination_id: RecordId | None = None


class DestinationRead(Schema):
    """What is stored, as stored: reading never re-validates (and so never fails)."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    kind: RecipientKind
    name_uk: str | None
    street: str | None
    street_uk: str | None
    postal_code: str | None
    city: str
    city_uk: str | None
    oblast: str
    oblast_uk: str | None
    edrpou: str
    contact_name: str | None
    contact_phone: str | None
    contact_email: str | None
    via_destination_id: RecordId | None
    version: int
    created_at: datetime
    updated_at: datetime
