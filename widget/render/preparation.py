"""Drawing, at start-up, every glyph the counter's badges can show.

A glyph's outline is read from its font and written as path data once per process, and raised to
the cubic curves the PNG painter traces; after that a badge costs a quarter of a millisecond.
Doing it for every glyph our texts can use before the server forks (gunicorn's ``preload_app``)
makes a worker's first badge of the day as cheap as its thousandth, and the work is shared by all
workers instead of repeated in each.
"""

import atexit
import gc

from widget.render.badge import Badge, Style, lay_out_badge, render_badge_svg
from widget.render.counter_badge import counter_badge
from widget.text.catalog import available_languages, counter_texts

SAMPLE_COUNTS = (0, 1, 2, 3, 11, 100, 1_234_567_890)
"""Counts that reach every plural form we use (Arabic's six included) and every digit."""

GLYPH_STYLES: tuple[Style, ...] = ("flat", "for-the-badge")
"""One style per font size and weight: the other styles draw the same glyphs as ``flat``."""


def draw_every_badge_glyph() -> int:
    """Render a badge for every language, state, plural form and glyph style; returns how many."""
    rendered = 0
    for lang in available_languages():
        for ended in (False, True):
            for days in SAMPLE_COUNTS:
                texts = counter_texts(lang, days, ended)
                for style in GLYPH_STYLES:
                    badge = counter_badge(texts, ended, style, "light")
                    render_badge_svg(badge)
                    raise_outlines(badge)
                    rendered += 1
    return rendered


def raise_outlines(badge: Badge) -> None:
    """Work out, once, the cubic outlines the PNG painter traces for ``badge``'s glyphs."""
    for part in lay_out_badge(badge).parts:
        for glyph in part.line.glyphs:
            glyph.face.cubic_outline(glyph.glyph_id)


def prepare_for_workers() -> int:
    """What ``voipdown serve``'s master does before gunicorn forks: draw every badge glyph, then freeze
    everything it holds (``gc.freeze``); returns how many badges were drawn.

    Frozen objects are never examined by the garbage collector again. A worker's collections then
    look only at what the worker made, not at the application, fonts and glyphs it inherited, so no
    full collection pauses a render to walk them; and they no longer write into those objects'
    memory, which stays shared with the master instead of being copied into every worker (the
    practice the ``gc`` module's documentation recommends for servers that fork).

    On the way out they are handed back (``atexit``), so the interpreter's shutdown finalises them
    in its usual order: left frozen, they outlive the modules their finalisers call, and each worker
    would print an ignored exception as it exits."""
    drawn = draw_every_badge_glyph()
    gc.freeze()
    atexit.unregister(gc.unfreeze)  # once, however often preparation runs (the benchmark repeats it)
    atexit.register(gc.unfreeze)
    return drawn
