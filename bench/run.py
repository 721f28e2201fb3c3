"""The voipdown benchmark: the service beside a bare Flask ceiling, on loopback, in one command.

    python3 bench/run.py            # full run, about 5 minutes
    python3 bench/run.py --quick    # a shorter check, about 1 minute

It measures, in this order (nothing else of ours runs while a measure is taken):

1. start-up: time from spawning ``python3 -m widget serve`` (the Procfile's ``voipdown serve``) to
   the first answered ``/healthz``, median of a few starts;
2. in-process cold renders (caches cleared each iteration) of French, Arabic and Tifinagh SVG and
   PNG (scale 2) badges and of the social card, and the French SVG badge rendered by pybadges;
3. worker memory: VmRSS of each gunicorn worker once every worker has served every variant;
4. the embed script's gzip -9 size;
5. throughput: ``wrk`` against each endpoint and against the bare Flask ceiling
   (``bench/ceiling_app.py`` under the same gunicorn options), interleaved per endpoint
   (A B, then B A, ...), with the ratio taken within each pair and medians over rounds.

The results are printed and written to ``bench/results.md`` as Markdown tables.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import http.client
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
RESULTS = BENCH / "results.md"
HOST = "127.0.0.1"
WRK = "wrk"
START_DEADLINE_S = 30.0
"""The longest a server may take to answer its first request before the bench gives up."""

# Targets from issue 5.
TARGET_RATIO = 1.0
TARGET_ARABIC_SVG_MS = 2.0
TARGET_PNG_MS = 15.0
TARGET_RSS_MB = 100.0
TARGET_START_S = 1.5
TARGET_EMBED_GZ_BYTES = 3000
"""3 KB, counted strictly as 3,000 bytes."""


@dataclass(frozen=True)
class Profile:
    """How long and how often each measure runs."""

    name: str
    rounds: int
    duration_s: int
    threads: int
    connections: int
    svg_iterations: int
    png_iterations: int
    card_iterations: int
    starts: int


FULL = Profile("full", rounds=6, duration_s=2, threads=2, connections=16, svg_iterations=300, png_iterations=40,
               card_iterations=10, starts=5)  # fmt: skip
QUICK = Profile("quick", rounds=2, duration_s=1, threads=2, connections=16, svg_iterations=60, png_iterations=10,
                card_iterations=3, starts=2)  # fmt: skip


@dataclass(frozen=True)
class Endpoint:
    """One row of the throughput table."""

    label: str
    path: str
    conditional: bool = False
    """Load it with ``If-None-Match`` set to its own ETag: every answer is a 304."""
    control: bool = False
    """A calibration row with no target: a route that does what the ceiling does."""


ENDPOINTS = (
    Endpoint("/badge.svg?lang=fr", "/badge.svg?lang=fr"),
    Endpoint("/badge.svg?lang=ar", "/badge.svg?lang=ar"),
    Endpoint("/badge.png?scale=2", "/badge.png?scale=2"),
    Endpoint("/embed.js", "/embed.js"),
    Endpoint("/api/counter.json", "/api/counter.json"),
    Endpoint("/", "/"),
    Endpoint("/card.png", "/card.png"),
    Endpoint("304: /badge.svg?lang=fr + If-None-Match", "/badge.svg?lang=fr", conditional=True),
    Endpoint("control: /healthz (never cached, runs Flask)", "/healthz", control=True),
)


def log(message: str) -> None:
    """Progress, on stderr so the table on stdout stays clean."""
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def import_widget() -> None:
    """Make this checkout's ``widget`` package importable, whatever the current directory."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))


def ceiling_path() -> str:
    """The ceiling app's one route, from ``bench/ceiling_app.py`` (which need not be on ``sys.path``)."""
    source = (BENCH / "ceiling_app.py").read_text()
    match = re.search(r'^CEILING_PATH = "([^"]+)"', source, re.MULTILINE)
    if not match:
        raise RuntimeError("bench/ceiling_app.py defines no CEILING_PATH")
    return match.group(1)


# --------------------------------------------------------------------------------------------
# Processes


def free_port() -> int:
    """A loopback port nobody is listening on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def service_command() -> list[str]:
    """The Procfile's ``voipdown serve``, as ``python3 -m widget serve`` on this checkout, loopback only."""
    return [sys.executable, "-m", "widget", "serve", "--host", HOST]


def ceiling_command(port: int) -> list[str]:
    """The bare Flask app under the same gunicorn options."""
    return [sys.executable, str(BENCH / "ceiling_app.py"), "--host", HOST, "--port", str(port)]


@dataclass
class Server:
    """A gunicorn master we started, with its log file."""

    name: str
    process: subprocess.Popen[bytes]
    port: int
    log_path: Path
    ready_path: str

    @property
    def pid(self) -> int:
        return self.process.pid

    def url(self, path: str) -> str:
        return f"http://{HOST}:{self.port}{path}"

    def log_tail(self, lines: int = 15) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])


def spawn(name: str, command: list[str], port: int, ready_path: str, log_dir: Path) -> Server:
    """Start ``command`` with ``PORT`` set, in its own session so it can be stopped as a group."""
    environment = dict(os.environ, PORT=str(port), PYTHONUNBUFFERED="1")
    log_path = log_dir / f"{name}-{port}.log"
    with log_path.open("wb") as output:
        process = subprocess.Popen(
            command, cwd=ROOT, env=environment, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
    return Server(name, process, port, log_path, ready_path)


def stop(server: Server) -> None:
    """SIGINT the master (gunicorn's quick shutdown), then SIGKILL its process group if it lingers."""
    process = server.process
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)
    # Workers left behind by a killed master share its process group, which we created.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)


def get(port: int, path: str, headers: dict[str, str] | None = None, timeout: float = 30.0) -> tuple[int, Any, bytes]:
    """One request on a new connection: status, headers, body."""
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


def wait_ready(server: Server, deadline_s: float = START_DEADLINE_S, pause_s: float = 0.002) -> float:
    """Poll the server's ready path in a tight loop; the seconds from now to its first 200."""
    started = time.perf_counter()
    attempts = 0
    while True:
        attempts += 1
        try:
            status, _, _ = get(server.port, server.ready_path, timeout=5.0)
            if status == 200:
                return time.perf_counter() - started
        except (ConnectionError, OSError, http.client.HTTPException):
            pass
        if server.process.poll() is not None:
            raise RuntimeError(f"{server.name} exited with {server.process.returncode}:\n{server.log_tail()}")
        if time.perf_counter() - started > deadline_s or attempts > 100_000:
            raise RuntimeError(
                f"{server.name} did not answer {server.ready_path} in {deadline_s} s:\n{server.log_tail()}"
            )
        time.sleep(pause_s)


def children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (gunicorn's workers of a master)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name may hold spaces and parentheses: fields start after the last ')'.
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[1]) == pid:
            found.append(int(entry.name))
    return sorted(found)


def wait_workers(server: Server, count: int, deadline_s: float = 20.0) -> list[int]:
    """The master's workers, once ``count`` of them are running (bounded wait)."""
    started = time.perf_counter()
    while time.perf_counter() - started < deadline_s:
        workers = children(server.pid)
        if len(workers) >= count:
            return workers
        time.sleep(0.02)
    return children(server.pid)


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pids: Sequence[int]) -> float:
    """User + system CPU seconds used so far by ``pids`` (from /proc/<pid>/stat)."""
    total = 0
    for pid in pids:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / CLOCK_TICKS


def rss_mb(pid: int) -> float | None:
    """Resident memory of ``pid`` in MB (10^6 bytes), from /proc/<pid>/status."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024 / 1e6
    except OSError:
        return None
    return None


def pss_mb(pid: int) -> float | None:
    """Proportional set size of ``pid`` in MB: pages shared with the master count by their share."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024 / 1e6
    except OSError:
        return None
    return None


# --------------------------------------------------------------------------------------------
# Connections pinned to one worker, so that every worker serves every variant


def _socket_inode(server_port: int, client_port: int) -> str | None:
    """The inode of the server side of the loopback connection from ``client_port``."""
    local = f"0100007F:{server_port:04X}"
    remote = f"0100007F:{client_port:04X}"
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            rows = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            fields = row.split()
            if fields[1].endswith(local[-13:]) and fields[2].endswith(remote[-13:]) and fields[9] != "0":
                return fields[9]
    return None


def _owner(inode: str, workers: Sequence[int]) -> int | None:
    target = f"socket:[{inode}]"
    for pid in workers:
        with contextlib.suppress(OSError):
            for fd in Path(f"/proc/{pid}/fd").iterdir():
                with contextlib.suppress(OSError):
                    if os.readlink(fd) == target:
                        return pid
    return None


class PinnedClient:
    """A keep-alive connection held by one given worker, re-made (and re-checked) whenever it drops.

    Which worker accepts a connection is up to the kernel; ``/proc`` says which one did, so the
    client opens connections until one lands on its worker and closes the others.
    """

    def __init__(self, server: Server, pid: int, workers: Sequence[int], attempts: int = 60) -> None:
        self.server, self.pid, self.workers, self.attempts = server, pid, workers, attempts
        self.connection: http.client.HTTPConnection | None = None
        self.client_port = 0

    def _pin(self) -> bool:
        self.close()
        for _ in range(self.attempts):
            connection = http.client.HTTPConnection(HOST, self.server.port, timeout=30)
            try:
                connection.request("GET", self.server.ready_path)
                connection.getresponse().read()
                client_port = connection.sock.getsockname()[1]
                inode = _socket_inode(self.server.port, client_port)
                owner = _owner(inode, self.workers) if inode else None
            except (OSError, http.client.HTTPException):
                connection.close()
                continue
            if owner == self.pid:
                self.connection, self.client_port = connection, client_port
                return True
            connection.close()
        return False

    def _still_pinned(self) -> bool:
        connection = self.connection
        return (
            connection is not None
            and connection.sock is not None
            and (connection.sock.getsockname()[1] == self.client_port)
        )

    def fetch(self, path: str) -> int:
        """GET ``path`` through this worker: its status, or 0 if the worker could not be reached."""
        for _ in range(3):
            if not self._still_pinned() and not self._pin():
                return 0
            assert self.connection is not None
            try:
                self.connection.request("GET", path)
                response = self.connection.getresponse()
                response.read()
            except (OSError, http.client.HTTPException):
                self.close()
                continue
            if response.will_close:
                self.close()  # answered by our worker all the same
            return response.status
        return 0

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
        self.connection = None


# --------------------------------------------------------------------------------------------
# Variants


@dataclass
class Variants:
    """Every URL whose answer the service may build and keep, by endpoint family."""

    families: dict[str, list[str]] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)

    def all(self) -> list[str]:
        return [path for paths in self.families.values() for path in paths]


def enumerate_variants(port: int) -> Variants:
    """langs x styles x themes for SVG, x scales for PNG, langs for JSON; page, card and script by probing.

    A URL whose answer is the same whatever ``lang`` says (the embed script) counts once.
    """
    import_widget()
    from widget.render.badge import STYLES, THEMES
    from widget.render.png import SCALES
    from widget.text.catalog import available_languages

    langs = available_languages()
    variants = Variants()
    variants.families["badge.svg"] = [
        f"/badge.svg?lang={lang}&style={style}&theme={theme}" for lang in langs for style in STYLES for theme in THEMES
    ]
    variants.families["badge.png"] = [
        f"/badge.png?lang={lang}&style={style}&theme={theme}&scale={scale}"
        for lang in langs
        for style in STYLES
        for theme in THEMES
        for scale in SCALES
    ]
    variants.families["counter.json"] = [f"/api/counter.json?lang={lang}" for lang in langs]
    variants.families["shields.json"] = [f"/api/shields.json?lang={lang}" for lang in langs]
    for path in ("/embed.js", "/", "/card.png"):
        bare, in_other_lang = _etag(port, path), _etag(port, f"{path}?lang={langs[1]}")
        if bare is None:
            variants.missing.append(path)
        elif in_other_lang is not None and in_other_lang != bare:
            variants.families[path] = [f"{path}?lang={lang}" for lang in langs]
        else:
            variants.families[path] = [path]  # the same answer whatever the language: one variant
    _embed_variants(port, langs, variants)
    _page_assets(port, variants)
    return variants


def _embed_variants(port: int, langs: Sequence[str], variants: Variants) -> None:
    """The embed script's versioned copy and the text pictures it shows, if the service has them."""
    try:
        from widget.render.sentence import TEXT_THEMES
        from widget.web.embed import TEXT_PARTS, embed_script
    except ImportError:
        return
    versioned = embed_script().versioned_path
    if _status(port, versioned) == 200:
        variants.families["embed/<hash>.js"] = [versioned]
    texts = [
        f"/embed/text.svg?lang={lang}&theme={theme}&part={part}"
        for lang in langs
        for theme in TEXT_THEMES
        for part in TEXT_PARTS
    ]
    if _status(port, texts[0]) == 200:
        variants.families["embed/text.svg"] = texts
    else:
        variants.missing.append("/embed/text.svg")


def _page_assets(port: int, variants: Variants) -> None:
    """The versioned assets the landing page links to."""
    try:
        status, _, body = get(port, "/")
    except (OSError, http.client.HTTPException):
        return
    if status != 200:
        return
    found = set(re.findall(r"/assets/[0-9a-f]+/[\w.-]+", body.decode("utf-8", "replace")))
    for path in [path for path in found if path.endswith(".css")]:
        with contextlib.suppress(OSError, http.client.HTTPException):
            status, _, css = get(port, path)
            folder = path.rsplit("/", 1)[0]
            for name in re.findall(r"url\(\s*[\"']?([\w.-]+)[\"']?\s*\)", css.decode("utf-8", "replace")):
                found.add(f"{folder}/{name}")  # fonts the stylesheet names by relative URL
    if found:
        variants.families["assets"] = sorted(found)


def _etag(port: int, path: str) -> str | None:
    """The ETag (or, without one, the body) of a 200 answer to ``path``; ``None`` for anything else."""
    try:
        status, headers, body = get(port, path)
    except (OSError, http.client.HTTPException):
        return None
    return (headers.get("ETag") or body.hex()) if status == 200 else None


def _status(port: int, path: str) -> int:
    try:
        return get(port, path)[0]
    except (OSError, http.client.HTTPException):
        return 0


@dataclass
class Memory:
    """Worker RSS before and after serving every variant, and after the load."""

    workers: list[int]
    before: dict[int, float | None]
    after_variants: dict[int, float | None] = field(default_factory=dict)
    after_load: dict[int, float | None] = field(default_factory=dict)
    pss_after_variants: dict[int, float | None] = field(default_factory=dict)
    master: float | None = None
    master_pid: int = 0
    pinned: bool = True
    served: int = 0
    failures: list[str] = field(default_factory=list)


def serve_every_variant(server: Server, memory: Memory, variants: Variants) -> Memory:
    """Each worker answers each variant once (through a connection it holds); then read RSS."""
    workers = memory.workers
    paths = variants.all()
    for pid in workers:
        client = PinnedClient(server, pid, workers)
        try:
            for path in paths:
                status = client.fetch(path)
                if status == 0 and client.connection is None:
                    memory.pinned = False
                    log(f"could not pin worker {pid}; sending each variant 8 times on new connections instead")
                    for path_again in paths:
                        for _ in range(8):
                            _status(server.port, path_again)
                    break
                memory.served += 1
                if status != 200:
                    memory.failures.append(f"{path} -> {status}")
        finally:
            client.close()
    memory.after_variants = {pid: rss_mb(pid) for pid in workers}
    memory.pss_after_variants = {pid: pss_mb(pid) for pid in workers}
    memory.master = rss_mb(server.pid)
    memory.master_pid = server.pid
    return memory


# --------------------------------------------------------------------------------------------
# wrk


@dataclass(frozen=True)
class WrkResult:
    """What one wrk run reports."""

    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    bad_status: int
    socket_errors: int
    statuses: dict[int, int] = field(default_factory=dict)
    """Answers by status, when the run counted them (``count_statuses``)."""
    cpu_us_per_request: float | None = None
    """CPU time the server's processes spent during the run, per request (user + system)."""


_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}


def _latency_ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", text)
    if not match:
        raise ValueError(f"cannot read the latency {text!r}")
    return float(match.group(1)) * _UNITS_MS[match.group(2)]


def parse_wrk(output: str) -> WrkResult:
    """Requests per second, p50 and p99 from ``wrk --latency`` output."""
    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    p50 = re.search(r"^\s+50%\s+(\S+)", output, re.MULTILINE)
    p99 = re.search(r"^\s+99%\s+(\S+)", output, re.MULTILINE)
    requests = re.search(r"(\d+) requests in", output)
    if not (rps and p50 and p99 and requests):
        raise ValueError(f"unexpected wrk output:\n{output}")
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    return WrkResult(
        rps=float(rps.group(1)),
        p50_ms=_latency_ms(p50.group(1)),
        p99_ms=_latency_ms(p99.group(1)),
        requests=int(requests.group(1)),
        bad_status=int(bad.group(1)) if bad else 0,
        socket_errors=sum(int(value) for value in errors.groups()) if errors else 0,
        statuses={
            int(status): int(count) for status, count in re.findall(r"^voipdown-status (\d+) (\d+)$", output, re.M)
        },
    )


STATUS_SCRIPT = """
-- Count answers by status in every wrk thread; print the totals when the run is done.
local threads = {}
function setup(thread) table.insert(threads, thread) end
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
"""A wrk script counting statuses: it makes wrk read every response, so it is used on both sides of a pair."""


def run_wrk(
    url: str, profile: Profile, headers: Sequence[str] = (), duration_s: int | None = None, count_statuses: bool = False
) -> WrkResult:
    """One ``wrk --latency`` run against ``url``."""
    duration = duration_s or profile.duration_s
    command = [WRK, f"-t{profile.threads}", f"-c{profile.connections}", f"-d{duration}s", "--timeout", "5s"]
    for header in headers:
        command += ["-H", header]
    with tempfile.NamedTemporaryFile("w", suffix=".lua", prefix="voipdown-bench-") as script:
        if count_statuses:
            script.write(STATUS_SCRIPT)
            script.flush()
            command += ["-s", script.name]
        command += ["--latency", url]
        completed = subprocess.run(command, capture_output=True, text=True, timeout=duration + 30, check=False)
    if completed.returncode != 0:
        raise RuntimeError(f"wrk failed ({completed.returncode}): {completed.stderr or completed.stdout}")
    return parse_wrk(completed.stdout)


@dataclass
class Row:
    """One endpoint's throughput results over the rounds."""

    endpoint: Endpoint
    status: str = "ok"
    headers: tuple[str, ...] = ()
    body_bytes: int = 0
    service: list[WrkResult] = field(default_factory=list)
    ceiling: list[WrkResult] = field(default_factory=list)

    @property
    def ratios(self) -> list[float]:
        return [a.rps / b.rps for a, b in zip(self.service, self.ceiling, strict=False) if b.rps > 0]

    @property
    def cpu_ratios(self) -> list[float]:
        """Ceiling CPU per request / service CPU per request, per pair: above 1, the service is cheaper."""
        return [
            b.cpu_us_per_request / a.cpu_us_per_request
            for a, b in zip(self.service, self.ceiling, strict=False)
            if a.cpu_us_per_request and b.cpu_us_per_request
        ]

    @property
    def loadable(self) -> bool:
        return self.status == "ok"


def check_endpoint(port: int, endpoint: Endpoint) -> Row:
    """Whether ``endpoint`` answers as it must (200, or 304 to its ETag) before it is loaded."""
    row = Row(endpoint)
    try:
        status, headers, body = get(port, endpoint.path)
    except (OSError, http.client.HTTPException) as error:
        row.status = f"no answer ({error.__class__.__name__})"
        return row
    if status != 200:
        row.status = f"missing ({status})" if status == 404 else f"answers {status}"
        return row
    row.body_bytes = len(body)
    if endpoint.conditional:
        etag = headers.get("ETag")
        if not etag:
            row.status = "no ETag on the 200"
            return row
        header = f"If-None-Match: {etag}"
        status, _, body = get(port, endpoint.path, {"If-None-Match": etag})
        if status != 304:
            row.status = f"not 304 (got {status})"
            return row
        row.headers = (header,)
        row.body_bytes = len(body)
    return row


def measured(server: Server, load: Callable[[], WrkResult]) -> WrkResult:
    """``load()``, with the CPU time the server's master and workers spent during it."""
    pids = [server.pid, *children(server.pid)]
    before = cpu_seconds(pids)
    result = load()
    spent = cpu_seconds(pids) - before
    per_request = spent * 1e6 / result.requests if result.requests else None
    return replace(result, cpu_us_per_request=per_request)


def load_rounds(service: Server, ceiling: Server, rows: list[Row], profile: Profile) -> None:
    """For each round and endpoint, a service run and a ceiling run back to back, alternating order."""
    for round_index in range(profile.rounds):
        for row in rows:
            if not row.loadable:
                continue
            counted = row.endpoint.conditional
            runs = {
                "service": lambda row=row, counted=counted: measured(
                    service,
                    lambda: run_wrk(service.url(row.endpoint.path), profile, row.headers, count_statuses=counted),
                ),
                "ceiling": lambda counted=counted: measured(
                    ceiling, lambda: run_wrk(ceiling.url(ceiling.ready_path), profile, count_statuses=counted)
                ),
            }
            order = ["service", "ceiling"] if round_index % 2 == 0 else ["ceiling", "service"]
            try:
                results = {which: runs[which]() for which in order}
            except (RuntimeError, ValueError, subprocess.TimeoutExpired) as error:
                row.status = f"load failed in round {round_index + 1}: {str(error).splitlines()[0][:80]}"
                log(f"{row.endpoint.label}: {row.status}")
                continue
            row.service.append(results["service"])
            row.ceiling.append(results["ceiling"])
            log(
                f"round {round_index + 1}/{profile.rounds} {row.endpoint.label}: "
                f"{row.service[-1].rps:,.0f} req/s vs ceiling {row.ceiling[-1].rps:,.0f} "
                f"= {row.ratios[-1] if row.ratios else 0:.2f}; CPU/req "
                f"{_number(row.service[-1].cpu_us_per_request)} vs {_number(row.ceiling[-1].cpu_us_per_request)} µs"
            )


# --------------------------------------------------------------------------------------------
# In-process renders

KEPT_CACHES = frozenset({"font_face", "_cairosvg", "languages"})
GLYPH_CACHES = frozenset({"render.glyphs.glyph_path"})
"""Caches keyed by glyph (not by text): kept in the *glyph paths kept* measure."""
"""Process-lifetime resources (open fonts, the cairosvg module, parsed translations): never cleared."""
RENDER_PACKAGES = ("widget.layout.", "widget.render.", "widget.text.")


def render_caches() -> list[tuple[str, Any]]:
    """Every functools cache of the layout, render and text packages except process-lifetime resources."""
    found = []
    for name, module in sorted(sys.modules.items()):
        if not name.startswith(RENDER_PACKAGES) or module is None:
            continue
        for attribute, value in sorted(vars(module).items()):
            if (
                callable(getattr(value, "cache_clear", None))
                and getattr(value, "__module__", None) == name
                and attribute not in KEPT_CACHES
            ):
                found.append((f"{name.removeprefix('widget.')}.{attribute}", value))
    return found


def font_faces() -> list[Any]:
    """Every font face the renderer opens (each keeps its glyph outlines in ``outlines``)."""
    from widget.layout.fonts import Script, Weight, font_face

    faces = {id(face): face for face in (font_face(script, weight) for script in Script for weight in Weight)}
    return list(faces.values())


@dataclass(frozen=True)
class Medians:
    """Median wall-clock and CPU (this thread) milliseconds of one action."""

    wall_ms: float
    cpu_ms: float


@dataclass
class Timing:
    """Medians of a cold render, in the two senses of cold."""

    label: str
    iterations: int
    cold: Medians
    """Every render cache and every glyph outline cache emptied: a fresh worker's first request."""
    outlines_kept: Medians
    """Every render cache emptied, outlines already read from the fonts kept."""
    glyphs_kept: Medians
    """Only text-level caches (shaping) emptied: glyph paths and outlines kept, as in a worker that has
    drawn other variants, e.g. on the day after its first."""
    fresh: Medians
    """Everything emptied, then the service's own start-up preparation run (untimed), as gunicorn's
    master does before it forks: a fresh worker's first request. Equal to ``cold`` without one."""
    fresh_iterations: int


def medians(action: Callable[[], object], reset: Callable[[], None], iterations: int) -> Medians:
    """Medians of ``iterations`` timings of ``action``, each after ``reset`` (not timed).

    CPU time (``time.thread_time``) leaves out the time other processes hold the core, so it is the
    steadier number on a shared machine; the issue's targets are judged on wall-clock time.
    """
    walls, cpus = [], []
    for _ in range(iterations):
        reset()
        wall, cpu = time.perf_counter_ns(), time.thread_time_ns()
        action()
        cpus.append((time.thread_time_ns() - cpu) / 1e6)
        walls.append((time.perf_counter_ns() - wall) / 1e6)
    return Medians(statistics.median(walls), statistics.median(cpus))


@dataclass
class Renders:
    """In-process results."""

    timings: list[Timing] = field(default_factory=list)
    cleared: list[str] = field(default_factory=list)
    preparation: str = ""
    pybadges: Medians | None = None
    pybadges_note: str = ""
    card_note: str = ""


def card_action(lang: str, state: Any) -> tuple[Callable[[], object] | None, str]:
    """A callable rendering the social card PNG in ``lang`` exactly as ``/card.png`` builds it, if it exists."""
    from widget.render.png import svg_to_png

    try:
        from widget.web.page import card_svg
    except ImportError:
        try:
            from widget.render.card import Card, render_card_svg
        except ImportError as error:
            return None, f"no social card in this checkout ({error})"
        from widget.text.catalog import counter_texts

        def card_svg(state: Any, lang: str) -> str:
            texts = counter_texts(lang, state.days, state.ended)
            tone = "ended" if state.ended else "running"
            return render_card_svg(Card(texts.message, texts.sentence, texts.label, lang, texts.direction, tone))

        return (lambda: svg_to_png(card_svg(state, lang))), "svg_to_png(widget.render.card.render_card_svg(...))"
    return (lambda: svg_to_png(card_svg(state, lang))), "svg_to_png(widget.web.page.card_svg(state, lang))"


FRESH_ITERATIONS = {"full": 15, "quick": 4}
"""Fresh-worker timings rerun the start-up preparation (about 0.1 s) before each one: fewer of them."""


def startup_preparation() -> tuple[Callable[[], object] | None, str]:
    """What ``voipdown serve`` does before gunicorn forks to make first requests cheap, if anything."""
    try:
        from widget.render.preparation import draw_every_badge_glyph
    except ImportError:
        return None, "none found (no `widget.render.preparation.draw_every_badge_glyph`)"
    return draw_every_badge_glyph, "`widget.render.preparation.draw_every_badge_glyph()`"


def measure_renders(profile: Profile) -> Renders:
    """Cold render medians of SVG and PNG badges in three scripts, the card, and pybadges."""
    import_widget()
    from widget.config import load_settings
    from widget.counting import counter_state, system_clock
    from widget.render.badge import PALETTES, render_badge_svg
    from widget.render.counter_badge import counter_badge
    from widget.render.png import badge_to_png, svg_to_png
    from widget.text.catalog import counter_texts

    settings = load_settings(os.environ, system_clock())
    state = counter_state(settings.start_date, settings.end_date, settings.zone, system_clock())

    def badge_of(lang: str) -> object:
        texts = counter_texts(lang, state.days, state.ended)
        return counter_badge(texts, state.ended, "flat", "light")

    def svg_of(lang: str) -> Callable[[], str]:
        def render() -> str:
            return render_badge_svg(badge_of(lang))

        return render

    def png_of(lang: str) -> Callable[[], bytes]:
        def render() -> bytes:
            return badge_to_png(badge_of(lang), 2)

        return render

    badge_to_png(badge_of("fr"), 2)  # load cairo once, outside every timing
    svg_to_png(svg_of("fr")(), 2)  # and import cairosvg, which the card uses
    actions: list[tuple[str, Callable[[], object], int]] = []
    for lang, name in (("ar", "Arabic"), ("zgh", "Tifinagh"), ("fr", "French")):
        actions.append((f"{name} SVG badge ({lang}, flat)", svg_of(lang), profile.svg_iterations))
    for lang, name in (("ar", "Arabic"), ("zgh", "Tifinagh"), ("fr", "French")):
        actions.append((f"{name} PNG badge ({lang}, flat, scale 2)", png_of(lang), profile.png_iterations))
    renders = Renders()
    for lang, name in (("ar", "Arabic"), ("fr", "French")):
        card, renders.card_note = card_action(lang, state)
        if card is not None:
            card()
            actions.append((f"{name} social card PNG ({lang}, 1200x630)", card, profile.card_iterations))

    caches = render_caches()
    renders.cleared = [name for name, _ in caches]
    faces = font_faces()

    text_caches = [cached for name, cached in caches if name not in GLYPH_CACHES]

    def clear_text() -> None:
        for cached in text_caches:
            cached.cache_clear()

    def clear_render() -> None:
        for _, cached in caches:
            cached.cache_clear()

    def clear_all() -> None:
        clear_render()
        for face in faces:
            face.outlines.clear()

    prepare, renders.preparation = startup_preparation()

    def fresh_worker() -> None:
        clear_all()
        if prepare is not None:
            prepare()
        clear_text()

    for label, action, iterations in actions:
        cold = medians(action, clear_all, iterations)
        fresh_iterations = min(iterations, FRESH_ITERATIONS[profile.name]) if prepare else iterations
        timing = Timing(
            label,
            iterations,
            cold=cold,
            outlines_kept=medians(action, clear_render, iterations),
            glyphs_kept=medians(action, clear_text, iterations),
            fresh=medians(action, fresh_worker, fresh_iterations) if prepare else cold,
            fresh_iterations=fresh_iterations,
        )
        renders.timings.append(timing)
        log(
            f"{label} (CPU): {timing.fresh.cpu_ms:.2f} ms fresh worker, {timing.cold.cpu_ms:.2f} cold "
            f"({timing.cold.wall_ms:.2f} wall), {timing.outlines_kept.cpu_ms:.2f} outlines kept, "
            f"{timing.glyphs_kept.cpu_ms:.2f} glyph paths kept"
        )

    try:
        import pybadges
    except ImportError:
        renders.pybadges_note = "skipped: pybadges is not installed (`pip install pybadges` to add this row)"
        log(renders.pybadges_note)
        return renders
    texts = counter_texts("fr", state.days, state.ended)
    colors = PALETTES[("light", "ended" if state.ended else "running")]

    def peer() -> str:
        return str(
            pybadges.badge(
                left_text=texts.label,
                right_text=texts.message,
                left_color=colors.label_background,
                right_color=colors.message_background,
                whole_title=texts.sentence,
            )
        )

    peer()
    renders.pybadges = medians(peer, lambda: None, profile.svg_iterations)
    renders.pybadges_note = f"pybadges {getattr(pybadges, '__version__', '')}".strip()
    return renders


# --------------------------------------------------------------------------------------------
# Start-up


def measure_starts(profile: Profile, log_dir: Path) -> list[float]:
    """Seconds from spawning the service to its first answered /healthz, for a few fresh starts."""
    samples = []
    for _ in range(profile.starts):
        port = free_port()
        started = time.perf_counter()
        server = spawn("start", service_command(), port, "/healthz", log_dir)
        try:
            wait_ready(server)
            samples.append(time.perf_counter() - started)
        finally:
            stop(server)
    return samples


# --------------------------------------------------------------------------------------------
# Report


def _median(values: Sequence[float]) -> float | None:
    return statistics.median(values) if values else None


def _verdict(met: bool | None) -> str:
    return "n/a" if met is None else ("met" if met else "**missed**")


def _number(value: float | None, spec: str = ",.0f") -> str:
    return "-" if value is None else format(value, spec)


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f} ms"


@dataclass
class Report:
    """Everything measured, and the Markdown it becomes."""

    profile: Profile
    command: str
    options: dict[str, Any]
    started: datetime
    rows: list[Row] = field(default_factory=list)
    renders: Renders | None = None
    starts: list[float] = field(default_factory=list)
    memory: Memory | None = None
    variants: Variants | None = None
    embed: tuple[int, int] | None = None
    embed_note: str = ""
    missed: list[str] = field(default_factory=list)
    elapsed_s: float = 0.0
    revision: str = "unknown"

    def markdown(self) -> str:
        self.missed = []
        lines = [
            "# voipdown benchmark results",
            "",
            f"- date: {self.started:%Y-%m-%d %H:%M} UTC ({self.elapsed_s:.0f} s run, {self.profile.name} profile)",
            f"- machine: {os.cpu_count()} CPUs (`nproc` {_nproc()}), {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}, {_version_line([WRK, '--version'])}",
            f"- command: `{self.command}`; code: {self.revision}",
            f"- service: `{' '.join(['python3', *service_command()[1:]])}` with `PORT` (the Procfile's "
            f"`voipdown serve`); ceiling: `bench/ceiling_app.py` (one Flask route, constant 1 KB body)",
            "- gunicorn options for both (`widget.cli.gunicorn_options`): "
            + ", ".join(
                f"{name}={value}"
                for name, value in self.options.items()
                if name not in ("bind", "accesslog", "errorlog", "forwarded_allow_ips")
            ),
            f"- load: `wrk -t{self.profile.threads} -c{self.profile.connections} -d{self.profile.duration_s}s "
            f"--latency`, {self.profile.rounds} rounds; in each round every endpoint is run back to back with the "
            "ceiling (A B, next round B A); the ratio is taken within each pair, then the median over rounds. "
            "req/s, p50 and p99 are medians over rounds too. wrk shares the 2 cores with the servers.",
            "",
        ]
        lines += self._throughput()
        lines += self._renders()
        lines += self._memory()
        lines += self._startup()
        lines += self._embed()
        lines += ["## Targets missed", ""]
        lines += [f"- {item}" for item in self.missed] or ["- none"]
        return "\n".join(lines) + "\n"

    def _throughput(self) -> list[str]:
        lines = [
            "## Throughput (service / bare Flask ceiling, same round)",
            "",
            "| endpoint | status | body B | req/s | p50 | p99 | ceiling req/s | ceiling p50 | ceiling p99 "
            "| ratio (median) | ratios per round | target | verdict | CPU µs/req | ceiling CPU µs/req | CPU ratio |",
            "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|---|---|---|--:|--:|--:|",
        ]
        for row in self.rows:
            label = row.endpoint.label
            target = "-" if row.endpoint.control else f"≥ {TARGET_RATIO:g}"
            if not row.service:
                dashes = " | ".join("-" * 9)
                lines.append(f"| `{label}` | {row.status} | {dashes} | {target} | not measured | - | - | - |")
                if not row.endpoint.control:
                    self.missed.append(f"throughput `{label}`: not measured ({row.status})")
                continue
            ratio = _median(row.ratios) or 0.0
            met = None if row.endpoint.control else ratio >= TARGET_RATIO
            if met is False:
                self.missed.append(f"throughput `{label}`: ratio {ratio:.2f} < {TARGET_RATIO:g}")
            status = row.status
            bad = sum(result.bad_status for result in row.service)
            errors = sum(result.socket_errors for result in row.service + row.ceiling)
            if bad:
                status += f", {bad} non-2xx/3xx"
            if errors:
                status += f", {errors} socket errors"
            if row.endpoint.conditional:
                answers: dict[int, int] = {}
                for result in row.service:
                    for code, count in result.statuses.items():
                        answers[code] = answers.get(code, 0) + count
                if not answers:
                    status += ", statuses not counted"
                elif set(answers) == {304}:
                    status += f", all {answers[304]:,} answers 304"
                else:
                    status += ", answers " + ", ".join(f"{code}: {count:,}" for code, count in sorted(answers.items()))
            lines.append(
                f"| `{label}` | {status} | {row.body_bytes:,} "
                f"| {_median([r.rps for r in row.service]):,.0f} "
                f"| {_ms(_median([r.p50_ms for r in row.service]))} | {_ms(_median([r.p99_ms for r in row.service]))} "
                f"| {_median([r.rps for r in row.ceiling]):,.0f} "
                f"| {_ms(_median([r.p50_ms for r in row.ceiling]))} | {_ms(_median([r.p99_ms for r in row.ceiling]))} "
                f"| **{ratio:.2f}** | {' '.join(f'{value:.2f}' for value in row.ratios)} | {target} | {_verdict(met)} "
                f"| {_number(_median([r.cpu_us_per_request for r in row.service if r.cpu_us_per_request]))} "
                f"| {_number(_median([r.cpu_us_per_request for r in row.ceiling if r.cpu_us_per_request]))} "
                f"| {_number(_median(row.cpu_ratios), '.2f')} |"
            )
        lines += [
            "",
            "The control row is a service route with no cache (`/healthz`, `Cache-Control: no-store`) that runs "
            "Flask, its blueprints and after-request hooks for a tiny body: near 1.0 it says the two servers are "
            "comparable; its spread over rounds shows how noisy the machine was. *CPU µs/req*: user + system CPU "
            "time of the server's master and workers during the run, per request; *CPU ratio* = ceiling's / "
            "service's, per pair, median (above 1, a request costs the service less CPU than the bare route). "
            "It is much steadier than req/s on a shared machine, but informative only: the verdict is on req/s.",
        ]
        return [*lines, ""]

    def _renders(self) -> list[str]:
        renders = self.renders
        if renders is None:
            return []
        text_caches = [name for name in renders.cleared if name not in GLYPH_CACHES]
        lines = [
            "## Cold renders, in-process (median)",
            "",
            "What a cache miss in the web layer does, timed: texts, layout, SVG, and for PNG cairosvg at "
            "scale 2. Fonts stay open, translations parsed and cairosvg imported (process-lifetime). Before each "
            "iteration: *cold* empties every render cache ("
            + ", ".join(f"`{name}`" for name in renders.cleared)
            + ") and every font face's glyph outline cache (`FontFace.outlines`). **fresh worker** (the targets "
            "are judged on it) does the same, then runs the start-up preparation `voipdown serve` runs in "
            f"gunicorn's master before it forks ({renders.preparation}; untimed, it is part of start-up), then "
            "empties the text caches again: a new worker's first request for a variant. Without a preparation it "
            "equals *cold*. *outlines kept* empties the render caches only. *glyph paths kept* empties only "
            + (", ".join(f"`{name}`" for name in text_caches) or "nothing")
            + ", as in a worker that has drawn other variants. "
            "Verdicts use **CPU time** (this thread's, `time.thread_time`): the render is single-threaded and does "
            "no I/O, so on an idle machine wall-clock equals it, while on this shared one wall-clock also counts "
            "the time other processes held the core. Only the *cold, wall* column is wall-clock.",
            "",
            "| render | n | **fresh worker, CPU** (n) | cold, CPU | cold, wall | outlines kept, CPU "
            "| glyph paths kept, CPU | target | verdict |",
            "|---|--:|--:|--:|--:|--:|--:|---|---|",
        ]
        french_svg = None
        for timing in renders.timings:
            target, limit = "-", None
            if timing.label.startswith("Arabic SVG"):
                target, limit = f"≤ {TARGET_ARABIC_SVG_MS:g} ms", TARGET_ARABIC_SVG_MS
            elif "PNG badge" in timing.label:
                target, limit = f"≤ {TARGET_PNG_MS:g} ms", TARGET_PNG_MS
            if timing.label.startswith("French SVG"):
                french_svg = timing
            met = None if limit is None else timing.fresh.cpu_ms <= limit
            verdict = _verdict(met)
            if met is False and limit is not None:
                self.missed.append(
                    f"cold render {timing.label}: {timing.fresh.cpu_ms:.2f} ms CPU in a fresh worker "
                    f"({timing.cold.cpu_ms:.2f} ms with nothing prepared, {timing.glyphs_kept.cpu_ms:.2f} ms "
                    f"glyph paths kept) > {limit:g} ms"
                )
            lines.append(
                f"| {timing.label} | {timing.iterations} "
                f"| **{_ms(timing.fresh.cpu_ms)}** ({timing.fresh_iterations}) "
                f"| {_ms(timing.cold.cpu_ms)} | {_ms(timing.cold.wall_ms)} "
                f"| {_ms(timing.outlines_kept.cpu_ms)} | {_ms(timing.glyphs_kept.cpu_ms)} | {target} | {verdict} |"
            )
        if not any("social card" in timing.label for timing in renders.timings):
            lines.append(f"| Social card PNG | - | - | - | - | - | - | - | not measured: {renders.card_note} |")
        peer = renders.pybadges
        if peer is not None and french_svg is not None:
            lines.append(
                f"| French SVG badge by {renders.pybadges_note} (`<text>`: no shaping, no outlines) "
                f"| {self.profile.svg_iterations} | - | {_ms(peer.cpu_ms)} | {_ms(peer.wall_ms)} | - | - "
                f"| ours / pybadges (CPU): **{french_svg.fresh.cpu_ms / peer.cpu_ms:.1f}x** fresh worker, "
                f"{french_svg.cold.cpu_ms / peer.cpu_ms:.1f}x cold | - |"
            )
        else:
            lines.append(f"| French SVG badge by pybadges | - | - | - | - | - | - | - | {renders.pybadges_note} |")
        if any("social card" in timing.label for timing in renders.timings):
            lines.append("")
            lines.append(f"Social card timed as `{renders.card_note}`.")
        return [*lines, ""]

    def _memory(self) -> list[str]:
        memory, variants = self.memory, self.variants
        if memory is None or variants is None:
            return []
        counts = ", ".join(f"{name} {len(paths)}" for name, paths in variants.families.items())
        missing = f"; missing endpoints: {', '.join(variants.missing)}" if variants.missing else ""
        how = (
            "Each worker served every variant once, through a keep-alive connection it holds (matched through "
            "/proc/net/tcp)"
            if memory.pinned
            else "A worker could not be pinned: each variant was sent 8 times on new connections"
        )
        failures = f"{len(memory.failures)} not 200: {', '.join(memory.failures[:5])}" if memory.failures else "all 200"
        lines = [
            "## Worker memory",
            "",
            f"Variants: **{len(variants.all())}** ({counts}){missing}. {how}: {memory.served} answers, {failures}. "
            "*After start* is read before any request but the readiness probe.",
            "",
            "| worker pid | RSS after start | RSS after every variant | RSS after the load | target | verdict "
            "| PSS after every variant |",
            "|---|--:|--:|--:|---|---|--:|",
        ]
        for pid in memory.workers:
            values = [memory.before.get(pid), memory.after_variants.get(pid), memory.after_load.get(pid)]
            known = [value for value in values[1:] if value is not None]
            met = max(known) <= TARGET_RSS_MB if known else None
            if met is False:
                self.missed.append(f"worker {pid} RSS {max(known):.1f} MB > {TARGET_RSS_MB:g} MB")
            shown = " | ".join("-" if value is None else f"{value:.1f} MB" for value in values)
            pss = memory.pss_after_variants.get(pid)
            shown_pss = "-" if pss is None else f"{pss:.1f} MB"
            lines.append(f"| {pid} | {shown} | ≤ {TARGET_RSS_MB:g} MB | {_verdict(met)} | {shown_pss} |")
        if memory.master is not None:
            lines.append(f"| master {memory.master_pid} | - | {memory.master:.1f} MB | - | - | - | - |")
        lines += ["", "RSS counts pages shared with the master (`preload_app`) in full; PSS counts them by share."]
        return [*lines, ""]

    def _startup(self) -> list[str]:
        if not self.starts:
            return []
        median = statistics.median(self.starts)
        met = median <= TARGET_START_S
        if not met:
            self.missed.append(f"start to first answer {median:.2f} s > {TARGET_START_S:g} s")
        return [
            "## Start-up",
            "",
            "| measure | median | samples | target | verdict |",
            "|---|--:|---|---|---|",
            f"| spawn to first answered `/healthz` | {median:.2f} s | "
            f"{', '.join(f'{value:.2f}' for value in self.starts)} | ≤ {TARGET_START_S:g} s | {_verdict(met)} |",
            "",
        ]

    def _embed(self) -> list[str]:
        lines = ["## Embed script", "", "| measure | bytes | target | verdict |", "|---|--:|---|---|"]
        if self.embed is None:
            lines.append(f"| `/embed.js` gzip -9 | - | ≤ {TARGET_EMBED_GZ_BYTES:,} | not measured: {self.embed_note} |")
            self.missed.append(f"embed script size: not measured ({self.embed_note})")
        else:
            raw, packed = self.embed
            met = packed <= TARGET_EMBED_GZ_BYTES
            if not met:
                self.missed.append(f"embed script {packed} B gzipped > {TARGET_EMBED_GZ_BYTES} B")
            lines.append(f"| `/embed.js` as served | {raw:,} | - | - |")
            lines.append(f"| `/embed.js` gzip -9 | {packed:,} | ≤ {TARGET_EMBED_GZ_BYTES:,} (3 KB) | {_verdict(met)} |")
        return [*lines, ""]


def _revision() -> str:
    """The checkout's commit, and whether the working tree differed from it."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, timeout=5, check=False
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "widget"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        ).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    return f"`{head or '?'}`" + (" plus uncommitted changes under `widget/`" if dirty else "")


def _nproc() -> str:
    try:
        return subprocess.run(["nproc"], capture_output=True, text=True, timeout=5, check=False).stdout.strip()
    except OSError:
        return "?"


def _version_line(command: list[str]) -> str:
    try:
        completed = subprocess.run(command, capture_output=True, text=True, timeout=5, check=False)
    except OSError:
        return f"{command[0]} not found"
    text = (completed.stdout or completed.stderr).splitlines()
    return " ".join(text[0].split()[:2]) if text else command[0]


# --------------------------------------------------------------------------------------------
# Main


@contextlib.contextmanager
def running(server: Server) -> Iterator[Server]:
    """``server``, stopped however the block ends."""
    try:
        yield server
    finally:
        stop(server)


def measure_embed(port: int) -> tuple[tuple[int, int] | None, str]:
    """The embed script's size as served and after ``gzip -9``."""
    try:
        status, _, body = get(port, "/embed.js")
    except (OSError, http.client.HTTPException) as error:
        return None, f"no answer ({error.__class__.__name__})"
    if status != 200:
        return None, f"/embed.js answers {status}"
    return (len(body), len(gzip.compress(body, compresslevel=9, mtime=0))), ""


def run(profile: Profile, command: str, output: Path) -> Report:
    """Every measure, in order, then the report (also written to ``output``)."""
    if shutil.which(WRK) is None:
        raise SystemExit("wrk is not installed: apt-get install wrk")
    import_widget()
    from widget.cli import gunicorn_options

    began = time.perf_counter()
    options = gunicorn_options(HOST, 0)
    report = Report(profile, command, options, datetime.now(UTC), revision=_revision())
    with tempfile.TemporaryDirectory(prefix="voipdown-bench-") as folder:
        log_dir = Path(folder)
        log(f"start-up: {profile.starts} fresh starts of {' '.join(service_command())}")
        report.starts = measure_starts(profile, log_dir)
        log("start-up: " + ", ".join(f"{value:.2f} s" for value in report.starts))

        log("in-process cold renders")
        report.renders = measure_renders(profile)

        service = spawn("service", service_command(), free_port(), "/healthz", log_dir)
        with running(service):
            port = free_port()
            ceiling = spawn("ceiling", ceiling_command(port), port, ceiling_path(), log_dir)
            with running(ceiling):
                wait_ready(service)
                wait_ready(ceiling)
                workers = wait_workers(service, int(options["workers"]))
                ceiling_workers = wait_workers(ceiling, int(options["workers"]))
                log(f"service pid {service.pid} workers {workers}; ceiling pid {ceiling.pid} workers {ceiling_workers}")

                memory = Memory(workers, {pid: rss_mb(pid) for pid in workers})
                report.variants = enumerate_variants(service.port)
                log(f"serving {len(report.variants.all())} variants through each worker")
                report.memory = serve_every_variant(service, memory, report.variants)
                report.embed, report.embed_note = measure_embed(service.port)

                report.rows = [check_endpoint(service.port, endpoint) for endpoint in ENDPOINTS]
                for row in report.rows:
                    if not row.loadable:
                        log(f"not loading {row.endpoint.label}: {row.status}")
                run_wrk(ceiling.url(ceiling.ready_path), profile, duration_s=1)  # warm-up, not recorded
                load_rounds(service, ceiling, report.rows, profile)
                report.memory.after_load = {pid: rss_mb(pid) for pid in workers}
    report.elapsed_s = time.perf_counter() - began
    text = report.markdown()
    output.write_text(text)
    return report


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark voipdown against a bare Flask ceiling on loopback.")
    parser.add_argument(
        "--quick", action="store_true", help="fewer, shorter rounds (about 1 minute): a check, not a result"
    )
    parser.add_argument("--output", type=Path, default=RESULTS, help=f"Markdown file to write (default {RESULTS})")
    arguments = parser.parse_args(argv)
    profile = QUICK if arguments.quick else FULL
    command = "python3 bench/run.py" + (" --quick" if arguments.quick else "")
    if arguments.output != RESULTS:
        command += f" --output {arguments.output}"
    run(profile, command, arguments.output)
    print(arguments.output.read_text())
    log(f"written to {arguments.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
