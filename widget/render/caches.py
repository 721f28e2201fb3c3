"""Forgetting everything the render and layout layers keep between calls.

A badge is cheap because almost nothing is computed twice: fonts are opened once
(``font_face``), each glyph's outline is read once and kept by its face, each line of text is
shaped once (``shape_line``), each glyph's path data is written once (``glyph_path``), and cairo
is loaded once. The benchmark times what a cache miss costs a worker, so before each timed
render it has to undo all of that; this is the one place that knows what "all" is, so a cache
added here later is cleared there without the benchmark naming it.
"""

from widget.layout.fonts import font_face
from widget.layout.shaping import shape_line
from widget.render.glyphs import glyph_path
from widget.render.png import _cairo, _cairosvg


def clear_render_caches() -> None:
    """Empty every cache of ``widget.layout`` and ``widget.render``, as in a process that has drawn nothing.

    Font faces are dropped with the glyph outlines they keep, so the next render opens the
    fonts again. Translations (``widget.text``) and the web layer's answers are not render
    caches and are left alone.
    """
    for cached in (shape_line, glyph_path, font_face, _cairo, _cairosvg):
        cached.cache_clear()
