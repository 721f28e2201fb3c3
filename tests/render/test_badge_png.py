"""PNG badges and the social card are small indexed PNGs that change no pixel visibly.

Each PNG is decoded by Pillow and compared, channel by channel (alpha included), with the
full-colour picture it was made from: cairo's RGBA painting for a badge, cairosvg's rendering of
the SVG for the card. The bounds are the issue's (bytes) and a few levels of 255 (pixels).
"""

import io
import itertools

import cairosvg
import pytest
from PIL import Image, ImageChops

from widget.render.badge import STYLES, THEMES
from widget.render.card import Card, render_card_svg
from widget.render.counter_badge import counter_badge
from widget.render.png import SCALES, badge_to_png, paint_badge, svg_to_png
from widget.text.catalog import counter_texts, languages

FLAT_LIMITS = {1: 1_600, 2: 3_500}
"""Issue 10: a flat badge at most 1,600 bytes at scale 1 and 3,500 bytes at scale 2, in every language."""
MAX_CHANNEL_CHANGE = 12
"""4.7% of 255 on any channel of any pixel: anti-aliased edges move that little, flat fills less (below)."""
FILL_CHANGE = 1


def decoded(png: bytes) -> Image.Image:
    picture = Image.open(io.BytesIO(png))
    assert picture.format == "PNG"
    return picture


def largest_change(first: Image.Image, second: Image.Image) -> int:
    assert first.size == second.size
    return max(high for _, high in ImageChops.difference(first.convert("RGBA"), second.convert("RGBA")).getextrema())


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("lang", list(languages()))
@pytest.mark.parametrize("ended", [False, True], ids=["running", "ended"])
def test_flat_badges_are_indexed_pngs_under_the_issues_sizes(lang: str, theme: str, ended: bool):
    """Running and ended: an ended badge says more ("a duré 3 979 jours") on a green part."""
    badge = counter_badge(counter_texts(lang, 3979, ended), ended, "flat", theme)
    for scale, limit in FLAT_LIMITS.items():
        png = badge_to_png(badge, scale)
        assert decoded(png).mode == "P", "a palette PNG"
        assert "transparency" in decoded(png).info, "rounded corners stay see-through"
        assert len(png) <= limit, (lang, theme, ended, scale, len(png))


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("lang", list(languages()))
def test_indexed_badges_change_no_channel_of_any_pixel_by_more_than_5_percent(lang: str, style: str):
    for theme, ended, scale in itertools.product(THEMES, (False, True), SCALES):
        badge = counter_badge(counter_texts(lang, 3979, ended), ended, style, theme)
        change = largest_change(decoded(badge_to_png(badge, scale)), paint_badge(badge, scale))
        assert change <= MAX_CHANNEL_CHANGE, (lang, style, theme, ended, scale, change)


def fills(picture: Image.Image) -> list[tuple[int, ...]]:
    """The colours covering at least 1% of the picture: the parts and the rows of their gradient."""
    counted = picture.getcolors(picture.width * picture.height) or []
    return [color for count, color in counted if count * 100 >= picture.width * picture.height]


@pytest.mark.parametrize("style", STYLES)
def test_the_badges_fills_keep_their_colour(style: str):
    """Where most pixels are (the two parts, row by row), the indexed PNG is the RGBA picture to one level."""
    for lang, theme in itertools.product(languages(), THEMES):
        badge = counter_badge(counter_texts(lang, 3979, False), False, style, theme)
        exact = paint_badge(badge, 2)
        indexed = decoded(badge_to_png(badge, 2)).convert("RGBA")
        surfaces = fills(exact)
        assert surfaces
        for color in surfaces:
            mask = Image.new("L", exact.size, 0)
            mask.putdata([255 if pixel == color else 0 for pixel in exact.get_flattened_data()])
            changed = ImageChops.difference(exact, indexed)
            highest = max(
                high for _, high in Image.composite(changed, Image.new("RGBA", exact.size), mask).getextrema()
            )
            assert highest <= FILL_CHANGE, (lang, style, theme, color, highest)


def test_the_change_measure_can_fail():
    """Against another theme's picture the same measure is far past the bound."""
    light = counter_badge(counter_texts("fr", 3979, False), False, "flat", "light")
    dark = counter_badge(counter_texts("fr", 3979, False), False, "flat", "dark")
    assert largest_change(decoded(badge_to_png(light)), paint_badge(dark)) > 100


CARD_LIMIT = 25_000
"""The card was 58-65 KB as an RGBA PNG."""


@pytest.mark.parametrize("lang", list(languages()))
def test_the_social_card_is_a_small_indexed_png_of_its_svg(lang: str):
    texts = counter_texts(lang, 3979, False)
    svg = render_card_svg(Card(texts.message, texts.sentence, texts.label, lang, texts.direction, "running"))
    png = svg_to_png(svg)
    assert decoded(png).mode == "P" and decoded(png).size == (1200, 630)
    assert len(png) <= CARD_LIMIT, len(png)
    assert largest_change(decoded(png), decoded(cairosvg.svg2png(bytestring=svg.encode()))) <= MAX_CHANNEL_CHANGE
