"""Validators for the identifiers on the paperwork (DOMAIN.md, "Facts to encode").

Each ``validate_*`` returns the normalised value or raises ``ValueError`` with a reason a
coordinator can act on; pydantic turns that into a 422 naming the field.
"""

import re
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.ua import edrpou

from app.core.i18n import _

# --- VIN (ISO 3779) -----------------------------------------------------------------------

_VIN_ALPHABET = re.compile(r"^[A-HJ-NPR-Z0-9]{17}$")
_VIN_VALUES = {
    **{str(d): d for d in range(10)},
    **dict(zip("ABCDEFGH", range(1, 9), strict=True)),
    **dict(zip("JKLMN", range(1, 6), strict=True)),
    "P": 7,
    "R": 9,
    **dict(zip("STUVWXYZ", range(2, 10), strict=True)),
}
_VIN_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)


def validate_vin(value: str) -> str:
    vin = value.strip().upper().replace(" ", "")
    if len(vin) != 17:
        raise ValueError(_("a VIN has 17 characters, this one has {count}").format(count=len(vin)))
    bad = sorted({c for c in vin if c in "IOQ"})
    if bad:
        raise ValueError(
            _("a VIN never contains I, O or Q (found {fields})").format(fields=", ".join(bad))
        )
    if not _VIN_ALPHABET.match(vin):
        raise ValueError(_("a VIN contains only the letters A-Z (without I, O, Q) and digits"))
    return vin


def vin_check_digit(vin: str) -> str:
    total = sum(_VIN_VALUES[c] * w for c, w in zip(vin, _VIN_WEIGHTS, strict=True))
    remainder = total % 11
    return "X" if remainder == 10 else str(remainder)


def vin_warnings(vin: str) -> list[str]:
    """Check digit at position 9: mandatory only in North America, so a warning, not an error."""
    expected = vin_check_digit(vin)
    if vin[8] != expected:
        return [
            _(
                "VIN check digit (position 9) is {found!r}, ISO 3779 computes {expected!r}; "
                "normal for many European vehicles, but compare the VIN with the registration "
                "papers"
            ).format(found=vin[8], expected=expected)
        ]
    return []


# --- EDRPOU ---------------------------------------------------------------------------------


def validate_edrpou(value: str) -> str:
    try:
        return str(edrpou.validate(value))
    except StdnumError as exc:
        raise ValueError(
            _("not a valid EDRPOU code ({exc}); it has 8 digits, the last a check digit").format(
                exc=exc
            )
        ) from exc


# --- MRN (export Movement Reference Number) -----------------------------------------------

_MRN_FORMAT = re.compile(r"^\d{2}[A-Z]{2}[A-Z0-9]{13}\d$")


def _mrn_letter_values() -> dict[str, int]:
    values: dict[str, int] = {}
    n = 10
    for letter in "ABCDEFGHIJKLMNOPQRSTUVWXYZ":
        if n % 11 == 0:  # ISO 6346 skips multiples of 11
            n += 1
        values[letter] = n
        n += 1
    return values


_MRN_VALUES = {**{str(d): d for d in range(10)}, **_mrn_letter_values()}


def mrn_check_digit(first17: str) -> str:
    total = sum(_MRN_VALUES[c] * 2**i for i, c in enumerate(first17))
    return str(total % 11 % 10)


def validate_mrn(value: str) -> str:
    mrn = value.strip().upper().replace(" ", "")
    if len(mrn) != 18:
        raise ValueError(_("an MRN has 18 characters, this one has {count}").format(count=len(mrn)))
    if not _MRN_FORMAT.match(mrn):
        raise ValueError(
            _("an MRN is 2 digits (year), 2 letters (country), 13 letters or digits, 1 check digit")
        )
    expected = mrn_check_digit(mrn[:17])
    if mrn[17] != expected:
        raise ValueError(
            _("MRN check digit is {value}, expected {expected}: mistyped?").format(
                value=mrn[17], expected=expected
            )
        )
    return mrn


# --- Customs office, export plate, HS code -------------------------------------------------

_CUSTOMS_OFFICE = re.compile(r"^[A-Z]{2}[A-Z0-9]{6}$")


def validate_customs_office(value: str) -> str:
    code = value.strip().upper().replace(" ", "")
    if not _CUSTOMS_OFFICE.match(code):
        raise ValueError(_("a customs office code has 8 characters, e.g. DE004601"))
    if code.startswith("DE") and not re.match(r"^DE00\d{4}$", code):
        raise ValueError(_("a German customs office code is DE00 followed by 4 digits"))
    return code


_PLATE = re.compile(r"^([A-ZÄÖÜ]{1,3})[ -]*(\d{2,4})[ -]*([A-Z])$")


def validate_export_plate(value: str) -> str:
    """Ausfuhrkennzeichen (§ 19 FZV): district code, 2-4 digits, one letter."""
    match = _PLATE.match(value.strip().upper())
    if not match:
        raise ValueError(
            _(
                "an export plate is a district code (1-3 letters), 2-4 "
                "digits and one letter, e.g. W 1234 A"
            )
        )
    return " ".join(match.groups())


def validate_hs_code(value: str) -> str:
    code = value.replace(" ", "").replace(".", "")
    if not re.match(r"^\d{4}(\d{2}){0,3}$", code):
        raise ValueError(_("an HS code has 4, 6, 8 or 10 digits, e.g. 8413 or 9919 0000"))
    return code


class LicenceClass(StrEnum):
    """German driving licence classes relevant to convoy vehicles."""

    B = "B"
    BE = "BE"
    C1 = "C1"
    C1E = "C1E"
    C = "C"
    CE = "CE"
    D1 = "D1"
    D1E = "D1E"
    D = "D"
    DE = "DE"


def _upper(value: object) -> object:
    return value.strip().upper() if isinstance(value, str) else value


VIN = Annotated[str, AfterValidator(validate_vin)]
EDRPOU = Annotated[str, AfterValidator(validate_edrpou)]
MRN = Annotated[str, AfterValidator(validate_mrn)]
CustomsOfficeCode = Annotated[str, AfterValidator(validate_customs_office)]
ExportPlate = Annotated[str, AfterValidator(validate_export_plate)]
HSCode = Annotated[str, AfterValidator(validate_hs_code)]
LicenceClassField = Annotated[LicenceClass, BeforeValidator(_upper)]
