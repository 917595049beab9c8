"""Dates, times and money as people read them, in the page's language.

Times are shown in the local time of the place they belong to, naming the zone:
"Fr., 16. Juli 2027, 17:00 MESZ", "пт, 16 лип. 2027 р., 18:00 за східноєвропейським літнім часом".
"""

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from babel.numbers import format_currency, format_decimal

from app.core.localtime import format_skeleton, locale_of, zone_name


def local_time(instant: datetime | None, zone: str, language: str, *, year: bool = True) -> str:
    return page_local_time(language)(instant, zone, year)


LocalTime = Callable[..., str]


def page_local_time(language: str) -> LocalTime:
    """``local_time`` for the rendering of one page: a page names the same few days dozens of
    times (a leg ends when the next starts, a driving day repeats its stretches), so each day
    is put into words once per page, not once per time."""
    days: dict[tuple[date, bool], str] = {}

    def said_at(instant: datetime | None, zone: str, year: bool = True) -> str:
        if instant is None:
            return "–"
        moment = instant.astimezone(ZoneInfo(zone))
        key = (moment.date(), year)
        day = days.get(key)
        if day is None:
            day = days[key] = format_skeleton("yMMMEd" if year else "MMMEd", key[0], language)
        # Every language Konvoi speaks writes the clock as 17:00 (from its two numbers: a
        # quarter of what strftime costs, and a phone page prints thirty times).
        return f"{day}, {moment.hour:02}:{moment.minute:02} {zone_name(moment, language)}"

    return said_at


def day(value: date | None, language: str) -> str:
    if value is None:
        return "–"
    return format_skeleton("yMMMd", value, locale=language)


def money(cents: int | None, language: str) -> str:
    if cents is None:
        return "–"
    return format_currency(cents / 100, "EUR", locale=locale_of(language))


def money_input(cents: int | None, language: str) -> str:
    """An amount as a form shows it for editing: euros with the reader's separators and no
    currency sign ("39.000,00", "39 000,00", "39,000.00"); the form reads it back the same way
    (``app.web.forms.cents``)."""
    if cents is None:
        return ""
    return format_decimal(Decimal(cents) / 100, format="#,##0.00", locale=locale_of(language))


def weight(kg: int | None, language: str) -> str:
    """A weight in kilograms with the reader's separators: "11.000 kg", "11 000 kg"."""
    if kg is None:
        return "–"
    return f"{format_decimal(kg, locale=locale_of(language))} kg"
