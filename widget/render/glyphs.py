"""Turn laid-out glyphs into SVG path data.

Drawing text as outlines, not ``<text>``, is what makes a badge look the same everywhere: the
viewer needs no font, and no renderer gets a chance to draw Arabic letters unjoined or in the
wrong order (cairosvg would; browsers would re-apply bidi to pre-shaped text).
"""

from widget.layout.shaping import ShapedLine


def format_number(value: float) -> str:
    """``value`` with at most two decimals and no trailing zeros: precise enough at 4x scale."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def path_data(line: ShapedLine, left: float, baseline: float) -> str:
    """The outlines of ``line`` as one SVG path, its left end at ``left`` and baseline at ``baseline``."""
    parts: list[str] = []
    for glyph in line.glyphs:
        scale = line.size / glyph.face.units_per_em
        origin_x = left + glyph.x
        origin_y = baseline - glyph.y
        for command, coordinates in glyph.face.outline(glyph.glyph_id):
            parts.append(command)
            for index in range(0, len(coordinates), 2):
                parts.append(format_number(origin_x + coordinates[index] * scale))
                parts.append(format_number(origin_y - coordinates[index + 1] * scale))
    return " ".join(parts)
