"""Driving and rest times of convoy drivers (Regulation (EC) No 561/2006).

A pure domain module: no database, no web framework. It answers two planning questions:

* how long a leg takes when its driving is split by the breaks the regulation demands
  (:func:`plan_leg`, :func:`leg_duration_needed`), and
* whether one driver's planned driving breaks the limits (:func:`check`), in sentences a
  coordinator understands.

It also prices a shortage of drivers (:func:`shuttle_plan`): fewer drivers than vehicles means
moving the vehicles in stages (DOMAIN.md, workflow step 7).

Article 3(d) exempts the non-commercial transport of humanitarian aid in emergencies, but the
fatigue risk stays, so the planner shows the limits either way (DOMAIN.md).

Conventions:

* All datetimes must be timezone-aware (``ValueError`` otherwise). Durations are computed on
  UTC instants, so a daylight-saving change never makes a block longer or shorter than planned.
  Calendar days and ISO weeks are taken in the timezone of the datetime they belong to.
* Only *driving* is modelled. Any time between two driving blocks counts as a break or rest
  (the regulation's "other work" and "availability" are not tracked).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from app.core import i18n
from app.core.i18n import _, ngettext
from app.core.localtime import format_skeleton, zone_name

__all__ = [
    "BREAK",
    "DAILY_REST",
    "MAX_CONTINUOUS",
    "MAX_DAILY",
    "MAX_DAILY_EXTENDED",
    "MAX_EXTENDED_DAYS_PER_WEEK",
    "MAX_REDUCED_RESTS_PER_WEEK",
    "MAX_WEEKLY",
    "REDUCED_DAILY_REST",
    "SPLIT_BREAK_FIRST",
    "SPLIT_BREAK_SECOND",
    "DrivingBlock",
    "DrivingDay",
    "ShuttlePlan",
    "Stretch",
    "Violation",
    "check",
    "driving_days",
    "leg_duration_needed",
    "plan_leg",
    "shuttle_plan",
    "spoken",
]

# --- Limits -------------------------------------------------------------------------------------

#: Art. 7: at most 4.5 h of driving before a break.
MAX_CONTINUOUS = timedelta(hours=4, minutes=30)
#: Art. 7: the break after 4.5 h of driving is at least 45 minutes ...
BREAK = timedelta(minutes=45)
#: ... or a break of at least 15 minutes followed later by one of at least 30 minutes.
SPLIT_BREAK_FIRST = timedelta(minutes=15)
SPLIT_BREAK_SECOND = timedelta(minutes=30)
#: Art. 6(1): daily driving time at most 9 h ...
MAX_DAILY = timedelta(hours=9)
#: ... extendable to 10 h at most twice during the week.
MAX_DAILY_EXTENDED = timedelta(hours=10)
MAX_EXTENDED_DAYS_PER_WEEK = 2
#: Art. 6(2): weekly driving time at most 56 h.
MAX_WEEKLY = timedelta(hours=56)
#: Art. 4(g), 8(1): a regular daily rest is at least 11 h ...
DAILY_REST = timedelta(hours=11)
#: ... a reduced daily rest at least 9 h, taken at most three times between weekly rests
#: (Art. 8(4)).
REDUCED_DAILY_REST = timedelta(hours=9)
MAX_REDUCED_RESTS_PER_WEEK = 3
#: Art. 8(2): a new daily rest must be completed within 24 h after the previous one.
_REST_WINDOW = timedelta(hours=24)

_ZERO = timedelta(0)


# --- Data ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DrivingBlock:
    """A period of planned driving for one driver (``start`` < ``end``, both timezone-aware)."""

    start: datetime
    end: datetime
    leg_id: int | None = None

    def __post_init__(self) -> None:
        _require_aware(self.start, "start")
        _require_aware(self.end, "end")
        if _utc(self.end) <= _utc(self.start):
            raise ValueError(f"end ({self.end.isoformat()}) must be after start")

    @property
    def duration(self) -> timedelta:
        """Elapsed driving time (correct across daylight-saving changes)."""
        return _utc(self.end) - _utc(self.start)


@dataclass(frozen=True)
class Violation:
    """One broken limit.

    ``amount`` is by how much the limit is exceeded (for rests: by how much the rest falls
    short). ``driver_day`` is the calendar day the problem starts on (for the weekly limit: the
    Monday of the week).
    """

    code: str
    message: str
    driver_day: date | None
    amount: timedelta


@dataclass(frozen=True)
class ShuttlePlan:
    """What it costs to move more vehicles than there are drivers (see :func:`shuttle_plan`)."""

    vehicles: int
    drivers: int
    rounds: int
    vehicles_per_driver: int
    extra_time: timedelta
    message: str


# --- Planning a leg -----------------------------------------------------------------------------


def _layout(
    driving: timedelta, planned_wait: timedelta
) -> tuple[list[tuple[timedelta, timedelta]], timedelta]:
    """Offsets from departure and lengths of the driving blocks, and the total leg duration."""
    if driving < _ZERO:
        raise ValueError("driving time must not be negative")
    if planned_wait < _ZERO:
        raise ValueError("planned wait must not be negative")
    full, rest = divmod(driving, MAX_CONTINUOUS)
    lengths = [MAX_CONTINUOUS] * full + ([rest] if rest > _ZERO else [])
    gaps = [BREAK] * max(len(lengths) - 1, 0)
    lead = _ZERO
    if planned_wait > _ZERO:
        if gaps:
            # The wait happens where the first break is due. A wait of 45 min or more is the
            # break; a shorter one does not count as a break and is added to it.
            gaps[0] = planned_wait if planned_wait >= BREAK else BREAK + planned_wait
        else:
            lead = planned_wait
    blocks: list[tuple[timedelta, timedelta]] = []
    offset = lead
    for i, length in enumerate(lengths):
        blocks.append((offset, length))
        offset += length
        if i < len(gaps):
            offset += gaps[i]
    return blocks, offset


def leg_duration_needed(driving: timedelta, planned_wait: timedelta = _ZERO) -> timedelta:
    """Time from departure to arrival: driving + the 45-minute breaks (Art. 7) + the wait.

    A planned wait of at least 45 minutes replaces the first break that is due; see
    :func:`plan_leg`.
    """
    return _layout(driving, planned_wait)[1]


def plan_leg(
    departure: datetime,
    driving: timedelta,
    planned_wait: timedelta = _ZERO,
    *,
    leg_id: int | None = None,
) -> list[DrivingBlock]:
    """Split a leg's driving into blocks of at most 4.5 h separated by 45-minute breaks (Art. 7).

    The planned wait (e.g. a border queue) is placed where the first break is due, i.e. where
    the 4.5 h limit would be hit. There, a wait of at least 45 minutes *is* the break; a shorter
    wait does not count as a break and lengthens it. If the leg needs no break (at most 4.5 h of
    driving), the wait comes first and the driving starts after it.

    Daily rests are *not* inserted: a leg with more than 9-10 h of driving for one driver shows
    up in :func:`check` as a daily-driving violation (plan a second driver or a night stop).

    The last block ends at ``departure + leg_duration_needed(driving, planned_wait)``; blocks are
    in ``departure``'s timezone. Zero driving gives no blocks.
    """
    _require_aware(departure, "departure")
    layout, _total = _layout(driving, planned_wait)
    tz = departure.tzinfo
    dep = _utc(departure)
    return [
        DrivingBlock(
            start=(dep + offset).astimezone(tz),
            end=(dep + offset + length).astimezone(tz),
            leg_id=leg_id,
        )
        for offset, length in layout
    ]


# --- Checking a driver's plan -------------------------------------------------------------------


@dataclass(frozen=True)
class _Span:
    """Merged driving interval in UTC, with the timezone used to name its days."""

    start: datetime
    end: datetime
    tz: tzinfo

    @property
    def duration(self) -> timedelta:
        return self.end - self.start

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.tz)


def _merge(blocks: Sequence[DrivingBlock]) -> list[_Span]:
    spans = sorted(
        (_Span(_utc(b.start), _utc(b.end), _tz(b.start)) for b in blocks),
        key=lambda s: s.start,
    )
    merged: list[_Span] = []
    for span in spans:
        if merged and span.start <= merged[-1].end:
            last = merged[-1]
            merged[-1] = _Span(last.start, max(last.end, span.end), last.tz)
        else:
            merged.append(span)
    return merged


def check(blocks: Sequence[DrivingBlock]) -> list[Violation]:
    """Check ONE driver's planned driving against Regulation (EC) 561/2006.

    Blocks may come in any order; adjacent or overlapping blocks are merged into one period of
    driving (overlap between assignments is a separate rule, checked elsewhere). The rules, as
    simplified here:

    * **Continuous driving** (Art. 7): driving accumulated since the last qualifying break — a
      gap of at least 45 min, or a gap of at least 15 min followed later by one of at least
      30 min — must not exceed 4.5 h (``continuous_driving_over_4h30``).
    * **Driving day** (Art. 4(k), 6(1)): the driving between two daily rests; any gap of at
      least 9 h is a daily rest and ends the day. A day may have 9 h of driving; up to 10 h uses
      one of the two extensions of the ISO week the day starts in. Beyond 9 h with both
      extensions used is ``daily_driving_over_9h``; beyond 10 h is ``daily_driving_over_10h``
      (such a day does not use up an extension).
    * **Daily rest** (Art. 8(1), 8(2), 8(4)): a daily rest of at least 9 h must be completed
      within 24 h of the start of the driving day. Since a driving day is ended by any gap of
      at least 9 h, this fails exactly when the day's driving spans more than 24 h - 9 h = 15 h
      (``daily_rest_under_11h``; amount = how much the longest rest in the day falls short of
      9 h). A rest of 9 h up to 11 h is a *reduced* rest; more than three in one ISO week
      (counted by the week the rest starts in) is ``reduced_daily_rest_limit``. Split daily
      rests (3 h + 9 h) are not recognised: the 9 h part counts as a reduced rest.
    * **Weekly driving** (Art. 6(2)): at most 56 h per ISO week, Monday 00:00 to Sunday 24:00
      in the timezone of the driving (``weekly_driving_over_56h``). The two-week limit of 90 h
      and weekly rests are not checked.

    Violations are returned in order of the day they concern.
    """
    spans = _merge(blocks)
    if not spans:
        return []
    found: list[tuple[datetime, int, Violation]] = []
    for order, rule in enumerate((_continuous, _daily, _weekly)):
        found.extend((moment, order, v) for moment, v in rule(spans))
    found.sort(key=lambda item: (item[0], item[1]))
    return [v for _moment, _order, v in found]


def _continuous(spans: list[_Span]) -> list[tuple[datetime, Violation]]:
    out: list[tuple[datetime, Violation]] = []
    stretch_start = spans[0]
    driven = _ZERO
    first_part_taken = False

    def close() -> None:
        if driven > MAX_CONTINUOUS:
            local = stretch_start.local(stretch_start.start)
            out.append(
                (
                    stretch_start.start,
                    Violation(
                        code="continuous_driving_over_4h30",
                        message=(
                            _(
                                "Driving {driven} without a 45-minute break on {day} from "
                                "{clock} (limit {limit})."
                            ).format(
                                driven=_fmt(driven),
                                day=_fmt_day(local.date()),
                                clock=_clock(local),
                                limit=_fmt(MAX_CONTINUOUS),
                            )
                        ),
                        driver_day=local.date(),
                        amount=driven - MAX_CONTINUOUS,
                    ),
                )
            )

    for i, span in enumerate(spans):
        if i > 0:
            gap = span.start - spans[i - 1].end
            if gap >= BREAK or (first_part_taken and gap >= SPLIT_BREAK_SECOND):
                close()
                stretch_start, driven, first_part_taken = span, _ZERO, False
            elif gap >= SPLIT_BREAK_FIRST:
                first_part_taken = True
        driven += span.duration
    close()
    return out


def _days(spans: list[_Span]) -> list[list[_Span]]:
    """The spans as driving days: a gap of at least 9 h is a daily rest. The check and the
    driver's plan on the phone both count days by this one rule."""
    days: list[list[_Span]] = [[spans[0]]]
    for prev, span in itertools.pairwise(spans):
        if span.start - prev.end >= REDUCED_DAILY_REST:
            days.append([span])
        else:
            days[-1].append(span)
    return days


def _daily(spans: list[_Span]) -> list[tuple[datetime, Violation]]:
    days = _days(spans)

    out: list[tuple[datetime, Violation]] = []
    extensions_used: dict[tuple[int, int], int] = {}
    reduced_rests: dict[tuple[int, int], int] = {}
    for n, day in enumerate(days):
        first, last = day[0], day[-1]
        local_start = first.local(first.start)
        day_date = local_start.date()
        week = _iso_week(local_start)
        driven = sum((s.duration for s in day), _ZERO)

        # Daily driving (Art. 6(1)).
        if driven > MAX_DAILY_EXTENDED:
            out.append(
                (
                    first.start,
                    Violation(
                        code="daily_driving_over_10h",
                        message=(
                            _(
                                "Driving {driven} on the driving day starting {day} at "
                                "{clock} (limit {limit}, {extended} twice a week)."
                            ).format(
                                driven=_fmt(driven),
                                day=_fmt_day(day_date),
                                clock=_clock(local_start),
                                limit=_fmt(MAX_DAILY),
                                extended=_fmt(MAX_DAILY_EXTENDED),
                            )
                        ),
                        driver_day=day_date,
                        amount=driven - MAX_DAILY_EXTENDED,
                    ),
                )
            )
        elif driven > MAX_DAILY:
            used = extensions_used.get(week, 0)
            if used < MAX_EXTENDED_DAYS_PER_WEEK:
                extensions_used[week] = used + 1
            else:
                out.append(
                    (
                        first.start,
                        Violation(
                            code="daily_driving_over_9h",
                            message=(
                                _(
                                    "Driving {driven} on the driving day starting {day} at "
                                    "{clock}, but both extensions to {extended} in week "
                                    "{week} are already used (limit {limit})."
                                ).format(
                                    driven=_fmt(driven),
                                    day=_fmt_day(day_date),
                                    clock=_clock(local_start),
                                    extended=_fmt(MAX_DAILY_EXTENDED),
                                    week=week[1],
                                    limit=_fmt(MAX_DAILY),
                                )
                            ),
                            driver_day=day_date,
                            amount=driven - MAX_DAILY,
                        ),
                    )
                )

        # Daily rest completed within 24 h of starting (Art. 8(2)).
        if last.end - first.start > _REST_WINDOW - REDUCED_DAILY_REST:
            gaps = [b.start - a.end for a, b in itertools.pairwise(day)]
            longest = max(gaps, default=_ZERO)
            rest_text = (
                _("the longest rest was {rest}").format(rest=_fmt(longest))
                if longest > _ZERO
                else _("there was none")
            )
            out.append(
                (
                    first.start,
                    Violation(
                        code="daily_rest_under_11h",
                        message=(
                            _(
                                "No daily rest within 24 h of starting to drive on {day} at "
                                "{clock}: {rest} (a daily rest is {daily}, reducible to "
                                "{reduced})."
                            ).format(
                                day=_fmt_day(day_date),
                                clock=_clock(local_start),
                                rest=rest_text,
                                daily=_fmt(DAILY_REST),
                                reduced=_fmt(REDUCED_DAILY_REST),
                            )
                        ),
                        driver_day=day_date,
                        amount=REDUCED_DAILY_REST - longest,
                    ),
                )
            )

        # Reduced rests (Art. 8(4)).
        if n + 1 < len(days):
            rest = days[n + 1][0].start - last.end
            if rest < DAILY_REST:
                local_rest = last.local(last.end)
                rest_week = _iso_week(local_rest)
                count = reduced_rests.get(rest_week, 0) + 1
                reduced_rests[rest_week] = count
                if count > MAX_REDUCED_RESTS_PER_WEEK:
                    out.append(
                        (
                            last.end,
                            Violation(
                                code="reduced_daily_rest_limit",
                                message=(
                                    _(
                                        "Only {rest} rest from {day} at {clock}: this is "
                                        "reduced daily rest no. {count} in week {week} (a "
                                        "daily rest is {daily}; at most {most} may be "
                                        "reduced to {reduced})."
                                    ).format(
                                        rest=_fmt(rest),
                                        day=_fmt_day(local_rest.date()),
                                        clock=_clock(local_rest),
                                        count=count,
                                        week=rest_week[1],
                                        daily=_fmt(DAILY_REST),
                                        most=MAX_REDUCED_RESTS_PER_WEEK,
                                        reduced=_fmt(REDUCED_DAILY_REST),
                                    )
                                ),
                                driver_day=local_rest.date(),
                                amount=DAILY_REST - rest,
                            ),
                        )
                    )
    return out


def _weekly(spans: list[_Span]) -> list[tuple[datetime, Violation]]:
    totals: dict[date, timedelta] = {}
    for span in spans:
        cursor = span.start
        while cursor < span.end:
            local = span.local(cursor)
            monday = local.date() - timedelta(days=local.weekday())
            next_monday = datetime.combine(
                monday + timedelta(days=7), time(0), tzinfo=span.tz
            ).astimezone(UTC)
            segment_end = min(span.end, next_monday)
            totals[monday] = totals.get(monday, _ZERO) + (segment_end - cursor)
            cursor = segment_end
    out: list[tuple[datetime, Violation]] = []
    for monday, driven in sorted(totals.items()):
        if driven > MAX_WEEKLY:
            week = monday.isocalendar()
            out.append(
                (
                    datetime.combine(monday, time(0), tzinfo=UTC),
                    Violation(
                        code="weekly_driving_over_56h",
                        message=(
                            _(
                                "Driving {driven} in the week from {day} {year} (week "
                                "{week}; limit {limit})."
                            ).format(
                                driven=_fmt(driven),
                                day=_fmt_day(monday),
                                year=monday.year,
                                week=week.week,
                                limit=_fmt(MAX_WEEKLY),
                            )
                        ),
                        driver_day=monday,
                        amount=driven - MAX_WEEKLY,
                    ),
                )
            )
    return out


# --- A driver's days, as the phone shows them ---------------------------------------------------


@dataclass(frozen=True)
class Stretch:
    """Driving between two breaks of at least 45 minutes, in the zone it starts in;
    ``break_due`` is when the plan's driving reaches 4.5 h (Art. 7), None if it stops before."""

    start: datetime
    end: datetime
    break_due: datetime | None


@dataclass(frozen=True)
class DrivingDay:
    """The driving between two daily rests of at least 9 h, in the zone of its first block.

    ``left`` is what the plan leaves of the 9-hour day (negative: over it); ``rest_until`` the
    start of the next driving day. Computed from the plan alone, never from the clock: the
    same plan gives the same day, whenever it is read."""

    start: datetime
    end: datetime
    driven: timedelta
    stretches: tuple[Stretch, ...]
    rest_until: datetime | None

    @property
    def left(self) -> timedelta:
        return MAX_DAILY - self.driven


def driving_days(blocks: Sequence[DrivingBlock]) -> list[DrivingDay]:
    """ONE driver's planned driving as days of driving, stretches and breaks (see
    :func:`check` for how days are told apart)."""
    spans = _merge(blocks)
    if not spans:
        return []
    days = _days(spans)
    out: list[DrivingDay] = []
    for n, day in enumerate(days):
        tz = day[0].tz
        groups: list[list[_Span]] = [[day[0]]]
        for prev, span in itertools.pairwise(day):
            if span.start - prev.end >= BREAK:
                groups.append([span])
            else:
                groups[-1].append(span)
        stretches = []
        for group in groups:
            here = group[0].tz
            due: datetime | None = None
            driven = _ZERO
            for span in group:
                if driven + span.duration >= MAX_CONTINUOUS:
                    due = (span.start + (MAX_CONTINUOUS - driven)).astimezone(here)
                    break
                driven += span.duration
            stretches.append(
                Stretch(group[0].start.astimezone(here), group[-1].end.astimezone(here), due)
            )
        following = days[n + 1][0] if n + 1 < len(days) else None
        out.append(
            DrivingDay(
                start=day[0].start.astimezone(tz),
                end=day[-1].end.astimezone(tz),
                driven=sum((s.duration for s in day), _ZERO),
                stretches=tuple(stretches),
                rest_until=following.start.astimezone(following.tz) if following else None,
            )
        )
    return out


# --- Too few drivers ----------------------------------------------------------------------------


def shuttle_plan(
    vehicles: int,
    drivers: int,
    leg_driving: timedelta,
    return_per_round: timedelta | None = None,
) -> ShuttlePlan | None:
    """What it costs to move ``vehicles`` over a leg with fewer ``drivers`` (DOMAIN.md step 7).

    With fewer drivers than vehicles the drivers move the vehicles in stages: drive ahead, get
    back, fetch the next ones. ``rounds`` = ceil(vehicles / drivers); ``vehicles_per_driver`` is
    the most vehicles one driver moves (= ``rounds``). Every round after the first costs one
    more stage driven plus the way back:
    ``extra_time = (rounds - 1) * (leg_driving + return_per_round)``.

    Assumption: by default the way back takes as long as the stage itself
    (``return_per_round = leg_driving``: the drivers are driven back by the escort van over the
    same road). Pass a shorter time when the stages are short (walking back) or the return is
    faster. Being driven back is not driving for the regulation, but the extra stages are: check
    each driver's resulting blocks with :func:`check`.

    Returns ``None`` when there are at least as many drivers as vehicles. Raises ``ValueError``
    when there are no drivers (nothing can move: the caller reports that separately), on
    negative counts, on a non-positive ``leg_driving`` or a negative ``return_per_round``.
    """
    if drivers < 0 or vehicles < 0:
        raise ValueError("vehicles and drivers must not be negative")
    if drivers == 0:
        raise ValueError("no drivers: no vehicle can be moved")
    if leg_driving <= _ZERO:
        raise ValueError("leg_driving must be positive")
    back = leg_driving if return_per_round is None else return_per_round
    if back < _ZERO:
        raise ValueError("return_per_round must not be negative")
    if drivers >= vehicles:
        return None
    rounds = math.ceil(vehicles / drivers)
    extra = (rounds - 1) * (leg_driving + back)
    # The first `busiest` drivers move `rounds` vehicles, the others one fewer.
    busiest = vehicles - drivers * (rounds - 1)
    others = drivers - busiest
    text = (
        ngettext("{n} vehicles, 1 driver", "{n} vehicles, {drivers} drivers", drivers).format(
            n=vehicles, drivers=drivers
        )
        + ": "
    )
    text += ngettext(
        "{n} driver must move {rounds} vehicles",
        "{n} drivers must move {rounds} vehicles each",
        busiest,
    ).format(n=busiest, rounds=rounds)
    if others and rounds - 1 > 1:
        text += ngettext(
            " and the other {n} driver {rounds} vehicles each",
            " and the other {n} drivers {rounds} vehicles each",
            others,
        ).format(n=others, rounds=rounds - 1)
    text += _(" in stages; the leg takes about {extra} longer.").format(
        extra=_fmt(_round_minutes(extra))
    )
    return ShuttlePlan(
        vehicles=vehicles,
        drivers=drivers,
        rounds=rounds,
        vehicles_per_driver=rounds,
        extra_time=extra,
        message=text,
    )


# --- Helpers ------------------------------------------------------------------------------------

_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _require_aware(moment: datetime, name: str) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware")


def _tz(moment: datetime) -> tzinfo:
    tz = moment.tzinfo
    assert tz is not None  # checked in DrivingBlock.__post_init__
    return tz


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def _iso_week(moment: datetime) -> tuple[int, int]:
    iso = moment.isocalendar()
    return iso.year, iso.week


def _fmt_day(day: date) -> str:
    """``Fri 17 May``; ``Fr., 17. Mai`` in German."""
    lang = i18n.language()
    if lang == i18n.SOURCE:
        return f"{_WEEKDAYS[day.weekday()]} {day.day} {_MONTHS[day.month - 1]}"
    return format_skeleton("MMMEd", day, locale=lang)


def _clock(moment: datetime) -> str:
    """``17:15 CEST``: the local time and the zone's name in the request's language."""
    lang = i18n.language()
    if lang == i18n.SOURCE:
        return f"{moment:%H:%M %Z}"
    return f"{moment:%H:%M} {zone_name(moment, lang)}"


def _fmt(duration: timedelta) -> str:
    """``5 h 10 min``, ``45 min``, ``9 h``; seconds only when present."""
    total = int(duration.total_seconds())
    sign = "-" if total < 0 else ""
    hours, rest = divmod(abs(total), 3600)
    minutes, seconds = divmod(rest, 60)
    parts: list[str] = []
    if hours:
        parts.append(_("{n} h").format(n=hours))
    if minutes:
        parts.append(_("{n} min").format(n=minutes))
    if seconds:
        parts.append(_("{n} s").format(n=seconds))
    return sign + (" ".join(parts) or _("{n} min").format(n=0))


def spoken(duration: timedelta) -> str:
    """A duration as the planner's messages say it (``9 h 30 min``), for other modules."""
    return _fmt(duration)


def _round_minutes(duration: timedelta) -> timedelta:
    return timedelta(minutes=round(duration.total_seconds() / 60))
