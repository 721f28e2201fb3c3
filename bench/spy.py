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

sys.path.insert(0, str(Path(__file__).resolve().parent))

import run

COLD_LOOP = """
import os, sys
sys.path[:0] = [{root!r}, {bench!r}]
from widget.config import load_settings
from widget.counting import counter_state, system_clock
from widget.layout.fonts import Script, Weight, font_face
from widget.render.badge import render_badge_svg
from widget.render.counter_badge import counter_badge
from widget.render.png import badge_to_png
from widget.text.catalog import counter_texts
import run
settings = load_settings(os.environ, system_clock())
state = counter_state(settings.start_date, settings.end_date, settings.zone, system_clock())
caches = [cached for _, cached in run.render_caches()]
faces = run.font_faces()
for _ in range({iterations}):
    for cached in caches:
        cached.cache_clear()
    for face in faces:
        face.outlines.clear()
    texts = counter_texts({lang!r}, state.days, state.ended)
    badge = counter_badge(texts, state.ended, "flat", "light")
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
    import_options = run.Profile("profile", 1, seconds + 2, 2, 16, 0, 0, 0, 0)
    with tempfile.TemporaryDirectory(prefix="voipdown-profile-") as folder:
        log_dir = Path(folder)
        service = run.spawn("service", run.service_command(), run.free_port(), "/healthz", log_dir)
        with run.running(service):
            run.wait_ready(service)
            run.import_widget()
            from widget.cli import gunicorn_options

            workers = run.wait_workers(service, int(gunicorn_options(run.HOST, 0)["workers"]))
            for _ in range(20):
                run.get(service.port, path)
            load = subprocess.Popen(
                [run.WRK, "-t2", "-c16", f"-d{import_options.duration_s}s", service.url(path)],
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
    """py-spy over a loop of cold renders (every render cache and outline cache cleared each time)."""
    with tempfile.TemporaryDirectory(prefix="voipdown-profile-") as folder:
        script = Path(folder) / "cold.py"
        source = COLD_LOOP.format(
            root=str(run.ROOT), bench=str(run.BENCH), iterations=iterations, lang=lang, png=image == "png"
        )
        script.write_text(source)
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
        print(profile_cold(*arguments.cold, arguments.iterations, arguments.svg, arguments.top))
    else:
        print(profile_workers(arguments.path, arguments.seconds, arguments.svg, arguments.top))
    return 0


if __name__ == "__main__":
    sys.exit(main())
