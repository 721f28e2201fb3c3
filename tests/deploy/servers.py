"""nginx running the shipped ``deploy/nginx.conf`` in front of ``voipdown serve``, on loopback.

Shared by the deployment tests and ``bench/through_cache.py``:

- ``render_config`` fills the shipped file's four placeholders and nothing else, so the file the
  tests run is the file a maintainer installs;
- ``start_nginx`` runs it with Debian's nginx in its own prefix (pid, logs, temporary files),
  in the foreground so the test holds the master's pid and stops it by that pid;
- ``start_origin`` runs the service as the Procfile does, with a log of the requests that reach it
  (``tests.deploy.origin``);
- ``SharedClock`` is one settable clock for both processes: libfaketime reads the offset from a
  file on every call, so setting it moves the service's count and nginx's idea of "expired"
  together, as one machine's clock would.
"""

import contextlib
import getpass
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from tests.conftest import REPOSITORY, free_port

SHIPPED_CONFIG = REPOSITORY / "deploy" / "nginx.conf"
NGINX = "/usr/sbin/nginx"
FAKETIME_LIBRARY = "/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1"
LOOPBACK = "127.0.0.1"
PUBLIC_HOST = "counter.example.test"
PUBLIC_URL = f"https://{PUBLIC_HOST}"
"""The public address the service is configured with, as the README asks behind a cache; never resolved."""
START_DEADLINE_SECONDS = 30.0


class SharedClock:
    """A clock file for libfaketime: every process started with ``environment()`` reads its time from it.

    Only forward moves are safe for a running process (libfaketime shifts the monotonic clock too).
    """

    def __init__(self, path: Path, instant: datetime) -> None:
        self.path = path
        self.set(instant)

    def set(self, instant: datetime) -> None:
        """From now on, every process on this clock reads ``instant`` (and time runs on from there)."""
        offset = instant.timestamp() - time.time()
        self.path.write_text(f"{offset:+.6f}\n", encoding="ascii")

    def now(self) -> datetime:
        offset = float(self.path.read_text(encoding="ascii"))
        return datetime.fromtimestamp(time.time() + offset, UTC)

    def environment(self) -> dict[str, str]:
        """What a process needs in its environment to run on this clock (never FAKETIME_DONT_FAKE_MONOTONIC:
        it makes the gunicorn master's sleep fail)."""
        return {
            "LD_PRELOAD": FAKETIME_LIBRARY,
            "FAKETIME_TIMESTAMP_FILE": str(self.path),
            "FAKETIME_NO_CACHE": "1",
        }


def render_config(listen: str, origin: str, cache_directory: Path, public_host: str = PUBLIC_HOST) -> str:
    """``deploy/nginx.conf`` with its placeholders filled in, as ``envsubst`` would."""
    text = SHIPPED_CONFIG.read_text(encoding="utf-8")
    values = {
        "VOIPDOWN_PUBLIC_HOST": public_host,
        "VOIPDOWN_LISTEN": listen,
        "VOIPDOWN_ORIGIN": origin,
        "VOIPDOWN_CACHE_DIR": str(cache_directory),
    }
    for name, value in values.items():
        text = text.replace("${" + name + "}", value)
    if "${VOIPDOWN_" in text:
        raise AssertionError("deploy/nginx.conf has a placeholder render_config does not know")
    return text


MAIN_CONFIG = """\
# Process plumbing only, as a distribution's /etc/nginx/nginx.conf provides it; the caching
# server is the shipped file, included.
user {user};
daemon off;
{environment}
worker_processes {workers};
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {prefix}/client_body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    include {prefix}/voipdown.conf;
{extra}}}
"""


@dataclass
class Nginx:
    """An nginx master we started, listening on ``port``."""

    process: subprocess.Popen[bytes]
    port: int
    prefix: Path

    def error_log(self) -> str:
        path = self.prefix / "error.log"
        return path.read_text(errors="replace") if path.exists() else ""


def start_nginx(
    prefix: Path, origin_port: int, clock: SharedClock | None = None, workers: int = 2, extra_http: str = ""
) -> Nginx:
    """nginx with the shipped configuration in front of the service on ``origin_port``.

    ``extra_http`` is added to the ``http`` block (the benchmark's static server).
    """
    prefix.mkdir(parents=True, exist_ok=True)
    port = free_port()
    site = render_config(f"{LOOPBACK}:{port}", f"{LOOPBACK}:{origin_port}", prefix / "cache")
    (prefix / "voipdown.conf").write_text(site, encoding="utf-8")
    clock_environment = clock.environment() if clock else {}
    kept = "".join(f"env {name};\n" for name in clock_environment)  # nginx clears its workers' environment
    main = MAIN_CONFIG.format(
        user=getpass.getuser(), environment=kept, workers=workers, prefix=prefix, extra=extra_http
    )
    (prefix / "nginx.conf").write_text(main, encoding="utf-8")
    environment = dict(os.environ) | clock_environment
    command = [NGINX, "-p", str(prefix), "-c", str(prefix / "nginx.conf"), "-e", str(prefix / "error.log")]
    process = subprocess.Popen(command, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    nginx = Nginx(process, port, prefix)
    wait_for_port(port, process, nginx.error_log)
    return nginx


def stop_nginx(nginx: Nginx) -> None:
    """Stop the master by its pid (``SIGTERM``: a fast shutdown) and wait for it."""
    if nginx.process.poll() is None:
        nginx.process.send_signal(signal.SIGTERM)
    try:
        nginx.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        nginx.process.kill()
        nginx.process.wait()
    if nginx.process.stderr is not None:
        nginx.process.stderr.close()


@contextlib.contextmanager
def running_nginx(
    prefix: Path, origin_port: int, clock: SharedClock | None = None, workers: int = 2, extra_http: str = ""
) -> Iterator[Nginx]:
    """``start_nginx``, stopped however the block ends."""
    nginx = start_nginx(prefix, origin_port, clock, workers, extra_http)
    try:
        yield nginx
    finally:
        stop_nginx(nginx)


@dataclass(frozen=True)
class OriginRequest:
    """One request as the service received it."""

    method: str
    target: str
    headers: Mapping[str, str]
    status: int


@dataclass
class Origin:
    """``voipdown serve`` on ``port`` with its request log."""

    process: subprocess.Popen[bytes]
    port: int
    request_log: Path
    output: Path

    def requests(self, since: int = 0) -> list[OriginRequest]:
        """The requests for answers the service received (health checks aside), from the ``since``-th on."""
        if not self.request_log.exists():
            return []
        lines = self.request_log.read_text(encoding="utf-8").splitlines()
        received = [OriginRequest(**json.loads(line)) for line in lines]
        return [request for request in received if request.target != "/healthz"][since:]


def start_origin(directory: Path, clock: SharedClock | None) -> Origin:
    """The service, as the Procfile runs it, with ``public_url`` set (and no other ``VOIPDOWN_*`` setting)."""
    directory.mkdir(parents=True, exist_ok=True)
    port = free_port()
    environment = {name: value for name, value in os.environ.items() if not name.startswith("VOIPDOWN_")}
    environment["VOIPDOWN_PUBLIC_URL"] = PUBLIC_URL
    environment |= {"PORT": str(port), "PYTHONUNBUFFERED": "1"} | (clock.environment() if clock else {})
    request_log, output = directory / f"requests-{port}.jsonl", directory / f"origin-{port}.log"
    with output.open("wb") as output_file:
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.deploy.origin", str(request_log), "--host", LOOPBACK],
            cwd=REPOSITORY,
            env=environment,
            stdout=output_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    origin = Origin(process, port, request_log, output)
    wait_for_port(port, process, lambda: output.read_text(errors="replace"))
    return origin


def stop_origin(origin: Origin) -> None:
    """``SIGINT`` to the gunicorn master (its quick shutdown), then ``SIGKILL`` to the process group we
    created for it if it lingers: under libfaketime its gevent workers can sit out the whole
    graceful timeout."""
    if origin.process.poll() is None:
        origin.process.send_signal(signal.SIGINT)
    try:
        origin.process.wait(timeout=1)
    except subprocess.TimeoutExpired:
        os.killpg(origin.process.pid, signal.SIGKILL)
        origin.process.wait()
    with contextlib.suppress(ProcessLookupError):
        os.killpg(origin.process.pid, signal.SIGKILL)


def wait_for_port(port: int, process: subprocess.Popen[bytes], explain: Callable[[], str]) -> None:
    """Until ``/healthz`` answers 200 on ``port``; a process that exits or never answers is a failure."""
    deadline = time.monotonic() + START_DEADLINE_SECONDS
    while True:
        probe = Client(port, timeout=2.0)
        try:
            if probe.request("GET", "/healthz").status == 200:
                return
        except OSError:
            pass
        finally:
            probe.close()
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise AssertionError(f"server on port {port} did not start:\n{explain()}")
        time.sleep(0.05)


@dataclass(frozen=True)
class Answer:
    """A response as received: status, headers by lower-case name (repeats joined), body as sent."""

    status: int
    headers: Mapping[str, str]
    body: bytes


class Client:
    """One keep-alive HTTP/1.1 connection to a loopback port, sending exactly the request line and headers given.

    A request without ``Host`` gets the public name (what a reader's browser sends); nothing else
    is added, so hostile requests (an absolute-form target, two ``Host`` lines, odd names) go out
    as written. Bodies are read by ``Content-Length``, which nginx and the service always send here.
    """

    def __init__(self, port: int, timeout: float = 30.0) -> None:
        self.port = port
        self.timeout = timeout
        self.connection: socket.socket | None = None
        self.pending = b""

    def request(self, method: str, target: str, headers: Mapping[str, str] | Sequence[tuple[str, str]] = ()) -> Answer:
        items = list(headers.items()) if isinstance(headers, Mapping) else list(headers)
        if not any(name.lower() == "host" for name, _ in items):
            items.insert(0, ("Host", PUBLIC_HOST))
        lines = [f"{method} {target} HTTP/1.1", *(f"{name}: {value}" for name, value in items)]
        message = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        try:
            return self._exchange(message, method == "HEAD")
        except ConnectionError:  # a kept-alive connection the server had closed: once more, on a new one
            self.close()
            return self._exchange(message, method == "HEAD")

    def _exchange(self, message: bytes, head: bool) -> Answer:
        if self.connection is None:
            self.connection = socket.create_connection((LOOPBACK, self.port), timeout=self.timeout)
            self.pending = b""
        self.connection.sendall(message)
        while b"\r\n\r\n" not in self.pending:
            self._receive()
        head_block, self.pending = self.pending.split(b"\r\n\r\n", 1)
        status_line, *header_lines = head_block.decode("latin-1").split("\r\n")
        merged: dict[str, str] = {}
        for line in header_lines:
            name, _, value = line.partition(":")
            key, value = name.strip().lower(), value.strip()
            merged[key] = f"{merged[key]}, {value}" if key in merged else value
        status = int(status_line.split()[1])
        length = 0 if head or status in (204, 304) else int(merged.get("content-length", "0"))
        while len(self.pending) < length:
            self._receive()
        body, self.pending = self.pending[:length], self.pending[length:]
        if merged.get("connection", "").lower() == "close":
            self.close()
        return Answer(status, merged, body)

    def _receive(self) -> None:
        assert self.connection is not None
        chunk = self.connection.recv(65536)
        if not chunk:
            raise ConnectionResetError("the server closed the connection")
        self.pending += chunk

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
        self.connection = None
