"""Finding a zone's UTC offset changes in the zone data itself, so tests never hard-code them."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

SECOND = timedelta(seconds=1)


def offset_changes(zone: ZoneInfo, start: datetime, end: datetime) -> list[tuple[datetime, timedelta, timedelta]]:
    """Every instant in [start, end) at which ``zone``'s UTC offset changes, to the second.

    Each is (instant, offset before, offset after): found hour by hour, then narrowed by halving.
    """
    changes = []
    instant = start
    previous = instant.astimezone(zone).utcoffset()
    assert previous is not None
    while instant < end:
        later = instant + timedelta(hours=1)
        offset = later.astimezone(zone).utcoffset()
        if offset != previous:
            low, high = instant, later
            while high - low > SECOND:
                middle = (low + (high - low) / 2).replace(microsecond=0)
                if middle <= low:
                    middle = low + SECOND
                if middle.astimezone(zone).utcoffset() == previous:
                    low = middle
                else:
                    high = middle
            assert offset is not None
            changes.append((high, previous, offset))
            previous = offset
        instant = later
    return changes
