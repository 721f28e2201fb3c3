"""The fast path: answers that stay the same all day, replayed without running Flask.

The counter changes once a day, so the service's answers do too. The first time a path is
asked, the app builds the response as usual and marks it reusable (``REUSABLE``): for how long,
and how to tell its requests apart (``Reuse.variant_of``, the same reading of the query and of
the headers it varies on that the app's own cache uses). This WSGI middleware keeps the status,
headers and body it sent under the *normalised* variant and the content coding the request
accepts, and replays them to every request that reads the same, recomputing only
``Cache-Control``'s seconds where they count down. So ``lang=AR``, ``lang=ar`` and
``lang=ar&utm_source=x`` share one entry, a ``Host`` header makes no entry of its own unless the
answer carries a URL taken from it, and junk values all land on the few fixed error answers.

Entries are bounded in bytes and the least recently used go first, so no stream of requests can
grow memory or push the day's real answers out for long. ``304`` answers use the same rules as
the app (``client_has``, ``not_modified_headers``), and only ever confirm a success. Anything
unusual (another method, a Range or If-Match header, a path not yet seen) goes to the app
untouched. A path marked reusable without ``variant_of`` must answer every request alike (the
embed script and the page's assets ignore their query).

A URL whose path names its variant (``/badge/fr/flat/light.svg``, see ``widget.web.paths``) is
marked with its path form: every path of the form is then read by the same ``variant_of`` and
kept under the form's template, not the path, so a stream of distinct bad paths lands on the few
fixed refusals like a stream of bad query values does, and the paths remembered stay as few as
the routes. A path is tested against a form's literal prefix before its pattern, so a request
pays for one or two regular expressions, not one per form.
"""

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from widget.counting import Clock
from widget.web.encodings import preference
from widget.web.paths import PathForm
from widget.web.responses import (
    ENTRY_OVERHEAD_BYTES,
    REUSABLE,
    Reuse,
    VariantOf,
    cache_control,
    client_has,
    not_modified_headers,
)

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

FAST_PATH_BYTES = 16 * 1024 * 1024
"""The most the fast path keeps of replayable responses, headers and bodies."""

UNREPLAYABLE = ("HTTP_RANGE", "HTTP_IF_MATCH", "HTTP_IF_MODIFIED_SINCE", "HTTP_IF_UNMODIFIED_SINCE", "HTTP_IF_RANGE")
"""Request headers whose semantics the fast path does not reproduce: such requests go to the app."""
READ_ENVIRON = (
    "QUERY_STRING",
    "HTTP_ACCEPT_LANGUAGE",
    "HTTP_HOST",
    "wsgi.url_scheme",
    "SCRIPT_NAME",
    "SERVER_NAME",
    "SERVER_PORT",
)
"""Everything a ``DailyEndpoint.read`` may look at: the query, ``Accept-Language``, and what the
request's root URL is made of (``widget.web.public``). Reading a request costs tens of
microseconds, a replay a few, so each reading is remembered under these values."""
READINGS = 4096
"""How many readings are remembered (least recently used first out): a stream of distinct junk
only makes the fast path read again, never grow."""
READING_MAX_CHARACTERS = 512
"""Readings of longer requests (the query, language and host together) are not remembered: real
ones are far shorter, and the bound on memory stays a few megabytes whatever the junk."""


@dataclass(frozen=True)
class _Kept:
    status: str
    headers: list[tuple[str, str]]
    body: bytes
    etag: str | None
    reuse: Reuse
    control_index: int | None = field(init=False)
    """Where ``Cache-Control`` stands in ``headers``, to rewrite it in place on replay."""
    size: int = field(init=False)
    """Bytes counted against the bound: body, headers, bookkeeping."""

    def __post_init__(self) -> None:
        control = next((index for index, (name, _) in enumerate(self.headers) if name == "Cache-Control"), None)
        object.__setattr__(self, "control_index", control)
        headers_size = sum(len(name) + len(value) for name, value in self.headers)
        object.__setattr__(self, "size", len(self.body) + headers_size + ENTRY_OVERHEAD_BYTES)


class DailyResponseCache:
    """WSGI middleware replaying reusable answers until they expire, keyed by variant, bounded in bytes."""

    def __init__(self, app: WsgiApp, clock: Clock, max_bytes: int = FAST_PATH_BYTES) -> None:
        self.app = app
        self.clock = clock
        self.max_bytes = max_bytes
        self._kept: OrderedDict[Hashable, _Kept] = OrderedDict()
        self._readers: dict[str, VariantOf | None] = {}
        self._forms: dict[str, tuple[PathForm, VariantOf | None]] = {}
        self._readings: OrderedDict[tuple[Any, ...], Hashable] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def _reader(self, path: str) -> tuple[str, VariantOf | None] | None:
        """Under what a path's answers are kept (the path, or its pattern) and how its requests are read;
        ``None`` for a path not seen yet."""
        if path in self._readers:
            return path, self._readers[path]
        for scope, (form, reader) in self._forms.items():
            if form.matches(path):  # a string prefix first: most forms are passed over without a regex
                return scope, reader
        return None

    def _key(self, scope: str, path: str, reader: VariantOf | None, environ: dict[str, Any]) -> Hashable:
        return (scope, self._variant(path, reader, environ), preference(environ.get("HTTP_ACCEPT_ENCODING")))

    def _variant(self, path: str, reader: VariantOf | None, environ: dict[str, Any]) -> Hashable:
        """The normalised variant the request asks for, read once per distinct query, language and root."""
        if reader is None:
            return None
        signature = (path, *(environ.get(name) for name in READ_ENVIRON))
        variant = self._readings.get(signature)
        if variant is None:
            variant = reader(environ)
            if sum(len(str(value)) for value in signature) > READING_MAX_CHARACTERS:
                return variant
            with self._lock:
                self._readings[signature] = variant
                if len(self._readings) > READINGS:
                    self._readings.popitem(last=False)
        return variant

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD")
        if method not in ("GET", "HEAD") or any(name in environ for name in UNREPLAYABLE):
            return self.app(environ, start_response)
        path = environ.get("PATH_INFO", "")
        known = self._reader(path)
        if known is None:
            return self._run_and_keep(path, environ, start_response)
        scope, reader = known
        key = self._key(scope, path, reader, environ)
        kept = self._kept.get(key)
        if kept is not None:
            now = self.clock()
            if kept.reuse.valid_from <= now < kept.reuse.until:
                with self._lock:
                    if key in self._kept:
                        self._kept.move_to_end(key)
                return self._replay(kept, now, environ, start_response)
            self._drop(key)
        return self._run_and_keep(path, environ, start_response)

    def _replay(
        self, kept: _Kept, now: datetime, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        headers = kept.headers
        reuse = kept.reuse
        index = kept.control_index
        if reuse.counts_down and index is not None:
            max_age = int((reuse.until - now).total_seconds())
            if reuse.longest is not None:
                max_age = min(max_age, reuse.longest)
            headers = list(headers)
            headers[index] = ("Cache-Control", cache_control(max_age, reuse.shareable))
        if kept.etag is not None and client_has(environ.get("HTTP_IF_NONE_MATCH"), kept.etag):
            start_response("304 NOT MODIFIED", not_modified_headers(headers))
            return []
        start_response(kept.status, headers)
        return [] if environ["REQUEST_METHOD"] == "HEAD" else [kept.body]

    def _run_and_keep(self, path: str, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        sent: list[Any] = []

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            sent[:] = [status, headers]
            return start_response(status, headers, exc_info)

        result = self.app(environ, capture)
        reuse = environ.get(REUSABLE)
        if not isinstance(reuse, Reuse) or environ["REQUEST_METHOD"] != "GET" or "HTTP_IF_NONE_MATCH" in environ:
            return result
        try:
            body = b"".join(result)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()
        status, headers = sent
        if reuse.form is None:
            scope = path
            self._readers[path] = reuse.variant_of
        else:
            scope = reuse.form.template
            self._forms[scope] = (reuse.form, reuse.variant_of)
        key = self._key(scope, path, reuse.variant_of, environ)
        # Only a success is ever confirmed by a 304: an error is kept without a validator to match.
        etag = next((value for name, value in headers if name.lower() == "etag"), None)
        self._keep(key, _Kept(status, list(headers), body, etag if status.startswith("200") else None, reuse))
        return [body]

    def _keep(self, key: Hashable, kept: _Kept) -> None:
        with self._lock:
            previous = self._kept.pop(key, None)
            if previous is not None:
                self._bytes -= previous.size
            self._kept[key] = kept
            self._bytes += kept.size
            while self._bytes > self.max_bytes and len(self._kept) > 1:
                _, dropped = self._kept.popitem(last=False)
                self._bytes -= dropped.size

    def _drop(self, key: Hashable) -> None:
        with self._lock:
            dropped = self._kept.pop(key, None)
            if dropped is not None:
                self._bytes -= dropped.size

    @property
    def bytes(self) -> int:
        """Bytes held, as counted against ``max_bytes``."""
        return self._bytes

    def __len__(self) -> int:
        return len(self._kept)
