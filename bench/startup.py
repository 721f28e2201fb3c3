"""Start-up: from spawning ``voipdown serve`` to its first answered ``/healthz``, over a few fresh starts.

A deploy or a crashed worker's replacement waits this long; it includes importing the app,
parsing the translations and drawing every badge glyph in gunicorn's master before it forks.
"""

import statistics
import time
from dataclasses import dataclass
from pathlib import Path

from bench.profiles import Profile
from bench.servers import cpu_seconds, running, spawn_service, wait_ready
from bench.targets import START_S, Judgement


@dataclass(frozen=True)
class Starts:
    """Seconds from spawn to the first 200, one per start, and the CPU seconds the server had used by then."""

    samples: list[float]
    cpu_samples: list[float]
    """User + system time of the master and its workers: on a busy machine, what the start itself cost."""

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    def judgement(self) -> Judgement:
        return Judgement("start to first answer (median)", self.median, START_S)


def measure_starts(profile: Profile, log_dir: Path) -> Starts:
    """``profile.starts`` fresh starts of the service, each stopped once it answers."""
    samples, cpu_samples = [], []
    for _ in range(profile.starts):
        started = time.perf_counter()
        with running(spawn_service(log_dir, "start")) as server:
            wait_ready(server)
            samples.append(time.perf_counter() - started)
            cpu_samples.append(cpu_seconds([server.pid, *server.workers()]))
    return Starts(samples, cpu_samples)
