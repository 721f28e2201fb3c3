"""Where the time goes: py-spy on the service's workers under load, or on a cold-render loop.

    pip install py-spy
    python3 bench/spy.py /embed.js                  # wrk on one URL, py-spy on every worker
    python3 bench/spy.py --cold ar png              # cold Arabic PNG badges, in a loop
    python3 bench/spy.py /badge.svg --svg out.svg   # also write a flame graph

Prints the functions holding the most samples (inclusive and own), summed over the workers; in
server mode only samples holding the GIL count, so idle workers are left out.
"""

import argparse
import collections
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this checkout's bench and widget packages

from bench.servers import HOST, ROOT, get, running, spawn_service, wait_ready, wait_workers
from bench.wrk import WRK
from widget.cli import gunicorn_options

COLD_LOOP = """
import sys
sys.path.insert(0, {root!r})
from widget.config import load_settings
from widget.counting import counter_state, system_clock
from widget.render.badge import render_badge_svg
from widget.render.caches import clear_render_caches
from widget.render.counter_badge import counter_badge
from widget.render.png import badge_to_png
from widget.text.catalog import counter_texts
now = system_clock()
settings = load_settings({{}}, now)
state = counter_state(settings.start_date, settings.end_date, settings.zone, now)
for _ in range({iterations}):
    clear_render_caches()
    badge = counter_badge(counter_texts({lang!r}, state.days, state.ended), state.ended, "flat", "light")
    if {png!r}:
        badge_to_png(badge, 2)
    else:
        render_badge_svg(badge)
"""


def summarise(raw_files: list[Path], top: int) -> str:
    """The ``top`` functions by inclusive and by own samples, from py-spy raw (collapsed) files."""
    inclusive: collections.Counter[str] = collections.Counter()
    own: collections.Counter[str] = collections.Counter()
    total = 0
    for path in raw_files:
        for line in path.read_text().splitlines():
            if not line.strip():
                continue
            stack, _, count_text = line.rpartition(" ")
            count = int(count_text)
            total += count
            frames = [re.sub(r"\s*\((?:.*/)?([^/]+?):\d+\)", r" (\1)", frame) for frame in stack.split(";")]
            for frame in set(frames):
                inclusive[frame] += count
            own[frames[-1]] += count
    if not total:
        return "no samples"
    lines = [f"{total} samples", "", "inclusive:"]
    lines += [f"  {100 * count / total:5.1f}%  {frame}" for frame, count in inclusive.most_common(top)]
    lines += ["", "own:"]
    lines += [f"  {100 * count / total:5.1f}%  {frame}" for frame, count in own.most_common(top)]
    return "\n".join(lines)


def py_spy(
    arguments: list[str], output: Path, seconds: int | None, fmt: str, gil: bool = False
) -> subprocess.Popen[bytes]:
    """``py-spy record``; with ``gil``, only samples of the thread holding the GIL (idle threads left out)."""
    command = ["py-spy", "record", "--rate", "250", "--format", fmt, "--output", str(output)]
    if gil:
        command.append("--gil")
    if seconds:
        command += ["--duration", str(seconds)]
    return subprocess.Popen([*command, *arguments], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def profile_workers(path: str, seconds: int, svg: Path | None, top: int) -> str:
    """Load ``path`` with wrk while py-spy samples every worker of a fresh service."""
    with tempfile.TemporaryDirectory(prefix="voipdown-profile-") as folder:
        log_dir = Path(folder)
        with running(spawn_service(log_dir)) as service:
            wait_ready(service)
            workers = wait_workers(service, int(gunicorn_options(HOST, 0)["workers"]))
            for _ in range(20):
                get(service.port, path)
            load = subprocess.Popen(
                [WRK, "-t2", "-c16", f"-d{seconds + 2}s", service.url(path)],
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
            )
            time.sleep(0.5)
            raws = [log_dir / f"{pid}.txt" for pid in workers]
            spies = [
                py_spy(["--pid", str(pid)], raw, seconds, "raw", gil=True)
                for pid, raw in zip(workers, raws, strict=True)
            ]
            flames = [py_spy(["--pid", str(workers[0])], svg, seconds, "flamegraph", gil=True)] if svg else []
            for spy in spies + flames:
                _, error = spy.communicate(timeout=seconds + 30)
                if spy.returncode:
                    print(error.decode(errors="replace"), file=sys.stderr)
            wrk_output = load.communicate(timeout=seconds + 30)[0].decode()
            rps = re.search(r"Requests/sec:\s+([\d.]+)", wrk_output)
            header = f"{path}: {rps.group(1) if rps else '?'} req/s under py-spy, workers {workers}"
            return header + "\n" + summarise([raw for raw in raws if raw.exists()], top)


def profile_cold(lang: str, image: str, iterations: int, svg: Path | None, top: int) -> str:
    """py-spy over a loop of cold renders (``clear_render_caches()`` before each)."""
    with tempfile.TemporaryDirectory(prefix="voipdown-profile-") as folder:
        script = Path(folder) / "cold.py"
        script.write_text(COLD_LOOP.format(root=str(ROOT), iterations=iterations, lang=lang, png=image == "png"))
        raw = Path(folder) / "cold.txt"
        command = ["--", sys.executable, str(script)]
        spy = py_spy(command, raw, None, "raw")
        _, error = spy.communicate(timeout=300)
        if spy.returncode or b"Traceback" in error:
            print(error.decode(errors="replace"), file=sys.stderr)
        if svg:
            py_spy(command, svg, None, "flamegraph").communicate(timeout=300)
        return f"cold {lang} {image} x{iterations}\n" + summarise([raw], top)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", default="/badge.svg?lang=fr", help="URL path to load (server mode)")
    parser.add_argument("--cold", nargs=2, metavar=("LANG", "FORMAT"), help="profile cold renders instead")
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--iterations", type=int, default=300, help="cold renders in --cold mode")
    parser.add_argument("--svg", type=Path, help="also write a flame graph here")
    parser.add_argument("--top", type=int, default=25)
    arguments = parser.parse_args()
    if shutil.which("py-spy") is None:
        raise SystemExit("py-spy is not installed: pip install py-spy")
    if arguments.cold:
        lang, image = arguments.cold
        print(profile_cold(lang, image, arguments.iterations, arguments.svg, arguments.top))
    else:
        print(profile_workers(arguments.path, arguments.seconds, arguments.svg, arguments.top))
    return 0


if __name__ == "__main__":
    sys.exit(main())
