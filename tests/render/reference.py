"""Text laid out by Pillow's raqm engine (HarfBuzz + FriBiDi), independently of our layout code.

The reference picks a font per word from the characters it holds, lays each run out with raqm,
and adds the runs up: what a careful person would do with Pillow alone. Tests compare our widths
and ink with it, so neither comes from the code under test.
"""

from functools import cache
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont
from PIL import ImageFont, features

from tests.conftest import REPOSITORY

FONTS = REPOSITORY / "assets" / "fonts"
ARABIC_FONT = FONTS / "NotoSansArabic-Regular.ttf"
LATIN_FONT = FONTS / "NotoSans-Regular.ttf"
TIFINAGH_FONT = FONTS / "NotoSansTifinagh-Regular.ttf"
BOLD = {LATIN_FONT: FONTS / "NotoSans-Bold.ttf", ARABIC_FONT: FONTS / "NotoSansArabic-Bold.ttf"}
"""Noto Sans Tifinagh has no bold face: bold Tifinagh is its regular face thickened (``bold_growth``)."""


def require_raqm() -> None:
    """Fail, never skip: without raqm the reference would silently be unshaped itself."""
    hint = (
        "Pillow's raqm layout is unavailable, so the shaping reference cannot be drawn: "
        "install FriBiDi (Debian/Ubuntu: apt-get install libfribidi0) and Pillow's raqm support"
    )
    if not features.check("raqm"):
        pytest.fail(hint)
    if "fribidi" in features.get_supported_features() and not features.check("fribidi"):
        pytest.fail(hint)
    font = ImageFont.truetype(str(ARABIC_FONT), 44, layout_engine=ImageFont.Layout.RAQM)
    basic = ImageFont.truetype(str(ARABIC_FONT), 44, layout_engine=ImageFont.Layout.BASIC)
    if not font.getlength("مكالمات", direction="rtl") < 0.95 * basic.getlength("مكالمات"):
        pytest.fail(hint + " (raqm was loaded but did not join Arabic letters)")


@cache
def characters_of(font: Path) -> frozenset[int]:
    """The code points ``font`` has glyphs for, read from its character map with fontTools."""
    return frozenset(TTFont(str(font))["cmap"].getBestCmap())


def word_font(word: str) -> Path | None:
    """The font of a word with letters: Arabic, Tifinagh or Latin; ``None`` for digits and signs."""
    if any("\u0600" <= character <= "\u06ff" for character in word):
        return ARABIC_FONT
    if any("\u2d30" <= character <= "\u2d7f" for character in word):
        return TIFINAGH_FONT
    if any(character.isalpha() for character in word):
        return LATIN_FONT
    return None


def font_runs(text: str) -> list[tuple[str, Path]]:
    """``text`` cut at spaces into runs of words for one font, in logical order.

    Numbers go with the word before them (or after, at the start) if its font has their digits,
    else with Noto Sans (Noto Sans Tifinagh has no digits).
    """
    words = text.split(" ")
    fonts = [word_font(word) for word in words]
    first = next((font for font in fonts if font), LATIN_FONT)
    for index, font in enumerate(fonts):
        if font is None:
            neighbour = fonts[index - 1] if index else first
            assert neighbour is not None
            has_all = all(ord(character) in characters_of(neighbour) for character in words[index])
            fonts[index] = neighbour if has_all else LATIN_FONT
    runs: list[tuple[list[str], Path]] = []
    for word, font in zip(words, fonts, strict=True):
        if runs and runs[-1][1] == font:
            runs[-1][0].append(word)
        else:
            runs.append(([word], font))
    return [(" ".join(run_words), font) for run_words, font in runs]


@cache
def bold_growth() -> float:
    """How much wider Noto Sans Bold's ``l`` is than Regular's, per em, from the fonts' glyph boxes.

    A synthetic bold (HarfBuzz's, as browsers') thickens strokes by that much and widens every
    advance by as much, so bold Tifinagh sits beside bold digits at one weight.
    """

    def width(path: Path) -> float:
        font = TTFont(str(path))
        glyph = font["glyf"][font.getBestCmap()[ord("l")]]
        return (glyph.xMax - glyph.xMin) / font["head"].unitsPerEm

    return width(BOLD[LATIN_FONT]) - width(LATIN_FONT)


def run_length(text: str, font: Path, size: float, bold: bool = False) -> float:
    """The advance of one run laid out by raqm, right to left if it is Arabic; bold Tifinagh thickened."""
    path = BOLD.get(font, font) if bold else font
    face = ImageFont.truetype(str(path), size, layout_engine=ImageFont.Layout.RAQM)
    synthetic = bold and font not in BOLD
    return face.getlength(text, direction="rtl" if font == ARABIC_FONT else "ltr") + (
        bold_growth() * size * len(text) if synthetic else 0.0
    )


def shaped_width(text: str, size: float, bold: bool = False, letter_spacing: float = 0.0) -> float:
    """The width of ``text`` at ``size`` px: its runs and the spaces between them, laid out by raqm.

    ``letter_spacing`` is added after every character of the non-Arabic runs (Arabic letters
    join, so they are never spaced) and after a space that follows such a run.
    """
    runs = font_runs(text)
    width = 0.0
    for index, (run, font) in enumerate(runs):
        width += run_length(run, font, size, bold)
        spaced = len(run) if font != ARABIC_FONT else 0
        if index + 1 < len(runs):
            width += run_length(" ", font, size, bold)
            spaced += 1 if font != ARABIC_FONT else 0
        width += letter_spacing * spaced
    return width
