"""Fixtures shared by every layer's tests: a settable clock, the app, real servers, a real browser."""

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.serving import BaseWSGIServer, make_server

from widget.config import Settings, load_settings
from widget.web import create_app

REPOSITORY = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGUMENTS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]


class SettableClock:
    """A clock that stands where the test puts it; ``advance`` moves it forward."""

    def __init__(self, instant: datetime) -> None:
        self.instant = instant

    def __call__(self) -> datetime:
        return self.instant

    def set(self, instant: datetime) -> None:
        self.instant = instant


@pytest.fixture
def clock() -> SettableClock:
    """27 November 2026, noon in Casablanca (UTC+0 that day): day 3979 of the block."""
    return SettableClock(datetime(2026, 11, 27, 12, 0, tzinfo=UTC))


def make_settings(**overrides: str) -> Settings:
    """Settings as a maintainer would set them through ``VOIPDOWN_*`` environment variables."""
    environ = {f"VOIPDOWN_{key.upper()}": value for key, value in overrides.items()}
    return load_settings(environ, datetime(2026, 11, 27, 12, tzinfo=UTC))


@pytest.fixture
def app(clock: SettableClock) -> Flask:
    """The application on its built-in default config, at the test's clock."""
    return create_app(make_settings(), clock)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def csp_directives(header: str) -> dict[str, list[str]]:
    """A Content-Security-Policy header as {directive: sources}."""
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0].lower()] = words[1:]
    return directives


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until_answering(url: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


@dataclass
class GunicornServer:
    """A ``voipdown serve`` process: the service exactly as the Procfile runs it."""

    process: subprocess.Popen[bytes]
    url: str
    log: Path


def start_gunicorn(tmp_path: Path, **overrides: str) -> GunicornServer:
    """Start ``voipdown serve`` on a free loopback port with ``VOIPDOWN_*`` overrides."""
    port = free_port()
    environ = {key: value for key, value in os.environ.items() if not key.startswith("VOIPDOWN_")}
    environ.update({f"VOIPDOWN_{key.upper()}": value for key, value in overrides.items()})
    environ["PORT"] = str(port)
    log = tmp_path / f"gunicorn-{port}.log"
    with log.open("wb") as log_file:
        process = subprocess.Popen(
            [sys.executable, "-m", "widget", "serve", "--host", "127.0.0.1"],
            cwd=REPOSITORY,
            env=environ,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_answering(f"{url}/healthz")
    except OSError:
        process.kill()
        raise AssertionError(f"voipdown serve did not answer:\n{log.read_text()}") from None
    return GunicornServer(process, url, log)


BOOT_GRACE_SECONDS = 2.0
"""How long a stopping service's workers get before those still running are sent the signal again."""


def workers_of(master: int) -> list[int]:
    """The children of a gunicorn master (its workers), as the kernel lists them; none once it is gone."""
    children: list[int] = []
    with contextlib.suppress(FileNotFoundError):
        for task in Path(f"/proc/{master}/task").iterdir():
            children += [int(pid) for pid in (task / "children").read_text().split()]
    return children


def stop_service(process: subprocess.Popen[bytes], group: bool = False) -> None:
    """Stop a ``voipdown serve`` master as a platform does (``SIGTERM``; to its whole process group with
    ``group``, for a service started through a shell in a session of its own) and wait for it.

    A worker still booting when the signal comes runs the handler it inherited from the master
    (gunicorn installs the worker's own once it has booted): it misses the signal, and the master
    waits out its whole graceful timeout (10 s) before killing it. Tests stop a service moments
    after it first answers, when its second worker may still be booting, so every worker still
    running after ``BOOT_GRACE_SECONDS`` gets the signal again, now with its own handler.
    """

    def send(signal_number: int, workers_too: bool) -> None:
        with contextlib.suppress(ProcessLookupError):
            if group:
                os.killpg(process.pid, signal_number)
                return
            process.send_signal(signal_number)
            for worker in workers_of(process.pid) if workers_too else ():
                os.kill(worker, signal_number)

    send(signal.SIGTERM, workers_too=False)
    for grace, retry in ((BOOT_GRACE_SECONDS, signal.SIGTERM), (15, signal.SIGKILL)):
        try:
            process.wait(timeout=grace)
            return
        except subprocess.TimeoutExpired:
            send(retry, workers_too=True)
    process.wait()


def stop_gunicorn(server: GunicornServer) -> None:
    stop_service(server.process)


@pytest.fixture(scope="session")
def gunicorn_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GunicornServer]:
    """One real gunicorn service on the default config, shared by the session's tests."""
    server = start_gunicorn(tmp_path_factory.mktemp("gunicorn"))
    yield server
    stop_gunicorn(server)


@dataclass
class ThreadedServer:
    """The real application served over HTTP from this process, so the test holds its clock."""

    url: str
    clock: SettableClock
    app: Flask


@pytest.fixture
def clocked_server(clock: SettableClock) -> Iterator[ThreadedServer]:
    """The app on a loopback port with the test's clock: for tests that travel in time."""
    application = create_app(make_settings(), clock)
    server: BaseWSGIServer = make_server("127.0.0.1", 0, application, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield ThreadedServer(f"http://127.0.0.1:{server.server_port}", clock, application)
    server.shutdown()
    thread.join()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Debian's headless Chromium driven by Playwright; absent Chromium is a failure, not a skip."""
    if not shutil.which(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (see README, 'System packages')")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGUMENTS)
        yield launched
        launched.close()
