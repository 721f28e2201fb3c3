"""Counting calendar days in Casablanca: rollover at local midnight whatever the offset that day."""

import itertools
from datetime import UTC, date, datetime, time, timedelta
from importlib import resources
from zoneinfo import ZoneInfo

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from tests.counting.zone_file import read_zone_file
from widget.counting import CounterState, counter_state, days_since, local_date, next_local_midnight, system_clock
from widget.timezones import load_zone

START = date(2016, 1, 5)
END = date(2016, 11, 4)
CASABLANCA = load_zone("Africa/Casablanca")
CASABLANCA_FILE = read_zone_file("Africa/Casablanca")
"""The same zone read from the wheel's file without zoneinfo: where the tests' expected offsets come from."""
SECOND = timedelta(seconds=1)


def count_at(instant: datetime, end: date | None = None) -> int:
    return counter_state(START, end, CASABLANCA, instant).days


def midnight_from_offsets(day: date, offsets: set[timedelta]) -> datetime:
    """The UTC instant of ``day`` 00:00 in Casablanca, worked out from the offsets the zone uses around it.

    Independent of ``next_local_midnight`` and of zoneinfo: try each candidate offset and keep the one
    the zone's file agrees with.
    """
    found = []
    for offset in offsets:
        candidate = datetime.combine(day, time(0), tzinfo=UTC) - offset
        if candidate + CASABLANCA_FILE.offset_at(candidate) == datetime.combine(day, time(0), tzinfo=UTC):
            found.append(candidate)
    assert len(found) == 1, (day, found)
    return found[0]


# --- the number itself -------------------------------------------------------------------------


def test_count_is_zero_on_the_start_day():
    assert days_since(START, START) == 0
    assert count_at(datetime(2016, 1, 5, 0, 0, tzinfo=UTC)) == 0
    assert count_at(datetime(2016, 1, 5, 23, 59, 59, tzinfo=UTC)) == 0


def test_count_from_2016_01_05_to_2026_11_27_is_3979():
    assert days_since(START, date(2026, 11, 27)) == 3979
    assert count_at(datetime(2026, 11, 27, 12, tzinfo=UTC)) == 3979


@pytest.mark.parametrize(
    "instant",
    [
        datetime(2016, 11, 4, 12, tzinfo=UTC),
        datetime(2016, 11, 5, 12, tzinfo=UTC),
        datetime(2026, 11, 27, 12, tzinfo=UTC),
        datetime(2040, 2, 29, 12, tzinfo=UTC),
    ],
)
def test_end_date_freezes_the_count_at_304_from_that_day_on(instant: datetime):
    state = counter_state(START, END, CASABLANCA, instant)
    assert state.days == 304
    assert state.ended
    assert state.end_date == END


def test_an_end_date_set_ahead_of_time_lets_the_count_run_until_that_day():
    before = counter_state(START, END, CASABLANCA, datetime(2016, 6, 1, 12, tzinfo=UTC))
    eve = counter_state(START, END, CASABLANCA, datetime(2016, 11, 3, 23, 59, 59, tzinfo=UTC))  # UTC+0 then
    day = counter_state(START, END, CASABLANCA, datetime(2016, 11, 4, 0, 0, tzinfo=UTC))
    assert (before.days, before.ended) == (148, False)
    assert (eve.days, eve.ended) == (303, False)
    assert (day.days, day.ended) == (304, True)


def test_running_counter_is_not_ended():
    assert not counter_state(START, None, CASABLANCA, datetime(2026, 11, 27, 12, tzinfo=UTC)).ended


def test_count_on_a_leap_day_and_across_it():
    assert days_since(date(2016, 2, 28), date(2016, 3, 1)) == 2
    assert days_since(date(2015, 2, 28), date(2015, 3, 1)) == 1
    # 2016 is a leap year, so day 55 falls on 29 February (UTC+0 in Morocco in winter 2016).
    assert count_at(datetime(2016, 2, 28, 23, 59, 59, tzinfo=UTC)) == 54
    assert count_at(datetime(2016, 2, 29, 0, 0, tzinfo=UTC)) == 55
    assert count_at(datetime(2016, 3, 1, 0, 0, tzinfo=UTC)) == 56
    assert local_date(datetime(2016, 2, 29, 0, 0, tzinfo=UTC), CASABLANCA) == date(2016, 2, 29)


def test_count_across_the_year_turn():
    assert count_at(datetime(2016, 12, 31, 12, tzinfo=UTC)) == 361
    assert count_at(datetime(2017, 1, 1, 12, tzinfo=UTC)) == 362


def test_new_year_2026_arrives_at_23_00_utc_while_morocco_is_on_utc_plus_one():
    """On 31 December 2025 Casablanca is UTC+1: the year (and the count) turns at 23:00Z."""
    midnight = datetime(2025, 12, 31, 23, 0, tzinfo=UTC)
    assert CASABLANCA_FILE.offset_at(midnight) == timedelta(hours=1)
    assert count_at(midnight - SECOND) == 3648
    assert count_at(midnight) == 3649
    assert local_date(midnight, CASABLANCA) == date(2026, 1, 1)


# --- rolling over at local midnight -------------------------------------------------------------


def test_count_rolls_over_at_casablanca_midnight_on_a_utc_plus_zero_day():
    """27 November 2026 is UTC+0 (tzdata 2026f): the count becomes 3980 at 00:00Z on the 28th."""
    midnight = datetime(2026, 11, 28, 0, 0, tzinfo=UTC)
    assert CASABLANCA_FILE.offset_at(midnight) == timedelta(0)
    assert count_at(midnight - SECOND) == 3979
    assert count_at(midnight) == 3980
    assert count_at(midnight + SECOND) == 3980


def test_count_rolls_over_at_casablanca_midnight_when_morocco_was_utc_plus_one_in_2025():
    """15 June 2025 is UTC+1, so the 16th starts at 23:00Z on the 15th, not at 00:00Z."""
    midnight = datetime(2025, 6, 15, 23, 0, tzinfo=UTC)
    assert CASABLANCA_FILE.offset_at(midnight) == timedelta(hours=1)
    assert count_at(midnight - SECOND) == 3449
    assert count_at(midnight) == 3450
    assert count_at(midnight + SECOND) == 3450
    assert count_at(datetime(2025, 6, 16, 0, 0, tzinfo=UTC) - SECOND) == 3450  # a UTC count would still say 3449


RAMADAN_CHANGES = CASABLANCA_FILE.changes(datetime(2025, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC))
"""Every offset change the zone data lists from 2025 on: whatever a later tzdata adds is tested too."""


def test_zone_data_has_offset_changes_in_2025_and_2026_to_test_against():
    years = {instant.year for instant, _, _ in RAMADAN_CHANGES}
    assert {2025, 2026} <= years
    assert len(RAMADAN_CHANGES) >= 4


@pytest.mark.parametrize(
    ("change", "before", "after"), RAMADAN_CHANGES, ids=[instant.isoformat() for instant, _, _ in RAMADAN_CHANGES]
)
def test_count_rolls_over_at_casablanca_midnight_across_a_ramadan_offset_change(
    change: datetime, before: timedelta, after: timedelta
):
    """Around each offset change: every local midnight, one second before and after, moves the count by one."""
    change_day = CASABLANCA_FILE.local_date_at(change)
    days = [change_day + timedelta(days=step) for step in range(-2, 4)]
    midnights = [midnight_from_offsets(day, {before, after}) for day in days]
    for day, midnight in zip(days, midnights, strict=True):
        assert local_date(midnight - SECOND, CASABLANCA) == day - timedelta(days=1)
        assert local_date(midnight, CASABLANCA) == day
        assert count_at(midnight - SECOND) == (day - START).days - 1
        assert count_at(midnight) == (day - START).days
        assert count_at(midnight + SECOND) == (day - START).days
        assert next_local_midnight(midnight - SECOND, CASABLANCA) == midnight
        assert counter_state(START, None, CASABLANCA, midnight - SECOND).next_change == midnight
    # The window really crossed the change: one local day was 23 or 25 hours long.
    lengths = {later - earlier for earlier, later in itertools.pairwise(midnights)}
    assert lengths - {timedelta(hours=24)} == {timedelta(hours=24) + (before - after)}


# --- next local midnight ------------------------------------------------------------------------


def test_next_local_midnight_is_the_first_instant_of_the_next_local_day():
    instant = datetime(2026, 11, 27, 12, tzinfo=UTC)
    midnight = next_local_midnight(instant, CASABLANCA)
    assert midnight == datetime(2026, 11, 28, 0, 0, tzinfo=UTC)
    assert midnight.utcoffset() == timedelta(0)
    assert next_local_midnight(datetime(2025, 6, 15, 12, tzinfo=UTC), CASABLANCA) == datetime(
        2025, 6, 15, 23, 0, tzinfo=UTC
    )


def test_next_local_midnight_at_midnight_itself_is_the_following_one():
    midnight = datetime(2026, 11, 28, 0, 0, tzinfo=UTC)
    assert next_local_midnight(midnight, CASABLANCA) == datetime(2026, 11, 29, 0, 0, tzinfo=UTC)


ZONES_WITH_MIDNIGHT_SURPRISES = [
    "Africa/Casablanca",
    "America/Santiago",  # clocks skip from 24:00 to 01:00 in September, and go back at 24:00 in April
    "America/Havana",  # clocks go back from 01:00 to 00:00 in November: midnight happens twice
    "Asia/Beirut",  # clocks skip midnight in March
    "UTC",
]


@settings(max_examples=300, deadline=None)
@given(
    zone_name=st.sampled_from(ZONES_WITH_MIDNIGHT_SURPRISES),
    instant=st.datetimes(min_value=datetime(2016, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(UTC)),
)
# 23:30 local before: a skipped midnight, the repeated hour before midnight, a double midnight, a skipped midnight.
@example(zone_name="America/Santiago", instant=datetime(2025, 9, 7, 3, 30, tzinfo=UTC))
@example(zone_name="America/Santiago", instant=datetime(2025, 4, 6, 2, 30, tzinfo=UTC))
@example(zone_name="America/Havana", instant=datetime(2025, 11, 2, 3, 30, tzinfo=UTC))
@example(zone_name="Asia/Beirut", instant=datetime(2025, 3, 29, 21, 30, tzinfo=UTC))
def test_next_local_midnight_is_where_the_local_date_changes(zone_name: str, instant: datetime):
    midnight = next_local_midnight(instant, load_zone(zone_name))
    with resources.files("tzdata.zoneinfo").joinpath(*zone_name.split("/")).open("rb") as zone_file:
        reference = ZoneInfo.from_file(zone_file)  # the standard library's reading of the same data
    today = instant.astimezone(reference).date()
    assert midnight > instant
    assert midnight.utcoffset() == timedelta(0)
    assert midnight.astimezone(reference).date() == today + timedelta(days=1)
    assert (midnight - timedelta(microseconds=1)).astimezone(reference).date() == today
    assert midnight - instant <= timedelta(hours=25)


# --- the state object ---------------------------------------------------------------------------


def test_counter_state_reports_local_date_zone_and_next_change():
    instant = datetime(2025, 6, 15, 23, 30, tzinfo=UTC)  # already 16 June in Casablanca
    state = counter_state(START, None, CASABLANCA, instant)
    assert isinstance(state, CounterState)
    assert state.start_date == START
    assert state.end_date is None
    assert state.zone is CASABLANCA
    assert state.local_date == date(2025, 6, 16)
    assert state.next_change == datetime(2025, 6, 16, 23, 0, tzinfo=UTC)


def test_ended_counter_still_changes_at_the_next_local_midnight():
    instant = datetime(2026, 11, 27, 12, tzinfo=UTC)
    state = counter_state(START, END, CASABLANCA, instant)
    assert state.next_change == datetime(2026, 11, 28, 0, 0, tzinfo=UTC)


def test_seconds_until_next_change_counts_down_to_midnight_and_never_goes_negative():
    midnight = datetime(2026, 11, 28, 0, 0, tzinfo=UTC)
    state = counter_state(START, None, CASABLANCA, midnight - timedelta(hours=2))
    assert state.seconds_until_next_change(midnight - timedelta(hours=2)) == 7200
    assert state.seconds_until_next_change(midnight - SECOND) == 1
    assert state.seconds_until_next_change(midnight) == 0
    assert state.seconds_until_next_change(midnight + timedelta(hours=1)) == 0


def test_system_clock_is_aware_and_in_utc():
    now = system_clock()
    assert now.utcoffset() == timedelta(0)
    assert abs(now - datetime.now(UTC)) < timedelta(seconds=5)
