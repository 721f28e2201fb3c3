"""One way to drive Chromium, Firefox and WebKit, so that a browser test is written once and run in all three.

Bloggers' readers use every engine, and each engine has its own road in: Chromium through
Playwright (the suite's existing fixture), Firefox over WebDriver BiDi (which it speaks natively,
so no geckodriver is needed), WebKit through ``WebKitWebDriver`` and Selenium, with MiniBrowser on
a virtual X display. A test sees none of that: it opens a ``Tab``, runs JavaScript, takes
screenshots and reads what the page asked for and printed.

What an engine cannot do is stated, not hidden: ``Engine.reads_closed_shadow_roots`` and
``Engine.hears_console`` say whether the engine can look inside closed shadow roots and listen to
the console; tests assert those facts only where the engine can tell, and everything else
(boxes, pixels, requests, reports, globals) everywhere.
"""

import json
from dataclasses import dataclass
from typing import Any, Protocol

from PIL import Image

ENGINE_NAMES = ("chromium", "firefox", "webkit")
COLOR_SCHEMES = ("light", "dark")
"""The visitor's system setting, ``prefers-color-scheme``. Firefox and WebKit take it at launch
(neither has a way to change it in a running browser), so each scheme is an engine of its own."""


@dataclass(frozen=True)
class Box:
    """A rectangle in CSS pixels of the viewport (1 CSS pixel = 1 screenshot pixel in every engine here)."""

    x: float
    y: float
    width: float
    height: float

    @property
    def right(self) -> float:
        return self.x + self.width

    @property
    def bottom(self) -> float:
        return self.y + self.height

    @classmethod
    def of(cls, rect: dict[str, float]) -> "Box":
        """From a ``DOMRect`` as JSON."""
        return cls(rect["x"], rect["y"], rect["width"], rect["height"])

    def grown(self, margin: float) -> "Box":
        return Box(self.x - margin, self.y - margin, self.width + 2 * margin, self.height + 2 * margin)

    def pixels(self) -> tuple[int, int, int, int]:
        """The smallest whole-pixel rectangle holding the box, as PIL's (left, top, right, bottom)."""
        return (int(self.x), int(self.y), int(-(-self.right // 1)), int(-(-self.bottom // 1)))


class Tab(Protocol):
    """One page in one engine, at a fixed viewport, device pixel ratio 1, the engine's colour scheme, reduced motion."""

    def open(self, url: str) -> None:
        """Navigate to ``url`` and wait for its load event; forgets the previous page's requests and console."""

    def evaluate(self, function: str, *arguments: Any) -> Any:
        """Call the JavaScript ``function`` (source text) with JSON ``arguments``; its awaited result, as JSON."""

    def in_shadow_roots(self, host_selector: str, function: str) -> list[Any]:
        """Call ``function`` with ``this`` = the shadow root, open or closed, of each ``host_selector`` in order.

        Only where ``Engine.reads_closed_shadow_roots``: a page script cannot do this, a debugger can.
        """

    def screenshot(self) -> Image.Image:
        """The viewport as the visitor sees it, RGB, one pixel per CSS pixel."""

    def requests(self) -> list[str]:
        """Every URL the current page (and its same-origin frames) has asked for, its own included."""

    def console_errors(self) -> list[str]:
        """Console errors and uncaught exceptions of the current page; only where ``Engine.hears_console``."""

    def close(self) -> None: ...


class Engine(Protocol):
    """A running browser, shared by the session's tests; tabs are opened and closed per test."""

    name: str
    version: str
    color_scheme: str
    reads_closed_shadow_roots: bool
    hears_console: bool

    def new_tab(self, width: int, height: int) -> Tab: ...

    def close(self) -> None: ...


def json_call(function: str) -> str:
    """JavaScript source of a function that takes JSON-encoded arguments and answers its result JSON-encoded.

    Each engine's protocol has its own way of passing values in and out (CDP remote objects, BiDi
    remote values, WebDriver's JSON); strings pass through all of them alike, so every engine
    answers exactly the same Python values. ``this`` is kept for calls on shadow roots.
    """
    return (
        "async function (encoded) {"
        f" const result = await ({function}).apply(this, JSON.parse(encoded));"
        " return JSON.stringify(result === undefined ? null : result); }"
    )


def encode_arguments(arguments: tuple[Any, ...]) -> str:
    return json.dumps(list(arguments))


def decode_result(encoded: Any) -> Any:
    if not isinstance(encoded, str):
        raise AssertionError(f"the page answered {encoded!r} instead of JSON")
    return json.loads(encoded)


SAME_ORIGIN_REQUESTS = """() => {
  const seen = [];
  const collect = (view) => {
    try {
      for (const type of ["navigation", "resource"]) {
        seen.push(...view.performance.getEntriesByType(type).map((entry) => entry.name));
      }
      for (let index = 0; index < view.frames.length; index++) collect(view.frames[index]);
    } catch (error) { /* a cross-origin frame: its own loads are its own business */ }
  };
  collect(window);
  return seen;
}"""
"""What a page (and its same-origin frames) loaded, from Resource Timing: the road where an engine
has no network events. Loads refused by the page's CSP never start, so they are not listed; they
are caught by the host page's CSP reports instead."""
