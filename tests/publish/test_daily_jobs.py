"""The ready daily jobs in ``deploy/``: they publish just after Casablanca's midnight whatever its offset.

Morocco was on UTC+1 until 2026 and is on UTC+0 since; cron and the timer are written in UTC, so
each must fire within minutes after midnight at either offset. The jobs cannot run here (no
GitHub, no systemd as PID 1): what they would run is checked instead.
"""

import configparser
from datetime import time
from pathlib import Path

import yaml

from tests.conftest import REPOSITORY

DEPLOY = REPOSITORY / "deploy"
MIDNIGHTS_UTC = {"UTC+0": time(0, 0), "UTC+1": time(23, 0)}
"""When a Casablanca midnight falls, in UTC, at each offset Morocco has used."""
SOON_AFTER_MINUTES = 10


def soon_after(times: list[time], midnight: time) -> bool:
    minutes = [(moment.hour * 60 + moment.minute - (midnight.hour * 60 + midnight.minute)) % 1440 for moment in times]
    return any(0 <= minute <= SOON_AFTER_MINUTES for minute in minutes)


def test_the_github_workflow_publishes_after_either_midnight_and_deploys_to_pages() -> None:
    workflow = yaml.safe_load((DEPLOY / "publish-github-pages.yml").read_text(encoding="utf-8"))
    triggers = workflow[True]  # YAML 1.1 reads the key "on" as true
    times = []
    for entry in triggers["schedule"]:
        minute, hour, *every_day = entry["cron"].split()
        assert every_day == ["*", "*", "*"], entry
        times.append(time(int(hour), int(minute)))
    for offset, midnight in MIDNIGHTS_UTC.items():
        assert soon_after(times, midnight), (offset, times)
    assert "workflow_dispatch" in triggers
    assert workflow["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    steps = workflow["jobs"]["publish"]["steps"]
    runs = [step.get("run", "") for step in steps]
    uses = [step.get("uses", "").split("@")[0] for step in steps]
    publish = next(step for step in steps if step.get("run", "").startswith("voipdown publish "))
    folder = publish["run"].split()[2]
    assert publish["env"]["VOIPDOWN_PUBLIC_URL"] == "${{ vars.VOIPDOWN_PUBLIC_URL }}"
    assert any("libcairo2" in run for run in runs) and any("pip install ." in run for run in runs)
    upload = next(step for step in steps if step.get("uses", "").startswith("actions/upload-pages-artifact@"))
    assert upload["with"]["path"] == folder
    assert uses.index("actions/upload-pages-artifact") < uses.index("actions/deploy-pages")
    assert runs.index(publish["run"]) < uses.index("actions/upload-pages-artifact")


def systemd_unit(path: Path) -> configparser.ConfigParser:
    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.optionxform = str
    unit.read_string(path.read_text(encoding="utf-8"))
    return unit


def test_the_systemd_timer_runs_the_service_after_either_midnight() -> None:
    lines = (DEPLOY / "voipdown-publish.timer").read_text(encoding="utf-8").splitlines()
    calendars = [line.split("=", 1)[1].split() for line in lines if line.startswith("OnCalendar=")]
    times = []
    for day, clock, zone in calendars:
        assert (day, zone) == ("*-*-*", "UTC"), (day, zone)
        hour, minute, _second = map(int, clock.split(":"))
        times.append(time(hour, minute))
    for offset, midnight in MIDNIGHTS_UTC.items():
        assert soon_after(times, midnight), (offset, times)
    assert "Persistent=true" in lines  # a machine off at midnight publishes when it is back
    service = systemd_unit(DEPLOY / "voipdown-publish.service")["Service"]
    assert service["Type"] == "oneshot"
    program, command, folder = service["ExecStart"].split()
    assert program.endswith("/voipdown") and command == "publish"
    assert service["ReadWritePaths"] == str(Path(folder).parent)  # the site is swapped in beside the folder
