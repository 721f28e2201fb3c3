"""Badges: a pure function from a small description to SVG text, as shields' badge-maker does.

A badge has two parts, the label and the message (the count). Both are drawn as glyph
outlines from shaped text, so their widths are the real widths and the picture is the same in
every browser, image viewer and e-mail client. In a right-to-left language the parts swap
sides, so the badge reads label first from the right.
"""

from dataclasses import dataclass
from typing import Literal

from widget.layout.fonts import Weight
from widget.layout.shaping import Direction, ShapedLine, shape_line
from widget.render.document import svg_head
from widget.render.glyphs import GRID, PlacedLine, format_number, grid_transform, outline_text
from widget.render.palette import BADGE_COLORS, Tone
from widget.render.palette import THEMES as THEMES  # a badge's themes: the web layer and CLI import them from here
from widget.render.palette import Theme as Theme
from widget.render.placement import centred_baseline, centred_left

Style = Literal["flat", "flat-square", "plastic", "for-the-badge"]
STYLES: tuple[Style, ...] = ("flat", "flat-square", "plastic", "for-the-badge")

PALETTES = BADGE_COLORS
"""The badge colours under their old name, for the web layer until it imports ``palette.BADGE_COLORS``."""


@dataclass(frozen=True)
class Geometry:
    """The measurements that make one style."""

    height: int
    font_size: float
    padding: float
    radius: float
    gradient: tuple[tuple[str, str, str], ...]
    shadow: bool
    uppercase: bool
    letter_spacing: float
    message_weight: Weight


GEOMETRIES: dict[Style, Geometry] = {
    "flat": Geometry(20, 11, 6, 3, (("0", "#bbb", ".1"), ("1", "#000", ".1")), True, False, 0, Weight.REGULAR),
    "flat-square": Geometry(20, 11, 6, 0, (), False, False, 0, Weight.REGULAR),
    "plastic": Geometry(
        18,
        11,
        6,
        4,
        (("0", "#fff", ".7"), (".1", "#aaa", ".1"), (".9", "#000", ".3"), ("1", "#000", ".5")),
        True,
        False,
        0,
        Weight.REGULAR,
    ),
    "for-the-badge": Geometry(28, 10, 10, 0, (), False, True, 1, Weight.BOLD),
}


@dataclass(frozen=True)
class Badge:
    """What a badge says and how it looks: the whole input of ``render_badge_svg``."""

    label: str
    message: str
    title: str
    lang: str
    direction: Direction
    style: Style = "flat"
    theme: Theme = "light"
    tone: Tone = "running"


@dataclass(frozen=True)
class BadgePart:
    """One of the two parts, placed: its box, fill, and text line with the text's left end and baseline."""

    line: ShapedLine
    x: float
    width: float
    background: str
    text: str
    text_left: float


@dataclass(frozen=True)
class BadgeDrawing:
    """Everything a painter needs, in pixels: the badge laid out once, drawn as SVG or straight to PNG."""

    width: int
    height: int
    baseline: float
    geometry: Geometry
    parts: tuple[BadgePart, ...]

    def has_shadow(self, part: BadgePart) -> bool:
        """Light text on a dark part gets a dark shadow one pixel below it, as on other badges."""
        return self.geometry.shadow and not is_light(part.background)


SHADOW_COLOR = "#010101"
SHADOW_OPACITY = 0.3


def lay_out_badge(badge: Badge) -> BadgeDrawing:
    """Shape both texts and place the parts: label then message, or message then label in RTL."""
    geometry = GEOMETRIES[badge.style]
    colors = BADGE_COLORS[(badge.theme, badge.tone)]
    label_text = badge.label.upper() if geometry.uppercase else badge.label
    message_text = badge.message.upper() if geometry.uppercase else badge.message
    label = shape_line(label_text, geometry.font_size, Weight.REGULAR, badge.direction, geometry.letter_spacing)
    message = shape_line(
        message_text, geometry.font_size, geometry.message_weight, badge.direction, geometry.letter_spacing
    )
    ordered = [
        (label, colors.label_background, colors.label_text),
        (message, colors.message_background, colors.message_text),
    ]
    if badge.direction == "rtl":
        ordered.reverse()
    parts = []
    x = 0.0
    for line, background, text in ordered:
        width = round(line.width + 2 * geometry.padding)
        parts.append(BadgePart(line, x, width, background, text, centred_left(line, x, width)))
        x += width
    baseline = centred_baseline([label, message], 0, geometry.height)
    return BadgeDrawing(int(x), geometry.height, baseline, geometry, tuple(parts))


def is_light(color: str) -> bool:
    """Whether a ``#rgb`` or ``#rrggbb`` colour is closer to white than to black."""
    red, green, blue = rgb(color)
    return 0.299 * red + 0.587 * green + 0.114 * blue > 150


def rgb(color: str) -> tuple[int, int, int]:
    """The channels (0-255) of a ``#rgb`` or ``#rrggbb`` colour."""
    digits = color.removeprefix("#")
    if len(digits) == 3:
        digits = "".join(digit * 2 for digit in digits)
    red, green, blue = (int(digits[index : index + 2], 16) for index in (0, 2, 4))
    return red, green, blue


def _stop_offset(offset: str) -> str:
    """A gradient stop's offset attribute, left out for 0, the default."""
    return "" if offset == "0" else f' offset="{offset}"'


def _stop_color(color: str) -> str:
    """A gradient stop's colour attribute, left out for black, the default."""
    return "" if color == "#000" else f' stop-color="{color}"'


def render_badge_svg(badge: Badge) -> str:
    """The badge as a standalone SVG document, accessible by its ``title``.

    Parts whose text has the same colour and shadow are drawn as one group, defined once and
    drawn twice where the style has a shadow. Attributes with their default value (a black
    gradient stop, ``x="0"``) are left out: a badge is sent millions of times.
    """
    drawing = lay_out_badge(badge)
    geometry, width, height = drawing.geometry, drawing.width, drawing.height
    out = [svg_head(width, height, badge.title, badge.lang)]
    if geometry.gradient:
        stops = "".join(
            f'<stop{_stop_offset(offset)}{_stop_color(color)} stop-opacity="{opacity}"/>'
            for offset, color, opacity in geometry.gradient
        )
        out.append(f'<linearGradient id="S" x2="0" y2="1">{stops}</linearGradient>')
    if geometry.radius:
        radius = format_number(geometry.radius)
        out.append(f'<clipPath id="R"><rect width="{width}" height="{height}" rx="{radius}"/></clipPath>')
        out.append('<g clip-path="url(#R)">')
    for part in drawing.parts:
        x = f' x="{format_number(part.x)}"' if part.x else ""
        out.append(f'<rect{x} width="{format_number(part.width)}" height="{height}" fill="{part.background}"/>')
    if geometry.gradient:
        out.append(f'<rect width="{width}" height="{height}" fill="url(#S)"/>')
    if geometry.radius:
        out.append("</g>")
    groups: dict[tuple[str, bool], list[BadgePart]] = {}
    for part in drawing.parts:
        groups.setdefault((part.text, drawing.has_shadow(part)), []).append(part)
    outlines = outline_text(
        [[PlacedLine(part.line, part.text_left, 0.0) for part in parts] for parts in groups.values()]
    )
    texts = [
        (color, shadow, chr(ord("T") + index), text)
        for index, ((color, shadow), text) in enumerate(zip(groups, outlines.drawings, strict=True))
    ]
    shadowed = "".join(f'<g id="{group_id}">{text}</g>' for _, shadow, group_id, text in texts if shadow)
    if outlines.definitions or shadowed:
        out.append(f"<defs>{outlines.definitions}{shadowed}</defs>")
    out.append(f'<g transform="{grid_transform(drawing.baseline)}">')
    for color, shadow, group_id, text in texts:
        if shadow:
            opacity = format_number(SHADOW_OPACITY)
            out.append(f'<use href="#{group_id}" y="{GRID}" fill="{SHADOW_COLOR}" fill-opacity="{opacity}"/>')
            out.append(f'<use href="#{group_id}" fill="{color}"/>')
        else:
            out.append(f'<g fill="{color}">{text}</g>')
    out.append("</g></svg>")
    return "".join(out)
