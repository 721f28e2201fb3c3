"""Throughput: each endpoint beside the bare Flask ceiling, in alternating pairs of wrk runs.

The ceiling (``bench/ceiling_app.py``) is the fastest a Flask route can answer under the same
gunicorn on the same machine; the service answers a day's constant bodies from its replay cache,
so every endpoint must beat it by ``targets.THROUGHPUT_RATIO``. The control row, ``/healthz``,
runs Flask for a tiny body with no cache: near 1.0, it says the two servers are comparable.
"""

import http.client
import statistics
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from bench.profiles import Profile
from bench.servers import Server, get
from bench.targets import THROUGHPUT_RATIO, Judgement
from bench.wrk import STATUS_COUNTER, Load, Pairs, count_statuses, run_pair, run_wrk

BROWSER_ENCODINGS = "Accept-Encoding: gzip, deflate, br"
"""What every current browser sends."""


@dataclass(frozen=True)
class Endpoint:
    """One row of the throughput table."""

    label: str
    path: str
    headers: tuple[str, ...] = ()
    conditional: bool = False
    """Load it with ``If-None-Match`` set to its own ETag: every answer must be a 304."""
    control: bool = False
    """A calibration row with no target."""


ENDPOINTS = (
    Endpoint("/badge.svg?lang=fr", "/badge.svg?lang=fr"),
    Endpoint("/badge.svg?lang=ar", "/badge.svg?lang=ar"),
    Endpoint("/badge.svg?lang=ar, as a browser asks", "/badge.svg?lang=ar", headers=(BROWSER_ENCODINGS,)),
    Endpoint("/badge.png?scale=2", "/badge.png?scale=2"),
    Endpoint("/embed.js", "/embed.js"),
    Endpoint("/api/counter.json", "/api/counter.json"),
    Endpoint("/", "/"),
    Endpoint("/card.png", "/card.png"),
    Endpoint("304: /badge.svg?lang=fr + If-None-Match", "/badge.svg?lang=fr", conditional=True),
    Endpoint("control: /healthz (never cached, runs Flask)", "/healthz", control=True),
)


@dataclass
class Row:
    """One endpoint's check and its pairs of runs against the ceiling."""

    endpoint: Endpoint
    problem: str = ""
    """Why the endpoint was not loaded, or stopped being loaded."""
    headers: tuple[str, ...] = ()
    body_bytes: int = 0
    pairs: Pairs = field(default_factory=Pairs)

    @property
    def ratio(self) -> float | None:
        """Median of the per-pair ratios."""
        ratios = self.pairs.ratios
        return statistics.median(ratios) if ratios else None

    @property
    def answers(self) -> dict[int, int]:
        """Statuses counted over the service's runs (conditional row only)."""
        return count_statuses(self.pairs.measured)

    def judgement(self) -> Judgement | None:
        """The row against the ratio target; ``None`` for the control row. A 304 row must answer only 304s."""
        if self.endpoint.control:
            return None
        measure = f"throughput `{self.endpoint.label}` / ceiling"
        if self.problem and not self.pairs.ratios:
            return Judgement(measure, None, THROUGHPUT_RATIO, self.problem)
        if self.endpoint.conditional and set(self.answers) != {304}:
            return Judgement(measure, None, THROUGHPUT_RATIO, f"answers were not all 304: {self.answers}")
        return Judgement(measure, self.ratio, THROUGHPUT_RATIO, self.problem)


def check_endpoint(port: int, endpoint: Endpoint) -> Row:
    """Whether ``endpoint`` answers as it must (200, or 304 to its own ETag) before it is loaded."""
    row = Row(endpoint, headers=endpoint.headers)
    request_headers = dict(header.split(": ", 1) for header in endpoint.headers)
    try:
        status, headers, body = get(port, endpoint.path, request_headers)
    except (OSError, http.client.HTTPException) as error:
        row.problem = f"no answer ({error.__class__.__name__})"
        return row
    if status != 200:
        row.problem = f"answers {status}"
        return row
    row.body_bytes = len(body)
    if endpoint.conditional:
        etag = headers.get("ETag")
        if not etag:
            row.problem = "no ETag on the 200"
            return row
        status, _, body = get(port, endpoint.path, {**request_headers, "If-None-Match": etag})
        if status != 304:
            row.problem = f"not 304 to its own ETag (got {status})"
            return row
        row.headers = (*endpoint.headers, f"If-None-Match: {etag}")
        row.body_bytes = len(body)
    return row


def measure_throughput(service: Server, ceiling: Server, profile: Profile, log: Callable[[str], None]) -> list[Row]:
    """Every endpoint checked, then loaded round by round beside the ceiling."""
    rows = [check_endpoint(service.port, endpoint) for endpoint in ENDPOINTS]
    for row in rows:
        if row.problem:
            log(f"not loading {row.endpoint.label}: {row.problem}")
    run_wrk(ceiling.url(ceiling.ready_path), replace(profile, duration_s=1))  # warm-up, not recorded
    for round_index in range(profile.rounds):
        for row in rows:
            if row.problem:
                continue
            script = STATUS_COUNTER if row.endpoint.conditional else None
            measured = Load(service, row.endpoint.path, row.headers, script)
            reference = Load(ceiling, ceiling.ready_path, (), script)
            if not run_pair(row.pairs, measured, reference, round_index, profile):
                row.problem = row.pairs.failure
                log(f"{row.endpoint.label}: {row.problem}")
                continue
            service_run, ceiling_run = row.pairs.measured[-1], row.pairs.reference[-1]
            log(
                f"round {round_index + 1}/{profile.rounds} {row.endpoint.label}: {service_run.rps:,.0f} req/s "
                f"vs ceiling {ceiling_run.rps:,.0f} = {row.pairs.ratios[-1]:.2f}; CPU/req "
                f"{service_run.cpu_us_per_request or 0:,.0f} vs {ceiling_run.cpu_us_per_request or 0:,.0f} µs"
            )
    return rows
