"""The widget on real blogs, as bloggers paste it and readers meet it, in Chromium, Firefox and WebKit (issue 11).

- The default snippet (``data-theme`` left at ``auto``) is readable on a light and on a dark blog,
  whatever the reader's own colour scheme: the footer line takes the page's text colour, its
  Tifinagh pictures included. Contrast is measured on screenshots.
- Every variant's accessible name says the words it shows (WCAG 2.5.3, label in name), as each
  engine's accessibility tree computes it.
- In a 120 px or 180 px sidebar no text is drawn smaller than the sidebar's own text or the
  badge's natural size: the footer wraps, Tifinagh one picture per word, and the badge keeps its size.

Blogs are served from another site than the service, under the README's strict policy (the
narrow sidebar and the names add the blog's own stylesheet and script, see ``reading_widgets``).
"""

import html
import re
import time
import urllib.request
from typing import Any

import pytest
from PIL import Image

from tests.browser.embed_support import STRICT_CSP, fetch_json, script_tag, wait_until
from tests.browser.engines import Box, Engine, Tab
from tests.browser.engines.blog import PAGE_COLOURS, ReportingBlog, hex_colour
from tests.browser.engines.measure import WidgetShot, changed_share, cut, widget_shots
from tests.browser.reading_widgets import (
    CAPTURE_PATH,
    CAPTURE_SCRIPT,
    WIDGET_ROOTS,
    accessible_name,
    colour_counts,
    relative_luminance,
    shadow_root,
    text_contrast,
)
from tests.conftest import ThreadedServer

LANGUAGES = ("fr", "ar", "zgh")
WCAG_AA = 4.5
"""The contrast WCAG asks of body text (level AA)."""


def policy(service: str, blog: str = "", styles: bool = False) -> str:
    """The README's policy; with ``blog``, the blog's own scripts (and with ``styles`` its stylesheets) too."""
    strict = STRICT_CSP.format(service=service)
    if not blog:
        return strict
    return strict.replace(f"script-src {service}", f"script-src {service} {blog}") + (
        f"; style-src {blog}" if styles else ""
    )


def paragraphs(tags: list[str]) -> str:
    return "".join(f"<p>{tag}</p>" for tag in tags)


def blog_page(page: str, pasted: str, head: str = "") -> str:
    """A French blog post with ``pasted`` in its footer; its colours are HTML attributes, which no CSP governs."""
    background, text = PAGE_COLOURS[page]
    return f"""<!doctype html>
<html lang="fr">
<head><meta charset="utf-8"><title>A blog</title>{head}</head>
<body bgcolor="{hex_colour(background)}" text="{text}" link="{text}" vlink="{text}">
<h1>A blog</h1>
<p>A post about the Internet in Morocco.</p>
<footer>{pasted}</footer>
</body>
</html>
"""


def steady_screenshot(tab: Tab) -> Image.Image:
    """A screenshot once two in a row are the same: WebKit's can show a frame from before the last change."""
    previous = tab.screenshot()
    deadline = time.monotonic() + 10
    while True:
        time.sleep(0.2)
        shot = tab.screenshot()
        if shot.tobytes() == previous.tobytes() or time.monotonic() > deadline:
            return shot
        previous = shot


def settled_shots(tab: Tab, count: int, footers: int) -> list[WidgetShot]:
    """The widgets once ``count`` are shown and the first ``footers`` have stopped changing (their pictures are in)."""
    deadline = time.monotonic() + 30
    previous: list[bytes] = []
    while True:
        shots = widget_shots(tab)
        shown = len(shots) == count and all(shot.region.box and shot.region.box.height >= 14 for shot in shots)
        pictures = [shot.image.tobytes() for shot in shots[:footers]]
        if shown and pictures == previous and all(text_contrast(shot.image).text_pixels for shot in shots[:footers]):
            return shots
        previous = pictures if shown else []
        if time.monotonic() > deadline:
            raise AssertionError(f"the widgets did not settle: {[shot.region for shot in shots]}")
        time.sleep(0.3)


@pytest.mark.parametrize("page", PAGE_COLOURS)
def test_the_default_footer_is_readable_on_the_page_it_sits_on_for_either_colour_scheme(
    visitor_engine: Engine, visitor_tab: Tab, reporting_blog: ReportingBlog, clocked_server: ThreadedServer, page: str
) -> None:
    """``auto`` footers in three languages, explicit ``light`` and ``dark`` ones, and an ``auto`` badge.

    The reader's colour scheme (the fixture plays both) must not matter: a dark-mode reader on a
    light blog used to get light grey text on white (contrast 1.06).
    """
    service = clocked_server.url
    scheme = visitor_engine.color_scheme
    tags = [script_tag(f"{service}/embed.js", data_lang=lang) for lang in LANGUAGES]
    tags += [script_tag(f"{service}/embed.js", data_lang="fr", data_theme=theme) for theme in ("light", "dark")]
    tags.append(script_tag(f"{service}/embed.js", data_lang="fr", data_variant="badge"))
    url = reporting_blog.put(
        f"/contrast-{visitor_engine.name}-{scheme}-{page}.html",
        blog_page(page, paragraphs(tags)),
        Content_Security_Policy=policy(service),
    )
    visitor_tab.open(url)
    assert visitor_tab.evaluate("() => matchMedia('(prefers-color-scheme: dark)').matches") == (scheme == "dark")

    *footers, on_light, on_dark, badge = settled_shots(visitor_tab, len(tags), len(tags) - 1)
    for lang, footer in zip(LANGUAGES, footers, strict=True):
        measured = text_contrast(footer.image)
        print(f"contrast {visitor_engine.name}, {scheme} reader, {page} page, {lang}: {measured.ratio:.2f} {measured}")
        assert measured.background == PAGE_COLOURS[page][0]
        assert measured.ratio >= WCAG_AA, f"{lang} footer on a {page} page, {scheme} reader: {measured}"

    # The explicit themes are kept whatever the page: "light" is dark text, "dark" light text.
    light_text, dark_text = text_contrast(on_light.image).text, text_contrast(on_dark.image).text
    assert light_text is not None and relative_luminance(light_text) < 0.1, light_text
    assert dark_text is not None and relative_luminance(dark_text) > 0.5, dark_text
    # An auto badge takes the page's side too: the light look (dark fills) on a light page, the dark look on a dark one.
    page_background = PAGE_COLOURS[page][0]
    colours = colour_counts(badge.image)
    painted = [(count, relative_luminance(pixel)) for count, pixel in colours if pixel != page_background]
    brightness = sum(count * luminance for count, luminance in painted) / sum(count for count, _ in painted)
    assert (brightness > 0.3) == (page == "dark"), f"the badge's mean luminance is {brightness:.2f} on a {page} page"


def texts(service: str, lang: str) -> dict[str, Any]:
    return fetch_json(f"{service}/api/counter.json?lang={lang}")


VISIBLE_TEXTS = {"footer": ("sentence",), "badge": ("label", "message"), "ribbon": ("message", "label")}
"""What each variant shows, in reading order: the footer its sentence; the badge's picture its label,
then its message; the ribbon its message (large) above its label."""

SHOWN = f"""(count) => {{
  const roots = {WIDGET_ROOTS};
  return roots.length === count && roots.every((root) => {{
    const link = root.querySelector("a");
    const images = [...root.querySelectorAll("img")];
    return link !== null && link.getClientRects().length > 0 && images.every((image) => image.complete);
  }});
}}"""


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_variant_is_named_with_the_words_it_shows(
    engine: Engine, tab: Tab, reporting_blog: ReportingBlog, clocked_server: ThreadedServer, lang: str
) -> None:
    service = clocked_server.url
    reporting_blog.put(CAPTURE_PATH, CAPTURE_SCRIPT, "text/javascript")
    tags = [script_tag(f"{service}/embed.js", data_lang=lang, data_variant=variant) for variant in VISIBLE_TEXTS]
    head = f'<script src="{CAPTURE_PATH}"></script>'
    url = reporting_blog.put(
        f"/names-{engine.name}-{lang}.html",
        blog_page("light", paragraphs(tags), head),
        Content_Security_Policy=policy(service, reporting_blog.url),
    )
    tab.open(url)
    wait_until(lambda: tab.evaluate(SHOWN, len(tags)), what="three widgets shown")
    said = texts(service, lang)
    for index, (variant, parts) in enumerate(VISIBLE_TEXTS.items()):
        expected = " ".join(said[part] for part in parts)
        named = accessible_name(tab, f"{shadow_root(index)}.querySelector('a')", expected)
        assert named.matches, f"{engine.name}: the {variant} link is named {named.name!r}, not {expected!r}"


def svg_size(url: str) -> tuple[float, float]:
    """The width and height a picture of ours declares, straight from the service.

    Not the engine's ``naturalWidth``: for an SVG drawn at another size, WebKit reports the size it drew.
    """
    with urllib.request.urlopen(url, timeout=5) as response:
        head = response.read().decode("utf-8").split(">", 1)[0]
    found = re.search(r'width="([\d.]+)" height="([\d.]+)"', head)
    assert found is not None, head
    return float(found.group(1)), float(found.group(2))


SIDEBAR_FONT_SIZE = 15
NARROW_CSS = """.sidebar {{ width: {width}px; font-size: {font}px; }}"""

NARROW_WIDGETS = f"""() => {WIDGET_ROOTS}.map((root) => {{
  const rect = (element) => element.getBoundingClientRect().toJSON();
  const link = root.querySelector("a");
  const sidebar = root.host.closest(".sidebar");
  return {{
    variant: root.host.localName, sidebar: rect(sidebar), sidebarFont: parseFloat(getComputedStyle(sidebar).fontSize),
    host: rect(root.host), font: parseFloat(getComputedStyle(link).fontSize),
    firstLine: link.getClientRects()[0].toJSON(),
    images: [...root.querySelectorAll("img")].map((image) => ({{rect: rect(image), src: image.currentSrc}})),
    words: [...root.querySelectorAll("span[role=img] > *")].map(rect),
  }};
}})"""
"""What a reader gets of each widget in the sidebar: boxes, font sizes, the badge's picture, the Tifinagh words."""


@pytest.mark.parametrize("width", [120, 180])
def test_in_a_narrow_sidebar_text_keeps_its_size_and_wraps(
    engine: Engine, tab: Tab, reporting_blog: ReportingBlog, clocked_server: ThreadedServer, width: int
) -> None:
    """Footers and badges in fr, ar and zgh in a sidebar of 120 or 180 px whose text is 15 px."""
    service = clocked_server.url
    reporting_blog.put(CAPTURE_PATH, CAPTURE_SCRIPT, "text/javascript")
    sheet = reporting_blog.put(
        f"/narrow-{width}.css", NARROW_CSS.format(width=width, font=SIDEBAR_FONT_SIZE), "text/css; charset=utf-8"
    )
    tags = [
        script_tag(f"{service}/embed.js", data_lang=lang, data_variant=variant)
        for lang in LANGUAGES
        for variant in ("footer", "badge")
    ]
    head = f'<script src="{CAPTURE_PATH}"></script><link rel="stylesheet" href="{html.escape(sheet)}">'
    sidebar = "".join(f'<div class="sidebar">{tag}</div>' for tag in tags)
    url = reporting_blog.put(
        f"/narrow-{engine.name}-{width}.html",
        blog_page("light", sidebar, head),
        Content_Security_Policy=policy(service, reporting_blog.url, styles=True),
    )
    tab.open(url)
    wait_until(lambda: tab.evaluate(SHOWN, len(tags)), what="six widgets shown")
    widgets = tab.evaluate(NARROW_WIDGETS)

    for lang, footer, badge in zip(LANGUAGES, widgets[0::2], widgets[1::2], strict=True):
        assert footer["sidebar"]["width"] == width and footer["sidebarFont"] == SIDEBAR_FONT_SIZE
        # The badge at its natural size, even if that is wider than the sidebar.
        [image] = badge["images"]
        natural_width, natural_height = svg_size(image["src"])
        assert natural_height == 20 and natural_width > 100
        assert abs(image["rect"]["width"] - natural_width) <= 0.5, (lang, image, natural_width)
        assert abs(image["rect"]["height"] - natural_height) <= 0.5, (lang, image, natural_height)
        # The footer's text at least as large as the sidebar's, wrapped inside it.
        assert footer["font"] >= footer["sidebarFont"], (lang, footer["font"])
        assert footer["host"]["x"] >= footer["sidebar"]["x"] - 0.5, (lang, footer["host"])
        assert footer["host"]["x"] + footer["host"]["width"] <= footer["sidebar"]["x"] + width + 0.5
        assert footer["host"]["height"] > 2 * footer["font"], f"the {lang} footer wraps onto several lines"

    tifinagh = widgets[4]
    words = tifinagh["words"]
    zgh = texts(service, "zgh")
    assert len(words) == len(zgh["sentence"].split(" ")), "one picture per word"
    line_height = 1.5 * tifinagh["font"]
    for number, word in enumerate(words, start=1):
        # Each word one line of text tall, as wide as its picture's proportions say, inside the sidebar.
        picture = f"{service}/embed/text.svg?part=sentence&word={number}&lang=zgh&day={zgh['valid_for']}"
        natural_width, natural_height = svg_size(picture)
        assert abs(word["height"] - line_height) <= 0.5, word
        assert abs(word["width"] / word["height"] - natural_width / natural_height) <= 0.02, (word, picture)
        assert tifinagh["sidebar"]["x"] - 0.5 <= word["x"] and word["right"] <= tifinagh["sidebar"]["right"] + 0.5
    assert len({round(word["y"]) for word in words}) > 1, "the words wrap onto several lines"
    first_line = tifinagh["firstLine"]
    assert words[0]["y"] < first_line["y"] + first_line["height"], "the first word is on the dot's line"

    # And the Tifinagh pictures are painted, readable, in the narrow place.
    zgh_footer = widget_shots(tab)[4]
    assert text_contrast(zgh_footer.image).ratio >= WCAG_AA


WORD_BOXES = f"""() => {{
  const box = (element) => element.getBoundingClientRect().toJSON();
  const [root] = {WIDGET_ROOTS};
  const pictures = [...document.querySelectorAll("#pictures img")];
  return {{
    words: [...root.querySelectorAll("span[role=img] > *")].map(box),
    pictures: pictures.map(box),
    complete: pictures.every((picture) => picture.complete),
  }};
}}"""
"""The boxes of the footer's Tifinagh words and of the service's own pictures of them, shown as images beside."""


def test_each_tifinagh_word_shows_the_glyphs_the_service_drew_for_it(
    engine: Engine, tab: Tab, reporting_blog: ReportingBlog, clocked_server: ThreadedServer
) -> None:
    """The words are written into one widget together: each must still show its own glyphs.

    The page's text is the colour the service draws ``theme=light`` pictures in, and 16 px text
    makes a word one picture tall, so the widget's words and the pictures as plain images match pixel for pixel.
    """
    service = clocked_server.url
    reporting_blog.put(CAPTURE_PATH, CAPTURE_SCRIPT, "text/javascript")
    zgh = texts(service, "zgh")
    pictures = "".join(
        f'<img src="{service}/embed/text.svg?part=sentence&amp;word={number}&amp;lang=zgh&amp;day={zgh["valid_for"]}"> '
        for number in range(1, len(zgh["sentence"].split(" ")) + 1)
    )
    footer = paragraphs([script_tag(f"{service}/embed.js", data_lang="zgh"), f'<span id="pictures">{pictures}</span>'])
    url = reporting_blog.put(
        f"/words-{engine.name}.html",
        blog_page("light", footer, f'<script src="{CAPTURE_PATH}"></script>'),
        Content_Security_Policy=policy(service, reporting_blog.url),
    )
    tab.open(url)
    wait_until(lambda: tab.evaluate(SHOWN, 1), what="the footer shown")
    boxes = wait_until(lambda: (found := tab.evaluate(WORD_BOXES))["complete"] and found, what="the pictures")
    assert len(boxes["words"]) == len(boxes["pictures"]) == 8
    shot = steady_screenshot(tab)
    for number, (word, picture) in enumerate(zip(boxes["words"], boxes["pictures"], strict=True), start=1):
        shown, drawn = cut(shot, Box.of(word)), cut(shot, Box.of(picture))
        assert abs(shown.width - drawn.width) <= 1, (number, word, picture)
        assert changed_share(shown, drawn) <= 0.02, f"{engine.name}: word {number} does not show its own glyphs"
