"""Plain HTML forms on top of the API's schemas: what was typed, and why a field was refused.

A page validates a form with the same pydantic schema the API uses and calls the same service;
the errors come back keyed by field so the template shows each beside its input, and the typed
values go back into the form, so nothing is lost.
"""

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import ValidationError

from app.core.errors import Conflict, InvalidInput, RuleViolation
from app.core.i18n import N_, _

FieldErrors = dict[str, str]

# The zones a convoy from Germany to Ukraine passes; any IANA name is accepted.
COMMON_ZONES = (
    "Europe/Berlin",
    "Europe/Warsaw",
    "Europe/Prague",
    "Europe/Vienna",
    "Europe/Bratislava",
    "Europe/Budapest",
    "Europe/Bucharest",
    "Europe/Chisinau",
    "Europe/Kyiv",
)


def field_errors(exc: Exception) -> FieldErrors:
    """Each refused field's first message; a rule's reasons under their field or ""."""
    found: FieldErrors = {}
    if isinstance(exc, ValidationError):
        for error in exc.errors():
            loc = list(error["loc"])
            while loc and isinstance(loc[-1], int):  # one of a list's values: the list's field
                loc.pop()
            name = ".".join(str(part) for part in loc)
            found.setdefault(name, _said(error))
    elif isinstance(exc, InvalidInput):
        for name, message in exc.errors:
            found.setdefault(name, message)
    elif isinstance(exc, Conflict):
        found[exc.field or ""] = exc.message
    elif isinstance(exc, RuleViolation):
        for reason in exc.reasons:
            key = reason.field or ""
            found[key] = f"{found[key]} {reason.message}" if key in found else reason.message
    return found


# pydantic's own refusals, in the reader's language; our validators' sentences are translated
# where they are raised.
_PYDANTIC = {
    "missing": N_("Field required"),
    "string_too_short": N_("Should have at least {min_length} characters"),
    "string_too_long": N_("Should have at most {max_length} characters"),
    "greater_than": N_("Should be greater than {gt}"),
    "greater_than_equal": N_("Should be at least {ge}"),
    "less_than": N_("Should be less than {lt}"),
    "less_than_equal": N_("Should be at most {le}"),
    "int_parsing": N_("Should be a whole number"),
    "int_from_float": N_("Should be a whole number"),
    "float_parsing": N_("Should be a number"),
    "decimal_parsing": N_("Should be a number"),
    "date_from_datetime_parsing": N_("Should be a date (YYYY-MM-DD)"),
    "date_parsing": N_("Should be a date (YYYY-MM-DD)"),
    "datetime_from_date_parsing": N_("Should be a date and time"),
    "datetime_parsing": N_("Should be a date and time"),
    "enum": N_("Should be one of: {expected}"),
    "literal_error": N_("Should be one of: {expected}"),
    "string_pattern_mismatch": N_("Has the wrong form"),
}


def _said(error: Any) -> str:
    template = _PYDANTIC.get(error["type"])
    if template is None:
        return str(error["msg"]).removeprefix("Value error, ")
    context = {k: str(v) for k, v in (error.get("ctx") or {}).items()}
    try:
        return _(template).format(**context)
    except (KeyError, IndexError):
        return str(error["msg"])


def instant(local: str | None, zone: str | None) -> str | None:
    """A datetime-local input ("2027-07-16T17:00") read in ``zone``, as an ISO instant.

    Left as typed when it cannot be read, so the schema names the field and the reason.
    """
    if not local:
        return None
    try:
        moment = datetime.fromisoformat(local).replace(tzinfo=ZoneInfo(zone or "UTC"))
    except (ValueError, ZoneInfoNotFoundError):
        return local
    return moment.isoformat()


def local_input(moment: datetime | None, zone: str) -> str:
    """An instant as a datetime-local input shows it, in the place's zone."""
    if moment is None:
        return ""
    return moment.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%dT%H:%M")
