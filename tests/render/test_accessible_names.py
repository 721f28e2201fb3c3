"""Every picture (badge, text picture, social card) is an image named by its text, whatever the text holds."""

import xml.etree.ElementTree as ET
from collections.abc import Callable

import pytest

from widget.render.badge import Badge, render_badge_svg
from widget.render.card import Card, render_card_svg
from widget.render.sentence import TextLine, render_text_svg

SVG = "{http://www.w3.org/2000/svg}"


def badge(name: str, lang: str) -> str:
    return render_badge_svg(Badge("VoIP", "3 days", name, lang, "ltr"))


def text_picture(name: str, lang: str) -> str:
    return render_text_svg(TextLine(name, lang, "ltr"))


def card(name: str, lang: str) -> str:
    return render_card_svg(Card("3 days", name, "VoIP", lang, "ltr"))


PICTURES: dict[str, Callable[[str, str], str]] = {"badge": badge, "text picture": text_picture, "card": card}
NAMES = [
    '<&>"',
    "3 < 4 & 5 > 2",
    "She said \"stop\" & 'left'",
    '"/><script>alert(1)</script><x a="',
    "]]><script>alert(1)</script>",
    "a\u202eb ⵓⵙⵙⴰⵏ يوم",
    "&amp; &#60; &lt;",
]


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("picture", PICTURES)
def test_picture_is_an_image_named_by_its_text_exactly(picture: str, name: str):
    svg = PICTURES[picture](name, "en")
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("aria-label") == name
    title = root.find(f"{SVG}title")
    assert title is not None and title.text == name
    assert root[0] is title, "the title is the first child, where assistive technology looks for it"
    assert not list(root.iter(f"{SVG}script"))
    assert "<script" not in svg


@pytest.mark.parametrize("picture", PICTURES)
def test_picture_says_its_language_escaped(picture: str):
    assert ET.fromstring(PICTURES[picture]("x", "ar")).get("lang") == "ar"
    assert ET.fromstring(PICTURES[picture]("x", 'x" onload="alert(1)')).get("lang") == 'x" onload="alert(1)'


@pytest.mark.parametrize("picture", PICTURES)
def test_picture_size_is_its_view_box(picture: str):
    root = ET.fromstring(PICTURES[picture]("x", "en"))
    width, height = int(root.get("width")), int(root.get("height"))
    assert width > 0 and height > 0
    assert root.get("viewBox") == f"0 0 {width} {height}"
