"""The badge SVG: well-formed, accessible, sized by shaped text, mirrored in RTL, free of scripts."""

import io
import itertools
import re
import xml.etree.ElementTree as ET

import cairosvg
import pytest
from PIL import Image

from tests.render.reference import require_raqm, shaped_width
from widget.render.badge import STYLES, THEMES, Badge, render_badge_svg
from widget.render.palette import BADGE_COLORS
from widget.text.catalog import counter_texts, languages

SVG = "{http://www.w3.org/2000/svg}"
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
TONES = ("running", "ended", "error")
LANGUAGES = list(languages())


def badge_for(lang: str, days: int = 3979, ended: bool = False, **options: str) -> Badge:
    texts = counter_texts(lang, days, ended)
    tone = "ended" if ended else "running"
    return Badge(texts.label, texts.message, texts.sentence, lang, texts.direction, tone=tone, **options)


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    return root


def part_rects(root: ET.Element) -> list[dict[str, float | str]]:
    """The two coloured parts, left to right: the painted rects, not the clip's shape nor the gradient overlay."""
    clip_shapes = {id(rect) for clip in root.iter(f"{SVG}clipPath") for rect in clip.iter(f"{SVG}rect")}
    rects = [
        rect
        for rect in root.iter(f"{SVG}rect")
        if id(rect) not in clip_shapes and not rect.get("fill", "").startswith("url(")
    ]
    parts = [{"x": float(r.get("x", "0")), "width": float(r.get("width")), "fill": r.get("fill")} for r in rects]
    return sorted(parts, key=lambda part: part["x"])


def luminance(color: str) -> float:
    digits = color.removeprefix("#")
    if len(digits) == 3:
        digits = "".join(digit * 2 for digit in digits)
    channels = [int(digits[index : index + 2], 16) / 255 for index in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(first: str, second: str) -> float:
    lighter, darker = sorted((luminance(first), luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


ALL_VARIANTS = list(itertools.product(LANGUAGES, STYLES, THEMES, (False, True)))


# --- well-formed and accessible ----------------------------------------------------------------


@pytest.mark.parametrize(("lang", "style", "theme", "ended"), ALL_VARIANTS)
def test_every_badge_parses_and_is_named_by_its_sentence(lang: str, style: str, theme: str, ended: bool):
    badge = badge_for(lang, ended=ended, style=style, theme=theme)
    root = parse(render_badge_svg(badge))
    assert root.get("role") == "img"
    assert root.get("aria-label") == badge.title
    title = root.find(f"{SVG}title")
    assert title is not None and title.text == badge.title
    assert root.get("lang") == lang
    width, height = float(root.get("width")), float(root.get("height"))
    assert root.get("viewBox") == f"0 0 {root.get('width')} {root.get('height')}"
    assert width > 0 and height > 0


@pytest.mark.parametrize(("lang", "style", "theme", "ended"), ALL_VARIANTS)
def test_every_badge_is_outlines_only_with_nothing_active_or_external(lang: str, style: str, theme: str, ended: bool):
    svg = render_badge_svg(badge_for(lang, ended=ended, style=style, theme=theme))
    root = parse(svg)
    tags = {element.tag.removeprefix(SVG) for element in root.iter()}
    assert not tags & {"text", "tspan", "textPath", "script", "foreignObject", "image", "a", "iframe", "style"}
    assert root.find(f"{SVG}path") is not None or root.find(f"{SVG}defs/{SVG}path") is not None
    for element in root.iter():
        for name, value in element.attrib.items():
            local = name.rsplit("}", 1)[-1]
            assert not local.lower().startswith("on"), (element.tag, name)
            if local == "href":
                assert value.startswith("#"), value
            assert "javascript:" not in value.lower()
            urls = re.findall(r"url\(([^)]*)\)", value)
            assert all(url.startswith("#") for url in urls), value
    assert "<!DOCTYPE" not in svg and "<!ENTITY" not in svg


def test_references_point_at_elements_of_the_same_document():
    for lang, style in itertools.product(LANGUAGES, STYLES):
        root = parse(render_badge_svg(badge_for(lang, style=style)))
        ids = {element.get("id") for element in root.iter() if element.get("id")}
        for element in root.iter():
            href = element.get(XLINK_HREF) or element.get("href")
            if href:
                assert href[1:] in ids
            for url in re.findall(r"url\(#([^)]*)\)", " ".join(element.attrib.values())):
                assert url in ids


@pytest.mark.parametrize(
    "title",
    ['<&>"', "3 < 4 & 5 > 2", "She said \"stop\" & 'left'", "]]><script>alert(1)</script>", "a\u202eb ⵓⵙⵙⴰⵏ يوم"],
)
def test_title_and_aria_label_escape_special_characters(title: str):
    badge = Badge("<label & co>", '"9" <days>', title, "en", "ltr")
    svg = render_badge_svg(badge)
    root = parse(svg)
    assert root.get("aria-label") == title
    assert root.find(f"{SVG}title").text == title
    assert "<script" not in svg
    assert not list(root.iter(f"{SVG}script"))


def test_rendering_is_pure():
    badge = badge_for("ar", style="plastic", theme="dark")
    assert render_badge_svg(badge) == render_badge_svg(badge)


# --- widths come from the shaped text ----------------------------------------------------------


def test_badge_width_grows_with_the_count():
    widths = [float(parse(render_badge_svg(badge_for("en", days))).get("width")) for days in (1, 304, 3979, 1_000_000)]
    assert widths == sorted(widths) and len(set(widths)) == len(widths)


def test_badge_width_grows_with_the_label():
    short = Badge("VoIP", "3 days", "x", "en", "ltr")
    long = Badge("VoIP blocked in Morocco", "3 days", "x", "en", "ltr")
    assert float(parse(render_badge_svg(long)).get("width")) > float(parse(render_badge_svg(short)).get("width"))


TEXT_STYLE = {  # style: (font size, padding, letter spacing, capitals, bold count), as shields.io draws them
    "flat": (11, 6, 0, False, False),
    "flat-square": (11, 6, 0, False, False),
    "plastic": (11, 6, 0, False, False),
    "for-the-badge": (10, 10, 1, True, True),
}
WIDTH_TOLERANCE = 0.6
"""A part is a whole number of pixels wide (0.5 of rounding); raqm and HarfBuzz agree within 0.1 px."""


@pytest.mark.parametrize(("lang", "style"), list(itertools.product(LANGUAGES, STYLES)))
def test_part_widths_are_the_shaped_text_plus_padding(lang: str, style: str):
    """Each part is as wide as Pillow's raqm lays its text out, plus the style's padding on both sides."""
    require_raqm()
    badge = badge_for(lang, style=style)
    size, padding, spacing, capitals, bold_count = TEXT_STYLE[style]
    root = parse(render_badge_svg(badge))
    parts = part_rects(root)
    assert len(parts) == 2
    assert parts[0]["x"] == 0 and parts[1]["x"] == parts[0]["width"]
    assert float(root.get("width")) == pytest.approx(parts[0]["width"] + parts[1]["width"])
    label_text, message_text = badge.label, badge.message
    if capitals:
        label_text, message_text = label_text.upper(), message_text.upper()
    label = shaped_width(label_text, size, letter_spacing=spacing)
    message = shaped_width(message_text, size, bold=bold_count, letter_spacing=spacing)
    message_part, label_part = (parts[0], parts[1]) if badge.direction == "rtl" else (parts[1], parts[0])
    assert message_part["width"] == pytest.approx(message + 2 * padding, abs=WIDTH_TOLERANCE)
    assert label_part["width"] == pytest.approx(label + 2 * padding, abs=WIDTH_TOLERANCE)


# --- right to left -----------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("theme", THEMES)
def test_rtl_badges_put_the_message_on_the_left_and_ltr_badges_on_the_right(lang: str, theme: str):
    badge = badge_for(lang, theme=theme)
    colors = BADGE_COLORS[(theme, "running")]
    left, right = part_rects(parse(render_badge_svg(badge)))
    if badge.direction == "rtl":
        assert (left["fill"], right["fill"]) == (colors.message_background, colors.label_background)
    else:
        assert (left["fill"], right["fill"]) == (colors.label_background, colors.message_background)


def test_arabic_badge_is_mirrored_with_the_message_on_the_left():
    left, right = part_rects(parse(render_badge_svg(badge_for("ar"))))
    assert left["fill"] == BADGE_COLORS[("light", "running")].message_background
    assert left["width"] < right["width"]  # '3.979 يومًا' is shorter than the label


# --- the text really sits inside its part ------------------------------------------------------


def rasterise(svg: str, scale: int = 2) -> Image.Image:
    return Image.open(io.BytesIO(cairosvg.svg2png(bytestring=svg.encode(), scale=scale))).convert("RGB")


def ink_columns(image: Image.Image, left: int, right: int, background: str, text: str) -> list[int]:
    """Columns in [left, right) holding pixels at least half-way from the background to the text colour."""

    def rgb(color: str) -> tuple[int, int, int]:
        digits = color.removeprefix("#")
        digits = "".join(digit * 2 for digit in digits) if len(digits) == 3 else digits
        return tuple(int(digits[index : index + 2], 16) for index in (0, 2, 4))

    back, ink = rgb(background), rgb(text)
    span = sum(abs(a - b) for a, b in zip(back, ink, strict=True))
    pixels = image.load()
    columns = []
    for x in range(left, right):
        for y in range(image.height):
            pixel = pixels[x, y]
            if sum(abs(a - b) for a, b in zip(pixel, back, strict=True)) * 2 >= span:
                columns.append(x)
                break
    return columns


@pytest.mark.parametrize("style", ["flat-square", "for-the-badge"])
@pytest.mark.parametrize("lang", LANGUAGES)
def test_text_is_drawn_inside_its_part_and_centred(lang: str, style: str):
    scale = 2
    badge = badge_for(lang, style=style)
    svg = render_badge_svg(badge)
    image = rasterise(svg, scale)
    colors = BADGE_COLORS[("light", "running")]
    fills = {colors.label_background: colors.label_text, colors.message_background: colors.message_text}
    for part in part_rects(parse(svg)):
        left, right = round(part["x"] * scale), round((part["x"] + part["width"]) * scale)
        columns = ink_columns(image, left, right, part["fill"], fills[part["fill"]])
        assert columns, f"no text drawn in the {part['fill']} part"
        margin_left, margin_right = columns[0] - left, right - 1 - columns[-1]
        padding = TEXT_STYLE[style][1] * scale
        assert margin_left >= padding / 2 and margin_right >= padding / 2, (margin_left, margin_right)
        assert abs(margin_left - margin_right) <= 2 * scale, (margin_left, margin_right)  # centred within 2 px


# --- styles, themes and tones ------------------------------------------------------------------

HEIGHTS = {"flat": 20, "flat-square": 20, "plastic": 18, "for-the-badge": 28}
ROUNDED = {"flat": "3", "flat-square": None, "plastic": "4", "for-the-badge": None}
GRADIENT = {"flat": True, "flat-square": False, "plastic": True, "for-the-badge": False}


@pytest.mark.parametrize("style", STYLES)
def test_each_style_has_its_height_corners_and_gradient(style: str):
    root = parse(render_badge_svg(badge_for("fr", style=style)))
    assert int(root.get("height")) == HEIGHTS[style]
    assert all(float(rect["width"]) > 0 for rect in part_rects(root))
    clip = root.find(f"{SVG}clipPath")
    if ROUNDED[style]:
        assert clip is not None and clip.find(f"{SVG}rect").get("rx") == ROUNDED[style]
    else:
        assert clip is None
    assert (root.find(f"{SVG}linearGradient") is not None) is GRADIENT[style]


def test_the_four_styles_are_four_different_pictures():
    svgs = {render_badge_svg(badge_for("en", style=style)) for style in STYLES}
    assert len(svgs) == 4


def test_for_the_badge_is_capitals_with_spacing_so_wider_than_flat():
    flat = float(parse(render_badge_svg(badge_for("en", style="flat"))).get("width"))
    big = float(parse(render_badge_svg(badge_for("en", style="for-the-badge"))).get("width"))
    assert big > flat * 1.15
    # Same letters in capitals without the style: the style's width is that of capitals, spaced.
    capitals = Badge("VOIP BLOCKED IN MOROCCO", "3,979 DAYS", "x", "en", "ltr", style="flat-square")
    assert big > float(parse(render_badge_svg(capitals)).get("width"))


def text_fills(root: ET.Element) -> set[str]:
    """Fills given to the drawn text: every fill but the parts' own and the shadows' (which have an opacity)."""
    part_fills = {part["fill"] for part in part_rects(root)}
    fills = {
        element.get("fill")
        for element in root.iter()
        if element.get("fill") and element.tag != f"{SVG}rect" and element.get("fill-opacity") is None
    }
    return fills - part_fills


@pytest.mark.parametrize("style", STYLES)
def test_light_and_dark_themes_use_their_own_colours(style: str):
    light = parse(render_badge_svg(badge_for("fr", style=style, theme="light")))
    dark = parse(render_badge_svg(badge_for("fr", style=style, theme="dark")))
    assert [p["fill"] for p in part_rects(light)] == [
        BADGE_COLORS[("light", "running")].label_background,
        BADGE_COLORS[("light", "running")].message_background,
    ]
    assert [p["fill"] for p in part_rects(dark)] == [
        BADGE_COLORS[("dark", "running")].label_background,
        BADGE_COLORS[("dark", "running")].message_background,
    ]
    assert text_fills(light) == {"#fff"}
    assert text_fills(dark) == {BADGE_COLORS[("dark", "running")].label_text}
    # Dark pages get light badges with dark text, light pages the reverse.
    assert all(luminance(p["fill"]) > 0.3 for p in part_rects(dark))
    assert all(luminance(p["fill"]) < 0.2 for p in part_rects(light))


@pytest.mark.parametrize("theme", THEMES)
def test_running_ended_and_error_tones_have_different_message_colours(theme: str):
    fills = set()
    for tone in TONES:
        badge = Badge("VoIP", "x", "x", "en", "ltr", theme=theme, tone=tone)
        fills.add(part_rects(parse(render_badge_svg(badge)))[1]["fill"])
    assert len(fills) == 3


@pytest.mark.parametrize(("theme", "tone"), list(itertools.product(THEMES, TONES)))
def test_text_contrast_is_at_least_wcag_aa(theme: str, tone: str):
    badge = Badge("VoIP", "x", "x", "en", "ltr", theme=theme, tone=tone, style="flat-square")
    root = parse(render_badge_svg(badge))
    for part in part_rects(root):
        for fill in text_fills(root):
            assert contrast(part["fill"], fill) >= 4.5, (theme, tone, part["fill"], fill)


def test_ended_badge_uses_the_ended_colour():
    root = parse(render_badge_svg(badge_for("en", 304, ended=True)))
    assert part_rects(root)[1]["fill"] == BADGE_COLORS[("light", "ended")].message_background


# --- text sits on the capitals' centre line ----------------------------------------------------


def ink_rows(image: Image.Image, left: int, right: int, background: str) -> list[int]:
    """Rows holding a pixel in [left, right) that is clearly not the background."""
    back = Image.new("RGB", (1, 1), background).getpixel((0, 0))
    pixels = image.load()
    return [
        y
        for y in range(image.height)
        if any(sum(abs(a - b) for a, b in zip(pixels[x, y], back, strict=True)) > 96 for x in range(left, right))
    ]


@pytest.mark.parametrize("style", ["flat-square", "for-the-badge"])
def test_capitals_are_centred_vertically(style: str):
    """Capitals have no descenders, so their ink shows where the text sits: as far from the top as the bottom."""
    scale = 4
    svg = render_badge_svg(Badge("HIE", "HEH", "x", "en", "ltr", style=style))
    image = rasterise(svg, scale)
    for part in part_rects(parse(svg)):
        rows = ink_rows(
            image, round(part["x"] * scale) + 1, round((part["x"] + part["width"]) * scale) - 1, part["fill"]
        )
        above, below = rows[0], image.height - 1 - rows[-1]
        assert above > 0 and below > 0
        assert abs(above - below) <= 1, (part["fill"], above, below)  # a quarter of a pixel
