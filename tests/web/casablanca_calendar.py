"""Today's count computed apart from the service, for tests against a server on the real clock.

Tests that ask a real ``voipdown serve`` for today's count cannot take the expected value from
``widget.counting`` (a bug there would then agree with itself). This oracle is plain date
arithmetic: the local date in Casablanca, read from the ``tzdata`` package's own file with
``zoneinfo`` (as the README says the service must), minus the block's first day, 5 January 2016.

A request can straddle a local midnight; ``during_one_local_day`` runs it again when the local
date changed while it ran, so a test never compares an answer with the wrong day's count.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from importlib import resources
from typing import Generic, TypeVar
from zoneinfo import ZoneInfo

BLOCK_STARTED = date(2016, 1, 5)
"""The day Moroccan operators began blocking VoIP: day 0 of the count (README, first lines)."""
ATTEMPTS = 3
"""Two midnights cannot pass during three short requests: the third attempt is always within one day."""


@cache
def casablanca() -> ZoneInfo:
    """Africa/Casablanca straight from the ``tzdata`` wheel, not through the service's loader."""
    with resources.files("tzdata.zoneinfo.Africa").joinpath("Casablanca").open("rb") as zone_file:
        return ZoneInfo.from_file(zone_file)


def local_date(instant: datetime) -> date:
    """The calendar date in Casablanca at ``instant``."""
    return instant.astimezone(casablanca()).date()


def days_on(day: date) -> int:
    """The count the service must show on local ``day``: whole days since the block started."""
    return (day - BLOCK_STARTED).days


def next_local_midnight(instant: datetime) -> datetime:
    """The first instant of the local day after ``instant``'s, in UTC.

    Casablanca's clock changes happen at 02:00 or 03:00, never at midnight, so local midnight
    always exists exactly once.
    """
    tomorrow = local_date(instant) + timedelta(days=1)
    return datetime.combine(tomorrow, time(), tzinfo=casablanca()).astimezone(UTC)


def seconds_to_local_midnight() -> float:
    """Seconds left in today's Casablanca day, on the real clock."""
    now = datetime.now(UTC)
    return (next_local_midnight(now) - now).total_seconds()


Result = TypeVar("Result")


@dataclass(frozen=True)
class OnOneDay(Generic[Result]):
    """What a request returned, and the count of the one local day during which it ran."""

    result: Result
    count: int


def during_one_local_day(request: Callable[[], Result]) -> OnOneDay[Result]:
    """Run ``request``; again if Casablanca's date changed while it ran, so its answer has one right count."""
    for _ in range(ATTEMPTS):
        before = local_date(datetime.now(UTC))
        result = request()
        if local_date(datetime.now(UTC)) == before:
            return OnOneDay(result, days_on(before))
    raise AssertionError(f"the local date changed during each of {ATTEMPTS} requests")
