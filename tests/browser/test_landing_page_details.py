"""The landing page's details in Chromium, Firefox and WebKit (issue 11, "Page details" and the builder's preview).

- The rule above the page's footer spans the content column, not the padding around it.
- ``canonical``, ``og:url`` and the ``hreflang`` links agree: a URL that names its language is that
  page's canonical, ``/`` (which negotiates) is the ``x-default``, and every alternate says the same.
- The snippet builder previews the widget on a light and on a dark page, readable on both.
- The heading's Tifinagh is as bold as the Latin and the digits beside it (issue 11, "Tifinagh weight").
"""

import time

import pytest
from PIL import Image, ImageStat

from tests.browser.conftest import VIEWPORT
from tests.browser.engines import Box, Engine, Tab
from tests.browser.engines.measure import cut
from tests.browser.reading_widgets import relative_luminance, text_contrast
from tests.conftest import ThreadedServer

WIDTHS = [VIEWPORT, (800, 800), (480, 740)]
"""Desktop, tablet and as narrow as every engine here goes (MiniBrowser's window is at least 447 px wide)."""

COLUMN_AND_FOOTER = """async () => {
  const footer = document.querySelector("footer");
  footer.scrollIntoView({block: "center"});
  for (const frame of [1, 2]) await new Promise((painted) => requestAnimationFrame(painted));
  const main = document.querySelector("main");
  const style = getComputedStyle(main);
  const rect = main.getBoundingClientRect();
  return {
    left: rect.left + parseFloat(style.paddingLeft), right: rect.right - parseFloat(style.paddingRight),
    footer: footer.getBoundingClientRect().toJSON(), background: getComputedStyle(document.body).backgroundColor,
  };
}"""
"""The content column (``main``'s content box) and the footer's box, once the footer is in view and painted."""
DRAWN = 215
"""Lightness (0-255) below which a pixel of the white page is drawn on: the rule's grey is about 120."""


@pytest.mark.parametrize("tab", WIDTHS, ids=["desktop", "tablet", "narrow"], indirect=True)
def test_the_footer_rule_spans_the_content_column_and_no_more(
    engine: Engine, tab: Tab, clocked_server: ThreadedServer
) -> None:
    tab.open(f"{clocked_server.url}/?lang=fr")
    seen = tab.evaluate(COLUMN_AND_FOOTER)
    assert seen["background"] == "rgb(255, 255, 255)", "a light page, as the engines' reader asks"
    footer = Box.of(seen["footer"])
    shot = tab.screenshot().convert("L")
    # The rule is the longest unbroken run of drawn pixels on a row near the footer's top edge
    # (unbroken: WebKit draws its scrollbar at the window's edge).
    runs = [run for y in range(int(footer.y) - 1, int(footer.y) + 4) for run in drawn_runs(shot, y)]
    start, end = max(runs, key=lambda run: run[1] - run[0], default=(0, 0))
    column = (seen["left"], seen["right"])
    assert end - start >= 0.9 * (column[1] - column[0]), f"{engine.name}: no rule above the footer ({start}-{end})"
    assert start >= column[0] - 1 and end <= column[1] + 1, (
        f"{engine.name}: the rule runs from {start} to {end}, the column from {column[0]} to {column[1]}"
    )


def drawn_runs(shot: Image.Image, y: int) -> list[tuple[int, int]]:
    """Runs of pixels on row ``y`` of greyscale ``shot`` darker than the white page: (first x, past the last x)."""
    row = shot.crop((0, y, shot.width, y + 1)).tobytes()
    runs: list[tuple[int, int]] = []
    start = None
    for x in range(shot.width + 1):
        drawn = x < shot.width and row[x] < DRAWN
        if drawn and start is None:
            start = x
        elif not drawn and start is not None:
            runs.append((start, x))
            start = None
    return runs


LINKS = """async () => {
  const read = (page) => ({
    lang: page.documentElement.lang,
    canonical: page.querySelector('link[rel="canonical"]').getAttribute("href"),
    ogUrl: page.querySelector('meta[property="og:url"]').getAttribute("content"),
    alternates: Object.fromEntries([...page.querySelectorAll('link[rel="alternate"][hreflang]')].map(
      (link) => [link.getAttribute("hreflang"), link.getAttribute("href")])),
  });
  const here = read(document);
  const alternates = {};
  for (const [code, href] of Object.entries(here.alternates)) {
    const html = await (await fetch(href)).text();
    alternates[code] = read(new DOMParser().parseFromString(html, "text/html"));
  }
  return {here, alternates};
}"""
"""The page's language, canonical, og:url and hreflang links, and those of each page its hreflang links name."""


@pytest.mark.parametrize(
    ("path", "own"), [("/", "x-default"), ("/?lang=ar", "ar"), ("/?lang=xx&utm_source=news", "x-default")]
)
def test_canonical_and_hreflang_links_agree(
    engine: Engine, tab: Tab, clocked_server: ThreadedServer, path: str, own: str
) -> None:
    """A page is canonical at the URL its hreflang set gives for it; ``/`` negotiates, as the x-default.

    Every page of the set names the same set, is in the language it is listed for, and names itself canonical.
    """
    base = f"{clocked_server.url}/"
    tab.open(clocked_server.url + path)
    links = tab.evaluate(LINKS)
    here = links["here"]
    alternates = here["alternates"]
    assert set(alternates) == {"fr", "ar", "zgh", "en", "ary", "x-default"} and alternates["x-default"] == base
    assert here["canonical"] == here["ogUrl"] == alternates[own], f"{engine.name}: {here}"
    for code, alternate in links["alternates"].items():
        assert alternate["canonical"] == alternate["ogUrl"] == alternates[code], f"{engine.name}, {code}: {alternate}"
        assert alternate["alternates"] == alternates
        assert code == "x-default" or alternate["lang"] == code, f"{engine.name}: {alternates[code]} is in {alternate}"


PREVIEWS = """() => ["preview", "preview-dark"].map((id) => {
  const frame = document.getElementById(id);
  const widget = frame.contentDocument && frame.contentDocument.querySelector("voipdown-footer");
  const rect = frame.getBoundingClientRect();
  const border = parseFloat(getComputedStyle(frame).borderTopWidth);
  return {
    shown: widget ? widget.getBoundingClientRect().height : 0,
    inside: {x: rect.x + border, y: rect.y + border, width: rect.width - 2 * border, height: rect.height - 2 * border},
  };
})"""
"""Each preview frame's inside (its border excluded) and the height of the footer widget in it (0: not yet)."""


@pytest.mark.parametrize("lang", ["fr", "zgh"])
def test_the_builder_previews_the_widget_readably_on_a_light_and_on_a_dark_page(
    engine: Engine, tab: Tab, clocked_server: ThreadedServer, lang: str
) -> None:
    """The builder's first snippet is the footer on ``auto``: readable on both pages it previews."""
    tab.open(f"{clocked_server.url}/?lang={lang}")
    tab.evaluate("() => document.querySelector('.previews').scrollIntoView({block: 'center'})")
    deadline = time.monotonic() + 30
    previous = None
    while True:
        frames = tab.evaluate(PREVIEWS)
        shot = tab.screenshot()
        insides = [cut(shot, Box.of(frame["inside"])) for frame in frames]
        pictures = [inside.tobytes() for inside in insides]
        if all(frame["shown"] > 0 for frame in frames) and pictures == previous:
            break
        previous = pictures
        assert time.monotonic() < deadline, f"{engine.name}: the previews did not settle: {frames}"
        time.sleep(0.3)

    light, dark = (text_contrast(inside) for inside in insides)
    assert relative_luminance(light.background) > 0.9 and relative_luminance(dark.background) < 0.05, (light, dark)
    for page, measured in (("light", light), ("dark", dark)):
        assert measured.ratio >= 4.5, f"{engine.name}: the {lang} preview on the {page} page: {measured}"


TIFINAGH_WORD = """(synthesis) => {
  const heading = document.querySelector("#count");
  heading.style.fontSynthesis = synthesis;
  const text = heading.querySelector(".hero-text").firstChild;
  const word = /[\u2d30-\u2d7f]+/.exec(text.data);
  const range = document.createRange();
  range.setStart(text, word.index);
  range.setEnd(text, word.index + word[0].length);
  return {word: word[0], box: range.getBoundingClientRect().toJSON(), weight: getComputedStyle(heading).fontWeight};
}"""
"""The first Tifinagh word of the heading's text and its box, with the browser's font synthesis set as asked."""


def ink(image: Image.Image) -> float:
    """How much dark paint ``image`` (dark text on white) holds: the sum of each pixel's darkness, in pixels."""
    grey = image.convert("L")
    return ImageStat.Stat(grey.point(lambda value: 255 - value)).sum[0] / 255


def test_the_headings_tifinagh_is_as_bold_as_the_digits_and_latin_beside_it(
    engine: Engine, tab: Tab, clocked_server: ThreadedServer
) -> None:
    """Noto Sans Tifinagh has no bold: the page lets the browser embolden it (``font-synthesis``), as the badges
    do with HarfBuzz, so a bold heading does not set regular Tifinagh beside bold digits and bold Latin.
    Measured as the ink of the first Tifinagh word, against the same word with synthesis turned off."""
    tab.open(f"{clocked_server.url}/zgh/")
    inks = {}
    for synthesis in ("none", ""):  # "" is the page's own style
        seen = tab.evaluate(TIFINAGH_WORD, synthesis)
        time.sleep(0.2)  # a frame or two for the change to be painted
        assert int(seen["weight"]) >= 600, seen
        inks[synthesis or "page"] = ink(cut(tab.screenshot(), Box.of(seen["box"]).grown(2)))
    assert inks["page"] >= 1.15 * inks["none"], f"{engine.name}: {seen['word']} is drawn regular in the heading: {inks}"
