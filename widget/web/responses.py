"""Answers that last until local midnight: built once per day, cached by CDNs, revalidated by ETag.

Every answer of the service depends only on the request's parameters and the local date, so
each variant is built at most once per local day per process and kept in a cache that is
emptied when the date changes: memory stays bounded by the number of variants.
"""

import hashlib
import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from datetime import date, datetime

from flask import Response, request
from werkzeug.datastructures import Headers
from werkzeug.http import parse_etags, remove_entity_headers

from widget.counting import CounterState

ERROR_MAX_AGE = 300
"""Errors are cached briefly, so a fixed URL shows its badge soon after the fix."""

REUSABLE = "voipdown.reusable"
"""WSGI environ key: set (to a ``Reuse``) on answers that stay the same, headers and all, for a while.

The fast path (``widget.web.fast_path``) serves such answers again without running the app.
"""


@dataclass(frozen=True)
class Reuse:
    """When an answer may be replayed: from ``valid_from`` until ``until``.

    With ``counts_down``, ``Cache-Control`` is recomputed so ``max-age`` ends at ``until``;
    otherwise every header is replayed as it was.
    """

    valid_from: datetime
    until: datetime
    counts_down: bool


def mark_reusable(reuse: Reuse) -> None:
    """Tell the fast path that the answer to the current request may be replayed as ``reuse`` says."""
    request.environ[REUSABLE] = reuse


@dataclass(frozen=True)
class Answer:
    """A response body with its type and strong validator, ready to be sent many times."""

    body: bytes
    content_type: str
    status: int = 200
    headers: tuple[tuple[str, str], ...] = ()
    etag: str = field(init=False)

    def __post_init__(self) -> None:
        digest = hashlib.blake2b(self.body, digest_size=12).hexdigest()
        object.__setattr__(self, "etag", f'"{digest}"')


class DailyCache:
    """Answers for the current local date, emptied whenever a request arrives on a new date.

    Threads asking for the same missing answer at once wait for one of them to build it, so a
    variant is rendered once per day per process even in the rush after midnight.
    """

    def __init__(self, max_entries: int = 4096) -> None:
        self._day: date | None = None
        self._answers: dict[Hashable, Answer] = {}
        self._building: dict[Hashable, threading.Lock] = {}
        self._max_entries = max_entries
        self._lock = threading.Lock()

    def get_or_build(self, day: date, key: Hashable, build: Callable[[], Answer]) -> Answer:
        """The answer for ``key`` on ``day``, built by ``build`` the first time it is asked."""
        with self._lock:
            if day != self._day:
                self._day = day
                self._answers = {}
                self._building = {}
            found = self._answers.get(key)
            if found is not None:
                return found
            key_lock = self._building.setdefault(key, threading.Lock())
        with key_lock:
            found = self._answers.get(key)
            if found is not None:
                return found
            answer = build()
            with self._lock:
                if day == self._day and len(self._answers) < self._max_entries:
                    self._answers[key] = answer
                self._building.pop(key, None)
        return answer

    def __len__(self) -> int:
        return len(self._answers)


def cache_control(max_age: int) -> str:
    """Public caching for ``max_age`` seconds, by browsers and by shared caches (CDNs) alike."""
    return f"public, max-age={max_age}, s-maxage={max_age}"


def client_has(if_none_match: str | None, etag: str) -> bool:
    """Whether an ``If-None-Match`` header names ``etag`` (weak comparison, as RFC 9110 asks)."""
    return bool(if_none_match) and parse_etags(if_none_match).contains_weak(etag.strip('"'))


def not_modified_headers(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The headers of a 304 answering a response with ``headers``: the same, less the entity ones."""
    kept = list(headers)
    remove_entity_headers(kept)
    return kept


def respond(answer: Answer, cache_control_value: str) -> Response:
    """``answer`` with its validator and ``cache_control_value``, or 304 if the client already has it."""
    headers = Headers(answer.headers)
    headers["Content-Type"] = answer.content_type
    headers["Cache-Control"] = cache_control_value
    headers["ETag"] = answer.etag
    if answer.status == 200 and client_has(request.headers.get("If-None-Match"), answer.etag):
        not_modified = not_modified_headers(headers.to_wsgi_list())
        return Response(status=304, headers=not_modified, content_type=answer.content_type)
    return Response(answer.body, status=answer.status, headers=headers)


def send(answer: Answer, max_age: int, reusable_on: CounterState | None = None) -> Response:
    """``answer`` cached for ``max_age`` seconds (errors at most ``ERROR_MAX_AGE``), or 304.

    ``reusable_on`` marks a successful answer the fast path may replay all that state's local day.
    """
    if answer.status >= 400:
        max_age = min(max_age, ERROR_MAX_AGE)
    if answer.status == 200 and reusable_on is not None:
        mark_reusable(Reuse(reusable_on.day_start, reusable_on.next_change, counts_down=True))
    return respond(answer, cache_control(max_age))
