"""Shaping proven by measurement, not by eye.

The Arabic badge is rasterised by cairosvg (which cannot shape text itself: the badge must carry
shaped outlines), and its ink is compared with the same words laid out by Pillow's raqm engine
(HarfBuzz + FriBiDi), the reference. Three measures: the number of connected ink blobs (joined
letters make fewer), the ink width (joined forms are narrower) and the ink's column profile (the
order of the letters and where the digits sit). An unshaped rendering of the same words (Pillow's
basic layout: isolated letters in logical order, what cairosvg makes of a ``<text>``) must fail
the comparison, so the comparison is known to be able to fail.
"""

import io
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from functools import cache

import cairosvg
import pytest
from PIL import Image, ImageDraw, ImageFont

from tests.render.reference import ARABIC_FONT, LATIN_FONT, font_runs, require_raqm
from widget.render.badge import Badge, render_badge_svg
from widget.render.palette import BADGE_COLORS
from widget.text.catalog import counter_texts

SCALE = 4
FONT_SIZE = 11
"""The size of the text of a flat badge, as on shields.io's: every case below is flat or flat-square."""
SVG = "{http://www.w3.org/2000/svg}"

BLOB_TOLERANCE = 1
"""Rasterisers differ at the edges of thin strokes; one blob more or less is noise."""
WIDTH_TOLERANCE = 0.015
"""Relative ink width tolerance (HarfBuzz and raqm agree within 0.05 px; anti-aliasing adds a pixel)."""
PROFILE_TOLERANCE = 0.1
"""Mean difference of the normalised column profiles; shaped badges measure under 0.07, unshaped over 0.18."""


# --- measuring ink -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Ink:
    blobs: int
    width: int
    profile: tuple[float, ...]


def measure(gray: Image.Image, threshold: float, bright_ink: bool = True) -> Ink:
    """Blobs (8-connected), ink width and a 60-bin column profile of the pixels past ``threshold``."""
    width, height = gray.size
    data = gray.tobytes()
    ink = bytearray((value >= threshold) if bright_ink else (value <= threshold) for value in data)
    assert any(ink), "no ink at all"
    seen = bytearray(len(ink))
    blobs = 0
    for start, is_ink in enumerate(ink):
        if not is_ink or seen[start]:
            continue
        blobs += 1
        seen[start] = 1
        stack = [start]
        while stack:
            y, x = divmod(stack.pop(), width)
            for near_y in (y - 1, y, y + 1):
                if 0 <= near_y < height:
                    for near_x in (x - 1, x, x + 1):
                        if 0 <= near_x < width:
                            index = near_y * width + near_x
                            if ink[index] and not seen[index]:
                                seen[index] = 1
                                stack.append(index)
    columns = [sum(ink[x::width]) for x in range(width)]
    inked = [x for x, count in enumerate(columns) if count]
    columns = columns[inked[0] : inked[-1] + 1]
    bins = 60
    profile = []
    for index in range(bins):
        first = index * len(columns) // bins
        last = max(first + 1, (index + 1) * len(columns) // bins)
        profile.append(sum(columns[first:last]) / (last - first))
    peak = max(profile)
    return Ink(blobs, len(columns), tuple(value / peak for value in profile))


def profile_distance(first: Ink, second: Ink) -> float:
    return sum(abs(a - b) for a, b in zip(first.profile, second.profile, strict=True)) / len(first.profile)


def mismatches(measured: Ink, reference: Ink) -> list[str]:
    """The measures on which ``measured`` differs from ``reference`` beyond tolerance (empty: a match)."""
    found = []
    if abs(measured.blobs - reference.blobs) > BLOB_TOLERANCE:
        found.append(f"blobs {measured.blobs} vs {reference.blobs}")
    if abs(measured.width - reference.width) > max(3, WIDTH_TOLERANCE * reference.width):
        found.append(f"ink width {measured.width} vs {reference.width}")
    if profile_distance(measured, reference) > PROFILE_TOLERANCE:
        found.append(f"profile distance {profile_distance(measured, reference):.3f}")
    return found


# --- the badge ---------------------------------------------------------------------------------


@cache
def badge_ink(lang: str, days: int, ended: bool, style: str) -> dict[str, Ink]:
    """The ink of the label and message parts of the rasterised badge, each cropped to its rect."""
    texts = counter_texts(lang, days, ended)
    tone = "ended" if ended else "running"
    badge = Badge(texts.label, texts.message, texts.sentence, lang, texts.direction, style=style, tone=tone)
    svg = render_badge_svg(badge)
    image = Image.open(io.BytesIO(cairosvg.svg2png(bytestring=svg.encode(), scale=SCALE))).convert("RGB")
    colors = BADGE_COLORS[("light", tone)]
    roles = {
        colors.label_background: ("label", colors.label_text),
        colors.message_background: ("message", colors.message_text),
    }
    found = {}
    for rect in ET.fromstring(svg).iter(f"{SVG}rect"):
        if rect.get("fill") not in roles:
            continue  # the clip's shape, the gradient overlay
        left, width = float(rect.get("x", "0")), float(rect.get("width"))
        role, text_color = roles[rect.get("fill")]
        crop = image.crop((round(left * SCALE) + 2, 0, round((left + width) * SCALE) - 2, image.height))
        background = Image.new("RGB", (1, 1), rect.get("fill")).convert("L").getpixel((0, 0))
        ink = Image.new("RGB", (1, 1), text_color).convert("L").getpixel((0, 0))
        found[role] = measure(crop.convert("L"), (background + ink) / 2, bright_ink=ink > background)
    assert set(found) == {"label", "message"}
    return found


# --- the references ----------------------------------------------------------------------------


@cache
def reference_ink(text: str, size: float, shaped: bool) -> Ink:
    """``text`` drawn by Pillow, white on black, at the badge's pixel size.

    Shaped: each font run laid out by raqm in a right-to-left paragraph, runs placed right to left.
    Unshaped: basic layout, isolated letters in logical order, left to right.
    """
    layout = ImageFont.Layout.RAQM if shaped else ImageFont.Layout.BASIC
    runs = font_runs(text)
    if shaped:
        runs = runs[::-1]
    canvas = Image.new("L", (int(size * len(text)) + 100, int(size * 3)), 0)
    draw = ImageDraw.Draw(canvas)
    x = size
    for index, (run, font_path) in enumerate(runs):
        font = ImageFont.truetype(font_path, size, layout_engine=layout)
        options = {"direction": "rtl" if font_path == ARABIC_FONT else "ltr"} if shaped else {}
        draw.text((x, size), run, fill=255, font=font, **options)
        x += font.getlength(run, **options)
        if index + 1 < len(runs):
            # The space between two runs belongs to the run that comes first in reading order.
            space_font = runs[index + 1][1] if shaped else font_path
            x += ImageFont.truetype(space_font, size, layout_engine=layout).getlength(" ")
    return measure(canvas.crop(canvas.getbbox()), 128)


# --- the tests ---------------------------------------------------------------------------------

CASES = [
    pytest.param("ar", 3979, False, "flat-square", id="ar-running"),
    pytest.param("ar", 3979, True, "flat-square", id="ar-ended"),
    pytest.param("ar", 3, False, "flat-square", id="ar-few"),
    pytest.param("ary", 3979, False, "flat-square", id="ary-running"),
    pytest.param("ar", 3979, False, "flat", id="ar-running-flat-with-gradient-and-shadow"),
]


def test_pillow_raqm_layout_is_available_for_the_reference():
    require_raqm()


@pytest.mark.parametrize(("lang", "days", "ended", "style"), CASES)
@pytest.mark.parametrize("part", ["label", "message"])
def test_arabic_badge_ink_matches_the_raqm_reference(lang: str, days: int, ended: bool, style: str, part: str):
    require_raqm()
    text = getattr(counter_texts(lang, days, ended), part)
    size = FONT_SIZE * SCALE
    measured = badge_ink(lang, days, ended, style)[part]
    reference = reference_ink(text, size, shaped=True)
    assert not mismatches(measured, reference), f"{text!r}: {mismatches(measured, reference)}"


@pytest.mark.parametrize(("lang", "days", "ended", "style"), CASES)
@pytest.mark.parametrize("part", ["label", "message"])
def test_unshaped_rendering_of_the_same_text_fails_the_comparison(
    lang: str, days: int, ended: bool, style: str, part: str
):
    """The control: isolated letters in logical order are told apart from the shaped reference."""
    require_raqm()
    text = getattr(counter_texts(lang, days, ended), part)
    size = FONT_SIZE * SCALE
    unshaped = reference_ink(text, size, shaped=False)
    assert mismatches(unshaped, reference_ink(text, size, shaped=True)), text
    assert mismatches(unshaped, badge_ink(lang, days, ended, style)[part]), text


@pytest.mark.parametrize("lang", ["ar", "ary"])
def test_unshaped_arabic_label_has_clearly_more_blobs_and_more_width(lang: str):
    """What the notes measured: isolated letters make many more blobs and a wider line."""
    require_raqm()
    label = counter_texts(lang, 3979, False).label
    size = FONT_SIZE * SCALE
    unshaped = reference_ink(label, size, shaped=False)
    badge = badge_ink(lang, 3979, False, "flat-square")["label"]
    assert unshaped.blobs >= badge.blobs + 4
    assert unshaped.width > badge.width * 1.05


def test_a_mirrored_badge_fails_the_comparison():
    """The profile catches letters or digits on the wrong side, which blob counts cannot."""
    require_raqm()
    message = counter_texts("ar", 3979, False).message
    size = FONT_SIZE * SCALE
    measured = badge_ink("ar", 3979, False, "flat-square")["message"]
    mirrored = Ink(measured.blobs, measured.width, measured.profile[::-1])
    assert mismatches(mirrored, reference_ink(message, size, shaped=True))


def test_font_runs_split_the_label_by_script():
    assert font_runs("حجب VoIP في المغرب") == [
        ("حجب", ARABIC_FONT),
        ("VoIP", LATIN_FONT),
        ("في المغرب", ARABIC_FONT),
    ]
    assert font_runs("3.979 يومًا") == [("3.979 يومًا", ARABIC_FONT)]
