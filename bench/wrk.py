"""Loading a server with ``wrk``, and the one way the benchmark compares two loads: in alternating pairs.

The machine is shared, so a figure measured now and another measured a minute later differ by
whatever else ran in between. Every comparison is therefore made of pairs run back to back (A B,
next round B A), the ratio taken within each pair and the median over rounds.
"""

import re
import subprocess
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from bench.profiles import Profile
from bench.servers import Server, cpu_seconds

WRK = "wrk"

_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}

STATUS_COUNTER = """
-- Count answers by status in every wrk thread; print the totals when the run is done.
-- Each thread also gets its number as the global ``id``.
local threads = {}
function setup(thread) table.insert(threads, thread); thread:set("id", #threads) end
function init(args) statuses = {} end
function response(status, headers, body) statuses[status] = (statuses[status] or 0) + 1 end
function done(summary, latency, requests)
  local totals = {}
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses")) do totals[status] = (totals[status] or 0) + count end
  end
  for status, count in pairs(totals) do io.write(string.format("voipdown-status %d %d\\n", status, count)) end
end
"""
"""Counting makes wrk read every response, which costs it time: a pair counts on both sides or on neither."""


@dataclass(frozen=True)
class WrkResult:
    """What one wrk run reports."""

    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    bad_status: int
    """Answers outside 2xx and 3xx."""
    socket_errors: int
    statuses: dict[int, int] = field(default_factory=dict)
    """Answers by status, when the run counted them."""
    cpu_us_per_request: float | None = None
    """CPU time the server's master and workers spent during the run, per request (user + system)."""


def count_statuses(results: list[WrkResult]) -> dict[int, int]:
    """Statuses counted by wrk scripts, summed over runs."""
    totals: dict[int, int] = {}
    for result in results:
        for status, count in result.statuses.items():
            totals[status] = totals.get(status, 0) + count
    return totals


def _latency_ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", text)
    if not match:
        raise ValueError(f"cannot read the latency {text!r}")
    return float(match.group(1)) * _UNITS_MS[match.group(2)]


def parse_wrk(output: str) -> WrkResult:
    """Requests per second, p50, p99, errors and counted statuses from ``wrk --latency`` output."""
    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    p50 = re.search(r"^\s+50%\s+(\S+)", output, re.MULTILINE)
    p99 = re.search(r"^\s+99%\s+(\S+)", output, re.MULTILINE)
    requests = re.search(r"(\d+) requests in", output)
    if not (rps and p50 and p99 and requests):
        raise ValueError(f"unexpected wrk output:\n{output}")
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    statuses = re.findall(r"^voipdown-status (\d+) (\d+)$", output, re.MULTILINE)
    return WrkResult(
        rps=float(rps.group(1)),
        p50_ms=_latency_ms(p50.group(1)),
        p99_ms=_latency_ms(p99.group(1)),
        requests=int(requests.group(1)),
        bad_status=int(bad.group(1)) if bad else 0,
        socket_errors=sum(int(value) for value in errors.groups()) if errors else 0,
        statuses={int(status): int(count) for status, count in statuses},
    )


def run_wrk(url: str, profile: Profile, headers: Sequence[str] = (), script: str | None = None) -> WrkResult:
    """One ``wrk --latency`` run against ``url``, with ``script`` (Lua source) if given."""
    command = [WRK, f"-t{profile.threads}", f"-c{profile.connections}", f"-d{profile.duration_s}s", "--timeout", "5s"]
    for header in headers:
        command += ["-H", header]
    with tempfile.NamedTemporaryFile("w", suffix=".lua", prefix="voipdown-bench-") as script_file:
        if script is not None:
            script_file.write(script)
            script_file.flush()
            command += ["-s", script_file.name]
        command += ["--latency", url]
        completed = subprocess.run(
            command, capture_output=True, text=True, timeout=profile.duration_s + 30, check=False
        )
    if completed.returncode != 0:
        raise RuntimeError(f"wrk failed ({completed.returncode}): {completed.stderr or completed.stdout}")
    return parse_wrk(completed.stdout)


def measured(server: Server, load: Callable[[], WrkResult]) -> WrkResult:
    """``load()``, with the CPU time the server's master and workers spent during it."""
    pids = [server.pid, *server.workers()]
    before = cpu_seconds(pids)
    result = load()
    spent = cpu_seconds(pids) - before
    return replace(result, cpu_us_per_request=spent * 1e6 / result.requests if result.requests else None)


@dataclass(frozen=True)
class Load:
    """One side of a pair: a URL path on a server, with its request headers and wrk script."""

    server: Server
    path: str
    headers: tuple[str, ...] = ()
    script: str | None = None

    def run(self, profile: Profile) -> WrkResult:
        return measured(self.server, lambda: run_wrk(self.server.url(self.path), profile, self.headers, self.script))


@dataclass
class Pairs:
    """The runs of a measured side and of its reference, round by round."""

    measured: list[WrkResult] = field(default_factory=list)
    reference: list[WrkResult] = field(default_factory=list)
    failure: str = ""
    """Why the rounds stopped early, if they did."""

    @property
    def ratios(self) -> list[float]:
        """Measured req/s over reference req/s, per pair."""
        return [a.rps / b.rps for a, b in zip(self.measured, self.reference, strict=True) if b.rps > 0]

    @property
    def cpu_ratios(self) -> list[float]:
        """Reference CPU per request over measured CPU per request, per pair: above 1, the measured side is cheaper."""
        return [
            b.cpu_us_per_request / a.cpu_us_per_request
            for a, b in zip(self.measured, self.reference, strict=True)
            if a.cpu_us_per_request and b.cpu_us_per_request
        ]


def run_pair(pairs: Pairs, measured_load: Load, reference: Load, round_index: int, profile: Profile) -> bool:
    """One round: both loads back to back, the measured side first in even rounds; ``False`` if wrk failed."""
    measured_first = round_index % 2 == 0
    first, second = (measured_load, reference) if measured_first else (reference, measured_load)
    try:
        first_result, second_result = first.run(profile), second.run(profile)
    except (RuntimeError, ValueError, subprocess.TimeoutExpired) as error:
        pairs.failure = f"load failed in round {round_index + 1}: {str(error).splitlines()[0][:80]}"
        return False
    pairs.measured.append(first_result if measured_first else second_result)
    pairs.reference.append(second_result if measured_first else first_result)
    return True
