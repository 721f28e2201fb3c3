"""Start-up drawing leaves nothing for a worker's first badge to read from the fonts."""

from widget.layout import shaping
from widget.layout.fonts import Script, Weight, font_face
from widget.render import glyphs
from widget.render.badge import STYLES, render_badge_svg
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


def test_preparation_reads_the_outlines_of_every_script():
    draw_every_badge_glyph()
    for script in Script:
        assert font_face(script, Weight.REGULAR).outlines, script
