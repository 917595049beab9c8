"""Dates, times and money as people read them, in the page's language.

Times are shown in the local time of the place they belong to, naming the zone:
"Fr., 16. Juli 2027, 17:00 MESZ", "пт, 16 лип. 2027 р., 18:00 за східноєвропейським літнім часом".
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel.numbers import format_currency

from app.core.localtime import format_skeleton, zone_name


def local_time(instant: datetime | None, zone: str, language: str, *, year: bool = True) -> str:
    if instant is None:
        return "–"
    moment = instant.astimezone(ZoneInfo(zone))
    when = format_skeleton("yMMMEd" if year else "MMMEd", moment, locale=language)
    # Every language Konvoi speaks writes the clock as 17:00.
    return f"{when}, {moment:%H:%M} {zone_name(moment, language)}"


def day(value: date | None, language: str) -> str:
    if value is None:
        return "–"
    return format_skeleton("yMMMd", value, locale=language)


def money(cents: int | None, language: str) -> str:
    if cents is None:
        return "–"
    return format_currency(cents / 100, "EUR", locale=language)
