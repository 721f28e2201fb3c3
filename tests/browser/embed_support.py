"""What the embed-script tests need besides Chromium: a blog on another origin, and eyes inside closed shadow roots.

- ``HostSite``: a tiny threaded HTTP server on its own loopback port, so the page that pastes the
  script is on another origin than the service, as on a real blog.
- ``host_page``: the HTML of such a blog, hostile on request (strict CSP, aggressive CSS,
  ``<html lang="ar" dir="rtl">``).
- ``Shadows``: the widget lives in a *closed* shadow root, which page scripts and Playwright's
  locators cannot enter (that is the point). The DevTools protocol can: ``DOM.getDocument`` with
  ``pierce`` lists closed roots, and functions run on them by object id. Tests use it to read what
  a person sees (text, direction, boxes) and what assistive technology hears (accessible names).
"""

import contextlib
import html
import io
import json
import re
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from PIL import Image
from werkzeug.serving import BaseWSGIServer, make_server

STRICT_CSP = "default-src 'none'; script-src {service}; connect-src {service}; img-src {service}"
"""The policy the issue names, word for word: no inline styles, no fonts, nothing but the service."""
WIDGET_TAGS = "voipdown-footer, voipdown-badge, voipdown-ribbon"
COUNTER_URL = re.compile(r"/api/(\w+/)?counter\.json$")
"""The embed script's counter requests: ``/api/counter.json``, then ``/api/<lang>/counter.json``."""


@dataclass
class HostSite:
    """A blog on its own origin: serves the pages and files a test puts, 404 for anything else."""

    files: dict[str, tuple[bytes, dict[str, str]]] = field(default_factory=dict)
    url: str = ""

    def put(self, path: str, body: str, content_type: str = "text/html; charset=utf-8", **headers: str) -> str:
        """Serve ``body`` at ``path`` with ``headers`` (underscores become dashes); returns its URL."""
        named = {name.replace("_", "-"): value for name, value in headers.items()}
        self.files[path] = (body.encode("utf-8"), {"Content-Type": content_type, "Cache-Control": "no-store", **named})
        return self.url + path

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        found = self.files.get(environ.get("PATH_INFO", ""))
        if found is None:
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b"not found"]
        body, headers = found
        start_response("200 OK", list(headers.items()))
        return [body]


@contextlib.contextmanager
def serving(application: Callable[..., Any]) -> Iterator[str]:
    """``application`` on a free loopback port in a daemon thread, for the duration of the block."""
    server: BaseWSGIServer = make_server("127.0.0.1", 0, application, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join()


def script_tag(src: str, **data: str) -> str:
    """A script tag as a blogger pastes it: ``async``, options as ``data-`` attributes."""
    attributes = "".join(
        f' {name.replace("_", "-")}="{html.escape(value)}"' for name, value in data.items() if value is not None
    )
    return f'<script async src="{html.escape(src)}"{attributes}></script>'


HOSTILE_CSS = """
* { font-size: 40px !important; line-height: 3 !important; color: #00ff00 !important;
    font-family: serif !important; letter-spacing: 3px !important; }
div { display: none }
a { color: #ff0000 !important; text-decoration: none !important; }
img { width: 400px !important; height: 7px !important; filter: invert(1) !important; }
:focus { outline: none !important; }
body { display: grid; grid-template-columns: 1fr 360px; grid-template-areas: "h h" "m s" "f f";
       margin: 0; background: #ffffff; }
header { grid-area: h; } main { grid-area: m; min-height: 900px; } aside { grid-area: s; }
footer { grid-area: f; }
"""
"""A host page that restyles everything it can reach, hides every div and kills focus rings."""


def host_page(
    service: str,
    aside: list[str] = (),  # type: ignore[assignment]
    footer: list[str] = (),  # type: ignore[assignment]
    *,
    lang: str = "ar",
    direction: str = "rtl",
    stylesheet: bool = False,
    control: bool = False,
) -> str:
    """A blog page: header, article, sidebar and footer, with script tags pasted in the last two.

    ``stylesheet`` links ``/hostile.css`` from the page's own origin; ``control`` adds an inline
    style attribute the strict CSP must refuse, proving the policy is in force.
    """
    sheet = '<link rel="stylesheet" href="/hostile.css">' if stylesheet else ""
    styled = ' style="color: rgb(255, 0, 0)"' if control else ""
    return f"""<!doctype html>
<html lang="{lang}" dir="{direction}">
<head><meta charset="utf-8"><title>مدونة</title>{sheet}</head>
<body>
<header id="top"><h1>مدونتي</h1><a id="host-link" href="#top">رابط</a></header>
<main id="article"><p id="control"{styled}>مقال عن الإنترنت في المغرب.</p></main>
<aside id="side">{"".join(aside)}</aside>
<div id="hidden-div">hidden by the host page</div>
<footer id="foot">{"".join(footer)}</footer>
</body>
</html>
"""


def fetch_json(url: str) -> dict[str, Any]:
    """A JSON document straight from the service, as the truth the widget must show."""
    with urllib.request.urlopen(url, timeout=5) as response:
        document: dict[str, Any] = json.load(response)
        return document


def wait_until(predicate: Callable[[], Any], timeout: float = 30.0, what: str = "condition") -> Any:
    """Poll ``predicate`` in real time (the page's clock may be fake) until it returns something truthy.

    The timeout is generous because CI machines are shared; only a failing test waits that long.
    """
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}; last value: {value!r}")
        time.sleep(0.05)


DESCRIBE = """function () {
  const box = [...this.children].find((e) => !e.classList.contains("h"));
  if (!box) return null;
  const rect = (e) => { const r = e.getBoundingClientRect();
    return {x: r.x, y: r.y, width: r.width, height: r.height, right: r.right, bottom: r.bottom}; };
  const link = box.localName == "a" ? box : box.querySelector("a");
  const style = getComputedStyle(link);
  return {
    tag: this.host.localName, text: link.textContent, lang: box.lang, dir: box.dir,
    direction: style.direction, fontSize: style.fontSize, fontFamily: style.fontFamily, color: style.color,
    letterSpacing: style.letterSpacing, lineHeight: style.lineHeight,
    hostFontSize: getComputedStyle(this.host).fontSize,
    position: getComputedStyle(box).position, background: getComputedStyle(box).backgroundColor,
    border: getComputedStyle(box).borderTopColor,
    box: rect(box), link: rect(link), host: rect(this.host), href: link.href,
    images: [...box.querySelectorAll("img")].map((i) => ({src: i.currentSrc, alt: i.alt,
      naturalWidth: i.naturalWidth, naturalHeight: i.naturalHeight, rect: rect(i)})),
    pictured: [...box.querySelectorAll("span[role=img]")].map((line) => {
      const words = [...line.children].map((word) => word.getBoundingClientRect());
      const [left, top] = [Math.min(...words.map((w) => w.left)), Math.min(...words.map((w) => w.top))];
      const [right, bottom] = [Math.max(...words.map((w) => w.right)), Math.max(...words.map((w) => w.bottom))];
      return {label: line.getAttribute("aria-label"), words: words.length,
        rect: {x: left, y: top, width: right - left, height: bottom - top, right, bottom}};
    }),
    animations: box.getAnimations().length,
    focused: this.activeElement ? this.activeElement.localName : null,
    buttons: [...box.querySelectorAll("button")].map((b) => ({label: b.ariaLabel, rect: rect(b)})),
  };
}"""


class Shadows:
    """Reads inside the widgets' closed shadow roots through the DevTools protocol."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.cdp = page.context.new_cdp_session(page)
        self.cdp.send("Accessibility.enable")

    def roots(self) -> list[int]:
        """Backend ids of the shadow roots of our widgets (``voipdown-*`` hosts), in document order."""
        document = self.cdp.send("DOM.getDocument", {"depth": -1, "pierce": True})
        found: list[int] = []

        def walk(node: dict[str, Any]) -> None:
            if node.get("localName", "").startswith("voipdown-"):
                found.extend(root["backendNodeId"] for root in node.get("shadowRoots", []))
            for child in node.get("children", []):
                walk(child)

        walk(document["root"])
        return found

    def _object(self, backend_id: int) -> str:
        resolved = self.cdp.send("DOM.resolveNode", {"backendNodeId": backend_id})
        return str(resolved["object"]["objectId"])

    def call(self, backend_id: int, function: str, by_value: bool = True) -> Any:
        """Run ``function`` with ``this`` = the node; its (awaited) result by value, or its object id."""
        result = self.cdp.send(
            "Runtime.callFunctionOn",
            {
                "objectId": self._object(backend_id),
                "functionDeclaration": function,
                "returnByValue": by_value,
                "awaitPromise": True,
            },
        )
        if "exceptionDetails" in result:
            raise AssertionError(result["exceptionDetails"])
        return result["result"].get("value") if by_value else result["result"].get("objectId")

    def widgets(self) -> list[dict[str, Any]]:
        """What each visible widget shows: texts, boxes, styles, images, pictured texts (see ``DESCRIBE``)."""
        described = [self.call(root, DESCRIBE) for root in self.roots()]
        return [widget for widget in described if widget]

    def accessible(self, root: int, selector: str) -> dict[str, str]:
        """The role and accessible name Chromium gives the first ``selector`` in ``root``."""
        object_id = self.call(root, f"function () {{ return this.querySelector({json.dumps(selector)}); }}", False)
        node = self.cdp.send("DOM.describeNode", {"objectId": object_id})["node"]
        tree = self.cdp.send(
            "Accessibility.getPartialAXTree", {"backendNodeId": node["backendNodeId"], "fetchRelatives": False}
        )
        first = tree["nodes"][0]
        return {"role": first["role"]["value"], "name": first.get("name", {}).get("value", "")}


def screenshot(page: Any, clip: dict[str, float] | None = None) -> Image.Image:
    """What the visitor sees, as RGB pixels (optionally one rectangle of it)."""
    options: dict[str, Any] = {"animations": "disabled"}
    if clip is not None:
        options["clip"] = {key: clip[key] for key in ("x", "y", "width", "height")}
    return Image.open(io.BytesIO(page.screenshot(**options))).convert("RGB")


def count_pixels(image: Image.Image, test: Callable[[tuple[int, int, int]], bool]) -> int:
    """How many pixels of ``image`` pass ``test``."""
    data = image.convert("RGB").tobytes()
    return sum(1 for pixel in zip(data[0::3], data[1::3], data[2::3], strict=True) if test(pixel))
