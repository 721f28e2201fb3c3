"""``voipdown publish DIR``: as a maintainer and a daily job run it, and how it fails without leaving half a site.

The command runs in a subprocess, on the real clock, with no ``VOIPDOWN_*`` variable but those
a test sets. A site is swapped in whole: readers of ``DIR`` see the old site or the new one, never
neither and never a mix, and a run that fails (here: a file size limit, as a full disk would)
leaves the previous site as it was and nothing else behind.
"""

import hashlib
import json
import os
import resource
import shutil
import subprocess
import sys
import threading
import time
from datetime import UTC, date, datetime
from pathlib import Path

from tests.conftest import REPOSITORY, make_settings
from tests.publish.conftest import NEXT_DAY, NOON, PublishedSite
from tests.web.casablanca_calendar import during_one_local_day, local_date
from widget.publish import publish_site

PUBLIC_URL = "https://counter.example.org"


def run_publish(*arguments: str, limit_file_size: int | None = None, **settings: str) -> subprocess.CompletedProcess:
    environ = {key: value for key, value in os.environ.items() if not key.startswith("VOIPDOWN_")}
    environ.update({f"VOIPDOWN_{key.upper()}": value for key, value in settings.items()})

    def limit() -> None:
        if limit_file_size is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit_file_size, limit_file_size))

    return subprocess.run(
        [sys.executable, "-m", "widget", "publish", *arguments],
        cwd=REPOSITORY,
        env=environ,
        capture_output=True,
        text=True,
        timeout=300,
        preexec_fn=limit,
    )


def snapshot(directory: Path) -> dict[str, str]:
    """Every file under ``directory`` with a hash of its bytes."""
    return {
        path.relative_to(directory).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(directory.rglob("*"))
        if path.is_file()
    }


def test_without_an_address_it_says_what_to_set_in_one_line(tmp_path: Path) -> None:
    result = run_publish(str(tmp_path / "site"))
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and "--public-url" in result.stderr and "public_url" in result.stderr
    assert not (tmp_path / "site").exists()


def test_a_bad_address_is_refused_like_the_setting(tmp_path: Path) -> None:
    for given in ("ftp://counter.example.org", "https://counter.example.org/?x=1"):
        result = run_publish(str(tmp_path / "site"), "--public-url", given)
        assert result.returncode == 2, result.stderr
        assert result.stderr.startswith("voipdown: config error: --public-url = ") and result.stderr.count("\n") == 1
    assert run_publish(str(tmp_path / "site"), public_url="counter.example.org").returncode == 2
    assert not (tmp_path / "site").exists()


def test_a_folder_holding_other_files_is_left_alone(tmp_path: Path) -> None:
    """The site replaces ``DIR`` whole: a folder that is not a site published before is not ours to delete."""
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "plans.txt").write_text("mine", encoding="utf-8")
    result = run_publish(str(tmp_path / "notes"), "--public-url", PUBLIC_URL)
    assert result.returncode == 1 and result.stderr.count("\n") == 1 and "other files" in result.stderr
    assert snapshot(tmp_path / "notes") == {"plans.txt": hashlib.sha256(b"mine").hexdigest()}
    assert sorted(path.name for path in tmp_path.iterdir()) == ["notes"]


def test_it_publishes_today_and_a_failed_run_leaves_that_site_whole(tmp_path: Path) -> None:
    site = tmp_path / "public"
    published = during_one_local_day(lambda: run_publish(str(site), public_url=PUBLIC_URL))
    result = published.result
    assert result.returncode == 0, result.stderr
    today = date.fromordinal(date(2016, 1, 5).toordinal() + published.count)
    assert result.stdout.startswith(f"published {today.isoformat()} to {site}: ") and result.stdout.count("\n") == 1
    counter = json.loads((site / "api" / "fr" / "counter.json").read_bytes())
    assert counter["count"] == published.count and counter["valid_for"] == today.isoformat()
    assert f"{PUBLIC_URL}/fr/" in (site / "index.html").read_text(encoding="utf-8")
    before = snapshot(site)
    assert len(before) > 500

    # A disk that fills up: no file above 20 kB can be written (the page's Tifinagh font is 39 kB).
    failed = run_publish(str(site), "--public-url", "https://elsewhere.example", limit_file_size=20_000)
    assert failed.returncode == 1 and failed.stderr.startswith(f"voipdown: cannot publish to {site}: ")
    assert failed.stderr.count("\n") == 1, failed.stderr
    assert snapshot(site) == before
    assert sorted(path.name for path in tmp_path.iterdir()) == ["public"]


def test_readers_see_the_old_site_or_the_new_never_neither(published: PublishedSite, tmp_path: Path) -> None:
    """While the next day's site is swapped in, a reader polling a file always finds one day's whole answer."""
    site = tmp_path / "site"
    shutil.copytree(published.root, site)
    tomorrow = datetime(2026, 11, 28, 12, tzinfo=UTC)
    assert local_date(tomorrow).isoformat() == NEXT_DAY
    settings = make_settings(public_url=PUBLIC_URL)
    failures: list[BaseException] = []

    def republish() -> None:
        try:
            publish_site(site, settings, tomorrow)
        except BaseException as error:
            failures.append(error)

    worker = threading.Thread(target=republish)
    worker.start()
    seen: set[str] = set()
    reads = 0
    while worker.is_alive():
        for name in ("api/fr/counter.json", "index.html"):
            path = site / name
            body = path.read_bytes()  # never missing
            if name.endswith(".json"):
                seen.add(json.loads(body)["valid_for"])
            reads += 1
        time.sleep(0.0005)  # leave the publisher the interpreter most of the time
    worker.join()
    assert failures == []
    assert seen <= {NOON.date().isoformat(), NEXT_DAY} and reads > 100
    assert json.loads((site / "api" / "fr" / "counter.json").read_bytes())["valid_for"] == NEXT_DAY
    assert sorted(path.name for path in tmp_path.iterdir()) == ["site"]
