# ruff: noqa: RUF001, RUF002  (Tifinagh letters are the point of the weight test)

"""Text sits where the eye expects it, measured on rendered pixels: inside its box, centred, at one weight.

Every measure here is taken from pictures rasterised by cairosvg (what a viewer of the SVG sees),
never from the layout's own numbers.
"""

import io
import re
import xml.etree.ElementTree as ET

import cairosvg
import pytest
from PIL import Image

from widget.render.badge import STYLES, Badge, render_badge_svg
from widget.render.card import Card, render_card_svg
from widget.render.counter_badge import counter_badge
from widget.render.sentence import TextLine, render_text_svg
from widget.text.catalog import counter_texts, languages

SCALE = 4
SVG = "{http://www.w3.org/2000/svg}"


def rasterise(svg: str, scale: int = SCALE) -> Image.Image:
    return Image.open(io.BytesIO(cairosvg.svg2png(bytestring=svg.encode(), scale=scale))).convert("RGBA")


def ink_box(picture: Image.Image, is_ink: object) -> tuple[int, int, int, int]:
    """Left, top, right, bottom (exclusive) of the pixels ``is_ink`` accepts."""
    pixels = picture.load()
    inked = [(x, y) for y in range(picture.height) for x in range(picture.width) if is_ink(pixels[x, y])]  # type: ignore[operator]
    assert inked, "no ink"
    xs, ys = [x for x, _ in inked], [y for _, y in inked]
    return min(xs), min(ys), max(xs) + 1, max(ys) + 1


# --- text pictures hold all their ink ----------------------------------------------------------

MARGIN = 20


def on_a_larger_canvas(svg: str) -> tuple[str, int, int]:
    """The picture's content drawn on a canvas ``MARGIN`` px larger on every side, unclipped; and its size."""
    root = ET.fromstring(svg)
    width, height = int(root.get("width")), int(root.get("height"))
    inner = re.sub(r"^<svg[^>]*>", "", svg).removesuffix("</svg>")
    canvas = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width + 2 * MARGIN}" height="{height + 2 * MARGIN}">'
        f'<g transform="translate({MARGIN} {MARGIN})">{inner}</g></svg>'
    )
    return canvas, width, height


TEXT_PICTURES = [
    (lang, part, ended) for lang in languages() for part in ("sentence", "label", "message") for ended in (False, True)
]


@pytest.mark.parametrize(("lang", "part", "ended"), TEXT_PICTURES)
def test_every_text_picture_holds_all_of_its_ink(lang: str, part: str, ended: bool):
    texts = counter_texts(lang, 3979, ended)
    svg = render_text_svg(TextLine(getattr(texts, part), lang, texts.direction))
    canvas, width, height = on_a_larger_canvas(svg)
    left, top, right, bottom = ink_box(rasterise(canvas), lambda pixel: pixel[3] > 0)
    box = (MARGIN * SCALE, MARGIN * SCALE, (MARGIN + width) * SCALE, (MARGIN + height) * SCALE)
    assert box[0] <= left and box[1] <= top and right <= box[2] and bottom <= box[3], (box, (left, top, right, bottom))


def test_the_larger_canvas_shows_ink_outside_the_box():
    """The control: a path reaching outside its picture is seen outside the box on the larger canvas."""
    svg = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><path d="M-2 2h4v12h-4z"/></svg>'
    canvas, _, _ = on_a_larger_canvas(svg)
    left, _, _, bottom = ink_box(rasterise(canvas), lambda pixel: pixel[3] > 0)
    assert left < MARGIN * SCALE and bottom > (MARGIN + 10) * SCALE


# --- badges: text centred on its ink -----------------------------------------------------------


def parts(svg: str) -> list[tuple[float, float, str]]:
    """The two parts' x, width and fill, left to right."""
    root = ET.fromstring(svg)
    clip = {id(rect) for clip in root.iter(f"{SVG}clipPath") for rect in clip.iter(f"{SVG}rect")}
    rects = [
        rect for rect in root.iter(f"{SVG}rect") if id(rect) not in clip and not rect.get("fill", "").startswith("url(")
    ]
    return sorted((float(rect.get("x", "0")), float(rect.get("width")), rect.get("fill")) for rect in rects)


def without_text(svg: str) -> str:
    """The badge with its glyphs taken out: its background alone (parts, gradient, corners)."""
    return re.sub(r"<defs>.*</defs>|<g transform=.*</g>(?=</svg>)", "", svg)


def text_ink(svg: str, part: tuple[float, float, str]) -> tuple[int, int, int, int]:
    """The ink box of the text in one part: the pixels that differ from the badge drawn without its text."""
    picture, background = rasterise(svg), rasterise(without_text(svg))
    x, width, _ = part
    box = (round(x * SCALE), 0, round((x + width) * SCALE), picture.height)
    drawn, bare = picture.crop(box).load(), background.crop(box).load()
    crop_width = box[2] - box[0]
    inked = [
        (column, row)
        for row in range(picture.height)
        for column in range(crop_width)
        if sum(abs(a - b) for a, b in zip(drawn[column, row], bare[column, row], strict=True)) > 150
    ]
    assert inked, "no text in the part"
    columns, rows = [column for column, _ in inked], [row for _, row in inked]
    return min(columns) + box[0], min(rows), max(columns) + 1 + box[0], max(rows) + 1


HORIZONTAL_TOLERANCE = 0.5 * SCALE
"""Half a pixel: the ink's left and right margins in its part differ by less (they differed by 1-1.5 px)."""


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("lang", list(languages()))
def test_badge_text_is_centred_on_its_ink_across_its_part(lang: str, style: str):
    badge = counter_badge(counter_texts(lang, 3979, False), False, style, "dark")  # no shadow: the ink is the text
    svg = render_badge_svg(badge)
    for part in parts(svg):
        left, _, right, _ = text_ink(svg, part)
        margin_left, margin_right = left - part[0] * SCALE, (part[0] + part[1]) * SCALE - right
        assert abs(margin_left - margin_right) <= HORIZONTAL_TOLERANCE, (part, margin_left, margin_right)


VERTICAL_TOLERANCE = 0.5 * SCALE


@pytest.mark.parametrize("style", ["flat-square", "for-the-badge", "flat", "plastic"])
@pytest.mark.parametrize("lang", ["ar", "ary"])
def test_arabic_badges_are_centred_on_their_ink_from_top_to_bottom(lang: str, style: str):
    """Arabic has no capitals: its ink (letters above the line, dots below) is centred in the badge's height."""
    badge = counter_badge(counter_texts(lang, 3979, False), False, style, "dark")
    svg = render_badge_svg(badge)
    picture = rasterise(svg)
    inks = [text_ink(svg, part) for part in parts(svg)]
    top, bottom = min(ink[1] for ink in inks), max(ink[3] for ink in inks)
    assert abs(top - (picture.height - bottom)) <= VERTICAL_TOLERANCE, (top, picture.height - bottom)


def test_latin_badges_stay_on_their_capitals():
    """Capitals, not descenders, are centred: ``VOIP`` with and without a ``Q`` sits on the same line."""
    plain = rasterise(render_badge_svg(Badge("VOIP", "1", "x", "en", "ltr", style="flat-square", theme="dark")))
    with_tail = rasterise(render_badge_svg(Badge("VOIPQ", "1", "x", "en", "ltr", style="flat-square", theme="dark")))
    dark = (31, 35, 40)
    plain_ink = ink_box(plain, lambda pixel: sum(abs(a - b) for a, b in zip(pixel[:3], dark, strict=True)) < 150)
    tail_ink = ink_box(with_tail, lambda pixel: sum(abs(a - b) for a, b in zip(pixel[:3], dark, strict=True)) < 150)
    assert plain_ink[1] == tail_ink[1]
    assert abs(plain_ink[1] - (plain.height - plain_ink[3])) <= VERTICAL_TOLERANCE


# --- one weight in a bold run ------------------------------------------------------------------


def stem_widths(picture: Image.Image, row: int, background: tuple[int, ...]) -> list[int]:
    """Widths of the runs of ink pixels along one row."""
    runs, current = [], 0
    for x in range(picture.width):
        ink = sum(abs(a - b) for a, b in zip(picture.getpixel((x, row))[:3], background[:3], strict=True)) > 200
        if ink:
            current += 1
        elif current:
            runs.append(current)
            current = 0
    return runs


def test_bold_tifinagh_has_the_weight_of_the_bold_digits_beside_it():
    """``for-the-badge`` draws its count bold; Noto Sans Tifinagh has no bold, so it is thickened to match.

    ``1`` and ``ⵏ`` are each one vertical stroke: their stems, measured half-way up, are equally wide.
    """
    badge = Badge("X", "1 ⵏ", "x", "zgh", "ltr", style="for-the-badge", theme="dark")
    svg = render_badge_svg(badge)
    picture = rasterise(svg)
    message = parts(svg)[1]
    background = Image.new("RGBA", (1, 1), message[2]).getpixel((0, 0))
    crop = picture.crop(
        (round(message[0] * SCALE) + 2, 0, round((message[0] + message[1]) * SCALE) - 2, picture.height)
    )
    _, top, _, bottom = ink_box(
        crop, lambda pixel: sum(abs(a - b) for a, b in zip(pixel[:3], background[:3], strict=True)) > 200
    )
    digit, letter = stem_widths(crop, (top + bottom) // 2, background)
    assert abs(digit - letter) <= 1, (digit, letter)  # a quarter of a pixel


# --- the card ----------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["ar", "ary"])
def test_the_cards_arabic_label_is_centred_on_its_ink_in_the_band(lang: str):
    texts = counter_texts(lang, 3979, False)
    picture = rasterise(render_card_svg(Card(texts.message, texts.sentence, texts.label, lang, "rtl")), scale=1)
    band = picture.crop((0, 530, 1200, 630))
    _, top, _, bottom = ink_box(band, lambda pixel: min(pixel[:3]) > 200)
    assert abs(top - (band.height - bottom)) <= 1, (top, band.height - bottom)
