"""Zones come from the bundled `tzdata` wheel, never from the operating system's copy."""

import re
import zoneinfo
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path

import pytest
import tzdata

from tests.counting.zone_file import read_zone_file
from tests.zone_changes import offset_changes
from widget.timezones import iana_version, known_zone_names, load_zone

CASABLANCA = "Africa/Casablanca"


def test_casablanca_is_utc_plus_zero_on_2026_11_27_from_the_bundled_data():
    zone = load_zone(CASABLANCA)
    assert datetime(2026, 11, 27, 12, tzinfo=UTC).astimezone(zone).utcoffset() == timedelta(0)


def test_bundled_data_is_2026f_or_newer_and_is_the_tzdata_wheel():
    assert iana_version() == tzdata.IANA_VERSION
    assert re.fullmatch(r"\d{4}[a-z]", iana_version())
    assert iana_version() >= "2026f"


def test_load_zone_ignores_a_stale_system_copy_that_says_utc_plus_one(tmp_path: Path):
    """A fake system zone folder whose Casablanca is fixed at UTC+1, like Debian 12's 2025b in late 2026."""
    fake_casablanca = tmp_path / "Africa" / "Casablanca"
    fake_casablanca.parent.mkdir(parents=True)
    with resources.files("tzdata.zoneinfo").joinpath("Africa", "Lagos").open("rb") as lagos:  # UTC+1 all year
        fake_casablanca.write_bytes(lagos.read())
    instant = datetime(2026, 11, 27, 12, tzinfo=UTC)
    zoneinfo.reset_tzpath(to=[str(tmp_path)])
    zoneinfo.ZoneInfo.clear_cache()
    load_zone.cache_clear()
    try:
        # The system path really is poisoned: zoneinfo alone would say UTC+1 ...
        assert instant.astimezone(zoneinfo.ZoneInfo(CASABLANCA)).utcoffset() == timedelta(hours=1)
        # ... while our loader still reads the wheel.
        assert instant.astimezone(load_zone(CASABLANCA)).utcoffset() == timedelta(0)
    finally:
        zoneinfo.reset_tzpath()
        zoneinfo.ZoneInfo.clear_cache()
        load_zone.cache_clear()


@pytest.mark.skipif(not Path("/usr/share/zoneinfo/Africa/Casablanca").exists(), reason="no system zone data")
def test_wheel_and_system_copy_may_disagree_but_we_always_answer_with_the_wheel():
    """Informative about the machine, strict about us: whatever the OS says, load_zone says UTC+0."""
    instant = datetime(2026, 11, 27, 12, tzinfo=UTC)
    with open("/usr/share/zoneinfo/Africa/Casablanca", "rb") as system_file:
        system_zone = zoneinfo.ZoneInfo.from_file(system_file, key="system")
    assert instant.astimezone(system_zone).utcoffset() in (timedelta(0), timedelta(hours=1))
    assert instant.astimezone(load_zone(CASABLANCA)).utcoffset() == timedelta(0)


def test_known_zone_names_come_from_the_wheel_index():
    names = known_zone_names()
    assert {CASABLANCA, "UTC", "Europe/Paris", "America/Santiago"} <= names
    assert "Africa/Casablance" not in names
    assert len(names) > 300


@pytest.mark.parametrize(
    "name", ["Africa/Casablance", "Mars/Olympus_Mons", "", "../../etc/passwd", "africa/casablanca"]
)
def test_load_zone_refuses_names_the_data_does_not_define(name: str):
    with pytest.raises(KeyError):
        load_zone(name)


def test_load_zone_returns_one_cached_zone_keyed_by_its_name():
    zone = load_zone(CASABLANCA)
    assert zone is load_zone(CASABLANCA)
    assert zone.key == CASABLANCA


def test_load_zone_needs_no_system_zone_folder():
    """A slim container without /usr/share/zoneinfo still has every zone."""
    zoneinfo.reset_tzpath(to=[])
    load_zone.cache_clear()
    try:
        assert load_zone("Europe/Paris").key == "Europe/Paris"
    finally:
        zoneinfo.reset_tzpath()
        load_zone.cache_clear()


def test_casablanca_ramadan_changes_in_2025_and_2026_are_in_the_data():
    """Morocco drops to UTC+0 for Ramadan, then back to UTC+1; found hour by hour, not guessed."""
    changes = offset_changes(load_zone(CASABLANCA), datetime(2025, 1, 1, tzinfo=UTC), datetime(2026, 6, 1, tzinfo=UTC))
    one_hour = timedelta(hours=1)
    assert [(before, after) for _, before, after in changes] == [
        (one_hour, timedelta(0)),
        (timedelta(0), one_hour),
        (one_hour, timedelta(0)),
        (timedelta(0), one_hour),
    ]
    assert [instant.date().isoformat()[:7] for instant, _, _ in changes] == ["2025-02", "2025-04", "2026-02", "2026-03"]


def test_casablanca_returned_to_utc_plus_zero_in_september_2026():
    """A past change (the window ends before this was written), so no later tzdata release can move it."""
    changes = offset_changes(
        load_zone(CASABLANCA), datetime(2026, 6, 1, tzinfo=UTC), datetime(2026, 11, 27, tzinfo=UTC)
    )
    assert len(changes) == 1
    instant, before, after = changes[0]
    assert (before, after) == (timedelta(hours=1), timedelta(0))
    assert datetime(2026, 9, 1, tzinfo=UTC) < instant < datetime(2026, 10, 1, tzinfo=UTC)


@pytest.mark.parametrize("name", [CASABLANCA, "Asia/Kolkata", "UTC"])
def test_load_zone_changes_offset_exactly_where_the_wheel_file_says(name: str):
    """Every change until 2040, and none beyond the file's last transition but its footer's: from the data itself."""
    zone_file = read_zone_file(name)
    start, end = datetime(2016, 1, 1, tzinfo=UTC), datetime(2040, 1, 1, tzinfo=UTC)
    assert offset_changes(load_zone(name), start, end) == zone_file.changes(start, end)
    after_the_last = max([start, *(instant for instant, _ in zone_file.transitions)]) + timedelta(days=1)
    for instant in (after_the_last, end):
        assert instant.astimezone(load_zone(name)).utcoffset() == zone_file.final_offset
