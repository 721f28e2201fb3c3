"""Time zones from the `tzdata` package, never from the operating system.

Morocco changes its clock often (UTC+1 from 2018, UTC+0 during Ramadan, back to UTC+0 for good
in 2026). Distribution copies of the IANA data lag by years: Debian 12's 2025b still puts
Casablanca at UTC+1 in November 2026, which would roll the counter over an hour early. The
`tzdata` wheel is current and pinned by the project, so every zone is read from it directly,
without touching `zoneinfo`'s process-wide search path.
"""

from functools import cache
from importlib import resources
from zoneinfo import ZoneInfo

import tzdata


@cache
def known_zone_names() -> frozenset[str]:
    """Every zone name the bundled IANA data defines (its `zones` index)."""
    index = resources.files("tzdata").joinpath("zones").read_text(encoding="utf-8")
    return frozenset(line.strip() for line in index.splitlines() if line.strip())


def iana_version() -> str:
    """The IANA release of the bundled data, e.g. ``2026f``."""
    version: str = tzdata.IANA_VERSION  # the tzdata package ships no type information
    return version


@cache
def load_zone(name: str) -> ZoneInfo:
    """Load ``name`` from the bundled data; ``KeyError`` if the data has no such zone."""
    if name not in known_zone_names():
        raise KeyError(name)
    resource = resources.files("tzdata.zoneinfo").joinpath(*name.split("/"))
    with resource.open("rb") as zone_file:
        return ZoneInfo.from_file(zone_file, key=name)
