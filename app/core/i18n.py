"""The language a sentence is said in: German, Ukrainian or English, from Babel catalogs.

The rules speak to people: a refusal, a readiness blocker, a date. They write their sentences
with ``_()`` and the language of the request the sentence answers: the account's choice on the
pages, the ``Accept-Language`` header on the API (English when it names none of ours). The
request sets it once (``speaking``); the rules never take a language argument.

The catalogs (.po) are kept in ``app/locale``; the compiled .mo files are made at set-up
(``pybabel compile``, run by ``make``). English is the source language.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from gettext import GNUTranslations, NullTranslations
from pathlib import Path
from typing import Any

from babel import Locale, UnknownLocaleError

LOCALE_DIR = Path(__file__).resolve().parents[1] / "locale"
LANGUAGES = ("de", "uk", "en")
SOURCE = "en"

_spoken: ContextVar[str] = ContextVar("language", default=SOURCE)


@cache
def translations(language: str) -> NullTranslations:
    mo = LOCALE_DIR / language / "LC_MESSAGES" / "messages.mo"
    if not mo.exists():
        # English is the source language; the others need the compiled catalog (set-up).
        return NullTranslations()
    with mo.open("rb") as handle:
        return GNUTranslations(handle)


def language() -> str:
    """The language of the request being answered."""
    return _spoken.get()


def speak(lang: str) -> None:
    """From here on, this request is answered in ``lang``."""
    _spoken.set(lang if lang in LANGUAGES else SOURCE)


@contextmanager
def speaking(lang: str) -> Iterator[None]:
    token = _spoken.set(lang if lang in LANGUAGES else SOURCE)
    try:
        yield
    finally:
        _spoken.reset(token)


def _(message: str) -> str:
    """``message`` in the request's language (a template: format it after translating)."""
    return translations(_spoken.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(_spoken.get()).ngettext(singular, plural, n)


def N_(message: str) -> str:  # noqa: N802 (gettext's name for "mark, translate later")
    """Marks a word for the catalogs; it is translated where it is shown."""
    return message


def from_header(accept_language: str | None) -> str | None:
    """The first preference of an ``Accept-Language`` header among our languages, or None."""
    if not accept_language:
        return None
    wanted = []
    for part in accept_language.split(","):
        tag, _sep, q = part.strip().partition(";q=")
        try:
            weight = float(q) if q else 1.0
        except ValueError:
            continue
        wanted.append((weight, tag.strip().replace("-", "_")))
    for _weight, tag in sorted(wanted, key=lambda w: -w[0]):
        try:
            found = Locale.parse(tag).language
        except (ValueError, UnknownLocaleError):
            continue
        if found in LANGUAGES:
            return found
    return None


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


def pydantic_message(error: Any) -> str:
    """One of pydantic's refusals in the request's language (ours are translated where raised)."""
    template = _PYDANTIC.get(error["type"])
    if template is None:
        return str(error["msg"]).removeprefix("Value error, ")
    context = {k: str(v) for k, v in (error.get("ctx") or {}).items()}
    try:
        return _(template).format(**context)
    except (KeyError, IndexError):
        return str(error["msg"])


def word(value: str) -> str:
    """An enum's value as a word of the request's language: "export_ready" → "export ready"."""
    return _(value.replace("_", " "))


# The values of the enums the rules name in their sentences, for the catalogs.
WORDS = (
    # items
    N_("offered"),
    N_("accepted"),
    N_("allocated"),
    N_("certified"),
    N_("export ready"),
    N_("in convoy"),
    N_("delivered"),
    N_("withdrawn"),
    # convoys
    N_("planning"),
    N_("ready"),
    N_("under way"),
    N_("arrived"),
    N_("closed"),
    N_("cancelled"),
    # what a convoy does
    N_("mark ready"),
    N_("depart"),
    N_("arrive"),
    N_("close"),
    N_("cancel"),
    # what an item is, and how it is kept
    N_("equipment"),
    N_("bus"),
    N_("truck"),
    N_("unimog"),
    N_("van"),
    N_("car"),
    N_("special vehicle"),
    N_("generator"),
    N_("pump"),
    N_("pipes"),
    N_("tools"),
    N_("other equipment"),
    N_("new"),
    N_("good"),
    N_("used"),
    N_("needs repair"),
    N_("technical"),
    N_("medical"),
    N_("clothing"),
    N_("food"),
    N_("electronics"),
    # how goods are packed
    N_("pallet"),
    N_("crate"),
    N_("carton"),
    N_("loose"),
    N_("fixed in vehicle"),
    # who gives
    N_("utility"),
    N_("association"),
    N_("manufacturer"),
    # attached files
    N_("signed usage certificate"),
    N_("exit confirmation"),
    N_("registration papers"),
    N_("insurance certificate"),
    N_("signed handover act"),
    N_("receipt"),
    # who someone is
    N_("admin"),
    N_("coordinator"),
    N_("clerk"),
    N_("driver"),
    N_("recipient"),
    # why a driver withdrew
    N_("ill"),
    N_("heat"),
    N_("family"),
    N_("vehicle"),
    N_("other"),
    # what a driver reports from the road
    N_("departed"),
    N_("border queued"),
    N_("border crossed"),
    N_("position"),
    # the records the audit trail names
    N_("donor"),
    N_("destination"),
    N_("need"),
    N_("item"),
    N_("cargo line"),
    N_("usage certificate"),
    N_("certificate item"),
    N_("export record"),
    N_("driver licence"),
    N_("driver availability"),
    N_("driver withdrawal"),
    N_("convoy"),
    N_("leg"),
    N_("assignment"),
    N_("convoy item"),
    N_("leg event"),
    N_("handover"),
    N_("return vehicle"),
    N_("return leg"),
    N_("organisation"),
    N_("attachment"),
    N_("issued document"),
    N_("app user"),
    N_("donor report link"),
)


# The request fields a refusal names, as a reader calls them. The API's bodies keep the keys
# (``loc``); a sentence for people says "Spender", never "donor_id".
FIELDS = {
    "donor_id": N_("Donor"),
    "destination_id": N_("Destination"),
    "need_id": N_("Need"),
    "item_id": N_("Item"),
    "item_ids": N_("Item"),
    "items": N_("Item"),
    "records": N_("Export record"),
    "leg_id": N_("Leg"),
    "driver_id": N_("Driver"),
    "vehicle_id": N_("Vehicle"),
    "carrier_id": N_("Carrier"),
    "convoy_id": N_("Convoy"),
    "name": N_("Name"),
    "vin": N_("VIN"),
    "kind": N_("Kind"),
    "category": N_("Category"),
    "description": N_("Description"),
    "status": N_("Status"),
    "reason": N_("Reason"),
    "note": N_("Note"),
    "number": N_("Number"),
    "place": N_("Place"),
    "priority": N_("Priority"),
    "phone": N_("Phone"),
    "date_of_birth": N_("Date of birth"),
    "quantity": N_("Quantity"),
    "weight_kg": N_("Weight (kg)"),
    "declared_value_cents": N_("Declared value (EUR)"),
    "value_cents": N_("Value (EUR)"),
    "export_plate": N_("Export plate"),
    "mrn": N_("MRN"),
    "plate_valid_to_on": N_("Plate valid until"),
    "plates_valid_until": N_("Plates valid until"),
    "trip_starts_on": N_("Trip starts on"),
    "licence_class": N_("Licence class"),
    "customs_office_code": N_("Customs office"),
    "insurance_until_on": N_("Insurance until"),
    "inspection_due_on": N_("Inspection due"),
    "cargo": N_("Cargo lines"),
}


def field_name(path: str) -> str:
    """A refused field (``donor_id``, ``items.1.destination_id``) as the reader calls it:
    "Spender", "Empfänger (2)"; a field without a name of its own as words."""
    parts = [p for p in path.split(".") if p and p != "body"]
    names = [p for p in parts if not p.isdecimal()]
    places = [str(int(p) + 1) for p in parts if p.isdecimal()]
    last = names[-1] if names else ""
    said = _(FIELDS[last]) if last in FIELDS else _(last.replace("_", " "))
    return f"{said} ({', '.join(places)})" if places else said
