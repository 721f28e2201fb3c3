"""The social card: the tone's colours, the same as its badge's, with text readable on them."""

import io
import xml.etree.ElementTree as ET

import cairosvg
import pytest
from PIL import Image

from widget.render.badge import Badge, render_badge_svg
from widget.render.card import Card, render_card_svg

SVG = "{http://www.w3.org/2000/svg}"


def luminance(color: tuple[int, ...]) -> float:
    channels = [value / 255 for value in color[:3]]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(first: tuple[int, ...], second: tuple[int, ...]) -> float:
    lighter, darker = sorted((luminance(first), luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def card_picture(tone: str) -> Image.Image:
    svg = render_card_svg(Card("3 979 jours", "3 979 jours depuis le blocage", "VoIP bloquée", "fr", "ltr", tone))
    return Image.open(io.BytesIO(cairosvg.svg2png(bytestring=svg.encode()))).convert("RGB")


def badge_message_fill(tone: str) -> tuple[int, ...]:
    """The fill of the badge's message part (the right one, in a left-to-right badge), as pixels."""
    rects = [
        rect
        for rect in ET.fromstring(render_badge_svg(Badge("a", "b", "c", "en", "ltr", tone=tone))).iter(f"{SVG}rect")
        if rect.get("x")
    ]
    right = max(rects, key=lambda rect: float(rect.get("x")))
    return Image.new("RGB", (1, 1), right.get("fill")).getpixel((0, 0))


@pytest.mark.parametrize("tone", ["running", "ended"])
def test_card_is_the_colour_of_its_badge_with_a_darker_band(tone: str):
    picture = card_picture(tone)
    assert picture.size == (1200, 630)
    background, band = picture.getpixel((4, 4)), picture.getpixel((4, 626))
    assert background == badge_message_fill(tone)
    assert luminance(band) < luminance(background)


@pytest.mark.parametrize("tone", ["running", "ended"])
def test_card_text_is_readable_on_the_card_and_on_its_band(tone: str):
    picture = card_picture(tone)
    background, band = picture.getpixel((4, 4)), picture.getpixel((4, 626))
    colours = {colour for _, colour in picture.getcolors(1 << 20)}
    text = max(colours, key=lambda colour: contrast(colour, background))
    assert contrast(text, background) >= 4.5 and contrast(text, band) >= 4.5
    assert text != background


def test_running_and_ended_cards_differ_in_colour():
    assert card_picture("running").getpixel((4, 4)) != card_picture("ended").getpixel((4, 4))
