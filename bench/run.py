"""The voipdown benchmark, in one command, from the repository root::

    python3 bench/run.py            # full run, about 9 minutes
    python3 bench/run.py --quick    # shorter rounds and a smaller flood, about 3 minutes: a check

It measures, in this order, with nothing else of ours running while a measure is taken:
start-up (``startup``), cold renders in-process (``renders``), worker memory after every variant
(``memory``), bytes on the wire beside shields.io's (``wire``), throughput beside a bare Flask
ceiling (``throughput``), and a junk flood (``flood``). Every figure with a target is judged
(``targets``) before the report is written (``report``), printed, and saved to ``bench/results.md``.
"""

import argparse
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this checkout's bench and widget packages

from bench.flood import measure_flood
from bench.memory import serve_every_variant
from bench.profiles import FULL, QUICK, Profile
from bench.renders import measure_renders
from bench.report import Results, markdown, revision
from bench.servers import HOST, ROOT, rss_mb, running, spawn_ceiling, spawn_service, wait_ready, wait_workers
from bench.startup import measure_starts
from bench.throughput import measure_throughput
from bench.wire import measure_wire
from bench.wrk import WRK
from widget.cli import gunicorn_options

RESULTS = ROOT / "bench" / "results.md"


def log(message: str) -> None:
    """Progress, on stderr so the report on stdout stays clean."""
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def run(profile: Profile, command: str) -> Results:
    """Every measure, in order."""
    began = time.perf_counter()
    options = gunicorn_options(HOST, 0)
    workers = int(options["workers"])
    results = Results(profile, command, options, datetime.now(UTC), revision(), [os.getloadavg()[0]])
    with tempfile.TemporaryDirectory(prefix="voipdown-bench-") as folder:
        log_dir = Path(folder)
        log(f"start-up: {profile.starts} fresh starts")
        results.starts = measure_starts(profile, log_dir)
        log("in-process cold renders")
        results.renders = measure_renders(profile, log)
        with running(spawn_service(log_dir)) as service, running(spawn_ceiling(log_dir)) as ceiling:
            wait_ready(service)
            wait_ready(ceiling)
            service_workers = wait_workers(service, workers)
            wait_workers(ceiling, workers)
            results.memory = serve_every_variant(service, service_workers, log)
            log("bytes on the wire")
            results.wire = measure_wire(service.port)
            results.rows = measure_throughput(service, ceiling, profile, log)
            results.memory.after_load = {pid: rss_mb(pid) for pid in service_workers}
        results.flood = measure_flood(profile, log_dir, log)
    results.load_averages.append(os.getloadavg()[0])
    results.elapsed_s = time.perf_counter() - began
    return results


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark voipdown beside a bare Flask ceiling, on loopback.")
    parser.add_argument("--quick", action="store_true", help="fewer, shorter rounds: a check, not a result")
    parser.add_argument("--output", type=Path, default=RESULTS, help=f"Markdown file to write (default {RESULTS})")
    arguments = parser.parse_args(argv)
    if shutil.which(WRK) is None:
        raise SystemExit("wrk is not installed: apt-get install wrk")
    command = "python3 bench/run.py" + (" --quick" if arguments.quick else "")
    if arguments.output != RESULTS:
        command += f" --output {arguments.output}"
    results = run(QUICK if arguments.quick else FULL, command)
    text = markdown(results, results.judgements())
    arguments.output.write_text(text)
    print(text)
    log(f"written to {arguments.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
