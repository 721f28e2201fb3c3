"""PNG pictures: badges painted with cairo from the same layout as their SVG, and SVG rasterised.

A badge is laid out once (``lay_out_badge``) and painted either as SVG text or, here, straight
onto a cairo surface: the same rectangles, gradient, clip and glyph outlines, so both formats are
the same picture (the tests compare Chromium's SVG with this PNG pixel by pixel). Painting
directly skips cairosvg's pure-Python parser, which spent most of a badge PNG's 14 ms reading
back the glyph paths we had just written; and it paints the fonts' exact outlines, not the SVG's
compact ones, so a PNG at 4x is as sharp as cairo can make it. Other pictures (the social card)
go through cairosvg. Both are sent as indexed PNGs (``indexed``): a third of the bytes.

cairo is a system library loaded when cairocffi or cairosvg is imported, so the imports wait
until a PNG is first needed: SVG, JSON and the script never pay for them, nor fail without them.
"""

import io
from collections.abc import Callable
from functools import cache
from types import ModuleType
from typing import Any, Protocol

from PIL import Image

from widget.layout.shaping import ShapedLine
from widget.render.badge import SHADOW_COLOR, SHADOW_OPACITY, Badge, BadgeDrawing, lay_out_badge, rgb
from widget.render.indexed import indexed_png

SCALES = (1, 2, 3, 4)
INSTALL_HINT = "install the cairo library (Debian/Ubuntu: apt-get install libcairo2)"
PACKAGE_HINT = "install the Python package {module} (pip install {module})"


class PathContext(Protocol):
    """The part of a cairo context that traces and fills outlines (cairocffi ships no types)."""

    def move_to(self, x: float, y: float) -> None: ...
    def line_to(self, x: float, y: float) -> None: ...
    def curve_to(self, x1: float, y1: float, x2: float, y2: float, x3: float, y3: float) -> None: ...
    def close_path(self) -> None: ...
    def get_matrix(self) -> Any: ...
    def transform(self, matrix: Any) -> None: ...
    def set_matrix(self, matrix: Any) -> None: ...
    def set_source_rgba(self, red: float, green: float, blue: float, alpha: float) -> None: ...


class PngUnavailableError(RuntimeError):
    """cairo, or the Python bindings that load it, cannot be loaded."""


def _load(module: str) -> ModuleType:
    """Import ``module``; if it or the system cairo library is missing, say which one to install."""
    try:
        return __import__(module)
    except OSError as error:
        raise PngUnavailableError(f"PNG rendering is unavailable: {INSTALL_HINT} ({error})") from error
    except ImportError as error:
        hint = PACKAGE_HINT.format(module=error.name or module)
        raise PngUnavailableError(f"PNG rendering is unavailable: {hint} ({error})") from error


@cache
def _cairosvg() -> ModuleType:
    return _load("cairosvg")


@cache
def _cairo() -> ModuleType:
    return _load("cairocffi")


def _check_scale(scale: int) -> None:
    if scale not in SCALES:
        raise ValueError(f"scale must be one of {SCALES}")


def svg_to_png(svg: str, scale: int = 1) -> bytes:
    """``svg`` rasterised at ``scale`` times its size, as an indexed PNG; ``PngUnavailableError`` without cairo."""
    _check_scale(scale)
    png: bytes = _cairosvg().svg2png(bytestring=svg.encode("utf-8"), scale=scale)
    return indexed_png(Image.open(io.BytesIO(png)).convert("RGBA"))


def _source(context: PathContext, color: str, opacity: float = 1.0) -> None:
    red, green, blue = rgb(color)
    context.set_source_rgba(red / 255, green / 255, blue / 255, opacity)


def _trace_line(context: PathContext, line: ShapedLine, left: float, baseline: float) -> None:
    """Add the outlines of ``line`` to the context's path, as ``path_data`` writes them for SVG.

    Each glyph's cubic outline, in font units, is traced through a transform that scales, flips and
    places it: cairo does the arithmetic, and a call per command is all that is left in Python."""
    cairo = _cairo()
    calls: dict[str, Callable[..., None]] = {
        "M": context.move_to,
        "L": context.line_to,
        "C": context.curve_to,
        "Z": context.close_path,
    }
    placed = context.get_matrix()
    for glyph in line.glyphs:
        scale = line.size / glyph.face.units_per_em
        context.transform(cairo.Matrix(scale, 0, 0, -scale, left + glyph.x, baseline - glyph.y))
        for command, coordinates in glyph.face.cubic_outline(glyph.glyph_id):
            calls[command](*coordinates)
        context.set_matrix(placed)


def _paint(drawing: BadgeDrawing, scale: int) -> Image.Image:
    cairo = _cairo()
    surface = cairo.ImageSurface(cairo.FORMAT_ARGB32, drawing.width * scale, drawing.height * scale)
    context = cairo.Context(surface)
    context.scale(scale, scale)
    geometry, width, height = drawing.geometry, drawing.width, drawing.height
    context.save()
    if geometry.radius:
        radius = min(geometry.radius, width / 2, height / 2)
        context.new_sub_path()
        context.arc(width - radius, radius, radius, -0.5 * 3.141592653589793, 0)
        context.arc(width - radius, height - radius, radius, 0, 0.5 * 3.141592653589793)
        context.arc(radius, height - radius, radius, 0.5 * 3.141592653589793, 3.141592653589793)
        context.arc(radius, radius, radius, 3.141592653589793, 1.5 * 3.141592653589793)
        context.close_path()
        context.clip()
    for part in drawing.parts:
        context.rectangle(part.x, 0, part.width, height)
        _source(context, part.background)
        context.fill()
    if geometry.gradient:
        gradient = cairo.LinearGradient(0, 0, 0, height)
        for offset, color, opacity in geometry.gradient:
            red, green, blue = rgb(color)
            gradient.add_color_stop_rgba(float(offset), red / 255, green / 255, blue / 255, float(opacity))
        context.rectangle(0, 0, width, height)
        context.set_source(gradient)
        context.fill()
    context.restore()
    for part in drawing.parts:
        _trace_line(context, part.line, part.text_left, drawing.baseline)
        if not drawing.has_shadow(part):
            _source(context, part.text)
            context.fill()
            continue
        # The outlines are traced once and filled as a mask, which the shadow uses one pixel lower: a
        # whole number of device pixels at every scale, so its coverage is the text's, exactly.
        context.push_group_with_content(cairo.CONTENT_ALPHA)
        context.fill()
        text = context.pop_group()
        in_place = text.get_matrix()
        text.set_matrix(cairo.Matrix(y0=-1).multiply(in_place))  # one user-space pixel lower
        _source(context, SHADOW_COLOR, SHADOW_OPACITY)
        context.mask(text)
        text.set_matrix(in_place)
        _source(context, part.text)
        context.mask(text)
    surface.flush()
    size = (surface.get_width(), surface.get_height())
    return Image.frombuffer("RGBA", size, bytes(surface.get_data()), "raw", "BGRa", surface.get_stride())


def paint_badge(badge: Badge, scale: int = 1) -> Image.Image:
    """``badge`` painted at ``scale`` times its size in full colour (RGBA): the picture ``badge_to_png`` indexes."""
    _check_scale(scale)
    return _paint(lay_out_badge(badge), scale)


def badge_to_png(badge: Badge, scale: int = 1) -> bytes:
    """``badge`` as an indexed PNG at ``scale`` times its size, the same picture as ``render_badge_svg``."""
    return indexed_png(paint_badge(badge, scale))
