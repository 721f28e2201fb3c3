"""One line of the counter's text as an SVG of glyph outlines, for the embed script.

The embed script writes the counter as real text wherever the visitor's system can draw it:
every common system ships fonts for Latin and Arabic, and real text wraps, zooms, follows
forced-colors modes and can be selected. Tifinagh is the exception: not every system ships a font
for it (a stock Debian has only DejaVu Sans, which lacks four letters), and a host page's
Content-Security-Policy may forbid loading a web font (``font-src`` falls back to
``default-src 'none'``). An image is governed by ``img-src`` instead, so this picture of the
text, drawn from the vendored Noto fonts as paths, shows real glyphs on any machine under any
policy that lets a page show our badge.

The picture has a transparent background, so it sits on the host page like text does, and
carries the text as its accessible name.
"""

import math
from dataclasses import dataclass

from widget.layout.fonts import Weight
from widget.layout.shaping import Direction, shape_line
from widget.render.document import svg_head
from widget.render.glyphs import PlacedLine, grid_transform, outline_text
from widget.render.palette import TEXT_COLORS, THEMES, Theme
from widget.render.placement import centred_baseline

TextTheme = Theme
"""The palette's ``Theme`` under the name the embed layer imports, until it imports the palette's."""
TEXT_THEMES = THEMES

SIZE = 16.0
"""Font size in pixels: the script scales the picture with CSS, and paths stay sharp at any size."""

LINE_HEIGHT_EM = 1.5
"""The picture is one line box tall, as text would be, so it lines up with text around it."""


@dataclass(frozen=True)
class TextLine:
    """One line of text to draw: the whole input of ``render_text_svg``."""

    text: str
    lang: str
    direction: Direction
    theme: Theme = "light"


def render_text_svg(line: TextLine) -> str:
    """``line`` drawn as outlines on a transparent background, one line box tall.

    The box holds all of the ink: a letter that reaches left of its origin (Darija's ``3``) moves
    the text right, dots below the line (Arabic's ``ي``) stay inside, a taller text makes a taller
    box. Otherwise the width is the shaped width rounded up, so the picture holds no empty margin
    the script would have to account for.
    """
    shaped = shape_line(line.text, SIZE, Weight.REGULAR, line.direction)
    height = round(SIZE * LINE_HEIGHT_EM)
    left, width, baseline = 0.0, max(1, math.ceil(shaped.width)), centred_baseline([shaped], 0, height)
    if shaped.ink is not None:
        ink = shaped.ink
        height = max(height, math.ceil(ink.top - ink.bottom))
        baseline = min(max(centred_baseline([shaped], 0, height), ink.top), height + ink.bottom)
        left = max(0.0, -ink.left)
        width = max(width, math.ceil(left + max(shaped.width, ink.right)))
    outlines = outline_text([[PlacedLine(shaped, left, 0.0)]])
    definitions = f"<defs>{outlines.definitions}</defs>" if outlines.definitions else ""
    return (
        f"{svg_head(width, height, line.text, line.lang)}{definitions}"
        f'<g transform="{grid_transform(baseline)}" fill="{TEXT_COLORS[line.theme]}">{outlines.drawings[0]}</g></svg>'
    )
