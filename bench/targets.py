"""Every target the benchmark holds a figure to, and the verdict it gives, decided before anything is formatted.

The targets come from the issues that asked for them: issue 5 (throughput, cold renders, memory,
start-up, script size) and issue 10 (bytes on the wire, caches nobody can fill).
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Target:
    """A bound a figure must stay within: at least ``limit`` or, with ``at_most``, at most ``limit``."""

    limit: float
    at_most: bool
    unit: str = ""
    """Written after the numbers: ``" ms"``, ``" B"``, ``"x"``."""
    digits: int = 2
    """Decimals a figure is shown with in a verdict's sentence."""

    def holds(self, value: float) -> bool:
        """Whether ``value`` meets the target."""
        return value <= self.limit if self.at_most else value >= self.limit

    def shown(self, value: float) -> str:
        """``value`` with this target's unit, as a missed target's sentence quotes it."""
        return f"{value:,.{self.digits}f}{self.unit}"

    def __str__(self) -> str:
        return f"{'≤' if self.at_most else '≥'} {self.limit:,g}{self.unit}"


THROUGHPUT_RATIO = Target(1.25, at_most=False)
"""Service req/s over the bare Flask ceiling's, measured in the same round."""
ARABIC_SVG_MS = Target(2.0, at_most=True, unit=" ms")
PNG_BADGE_MS = Target(15.0, at_most=True, unit=" ms")
WORKER_RSS_MB = Target(100.0, at_most=True, unit=" MB", digits=1)
START_S = Target(1.5, at_most=True, unit=" s")
EMBED_GZIP_BYTES = Target(3000, at_most=True, unit=" B", digits=0)
"""3 KB, counted strictly as 3,000 bytes."""
SVG_WIRE_BYTES = Target(2000, at_most=True, unit=" B", digits=0)
"""Every SVG badge, for a client that accepts ``br`` or ``gzip``."""
PNG_BYTES = {1: Target(1600, at_most=True, unit=" B", digits=0), 2: Target(3500, at_most=True, unit=" B", digits=0)}
"""Flat PNG badges in every language, by scale."""
NEW_VARIANT_AFTER_FLOOD = Target(0.8, at_most=False)
"""A valid variant first asked after the junk flood, over the same variant on a service that saw no junk."""
INVALID_OVER_CACHED = Target(0.5, at_most=False)
"""Distinct invalid values, each asked once, over a cached badge on the same service."""


@dataclass(frozen=True)
class Judgement:
    """One figure held against its target; ``value`` is ``None`` when it could not be measured."""

    measure: str
    value: float | None
    target: Target
    reason: str = ""
    """Why there is no value, or what else a reader of a missed target needs to know."""

    @property
    def met(self) -> bool | None:
        """``None`` when not measured."""
        return None if self.value is None else self.target.holds(self.value)

    @property
    def verdict(self) -> str:
        """The verdict column of a table."""
        if self.met is None:
            return "not measured"
        return "met" if self.met else "**missed**"

    def missed(self) -> str | None:
        """A line for the *Targets missed* list, or ``None`` when the target is met."""
        if self.value is None:
            return f"{self.measure}: not measured ({self.reason})"
        if self.target.holds(self.value):
            return None
        detail = f"; {self.reason}" if self.reason else ""
        return f"{self.measure}: {self.target.shown(self.value)}, target {self.target}{detail}"
