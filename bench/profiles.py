"""How long and how often each measure runs: a full run for results, a quick one to check the bench."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Profile:
    """The counts and durations of one run."""

    name: str
    rounds: int
    """Pairs of wrk runs (service, then reference, alternating order) per throughput row."""
    duration_s: int
    """Seconds of each wrk run."""
    threads: int
    connections: int
    svg_iterations: int
    png_iterations: int
    card_iterations: int
    fresh_iterations: int
    """Fresh-worker timings rerun the start-up preparation (about 0.1 s) before each: fewer of them."""
    starts: int
    junk_requests: int
    """Requests in the junk flood."""


FULL = Profile(
    "full",
    rounds=6,
    duration_s=2,
    threads=2,
    connections=16,
    svg_iterations=300,
    png_iterations=40,
    card_iterations=10,
    fresh_iterations=15,
    starts=5,
    junk_requests=20_000,
)
QUICK = Profile(
    "quick",
    rounds=2,
    duration_s=1,
    threads=2,
    connections=16,
    svg_iterations=60,
    png_iterations=10,
    card_iterations=3,
    fresh_iterations=4,
    starts=2,
    junk_requests=5_000,
)
