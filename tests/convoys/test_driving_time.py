"""Driving and rest times (Regulation (EC) 561/2006): unit and property tests."""

import itertools
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.convoys.driving_time import (
    BREAK,
    DAILY_REST,
    MAX_CONTINUOUS,
    MAX_DAILY,
    MAX_DAILY_EXTENDED,
    MAX_WEEKLY,
    REDUCED_DAILY_REST,
    DrivingBlock,
    Violation,
    check,
    leg_duration_needed,
    plan_leg,
    shuttle_plan,
)

BERLIN = ZoneInfo("Europe/Berlin")
KYIV = ZoneInfo("Europe/Kyiv")
H = timedelta(hours=1)
MIN = timedelta(minutes=1)
CODES = {
    "continuous_driving_over_4h30",
    "daily_driving_over_9h",
    "daily_driving_over_10h",
    "daily_rest_under_11h",
    "reduced_daily_rest_limit",
    "weekly_driving_over_56h",
}
PROPS = settings(max_examples=200, deadline=None)


def at(day: int, hour: int, minute: int = 0, tz: ZoneInfo = BERLIN) -> datetime:
    """A moment in May 2024 (Mon 13 May is the start of ISO week 20; Fri 17 May)."""
    return datetime(2024, 5, day, hour, minute, tzinfo=tz)


def elapsed(a: datetime, b: datetime) -> timedelta:
    return b.astimezone(UTC) - a.astimezone(UTC)


def drive(start: datetime, *pattern: timedelta) -> list[DrivingBlock]:
    """Blocks from alternating durations: drive, pause, drive, pause, drive ..."""
    blocks: list[DrivingBlock] = []
    t = start
    for i, length in enumerate(pattern):
        if i % 2 == 0:
            blocks.append(DrivingBlock(t, t + length))
        t += length
    return blocks


def day_of(hours: timedelta, start: datetime) -> list[DrivingBlock]:
    """One driving day of ``hours``, in blocks of 4.5 h with 45-minute breaks."""
    return plan_leg(start, hours)


def codes(violations: list[Violation]) -> list[str]:
    return [v.code for v in violations]


# --- Constants and DrivingBlock -------------------------------------------------------------------


def test_constants() -> None:
    assert (timedelta(hours=4, minutes=30), timedelta(minutes=45)) == (MAX_CONTINUOUS, BREAK)
    assert (MAX_DAILY, MAX_DAILY_EXTENDED, MAX_WEEKLY) == (9 * H, 10 * H, 56 * H)
    assert (DAILY_REST, REDUCED_DAILY_REST) == (11 * H, 9 * H)


def test_block_rejects_naive_and_empty() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        DrivingBlock(datetime(2024, 5, 17, 8), at(17, 9))
    with pytest.raises(ValueError, match="after start"):
        DrivingBlock(at(17, 9), at(17, 9))
    with pytest.raises(ValueError, match="after start"):
        DrivingBlock(at(17, 9), at(17, 8))


def test_block_duration_across_dst_change() -> None:
    # 31 Mar 2024: Berlin clocks jump from 02:00 to 03:00.
    block = DrivingBlock(
        datetime(2024, 3, 31, 1, tzinfo=BERLIN), datetime(2024, 3, 31, 4, tzinfo=BERLIN)
    )
    assert block.duration == 2 * H


# --- plan_leg / leg_duration_needed -----------------------------------------------------------


def test_plan_leg_exactly_4h30_is_one_block() -> None:
    blocks = plan_leg(at(17, 17), MAX_CONTINUOUS)
    assert blocks == [DrivingBlock(at(17, 17), at(17, 21, 30))]


def test_plan_leg_9h_two_blocks_with_a_break() -> None:
    blocks = plan_leg(at(17, 8), 9 * H, leg_id=7)
    assert blocks == [
        DrivingBlock(at(17, 8), at(17, 12, 30), 7),
        DrivingBlock(at(17, 13, 15), at(17, 17, 45), 7),
    ]
    assert leg_duration_needed(9 * H) == 9 * H + BREAK


def test_plan_leg_10h_three_blocks() -> None:
    blocks = plan_leg(at(17, 8), 10 * H)
    assert [b.duration for b in blocks] == [MAX_CONTINUOUS, MAX_CONTINUOUS, H]
    assert blocks[-1].end == at(17, 19, 30)
    assert leg_duration_needed(10 * H) == 10 * H + 2 * BREAK


def test_long_wait_replaces_the_first_break() -> None:
    blocks = plan_leg(at(17, 8), 9 * H, planned_wait=3 * H)
    assert blocks[0].end == at(17, 12, 30)
    assert blocks[1].start == at(17, 15, 30)
    assert blocks[-1].end == at(17, 20)
    assert leg_duration_needed(9 * H, 3 * H) == 12 * H


def test_wait_of_exactly_45_min_is_the_break() -> None:
    assert leg_duration_needed(9 * H, BREAK) == 9 * H + BREAK


def test_short_wait_does_not_count_as_a_break() -> None:
    blocks = plan_leg(at(17, 8), 9 * H, planned_wait=20 * MIN)
    assert blocks[1].start - blocks[0].end == BREAK + 20 * MIN
    assert leg_duration_needed(9 * H, 20 * MIN) == 9 * H + BREAK + 20 * MIN


def test_wait_comes_first_when_no_break_is_needed() -> None:
    blocks = plan_leg(at(17, 8), 3 * H, planned_wait=2 * H)
    assert blocks == [DrivingBlock(at(17, 10), at(17, 13))]
    assert leg_duration_needed(3 * H, 2 * H) == 5 * H


def test_plan_leg_zero_and_invalid_input() -> None:
    assert plan_leg(at(17, 8), timedelta(0)) == []
    assert leg_duration_needed(timedelta(0), H) == H
    with pytest.raises(ValueError, match="negative"):
        plan_leg(at(17, 8), -H)
    with pytest.raises(ValueError, match="negative"):
        plan_leg(at(17, 8), H, planned_wait=-MIN)
    with pytest.raises(ValueError, match="timezone-aware"):
        plan_leg(datetime(2024, 5, 17, 8), H)


def test_plan_leg_uses_elapsed_time_across_dst_change() -> None:
    departure = datetime(2024, 3, 30, 23, tzinfo=BERLIN)  # 22:00 UTC
    blocks = plan_leg(departure, 9 * H)
    assert blocks[0].duration == MAX_CONTINUOUS
    assert blocks[0].end == datetime(2024, 3, 31, 4, 30, tzinfo=BERLIN)  # CEST now
    assert elapsed(departure, blocks[-1].end) == leg_duration_needed(9 * H)


def test_first_convoy_needs_more_than_one_driver_per_vehicle() -> None:
    # Wuppertal Fri 17:00 -> Lviv Sun 05:00: 36 h; say 22 h of driving and 6 h at the border.
    blocks = plan_leg(at(17, 17), 22 * H, planned_wait=6 * H)
    assert elapsed(at(17, 17), blocks[-1].end) <= 36 * H
    assert "daily_driving_over_10h" in codes(check(blocks))


# --- check: continuous driving ----------------------------------------------------------------


def test_no_blocks_no_violations() -> None:
    assert check([]) == []


def test_exactly_4h30_continuous_is_ok() -> None:
    assert check(drive(at(17, 8), MAX_CONTINUOUS)) == []


def test_4h31_continuous_is_a_violation() -> None:
    [v] = check(drive(at(17, 8), MAX_CONTINUOUS + MIN))
    assert v.code == "continuous_driving_over_4h30"
    assert v.amount == MIN
    assert v.driver_day == at(17, 8).date()
    assert v.message.startswith("Driving 4 h 31 min without a 45-minute break on Fri 17 May")
    assert "(limit 4 h 30 min)" in v.message


def test_message_reads_like_a_sentence() -> None:
    [v] = check(drive(at(17, 17), 5 * H + 10 * MIN))
    assert v.message == (
        "Driving 5 h 10 min without a 45-minute break on Fri 17 May from 17:00 CEST "
        "(limit 4 h 30 min)."
    )


def test_adjacent_and_unordered_blocks_are_one_stretch() -> None:
    blocks = [
        DrivingBlock(at(17, 10), at(17, 12, 31), leg_id=2),
        DrivingBlock(at(17, 8), at(17, 10), leg_id=1),
    ]
    assert codes(check(blocks)) == ["continuous_driving_over_4h30"]


def test_overlapping_blocks_are_merged() -> None:
    blocks = [DrivingBlock(at(17, 8), at(17, 12)), DrivingBlock(at(17, 11), at(17, 12, 30))]
    assert check(blocks) == []


def test_44_minute_gap_is_not_a_break() -> None:
    [v] = check(drive(at(17, 8), 3 * H, 44 * MIN, 2 * H))
    assert v.code == "continuous_driving_over_4h30"
    assert v.amount == 30 * MIN


def test_45_minute_gap_is_a_break() -> None:
    assert check(drive(at(17, 8), MAX_CONTINUOUS, BREAK, MAX_CONTINUOUS)) == []


def test_split_break_15_then_30_counts() -> None:
    blocks = drive(at(17, 6), 90 * MIN, 15 * MIN, 3 * H, 30 * MIN, MAX_CONTINUOUS)
    assert check(blocks) == []


def test_split_break_30_then_15_does_not_count() -> None:
    blocks = drive(at(17, 6), 90 * MIN, 30 * MIN, 3 * H, 15 * MIN, MAX_CONTINUOUS)
    [v] = check(blocks)
    assert v.code == "continuous_driving_over_4h30"
    assert v.amount == MAX_CONTINUOUS


def test_split_break_15_then_29_does_not_count() -> None:
    blocks = drive(at(17, 6), 90 * MIN, 15 * MIN, 3 * H, 29 * MIN, MIN)
    assert codes(check(blocks)) == ["continuous_driving_over_4h30"]


def test_blocks_in_different_timezones() -> None:
    # 10:00 Berlin is 11:00 Kyiv: 2 h + 2 h 30 min driven without a break.
    blocks = [
        DrivingBlock(at(17, 8), at(17, 10)),
        DrivingBlock(at(17, 11, tz=KYIV), at(17, 13, 30, tz=KYIV)),
    ]
    assert check(blocks) == []
    longer = [blocks[0], DrivingBlock(at(17, 11, tz=KYIV), at(17, 13, 31, tz=KYIV))]
    assert codes(check(longer)) == ["continuous_driving_over_4h30"]


# --- check: daily driving ---------------------------------------------------------------------


def test_9h_day_is_ok() -> None:
    assert check(day_of(9 * H, at(17, 6))) == []


def test_10h_day_is_ok_twice_a_week_third_is_a_violation() -> None:
    two = day_of(10 * H, at(13, 6)) + day_of(10 * H, at(14, 6))
    assert check(two) == []
    three = two + day_of(9 * H + MIN, at(15, 6))
    [v] = check(three)
    assert v.code == "daily_driving_over_9h"
    assert v.amount == MIN
    assert v.driver_day == at(15, 6).date()
    assert "Wed 15 May" in v.message
    assert "week 20" in v.message


def test_extensions_are_counted_per_iso_week() -> None:
    # Sat 18 and Sun 19 May are week 20, Mon 20 May is week 21.
    blocks = day_of(10 * H, at(18, 6)) + day_of(10 * H, at(19, 6)) + day_of(10 * H, at(20, 6))
    assert check(blocks) == []


def test_over_10h_is_a_violation_and_uses_no_extension() -> None:
    blocks = day_of(10 * H + MIN, at(13, 6)) + day_of(10 * H, at(14, 6)) + day_of(10 * H, at(15, 6))
    [v] = check(blocks)
    assert v.code == "daily_driving_over_10h"
    assert v.amount == MIN
    assert v.driver_day == at(13, 6).date()


# --- check: daily rest ------------------------------------------------------------------------


def test_rest_of_8h59_is_a_violation() -> None:
    [v] = check(drive(at(17, 8), 4 * H, 9 * H - MIN, 4 * H))
    assert v.code == "daily_rest_under_11h"
    assert v.amount == MIN
    assert v.driver_day == at(17, 8).date()
    assert "8 h 59 min" in v.message


def test_rest_of_9h_is_a_reduced_rest() -> None:
    assert check(drive(at(17, 8), 4 * H, 9 * H, 4 * H)) == []


def test_day_spanning_15h_is_ok_15h01_is_not() -> None:
    assert check(drive(at(17, 6), 4 * H, 7 * H, 4 * H)) == []
    assert codes(check(drive(at(17, 6), 4 * H, 7 * H + MIN, 4 * H))) == ["daily_rest_under_11h"]


def _rests(gap: timedelta, count: int) -> list[DrivingBlock]:
    pattern: list[timedelta] = []
    for _ in range(count):
        pattern += [4 * H, gap]
    return drive(at(13, 6), *pattern, 4 * H)


def test_three_reduced_rests_a_week_are_ok_the_fourth_is_not() -> None:
    assert check(_rests(10 * H, 3)) == []
    [v] = check(_rests(10 * H, 4))
    assert v.code == "reduced_daily_rest_limit"
    assert v.amount == H
    assert "no. 4" in v.message


def test_rests_of_11h_are_regular() -> None:
    assert check(_rests(DAILY_REST, 6)) == []


# --- check: weekly driving --------------------------------------------------------------------


def _week(hours: list[int]) -> list[DrivingBlock]:
    blocks: list[DrivingBlock] = []
    for i, h in enumerate(hours):
        blocks += day_of(h * H, at(13 + i, 6))
    return blocks


def test_56h_a_week_is_ok() -> None:
    assert check(_week([10, 10, 9, 9, 9, 9])) == []


def test_over_56h_a_week_is_a_violation() -> None:
    blocks = [*_week([10, 10, 9, 9, 9, 9]), DrivingBlock(at(19, 10), at(19, 10, 1))]
    [v] = check(blocks)
    assert v.code == "weekly_driving_over_56h"
    assert v.amount == MIN
    assert v.driver_day == at(13, 0).date()
    assert "week 20" in v.message


def test_week_ends_at_sunday_midnight() -> None:
    # 55 h Mon-Sat, then Sun 22:00 - Mon 01:30: 2 h in week 20, 1.5 h in week 21.
    blocks = [*_week([10, 10, 9, 9, 9, 8]), DrivingBlock(at(19, 22), at(20, 1, 30))]
    [v] = check(blocks)
    assert v.code == "weekly_driving_over_56h"
    assert v.amount == H


def test_violations_come_in_day_order() -> None:
    blocks = day_of(11 * H, at(15, 6)) + drive(at(13, 6), 5 * H)
    result = check(blocks)
    assert codes(result) == ["continuous_driving_over_4h30", "daily_driving_over_10h"]
    assert [v.driver_day for v in result] == [at(13, 6).date(), at(15, 6).date()]


# --- shuttle_plan -----------------------------------------------------------------------------


def test_four_drivers_for_six_vehicles() -> None:
    plan = shuttle_plan(6, 4, 7 * H)
    assert plan is not None
    assert (plan.rounds, plan.vehicles_per_driver) == (2, 2)
    assert plan.extra_time == 14 * H
    assert plan.message == (
        "6 vehicles, 4 drivers: 2 drivers must move 2 vehicles each in stages; "
        "the leg takes about 14 h longer."
    )


def test_shuttle_with_a_short_return() -> None:
    plan = shuttle_plan(6, 4, 2 * H, return_per_round=30 * MIN)
    assert plan is not None
    assert plan.extra_time == 2 * H + 30 * MIN
    assert "about 2 h 30 min longer" in plan.message


def test_shuttle_uneven_split() -> None:
    plan = shuttle_plan(7, 3, H)
    assert plan is not None
    assert plan.rounds == 3
    assert plan.extra_time == 4 * H
    assert "1 driver must move 3 vehicles and the other 2 drivers 2 vehicles each" in plan.message


def test_shuttle_not_needed_or_impossible() -> None:
    assert shuttle_plan(4, 4, H) is None
    assert shuttle_plan(3, 5, H) is None
    with pytest.raises(ValueError, match="no drivers"):
        shuttle_plan(6, 0, H)
    with pytest.raises(ValueError, match="negative"):
        shuttle_plan(-1, 2, H)
    with pytest.raises(ValueError, match="positive"):
        shuttle_plan(6, 4, timedelta(0))
    with pytest.raises(ValueError, match="negative"):
        shuttle_plan(6, 4, H, return_per_round=-MIN)


# --- Properties -------------------------------------------------------------------------------

departures = st.datetimes(
    min_value=datetime(2020, 1, 1),
    max_value=datetime(2030, 12, 31),
    timezones=st.sampled_from([UTC, BERLIN, KYIV, timezone(timedelta(hours=-3, minutes=-30))]),
    allow_imaginary=False,
)
drivings = st.timedeltas(min_value=timedelta(microseconds=1), max_value=30 * H)
waits = st.timedeltas(min_value=timedelta(0), max_value=10 * H)


@PROPS
@given(departures, drivings, waits)
def test_plan_leg_respects_the_break_rules(
    departure: datetime, driving: timedelta, wait: timedelta
) -> None:
    blocks = plan_leg(departure, driving, wait)
    assert blocks
    assert all(b.duration <= MAX_CONTINUOUS for b in blocks)
    for a, b in itertools.pairwise(blocks):
        assert elapsed(a.end, b.start) >= BREAK  # no overlap, and a full break between
    assert sum((b.duration for b in blocks), timedelta(0)) == driving
    assert elapsed(departure, blocks[0].start) >= timedelta(0)
    assert elapsed(departure, blocks[-1].end) == leg_duration_needed(driving, wait)
    assert leg_duration_needed(driving, wait) >= driving + wait


@PROPS
@given(departures, st.timedeltas(min_value=timedelta(microseconds=1), max_value=9 * H), waits)
def test_plan_leg_up_to_9h_needs_no_more_breaks(
    departure: datetime, driving: timedelta, wait: timedelta
) -> None:
    result = check(plan_leg(departure, driving, wait))
    assert "continuous_driving_over_4h30" not in codes(result)
    assert "daily_driving_over_9h" not in codes(result)
    if wait <= 6 * H:
        assert result == []


schedules = st.lists(
    st.tuples(st.integers(0, 14 * 24 * 60), st.integers(1, 8 * 60)), min_size=1, max_size=25
)


def _blocks(schedule: list[tuple[int, int]]) -> list[DrivingBlock]:
    base = datetime(2024, 5, 10, 0, tzinfo=BERLIN)
    return [
        DrivingBlock(base + offset * MIN, base + (offset + length) * MIN, leg_id=i)
        for i, (offset, length) in enumerate(schedule)
    ]


@PROPS
@given(schedules, st.data())
def test_check_ignores_order_and_how_driving_is_cut(
    schedule: list[tuple[int, int]], data: st.DataObject
) -> None:
    blocks = _blocks(schedule)
    result = check(blocks)
    assert check(data.draw(st.permutations(blocks))) == result
    # Cutting one block into two adjacent pieces changes nothing.
    i = data.draw(st.integers(0, len(blocks) - 1))
    block = blocks[i]
    if block.duration > MIN:
        cut = block.start + data.draw(st.integers(1, block.duration // MIN - 1)) * MIN
        pieces = [DrivingBlock(block.start, cut), DrivingBlock(cut, block.end)]
        assert check([*blocks[:i], *pieces, *blocks[i + 1 :]]) == result
    for v in result:
        assert v.code in CODES
        assert v.amount > timedelta(0)
        assert v.message.endswith(".")


@PROPS
@given(st.integers(0, 300), st.integers(1, 300), st.timedeltas(MIN, 30 * H))
def test_shuttle_rounds_cover_all_vehicles(vehicles: int, drivers: int, leg: timedelta) -> None:
    plan = shuttle_plan(vehicles, drivers, leg)
    if drivers >= vehicles:
        assert plan is None
        return
    assert plan is not None
    assert plan.rounds * drivers >= vehicles > (plan.rounds - 1) * drivers
    assert plan.vehicles_per_driver == plan.rounds
    assert (plan.extra_time == timedelta(0)) == (plan.rounds == 1)
    assert plan.extra_time == (plan.rounds - 1) * 2 * leg
