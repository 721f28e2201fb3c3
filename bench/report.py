"""The results as Markdown: every figure and verdict already decided, only written out here."""

import os
import platform
import statistics
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bench.flood import CONNECTIONS, FloodResults
from bench.memory import ENCODINGS, Memory
from bench.profiles import Profile
from bench.renders import QUIET_CONTROL_MS, ROUNDS, Renders
from bench.servers import ROOT, service_command
from bench.startup import Starts
from bench.targets import THROUGHPUT_RATIO, Judgement
from bench.throughput import Row
from bench.wire import Wire
from bench.wrk import WRK, WrkResult

SHOWN_OPTIONS = (
    "workers",
    "worker_class",
    "worker_connections",
    "timeout",
    "graceful_timeout",
    "keepalive",
    "preload_app",
)
"""The gunicorn options that shape performance (the rest are addresses and logs)."""


@dataclass
class Results:
    """Everything one run measured."""

    profile: Profile
    command: str
    options: dict[str, Any]
    started: datetime
    revision: str
    load_averages: list[float] = field(default_factory=list)
    """The one-minute load average when the run began and when it ended: how busy the shared machine was."""
    elapsed_s: float = 0.0
    starts: Starts | None = None
    renders: Renders | None = None
    memory: Memory | None = None
    wire: Wire | None = None
    rows: list[Row] = field(default_factory=list)
    flood: FloodResults | None = None

    def judgements(self) -> list[Judgement]:
        """Every figure that has a target, held against it."""
        found: list[Judgement] = []
        for row in self.rows:
            judgement = row.judgement()
            if judgement is not None:
                found.append(judgement)
        for timing in self.renders.timings if self.renders else []:
            judgement = timing.judgement()
            if judgement is not None:
                found.append(judgement)
        for part in (self.wire, self.flood, self.memory):
            found += part.judgements() if part else []
        if self.starts:
            found.append(self.starts.judgement())
        return found


def _median(values: Sequence[float]) -> float | None:
    return statistics.median(values) if values else None


def _number(value: float | None, spec: str = ",.0f") -> str:
    return "-" if value is None else format(value, spec)


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f} ms"


def _mb(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f} MB"


def _run_medians(runs: list[WrkResult]) -> str:
    """req/s, p50 and p99 cells: medians over rounds."""
    return (
        f"{_number(_median([run.rps for run in runs]))} | {_ms(_median([run.p50_ms for run in runs]))} "
        f"| {_ms(_median([run.p99_ms for run in runs]))}"
    )


def _statuses(counted: dict[int, int]) -> str:
    return ", ".join(f"{status}: {count:,}" for status, count in sorted(counted.items())) or "not counted"


def header(results: Results) -> list[str]:
    profile = results.profile
    options = ", ".join(f"{name}={results.options[name]}" for name in SHOWN_OPTIONS if name in results.options)
    return [
        "# voipdown benchmark results",
        "",
        f"- date: {results.started:%Y-%m-%d %H:%M} UTC ({results.elapsed_s:.0f} s run, {profile.name} profile)",
        f"- machine: {os.cpu_count()} CPUs, {platform.system()} {platform.release()}, Python "
        f"{platform.python_version()}, {_first_line([WRK, '--version'])}; shared with other work while it ran "
        f"(load average {' then '.join(f'{load:.1f}' for load in results.load_averages)}), so absolute figures are "
        "noisy: read the ratios, each taken within a pair of runs made back to back",
        f"- command: `{results.command}`; code: {results.revision}",
        f"- service: `{' '.join(['python3', *service_command()[1:]])}` with `PORT` and no `VOIPDOWN_*` variable "
        "(the Procfile's `voipdown serve`, default settings); ceiling: `python3 -m bench.ceiling_app` (one Flask "
        "route, constant 1 KB body)",
        f"- gunicorn options for both (`widget.cli.gunicorn_options`): {options}",
        f"- load: `wrk -t{profile.threads} -c{profile.connections} -d{profile.duration_s}s --latency`, "
        f"{profile.rounds} rounds; in each round every row runs its two sides back to back (A B, next round B A); "
        "the ratio is taken within each pair, then the median over rounds; req/s, p50 and p99 are medians over "
        "rounds too. wrk shares the cores with the servers.",
        "",
    ]


def throughput(rows: list[Row]) -> list[str]:
    lines = [
        "## Throughput (service / bare Flask ceiling, same round)",
        "",
        "| endpoint | status | body B | req/s | p50 | p99 | ceiling req/s | ceiling p50 | ceiling p99 "
        "| ratio (median) | ratios per round | target | verdict | CPU µs/req | ceiling CPU µs/req | CPU ratio |",
        "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|---|---|---|--:|--:|--:|",
    ]
    for row in rows:
        judgement = row.judgement()
        target, verdict = (str(judgement.target), judgement.verdict) if judgement else ("-", "n/a")
        pairs = row.pairs
        status = row.problem or "ok"
        bad = sum(run.bad_status for run in pairs.measured)
        errors = sum(run.socket_errors for run in pairs.measured + pairs.reference)
        if bad:
            status += f", {bad:,} non-2xx/3xx"
        if errors:
            status += f", {errors:,} socket errors"
        if row.endpoint.conditional and pairs.measured:
            status += f", answers {_statuses(row.answers)}"
        lines.append(
            f"| `{row.endpoint.label}` | {status} | {row.body_bytes:,} | {_run_medians(pairs.measured)} "
            f"| {_run_medians(pairs.reference)} | **{_number(row.ratio, '.2f')}** "
            f"| {' '.join(f'{ratio:.2f}' for ratio in pairs.ratios)} | {target} | {verdict} "
            f"| {_number(_median([run.cpu_us_per_request for run in pairs.measured if run.cpu_us_per_request]))} "
            f"| {_number(_median([run.cpu_us_per_request for run in pairs.reference if run.cpu_us_per_request]))} "
            f"| {_number(_median(pairs.cpu_ratios), '.2f')} |"
        )
    lines += [
        "",
        f"Every endpoint must answer at least {THROUGHPUT_RATIO.limit:g} times as many requests as the bare route: "
        "its answers are built once a day and replayed. The row *as a browser asks* sends `Accept-Encoding: gzip, "
        "deflate, br`; the others send none. The control row is a service route with no cache (`/healthz`) that "
        "runs Flask, its blueprints and after-request hooks for a tiny body: near 1.0 it says the two servers are "
        "comparable; its spread over rounds shows how noisy the machine was. *CPU µs/req*: user + system CPU time "
        "of the server's master and workers during the run, per request; *CPU ratio* = ceiling's / service's, per "
        "pair, median (above 1, a request costs the service less CPU than the bare route). It is steadier than "
        "req/s on a shared machine, but informative only: the verdict is on req/s.",
        "",
    ]
    return lines


def wire(measured: Wire) -> list[str]:
    lines = [
        "## Bytes on the wire",
        "",
        "Our flat light badge (`/badge.svg?lang=…`) as the service sends it to a client whose `Accept-Encoding` "
        "is empty, `gzip` or `br` (*plain* means it came back uncompressed), beside shields.io's badge for the same "
        f"label, message and colours (from our `/api/shields.json`, drawn by {measured.shields_note}; its gzip and "
        "br are computed here at gzip -9 and brotli 11). *Largest* is our largest SVG badge over every style and "
        "theme, for a client accepting gzip or br.",
        "",
        "| lang | ours raw | ours gzip | ours br | shields raw | shields gzip | shields br | largest (gzip or br) "
        "| target | verdict |",
        "|---|--:|--:|--:|--:|--:|--:|--:|---|---|",
    ]
    for language in measured.languages:
        sent = [
            f"{language.ours[column].size:,}" + ("" if language.ours[column].encoding or column == "raw" else " plain")
            for column in ("raw", "gzip", "br")
        ]
        shields = [_number(language.shields.get(column)) for column in ("raw", "gzip", "br")]
        judgement = language.svg_judgement()
        lines.append(
            f"| {language.lang} | {' | '.join(sent)} | {' | '.join(shields)} | {language.largest_compressed:,} "
            f"| {judgement.target} | {judgement.verdict} |"
        )
    lines += [
        "",
        "shields.io does not shape text: its widths come from a table of Verdana's Latin advances, so its Arabic "
        "and Darija badges measure each letter as if it stood alone, its Tifinagh letters take a fallback width, "
        "and the glyphs are whatever font the viewer has. Its bytes are those of a badge that does not show "
        "these languages correctly; ours are glyph outlines, the same picture everywhere.",
        "",
        "PNG badges (flat, the larger of the light and dark themes), bytes:",
        "",
        "| lang | scale 1 | target | verdict | scale 2 | target | verdict |",
        "|---|--:|---|---|--:|---|---|",
    ]
    for language in measured.languages:
        cells = [
            f"{judgement.value or 0:,.0f} | {judgement.target} | {judgement.verdict}"
            for judgement in language.png_judgements()
        ]
        lines.append(f"| {language.lang} | {' | '.join(cells)} |")
    embed = measured.embed
    gzip_judgement = measured.embed_judgement()
    lines += [
        "",
        "Embed script (`/embed.js`), bytes:",
        "",
        "| as sent, raw | as sent, gzip | as sent, br | gzip -9 | target | verdict |",
        "|--:|--:|--:|--:|---|---|",
        f"| {embed['raw'].size:,} | {embed['gzip'].size:,}{'' if embed['gzip'].encoding else ' plain'} "
        f"| {embed['br'].size:,}{'' if embed['br'].encoding else ' plain'} | {measured.embed_gzip_9:,} "
        f"| {gzip_judgement.target} | {gzip_judgement.verdict} |",
        "",
    ]
    return lines


def flood(results: FloodResults) -> list[str]:
    sent = results.flood
    kinds = "; ".join(f"{kind}: {_statuses(statuses)}" for kind, statuses in sent.statuses.items())
    lines = [
        "## Junk flood",
        "",
        f"Two fresh services side by side; one is sent **{sent.sent:,} junk requests** over {CONNECTIONS} keep-alive "
        f"connections ({sent.seconds:.1f} s, {sent.failures} unanswered), the kinds in turn, answers by status: "
        f"{kinds}. Then, in pairs, each valid variant below (never asked of either service before) is loaded on "
        "the flooded service and on the clean one (after one first request on each, so that the rounds measure "
        "whether its answer was kept), and a new invalid `lang` on every request is loaded beside a cached badge "
        "on the flooded one. Both sides of every pair run the same wrk script, which only builds the URL and counts "
        "statuses.",
        "",
        "| measure | req/s | other side req/s | ratio (median) | ratios per round | answers | target | verdict |",
        "|---|--:|--:|--:|---|---|---|---|",
    ]
    for comparison in [*results.new_variants, *results.invalid_values]:
        judgement, pairs = comparison.judgement(), comparison.pairs
        lines.append(
            f"| {comparison.label} | {_number(_median([run.rps for run in pairs.measured]))} "
            f"| {_number(_median([run.rps for run in pairs.reference]))} | **{_number(comparison.ratio, '.2f')}** "
            f"| {' '.join(f'{ratio:.2f}' for ratio in pairs.ratios)} | {_statuses(comparison.measured_statuses)} "
            f"| {judgement.target} | {judgement.verdict} |"
        )
    moments = list(results.rss)
    lines += [
        "",
        "Worker memory (RSS):",
        "",
        "| worker | " + " | ".join(moments) + " |",
        "|---|" + "--:|" * len(moments),
    ]
    for service, pids in results.workers.items():
        for pid in pids:
            cells = [_mb(results.rss[moment].get(pid)) for moment in moments]
            lines.append(f"| {service} {pid} | {' | '.join(cells)} |")
    lines += [
        "",
        "*At the end*: after the new variants' loads (both services) and the invalid values' (the flooded one).",
        "",
    ]
    return lines


def renders(measured: Renders, profile: Profile) -> list[str]:
    lines = [
        "## Cold renders, in-process (median CPU time)",
        "",
        "What a cache miss in the web layer costs, without HTTP: texts, layout, SVG, and for PNG the painting. "
        "*cold*: before each iteration every render and layout cache is emptied "
        "(`widget.render.caches.clear_render_caches()`: fonts, outlines, shaped lines, glyph paths), as in a "
        "process that has drawn nothing. **fresh worker** (targets are judged on it): the same, then the "
        "preparation `voipdown serve` runs in gunicorn's master before it forks "
        "(`widget.render.preparation.prepare_for_workers()`: every badge glyph drawn, then everything frozen "
        "out of the collector's reach; untimed): what a newly forked worker holds. "
        "CPU time of the rendering thread (`time.thread_time`); *cold, wall* is wall-clock, which on a shared "
        "machine also counts time other processes held the core. Each render's samples are taken in "
        f"{ROUNDS} rounds spread over the section (every render in turn within a round), so a burst of load "
        "from other processes touches a few samples of each render, not all of one; the *control* row, "
        f"timed in the same rounds, is fixed pure-Python work that takes {QUIET_CONTROL_MS} ms on a quiet machine: "
        "as much slower as it reads, so much did the machine's load swell the renders beside it. The social card is "
        "`svg_to_png(widget.web.card.card_svg(state, lang))`, as `/card.png` builds it.",
        "",
        "| render | n | **fresh worker** (n) | cold | cold, wall | target | verdict |",
        "|---|--:|--:|--:|--:|---|---|",
    ]
    french_svg = None
    for timing in measured.timings:
        judgement = timing.judgement()
        target, verdict = (str(judgement.target), judgement.verdict) if judgement else ("-", "n/a")
        if timing.label.startswith("French SVG"):
            french_svg = timing
        lines.append(
            f"| {timing.label} | {timing.iterations} | **{_ms(timing.fresh.cpu_ms)}** ({timing.fresh_iterations}) "
            f"| {_ms(timing.cold.cpu_ms)} | {_ms(timing.cold.wall_ms)} | {target} | {verdict} |"
        )
    peer = measured.pybadges
    if peer is not None and french_svg is not None:
        lines.append(
            f"| French SVG badge by {measured.pybadges_note} (`<text>`: no shaping, no outlines) "
            f"| {profile.svg_iterations} | - | {_ms(peer.cpu_ms)} | {_ms(peer.wall_ms)} "
            f"| ours / pybadges: **{french_svg.fresh.cpu_ms / peer.cpu_ms:.1f}x** fresh worker, "
            f"{french_svg.cold.cpu_ms / peer.cpu_ms:.1f}x cold | - |"
        )
    else:
        lines.append(f"| French SVG badge by pybadges | - | - | - | - | {measured.pybadges_note} | - |")
    return [*lines, ""]


def memory(measured: Memory) -> list[str]:
    counts = ", ".join(f"{name} {len(paths)}" for name, paths in measured.families.items())
    failures = f"not 200: {', '.join(measured.failures[:5])}" if measured.failures else "all 200"
    encodings = ", ".join(headers.get("Accept-Encoding", "none") for headers in ENCODINGS)
    lines = [
        "## Worker memory",
        "",
        f"Variants: **{measured.variant_count}** ({counts}). Each worker asked for every variant once per "
        f"`Accept-Encoding` ({encodings}), through a keep-alive connection it holds (matched through "
        f"`/proc/net/tcp`): {measured.answers:,} answers, {failures}. *After start* is read before any request "
        "but the readiness probe; *after the load* after the throughput rounds.",
        "",
        "| worker | RSS after start | RSS after every variant | RSS after the load | target | verdict "
        "| PSS after every variant |",
        "|---|--:|--:|--:|---|---|--:|",
    ]
    for pid in measured.workers:
        judgement = measured.worker_judgement(pid)
        lines.append(
            f"| {pid} | {_mb(measured.after_start.get(pid))} | {_mb(measured.after_variants.get(pid))} "
            f"| {_mb(measured.after_load.get(pid))} | {judgement.target} | {judgement.verdict} "
            f"| {_mb(measured.pss_after_variants.get(pid))} |"
        )
    lines.append(f"| master {measured.master_pid} | - | {_mb(measured.master)} | - | - | - | - |")
    lines += ["", "RSS counts pages shared with the master (`preload_app`) in full; PSS counts them by share.", ""]
    return lines


def startup(starts: Starts) -> list[str]:
    judgement = starts.judgement()
    return [
        "## Start-up",
        "",
        "| measure | median | samples | target | verdict |",
        "|---|--:|---|---|---|",
        f"| spawn to first answered `/healthz` | {starts.median:.2f} s "
        f"| {', '.join(f'{sample:.2f}' for sample in starts.samples)} | {judgement.target} | {judgement.verdict} |",
        f"| CPU time of the master and workers by then | {statistics.median(starts.cpu_samples):.2f} s "
        f"| {', '.join(f'{sample:.2f}' for sample in starts.cpu_samples)} | - | - |",
        "",
        "The target is on wall-clock time, which on a busy machine includes waiting for a core; the CPU time "
        "the start consumed does not.",
        "",
    ]


def markdown(results: Results, judgements: list[Judgement]) -> str:
    """The whole report; ``judgements`` (from ``results.judgements()``) make its last section."""
    lines = header(results) + throughput(results.rows)
    if results.wire:
        lines += wire(results.wire)
    if results.flood:
        lines += flood(results.flood)
    if results.renders:
        lines += renders(results.renders, results.profile)
    if results.memory:
        lines += memory(results.memory)
    if results.starts:
        lines += startup(results.starts)
    missed = [line for line in (judgement.missed() for judgement in judgements) if line]
    lines += ["## Targets missed", "", *([f"- {line}" for line in missed] or ["- none"])]
    return "\n".join(lines) + "\n"


def revision() -> str:
    """The checkout's commit, and whether the working tree differed from it under ``widget/``."""
    head = _git(["rev-parse", "--short", "HEAD"])
    dirty = _git(["status", "--porcelain", "--", "widget"])
    return f"`{head or '?'}`" + (" plus uncommitted changes under `widget/`" if dirty else "")


def _git(arguments: list[str]) -> str:
    try:
        completed = subprocess.run(
            ["git", *arguments], cwd=ROOT, capture_output=True, text=True, timeout=5, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return completed.stdout.strip()


def _first_line(command: list[str]) -> str:
    """The first two words of a tool's version line."""
    try:
        completed = subprocess.run(command, capture_output=True, text=True, timeout=5, check=False)
    except OSError:
        return f"{command[0]} not found"
    text = (completed.stdout or completed.stderr).splitlines()
    return " ".join(text[0].split()[:2]) if text else command[0]
