"""The text pictures the embed script shows: outlines written once, sized to the shaped text, in the theme's colour."""

import gzip
import xml.etree.ElementTree as ET

import pytest

from widget.render.sentence import TextLine, render_text_svg
from widget.text.catalog import counter_texts, languages

SVG = "{http://www.w3.org/2000/svg}"


def picture_bytes(text: str) -> int:
    return len(render_text_svg(TextLine(text, "zgh", "ltr")).encode())


@pytest.mark.parametrize("letter", ["ⵙ", "o", "8"])
def test_a_glyph_drawn_again_costs_a_placement_not_its_outline(letter: str):
    first = picture_bytes(letter) - picture_bytes("")
    again = (picture_bytes(letter * 9) - picture_bytes(letter)) / 8
    assert again * 2 < first, (first, again)


@pytest.mark.parametrize("lang", list(languages()))
def test_every_sentence_picture_is_light_on_the_wire(lang: str):
    """The longest picture the script shows, gzipped once a day by the web layer: under 2,000 bytes."""
    texts = counter_texts(lang, 3979, False)
    svg = render_text_svg(TextLine(texts.sentence, lang, texts.direction)).encode()
    assert len(gzip.compress(svg, compresslevel=9)) <= 2_000


def test_the_picture_is_filled_with_its_themes_text_colour_only():
    texts = counter_texts("zgh", 3979, False)
    for theme, color in (("light", "#1f2328"), ("dark", "#f6f8fa")):
        root = ET.fromstring(render_text_svg(TextLine(texts.sentence, "zgh", "ltr", theme)))
        fills = {element.get("fill") for element in root.iter() if element.get("fill")}
        assert fills == {color}
        assert root.find(f"{SVG}rect") is None, "a transparent background, as text has"
