"""The embed script, ``/embed.js``, its immutable versioned copy, and the pictures it shows.

Bloggers paste one script tag and never touch it again, so the script's bytes depend on the
release only: no config, no date and no host name are written into it (it finds where it was
loaded from in its own ``src``, and asks the JSON API for everything else). That makes it
cacheable for a long time, lets the README print a Subresource Integrity hash for it, and lets a
static copy of the site (``voipdown publish``) serve the very same file.

- ``/embed.js`` is cached for an hour, so a new release reaches every page within the hour.
- ``/embed/<hash>.js`` holds the same bytes under a name made from their SHA-256: a given URL
  always has the same bytes (or is gone), so it is cached for a year as ``immutable`` and an
  ``integrity`` attribute on it never breaks while the URL answers at all.
- ``/embed/text.svg`` draws one of the day's texts as glyph outlines (see
  ``widget.render.sentence``); ``word`` cuts it into words, so a pictured line wraps like text.
  ``/embed/badge.svg`` is ``/badge.svg`` (served by
  ``widget.web.badges``). Both accept a ``day`` that changes their URL each day, because a browser
  keeps an image by URL for the life of a page.
- Their path forms carry the day first, ``/embed/<day>/<lang>/text/<part>/<theme>[/<word>].svg``
  and ``/embed/<day>/<lang>/badge/<style>/<theme>.svg`` (``widget.web.paths``), so a published
  site keeps each day's pictures in a folder of its own.

This blueprint shares its answers across origins (``Access-Control-Allow-Origin: *``): a script
tag with ``integrity`` and ``crossorigin`` needs it, and the script fetches its images in CORS
mode so that no cookie goes with them.

Why the script (``static/embed.js``, plain ES2017+, no build step, under 3 KB gzipped) is as it is:

- It is sent as ``rjsmin`` leaves it: the same code without its indentation, line breaks and
  spaces between tokens (nothing renamed, nothing rewritten; the ``/*!`` line stays), read and
  minified once per process. The file stays the readable source; the bytes sent are what the
  README's integrity hash covers. Minified, it is 2.9 KB gzipped instead of 3.2 KB.

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
- It knows no language and no colour: the API lists the languages (the script picks the tag's
  ``data-lang``, else the page's ``<html lang>``, from that list, so it first asks for the default
  language's document), says which texts to show as pictures (``widget.web.pictures``: Tifinagh,
  for which many systems have no font, while a strict CSP may forbid web fonts but allows our
  images) and gives the colours of the counter's tone (the ribbon's fill and the footer's dot; a
  footer's text takes the host page's colour, and its pictures are masks painted in that colour).
  Everything else is real text: it wraps, zooms, can be selected and follows forced-colors modes.
- A widget appears only once its images are in, so the host page moves at most once; if the
  server is down, answers an error or garbage, it is removed without a word (an error after it has
  shown keeps the last count). ``embed_enabled: false`` from the API removes every widget.
- It asks again just after ``next_change`` (Moroccan midnight, as an instant, so the visitor's
  time zone does not matter), plus up to a minute of jitter so that all embedding pages do not
  ask in the same second. The refetch revalidates (``cache: "no-cache"``). A visitor whose clock
  runs ahead gets the same ``next_change`` again and waits five minutes before asking again.
- It works from a static copy of the site as from the service: every URL it asks is a path form
  (``widget.web.paths``) under the folder its own ``src`` is in (``/api/<lang>/counter.json``,
  ``/embed/<day>/...``; its first question, ``/api/counter.json``, has no query), so a host that
  ignores query strings, or serves the site from a sub-folder, serves them as files. A copy whose
  daily rebuild is late still says yesterday's day: once the visitor's clock has passed its
  ``next_change``, the script shows the ``next`` day's texts it carries (``widget.web.api``). An
  answer marked ``Voipdown-Live`` comes from the service, which is never a day behind, so a
  visitor whose clock runs ahead still sees the service's day.
"""

import base64
import hashlib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import NamedTuple

import rjsmin
from flask import Blueprint, Request, Response, abort

from widget.config import Settings
from widget.render.palette import THEMES, Theme
from widget.render.sentence import TextLine, render_text_svg
from widget.text.catalog import counter_texts
from widget.web import paths
from widget.web.daily import DailyAnswer, DailyEndpoint, Today, read_choices, serve_daily
from widget.web.params import DAY, Choice, language_choice
from widget.web.paths import PathForm
from widget.web.pictures import MAX_WORDS, TEXT_PARTS, TextPart, text_of, words_of
from widget.web.responses import (
    RELEASE_LONG,
    SVG_HEADERS,
    SVG_TYPE,
    Answer,
    mark_reusable,
    plain_svg_refusal,
    respond,
)
from widget.web.security import share_across_origins

blueprint = Blueprint("embed", __name__)
blueprint.after_request(share_across_origins)

SCRIPT_TYPE = "text/javascript; charset=utf-8"
SCRIPT_MAX_AGE = 3600
"""``/embed.js``: an hour, so a release (or a fix) reaches every embedding page within the hour."""
SCRIPT_STALE_SECONDS = 86_400
"""A cache may keep serving the old script for a day while it fetches the new one in the background."""
IMMUTABLE_MAX_AGE = 31_536_000
"""The versioned copy never changes: a year, the longest lifetime caches honour."""
VERSION_LENGTH = 16
"""Hex digits of the script's SHA-256 in the versioned URL: 64 bits, no accidental collision."""

PART: Choice[TextPart] = Choice("part", TEXT_PARTS, "sentence")
TEXT_THEME: Choice[Theme] = Choice("theme", THEMES, "light")
"""``light`` draws dark text (for light pages), ``dark`` light text."""
WORD: Choice[int] = Choice("word", tuple(range(MAX_WORDS + 1)), 0)
"""``word=N`` draws only the text's Nth word (from 1; words as ``pictures.words_of`` cuts them), so
the script can show a pictured text one word per picture and let it wrap in a narrow column;
``0``, the default, draws the whole text. A word past the text's end is an empty picture."""


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
    """The script of this release, read and minified once per process from the package's ``static`` folder."""
    source = resources.files("widget.web").joinpath("static", "embed.js").read_text(encoding="utf-8")
    return EmbedScript(rjsmin.jsmin(source, keep_bang_comments=True).encode("utf-8"))


def _send_script(cache_control: str) -> Response:
    """The script with ``cache_control``, or ``304`` when the client holds these very bytes.

    The bytes and headers change only with a release, so the fast path may replay them forever.
    """
    mark_reusable(RELEASE_LONG)
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


class TextQuery(NamedTuple):
    """Which picture of text: the part of the day's texts (or one of its words), its language, and its colours."""

    lang: str
    part: TextPart
    theme: Theme
    word: int


def read_text(request: Request, settings: Settings, form: PathForm | None) -> TextQuery:
    """The picture a request asks for, in its query or in the path of ``form``: a whole text
    (``.../<part>/<theme>.svg``), or one word of it (``.../<part>/<theme>/<word>.svg``); the day is
    checked and dropped."""
    lang = language_choice(settings.default_lang)
    if form is None:
        choices: list[Choice[str | int]] = [PART, lang, TEXT_THEME, WORD]
    else:  # in the order the path names them, so the first wrong segment is the one reported
        choices = [lang, PART, TEXT_THEME, *([WORD] if "word" in form.pattern.groupindex else [])]
    query = read_choices(request, form, choices, [DAY])
    return TextQuery(query[lang], query[PART], query[TEXT_THEME], query[WORD])


def _text_svg(query: TextQuery, today: Today) -> Answer:
    texts = counter_texts(query.lang, today.state.days, today.state.ended)
    text = text_of(texts, query.part)
    if query.word:
        words = words_of(text)
        text = words[query.word - 1] if query.word <= len(words) else ""
    line = TextLine(text, texts.lang, texts.direction, query.theme)
    return Answer(render_text_svg(line).encode(), SVG_TYPE, headers=SVG_HEADERS)


TEXT = DailyAnswer(_text_svg, plain_svg_refusal)
TEXT_ENDPOINT = DailyEndpoint(TEXT, read_text)
TEXT_PATH_ENDPOINT = DailyEndpoint(TEXT, read_text, paths.TEXT)
TEXT_WORD_PATH_ENDPOINT = DailyEndpoint(TEXT, read_text, paths.TEXT_WORD)


@blueprint.get("/embed/text.svg")
def text_svg() -> Response:
    """One of today's texts (``part``), or one word of it (``word``), in ``lang`` as outlines: dark text
    (``theme=light``) or light."""
    return serve_daily(TEXT_ENDPOINT)


@blueprint.get(paths.TEXT.rule)
def text_svg_path(**_segments: str) -> Response:
    """``/embed/text.svg`` with the day and every parameter in the path."""
    return serve_daily(TEXT_PATH_ENDPOINT)


@blueprint.get(paths.TEXT_WORD.rule)
def text_word_svg_path(**_segments: str) -> Response:
    """``/embed/text.svg?word=N`` with the day and every parameter in the path."""
    return serve_daily(TEXT_WORD_PATH_ENDPOINT)
