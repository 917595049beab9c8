"""Time as people read it: every instant belongs to a place, and that place has a zone.

Konvoi stores UTC instants. A rule that compares an instant with a *date* (a plate's expiry, a
licence, a day of availability) compares it on the calendar of the place where the instant
falls, and every sentence that names a time says it in that place's local time, naming the zone.
"""

from datetime import date, datetime
from functools import cache
from typing import Annotated
from zoneinfo import ZoneInfo, available_timezones

from pydantic import AfterValidator, Field


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


def local(instant: datetime, zone: str) -> datetime:
    return instant.astimezone(ZoneInfo(zone))


def local_date(instant: datetime, zone: str) -> date:
    """The calendar day at the place where ``instant`` falls."""
    return local(instant, zone).date()


def describe(instant: datetime, zone: str, place: str | None = None) -> str:
    """ "Sat 17 Jul 17:15 (Wuppertal, CEST)": local time, the place and the zone's name."""
    moment = local(instant, zone)
    where = f"{place}, {moment.tzname()}" if place else str(moment.tzname())
    return f"{moment:%a %d %b %H:%M} ({where})"


def day(value: date) -> str:
    return f"{value:%a %d %b %Y}"


def day_span(first: date, last: date) -> str:
    """ "on 17 Jul" for one day, "17 Jul to 19 Jul" for several."""
    if first == last:
        return f"on {first:%d %b}"
    return f"{first:%d %b} to {last:%d %b}"
