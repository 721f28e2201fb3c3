"""Answers that last until local midnight: built once per day, cached by CDNs, revalidated by ETag.

Every answer of the service depends only on the request's parameters and the local date, so
each variant is built at most once per local day per process and kept in a cache that is
emptied when the date changes: memory stays bounded by the number of variants.
"""

import hashlib
import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from datetime import date

from flask import Response, request

ERROR_MAX_AGE = 300
"""Errors are cached briefly, so a fixed URL shows its badge soon after the fix."""


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
        object.__setattr__(self, "etag", digest)


class DailyCache:
    """Answers for the current local date, emptied whenever a request arrives on a new date."""

    def __init__(self, max_entries: int = 4096) -> None:
        self._day: date | None = None
        self._answers: dict[Hashable, Answer] = {}
        self._max_entries = max_entries
        self._lock = threading.Lock()

    def get_or_build(self, day: date, key: Hashable, build: Callable[[], Answer]) -> Answer:
        """The answer for ``key`` on ``day``, built by ``build`` the first time it is asked."""
        with self._lock:
            if day != self._day:
                self._day = day
                self._answers = {}
            found = self._answers.get(key)
        if found is not None:
            return found
        answer = build()
        with self._lock:
            if day == self._day and len(self._answers) < self._max_entries:
                self._answers.setdefault(key, answer)
        return answer

    def __len__(self) -> int:
        return len(self._answers)


def send(answer: Answer, max_age: int) -> Response:
    """``answer`` with caching headers valid for ``max_age`` seconds, or 304 if the client has it."""
    if answer.status >= 400:
        max_age = min(max_age, ERROR_MAX_AGE)
    response = Response(answer.body, status=answer.status, content_type=answer.content_type)
    response.headers.extend(answer.headers)
    response.headers["Cache-Control"] = f"public, max-age={max_age}, s-maxage={max_age}"
    response.set_etag(answer.etag)
    if answer.status == 200:
        response.make_conditional(request)
    return response
