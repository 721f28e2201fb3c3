"""Turn laid-out glyphs into SVG path data.

Drawing text as outlines, not ``<text>``, is what makes a badge look the same everywhere: the
viewer needs no font, and no renderer gets a chance to draw Arabic letters unjoined or in the
wrong order (cairosvg would; browsers would re-apply bidi to pre-shaped text). Outlines are
written in relative commands on a grid of hundredths of a pixel, sharp in a browser zoomed to
4x. PNG badges do not read this text: cairo paints them from the same layout (``png``).
"""

from functools import lru_cache

from widget.layout.fonts import FontFace
from widget.layout.shaping import ShapedLine


def format_number(value: float) -> str:
    """``value`` with at most two decimals and no trailing zeros."""
    return _format_hundredths(round(value * 100))


def _format_hundredths(hundredths: int) -> str:
    """An integer number of hundredths as the shortest SVG number: 150 -> ``1.5``, -5 -> ``-.05``."""
    if not hundredths % 100:
        return str(hundredths // 100)
    text = f"{hundredths / 100:.2f}".rstrip("0")
    if text.startswith("0."):
        return text[1:]
    if text.startswith("-0."):
        return "-" + text[2:]
    return text


def _join_numbers(numbers: list[str]) -> str:
    """Numbers separated by spaces, except before a minus sign, which separates on its own."""
    text = numbers[0]
    for number in numbers[1:]:
        text += number if number.startswith("-") else " " + number
    return text


@lru_cache(maxsize=8192)
def glyph_path(face: FontFace, glyph_id: int, size: float) -> str:
    """The outline of ``glyph_id`` at ``size`` pixels, origin on the baseline, y down."""
    scale = size / face.units_per_em
    parts: list[str] = []
    pen_x = pen_y = start_x = start_y = 0
    for command, coordinates in face.outline(glyph_id):
        if command == "Z":
            parts.append("z")
            pen_x, pen_y = start_x, start_y
            continue
        numbers = []
        for index in range(0, len(coordinates), 2):
            x = round(coordinates[index] * scale * 100)
            y = round(-coordinates[index + 1] * scale * 100)
            numbers += [_format_hundredths(x - pen_x), _format_hundredths(y - pen_y)]
            if index == len(coordinates) - 2:
                pen_x, pen_y = x, y
        parts.append(command.lower() + _join_numbers(numbers))
        if command == "M":
            start_x, start_y = pen_x, pen_y
    return "".join(parts)


def path_data(line: ShapedLine, left: float, baseline: float) -> str:
    """The whole of ``line`` as the data of one ``<path>``, its left end at ``left``, on ``baseline``.

    Each glyph starts with an absolute move to its origin; the glyph's own first move is
    relative, so it lands where it should.
    """
    return "".join(
        f"M{format_number(left + glyph.x)} {format_number(baseline - glyph.y)}"
        + glyph_path(glyph.face, glyph.glyph_id, line.size)
        for glyph in line.glyphs
    )
