"""Every invalid configuration stops ``python -m widget serve`` with exit != 0 and one line naming the key.

Each key gets each kind of wrong value: the wrong TOML type, a bad string in the environment, an
empty value where none is allowed, an end before the start, a start in the future; the retired
``trust_proxy`` stops start-up whatever its value; and the file
itself can be missing, a directory, undecodable, or bad TOML, or hold an unknown key. The server
must never start (a subprocess that is still running after the timeout fails the test).
"""

import os
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.conftest import REPOSITORY, free_port
from tests.hardening.support import record

START_TIMEOUT = 30


@dataclass(frozen=True)
class Fault:
    """One invalid configuration: TOML text (or raw bytes) for the file and/or environment variables."""

    key: str
    toml: str | bytes | None = None
    environ: dict[str, str] = field(default_factory=dict)
    config_path: str | None = None
    """``VOIPDOWN_CONFIG`` pointing somewhere other than the written file (missing, a directory)."""


def _future() -> str:
    return (date.today() + timedelta(days=2)).isoformat()


WRONG_TOML_TYPES = {
    "start_date": [
        "2016",
        "true",
        '"yesterday"',
        '""',
        "[2016, 1, 5]",
        "{ year = 2016 }",
        "2016-01-05T10:00:00",
        "10:00:00",
        "1.5",
    ],
    "end_date": ["2016", "false", '"soon"', "2016-11-04T00:00:00Z", "[]", "10:00:00"],
    "timezone": ["1", "true", '"Mars/Olympus"', '""', '["Africa/Casablanca"]', '"+01:00"'],
    "default_lang": ["1", '"de"', '""', '["fr"]', '"fr-FR"'],
    "embed_enabled": ['"maybe"', "2", "1.0", '""', "[true]"],
    "public_url": ["1", "true", '"counter.example.org"', '"https://x.org/?a=1"', '["https://x.org"]', "{}"],
    "forwarded_allow_ips": ["1", "true", '"*"', '"localhost"', '["10.0.0.1", 2]', "{}"],
    "trust_proxy": ["true", "false", '"maybe"', "0", '""', "{}"],
}
BAD_ENVIRONMENT_STRINGS = {
    "start_date": ["2016-13-01", "05/01/2016", "yesterday", "", "   ", "2016-02-30", "2016-01-05T00:00"],
    "end_date": ["2016-02-30", "never", "0000-01-01", "2016/11/04"],
    "timezone": ["Mars/Olympus", "", "africa/casablanca", "../../../../etc/passwd", "Africa/Casablanca\x01", "UTC+1"],
    "default_lang": ["de", "", "fr-FR", "FRA", "ar\u200f"],
    "embed_enabled": ["maybe", "", "2", "tru"],
    "public_url": ["http://", "https://user@x.org", "https://x.org/#top", "https://x.org:0", "ftp://x.org"],
    "forwarded_allow_ips": ["*", "10.0.0.1/8", "10.0.0.300", "proxy.internal"],
    "trust_proxy": ["true", "false", "maybe", "", "yes please"],
}

FAULTS: dict[str, Fault] = {}
for key, values in WRONG_TOML_TYPES.items():
    for value in values:
        FAULTS[f"toml {key} = {value}"] = Fault(key, toml=f"{key} = {value}\n")
for key, values in BAD_ENVIRONMENT_STRINGS.items():
    for value in values:
        FAULTS[f"env {key}={value!r}"] = Fault(key, environ={f"VOIPDOWN_{key.upper()}": value})
FAULTS.update(
    {
        "env start in the future": Fault("start_date", environ={"VOIPDOWN_START_DATE": _future()}),
        "env start far in the future": Fault("start_date", environ={"VOIPDOWN_START_DATE": "2999-01-01"}),
        "toml start in the future": Fault("start_date", toml=f"start_date = {_future()}\n"),
        "env end before start": Fault("end_date", environ={"VOIPDOWN_END_DATE": "2016-01-04"}),
        "toml end before start": Fault("end_date", toml="start_date = 2020-01-01\nend_date = 2019-12-31\n"),
        "env end before toml start": Fault(
            "end_date", toml="start_date = 2020-01-01\n", environ={"VOIPDOWN_END_DATE": "2019-01-01"}
        ),
        "toml unknown key": Fault("color", toml='color = "red"\n'),
        "toml key in the wrong case": Fault("START_DATE", toml="START_DATE = 2016-01-05\n"),
        "toml key with a dash": Fault("start-date", toml="start-date = 2016-01-05\n"),
        "toml unknown table": Fault("server", toml="[server]\nport = 80\n"),
        "env unknown VOIPDOWN_ variable": Fault("VOIPDOWN_STARTDATE", environ={"VOIPDOWN_STARTDATE": "2016-01-05"}),
        "config file missing": Fault("VOIPDOWN_CONFIG", config_path="/nonexistent/voipdown.toml"),
        "config file is a directory": Fault("VOIPDOWN_CONFIG", config_path="/tmp"),
        "config file not UTF-8": Fault("VOIPDOWN_CONFIG", toml=b'start_date = 2016-01-05\ntimezone = "\xff"\n'),
        "toml syntax: no value": Fault("VOIPDOWN_CONFIG", toml="start_date = \n"),
        "toml syntax: duplicate key": Fault(
            "VOIPDOWN_CONFIG", toml="start_date = 2016-01-05\nstart_date = 2016-01-06\n"
        ),
        "toml syntax: unterminated string": Fault("VOIPDOWN_CONFIG", toml="timezone = 'Africa/Casablanca\n"),
        "toml syntax: open table": Fault("VOIPDOWN_CONFIG", toml="[[\n"),
        "PORT not a number": Fault("PORT", environ={"PORT": "http"}),
        "WEB_CONCURRENCY not a number": Fault("WEB_CONCURRENCY", environ={"WEB_CONCURRENCY": "two"}),
        "PORT out of range": Fault("PORT", environ={"PORT": "99999"}),
    }
)


@pytest.mark.parametrize("case", FAULTS)
def test_invalid_configuration_stops_start_up_with_one_line(case: str, tmp_path: Path) -> None:
    fault = FAULTS[case]
    environ = {name: value for name, value in os.environ.items() if not name.startswith("VOIPDOWN_")}
    environ.pop("WEB_CONCURRENCY", None)
    environ["PORT"] = str(free_port())
    if fault.toml is not None:
        config = tmp_path / "voipdown.toml"
        config.write_bytes(fault.toml.encode() if isinstance(fault.toml, str) else fault.toml)
        environ["VOIPDOWN_CONFIG"] = str(config)
    if fault.config_path is not None:
        environ["VOIPDOWN_CONFIG"] = fault.config_path
    environ.update(fault.environ)
    record("configuration faults injected", 1)
    try:
        finished = subprocess.run(
            [sys.executable, "-m", "widget", "serve", "--host", "127.0.0.1"],
            cwd=REPOSITORY,
            env=environ,
            capture_output=True,
            timeout=START_TIMEOUT,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"{case}: the server started (still running after {START_TIMEOUT} s)")
    stderr = finished.stderr.decode("utf-8", "replace")
    lines = stderr.splitlines()
    assert finished.returncode != 0, f"{case}: exit 0, stderr {stderr!r}"
    assert len(lines) == 1, f"{case}: {len(lines)} lines on stderr:\n{stderr[-1500:]}"
    assert fault.key in lines[0], f"{case}: the line does not name {fault.key}: {lines[0]}"
