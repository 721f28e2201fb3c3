"""Plain static file servers in front of a published site, behaving like the hosts a maintainer would use.

- ``pages``: like GitHub Pages, which reads no configuration: every file with
  ``Access-Control-Allow-Origin: *`` and ``Cache-Control: max-age=600``, nothing else of ours.
- ``headers``: like Netlify or Cloudflare Pages: the headers the site's ``_headers`` file gives the
  path, read here with Cloudflare's documented matching (``*`` matches anything, ``/`` included;
  every matching rule applies), nothing else.

Both are Python's ``http.server`` serving the directory (``index.html`` for a folder, a redirect
from ``/fr`` to ``/fr/``, ``Last-Modified`` and ``304``), with the ``Date`` header read from a clock
the test can set: a browser reckons how long it may keep a copy (``_headers``' ``Expires``) from it,
so the host's clock must agree with the visitor's faked one.
"""

import contextlib
import functools
import re
import threading
from collections.abc import Iterator
from datetime import datetime
from email.utils import format_datetime
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

GITHUB_PAGES_HEADERS = (("Access-Control-Allow-Origin", "*"), ("Cache-Control", "max-age=600"))
"""What GitHub Pages sends with every file (besides type, length, dates and its own ETag)."""


def header_rules(text: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """The rules of a ``_headers`` file: (URL pattern, [(name, value)...]), in order."""
    rules: list[tuple[str, list[tuple[str, str]]]] = []
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not line[0].isspace():
            rules.append((line.strip(), []))
            continue
        name, colon, value = line.strip().partition(":")
        assert colon and rules, f"a header line outside a rule: {line!r}"
        rules[-1][1].append((name.strip(), value.strip()))
    return rules


def pattern_matches(pattern: str, path: str) -> bool:
    """Cloudflare Pages' matching: ``*`` is any run of characters, ``:name`` one segment, the rest literal."""
    pieces = [re.escape(piece) for piece in pattern.split("*")]
    regex = ".*".join(re.sub(r":\w+", "[^/]+", piece) for piece in pieces)
    return re.fullmatch(regex, path) is not None


def matching_rules(
    rules: list[tuple[str, list[tuple[str, str]]]], path: str
) -> list[tuple[str, list[tuple[str, str]]]]:
    return [(pattern, headers) for pattern, headers in rules if pattern_matches(pattern, path)]


class StaticHost:
    """A static file server on a loopback port, serving ``root`` as ``mode`` says, dated by ``now`` when set."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.mode = "pages"
        self.now: datetime | None = None
        self.url = ""
        self.requests: list[str] = []

    def headers_for(self, path: str) -> list[tuple[str, str]]:
        if self.mode == "pages":
            return list(GITHUB_PAGES_HEADERS)
        rules = header_rules((self.root / "_headers").read_text(encoding="utf-8"))
        return [header for _, headers in matching_rules(rules, path) for header in headers]


class _Handler(SimpleHTTPRequestHandler):
    host: StaticHost

    def end_headers(self) -> None:
        for name, value in self.host.headers_for(self.path.split("?")[0]):
            self.send_header(name, value)
        super().end_headers()

    def date_time_string(self, timestamp: float | None = None) -> str:
        if timestamp is None and self.host.now is not None:
            return format_datetime(self.host.now, usegmt=True)
        return super().date_time_string(timestamp)

    def send_head(self) -> Any:
        self.host.requests.append(self.path)
        return super().send_head()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextlib.contextmanager
def serving_site(host: StaticHost) -> Iterator[StaticHost]:
    """``host`` on a free loopback port in a daemon thread for the duration of the block."""
    handler = type("Handler", (_Handler,), {"host": host})
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(host.root)))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    host.url = f"http://127.0.0.1:{server.server_port}"
    try:
        yield host
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
