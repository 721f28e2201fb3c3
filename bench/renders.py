"""Cold renders, in-process: what a cache miss in the web layer costs, timed without HTTP.

Each render is timed at two depths. *Cold* empties every render and layout cache
(``widget.render.caches.clear_render_caches``) before each iteration: a process that has drawn
nothing. *Fresh worker* does the same and then runs the preparation ``voipdown serve`` runs in
gunicorn's master before it forks (``prepare_for_workers``, untimed: it is part of start-up),
so it times what a newly forked worker holds when it meets its first request for a variant.
Targets are judged on the fresh worker.

Times are CPU time of this thread (``time.thread_time``): a render is single-threaded and does no
I/O, so on an idle machine wall-clock equals it, while on a shared one wall-clock also counts the
time other processes held the core. The cold wall-clock median is shown beside it for that reason.
Even CPU time swells while other processes crowd the machine (caches, memory bandwidth): each
render's samples are taken in ``ROUNDS`` rounds spread over the whole section, every render in
turn within a round, so a burst of load lands on a few samples of every render rather than on all
the samples of one.
"""

import gc
import math
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from importlib.metadata import version

from bench.profiles import Profile
from bench.targets import ARABIC_SVG_MS, PNG_BADGE_MS, Judgement, Target
from widget.config import load_settings
from widget.counting import CounterState, counter_state, system_clock
from widget.render.badge import Badge, render_badge_svg
from widget.render.caches import clear_render_caches
from widget.render.counter_badge import counter_badge
from widget.render.palette import BADGE_COLORS, tone_of
from widget.render.png import badge_to_png, svg_to_png
from widget.render.preparation import prepare_for_workers
from widget.text.catalog import CounterTexts, counter_texts
from widget.web.card import card_svg


@dataclass(frozen=True)
class Medians:
    """Median wall-clock and CPU milliseconds of one action."""

    wall_ms: float
    cpu_ms: float


@dataclass(frozen=True)
class Timing:
    """One render at both depths."""

    label: str
    iterations: int
    cold: Medians
    fresh: Medians
    fresh_iterations: int
    target: Target | None

    def judgement(self) -> Judgement | None:
        """The fresh worker's CPU time against the render's target, if it has one."""
        if self.target is None:
            return None
        measure = f"cold render {self.label}, fresh worker (CPU)"
        return Judgement(measure, self.fresh.cpu_ms, self.target, f"{self.cold.cpu_ms:.2f} ms with nothing prepared")


@dataclass
class Renders:
    """Every timing, and the French badge by pybadges for comparison."""

    timings: list[Timing] = field(default_factory=list)
    pybadges: Medians | None = None
    pybadges_note: str = ""


ROUNDS = 5
"""Rounds each render's samples are spread over."""

Sample = tuple[float, float]
"""One timing: wall-clock and CPU milliseconds."""


def samples(action: Callable[[], object], reset: Callable[[], None], iterations: int) -> list[Sample]:
    """``iterations`` timings of ``action``, each after ``reset`` (not timed)."""
    taken = []
    for _ in range(iterations):
        reset()
        wall, cpu = time.perf_counter_ns(), time.thread_time_ns()
        action()
        taken.append(((time.perf_counter_ns() - wall) / 1e6, (time.thread_time_ns() - cpu) / 1e6))
    return taken


def medians_of(taken: list[Sample]) -> Medians:
    """The median wall-clock and CPU time of ``taken``."""
    return Medians(statistics.median(wall for wall, _ in taken), statistics.median(cpu for _, cpu in taken))


def medians(action: Callable[[], object], reset: Callable[[], None], iterations: int) -> Medians:
    """Medians of ``iterations`` timings of ``action``, each after ``reset`` (not timed)."""
    return medians_of(samples(action, reset, iterations))


LANGUAGES = (("ar", "Arabic"), ("zgh", "Tifinagh"), ("fr", "French"))
"""The three scripts we draw."""


def _flat_badge(state: CounterState, lang: str) -> Badge:
    return counter_badge(counter_texts(lang, state.days, state.ended), state.ended, "flat", "light")


def _svg_badge(state: CounterState, lang: str) -> str:
    return render_badge_svg(_flat_badge(state, lang))


def _png_badge(state: CounterState, lang: str) -> bytes:
    return badge_to_png(_flat_badge(state, lang), 2)


def _card(state: CounterState, lang: str) -> bytes:
    """The social card as ``/card.png`` builds it."""
    return svg_to_png(card_svg(state, lang))


CONTROL_LABEL = "control: fixed pure-Python work, no rendering"
QUIET_CONTROL_MS = 3.4
"""The control's median CPU time on this 2-core machine in its quietest minutes (3.3-3.6 ms on 30 November
2026; 5 ms and more in busy ones, a few seconds apart)."""


def _control() -> int:
    """A fixed piece of pure-Python work, timed in the same rounds as the renders: how much slower it
    reads than on a quiet machine is how much the machine's load swelled every other figure beside it."""
    table = {index: (index * 7919) % 65536 for index in range(20_000)}
    return sum(sorted(table.values())[::7])


def _fresh_worker() -> None:
    """Forget everything, then prepare as ``voipdown serve`` does before gunicorn forks (glyphs drawn, all frozen)."""
    gc.unfreeze()
    clear_render_caches()
    prepare_for_workers()


def measure_renders(profile: Profile, log: Callable[[str], None]) -> Renders:
    """Cold and fresh-worker medians of SVG and PNG badges in three scripts, and of the social card."""
    state = _today()
    actions: list[tuple[str, Callable[[], object], int, Target | None]] = []
    for lang, name in LANGUAGES:
        svg_target = ARABIC_SVG_MS if lang == "ar" else None
        actions.append(
            (f"{name} SVG badge ({lang}, flat)", partial(_svg_badge, state, lang), profile.svg_iterations, svg_target)
        )
    for lang, name in LANGUAGES:
        label = f"{name} PNG badge ({lang}, flat, scale 2)"
        actions.append((label, partial(_png_badge, state, lang), profile.png_iterations, PNG_BADGE_MS))
    for lang, name in LANGUAGES[::2]:
        label = f"{name} social card PNG ({lang}, 1200x630)"
        actions.append((label, partial(_card, state, lang), profile.card_iterations, None))
    actions.append((CONTROL_LABEL, _control, profile.png_iterations, None))
    for _, action, _, _ in actions:
        action()  # loads cairo and cairosvg, which stay loaded for the process's life, outside every timing

    cold: dict[str, list[Sample]] = {label: [] for label, _, _, _ in actions}
    fresh: dict[str, list[Sample]] = {label: [] for label, _, _, _ in actions}
    for _ in range(ROUNDS):
        for label, action, iterations, _ in actions:
            cold[label] += samples(action, clear_render_caches, math.ceil(iterations / ROUNDS))
            fresh_iterations = min(iterations, profile.fresh_iterations)
            fresh[label] += samples(action, _fresh_worker, math.ceil(fresh_iterations / ROUNDS))
    renders = Renders()
    for label, _, _, target in actions:
        timing = Timing(
            label,
            len(cold[label]),
            cold=medians_of(cold[label]),
            fresh=medians_of(fresh[label]),
            fresh_iterations=len(fresh[label]),
            target=target,
        )
        renders.timings.append(timing)
        log(f"{label} (CPU): {timing.fresh.cpu_ms:.2f} ms fresh worker, {timing.cold.cpu_ms:.2f} cold")
    renders.pybadges, renders.pybadges_note = _pybadges(counter_texts("fr", state.days, state.ended), state, profile)
    if renders.pybadges is None:
        log(renders.pybadges_note)
    return renders


def _today() -> CounterState:
    """The counter as the benchmark's service shows it: default settings, now."""
    now = system_clock()
    settings = load_settings({}, now)
    return counter_state(settings.start_date, settings.end_date, settings.zone, now)


def _pybadges(texts: CounterTexts, state: CounterState, profile: Profile) -> tuple[Medians | None, str]:
    """The French badge drawn by pybadges (``<text>``, no shaping, no outlines), if it is installed."""
    try:
        import pybadges
    except ImportError:
        return None, "skipped: pybadges is not installed (`pip install pybadges` adds this row)"
    colors = BADGE_COLORS[("light", tone_of(state.ended))]

    def peer() -> str:
        return str(
            pybadges.badge(
                left_text=texts.label,
                right_text=texts.message,
                left_color=colors.label_background,
                right_color=colors.message_background,
                whole_title=texts.sentence,
            )
        )

    peer()
    return medians(peer, lambda: None, profile.svg_iterations), f"pybadges {version('pybadges')}"
