"""The embed script, ``/embed.js``, its immutable versioned copy, and the pictures it shows.

Bloggers paste one script tag and never touch it again, so the script's bytes depend on the
release only: no config, no date and no host name are written into it (it finds our origin from
its own ``src`` and asks the JSON API for everything else). That makes it cacheable for a long
time, and lets the README print a Subresource Integrity hash for it.

- ``/embed.js`` is cached for an hour, so a new release reaches every page within the hour.
- ``/embed/<hash>.js`` holds the same bytes under a name made from their SHA-256: a given URL
  always has the same bytes (or is gone), so it is cached for a year as ``immutable`` and an
  ``integrity`` attribute on it never breaks while the URL answers at all.
- ``/embed/text.svg`` draws one of the day's texts as glyph outlines (see
  ``widget.render.sentence``); ``/embed/badge.svg`` is ``/badge.svg``. Both accept a ``day`` that
  changes their URL each day, because a browser keeps an image by URL for the life of a page.

Every path here starts with ``/embed``, which ``widget.web.security`` shares across origins
(``Access-Control-Allow-Origin: *``): a script tag with ``integrity`` and ``crossorigin`` needs it,
and the script fetches its images in CORS mode so that no cookie goes with them.

Why the script (``static/embed.js``, plain ES2017+, no build step, under 3 KB gzipped) is as it is:

- It must never break the page it lands on. It is one closure in strict mode (no globals), and
  each widget lives in a *closed* shadow root whose ``:host`` rule resets every property with
  ``!important``: in the cascade, a shadow tree's important rules beat the page's, so
  ``* { font-size: 40px !important }`` cannot reach in, and its own rules cannot leak out. Styles
  come from one constructed stylesheet adopted by each root: CSP does not govern those, so the
  widget needs no ``style-src`` and no ``'unsafe-inline'``. No ``innerHTML``, no ``eval``, no
  inline handlers, no storage, no cookies (``credentials: "omit"``, ``crossOrigin="anonymous"``),
  no ``Referer``.
- Pasted several times, it runs once: it waits for the page to be parsed, takes every tag that
  points at ``HOST/embed*.js`` and marks it with ``data-voipdown``; a later copy finds every tag
  marked and stops. A marker on the tag needs no global. Widgets in one language share one request.
- Real text where every system has fonts (Latin, Arabic): it wraps, zooms, can be selected and
  follows forced-colors modes. Tifinagh is shown as a picture with the text as ``alt``: many
  systems have no Tifinagh font, and a strict CSP may forbid web fonts but allows our images.
- A widget appears only once its images are in, so the host page moves at most once; if the
  server is down, answers an error or garbage, it is removed without a word (an error after it has
  shown keeps the last count). ``embed_enabled: false`` from the API removes every widget.
- It asks again just after ``next_change`` (Moroccan midnight, as an instant, so the visitor's
  time zone does not matter), plus up to a minute of jitter so that all embedding pages do not
  ask in the same second. The refetch revalidates (``cache: "no-cache"``). A visitor whose clock
  runs ahead gets the same ``next_change`` again and waits five minutes before asking again.
"""

import base64
import hashlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from importlib import resources
from typing import cast

from flask import Blueprint, Response, abort, request
from werkzeug.datastructures import MultiDict

from widget.render.badge import Style, Theme, render_badge_svg
from widget.render.counter_badge import counter_badge
from widget.render.sentence import TEXT_THEMES, TextLine, TextTheme, render_text_svg
from widget.text.catalog import CounterTexts, available_languages, counter_texts
from widget.web.badges import SVG_HEADERS, SVG_TYPE, badge_choices, error_answer
from widget.web.params import Choice, ParameterError, parse_query
from widget.web.responses import Answer, Reuse, mark_reusable, respond, send
from widget.web.service import current_service

blueprint = Blueprint("embed", __name__)

SCRIPT_TYPE = "text/javascript; charset=utf-8"
SCRIPT_MAX_AGE = 3600
"""``/embed.js``: an hour, so a release (or a fix) reaches every embedding page within the hour."""
SCRIPT_STALE_SECONDS = 86_400
"""A cache may keep serving the old script for a day while it fetches the new one in the background."""
IMMUTABLE_MAX_AGE = 31_536_000
"""The versioned copy never changes: a year, the longest lifetime caches honour."""
VERSION_LENGTH = 16
"""Hex digits of the script's SHA-256 in the versioned URL: 64 bits, no accidental collision."""

TEXT_PARTS = ("sentence", "label", "message")
"""Which of the day's texts ``/embed/text.svg`` draws: the footer shows the sentence, the ribbon
the label and the message."""
DAY_PARAMETER = "day"
"""``/embed/text.svg`` accepts and ignores ``day=YYYY-MM-DD``: the script sets it to the date the
API says its texts are valid for, so the picture's URL changes at midnight and the browser, which
keeps images by URL for the life of a page, fetches the new day's picture."""
DAY_FORMAT = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class EmbedScript:
    """The script's bytes, with the names and hashes derived from them."""

    body: bytes

    @property
    def version(self) -> str:
        """The start of the bytes' SHA-256 in hex: the versioned copy's name."""
        return hashlib.sha256(self.body).hexdigest()[:VERSION_LENGTH]

    @property
    def versioned_path(self) -> str:
        """The path of the immutable copy, e.g. ``/embed/0123456789abcdef.js``."""
        return f"/embed/{self.version}.js"

    @property
    def integrity(self) -> str:
        """The Subresource Integrity value for an ``integrity`` attribute (SHA-384, as is usual)."""
        return "sha384-" + base64.b64encode(hashlib.sha384(self.body).digest()).decode("ascii")

    @property
    def answer(self) -> Answer:
        """The bytes ready to send, with their strong ``ETag``."""
        return _answer(self.body)


@cache
def _answer(body: bytes) -> Answer:
    return Answer(body, SCRIPT_TYPE)


@cache
def embed_script() -> EmbedScript:
    """The script of this release, read once per process from the package's ``static`` folder."""
    source = resources.files("widget.web").joinpath("static", "embed.js")
    return EmbedScript(source.read_bytes())


def _send_script(cache_control: str) -> Response:
    """The script with ``cache_control``, or ``304`` when the client holds these very bytes.

    The bytes and headers change only with a release, so the fast path may replay them forever.
    """
    mark_reusable(Reuse(datetime.min.replace(tzinfo=UTC), datetime.max.replace(tzinfo=UTC), counts_down=False))
    return respond(embed_script().answer, cache_control)


@blueprint.get("/embed.js")
def embed_js() -> Response:
    """The current script, for the snippet everyone pastes: cached an hour, revalidated by ETag."""
    return _send_script(
        f"public, max-age={SCRIPT_MAX_AGE}, s-maxage={SCRIPT_MAX_AGE}, stale-while-revalidate={SCRIPT_STALE_SECONDS}"
    )


@blueprint.get("/embed/<version>.js")
def embed_versioned_js(version: str) -> Response:
    """The same bytes under their hash, for pages that pin them with ``integrity``; other hashes 404."""
    if version != embed_script().version:
        abort(404, description=f"no embed script {version}; the current one is {embed_script().versioned_path}")
    return _send_script(f"public, max-age={IMMUTABLE_MAX_AGE}, immutable")


def _without_day(args: MultiDict[str, str]) -> MultiDict[str, str]:
    """``args`` less a well-formed ``day``, which only makes each day's URL distinct."""
    rest = MultiDict(args)
    days = rest.poplist(DAY_PARAMETER)
    if len(days) > 1:
        raise ParameterError(DAY_PARAMETER, f"parameter {DAY_PARAMETER!r} is given {len(days)} times", "day repeated")
    if days and days[0] and not DAY_FORMAT.fullmatch(days[0]):
        raise ParameterError(DAY_PARAMETER, f"{DAY_PARAMETER} must be a date written YYYY-MM-DD", "bad day")
    return rest


def _serve_svg(
    kind: str, choices: Callable[[str], list[Choice]], draw: Callable[[Mapping[str, str], CounterTexts, bool], str]
) -> Response:
    """Today's picture ``draw`` makes for the query, built once a day and cached until midnight.

    A bad query gets an error badge with status 400, as on ``/badge.svg``, so it shows in place.
    """
    service = current_service()
    instant, state = service.now()
    max_age = state.seconds_until_next_change(instant)
    try:
        query = parse_query(_without_day(request.args), choices(service.settings.default_lang))
    except ParameterError as error:
        return send(error_answer(error, {}, as_png=False), max_age)  # flat and light, whatever was asked

    def build() -> Answer:
        texts = counter_texts(query["lang"], state.days, state.ended)
        return Answer(draw(query, texts, state.ended).encode(), SVG_TYPE, headers=SVG_HEADERS)

    answer = service.cache.get_or_build(state.local_date, (kind, *sorted(query.items())), build)
    return send(answer, max_age, state)


def _text_choices(default_lang: str) -> list[Choice]:
    return [
        Choice("part", TEXT_PARTS, "sentence"),
        Choice("lang", available_languages(), default_lang),
        Choice("theme", TEXT_THEMES, "light"),
    ]


def _draw_text(query: Mapping[str, str], texts: CounterTexts, ended: bool) -> str:
    line = getattr(texts, query["part"])
    return render_text_svg(TextLine(line, texts.lang, texts.direction, cast(TextTheme, query["theme"])))


def _draw_badge(query: Mapping[str, str], texts: CounterTexts, ended: bool) -> str:
    style, theme = cast(Style, query["style"]), cast(Theme, query["theme"])
    return render_badge_svg(counter_badge(texts, ended, style, theme))


@blueprint.get("/embed/text.svg")
def text_svg() -> Response:
    """One of today's texts (``part``) in ``lang`` as outlines: dark text (``theme=light``) or light."""
    return _serve_svg("embed-text", _text_choices, _draw_text)


@blueprint.get("/embed/badge.svg")
def badge_svg() -> Response:
    """``/badge.svg`` (same ``lang``, ``style``, ``theme``, same picture) that also takes ``day``."""
    return _serve_svg("embed-badge", lambda lang: badge_choices(lang, with_scale=False), _draw_badge)
