"""The processes the benchmark starts (the service and the bare Flask ceiling) and what /proc says of them.

Both run with ``PORT`` set and every ``VOIPDOWN_*`` variable removed, so a developer's own
configuration never changes what is measured: the service runs with its defaults, exactly as the
Procfile's ``voipdown serve`` starts it.
"""

import contextlib
import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from email.message import Message
from pathlib import Path

from bench.ceiling_app import CEILING_PATH

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"
READY_PATH = "/healthz"
START_DEADLINE_S = 30.0
"""The longest a server may take to answer its first request before the bench gives up."""
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    """A loopback port nobody is listening on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def service_command() -> list[str]:
    """The Procfile's ``voipdown serve``, as ``python3 -m widget serve`` on this checkout, loopback only."""
    return [sys.executable, "-m", "widget", "serve", "--host", HOST]


def ceiling_command() -> list[str]:
    """The bare Flask app under the same gunicorn options, on ``PORT`` as the service."""
    return [sys.executable, "-m", "bench.ceiling_app", "--host", HOST]


def bench_environment(port: int) -> dict[str, str]:
    """This process's environment with ``PORT`` set and the service's own settings removed."""
    kept = {name: value for name, value in os.environ.items() if not name.startswith("VOIPDOWN_")}
    return kept | {"PORT": str(port), "PYTHONUNBUFFERED": "1"}


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
        """The end of the server's output, to explain why it did not start."""
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def workers(self) -> list[int]:
        """The master's worker processes, as they are now."""
        return children(self.pid)


def spawn(name: str, command: list[str], ready_path: str, log_dir: Path) -> Server:
    """Start ``command`` on a free port, in its own session so it can be stopped as a group."""
    port = free_port()
    log_path = log_dir / f"{name}-{port}.log"
    with log_path.open("wb") as output:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=bench_environment(port),
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return Server(name, process, port, log_path, ready_path)


def spawn_service(log_dir: Path, name: str = "service") -> Server:
    """The service, as ``voipdown serve`` runs it."""
    return spawn(name, service_command(), READY_PATH, log_dir)


def spawn_ceiling(log_dir: Path) -> Server:
    """The bare Flask ceiling under the service's gunicorn options."""
    return spawn("ceiling", ceiling_command(), CEILING_PATH, log_dir)


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


@contextlib.contextmanager
def running(server: Server) -> Iterator[Server]:
    """``server``, stopped however the block ends."""
    try:
        yield server
    finally:
        stop(server)


def get(
    port: int, path: str, headers: Mapping[str, str] | None = None, timeout: float = 30.0
) -> tuple[int, Message, bytes]:
    """One request on a new connection: status, headers, body (as sent: not decompressed)."""
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        connection.request("GET", path, headers=dict(headers or {}))
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
        with contextlib.suppress(ConnectionError, OSError, http.client.HTTPException):
            if get(server.port, server.ready_path, timeout=5.0)[0] == 200:
                return time.perf_counter() - started
        if server.process.poll() is not None:
            raise RuntimeError(f"{server.name} exited with {server.process.returncode}:\n{server.log_tail()}")
        if time.perf_counter() - started > deadline_s or attempts > 100_000:
            raise RuntimeError(
                f"{server.name} did not answer {server.ready_path} in {deadline_s} s:\n{server.log_tail()}"
            )
        time.sleep(pause_s)


def wait_workers(server: Server, count: int, deadline_s: float = 20.0) -> list[int]:
    """The master's workers, once ``count`` of them are running (bounded wait)."""
    started = time.perf_counter()
    while time.perf_counter() - started < deadline_s:
        workers = server.workers()
        if len(workers) >= count:
            return workers
        time.sleep(0.02)
    return server.workers()


def _stat_fields(pid: int) -> list[str] | None:
    """The fields of ``/proc/<pid>/stat`` after the command name (which may hold spaces and parentheses)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat[stat.rindex(")") + 2 :].split()


def children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (gunicorn's workers of a master)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            fields = _stat_fields(int(entry.name))
            if fields is not None and int(fields[1]) == pid:
                found.append(int(entry.name))
    return sorted(found)


def cpu_seconds(pids: Sequence[int]) -> float:
    """User + system CPU seconds used so far by ``pids``."""
    ticks = 0
    for pid in pids:
        fields = _stat_fields(pid)
        if fields is not None:
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / CLOCK_TICKS


def _kilobytes(path: str, key: str) -> float | None:
    """The ``key:`` line of a /proc file, in MB (10^6 bytes); ``None`` if the process is gone."""
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(key):
                return int(line.split()[1]) * 1024 / 1e6
    except OSError:
        return None
    return None


def rss_mb(pid: int) -> float | None:
    """Resident memory of ``pid`` in MB, pages shared with the master counted in full."""
    return _kilobytes(f"/proc/{pid}/status", "VmRSS:")


def pss_mb(pid: int) -> float | None:
    """Proportional set size of ``pid`` in MB: pages shared with the master count by their share."""
    return _kilobytes(f"/proc/{pid}/smaps_rollup", "Pss:")
