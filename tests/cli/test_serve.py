"""``voipdown serve`` as a maintainer starts it: where it listens, what it refuses, whom gunicorn believes.

Real gunicorn processes, because what is tested here (the bind address, the port check, which peers
may set forwarded headers) happens in gunicorn and the command line, not in the Flask app.
"""

import os
import re
import shlex
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import REPOSITORY, free_port, start_gunicorn, stop_gunicorn, stop_service, wait_until_answering

START_TIMEOUT = 20
OTHER_LOOPBACK = "127.0.0.2"
"""Another address of this machine (Linux routes all of 127/8 to loopback): a socket bound to
127.0.0.1 refuses it, one bound to every interface answers it, like a neighbour on a network."""


def clean_environment(**variables: str) -> dict[str, str]:
    environ = {name: value for name, value in os.environ.items() if not name.startswith("VOIPDOWN_")}
    environ.pop("WEB_CONCURRENCY", None)
    environ.update(variables)
    return environ


@pytest.fixture
def started(tmp_path: Path) -> Iterator[list[subprocess.Popen[bytes]]]:
    """Processes a test starts, each in its own session; every one is stopped (with its group) afterwards."""
    processes: list[subprocess.Popen[bytes]] = []
    yield processes
    for process in processes:
        if process.poll() is None:
            stop_service(process, group=True)


def serve(started: list[subprocess.Popen[bytes]], tmp_path: Path, command: str) -> int:
    """Run ``command`` through the shell, as a platform runs a Procfile line, on ``$PORT``; return the port."""
    port = free_port()
    log = tmp_path / f"serve-{port}.log"
    with log.open("wb") as log_file:
        process = subprocess.Popen(
            command,
            shell=True,
            cwd=REPOSITORY,
            env=clean_environment(PORT=str(port)),
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    started.append(process)
    try:
        wait_until_answering(f"http://127.0.0.1:{port}/healthz")
    except OSError:
        raise AssertionError(f"{command} did not answer:\n{log.read_text()}") from None
    return port


def answers_at(host: str, port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://{host}:{port}/healthz", timeout=5) as response:
            return response.status == 200
    except OSError:
        return False


# --- where it listens ---------------------------------------------------------------------------


def test_serve_listens_on_this_machine_only_by_default(started, tmp_path: Path) -> None:
    port = serve(started, tmp_path, f"{shlex.quote(sys.executable)} -m widget serve")
    assert answers_at("127.0.0.1", port)
    assert not answers_at(OTHER_LOOPBACK, port)


def test_the_procfile_listens_on_every_interface_on_port(started, tmp_path: Path) -> None:
    """A platform's router reaches the process from outside: the Procfile's own line must bind publicly."""
    (line,) = (Path(REPOSITORY) / "Procfile").read_text(encoding="utf-8").splitlines()
    kind, command = line.split(":", 1)
    assert kind == "web"
    assert command.split()[:2] == ["voipdown", "serve"]
    port = serve(started, tmp_path, command.strip())
    assert answers_at("127.0.0.1", port)
    assert answers_at(OTHER_LOOPBACK, port)


# --- what it refuses ----------------------------------------------------------------------------


@pytest.mark.parametrize("port", ["99999", "0", "http", "", "٨٠٠٠"])
def test_serve_with_a_bad_port_exits_2_with_one_line(port: str) -> None:
    try:
        finished = subprocess.run(
            [sys.executable, "-m", "widget", "serve", "--port", port],
            cwd=REPOSITORY,
            env=clean_environment(),
            capture_output=True,
            timeout=START_TIMEOUT,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"--port {port!r}: the server started")
    lines = finished.stderr.decode().splitlines()
    assert finished.returncode == 2, finished.stderr.decode()[-1500:]
    assert len(lines) == 1, lines
    assert lines[0].startswith(f'voipdown: config error: --port = "{port}" (from command line)'), lines[0]
    assert "1 to 65535" in lines[0]


# --- whom gunicorn believes ---------------------------------------------------------------------

HOSTILE_HEADERS = {
    "X-Forwarded-Proto": "https",
    "X-Forwarded-Ssl": "on",
    "X-Forwarded-Protocol": "ssl",
}
"""What a client sends to make the app believe it was reached over https (gunicorn's scheme headers)."""


def schemes_in_page(base_url: str, headers: dict[str, str]) -> set[str]:
    """The schemes of the page's absolute URLs pointing at this server: what the app saw as ``wsgi.url_scheme``."""
    request = urllib.request.Request(f"{base_url}/?lang=ar", headers=headers)
    with urllib.request.urlopen(request, timeout=10) as response:
        page = response.read().decode()
    host = base_url.removeprefix("http://")
    schemes = set(re.findall(rf"(https?)://{re.escape(host)}/", page))
    assert schemes, f"the page carries no absolute URL to {host}"
    return schemes


@pytest.mark.parametrize(
    ("overrides", "believed"),
    [
        pytest.param({}, False, id="no-address-named"),
        pytest.param({"forwarded_allow_ips": "10.0.0.0/8,192.0.2.1,::1"}, False, id="others-named"),
        pytest.param({"forwarded_allow_ips": "127.0.0.0/8"}, True, id="this-peers-network-named"),
    ],
)
def test_gunicorn_believes_forwarded_scheme_headers_only_from_named_addresses(
    tmp_path: Path, overrides: dict[str, str], believed: bool
) -> None:
    """The first page request to a fresh server carries the headers, so no earlier answer can stand in for it."""
    server = start_gunicorn(tmp_path, **overrides)
    try:
        assert schemes_in_page(server.url, HOSTILE_HEADERS) == ({"https"} if believed else {"http"})
    finally:
        stop_gunicorn(server)
