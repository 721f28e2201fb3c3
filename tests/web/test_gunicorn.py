"""The service as it is deployed: ``voipdown serve`` under gunicorn, its headers, and its refusal of bad configs."""

import http.client
import json
import os
import re
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from flask.testing import FlaskClient

from tests.conftest import REPOSITORY, GunicornServer, start_gunicorn, stop_gunicorn
from tests.web.casablanca_calendar import during_one_local_day, seconds_to_local_midnight
from widget.config import DEFAULTS, load_settings
from widget.web import create_app

IGNORED_HEADERS = {"date", "server", "connection", "keep-alive", "transfer-encoding"}
"""Set by the HTTP server, not by the application (Connection and friends are hop-by-hop)."""
URLS = [
    "/badge.svg?lang=ar",
    "/badge.svg?lang=zgh&style=for-the-badge&theme=dark",
    "/badge.png?lang=fr&scale=2",
    "/api/counter.json?lang=en",
    "/api/shields.json",
    "/badge.svg?lang=xx",
    "/badge.png?scale=9",
    "/api/counter.json?lang=xx",
    "/nope",
    "/healthz",
]


def get(server: GunicornServer, path: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    parts = urlsplit(server.url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return response.status, {name.lower(): value for name, value in response.getheaders()}, response.read()
    finally:
        connection.close()


@pytest.fixture
def real_time_client() -> FlaskClient:
    """The same default configuration on the real clock, as the gunicorn process runs."""
    if seconds_to_local_midnight() < 10:
        time.sleep(11)  # do not compare across a change of day
    environ = {key: value for key, value in os.environ.items() if not key.startswith("VOIPDOWN_")}
    return create_app(load_settings(environ, datetime.now(UTC))).test_client()


def normalised(headers: dict[str, str]) -> dict[str, str]:
    kept = {name.lower(): value for name, value in headers.items() if name.lower() not in IGNORED_HEADERS}
    if "cache-control" in kept:
        # the two answers are a moment apart: the seconds left until midnight may differ by one
        kept["cache-control"] = re.sub(r"\b(max-age|s-maxage)=\d+", r"\1=N", kept["cache-control"])
    return kept


def max_age(headers: dict[str, str]) -> int:
    return int(re.search(r"(?<!s-)max-age=(\d+)", headers["cache-control"]).group(1))


@pytest.mark.parametrize("url", URLS)
def test_gunicorn_answers_like_the_test_client(
    gunicorn_server: GunicornServer, real_time_client: FlaskClient, url: str
) -> None:
    started = time.monotonic()
    status, headers, body = get(gunicorn_server, url)
    expected = real_time_client.get(url)
    elapsed = time.monotonic() - started
    assert status == expected.status_code
    assert body == expected.data
    assert normalised(headers) == normalised(dict(expected.headers))
    if "max-age=N" in normalised(headers).get("cache-control", ""):
        # the same seconds-to-midnight, give or take the time between the two answers
        difference = max_age(headers) - max_age({"cache-control": expected.headers["Cache-Control"]})
        assert 0 <= difference <= elapsed + 1


@pytest.mark.parametrize("url", ["/badge.svg?lang=ar", "/badge.png?lang=zgh&scale=3", "/api/counter.json"])
def test_gunicorn_revalidates_with_304(gunicorn_server: GunicornServer, real_time_client: FlaskClient, url: str):
    status, headers, _ = get(gunicorn_server, url)
    assert status == 200
    etag = headers["etag"]
    assert not etag.startswith("W/")
    status, again, body = get(gunicorn_server, url, {"If-None-Match": etag})
    assert status == 304
    assert body == b""
    assert again["etag"] == etag
    expected = real_time_client.get(url, headers={"If-None-Match": etag})
    assert expected.status_code == 304
    assert normalised(again) == normalised(dict(expected.headers))


def test_gunicorn_serves_todays_count(gunicorn_server: GunicornServer) -> None:
    """The count is the days from 2016-01-05 to today's date in Casablanca, computed here by hand."""
    answered = during_one_local_day(lambda: get(gunicorn_server, "/api/counter.json?lang=fr"))
    status, headers, body = answered.result
    assert status == 200
    document = json.loads(body)
    assert document["count"] == answered.count
    assert document["timezone"] == "Africa/Casablanca"
    assert headers["access-control-allow-origin"] == "*"
    assert max_age(headers) <= seconds_to_local_midnight() + 2


def test_gunicorn_badges_are_images(gunicorn_server: GunicornServer) -> None:
    status, headers, body = get(gunicorn_server, "/badge.png?lang=ar&scale=2")
    assert status == 200 and headers["content-type"] == "image/png"
    assert body.startswith(b"\x89PNG\r\n\x1a\n")
    status, headers, body = get(gunicorn_server, "/badge.svg?lang=zgh")
    assert status == 200 and headers["content-type"].startswith("image/svg+xml")
    assert body.startswith(b"<svg") and b'lang="zgh"' in body
    assert headers["x-content-type-options"] == "nosniff"
    assert "'none'" in headers["content-security-policy"]


def test_gunicorn_honours_the_environment(tmp_path: Path) -> None:
    server = start_gunicorn(tmp_path, end_date="2016-11-04", default_lang="en")
    try:
        status, _, body = get(server, "/api/counter.json")
        assert status == 200
        document = json.loads(body)
        assert (document["count"], document["ended"], document["lang"]) == (304, True, "en")
        assert document["sentence"] == "The VoIP block in Morocco lasted 304 days"
    finally:
        stop_gunicorn(server)
    assert server.process.returncode is not None


def run_widget(*arguments: str, timeout: float = 20, **overrides: str) -> subprocess.CompletedProcess[str]:
    environ = {key: value for key, value in os.environ.items() if not key.startswith("VOIPDOWN_")}
    environ.update(overrides)
    environ["PORT"] = "1"  # never reached: a bad config must stop before binding
    try:
        return subprocess.run(
            [sys.executable, "-m", "widget", *arguments],
            cwd=REPOSITORY,
            env=environ,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"python -m widget {' '.join(arguments)} did not stop within {timeout} s with {overrides}")


FUTURE = (datetime.now(UTC) + timedelta(days=400)).date().isoformat()
BAD_CONFIGS = [
    ({"VOIPDOWN_START_DATE": "2016-13-05"}, "start_date", "2016-13-05"),
    ({"VOIPDOWN_START_DATE": "5/1/2016"}, "start_date", "5/1/2016"),
    ({"VOIPDOWN_START_DATE": FUTURE}, "start_date", FUTURE),
    ({"VOIPDOWN_END_DATE": "2015-12-31"}, "end_date", "2015-12-31"),
    ({"VOIPDOWN_END_DATE": "yesterday"}, "end_date", "yesterday"),
    ({"VOIPDOWN_TIMEZONE": "Africa/Rabat"}, "timezone", "Africa/Rabat"),
    ({"VOIPDOWN_TIMEZONE": "Mars/Olympus_Mons"}, "timezone", "Mars/Olympus_Mons"),
    ({"VOIPDOWN_DEFAULT_LANG": "de"}, "default_lang", "de"),
]


@pytest.mark.parametrize(("environ", "key", "value"), BAD_CONFIGS)
def test_serve_refuses_a_bad_config_in_one_line(environ: dict[str, str], key: str, value: str) -> None:
    started = time.monotonic()
    result = run_widget("serve", "--host", "127.0.0.1", **environ)
    assert time.monotonic() - started < 15
    assert result.returncode != 0
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert key in lines[0] and value in lines[0], lines[0]
    assert "Traceback" not in result.stderr
    assert "Listening" not in result.stderr + result.stdout


def test_serve_refuses_an_unknown_key_in_the_config_file(tmp_path: Path) -> None:
    config = tmp_path / "voipdown.toml"
    config.write_text('start_date = 2016-01-05\nstrat_date = "2016-01-06"\n', encoding="utf-8")
    result = run_widget("serve", VOIPDOWN_CONFIG=str(config))
    assert result.returncode != 0
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and "strat_date" in lines[0], result.stderr


def test_check_config_prints_every_key_with_its_source(tmp_path: Path) -> None:
    config = tmp_path / "voipdown.toml"
    config.write_text('timezone = "Africa/Casablanca"\ndefault_lang = "ar"\n', encoding="utf-8")
    result = run_widget("check-config", VOIPDOWN_CONFIG=str(config), VOIPDOWN_START_DATE="2016-01-06")
    assert result.returncode == 0, result.stderr
    lines = {line.split("=", 1)[0].strip(): line for line in result.stdout.splitlines() if "=" in line}
    assert set(DEFAULTS) <= set(lines), result.stdout
    assert "2016-01-06" in lines["start_date"] and "VOIPDOWN_START_DATE" in lines["start_date"]
    assert "Africa/Casablanca" in lines["timezone"] and str(config) in lines["timezone"]
    assert "ar" in lines["default_lang"] and str(config) in lines["default_lang"]
    for key in set(DEFAULTS) - {"start_date", "timezone", "default_lang"}:
        assert "default" in lines[key], lines[key]


def test_check_config_reports_the_error_instead(tmp_path: Path) -> None:
    result = run_widget("check-config", VOIPDOWN_TIMEZONE="Nowhere/Atlantis")
    assert result.returncode == 2
    assert len(result.stderr.splitlines()) == 1
    assert "timezone" in result.stderr and "Nowhere/Atlantis" in result.stderr
