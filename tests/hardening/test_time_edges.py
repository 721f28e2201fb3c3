"""Time edges: the count, the cache expiry and the next-change instant agree, never off by one.

The instants: a second either side of every Casablanca UTC-offset change in the bundled IANA
data (found by scanning it: the Ramadan changes each year, the 2018 switch, the 2026 return to
UTC+0) and of the local midnights around each; leap days; the turn of the year (when Casablanca
was at UTC+1, its midnight was 23:00 UTC the day before); some sub-second instants.

An oracle independent of the code under test: the local date is read from the zone at the
instant, and the next change is found by bisecting for the first second whose local date differs.
At every instant, through the real routes:
- ``count`` is the number of local days since the start, ``valid_for`` the local date;
- ``next_change`` is the oracle's next local midnight;
- ``max-age`` is exactly the whole seconds until then, ``s-maxage`` one less (never past it);
- a microsecond before ``next_change`` the count is unchanged; at ``next_change`` it is one more;
- every route whose answer changes at midnight lets caches keep it until midnight at most.
"""

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from functools import cache

from flask import Flask
from werkzeug.test import TestResponse

from tests.conftest import SettableClock, make_settings
from tests.counting.zone_file import read_zone_file
from tests.hardening.support import NOON, plain_paths, record
from tests.web.casablanca_calendar import BLOCK_STARTED, casablanca
from tests.zone_changes import offset_changes
from widget.web import create_app

ZONE = casablanca()
START = BLOCK_STARTED
SECOND = timedelta(seconds=1)
MICROSECOND = timedelta(microseconds=1)


def local_date(instant: datetime) -> date:
    return datetime.fromtimestamp(instant.timestamp(), ZONE).date()


def oracle_next_change(instant: datetime) -> datetime:
    """The first whole second after ``instant`` whose local date differs, found by bisection."""
    today = local_date(instant)
    low = int(instant.timestamp())  # local date == today here
    high = low + 50 * 3600
    assert local_date(datetime.fromtimestamp(high, UTC)) != today
    while high - low > 1:
        middle = (low + high) // 2
        if local_date(datetime.fromtimestamp(middle, UTC)) == today:
            low = middle
        else:
            high = middle
    return datetime.fromtimestamp(high, UTC)


FIRST_YEAR, LAST_YEAR = 2016, 2031
"""The years scanned for offset changes: from the block's start to well past today."""


@cache
def offset_changes_between(first_year: int = FIRST_YEAR, last_year: int = LAST_YEAR) -> tuple[datetime, ...]:
    """Every instant at which Casablanca's UTC offset changes, to the second, from the zone data."""
    start, end = datetime(first_year, 1, 1, tzinfo=UTC), datetime(last_year, 1, 1, tzinfo=UTC)
    return tuple(instant for instant, _, _ in offset_changes(ZONE, start, end))


def midnight_of(day: date) -> datetime:
    """The first instant of local ``day`` (oracle)."""
    return oracle_next_change(
        datetime.combine(day - timedelta(days=1), datetime.min.time(), ZONE) + timedelta(hours=12)
    )


def edge_instants() -> list[datetime]:
    instants: set[datetime] = set()
    for change in offset_changes_between():
        instants.update({change - SECOND, change, change + SECOND})
        for day in (local_date(change) - timedelta(days=1), local_date(change), local_date(change) + timedelta(days=1)):
            midnight = midnight_of(day)
            instants.update({midnight - SECOND, midnight, midnight + SECOND})
    for day in (
        date(2016, 2, 29),
        date(2016, 3, 1),
        date(2020, 2, 29),
        date(2024, 2, 29),
        date(2024, 3, 1),
        date(2028, 2, 29),
        date(2017, 1, 1),
        date(2026, 1, 1),
        date(2027, 1, 1),
        date(2026, 11, 27),
        date(2026, 11, 28),
        START + timedelta(days=1),
    ):
        midnight = midnight_of(day)
        instants.update({midnight - SECOND, midnight - MICROSECOND, midnight, midnight + SECOND})
        instants.add(midnight - timedelta(milliseconds=500))
        instants.add(midnight + timedelta(hours=12, microseconds=999_999))
    return sorted(instants)


def _max_ages(response: TestResponse) -> tuple[int, int | None]:
    """``max-age`` and ``s-maxage`` (``None`` for an answer only the browser may keep, without one)."""
    directives = dict(
        part.strip().split("=", 1) for part in response.headers.get("Cache-Control", "").split(",") if "=" in part
    )
    shared = directives.get("s-maxage")
    return int(directives["max-age"]), None if shared is None else int(shared)


def _counter(app: Flask, clock: SettableClock, instant: datetime) -> tuple[dict[str, object], TestResponse]:
    clock.set(instant)
    response = app.test_client().get("/api/counter.json")
    assert response.status_code == 200
    return response.get_json(), response


def test_the_scan_finds_exactly_the_offset_changes_of_the_zone_file() -> None:
    """The scan agrees with the tzdata file's own transitions (read as RFC 8536 lays them out).

    No future change is written here: a tzdata release that moves Morocco's clock again changes
    both sides alike. The dates named below are past ones the other tests stand on.
    """
    zone_file = read_zone_file("Africa/Casablanca")
    start, end = datetime(FIRST_YEAR, 1, 1, tzinfo=UTC), datetime(LAST_YEAR, 1, 1, tzinfo=UTC)
    if "," in zone_file.final_rule:  # a recurring rule after the last transition: the file lists changes up to it
        end = min(end, zone_file.transitions[-1][0] + SECOND)
    expected = [instant for instant, _, _ in zone_file.changes(start, end)]
    scanned = [instant for instant in offset_changes_between() if instant < end]
    assert scanned == expected, f"scanned {scanned[-3:]}, the file says {expected[-3:]} ({zone_file.final_rule!r})"
    # Morocco moved its clock for Ramadan every year from 2016 to 2026: a scan that found nothing fails.
    assert set(range(2016, 2027)) <= {instant.year for instant in scanned}
    assert datetime(2026, 11, 27, tzinfo=UTC).astimezone(ZONE).utcoffset() == timedelta(0)


def test_count_expiry_and_next_change_agree_at_every_edge() -> None:
    checked = 0
    settings = make_settings()
    for instant in edge_instants():
        # a fresh app per instant: its clock only moves forward, as a real clock does
        clock = SettableClock(instant)
        app = create_app(settings, clock)
        document, response = _counter(app, clock, instant)
        today = local_date(instant)
        expected_next = oracle_next_change(instant)
        where = f"at {instant.isoformat()} (local {instant.astimezone(ZONE).isoformat()})"
        assert document["count"] == (today - START).days, where
        assert document["valid_for"] == today.isoformat(), where
        assert document["next_change"] == expected_next.strftime("%Y-%m-%dT%H:%M:%SZ"), where
        max_age, s_maxage = _max_ages(response)
        remaining = (expected_next - instant).total_seconds()
        assert max_age == int(remaining), f"{where}: max-age {max_age}, {remaining} s to midnight"
        assert s_maxage == max(0, int(remaining) - 1), f"{where}: s-maxage {s_maxage}, {remaining} s to midnight"
        assert expected_next.astimezone(ZONE).time() == datetime.min.time(), f"{where}: next change not a midnight"

        before, _ = _counter(app, clock, expected_next - MICROSECOND)
        at, at_response = _counter(app, clock, expected_next)
        assert before["count"] == document["count"], f"{where}: the count changed before next_change"
        assert at["count"] == document["count"] + 1, f"{where}: the count did not step by one at next_change"
        assert at["valid_for"] == (today + timedelta(days=1)).isoformat(), where
        following = datetime.strptime(str(at["next_change"]), "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        assert timedelta(hours=23) <= following - expected_next <= timedelta(hours=25), where
        assert _max_ages(at_response)[0] == int((following - expected_next).total_seconds()), where
        checked += 1
    record("time-edge instants checked", checked)


def _day_edges() -> Iterator[datetime]:
    """One instant shortly before midnight on each kind of day: offset-change days, leap days, new year."""
    days = {local_date(change) for change in offset_changes_between()[-3:]}
    days |= {date(2024, 2, 28), date(2024, 2, 29), date(2025, 12, 31), date(2026, 11, 27)}
    for day in sorted(days):
        yield midnight_of(day + timedelta(days=1)) - timedelta(seconds=90)


def test_every_route_that_changes_at_midnight_expires_by_then() -> None:
    """For each route: if the answer differs after midnight, caches may not keep it past midnight."""
    checked = 0
    settings = make_settings()
    for instant in _day_edges():
        midnight = oracle_next_change(instant)
        clock = SettableClock(instant)
        app = create_app(settings, clock)
        client = app.test_client()
        paths = plain_paths(app)
        answers_now = {path: client.get(path) for path in paths}
        clock.set(midnight)
        for path in paths:
            now, after = answers_now[path], client.get(path)
            if now.status_code != 200 or now.get_data() == after.get_data():
                continue
            max_age, s_maxage = _max_ages(now)
            remaining = int((midnight - instant).total_seconds())
            assert max(max_age, s_maxage or 0) <= remaining, (
                f"{path} at {instant}: cached {max_age}/{s_maxage} s, {remaining} s to midnight"
            )
            assert now.headers.get("ETag") != after.headers.get("ETag"), f"{path}: same ETag across midnight"
            checked += 1
    assert checked > 0
    record("route x midnight expiry checks", checked)


def test_ended_block_is_frozen_but_still_expires_at_midnight() -> None:
    """With an end date the count stays 304 and the answers still expire at each local midnight."""
    clock = SettableClock(NOON)
    ended = create_app(make_settings(end_date="2016-11-04"), clock)
    for instant in (midnight_of(date(2024, 2, 29)) - SECOND, midnight_of(date(2026, 1, 1)), NOON):
        document, response = _counter(ended, clock, instant)
        assert document["count"] == 304 and document["ended"] is True
        expected_next = oracle_next_change(instant)
        assert document["next_change"] == expected_next.strftime("%Y-%m-%dT%H:%M:%SZ")
        assert _max_ages(response)[0] == int((expected_next - instant).total_seconds())
