"""The vendored Noto fonts, and which one draws each character.

No single font covers Latin, Arabic and Tifinagh, so each character is given the font of its
script; digits, spaces and punctuation follow the script around them, so the digits of an
Arabic sentence come from the Arabic font. Glyph outlines are read once per glyph and kept, so
drawing the same text again costs only arithmetic.
"""

import unicodedata
from dataclasses import dataclass, field
from enum import Enum
from functools import cache
from importlib import resources
from itertools import pairwise
from pathlib import Path

import uharfbuzz


class Weight(Enum):
    """The two weights badges use: regular, and bold for the ``for-the-badge`` style's count."""

    REGULAR = "Regular"
    BOLD = "Bold"


class Script(Enum):
    """The scripts we draw, each with its own font family."""

    LATIN = "NotoSans"
    ARABIC = "NotoSansArabic"
    TIFINAGH = "NotoSansTifinagh"


BOLD_FAMILIES = frozenset({Script.LATIN, Script.ARABIC})
"""Scripts with a bold face. Noto Sans Tifinagh has none: HarfBuzz thickens its regular outlines as much
as Noto Sans Bold thickens Noto Sans (``_bold_growth``), so a bold run of digits and Tifinagh is one weight."""

PathCommands = tuple[tuple[str, tuple[float, ...]], ...]
"""A glyph outline in font units, y up: (``M``/``L``/``Q``/``C``/``Z``, coordinates) pairs."""


class _OutlinePen:
    """Collects HarfBuzz's drawing calls as SVG path commands."""

    def __init__(self) -> None:
        self.commands: list[tuple[str, tuple[float, ...]]] = []

    def moveTo(self, point: tuple[float, float]) -> None:  # noqa: N802 (the pen protocol's names)
        self.commands.append(("M", point))

    def lineTo(self, point: tuple[float, float]) -> None:  # noqa: N802
        self.commands.append(("L", point))

    def qCurveTo(self, *points: tuple[float, float]) -> None:  # noqa: N802
        for control, end in pairwise(points):
            self.commands.append(("Q", (*control, *end)))

    def curveTo(self, *points: tuple[float, float]) -> None:  # noqa: N802
        self.commands.append(("C", tuple(coordinate for point in points for coordinate in point)))

    def closePath(self) -> None:  # noqa: N802
        self.commands.append(("Z", ()))


@dataclass(eq=False)
class FontFace:
    """One font file, opened with HarfBuzz, with its outlines cached by glyph id."""

    name: str
    font: uharfbuzz.Font
    units_per_em: int
    ascender: int
    descender: int
    cap_height: int
    """The height of the face's capitals in font units, as the font's designer gives it (OS/2 ``sCapHeight``)."""
    outlines: dict[int, PathCommands] = field(default_factory=dict)
    cubic_outlines: dict[int, PathCommands] = field(default_factory=dict)

    def has_character(self, character: str) -> bool:
        """Whether the font has a glyph of its own for ``character``."""
        return self.font.get_nominal_glyph(ord(character)) is not None

    def outline(self, glyph_id: int) -> PathCommands:
        """The outline of ``glyph_id`` in font units, read from the font once."""
        found = self.outlines.get(glyph_id)
        if found is None:
            pen = _OutlinePen()
            self.font.draw_glyph_with_pen(glyph_id, pen)
            found = self.outlines[glyph_id] = tuple(pen.commands)
        return found

    def cubic_outline(self, glyph_id: int) -> PathCommands:
        """The outline of ``glyph_id`` with its quadratic curves raised to cubic ones (``M``/``L``/``C``/``Z``
        only), for painters that draw no other curve (cairo); worked out once."""
        found = self.cubic_outlines.get(glyph_id)
        if found is None:
            found = self.cubic_outlines[glyph_id] = raised_to_cubic(self.outline(glyph_id))
        return found


def raised_to_cubic(commands: PathCommands) -> PathCommands:
    """``commands`` with each quadratic curve (``Q``) written as the cubic curve (``C``) that draws it exactly."""
    raised: list[tuple[str, tuple[float, ...]]] = []
    pen_x = pen_y = start_x = start_y = 0.0
    for command, coordinates in commands:
        if command == "Q":
            control_x, control_y, end_x, end_y = coordinates
            coordinates = (
                pen_x + 2 / 3 * (control_x - pen_x),
                pen_y + 2 / 3 * (control_y - pen_y),
                end_x + 2 / 3 * (control_x - end_x),
                end_y + 2 / 3 * (control_y - end_y),
                end_x,
                end_y,
            )
            command = "C"
        raised.append((command, coordinates))
        if command == "Z":
            pen_x, pen_y = start_x, start_y
        else:
            pen_x, pen_y = coordinates[-2], coordinates[-1]
            if command == "M":
                start_x, start_y = pen_x, pen_y
    return tuple(raised)


def assets_folder() -> Path:
    """The top-level ``assets/`` folder: beside the package in a checkout, inside it once installed."""
    installed = resources.files("widget").joinpath("assets")
    if installed.is_dir():
        return Path(str(installed))
    return Path(__file__).resolve().parents[2] / "assets"


def _open(path: Path) -> uharfbuzz.Font:
    return uharfbuzz.Font(uharfbuzz.Face(uharfbuzz.Blob.from_file_path(str(path))))


def _bold_growth() -> tuple[float, float]:
    """How much thicker Noto Sans Bold's strokes are than Regular's, per em: across (the stem of ``l``,
    88 to 149 units) and along the line (the bar of ``-``, 78 to 122 units)."""
    regular, bold = (_open(assets_folder() / "fonts" / f"{Script.LATIN.value}-{weight.value}.ttf") for weight in Weight)

    def stroke(font: uharfbuzz.Font, character: str) -> tuple[float, float]:
        extents = font.get_glyph_extents(font.get_nominal_glyph(ord(character)))
        return extents.width / font.face.upem, -extents.height / font.face.upem

    return stroke(bold, "l")[0] - stroke(regular, "l")[0], stroke(bold, "-")[1] - stroke(regular, "-")[1]


@cache
def font_face(script: Script, weight: Weight) -> FontFace:
    """The face drawing ``script`` at ``weight``, opened once per process (emboldened by HarfBuzz if it has no bold)."""
    synthetic = weight is Weight.BOLD and script not in BOLD_FAMILIES
    path = assets_folder() / "fonts" / f"{script.value}-{Weight.REGULAR.value if synthetic else weight.value}.ttf"
    font = _open(path)
    if synthetic:
        font.synthetic_bold = (*_bold_growth(), False)  # not in place: advances grow as a bold face's do
    face = font.face
    extents = font.get_font_extents("ltr")
    return FontFace(
        name=f"{path.stem}-SyntheticBold" if synthetic else path.stem,
        font=font,
        units_per_em=face.upem,
        ascender=extents.ascender,
        descender=extents.descender,
        cap_height=font.get_metric_position(uharfbuzz.OTMetricsTag.CAP_HEIGHT),
    )


def cap_height_em() -> float:
    """The Latin capital height as a fraction of the font size: lines are centred on it, as other badges do.

    Read from Noto Sans itself, so a change of font moves every baseline with it.
    """
    face = font_face(Script.LATIN, Weight.REGULAR)
    return face.cap_height / face.units_per_em


def character_script(character: str) -> Script | None:
    """The script ``character`` belongs to, or ``None`` for digits, spaces, punctuation and marks."""
    code = ord(character)
    if 0x0600 <= code <= 0x08FF or 0xFB50 <= code <= 0xFDFF or 0xFE70 <= code <= 0xFEFF:
        return Script.ARABIC if unicodedata.category(character)[0] in "LMN" else None
    if 0x2D30 <= code <= 0x2D7F:
        return Script.TIFINAGH
    if unicodedata.category(character)[0] == "L":
        return Script.LATIN
    return None


def scripts_for(text: str) -> list[Script]:
    """The script of each character, with common characters taking their neighbours' script.

    A digit or space takes the script before it (so a mark stays with its letter), or, at the
    start of the text, the first script after it; text with no letters is Latin.
    """
    own = [character_script(character) for character in text]
    first = next((script for script in own if script is not None), Script.LATIN)
    resolved: list[Script] = []
    for script in own:
        resolved.append(script if script is not None else resolved[-1] if resolved else first)
    return resolved


def face_for(character: str, script: Script, weight: Weight) -> FontFace:
    """The face of ``script`` if it has ``character``, else the first of Latin, Arabic, Tifinagh that does."""
    preferred = font_face(script, weight)
    if preferred.has_character(character):
        return preferred
    for fallback in Script:
        face = font_face(fallback, weight)
        if face.has_character(character):
            return face
    return preferred
