"""The bundled IANA data read straight from its TZif file (RFC 8536), without ``zoneinfo`` or our loader.

Tests take their expectations from here: the UTC offsets and the instants they change are what the
``tzdata`` wheel's file says, so the next tzdata release changes the expectations with the data
instead of breaking tests that wrote today's values down.
"""

import re
import struct
from bisect import bisect_right
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from importlib import resources

HEADER = struct.Struct(">4s c 15x 6l")
FIXED_RULE = re.compile(r"(<[^>]+>|[A-Za-z]{3,})(?P<sign>[+-]?)(?P<hours>[0-9]{1,3})(:(?P<minutes>[0-9]{2}))?")
"""A POSIX TZ string with no daylight-saving part: a name and the hours to add to local time to get UTC."""


@dataclass(frozen=True)
class ZoneFile:
    """A zone's explicit transitions and the fixed offset its footer rule gives after the last one."""

    name: str
    transitions: tuple[tuple[datetime, timedelta], ...]
    """(instant, offset from that instant on), in order."""
    first_offset: timedelta
    final_rule: str
    """The POSIX TZ string for instants after the last transition, e.g. ``<+00>0``."""

    @property
    def final_offset(self) -> timedelta:
        """The footer's offset; a footer with a daylight-saving rule is refused rather than guessed."""
        fixed = FIXED_RULE.fullmatch(self.final_rule)
        assert fixed, f"{self.name}: footer {self.final_rule!r} has a daylight-saving rule, which this reader lacks"
        sign = -1 if fixed["sign"] != "-" else 1  # POSIX counts hours west of Greenwich as positive
        return sign * timedelta(hours=int(fixed["hours"]), minutes=int(fixed["minutes"] or 0))

    def offset_at(self, instant: datetime) -> timedelta:
        """The UTC offset in force at ``instant``."""
        index = bisect_right([start for start, _ in self.transitions], instant)
        if index == 0:
            return self.first_offset
        if index == len(self.transitions):
            return self.final_offset
        return self.transitions[index - 1][1]

    def local_date_at(self, instant: datetime) -> date:
        """The calendar date a wall clock in the zone shows at ``instant``."""
        return (instant.astimezone(UTC) + self.offset_at(instant)).date()

    def changes(self, start: datetime, end: datetime) -> list[tuple[datetime, timedelta, timedelta]]:
        """Every transition in [start, end) that changes the offset: (instant, before, after)."""
        found = []
        previous = self.first_offset
        for instant, offset in self.transitions:
            if offset != previous and start <= instant < end:
                found.append((instant, previous, offset))
            previous = offset
        return found


def read_zone_file(name: str) -> ZoneFile:
    """Parse the wheel's file for ``name``: the 64-bit (version 2+) block and its footer."""
    data = resources.files("tzdata.zoneinfo").joinpath(*name.split("/")).read_bytes()
    magic, version, *counts = HEADER.unpack_from(data, 0)
    assert magic == b"TZif" and version >= b"2", (name, magic, version)
    is_ut, is_standard, leaps, times, types, characters = counts
    block = HEADER.size + times * 5 + types * 6 + characters + leaps * 8 + is_standard + is_ut
    _, _, *counts = HEADER.unpack_from(data, block)
    is_ut, is_standard, leaps, times, types, characters = counts
    position = block + HEADER.size
    instants = struct.unpack_from(f">{times}q", data, position)
    position += times * 8
    type_indexes = data[position : position + times]
    position += times
    offsets = [struct.unpack_from(">lBB", data, position + 6 * index)[0] for index in range(types)]
    position += types * 6 + characters + leaps * 12 + is_standard + is_ut
    footer = data[position:].decode("ascii")
    assert footer.startswith("\n") and footer.endswith("\n"), footer
    transitions = tuple(
        (datetime.fromtimestamp(instant, UTC), timedelta(seconds=offsets[index]))
        for instant, index in zip(instants, type_indexes, strict=True)
    )
    return ZoneFile(name, transitions, timedelta(seconds=offsets[0]), footer.strip())
