"""Plain HTML forms on top of the API's schemas: what was typed, and why a field was refused.

A page validates a form with the same pydantic schema the API uses and calls the same service;
the errors come back keyed by field so the template shows each beside its input, and the typed
values go back into the form, so nothing is lost.
"""

import re
from datetime import datetime
from decimal import Decimal
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.numbers import NumberFormatError, get_group_symbol, parse_decimal
from fastapi import Depends, Request
from pydantic import ValidationError
from starlette.datastructures import FormData

from app.core import i18n
from app.core.errors import Conflict, InvalidInput, RuleViolation
from app.core.types import MAX_STORED_INT
from app.web.formatting import money_input

FieldErrors = dict[str, str]

_BACK = re.compile(r"/convoys/[0-9]{1,10}(\?choices=all)?")


def back_or(back: object, default: str) -> str:
    """Where a form goes once saved: back to the convoy board it was opened from (a readiness
    finding's link says ``?back=/convoys/7``), or its own page. Only a board's path is
    followed, never another address."""
    return back if isinstance(back, str) and _BACK.fullmatch(back) else default


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


async def _submitted(request: Request) -> FormData:
    # Reading the body waits on the network, not on a thread: the endpoint that takes the
    # parsed form can then be a plain ``def`` (Starlette keeps the form for the request).
    return await request.form()


# The fields a plain HTML form posted, for pages whose fields are named by the data.
SubmittedForm = Annotated[FormData, Depends(_submitted)]


def record_id(field: str, value: str | None) -> int | None:
    """The record number typed in a form or a link, None when there is none; beyond what a
    column holds it names no record, and is refused naming the field (the database would
    fail on it)."""
    text = (value or "").strip()
    if not text.isdecimal():
        return None
    if len(text) > 10 or int(text) > MAX_STORED_INT:
        raise InvalidInput([(field, i18n.pydantic_message(_BEYOND))])
    return int(text)


# How pydantic words a number beyond the column, in the reader's language.
_BEYOND = {"type": "less_than_equal", "msg": "", "ctx": {"le": MAX_STORED_INT}}


# What an amount in euros may be written with: digits, the separators of our languages and
# blanks (a Ukrainian groups thousands with a space); no sign, no exponent.
_AMOUNT = re.compile(r"^[0-9.,\s\u00a0\u202f]+$")
_BLANKS = re.compile(r"[\s\u00a0\u202f]+")
# The example an error shows, in the reader's way of writing it.
_EXAMPLE_CENTS = 3_900_000


def cents(field: str, typed: str | None) -> int | None:
    """An amount in euros as the reader writes it in their language ("39.000,00" in German,
    "39 000,00" in Ukrainian, "39,000.00" in English; "39000" in any), in cents for the API;
    None when nothing was typed. Read strictly (Babel's ``parse_decimal``), so "39.000" is
    never taken for 39 euros in one language and 39,000 in another: what cannot be read one
    way only is refused naming ``field``."""
    text = (typed or "").strip().removeprefix("€").removesuffix("€").strip()
    text = text.removesuffix("EUR").strip()
    if not text:
        return None
    language = i18n.language()
    group = get_group_symbol(language)
    amount: Decimal | None = None
    if _AMOUNT.match(text):
        # Blanks group thousands where the language groups with one; elsewhere they are noise.
        normal = _BLANKS.sub(group if not group.strip() else "", text)
        try:
            amount = parse_decimal(normal, locale=language, strict=True)
        except NumberFormatError:
            amount = None
    example = money_input(_EXAMPLE_CENTS, language)
    if amount is None or not amount.is_finite():
        said = i18n._("{typed} is not an amount in euros; write it like {example}")
        raise InvalidInput([(field, said.format(typed=text, example=example))])
    exponent = amount.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2:
        said = i18n._("{typed}: at most two decimal places (whole cents)")
        raise InvalidInput([(field, said.format(typed=text))])
    return int(amount * 100)


def field_errors(exc: Exception) -> FieldErrors:
    """Each refused field's first message; a rule's reasons under their field or ""."""
    found: FieldErrors = {}
    if isinstance(exc, ValidationError):
        for error in exc.errors():
            loc = list(error["loc"])
            while loc and isinstance(loc[-1], int):  # one of a list's values: the list's field
                loc.pop()
            name = ".".join(str(part) for part in loc)
            found.setdefault(name, i18n.pydantic_message(error))
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
