"""Answers that last until local midnight: built once per day, compressed once, cached by CDNs, revalidated by ETag.

Every answer of the service depends only on the request's parameters and the local date, so
each variant is built at most once per local day per process and kept in a cache that is
emptied when the date changes and bounded in bytes (least recently used first out), so no
stream of distinct URLs can grow it. An answer carries its compressed forms (``encodings``),
made when it is built; a request only picks one.

The answer helpers every blueprint shares live here too (JSON documents, error badges), so no
blueprint imports another.
"""

import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import Any

from flask import Response, request
from werkzeug.datastructures import Headers
from werkzeug.http import parse_etags, remove_entity_headers

from widget.render.badge import STYLES, Style, render_badge_svg
from widget.render.counter_badge import error_badge
from widget.render.palette import THEMES, Theme
from widget.render.png import PngUnavailableError, badge_to_png
from widget.web.encodings import CODINGS, IDENTITY, choose, compress, is_compressible, preference
from widget.web.params import ParameterError
from widget.web.paths import PathForm

ERROR_MAX_AGE = 300
"""Errors are cached briefly, so a fixed URL shows its badge soon after the fix."""

SVG_TYPE = "image/svg+xml; charset=utf-8"
PNG_TYPE = "image/png"
JSON_TYPE = "application/json"
SVG_POLICY = "default-src 'none'"
"""An SVG opened on its own is a document: it may never run script or load anything."""
SVG_HEADERS = (("Content-Security-Policy", SVG_POLICY),)

JSON_MARKUP_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"}
"""Characters written as JSON escapes: a JSON body that echoes a value can never be read as markup
(a browser sniffing it, a page inlining it in a ``<script>``), and parses to the same strings."""

REUSABLE = "voipdown.reusable"
"""WSGI environ key: set (to a ``Reuse``) on answers that stay the same, headers and all, for a while.

The fast path (``widget.web.fast_path``) serves such answers again without running the app.
"""

DAILY_CACHE_BYTES = 16 * 1024 * 1024
"""The most a process keeps of built answers (bodies and their compressed forms)."""
ENTRY_OVERHEAD_BYTES = 512
"""What a kept entry costs besides its bodies (key, headers, bookkeeping), counted against the bound."""

VariantOf = Callable[[dict[str, Any]], Hashable]
"""From a request's WSGI environ, the normalised variant it asks for: equal for requests the app
answers identically (``lang=AR`` and ``lang=ar``, ``?utm_source=x`` or not)."""


@dataclass(frozen=True)
class Reuse:
    """When an answer may be replayed: from ``valid_from`` until ``until``, and to which requests.

    With ``counts_down``, ``Cache-Control`` is recomputed so ``max-age`` ends at ``until`` (but is
    never above ``longest``, when set); otherwise every header is replayed as it was.
    ``variant_of`` tells the requests to this path apart as the app does; without it, every
    request to the path gets the same answer (the script, a page asset). With ``paths``, it tells
    apart the requests to every path of that pattern.
    """

    valid_from: datetime
    until: datetime
    counts_down: bool
    shareable: bool = True
    """Whether the recomputed ``Cache-Control`` lets shared caches keep it (see ``cache_control``)."""
    longest: int | None = None
    variant_of: VariantOf | None = None
    form: PathForm | None = None
    """For a URL whose path names the variant (``widget.web.paths``): the form of every path ``variant_of``
    reads; without it, the answer is for its own path only."""


RELEASE_LONG = Reuse(datetime.min.replace(tzinfo=UTC), datetime.max.replace(tzinfo=UTC), counts_down=False)
"""For answers whose bytes and headers change only with a release (the script, the page's assets)."""


def mark_reusable(reuse: Reuse) -> None:
    """Tell the fast path that the answer to the current request may be replayed as ``reuse`` says."""
    request.environ[REUSABLE] = reuse


def strong_etag(body: bytes) -> str:
    """A strong validator naming exactly these bytes."""
    return f'"{hashlib.blake2b(body, digest_size=12).hexdigest()}"'


@dataclass(frozen=True)
class Representation:
    """One form of an answer's body on the wire: as it is, or compressed in one coding."""

    coding: str
    body: bytes
    etag: str


@dataclass(frozen=True)
class Answer:
    """A response body with its type, its compressed forms and their strong validators, ready to be sent many times."""

    body: bytes
    content_type: str
    status: int = 200
    headers: tuple[tuple[str, str], ...] = ()
    shareable: bool = True
    """False for an answer that carries something from the request (a host name): no shared cache may keep it."""
    forms: dict[str, Representation] = field(init=False, repr=False, compare=False)
    """The body in each coding a client may ask for, ``identity`` included, each with its own ``ETag``."""

    def __post_init__(self) -> None:
        forms = {IDENTITY: Representation(IDENTITY, self.body, strong_etag(self.body))}
        if is_compressible(self.content_type):
            for coding in CODINGS:
                compressed = compress(self.body, coding, self.shareable)
                if len(compressed) < len(self.body):  # a tiny body can grow: then it goes as it is
                    forms[coding] = Representation(coding, compressed, strong_etag(compressed))
            varied = [value for name, value in self.headers if name.lower() == "vary"]
            others = tuple((name, value) for name, value in self.headers if name.lower() != "vary")
            object.__setattr__(self, "headers", (*others, ("Vary", ", ".join([*varied, "Accept-Encoding"]))))
        object.__setattr__(self, "forms", forms)

    @property
    def etag(self) -> str:
        """The validator of the uncompressed body."""
        return self.forms[IDENTITY].etag

    @property
    def size(self) -> int:
        """Bytes this answer holds, as counted against a cache's bound."""
        return sum(len(form.body) for form in self.forms.values()) + ENTRY_OVERHEAD_BYTES

    def form_for(self, accept_encoding: str | None) -> Representation:
        """The form to send to a client with this ``Accept-Encoding``."""
        return self.forms[choose(preference(accept_encoding), self.forms)]


@dataclass(frozen=True)
class Refusal:
    """Why a request gets an error answer instead of what it asked for, and how an error badge looks.

    Its text never quotes the request: it is fixed per parameter and problem, so refusals are a
    few dozen variants that can be built once and kept, whatever junk is sent.
    """

    status: int
    problem: str
    """A few words, short enough to draw on an error badge."""
    message: str
    """The whole explanation: an error badge's accessible title, a JSON error's message."""
    parameter: str | None = None
    """The query parameter at fault, when it is one the URL takes."""
    style: Style = "flat"
    theme: Theme = "light"

    @classmethod
    def bad_parameter(cls, error: ParameterError, args: Mapping[str, str]) -> "Refusal":
        """A ``400`` (the query cannot be used) or ``404`` (the path names nothing), as ``error`` says.

        Drawn in the style and theme ``args`` (the query, or the path's segments) ask for, where those are valid.
        """
        return cls(error.status, error.problem, str(error), error.parameter, *_look(args))

    @classmethod
    def png_unavailable(cls, error: PngUnavailableError, args: Mapping[str, str]) -> "Refusal":
        """A ``503``: this server cannot paint PNGs (cairo is missing); another request may succeed later."""
        return cls(503, "PNG unavailable", f"PNG images are unavailable on this server: {error}", None, *_look(args))


def _look(args: Mapping[str, str]) -> tuple[Style, Theme]:
    style = args.get("style", "").strip().lower()
    theme = args.get("theme", "").strip().lower()
    return (
        next((known for known in STYLES if known == style), "flat"),
        next((known for known in THEMES if known == theme), "light"),
    )


def json_bytes(document: object) -> bytes:
    """``document`` as compact UTF-8 JSON: Arabic and Tifinagh stay readable, ``<``, ``>``, ``&`` are escaped."""
    text = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
    for character, escape in JSON_MARKUP_ESCAPES.items():
        text = text.replace(character, escape)
    return text.encode("utf-8")


def json_answer(document: object, status: int = 200) -> Answer:
    """``document`` as a JSON answer."""
    return Answer(json_bytes(document), JSON_TYPE, status)


def json_refusal(refusal: Refusal) -> Answer:
    """A refused request on a URL that answers JSON: ``{"error": {"status", "parameter", "message"}}``.

    ``parameter`` names the parameter at fault (in the query, or the path segment of that name),
    or is ``null`` for one the URL does not take; a ``503`` has none.
    """
    details: dict[str, object] = {"status": refusal.status}
    if refusal.status < 500:
        details["parameter"] = refusal.parameter
    details["message"] = refusal.message
    return json_answer({"error": details}, refusal.status)


def svg_refusal(refusal: Refusal) -> Answer:
    """An error badge, as SVG: a blogger who pasted a wrong URL sees what is wrong in place of the badge."""
    badge = error_badge(refusal.problem, refusal.message, refusal.style, refusal.theme)
    return Answer(render_badge_svg(badge).encode(), SVG_TYPE, refusal.status, SVG_HEADERS)


def plain_svg_refusal(refusal: Refusal) -> Answer:
    """An error badge, flat and light whatever the URL asked: for URLs whose ``theme`` is not a badge's."""
    return svg_refusal(replace(refusal, style="flat", theme="light"))


def png_refusal(refusal: Refusal) -> Answer:
    """An error badge as PNG where cairo works, else as SVG (an image either way)."""
    badge = error_badge(refusal.problem, refusal.message, refusal.style, refusal.theme)
    try:
        return Answer(badge_to_png(badge), PNG_TYPE, refusal.status)
    except PngUnavailableError:
        return svg_refusal(refusal)


class DailyCache:
    """Answers for the current local date, emptied when a request arrives on a new date, bounded in bytes.

    Threads asking for the same missing answer at once wait for one of them to build it, so a
    variant is rendered once per day per process even in the rush after midnight. Past
    ``max_bytes``, the answers used least recently are dropped (and built again if asked again).
    """

    def __init__(self, max_bytes: int = DAILY_CACHE_BYTES) -> None:
        self._day: date | None = None
        self._answers: OrderedDict[Hashable, Answer] = OrderedDict()
        self._building: dict[Hashable, threading.Lock] = {}
        self._bytes = 0
        self.max_bytes = max_bytes
        self._lock = threading.Lock()

    def get_or_build(self, day: date, key: Hashable, build: Callable[[], Answer]) -> Answer:
        """The answer for ``key`` on ``day``, built by ``build`` the first time it is asked (or after eviction)."""
        with self._lock:
            if day != self._day:
                self._day = day
                self._answers = OrderedDict()
                self._building = {}
                self._bytes = 0
            found = self._answers.get(key)
            if found is not None:
                self._answers.move_to_end(key)
                return found
            key_lock = self._building.setdefault(key, threading.Lock())
        with key_lock:
            with self._lock:
                found = self._answers.get(key)
            if found is not None:
                return found
            answer = build()
            with self._lock:
                if day == self._day and key not in self._answers:
                    self._keep(key, answer)
                self._building.pop(key, None)
        return answer

    def _keep(self, key: Hashable, answer: Answer) -> None:
        self._answers[key] = answer
        self._bytes += answer.size
        while self._bytes > self.max_bytes and len(self._answers) > 1:
            _, dropped = self._answers.popitem(last=False)
            self._bytes -= dropped.size

    @property
    def bytes(self) -> int:
        """Bytes held, as counted against ``max_bytes``."""
        return self._bytes

    def __len__(self) -> int:
        return len(self._answers)


SHARED_CACHE_MARGIN = 1
"""Seconds a shared cache's lifetime is cut short by: a cache such as nginx stores an entry's expiry
as its own current whole second plus ``s-maxage``, so an answer whose seconds were counted just
before a second boundary would otherwise live into the first second after midnight (the
deployment tests saw it in half their runs)."""


def cache_control(max_age: int, shareable: bool = True) -> str:
    """Caching for ``max_age`` seconds by browsers, and by shared caches (CDNs) a second less, or by browsers only."""
    if not shareable:
        return f"private, max-age={max_age}"
    return f"public, max-age={max_age}, s-maxage={max(0, max_age - SHARED_CACHE_MARGIN)}"


def client_has(if_none_match: str | None, etag: str) -> bool:
    """Whether an ``If-None-Match`` header names ``etag`` (weak comparison, as RFC 9110 asks)."""
    return bool(if_none_match) and parse_etags(if_none_match).contains_weak(etag.strip('"'))


def not_modified_headers(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The headers of a 304 answering a response with ``headers``: the same, less the entity ones."""
    kept = list(headers)
    remove_entity_headers(kept)
    return kept


def respond(answer: Answer, cache_control_value: str) -> Response:
    """``answer`` in the coding the client accepts best, with that form's validator, or 304 if it has it.

    Only a successful answer is ever confirmed with a 304: an error must reach the client whole.
    """
    form = answer.form_for(request.headers.get("Accept-Encoding"))
    headers = Headers(answer.headers)
    headers["Content-Type"] = answer.content_type
    headers["Cache-Control"] = cache_control_value
    headers["ETag"] = form.etag
    if form.coding != IDENTITY:
        headers["Content-Encoding"] = form.coding
    if answer.status == 200 and client_has(request.headers.get("If-None-Match"), form.etag):
        not_modified = not_modified_headers(headers.to_wsgi_list())
        return Response(status=304, headers=not_modified, content_type=answer.content_type)
    return Response(form.body, status=answer.status, headers=headers)


def send(answer: Answer, max_age: int, reuse: Reuse | None = None) -> Response:
    """``answer`` cached for ``max_age`` seconds (errors at most ``ERROR_MAX_AGE``), or 304.

    ``reuse`` says when the fast path may replay it.
    """
    if answer.status >= 400:
        max_age = min(max_age, ERROR_MAX_AGE)
    if reuse is not None:
        mark_reusable(reuse)
    return respond(answer, cache_control(max_age, answer.shareable))
