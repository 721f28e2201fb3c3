"""Lay out one line of text: bidi levels, font runs, HarfBuzz shaping, visual order.

The result is a list of glyphs with positions in pixels, and the line's true width. Widths come
from the shaped glyphs, never from a per-character table: joined Arabic is about a third
narrower than its isolated letters, so a table would leave badges padded or clipped.
"""

from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

import uharfbuzz

from widget.layout.bidi import resolve_levels, visual_order
from widget.layout.fonts import FontFace, Script, Weight, face_for, scripts_for

Direction = Literal["ltr", "rtl"]
CURSIVE_SCRIPTS = frozenset({Script.ARABIC})
"""Scripts whose letters join: extra letter spacing would break them apart."""


@dataclass(frozen=True)
class PlacedGlyph:
    """One glyph of one face, with its origin in pixels from the line's left end and baseline (y up)."""

    face: FontFace
    glyph_id: int
    x: float
    y: float


@dataclass(frozen=True)
class Ink:
    """Where a line's glyphs put ink, in pixels from its left end and baseline, y up: ``top`` above ``bottom``."""

    left: float
    right: float
    top: float
    bottom: float


@dataclass(frozen=True)
class ShapedLine:
    """A laid-out line: its glyphs left to right, its width (the sum of advances), its font size in pixels,
    the scripts it holds, and its ink (``None`` if it draws nothing, as a space)."""

    glyphs: tuple[PlacedGlyph, ...]
    width: float
    size: float
    scripts: frozenset[Script] = frozenset()
    ink: Ink | None = None


def _ink(glyphs: tuple[PlacedGlyph, ...], size: float) -> Ink | None:
    """The box around the glyphs' outlines, from the fonts' own glyph extents."""
    boxes = []
    for glyph in glyphs:
        extents = glyph.face.font.get_glyph_extents(glyph.glyph_id)
        if extents.width and extents.height:
            scale = size / glyph.face.units_per_em
            left, top = glyph.x + extents.x_bearing * scale, glyph.y + extents.y_bearing * scale
            boxes.append((left, left + extents.width * scale, top, top + extents.height * scale))
    if not boxes:
        return None
    lefts, rights, tops, bottoms = zip(*boxes, strict=True)
    return Ink(min(lefts), max(rights), max(tops), min(bottoms))


@dataclass(frozen=True)
class _Run:
    start: int
    end: int
    level: int
    face: FontFace
    script: Script


def _runs(text: str, levels: list[int], weight: Weight) -> list[_Run]:
    """Split ``text`` where the level, the script or the face changes."""
    scripts = scripts_for(text)
    faces = [face_for(character, script, weight) for character, script in zip(text, scripts, strict=True)]
    runs: list[_Run] = []
    start = 0
    for index in range(1, len(text) + 1):
        boundary = index == len(text) or (levels[index], faces[index], scripts[index]) != (
            levels[start],
            faces[start],
            scripts[start],
        )
        if boundary:
            runs.append(_Run(start, index, levels[start], faces[start], scripts[start]))
            start = index
    return runs


def _shape_run(text: str, run: _Run, letter_spacing_units: float) -> tuple[list[tuple[int, float, float]], float]:
    """Shape one run with the whole line as context; glyphs as (id, x, y) in font units, and the advance."""
    buffer = uharfbuzz.Buffer()
    buffer.add_codepoints([ord(character) for character in text], run.start, run.end - run.start)
    buffer.guess_segment_properties()
    buffer.direction = "rtl" if run.level % 2 else "ltr"
    uharfbuzz.shape(run.face.font, buffer, {})
    spacing = 0.0 if run.script in CURSIVE_SCRIPTS else letter_spacing_units
    pen = 0.0
    glyphs = []
    for info, position in zip(buffer.glyph_infos, buffer.glyph_positions, strict=True):
        glyphs.append((info.codepoint, pen + position.x_offset, float(position.y_offset)))
        pen += position.x_advance + (spacing if position.x_advance else 0.0)
    return glyphs, pen


@lru_cache(maxsize=512)
def shape_line(
    text: str,
    size: float,
    weight: Weight = Weight.REGULAR,
    direction: Direction = "ltr",
    letter_spacing: float = 0.0,
) -> ShapedLine:
    """Lay out ``text`` at ``size`` pixels in a paragraph of ``direction``.

    ``letter_spacing`` (pixels) is added after each glyph of non-cursive scripts.
    """
    if not text:
        return ShapedLine(glyphs=(), width=0.0, size=size)
    levels = resolve_levels(text, 1 if direction == "rtl" else 0)
    runs = _runs(text, levels, weight)
    run_levels = [run.level for run in runs]
    placed: list[PlacedGlyph] = []
    cursor = 0.0
    for run_index in visual_order(run_levels):
        run = runs[run_index]
        scale = size / run.face.units_per_em
        glyphs, advance = _shape_run(text, run, letter_spacing / scale)
        for glyph_id, x, y in glyphs:
            placed.append(PlacedGlyph(run.face, glyph_id, cursor + x * scale, y * scale))
        cursor += advance * scale
    line_glyphs = tuple(placed)
    return ShapedLine(line_glyphs, cursor, size, frozenset(run.script for run in runs), _ink(line_glyphs, size))
