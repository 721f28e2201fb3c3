"""Counting days of the block, in the configured time zone.

The count is a number of *calendar days in Morocco*, not of 24-hour periods: it is 0 on the
start day and grows by one at each local midnight, whatever offset the zone has that day. This
module knows nothing of the web; the instant "now" is always passed in, so tests can stand at
any moment.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

Clock = Callable[[], datetime]
"""Returns the current instant as an aware datetime; injectable so tests can fix the time."""


def system_clock() -> datetime:
    """The real current instant, in UTC."""
    return datetime.now(UTC)


def local_date(instant: datetime, zone: ZoneInfo) -> date:
    """The calendar date that a wall clock in ``zone`` shows at ``instant``."""
    return instant.astimezone(zone).date()


def days_since(start: date, today: date) -> int:
    """Whole calendar days from ``start`` to ``today``: 0 on the start day itself."""
    return (today - start).days


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    """The first instant of ``day`` in ``zone``, in UTC.

    ``fold=0`` picks the first of two midnights when clocks go back, and the moment of the jump
    when clocks skip midnight: in both cases the first instant of that local day.
    """
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def next_local_midnight(instant: datetime, zone: ZoneInfo) -> datetime:
    """The first instant after ``instant`` at which the local date in ``zone`` changes, in UTC."""
    return local_midnight(local_date(instant, zone) + timedelta(days=1), zone)


@dataclass(frozen=True)
class CounterState:
    """What the counter says at one instant: the number and everything needed to explain it."""

    days: int
    start_date: date
    end_date: date | None
    zone: ZoneInfo
    local_date: date
    day_start: datetime
    next_change: datetime

    @property
    def ended(self) -> bool:
        """True from the day the block was lifted, as a maintainer has set it."""
        return self.end_date is not None and self.local_date >= self.end_date

    def seconds_until_next_change(self, instant: datetime) -> int:
        """Whole seconds from ``instant`` to the next local midnight (at least 0)."""
        return max(0, int((self.next_change - instant).total_seconds()))


def counter_state(start: date, end: date | None, zone: ZoneInfo, instant: datetime) -> CounterState:
    """The counter at ``instant``: days since ``start``, frozen at ``end - start`` from ``end`` on.

    An end date may be set ahead of time (the day the lifting is announced for): the count runs
    until that day. ``next_change`` is the next local midnight even for an ended block: every
    answer is built for one local date, so caches expire together however the count behaves.
    """
    today = local_date(instant, zone)
    days = days_since(start, min(today, end) if end is not None else today)
    return CounterState(
        days=days,
        start_date=start,
        end_date=end,
        zone=zone,
        local_date=today,
        day_start=local_midnight(today, zone),
        next_change=next_local_midnight(instant, zone),
    )
