"""Glyphs as compact SVG path data, each outline written once per picture.

Drawing text as outlines, not ``<text>``, is what makes a picture look the same everywhere: the
viewer needs no font, and no renderer gets a chance to draw Arabic letters unjoined or in the
wrong order (cairosvg would; browsers would re-apply bidi to pre-shaped text). Outlines are most
of a badge's bytes, and a badge is fetched on every view of every page that shows it, so they
are written as small as the picture allows:

- on a grid of tenths of a pixel (``GRID``): rasterised at 4x, a badge differs from the exact
  outlines by about two levels of 255 on average, on the edges of its letters (the render tests
  measure it; Chromium's rendering is compared with the PNG in the web tests);
- with the points a viewer cannot see dropped: a point goes when the outline moves by at most
  ``TOLERANCE`` without it. The fonts are drawn for any size; at a badge's 11 px many of their
  points change the outline by a few hundredths of a pixel;
- as TrueType draws them, quadratic curves whose on-curve points lie half-way between two
  control points, so a run of curves costs one point each (``t``), in relative commands, each
  contour starting where a straight line ends so that ``z`` draws that line;
- a dot or an accent starts on the grid, so the same dot has the same text wherever it is and
  compresses to a reference (an Arabic line has a dozen);
- a glyph drawn more than once in a picture is defined once (``<path id>``) and placed with
  ``<use>`` when that is shorter; a glyph drawn once is written in place.

Measured on the longest badges (Darija, with a shadow): at most 4.2 KB, 2.0 KB gzipped, 1.7 KB
with brotli, where hundredths of a pixel and a path per part made 12.2 KB, 4.4 KB and 3.7 KB.

PNG badges do not read this text: cairo paints them from the exact layout (``png``).
"""

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from string import ascii_lowercase

from widget.layout.fonts import FontFace, PathCommands
from widget.layout.shaping import ShapedLine

GRID = 10
"""Units per pixel in written outlines: pictures wrap their glyphs in ``grid_transform``."""
TOLERANCE = 1.2
"""How far (in grid units: 0.12 px) dropping a point may move an outline: small enough that Chromium's
rendering of a badge stays within the web tests' bound of its PNG (2.7 of 3.0 at worst, Darija plastic),
large enough that every badge stays under 2,000 bytes gzipped for every count up to 9,999 days (1,996)."""
SMALL_CONTOUR = 2 * GRID
"""Contours no wider nor taller than this (2 px: dots, accents) start on the grid, so that they repeat exactly."""


def grid_transform(baseline: float = 0.0) -> str:
    """The transform from grid units to pixels, with the origin moved down to ``baseline``."""
    scale = format_number(1 / GRID)
    return f"matrix({scale} 0 0 {scale} 0 {format_number(baseline)})" if baseline else f"scale({scale})"


def format_number(value: float) -> str:
    """``value`` with at most two decimals and no trailing zeros or leading zero: 0.5 -> ``.5``."""
    text = f"{round(value, 2):.2f}".rstrip("0").rstrip(".")
    if text in ("-0", ""):
        return "0"
    return text.replace("0.", ".", 1) if text.startswith(("0.", "-0.")) else text


def _join(numbers: Iterable[int]) -> str:
    """Integers separated by spaces, except before a minus sign, which separates on its own."""
    text = ""
    for number in numbers:
        text += str(number) if number < 0 or not text else f" {number}"
    return text


@dataclass
class _Point:
    """A TrueType outline point in grid units (y down): on the curve, or the control point of a quadratic."""

    x: float
    y: float
    on_curve: bool


def _contours(commands: PathCommands, scale: float) -> list[list[_Point]]:
    """The closed contours of an outline, as TrueType stores them: an on-curve point half-way between two
    control points is left out (implied), so a run of curves is one point per curve.
    """
    contours: list[list[_Point]] = []
    for command, coordinates in commands:
        points = [
            _Point(coordinates[index] * scale, -coordinates[index + 1] * scale, True)
            for index in range(0, len(coordinates), 2)
        ]
        if command == "M":
            contours.append(points)
        elif command == "L":
            contours[-1].extend(points)
        elif command == "Q":
            contour, (control, end) = contours[-1], points
            previous = contour[-1]
            if len(contour) >= 2 and not contour[-2].on_curve and _is_midpoint(previous, contour[-2], control):
                contour.pop()
            control.on_curve = False
            contour.extend((control, end))
        elif command == "Z":
            contour = contours[-1]
            if len(contour) > 1 and (contour[-1].x, contour[-1].y) == (contour[0].x, contour[0].y):
                contour.pop()
        else:
            raise ValueError(f"outline command {command!r}: only TrueType (quadratic) fonts are supported")
    return [_snapped_if_small(contour) for contour in contours if len(contour) > 2]


def _snapped_if_small(contour: list[_Point]) -> list[_Point]:
    """A dot or an accent moved (by at most half a grid unit) so that its first point is on the grid.

    Its path data is then the same wherever it sits: an Arabic text has a dozen identical dots,
    and identical text compresses to a reference. Larger contours rarely repeat and stay exact.
    """
    xs, ys = [point.x for point in contour], [point.y for point in contour]
    if max(xs) - min(xs) > SMALL_CONTOUR or max(ys) - min(ys) > SMALL_CONTOUR:
        return contour
    first = next(point for point in contour if point.on_curve)
    shift_x, shift_y = round(first.x) - first.x, round(first.y) - first.y
    return [_Point(point.x + shift_x, point.y + shift_y, point.on_curve) for point in contour]


def _is_midpoint(point: _Point, first: _Point, second: _Point) -> bool:
    return math.isclose(point.x, (first.x + second.x) / 2, abs_tol=1e-9) and math.isclose(
        point.y, (first.y + second.y) / 2, abs_tol=1e-9
    )


def _distance_to_segment(point: _Point, start: _Point, end: _Point) -> float:
    dx, dy = end.x - start.x, end.y - start.y
    length = dx * dx + dy * dy
    t = 0.0 if not length else max(0.0, min(1.0, ((point.x - start.x) * dx + (point.y - start.y) * dy) / length))
    return math.hypot(point.x - start.x - t * dx, point.y - start.y - t * dy)


def _neighbouring_on_curve(contour: list[_Point], index: int, step: int) -> _Point:
    """The on-curve point a curve controlled by ``contour[index]`` starts from (``step`` -1) or ends at (1)."""
    control, beyond = contour[index % len(contour)], contour[(index + step) % len(contour)]
    if beyond.on_curve:
        return beyond
    return _Point((control.x + beyond.x) / 2, (control.y + beyond.y) / 2, True)


def _end_shift(start: _Point, control: _Point, end: _Point, move_x: float, move_y: float) -> float:
    """How far a quadratic curve moves, across itself, when its end moves by (``move_x``, ``move_y``).

    At parameter t the point moves by t² times the end's move; only the part across the curve's
    direction there changes the drawn shape (a move along the curve slides it along itself).
    """
    shift = 0.0
    for t in (0.25, 0.5, 0.75, 1.0):
        direction_x = (1 - t) * (control.x - start.x) + t * (end.x - control.x)
        direction_y = (1 - t) * (control.y - start.y) + t * (end.y - control.y)
        length = math.hypot(direction_x, direction_y)
        across = abs(move_x * direction_y - move_y * direction_x) / length if length else math.hypot(move_x, move_y)
        shift = max(shift, t * t * across)
    return shift


def _removal_error(contour: list[_Point], index: int) -> float:
    """How far the outline moves if the point at ``index`` is dropped, estimated from its neighbours.

    An on-curve point between two controls becomes their midpoint, which moves the ends of both
    curves; a control between two on-curve points leaves a straight line, half its distance from
    the chord away; a control in a run of curves shifts the run by about three quarters of its
    distance from its neighbours' segment. Any other point leaves the segment between its neighbours.
    """
    point, before, after = contour[index], contour[index - 1], contour[(index + 1) % len(contour)]
    if point.on_curve and not before.on_curve and not after.on_curve:
        move_x, move_y = (before.x + after.x) / 2 - point.x, (before.y + after.y) / 2 - point.y
        first = _end_shift(_neighbouring_on_curve(contour, index - 1, -1), before, point, move_x, move_y)
        second = _end_shift(_neighbouring_on_curve(contour, index + 1, 1), after, point, move_x, move_y)
        return max(first, second)
    if point.on_curve:
        return _distance_to_segment(point, before, after)
    if before.on_curve and after.on_curve:
        return _distance_to_segment(point, before, after) / 2
    return 0.75 * _distance_to_segment(point, before, after)


def _simplify(contour: list[_Point]) -> list[_Point]:
    """``contour`` without the points whose dropping moves it by at most ``TOLERANCE``, cheapest first.

    Each point remembers how far the outline near it has moved already, so that small moves
    cannot add up past the tolerance. One on-curve point always stays, to start the contour on.
    """
    points = list(contour)
    moved = [0.0] * len(points)
    while len(points) > 3:
        best_cost, best_index = TOLERANCE, -1
        on_curve_count = sum(point.on_curve for point in points)
        for index, point in enumerate(points):
            if point.on_curve and on_curve_count == 1:
                continue
            nearby = max(moved[index - 1], moved[index], moved[(index + 1) % len(points)])
            cost = _removal_error(points, index) + nearby
            if cost <= best_cost:
                best_cost, best_index = cost, index
        if best_index < 0:
            break
        count = len(points)
        moved[best_index - 1] = max(moved[best_index - 1], best_cost)
        moved[(best_index + 1) % count] = max(moved[(best_index + 1) % count], best_cost)
        del points[best_index]
        del moved[best_index]
    return points


@dataclass(frozen=True)
class GlyphPath:
    """A glyph's outline as path data in grid units, relative to its origin on the baseline (y down).

    Drawn anywhere by a move to the origin plus ``start`` followed by ``data``, which is all relative;
    after ``data`` the pen stands at ``end``, the start of the last contour.
    """

    start: tuple[int, int]
    data: str
    end: tuple[int, int]


def _contour_commands(contour: list[_Point], pen: tuple[int, int]) -> tuple[str, tuple[int, int]]:
    """One contour as relative commands from ``pen``; returns them and the rounded start of the contour.

    In a run of curves each curve's control point is the mirror of the previous one through the
    point between them (``t``). The points between are rounded so that each mirrored control
    lands within a grid unit of the one the font has: errors do not add up along the run.
    """
    ends_of_lines = [index for index, point in enumerate(contour) if point.on_curve and contour[index - 1].on_curve]
    first = ends_of_lines[0] if ends_of_lines else next(index for index, point in enumerate(contour) if point.on_curve)
    points = [*contour[first:], *contour[:first], contour[first]]
    start = (round(points[0].x), round(points[0].y))
    commands = [("m", [start[0] - pen[0], start[1] - pen[1]])]
    x, y = start
    index = 1
    while index < len(points):
        point = points[index]
        if point.on_curve:
            target = (round(point.x), round(point.y))
            if index < len(points) - 1:  # the last line, back to the start, is drawn by ``z``
                dx, dy = target[0] - x, target[1] - y
                commands.append(("v", [dy]) if not dx else ("h", [dx]) if not dy else ("l", [dx, dy]))
            x, y = target
            index += 1
            continue
        run_end = index
        while not points[run_end].on_curve:
            run_end += 1
        controls, end = points[index:run_end], points[run_end]
        control = (round(controls[0].x), round(controls[0].y))
        for position in range(len(controls)):
            if position + 1 < len(controls):
                following = controls[position + 1]
                target = (round((control[0] + following.x) / 2), round((control[1] + following.y) / 2))
            else:
                target = (round(end.x), round(end.y))
            if position == 0:
                commands.append(("q", [control[0] - x, control[1] - y, target[0] - x, target[1] - y]))
            else:
                commands.append(("t", [target[0] - x, target[1] - y]))
            control = (2 * target[0] - control[0], 2 * target[1] - control[1])
            x, y = target
        index = run_end + 1
    commands.append(("z", []))
    text, previous = "", ""
    for letter, numbers in commands:
        if (letter == previous and letter in "lqt") or (previous, letter) == ("m", "l"):  # implied letters
            joined = _join(numbers)
            text += joined if joined.startswith("-") else f" {joined}"
        else:
            text += letter + _join(numbers)
        previous = letter
    return text, start


@lru_cache(maxsize=8192)
def glyph_path(face: FontFace, glyph_id: int, size: float) -> GlyphPath | None:
    """The outline of ``glyph_id`` at ``size`` pixels, or ``None`` for a glyph without ink (a space)."""
    contours = [_simplify(contour) for contour in _contours(face.outline(glyph_id), size / face.units_per_em * GRID)]
    if not contours:
        return None
    parts = []
    pen = (0, 0)
    starts = []
    for contour in contours:
        text, pen = _contour_commands(contour, pen)
        parts.append(text)
        starts.append(pen)
    data = "".join(parts)
    first_x, first_y = starts[0]
    move = f"m{_join([first_x, first_y])}"
    return GlyphPath(start=starts[0], data=data.removeprefix(move), end=starts[-1])


@dataclass(frozen=True)
class PlacedLine:
    """A shaped line and where it goes, in pixels: the x of its left end and its baseline (y down)."""

    line: ShapedLine
    left: float
    baseline: float


@dataclass(frozen=True)
class TextOutlines:
    """A picture's text: ``definitions`` of the glyphs placed with ``<use>`` (for ``<defs>``), and for
    each group of lines, the elements drawing it, in grid units (to go inside ``grid_transform()``)."""

    definitions: str
    drawings: tuple[str, ...]


def _element_id(index: int) -> str:
    """Short lowercase ids: ``a`` to ``z``, then ``aa``, ``ab``... (pictures name their own parts in capitals)."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = ascii_lowercase[remainder] + letters
    return letters


GlyphKey = tuple[FontFace, int, float]
"""A distinct outline: a face's glyph at a size."""


def _glyph_keys(line: ShapedLine) -> list[GlyphKey]:
    return [(glyph.face, glyph.glyph_id, line.size) for glyph in line.glyphs]


DEFINITION_COST = 22
"""Characters a definition adds to its outline: ``<path id="a" d="M1 2"/>``."""
USE_COST = 25
"""Characters of one placement: ``<use href="#a" x="1234"/>``."""
MOVE_COST = 8
"""Characters of the move before an outline written in place: ``m-123 45``."""


def _worth_defining(path: GlyphPath, uses: int) -> bool:
    """Whether defining a glyph drawn ``uses`` times and placing it makes the picture shorter than drawing it each time.

    A short outline drawn twice (a dot, a stroke) is shorter written twice, and compresses as well.
    """
    defined = len(path.data) + DEFINITION_COST + uses * USE_COST
    return defined < uses * (len(path.data) + MOVE_COST)


def outline_text(groups: Sequence[Sequence[PlacedLine]]) -> TextOutlines:
    """The glyphs of every line, grouped as the picture fills them: each distinct outline written once."""
    uses = Counter(key for lines in groups for placed in lines for key in _glyph_keys(placed.line))
    ids: dict[GlyphKey, str] = {}
    definitions = []
    drawings = []
    for lines in groups:
        inline = ""
        pen = (0, 0)
        placed_uses = []
        for placed in lines:
            for glyph, key in zip(placed.line.glyphs, _glyph_keys(placed.line), strict=True):
                path = glyph_path(*key)
                if path is None:
                    continue
                x = round((placed.left + glyph.x) * GRID)
                y = round((placed.baseline - glyph.y) * GRID)
                if not _worth_defining(path, uses[key]):  # a move from the previous glyph, then the outline
                    start = (x + path.start[0], y + path.start[1])
                    move = f"m{_join([start[0] - pen[0], start[1] - pen[1]])}"
                    inline += move + path.data
                    pen = (x + path.end[0], y + path.end[1])
                    continue
                if key not in ids:
                    ids[key] = _element_id(len(ids))
                    definitions.append(f'<path id="{ids[key]}" d="m{_join(path.start)}{path.data}"/>')
                placed_uses.append(f'<use href="#{ids[key]}" x="{x}"' + (f' y="{y}"/>' if y else "/>"))
        drawings.append((f'<path d="{inline}"/>' if inline else "") + "".join(placed_uses))
    return TextOutlines("".join(definitions), tuple(drawings))
