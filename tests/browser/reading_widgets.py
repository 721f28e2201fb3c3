"""How the widget tests read what a reader gets, the same way in Chromium, Firefox and WebKit.

- Inside the closed shadow roots: the blog runs ``CAPTURE_SCRIPT`` (its own script, from its own
  origin, before the widget's) which keeps every shadow root attached on its page. Any page could
  do this to itself; here it lets every engine, WebKit's driver included, measure the widget's
  boxes and styles.
- Accessible names come from each engine's own accessibility tree: Chromium's through the
  DevTools protocol, WebKit's through WebDriver's "computed label", Firefox's through WebDriver
  BiDi's accessibility locator (which finds a node by its computed name, so Firefox answers
  whether a name is exactly the expected one, not what it is).
- Contrast is measured on screenshots: the WCAG ratio between a region's background and its text
  pixels, as a reader's eyes get them (anti-aliasing and all).
"""

from dataclasses import dataclass

from PIL import Image

from tests.browser.engines import Tab
from tests.browser.engines.chromium import ChromiumTab
from tests.browser.engines.firefox import FirefoxTab
from tests.browser.engines.webkit import WebKitTab

CAPTURE_PATH = "/capture-shadow-roots.js"
CAPTURE_SCRIPT = """(() => {
  const attach = Element.prototype.attachShadow;
  const roots = [];
  Object.defineProperty(window, "capturedShadowRoots", { value: roots });
  Element.prototype.attachShadow = function (init) {
    const root = attach.call(this, init);
    roots.push(root);
    return root;
  };
})();
"""
"""The blog's script that keeps each shadow root attached on the page, in order, closed ones too."""
WIDGET_ROOTS = 'window.capturedShadowRoots.filter((root) => root.host.localName.startsWith("voipdown-"))'
"""JavaScript for the widgets' own shadow roots, in document order (a widget seals each Tifinagh word in one too)."""

Colour = tuple[int, int, int]


def shadow_root(index: int) -> str:
    """JavaScript for the ``index``-th widget's shadow root on the page (see ``CAPTURE_SCRIPT``)."""
    return f"{WIDGET_ROOTS}[{index}]"


@dataclass(frozen=True)
class AccessibleName:
    """What an engine's accessibility tree says of one element."""

    matches: bool
    """Whether the element's computed name is exactly the expected one."""
    name: str | None
    """The computed name, where the engine can say it (Firefox only answers ``matches``)."""


def accessible_name(tab: Tab, element: str, expected: str) -> AccessibleName:
    """The accessible name the engine computes for ``element`` (a JavaScript expression), against ``expected``."""
    if isinstance(tab, ChromiumTab):
        found = tab.cdp.send("Runtime.evaluate", {"expression": element})["result"]
        node = tab.cdp.send("DOM.describeNode", {"objectId": found["objectId"]})["node"]
        tree = tab.cdp.send(
            "Accessibility.getPartialAXTree", {"backendNodeId": node["backendNodeId"], "fetchRelatives": False}
        )
        name = str(tree["nodes"][0].get("name", {}).get("value", ""))
        return AccessibleName(name == expected, name)
    if isinstance(tab, WebKitTab):
        name = str(tab.driver.execute_script(f"return {element};").accessible_name)
        return AccessibleName(name == expected, name)
    if isinstance(tab, FirefoxTab):
        target = {"context": tab.context}
        found = tab.connection.send(
            "script.callFunction",
            {"functionDeclaration": f"() => {element}", "target": target, "awaitPromise": False},
        )["result"]
        located = tab.connection.send(
            "browsingContext.locateNodes",
            {
                "context": tab.context,
                "locator": {"type": "accessibility", "value": {"name": expected}},
                "startNodes": [{"sharedId": found["sharedId"]}],
            },
        )["nodes"]
        return AccessibleName(any(node.get("sharedId") == found["sharedId"] for node in located), None)
    raise AssertionError(f"no accessibility tree reader for {type(tab).__name__}")


def relative_luminance(colour: Colour) -> float:
    """WCAG 2's relative luminance of an sRGB colour."""

    def linear(channel: int) -> float:
        value = channel / 255
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (linear(channel) for channel in colour)
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast_ratio(first: Colour, second: Colour) -> float:
    """WCAG 2's contrast ratio, from 1 (the same) to 21 (black on white)."""
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


INK_RATIO = 1.02
"""A pixel this far from the background (in contrast) is part of something drawn, however faint."""
NEUTRAL_CHROMA = 48
"""Text here is grey (the pages' and the widget's text colours); a pixel whose channels differ by more
belongs to the footer's red dot, which is decoration, not text."""
TEXT_PERCENTILE = 0.9
"""The text's colour is taken where 90% of its pixels are fainter: the cores of the strokes, not the
anti-aliased edges, and not one stray pixel."""


@dataclass(frozen=True)
class TextContrast:
    """A region's background, its text's colour and their contrast ratio, as measured on a screenshot."""

    background: Colour
    text: Colour | None
    ratio: float
    text_pixels: int


def colour_counts(image: Image.Image) -> list[tuple[int, Colour]]:
    """How many pixels of ``image`` have each of its colours."""
    rgb = image.convert("RGB")
    return [
        (count, (pixel[0], pixel[1], pixel[2]))
        for count, pixel in rgb.getcolors(rgb.width * rgb.height) or []
        if isinstance(pixel, tuple)
    ]


def text_contrast(image: Image.Image) -> TextContrast:
    """The region's background is its most common colour; its text, its neutral pixels that differ from it."""
    counts = colour_counts(image)
    background = max(counts)[1]
    inked = sorted(
        (contrast_ratio(pixel, background), pixel, count)
        for count, pixel in counts
        if max(pixel) - min(pixel) <= NEUTRAL_CHROMA and contrast_ratio(pixel, background) >= INK_RATIO
    )
    total = sum(count for _, _, count in inked)
    seen = 0
    for ratio, pixel, count in inked:
        seen += count
        if seen > TEXT_PERCENTILE * total:
            return TextContrast(background, pixel, ratio, total)
    return TextContrast(background, None, 1.0, 0)
