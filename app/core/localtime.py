"""Time as people read it: every instant belongs to a place, and that place has a zone.

Konvoi stores UTC instants. A rule that compares an instant with a *date* (a plate's expiry, a
licence, a day of availability) compares it on the calendar of the place where the instant
falls, and every sentence that names a time says it in that place's local time, naming the zone.
"Today" is a date too: always today at a named place (``today_at``), never the server's.
"""

from datetime import date, datetime, timedelta
from functools import cache
from typing import Annotated
from zoneinfo import ZoneInfo, available_timezones

from babel import Locale
from babel.dates import format_datetime, get_timezone_name, match_skeleton
from babel.numbers import format_decimal
from pydantic import AfterValidator, Field

from app.core import i18n
from app.core.types import utcnow

# Konvoi's users work in Germany and Ukraine; Kyiv's calendar is the later of the two, so a
# rule that refuses a date "in the future" on it never refuses a date already today for one.
KYIV = "Europe/Kyiv"


@cache
def _known_zones() -> frozenset[str]:
    return frozenset(available_timezones())  # walks the zone database: once


def validate_time_zone(name: str) -> str:
    name = name.strip()
    if name not in _known_zones():
        raise ValueError(
            f"{name!r} is not a known time zone; give an IANA name such as Europe/Berlin"
        )
    return name


TimeZoneName = Annotated[
    str,
    Field(max_length=64, examples=["Europe/Berlin", "Europe/Kyiv"]),
    AfterValidator(validate_time_zone),
]


@cache
def locale_of(language: str) -> Locale:
    """The language's CLDR data, parsed once: Babel parses a locale given by its name again on
    every date it formats, a third of a phone page's time spent naming its times."""
    return Locale.parse(language)


@cache
def pattern(skeleton: str, language: str) -> str:
    """The language's pattern for a skeleton ("yMMMEd" -> "EEE, d. MMM y"): data of the
    locale, the same for every answer, looked up once rather than matched on every date."""
    skeletons = locale_of(language).datetime_skeletons
    matched = skeleton if skeleton in skeletons else match_skeleton(skeleton, skeletons)
    assert matched is not None, skeleton
    return str(skeletons[matched])


def format_skeleton(skeleton: str, value: date | datetime, locale: str) -> str:
    """``babel.dates.format_skeleton``, with the pattern looked up once per language."""
    return format_datetime(value, pattern(skeleton, locale), locale=locale_of(locale))


def local(instant: datetime, zone: str) -> datetime:
    return instant.astimezone(ZoneInfo(zone))


def local_date(instant: datetime, zone: str) -> date:
    """The calendar day at the place where ``instant`` falls."""
    return local(instant, zone).date()


def today_at(zone: str) -> date:
    """The calendar day it is now at a place in ``zone``: each rule names the place whose
    calendar it means (the export office, the handover, Kyiv's later calendar)."""
    return local_date(utcnow(), zone)


def describe(instant: datetime, zone: str, place: str | None = None) -> str:
    """ "Sat 17 Jul 17:15 (Wuppertal, CEST)": local time, the place and the zone's name, in the
    request's language ("Sa., 17. Juli, 17:15 (Wuppertal, MESZ)")."""
    moment = local(instant, zone)
    lang = i18n.language()
    if lang == i18n.SOURCE:
        named = str(moment.tzname())
        when = f"{moment:%a %d %b %H:%M}"
    else:
        named = zone_name(moment, lang)
        when = f"{format_skeleton('MMMEd', moment, locale=lang)}, {moment:%H:%M}"
    where = f"{place}, {named}" if place else named
    return f"{when} ({where})"


# A zone's name at an offset, per language: data of the locale, like the patterns above.
_ZONE_NAMES: dict[tuple[str, timedelta | None, timedelta | None, str], str] = {}


def zone_name(moment: datetime, language: str) -> str:
    """The language's abbreviation of the zone (MESZ) where it has one, else its name in the
    language (Ukrainian) or the usual abbreviation (EEST in English); never a bare offset.
    Looked up once per zone, offset and language: Babel walks the locale's zone data on every
    call, and a page names dozens of times."""
    key = (str(moment.tzinfo), moment.utcoffset(), moment.dst(), language)
    name = _ZONE_NAMES.get(key)
    if name is None:
        found = get_timezone_name(moment, "short", locale=language)
        if not found.isalpha():
            # Ukrainian has no abbreviations for zones: its own words ("за східноєвропейським
            # літнім часом") rather than Latin letters; English readers know EEST.
            found = (
                str(moment.tzname())
                if language == "en"
                else get_timezone_name(moment, "long", locale=language)
            )
        name = _ZONE_NAMES[key] = found
    return name


def day(value: date) -> str:
    lang = i18n.language()
    if lang == i18n.SOURCE:
        return f"{value:%a %d %b %Y}"
    return format_skeleton("yMMMEd", value, locale=lang)


def day_span(first: date, last: date) -> str:
    """ "on 17 Jul" for one day, "17 Jul to 19 Jul" for several."""
    lang = i18n.language()

    def short(value: date) -> str:
        return (
            f"{value:%d %b}" if lang == i18n.SOURCE else format_skeleton("MMMd", value, locale=lang)
        )

    if first == last:
        return i18n._("on {day}").format(day=short(first))
    return i18n._("{first} to {last}").format(first=short(first), last=short(last))


def number(value: int | float) -> str:
    """A number as the request's language writes it: 18,000 / 18.000 / 18 000."""
    return format_decimal(value, locale=i18n.language())
