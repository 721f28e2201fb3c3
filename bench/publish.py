"""Publishing the static site: how long ``voipdown publish`` takes, and how large the site is.

Issue 12 asks for at most 10 seconds on this machine. The command runs as a maintainer's daily
job runs it: a fresh ``python3 -m widget publish DIR --public-url ...`` process, with every
``VOIPDOWN_*`` variable removed, into a new temporary directory each time. Reported per run: wall
time (start to exit, what the target is judged on) and the CPU time the process used (user +
system): on a shared, busy machine the second says what publishing costs, the first what it cost
that time. Then the site's size: files (siblings and ``_headers`` apart), their bytes, the bytes a
client accepting ``br`` or ``gzip`` transfers to load each file once (a file without a sibling
counts whole), and what is on disk, by kind of file.

    python3 bench/publish.py            # three runs
    python3 bench/publish.py --runs 5
"""

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[1]
TARGET_SECONDS = 10.0
PUBLIC_URL = "https://counter.example.org"
KINDS = (
    ("pages", lambda url: url.endswith("index.html")),
    ("badges, SVG", lambda url: url.startswith("badge/") and url.endswith(".svg")),
    ("badges, PNG", lambda url: url.startswith("badge/") and url.endswith(".png")),
    ("JSON", lambda url: url.startswith("api/")),
    ("social cards", lambda url: url.startswith("card/")),
    ("embed script (both URLs)", lambda url: url.startswith("embed") and url.endswith(".js")),
    ("embed pictures (two days)", lambda url: url.startswith("embed/") and url.endswith(".svg")),
    ("page assets", lambda url: url.startswith("assets/")),
)
"""How the table groups the site's files, by their path (each file falls in the first kind that takes it)."""


@dataclass(frozen=True)
class Run:
    wall: float
    cpu: float
    summary: str


@dataclass
class Size:
    files: int = 0
    bytes: int = 0
    br: int = 0
    gzip: int = 0


def publish_once(directory: Path) -> Run:
    """One ``voipdown publish`` in a fresh process; its wall and CPU seconds."""
    environ = {key: value for key, value in os.environ.items() if not key.startswith("VOIPDOWN_")}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "widget", "publish", str(directory), "--public-url", PUBLIC_URL],
        cwd=REPOSITORY,
        env=environ,
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        raise SystemExit(f"voipdown publish failed: {result.stderr.strip()}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Run(wall, cpu, result.stdout.strip())


def sizes(site: Path) -> tuple[dict[str, Size], int, int]:
    """The site's files by kind, plus the number of siblings and the bytes on disk."""
    by_kind: dict[str, Size] = defaultdict(Size)
    siblings = disk = 0
    for path in sorted(site.rglob("*")):
        if not path.is_file():
            continue
        disk += path.stat().st_size
        if path.suffix in (".br", ".gz"):
            siblings += 1
            continue
        if path.name == "_headers":
            continue
        url = path.relative_to(site).as_posix()
        kind = next(name for name, takes in KINDS if takes(url))
        size = len(path.read_bytes())
        brotli_sibling, gzip_sibling = path.with_name(path.name + ".br"), path.with_name(path.name + ".gz")
        for total in (by_kind[kind], by_kind["all"]):
            total.files += 1
            total.bytes += size
            total.br += brotli_sibling.stat().st_size if brotli_sibling.exists() else size
            total.gzip += gzip_sibling.stat().st_size if gzip_sibling.exists() else size
    return by_kind, siblings, disk


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory(prefix="voipdown-publish-") as scratch:
        results = [publish_once(Path(scratch) / f"site-{number}") for number in range(runs)]
        by_kind, siblings, disk = sizes(Path(scratch) / "site-0")
    wall = statistics.median(run.wall for run in results)
    cpu = statistics.median(run.cpu for run in results)
    print("## `voipdown publish`\n")
    print(f"Load average at the end: {', '.join(f'{load:.1f}' for load in os.getloadavg())} ({os.cpu_count()} cores)\n")
    print("| measure | result | target |\n|---|--:|--:|")
    print(f"| wall time, median of {runs} | {wall:.1f} s | <= {TARGET_SECONDS:.0f} s |")
    print(f"| CPU time (user + system), median | {cpu:.1f} s | - |")
    print(f"\nRuns (wall / CPU): {', '.join(f'{run.wall:.1f} / {run.cpu:.1f} s' for run in results)}")
    print(f"\nThe command said: `{results[0].summary}`\n")
    print("| files | count | bytes | as br | as gzip |\n|---|--:|--:|--:|--:|")
    for name in [*(name for name, _ in KINDS), "all"]:
        size = by_kind[name]
        label = f"**{name}**" if name == "all" else name
        print(f"| {label} | {size.files:,} | {size.bytes:,} | {size.br:,} | {size.gzip:,} |")
    print(f"\nPlus {siblings:,} `.br`/`.gz` siblings and `_headers`: {disk:,} bytes on disk in all.")
    if wall > TARGET_SECONDS:
        print(f"\nTarget missed: {wall:.1f} s > {TARGET_SECONDS:.0f} s")


if __name__ == "__main__":
    main()
