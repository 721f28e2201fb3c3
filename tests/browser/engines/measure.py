"""Seeing the widgets from outside, the same way in every engine: where each is painted, and its pixels.

The widgets live in closed shadow roots, which WebKit's driver cannot enter, and whose insides
are the widget's business anyway (they may change from one release to the next). From outside,
every engine can tell where a widget is painted (its host's box; for a ribbon, whose host has no
box of its own, the rectangle where hit-testing lands on it) and what those pixels look like.
``widget_shots`` hands both over; the pixel measures below turn them into numbers a test can bound
("readable text is there", "it stays in its box") without pinning exact colours or glyphs.
"""

import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from PIL import Image, ImageChops

from tests.browser.engines import Box, Tab

WIDGET_TAGS = ("voipdown-badge", "voipdown-footer", "voipdown-ribbon")
WIDGET_SELECTOR = ", ".join(WIDGET_TAGS)

PAINTED = """(selector, step) => [...document.querySelectorAll(selector)].map((host) => {
  const rect = host.getBoundingClientRect();
  if (rect.width > 0 && rect.height > 0) return {tag: host.localName, box: rect.toJSON()};
  // No box of its own (display: contents around a fixed box): find where hit-testing lands on it.
  const hit = (x, y) => document.elementFromPoint(x, y) === host;
  let [left, top, right, bottom] = [Infinity, Infinity, -Infinity, -Infinity];
  for (let y = 0; y < innerHeight; y += step) {
    for (let x = 0; x < innerWidth; x += step) {
      if (hit(x, y)) {
        [left, top] = [Math.min(left, x), Math.min(top, y)];
        [right, bottom] = [Math.max(right, x), Math.max(bottom, y)];
      }
    }
  }
  if (left === Infinity) return {tag: host.localName, box: null};
  const [middleX, middleY] = [(left + right) / 2, (top + bottom) / 2];
  while (left > 0 && hit(left - 1, middleY)) left--;
  while (right < innerWidth - 1 && hit(right + 1, middleY)) right++;
  while (top > 0 && hit(middleX, top - 1)) top--;
  while (bottom < innerHeight - 1 && hit(middleX, bottom + 1)) bottom++;
  return {tag: host.localName, box: {x: left, y: top, width: right - left + 1, height: bottom - top + 1}};
})"""
"""Each widget host in document order, with the viewport rectangle it is painted in (or null).

A host without a box is looked for on a grid of ``step`` pixels (hit-testing every pixel would
take seconds), then each edge of what was found is followed to the pixel."""
SCAN_STEP = 20
"""Finds any widget at least this many pixels wide and high: a ribbon is several times that."""

SAID = """function () {
  const said = [this.textContent];
  for (const element of this.querySelectorAll("*")) {
    for (const name of ["alt", "aria-label", "title"]) {
      if (element.getAttribute(name)) said.push(element.getAttribute(name));
    }
  }
  return said.join("\\n");
}"""
"""Everything a widget says, to eyes and to assistive technology: its text, and its pictures' and
controls' labels (the Tifinagh text is a picture whose ``alt`` is the sentence)."""


@dataclass(frozen=True)
class Region:
    """Where one widget is painted: its host's tag and its rectangle in the viewport (None: nowhere)."""

    tag: str
    box: Box | None


@dataclass(frozen=True)
class WidgetShot:
    """One widget's rectangle and its pixels, cut from ``screenshot``, the whole viewport at that moment."""

    region: Region
    image: Image.Image
    screenshot: Image.Image


def painted_regions(tab: Tab) -> list[Region]:
    return [
        Region(found["tag"], Box.of(found["box"]) if found["box"] else None)
        for found in tab.evaluate(PAINTED, WIDGET_SELECTOR, SCAN_STEP)
    ]


def cut(image: Image.Image, box: Box) -> Image.Image:
    """The part of ``box`` that lies in ``image`` (an empty image if none does)."""
    left, top, right, bottom = box.pixels()
    left, top, right, bottom = max(left, 0), max(top, 0), min(right, image.width), min(bottom, image.height)
    if right <= left or bottom <= top:
        return Image.new("RGB", (0, 0))
    return image.crop((left, top, right, bottom))


def widget_shots(tab: Tab) -> list[WidgetShot]:
    """Every widget's rectangle and pixels, in document order; one screenshot for all."""
    regions = painted_regions(tab)
    screenshot = tab.screenshot()
    return [
        WidgetShot(region, cut(screenshot, region.box) if region.box else Image.new("RGB", (0, 0)), screenshot)
        for region in regions
    ]


def wait_for_shots(
    tab: Tab, ready: Callable[[list[WidgetShot]], str | None], timeout: float = 20.0
) -> list[WidgetShot]:
    """Poll ``widget_shots`` until ``ready`` answers None (else it names what is missing).

    A widget shows once its count and its pictures have arrived, which takes a moment.
    """
    deadline = time.monotonic() + timeout
    while True:
        shots = widget_shots(tab)
        problem = ready(shots)
        if problem is None:
            return shots
        if time.monotonic() > deadline:
            raise AssertionError(f"the widgets did not show within {timeout} s: {problem}")
        time.sleep(0.1)


def lightness(colour: tuple[int, int, int]) -> int:
    """Rec. 601 luma, 0-255, as PIL's ``convert("L")`` computes it."""
    red, green, blue = colour
    return round((299 * red + 587 * green + 114 * blue) / 1000)


def text_edges(image: Image.Image, contrast: int = 100) -> int:
    """How many side-by-side pixel pairs differ in lightness by at least ``contrast`` (of 255).

    Readable text is made of such edges, many per glyph; a blank box, a flat colour or text too
    faint to read has next to none, whatever the colours are.
    """
    grey = image.convert("L")
    if grey.width < 2:
        return 0
    left = grey.crop((0, 0, grey.width - 1, grey.height))
    right = grey.crop((1, 0, grey.width, grey.height))
    return sum(ImageChops.difference(left, right).histogram()[contrast:])


def ink_box(screenshot: Image.Image, area: Box, background: tuple[int, int, int], contrast: int = 60) -> Box | None:
    """Where in ``area`` of ``screenshot`` the pixels differ in lightness from ``background`` by ``contrast`` or more.

    In viewport coordinates, so that it compares with the boxes the page reports.
    """
    left, top = max(area.pixels()[0], 0), max(area.pixels()[1], 0)
    grey = cut(screenshot, area).convert("L")
    plain = Image.new("L", grey.size, lightness(background))
    found = ImageChops.difference(grey, plain).point(lambda value: 255 if value >= contrast else 0).getbbox()
    if found is None:
        return None
    ink_left, ink_top, ink_right, ink_bottom = found
    return Box(left + ink_left, top + ink_top, ink_right - ink_left, ink_bottom - ink_top)


def covered_share(image: Image.Image, background: tuple[int, int, int], tolerance: int = 24) -> float:
    """The share of ``image``'s pixels that differ from ``background`` by more than ``tolerance`` in a channel."""
    if image.width * image.height == 0:
        return 0.0
    plain = Image.new("RGB", image.size, background)
    differing = ImageChops.difference(image, plain).convert("L").point(lambda value: 255 if value > tolerance else 0)
    return differing.histogram()[255] / (image.width * image.height)


def changed_share(first: Image.Image, second: Image.Image, shift: int = 2, contrast: int = 64) -> float:
    """The share of pixels whose lightness differs by ``contrast`` or more between two pictures of one thing.

    The two may sit a fraction of a pixel apart on their pages, which moves their edges by one
    pixel: they are compared at every offset up to ``shift`` pixels and the best match counts.
    """
    first_grey, second_grey = first.convert("L"), second.convert("L")
    best = 1.0
    for across in range(-shift, shift + 1):
        for down in range(-shift, shift + 1):
            width = min(first_grey.width, second_grey.width) - abs(across)
            height = min(first_grey.height, second_grey.height) - abs(down)
            if width <= 0 or height <= 0:
                continue
            left, top = max(across, 0), max(down, 0)
            other_left, other_top = max(-across, 0), max(-down, 0)
            difference = ImageChops.difference(
                first_grey.crop((left, top, left + width, top + height)),
                second_grey.crop((other_left, other_top, other_left + width, other_top + height)),
            )
            best = min(best, sum(difference.histogram()[contrast:]) / (width * height))
    return best


def numbers(text: str) -> set[int]:
    """The whole numbers written in ``text``, in any script's digits, grouping separators allowed between digits."""
    found: set[int] = set()
    digits = ""
    for position, character in enumerate(text):
        if character.isdigit():
            digits += str(unicodedata.digit(character))
        elif digits and unicodedata.category(character) in ("Zs", "Po") and text[position + 1 : position + 2].isdigit():
            continue  # a thousands separator: 3 979, 3.979, ٣٬٩٧٩
        elif digits:
            found.add(int(digits))
            digits = ""
    if digits:
        found.add(int(digits))
    return found
