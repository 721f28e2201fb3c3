"""Helpers shared by the hardening tests: routes found at test time, body checks, raw HTTP, figures.

Routes are read from the application's ``url_map`` when a test runs, so a route added later is
covered by every hardening test without editing them.
"""

import http.client
import io
import json
import re
import socket
import tempfile
import threading
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask
from PIL import Image
from werkzeug.test import EnvironBuilder

from tests.conftest import SettableClock, make_settings
from widget.web import create_app

FIGURES_FILE = Path(tempfile.gettempdir()) / "voipdown-hardening-figures.txt"
FIGURES: Counter[str] = Counter()
_FIGURES_LOCK = threading.Lock()

NOON = datetime(2026, 11, 27, 12, tzinfo=UTC)
"""The instant the in-process apps stand at (noon in Casablanca, UTC+0 that day)."""

MAX_BODY_BYTES = 1_000_000
"""No answer, however hostile the request, is allowed to be bigger than this."""

IGNORING_ROUTE_PARAMETERS = ("lang", "utm_source")

OTHER_METHODS = ("POST", "PUT", "DELETE", "PATCH")

SVG_NAMESPACE = "{http://www.w3.org/2000/svg}"
VOID_ELEMENTS = frozenset(
    "area base br col embed hr img input link meta param source track wbr".split()  # noqa: SIM905
)


def record(name: str, value: int) -> None:
    """Add ``value`` to the figure ``name`` and append the line to the figures file."""
    with _FIGURES_LOCK:
        FIGURES[name] += value
        with FIGURES_FILE.open("a", encoding="utf-8") as figures_file:
            figures_file.write(f"{name}: +{value} (total {FIGURES[name]})\n")


def hardened_app(**overrides: str) -> Flask:
    """The application as a maintainer would configure it, standing at ``NOON``."""
    return create_app(make_settings(**overrides), SettableClock(NOON))


@dataclass(frozen=True)
class Route:
    """One rule of the URL map, with a concrete path to request."""

    rule: str
    path: str
    methods: frozenset[str]
    has_arguments: bool


def app_routes(app: Flask) -> list[Route]:
    """Every rule of ``app``; rules with converters get a sample path with ``x`` in each slot."""
    found = []
    for rule in app.url_map.iter_rules():
        path = re.sub(r"<[^>]+>", "x", rule.rule)
        found.append(Route(rule.rule, path, frozenset(rule.methods or ()), bool(rule.arguments)))
    return sorted(found, key=lambda route: route.path)


def plain_paths(app: Flask) -> list[str]:
    """The paths of rules without converters: the service's own URLs."""
    return [route.path for route in app_routes(app) if not route.has_arguments]


def discovered_parameters(app: Flask, path: str) -> tuple[str, ...]:
    """The parameters ``path`` accepts, read from its "unknown parameter" error.

    A route that ignores unknown parameters (the page ignores ``fbclid``...) names none: it gets
    ``lang`` and one parameter it is documented to ignore.
    """
    response = app.test_client().get(path, query_string={"zz-unknown": "1"})
    text = response.get_data().decode("utf-8", "replace")
    match = re.search(r"parameters here: ([A-Za-z0-9_, -]+)", text)
    if not match:
        return IGNORING_ROUTE_PARAMETERS
    names = [name.strip() for name in match.group(1).split(",")]
    return tuple(name for name in names if name and name != "none")


def media_type(content_type: str | None) -> str:
    return (content_type or "").split(";")[0].strip().lower()


class _StrictishHTML(HTMLParser):
    """Collects the element structure and complains about end tags that close nothing."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.structure: list[tuple[str, tuple[str, ...]]] = []
        self.attributes: list[tuple[str, str, str]] = []
        self.stray_end_tags: list[str] = []
        self.doctype = False
        self.text: list[str] = []
        self.script_text: list[str] = []

    def handle_decl(self, decl: str) -> None:
        self.doctype = self.doctype or decl.lower().startswith("doctype html")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.structure.append((tag, tuple(sorted(name for name, _ in attrs))))
        self.attributes.extend((tag, name, value or "") for name, value in attrs)
        if tag not in VOID_ELEMENTS:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.structure.append((tag, tuple(sorted(name for name, _ in attrs))))
        self.attributes.extend((tag, name, value or "") for name, value in attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.stack:
            while self.stack and self.stack.pop() != tag:
                pass
        elif tag not in VOID_ELEMENTS:
            self.stray_end_tags.append(tag)

    def handle_data(self, data: str) -> None:
        if self.stack and self.stack[-1] in ("script", "style"):
            self.script_text.append(data)
        else:
            self.text.append(data)


def parse_html(body: bytes) -> _StrictishHTML:
    """Parse an HTML document; fails on a missing doctype or an end tag that closes nothing."""
    parser = _StrictishHTML()
    parser.feed(body.decode("utf-8"))
    parser.close()
    assert parser.doctype, "HTML answer without <!doctype html>"
    assert not parser.stray_end_tags, f"HTML end tags that close nothing: {parser.stray_end_tags}"
    assert parser.structure, "HTML answer without elements"
    return parser


def parse_svg(body: bytes) -> ET.Element:
    root = ET.fromstring(body)
    assert root.tag == f"{SVG_NAMESPACE}svg", root.tag
    return root


def check_png(body: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(body)) as image:
        assert image.format == "PNG"
        image.verify()
    with Image.open(io.BytesIO(body)) as image:
        image.load()
        return image.size


JsChecker = Callable[[str], None]


def check_body(content_type: str | None, body: bytes, check_js: JsChecker | None = None) -> str:
    """Assert ``body`` is a well-formed document of the advertised type; return the media type."""
    kind = media_type(content_type)
    assert len(body) <= MAX_BODY_BYTES, f"{len(body)} bytes of {kind}"
    if not body:
        return kind
    if kind == "image/svg+xml":
        parse_svg(body)
    elif kind == "image/png":
        check_png(body)
    elif kind == "application/json":
        json.loads(body.decode("utf-8"))
    elif kind == "text/html":
        parse_html(body)
    elif kind in ("text/javascript", "application/javascript"):
        text = body.decode("utf-8")
        if check_js is not None:
            check_js(text)
    elif kind == "text/plain":
        body.decode("utf-8")
    else:
        raise AssertionError(f"unexpected content type {content_type!r} ({len(body)} bytes)")
    return kind


def js_checker(browser: object) -> tuple[JsChecker, Callable[[], None]]:
    """A function that asserts JavaScript source compiles in Chromium (memoised), and a closer."""
    page = browser.new_page()  # type: ignore[attr-defined]
    seen: dict[str, str | None] = {}

    def check(source: str) -> None:
        if source not in seen:
            seen[source] = page.evaluate(
                "source => { try { new Function(source); return null } catch (e) { return String(e) } }", source
            )
        assert seen[source] is None, f"JavaScript does not compile: {seen[source]}"

    return check, page.close


def wsgi_call(app: Flask, method: str, path: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
    """Call the WSGI application directly (no test client): a ``Host`` header is passed as sent.

    The Flask test client parses ``Host`` itself (and raises on ``localhost:99999``), so hostile
    hosts go through this instead.
    """
    environ = EnvironBuilder(path=path, method=method).get_environ()
    for name, value in headers.items():
        environ["HTTP_" + name.upper().replace("-", "_")] = value
    started: dict[str, object] = {}

    def start_response(status: str, response_headers: list[tuple[str, str]], exc_info: object = None) -> None:
        started["status"], started["headers"] = status, response_headers

    chunks = app(environ, start_response)
    try:
        body = b"".join(chunks)
    finally:
        if hasattr(chunks, "close"):
            chunks.close()
    status = int(str(started["status"]).split()[0])
    return status, dict(started["headers"]), body  # type: ignore[call-overload]


@dataclass
class RawResponse:
    status: int
    headers: http.client.HTTPMessage
    body: bytes


def raw_request(
    base_url: str, method: str, target: bytes, headers: Iterable[tuple[bytes, bytes]] = (), timeout: float = 10.0
) -> RawResponse:
    """Send a request line exactly as given (no client-side validation) and read the answer."""
    parts = urlsplit(base_url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    headers = list(headers)
    lines = [method.encode("ascii") + b" " + target + b" HTTP/1.1"]
    if not any(name.lower() == b"host" for name, _ in headers):
        lines.append(f"Host: {host}:{port}".encode())
    lines += [name + b": " + value for name, value in headers]
    lines += [b"Connection: close", b"", b""]
    with socket.create_connection((host, port), timeout=timeout) as connection:
        connection.sendall(b"\r\n".join(lines))
        response = http.client.HTTPResponse(connection, method=method)
        response.begin()
        body = response.read()
        return RawResponse(response.status, response.headers, body)
