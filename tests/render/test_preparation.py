"""Start-up drawing leaves nothing for a worker's first badge to read from the fonts, nor for its collector to walk."""

import gc

import pytest

import widget.cli
from tests.conftest import free_port
from widget.cli import main
from widget.layout import shaping
from widget.layout.fonts import Script, Weight, font_face
from widget.render import glyphs
from widget.render.badge import STYLES, lay_out_badge, render_badge_svg
from widget.render.counter_badge import counter_badge
from widget.render.preparation import draw_every_badge_glyph
from widget.text.catalog import available_languages, counter_texts


def test_after_preparation_no_badge_of_any_day_draws_a_new_glyph():
    glyphs.glyph_path.cache_clear()
    shaping.shape_line.cache_clear()
    draw_every_badge_glyph()
    drawn = glyphs.glyph_path.cache_info().misses
    for lang in available_languages():
        for days in (3979, 4000, 12_345, 304, 7):
            for ended in (False, True):
                texts = counter_texts(lang, days, ended)
                for style in STYLES:
                    shaping.shape_line.cache_clear()
                    render_badge_svg(counter_badge(texts, ended, style, "dark"))
    assert glyphs.glyph_path.cache_info().misses == drawn


def test_after_preparation_every_glyph_a_png_badge_traces_is_already_cubic():
    draw_every_badge_glyph()
    for lang in available_languages():
        for days in (3979, 4000, 12_345, 304, 7):
            for ended in (False, True):
                texts = counter_texts(lang, days, ended)
                for style in STYLES:
                    for part in lay_out_badge(counter_badge(texts, ended, style, "dark")).parts:
                        for glyph in part.line.glyphs:
                            assert glyph.glyph_id in glyph.face.cubic_outlines, (lang, style, glyph)


def test_preparation_reads_the_outlines_of_every_script():
    draw_every_badge_glyph()
    for script in Script:
        assert font_face(script, Weight.REGULAR).outlines, script


def test_serve_hands_gunicorn_a_master_whose_objects_the_workers_collector_will_not_walk(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """What the master holds when gunicorn forks is what every worker inherits: it is all frozen by then."""
    handed: dict[str, int] = {}

    def gunicorn(application: object, options: dict[str, object]) -> None:
        handed["frozen"] = gc.get_freeze_count()
        handed["left_to_walk"] = len(gc.get_objects())

    monkeypatch.setattr(widget.cli, "run_under_gunicorn", gunicorn)
    gc.unfreeze()
    try:
        assert main(["serve", "--host", "127.0.0.1", "--port", str(free_port())]) == 0
    finally:
        gc.unfreeze()
    assert handed["frozen"] > 20_000, handed  # the application, its translations, fonts and drawn glyphs
    assert handed["left_to_walk"] < 100, handed
