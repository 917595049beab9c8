"""A convoy's trip as people read it: each moment with its place and that place's zone.

The trip starts at the meeting point (the first leg's departure), passes each leg's end, and
ends at the handover, when the recipient takes over (often the morning after arrival). The
team is back at the planned return. Rules that compare these moments with dates use the
calendar of the place they fall in (``local_date``).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property
from typing import Protocol

from app.core import i18n
from app.core.bilingual import in_language
from app.core.localtime import describe, local_date


@dataclass(frozen=True)
class Moment:
    at: datetime
    zone: str
    place: str
    place_uk: str | None = None  # the place's name in Ukrainian ("Львів")

    @cached_property
    def day(self) -> date:
        """The calendar day at the place (a check over 60 vehicles asks it hundreds of times)."""
        return local_date(self.at, self.zone)

    def place_in(self, language: str) -> str:
        return in_language(self.place, self.place_uk, language).text

    def __str__(self) -> str:
        return describe(self.at, self.zone, self.place_in(i18n.language()))


@dataclass(frozen=True)
class Trip:
    departure: Moment
    arrival: Moment
    handover: Moment
    back: Moment  # licences must still be valid when the team is home


class Route(Protocol):
    """What a trip reads of a convoy: its ORM object, or the plain row a page reads (the
    driver's phone reads the columns it shows, not the convoy's every column)."""

    @property
    def planned_departure_at(self) -> datetime: ...
    @property
    def planned_handover_at(self) -> datetime | None: ...
    @property
    def planned_return_at(self) -> datetime | None: ...
    @property
    def meeting_point(self) -> str: ...
    @property
    def meeting_point_uk(self) -> str | None: ...
    @property
    def meeting_time_zone(self) -> str: ...
    @property
    def handover_place(self) -> str | None: ...
    @property
    def handover_place_uk(self) -> str | None: ...


class Span(Protocol):
    """A leg's route and times as the rules read them, outward or on the way back; an ORM
    object or a plain row."""

    @property
    def id(self) -> int | None: ...
    @property
    def position(self) -> int: ...
    @property
    def from_place(self) -> str: ...
    @property
    def to_place(self) -> str: ...
    @property
    def to_time_zone(self) -> str: ...
    @property
    def planned_departure_at(self) -> datetime: ...
    @property
    def planned_arrival_at(self) -> datetime: ...


class Stage(Span, Protocol):
    """An outward leg: its places are named in Ukrainian too."""

    @property
    def from_place_uk(self) -> str | None: ...
    @property
    def to_place_uk(self) -> str | None: ...


def zones_of(convoy: Route, legs: Sequence[Stage]) -> dict[int, tuple[str, str]]:
    """Each leg's (start zone, end zone): a leg starts where the one before it ended."""
    zones: dict[int, tuple[str, str]] = {}
    start = convoy.meeting_time_zone
    for leg in sorted(legs, key=lambda leg: leg.position):
        assert leg.id is not None
        zones[leg.id] = (start, leg.to_time_zone)
        start = leg.to_time_zone
    return zones


def leg_start(convoy: Route, legs: Sequence[Stage], leg: Stage) -> Moment:
    assert leg.id is not None
    return Moment(
        leg.planned_departure_at,
        zones_of(convoy, legs)[leg.id][0],
        leg.from_place,
        leg.from_place_uk,
    )


def leg_end(leg: Stage) -> Moment:
    return Moment(leg.planned_arrival_at, leg.to_time_zone, leg.to_place, leg.to_place_uk)


def of(convoy: Route, legs: Sequence[Stage]) -> Trip:
    home = convoy.meeting_time_zone
    ordered = sorted(legs, key=lambda leg: leg.position)
    if ordered:
        first = ordered[0]
        departure = Moment(first.planned_departure_at, home, first.from_place, first.from_place_uk)
        arrival = leg_end(ordered[-1])
    else:
        departure = arrival = Moment(
            convoy.planned_departure_at, home, convoy.meeting_point, convoy.meeting_point_uk
        )
    # The handover happens at its own place, or where the last leg ends.
    place, place_uk = (
        (convoy.handover_place, convoy.handover_place_uk)
        if convoy.handover_place
        else (arrival.place, arrival.place_uk)
    )
    handover = Moment(
        convoy.planned_handover_at
        if convoy.planned_handover_at and convoy.planned_handover_at > arrival.at
        else arrival.at,
        arrival.zone,
        place,
        place_uk,
    )
    back = (
        Moment(convoy.planned_return_at, home, convoy.meeting_point, convoy.meeting_point_uk)
        if convoy.planned_return_at and convoy.planned_return_at > handover.at
        else handover
    )
    return Trip(departure, arrival, handover, back)
