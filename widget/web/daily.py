"""One path for every answer that is the same all local day: read the query, build once, send until midnight.

Badges, pictures, JSON, the page and the card all answer the same way: the clock gives the
counter's state and the time left in the answer's period (the local day, or a slice of it for an
answer that says how long the day has left); the request is read into a typed query (or a
``Refusal``); the answer for it is built once per period and kept; it is sent with a ``max-age``
ending with the period, a strong ``ETag`` and ``304`` when the client has it, and marked for the
fast path with the same reading of requests, so both caches key on the normalised variant.

Each URL says only what differs: how its requests are read (``DailyEndpoint.read``), and what is
built from a query and how a refusal looks (``DailyAnswer``). Cache entries are keyed by the
``DailyAnswer`` and the query, so URLs serving the same picture (``/badge.svg``,
``/embed/badge.svg`` and their path forms ``/badge/fr/flat/light.svg``...) share their entries,
and so their bytes, and no two kinds of answer can collide.
"""

from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Generic, TypeVar

from flask import Request, Response, current_app, request

from widget.config import Settings
from widget.counting import CounterState
from widget.render.png import PngUnavailableError
from widget.web.params import Choice, Ignored, ParameterError, Query, parse_query, read_segments
from widget.web.paths import PathForm
from widget.web.responses import ERROR_MAX_AGE, Answer, Refusal, Reuse, send
from widget.web.service import current_service

QueryT = TypeVar("QueryT", bound=Hashable)


@dataclass(frozen=True)
class Today:
    """What an answer is built from besides its query."""

    state: CounterState
    settings: Settings
    until: datetime
    """When the answer stops being right: the next local midnight, or the end of its period."""


@dataclass(frozen=True, eq=False)
class DailyAnswer(Generic[QueryT]):
    """One kind of day-constant answer: what is built for a typed query, and how a refusal is shown.

    Compared by identity: each kind is one object, defined once, and is the first part of its
    cache keys.
    """

    build: Callable[[QueryT, Today], Answer]
    refuse: Callable[[Refusal], Answer]
    period: timedelta | None = None
    """Rebuild every ``period`` of the local day rather than once a day (the answer names a duration)."""


@dataclass(frozen=True)
class DailyEndpoint(Generic[QueryT]):
    """A URL serving a ``DailyAnswer``: how its requests are read into the answer's query type."""

    answer: DailyAnswer[QueryT]
    read: Callable[[Request, Settings, PathForm | None], QueryT]
    """The typed query of a request, given the endpoint's ``form``; raises ``ParameterError`` when the
    request cannot be served. A URL's query form and its path form share one reader: it reads
    through ``read_choices``, which takes values from the query string, or from the path of ``form``.

    It may look at the path, the query string, ``Accept-Language`` and the request's root URL,
    nothing else (``widget.web.fast_path.READ_ENVIRON``): the fast path reads requests with it,
    and remembers each reading under those values, to find the answer to replay."""
    form: PathForm | None = None
    """For a URL whose path names the variant (``widget.web.paths``): its form. The fast path then
    reads every path of the form with ``read``, so distinct bad paths land on the few refusals."""

    def named(self, request: Request) -> Mapping[str, str]:
        """What the request names: its query, or its path's segments."""
        return request.args if self.form is None else self.form.segments(request.path)

    def variant(self, request: Request, settings: Settings) -> QueryT | Refusal:
        """The query ``request`` asks for, or the refusal it gets."""
        try:
            return self.read(request, settings, self.form)
        except ParameterError as error:
            return Refusal.bad_parameter(error, self.named(request))


def read_choices(
    request: Request, form: PathForm | None, choices: Sequence[Choice[str | int]], ignored: Iterable[Ignored] = ()
) -> Query:
    """The value of each of ``choices`` that ``request`` names: from its query string (``parse_query``:
    forgiving of case and spaces, defaults for what is left out, 400), or, for a URL of the path
    ``form``, from its path's segments (``read_segments``: exact, every value named, 404)."""
    if form is None:
        return parse_query(request.args, choices, ignored)
    return read_segments(form.segments(request.path), choices, ignored)


def _period(kind: DailyAnswer[Any], state: CounterState, instant: datetime) -> tuple[datetime, datetime]:
    """The stretch of time around ``instant`` during which ``kind``'s answers stay the same."""
    if kind.period is None:
        return state.day_start, state.next_change
    elapsed = (instant - state.day_start) // kind.period
    start = state.day_start + elapsed * kind.period
    return start, min(start + kind.period, state.next_change)


def serve_daily(endpoint: DailyEndpoint[QueryT]) -> Response:
    """The answer to the current request on ``endpoint``, built at most once per period per variant."""
    service = current_service()
    settings = service.settings
    instant, state = service.now()
    kind = endpoint.answer
    valid_from, until = _period(kind, state, instant)
    max_age = max(0, int((until - instant).total_seconds()))
    variant = endpoint.variant(request, settings)
    key = (kind, variant, valid_from)
    try:
        if isinstance(variant, Refusal):
            refusal = variant
            answer = service.cache.get_or_build(state.local_date, key, lambda: kind.refuse(refusal))
        else:
            query = variant
            today = Today(state, settings, until)
            answer = service.cache.get_or_build(state.local_date, key, lambda: kind.build(query, today))
    except PngUnavailableError as error:
        current_app.logger.error("%s", error)
        return send(kind.refuse(Refusal.png_unavailable(error, request.args)), 0)

    def variant_of(environ: dict[str, Any]) -> Hashable:
        return (kind, endpoint.variant(Request(environ, populate_request=False), settings))

    longest = ERROR_MAX_AGE if answer.status >= 400 else None
    return send(answer, max_age, Reuse(valid_from, until, True, answer.shareable, longest, variant_of, endpoint.form))
