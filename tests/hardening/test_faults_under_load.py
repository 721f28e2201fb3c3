"""Faults under a bounded load on loopback, against ``voipdown serve`` exactly as deployed.

1. While client threads fetch every route for a few seconds, one gunicorn worker is SIGKILLed and
   then the master gets SIGHUP (reload: new workers, old ones stopped gracefully). No answer may
   be wrong (every 200 is the right badge, JSON, page or script); the only failures allowed are
   requests in flight on the killed worker when it died. They are counted and reported.
2. A few dozen clients trickle their headers one byte every half second (slowloris); the other
   clients must keep getting answers quickly (p99 under a second), with no failures.
"""

import contextlib
import hashlib
import http.client
import json
import os
import signal
import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from tests.conftest import GunicornServer, start_gunicorn, stop_gunicorn, workers_of
from tests.hardening.support import hardened_app, plain_paths, record
from tests.web.casablanca_calendar import days_on, local_date

CLIENT_THREADS = 8
LOAD_SECONDS = 5.0
MAX_REQUESTS = 30_000
"""A bound on the load, whatever the machine's speed (about 1,000 requests a second here)."""
KILL_AT, HUP_AT = 1.5, 3.0
REQUEST_TIMEOUT = 5.0

SLOW_CLIENTS = 36
TRICKLE_INTERVAL = 0.5
SLOW_SECONDS = 6.0
FAST_P99_SECONDS = 1.0
FAST_TIMEOUT = 3.0


@dataclass
class Outcome:
    path: str
    started: float
    ended: float
    status: int | None = None
    digest: str | None = None
    error: str | None = None


def _get(url: str, timeout: float) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def _digest(body: bytes) -> str:
    return hashlib.blake2b(body, digest_size=16).hexdigest()


def _wait_for(condition: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def _expected(server: GunicornServer, paths: list[str]) -> dict[str, set[str]]:
    """The right body of each route, fetched twice: it must not vary between requests."""
    expected: dict[str, set[str]] = {}
    for path in paths:
        bodies = {_digest(_get(server.url + path, REQUEST_TIMEOUT)[1]) for _ in range(2)}
        assert len(bodies) == 1, f"{path} answers differ between two requests"
        expected[path] = bodies
    return expected


def _count_is_right(body: bytes, asked_on: int, answered_on: int) -> bool:
    """The JSON count is one of the days the request ran on, counted by hand (not by ``widget.counting``)."""
    return json.loads(body)["count"] in (asked_on, answered_on)


def _todays_count() -> int:
    return days_on(local_date(datetime.now(UTC)))


def test_sigkill_a_worker_and_sighup_the_master_under_load(tmp_path: Path) -> None:
    paths = [path for path in plain_paths(hardened_app()) if path != "/healthz"]
    server = start_gunicorn(tmp_path)
    outcomes: list[Outcome] = []
    lock = threading.Lock()
    try:
        master = server.process.pid
        assert _wait_for(lambda: len(workers_of(master)) == 2, 10), workers_of(master)
        expected = _expected(server, paths)
        started = time.monotonic()
        stop_at = started + LOAD_SECONDS

        def client(offset: int) -> None:
            index = offset
            while time.monotonic() < stop_at and len(outcomes) < MAX_REQUESTS:
                path = paths[index % len(paths)]
                index += 1
                outcome = Outcome(path, time.monotonic() - started, 0.0)
                try:
                    asked_on = _todays_count()
                    status, body = _get(server.url + path, REQUEST_TIMEOUT)
                    outcome.status, outcome.digest = status, _digest(body)
                    counted = path == "/api/counter.json" and status == 200
                    if counted and not _count_is_right(body, asked_on, _todays_count()):
                        outcome.digest = "wrong count"
                except (OSError, http.client.HTTPException) as error:  # reset, refused, timed out, cut short
                    outcome.error = f"{type(error).__name__}: {error}"
                outcome.ended = time.monotonic() - started
                with lock:
                    outcomes.append(outcome)

        threads = [threading.Thread(target=client, args=(offset,)) for offset in range(CLIENT_THREADS)]
        for thread in threads:
            thread.start()
        time.sleep(KILL_AT)
        victim = workers_of(master)[0]
        os.kill(victim, signal.SIGKILL)
        killed_at = time.monotonic() - started
        time.sleep(HUP_AT - KILL_AT)
        os.kill(master, signal.SIGHUP)
        hupped_at = time.monotonic() - started
        for thread in threads:
            thread.join()
        assert server.process.poll() is None, "the master died"
        replaced = lambda: len(workers_of(master)) == 2 and victim not in workers_of(master)  # noqa: E731
        assert _wait_for(replaced, 15), workers_of(master)
        for path in paths:  # after midnight in Casablanca the right answer is the new day's
            expected[path].add(_digest(_get(server.url + path, REQUEST_TIMEOUT)[1]))
    finally:
        stop_gunicorn(server)

    failed = [outcome for outcome in outcomes if outcome.error]
    wrong = [
        outcome
        for outcome in outcomes
        if not outcome.error and not (outcome.status == 200 and outcome.digest in expected[outcome.path])
    ]
    record("faults injected (SIGKILL a worker, SIGHUP the master)", 2)
    record("requests sent under worker faults", len(outcomes))
    record("requests failed under worker faults", len(failed))
    summary = (
        f"{len(outcomes)} requests, {len(failed)} failed, {len(wrong)} wrong; "
        f"kill at {killed_at:.2f} s, HUP at {hupped_at:.2f} s; failures: "
        + "; ".join(f"{o.path} {o.started:.2f}-{o.ended:.2f} {o.error}" for o in failed[:10])
    )
    print(summary)
    assert len(outcomes) > 100, summary
    assert max(outcome.started for outcome in outcomes) > hupped_at + 0.5, (
        "the load ended before the reload: " + summary
    )
    assert not wrong, summary + "; wrong: " + "; ".join(f"{o.path} {o.status} {o.digest}" for o in wrong[:10])
    assert len(failed) <= CLIENT_THREADS, summary
    in_flight_at_kill = [o for o in failed if o.started <= killed_at + 0.1 and o.ended >= killed_at - 0.1]
    assert in_flight_at_kill == failed, "failures not in flight when the worker was killed: " + summary


def test_slow_clients_do_not_starve_the_others(tmp_path: Path) -> None:
    """36 connections trickle a header byte every 0.5 s while two clients fetch badges and JSON.

    Measured on loopback (2 cores): gthread, 2 workers x 8 threads: the trickling connections hold
    every thread (gthread reads a request's headers in a pool thread once its first byte arrives,
    and gunicorn has no header timeout), so the others time out. gthread with 64 threads passes
    with 36 slow clients but not with 300 (a capacity, not a fix). The gevent worker
    (``worker_class="gevent"``, ``worker_connections=1000``) passes with 36 and with 300 (p99
    under 0.06 s), and under the SIGKILL/SIGHUP test as well.
    """
    server = start_gunicorn(tmp_path)
    host, port = server.url.removeprefix("http://").split(":")
    slow: list[socket.socket] = []
    latencies: list[float] = []
    failures: list[str] = []
    try:
        for _ in range(SLOW_CLIENTS):
            connection = socket.create_connection((host, int(port)), timeout=5)
            slow.append(connection)
        request = b"GET /badge.svg HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 1000
        stop_at = time.monotonic() + SLOW_SECONDS

        def trickle() -> None:
            position = 0
            while time.monotonic() < stop_at:
                for connection in slow:
                    with contextlib.suppress(OSError):  # the server may hang up on a slow client
                        connection.send(request[position : position + 1])
                position += 1
                time.sleep(TRICKLE_INTERVAL)

        def fast(path: str) -> None:
            time.sleep(2 * TRICKLE_INTERVAL)  # every slow client has sent its first bytes
            while time.monotonic() < stop_at:
                began = time.monotonic()
                try:
                    status, body = _get(server.url + path, FAST_TIMEOUT)
                    if status != 200 or not body:
                        failures.append(f"{path}: {status}")
                except (OSError, http.client.HTTPException) as error:
                    failures.append(f"{path}: {error}")
                latencies.append(time.monotonic() - began)

        threads = [threading.Thread(target=trickle)]
        threads += [threading.Thread(target=fast, args=(path,)) for path in ("/badge.svg", "/api/counter.json")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        for connection in slow:
            connection.close()
        stop_gunicorn(server)
    latencies.sort()
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] if latencies else float("inf")
    record("slow clients (slowloris) injected", SLOW_CLIENTS)
    record("requests sent beside slow clients", len(latencies))
    record("requests failed beside slow clients", len(failures))
    summary = f"{len(latencies)} requests beside {SLOW_CLIENTS} slow clients: p99 {p99:.3f} s, {len(failures)} failed"
    print(summary)
    assert not failures, summary + ": " + "; ".join(failures[:5])
    assert p99 < FAST_P99_SECONDS, summary
