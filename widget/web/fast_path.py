"""The fast path: answers that stay the same all day, replayed without running Flask.

The counter changes once a day, so the service's answers do too. The first time a URL is
asked, the app builds the response as usual and marks it reusable for the local day (or, for
the embed script, for the release: ``REUSABLE``); this WSGI middleware keeps the status,
headers and body it sent and replays them for the same request, recomputing only
``Cache-Control``'s seconds where they count down to midnight. ``304``
answers use the same rules as the app (``client_has``, ``not_modified_headers``). Anything
unusual (another method, a Range or If-Match header, a miss) goes to the app untouched.
"""

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from widget.counting import Clock
from widget.web.responses import REUSABLE, Reuse, cache_control, client_has, not_modified_headers

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

KEY_ENVIRON = ("PATH_INFO", "QUERY_STRING", "HTTP_HOST", "HTTP_X_FORWARDED_HOST", "HTTP_X_FORWARDED_PROTO")
"""Everything in a request that an answer can depend on, besides the headers it says it varies on."""

UNREPLAYABLE = ("HTTP_RANGE", "HTTP_IF_MATCH", "HTTP_IF_MODIFIED_SINCE", "HTTP_IF_UNMODIFIED_SINCE", "HTTP_IF_RANGE")
"""Request headers whose semantics the fast path does not reproduce: such requests go to the app."""


@dataclass(frozen=True)
class _Kept:
    status: str
    headers: list[tuple[str, str]]
    body: bytes
    etag: str
    reuse: Reuse


class DailyResponseCache:
    """WSGI middleware replaying reusable answers until they expire, with bounded memory."""

    def __init__(self, app: WsgiApp, clock: Clock, max_entries: int = 2048) -> None:
        self.app = app
        self.clock = clock
        self.max_entries = max_entries
        self._kept: dict[tuple[str | None, ...], _Kept] = {}
        self._vary: dict[str, tuple[str, ...]] = {}
        self._lock = threading.Lock()

    def _key(self, environ: dict[str, Any]) -> tuple[str | None, ...]:
        varied = self._vary.get(environ.get("PATH_INFO", ""), ())
        return tuple(environ.get(name) for name in KEY_ENVIRON) + tuple(environ.get(name) for name in varied)

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD")
        if method not in ("GET", "HEAD") or any(name in environ for name in UNREPLAYABLE):
            return self.app(environ, start_response)
        key = self._key(environ)
        kept = self._kept.get(key)
        if kept is not None:
            now = self.clock()
            if kept.reuse.valid_from <= now < kept.reuse.until:
                return self._replay(kept, now, environ, start_response)
            with self._lock:
                self._kept = {}
        return self._run_and_keep(key, environ, start_response)

    def _replay(
        self, kept: _Kept, now: datetime, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        headers = kept.headers
        if kept.reuse.counts_down:
            max_age = int((kept.reuse.until - now).total_seconds())
            headers = [(name, cache_control(max_age) if name == "Cache-Control" else value) for name, value in headers]
        if client_has(environ.get("HTTP_IF_NONE_MATCH"), kept.etag):
            start_response("304 NOT MODIFIED", not_modified_headers(headers))
            return []
        start_response(kept.status, headers)
        return [] if environ["REQUEST_METHOD"] == "HEAD" else [kept.body]

    def _run_and_keep(
        self, key: tuple[str | None, ...], environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        sent: list[Any] = []

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            sent[:] = [status, headers]
            return start_response(status, headers, exc_info)

        result = self.app(environ, capture)
        reuse = environ.get(REUSABLE)
        if reuse is None or environ["REQUEST_METHOD"] != "GET" or "HTTP_IF_NONE_MATCH" in environ:
            return result
        try:
            body = b"".join(result)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()
        status, headers = sent
        header_map = {name.lower(): value for name, value in headers}
        if status.startswith("200") and "etag" in header_map:
            self._keep(key, environ, _Kept(status, list(headers), body, header_map["etag"], reuse), header_map)
        return [body]

    def _keep(
        self, key: tuple[str | None, ...], environ: dict[str, Any], kept: _Kept, header_map: dict[str, str]
    ) -> None:
        path = environ.get("PATH_INFO", "")
        varied = tuple(
            "HTTP_" + name.strip().upper().replace("-", "_")
            for name in header_map.get("vary", "").split(",")
            if name.strip()
        )
        with self._lock:
            if varied != self._vary.get(path, ()):
                self._vary[path] = varied
                key = self._key(environ)
            if len(self._kept) < self.max_entries:
                self._kept[key] = kept
