"""The landing page (``/``), its social card (``/card.png``) and the page's own static files.

A visitor arrives from a shared link: the page must say the count and the story in their
language at once, and hand a blogger a snippet with this deployment's absolute URL. Language
comes from ``?lang=``, then ``Accept-Language``, then the configured default. A ``lang`` we do
not speak is ignored rather than refused (unlike on the badge URLs, which are pasted into pages
and must fail loudly): a person reading a page is better served by a page in a language they
may read than by an error. Other unknown parameters (``fbclid``, ``utm_*``) are ignored too.

Snippets are built from the request's scheme and host (``public_root``): behind a reverse proxy
that is the public URL only when the maintainer sets ``trust_proxy``, which makes the app factory
honour ``X-Forwarded-Proto`` and ``X-Forwarded-Host``.

The page caches like the badges, until local midnight, and varies on ``Accept-Language``. Its
CSS, script, icon and Tifinagh web font are served from versioned URLs (the content's hash is
in the path), so they can be cached for a year and still change with a release.
"""

import hashlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Literal
from urllib.parse import quote, urlencode

from babel.dates import format_date
from flask import Blueprint, Response, abort, current_app, redirect, render_template, request, url_for
from markupsafe import escape
from werkzeug.datastructures import MultiDict

from widget.counting import CounterState
from widget.layout.fonts import assets_folder
from widget.render.badge import STYLES
from widget.render.card import Card, render_card_svg
from widget.render.png import SCALES, PngUnavailableError, svg_to_png
from widget.text.catalog import available_languages, counter_texts, languages, page_texts
from widget.web.api import error_document, json_answer
from widget.web.params import Choice, ParameterError, parse_query
from widget.web.responses import Answer, send
from widget.web.service import current_service

blueprint = Blueprint("page", __name__, template_folder="templates")

HTML_TYPE = "text/html; charset=utf-8"
PAGE_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; font-src 'self'; "
    "connect-src 'self'; frame-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
"""Everything from our own host, nothing inline: no third-party font, script or analytics can load.

``frame-src`` covers the builder's preview, an ``srcdoc`` frame that inherits this policy, so
the embed script runs there under the same rules as here.
"""

ASSET_MAX_AGE = 31_536_000
STATIC_FOLDER = Path(__file__).resolve().parent / "static"
CARD_CACHE_BUSTER = "v"
"""``/card.png`` accepts (and ignores) this parameter: the page sets it to the local date, so
social sites that keep images by URL fetch a new card when the count changes."""

Format = Literal["script", "html", "markdown", "bbcode", "url"]
FORMATS: tuple[Format, ...] = ("script", "html", "markdown", "bbcode", "url")
VARIANTS = ("footer", "badge", "ribbon")
EMBED_THEMES = ("auto", "light", "dark")


@dataclass(frozen=True)
class Asset:
    """A static file of the page and its type."""

    name: str
    path: Path
    content_type: str


def _assets() -> dict[str, Asset]:
    """The files the page loads; the font is the vendored one the badges are drawn with."""
    fonts = assets_folder() / "fonts"
    return {
        asset.name: asset
        for asset in (
            Asset("page.css", STATIC_FOLDER / "page.css", "text/css; charset=utf-8"),
            Asset("page.js", STATIC_FOLDER / "page.js", "text/javascript; charset=utf-8"),
            Asset("icon.svg", STATIC_FOLDER / "icon.svg", "image/svg+xml"),
            Asset("tifinagh.ttf", fonts / "NotoSansTifinagh-Regular.ttf", "font/ttf"),
        )
    }


ASSETS = _assets()


@cache
def asset_body(name: str) -> bytes:
    """The asset's bytes, read once per process so they always match ``asset_version``."""
    return ASSETS[name].path.read_bytes()


@cache
def asset_version() -> str:
    """A short hash of all the assets' bytes: their URLs change exactly when one of them does.

    One version for all lets the stylesheet name the web font by a relative URL.
    """
    digest = hashlib.blake2b(digest_size=6)
    for name in sorted(ASSETS):
        digest.update(asset_body(name))
    return digest.hexdigest()


def asset_url(name: str) -> str:
    """The versioned, year-cacheable path of a page asset."""
    return url_for("page.asset", version=asset_version(), name=name)


@dataclass(frozen=True)
class SnippetChoice:
    """What a blogger picks in the builder; the page's script builds the same snippets (page.js)."""

    format: Format
    lang: str
    variant: str = "footer"
    style: str = "flat"
    theme: str = "auto"
    image: str = "svg"
    scale: int = 1


def badge_url(base: str, lang: str, style: str, theme: str, image: str, scale: int) -> str:
    """An absolute badge URL with only the parameters that differ from the defaults (plus ``lang``)."""
    query: list[tuple[str, str]] = [("lang", lang)]
    if style != "flat":
        query.append(("style", style))
    if theme == "dark":
        query.append(("theme", "dark"))
    if image == "png" and scale != 1:
        query.append(("scale", str(scale)))
    return f"{base}badge.{image}?{urlencode(query)}"


def page_url(base: str, lang: str) -> str:
    """The landing page in ``lang``: where every badge links, so readers learn what it counts."""
    return f"{base}?{urlencode([('lang', lang)])}"


def _html_image(base: str, choice: SnippetChoice, alt: str) -> str:
    """An ``<img>`` in a link; a PNG above scale 1 is offered as ``srcset`` so it shows at badge size."""
    src = badge_url(base, choice.lang, choice.style, choice.theme, choice.image, 1)
    srcset = ""
    if choice.image == "png" and choice.scale != 1:
        large = badge_url(base, choice.lang, choice.style, choice.theme, "png", choice.scale)
        srcset = f' srcset="{escape(large)} {choice.scale}x"'
    link = page_url(base, choice.lang)
    return f'<a href="{escape(link)}"><img src="{escape(src)}"{srcset} alt="{escape(alt)}"></a>'


def build_snippet(base: str, choice: SnippetChoice, alt: str) -> str:
    """The text a blogger pastes for ``choice``; ``base`` is the service's absolute root URL.

    ``alt`` is the badge's text alternative; it must not hold the count, which a pasted snippet
    cannot keep up to date. The script snippet carries a ``<noscript>`` badge for readers
    without JavaScript.
    """
    if choice.format == "script":
        attributes = (
            f'async src="{escape(base)}embed.js" data-lang="{choice.lang}" '
            f'data-variant="{choice.variant}" data-theme="{choice.theme}"'
        )
        theme = "dark" if choice.theme == "dark" else "light"
        fallback = SnippetChoice("html", choice.lang, theme=theme)
        return f"<script {attributes}></script>\n<noscript>{_html_image(base, fallback, alt)}</noscript>"
    if choice.format == "html":
        return _html_image(base, choice, alt)
    src = badge_url(base, choice.lang, choice.style, choice.theme, choice.image, choice.scale)
    link = page_url(base, choice.lang)
    if choice.format == "markdown":
        markdown_alt = alt.replace("[", "\\[").replace("]", "\\]")
        return f"[![{markdown_alt}]({src})]({link})"
    if choice.format == "bbcode":
        return f"[url={link}][img]{src}[/img][/url]"
    return src


READY_MADE: tuple[tuple[str, Format, str], ...] = (
    ("format_script", "script", "svg"),
    ("format_html", "html", "svg"),
    ("format_markdown", "markdown", "svg"),
    ("format_bbcode", "bbcode", "png"),
    ("format_url", "url", "png"),
)
"""The snippets shown without JavaScript: (title key, format, image type). Forums and e-mail
often refuse SVG, so BBCode and the bare URL use PNG."""


PUBLIC_SCHEMES = ("http", "https")
HOST_PATTERN = re.compile(r"(?:[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})*\.?|\[[0-9A-Fa-f:.]{2,45}\])(?::[0-9]{1,5})?")
"""A host name or bracketed IPv6 address, with an optional port: what may stand in a snippet URL."""


def public_root() -> str:
    """The service's absolute root URL, as snippets and meta tags must carry it.

    The scheme and host come from the request (``Host``, and ``X-Forwarded-*`` when
    ``trust_proxy`` is on), and the page is cached publicly and pasted into other sites, so only
    ``http``/``https`` and a well-formed host are used; anything else falls back to ``http`` and
    the name the server itself listens on.
    """
    scheme = request.scheme.lower()
    if scheme not in PUBLIC_SCHEMES:
        scheme = "http"
    host = request.host
    if not HOST_PATTERN.fullmatch(host):
        environ = request.environ
        host = f"{environ.get('SERVER_NAME', 'localhost')}:{environ.get('SERVER_PORT', '80')}"
        if not HOST_PATTERN.fullmatch(host):
            host = "localhost"
    return f"{scheme}://{host}{quote(request.script_root)}/"


def choose_language(args: Mapping[str, str], best_accepted: Callable[[list[str]], str | None], default: str) -> str:
    """``?lang=`` if we speak it, else the best of ``Accept-Language``, else ``default``."""
    available = available_languages()
    asked = args.get("lang", "").strip().lower()
    if asked in available:
        return asked
    ordered = [default, *(code for code in available if code != default)]
    return best_accepted(ordered) or default


def _formatted_date(day: date, lang: str) -> str:
    """``day`` written out the way ``lang`` writes dates ("5 janvier 2016", "January 5, 2016")."""
    return format_date(day, format="long", locale=languages()[lang].locale)


def _story(state: CounterState, lang: str) -> str:
    """The story paragraph with the configured dates written as the text's language writes them."""
    text = page_texts(lang)["story_ended" if state.ended else "story"]
    start = _formatted_date(state.start_date, text.lang)
    end = _formatted_date(state.end_date, text.lang) if state.end_date else ""
    return text.text.replace("{start_date}", start).replace("{end_date}", end)


def _hero(sentence: str, count: str) -> tuple[str, str, str]:
    """The sentence split around its number, so the number can be drawn large; no number, no split."""
    before, found, after = sentence.partition(count)
    return (before, count, after) if found else (sentence, "", "")


def _page_context(state: CounterState, lang: str, base: str) -> dict[str, object]:
    """Everything the template shows; computed here so the template only lays it out."""
    language = languages()[lang]
    texts = counter_texts(lang, state.days, state.ended)
    labels = {code: counter_texts(code, state.days, state.ended).label for code in languages()}
    ready = [
        (key, build_snippet(base, SnippetChoice(format_name, lang, image=image), labels[lang]))
        for key, format_name, image in READY_MADE
    ]
    card_query = urlencode([("lang", lang), (CARD_CACHE_BUSTER, state.local_date.isoformat())])
    return {
        "lang": lang,
        "direction": language.direction,
        "locale": str(language.locale),
        "t": page_texts(lang),
        "counter": texts,
        "hero": _hero(texts.sentence, language.format_count(state.days)),
        "story": _story(state, lang),
        "languages": languages(),
        "labels": labels,
        "base": base,
        "page_url": page_url(base, lang),
        "card_url": f"{base}card.png?{card_query}",
        "ready": ready,
        "formats": FORMATS,
        "variants": VARIANTS,
        "themes": EMBED_THEMES,
        "styles": STYLES,
        "scales": SCALES,
        "asset_url": asset_url,
    }


@blueprint.get("/")
def landing() -> Response:
    """The landing page in the negotiated language, cached until local midnight."""
    service = current_service()
    instant, state = service.now()
    lang = choose_language(request.args, request.accept_languages.best_match, service.settings.default_lang)
    html = render_template("landing.html", **_page_context(state, lang, public_root()))
    headers = (("Content-Security-Policy", PAGE_POLICY), ("Content-Language", lang), ("Vary", "Accept-Language"))
    answer = Answer(html.encode("utf-8"), HTML_TYPE, headers=headers)
    return send(answer, state.seconds_until_next_change(instant), state)


def card_svg(state: CounterState, lang: str) -> str:
    """Today's social card in ``lang``, as SVG."""
    texts = counter_texts(lang, state.days, state.ended)
    tone = "ended" if state.ended else "running"
    return render_card_svg(Card(texts.message, texts.sentence, texts.label, lang, texts.direction, tone))


@blueprint.get("/card.png")
def card_png() -> Response:
    """The 1200x630 social card (Open Graph, X): today's count and sentence in ``?lang=``."""
    service = current_service()
    instant, state = service.now()
    max_age = state.seconds_until_next_change(instant)
    args = MultiDict(request.args)
    args.poplist(CARD_CACHE_BUSTER)
    try:
        query = parse_query(args, [Choice("lang", available_languages(), service.settings.default_lang)])
    except ParameterError as error:
        return send(json_answer(error_document(error), 400), max_age)
    lang = query["lang"]

    def build() -> Answer:
        return Answer(svg_to_png(card_svg(state, lang)), "image/png")

    try:
        answer = service.cache.get_or_build(state.local_date, ("card", lang), build)
    except PngUnavailableError as error:
        current_app.logger.error("%s", error)
        unavailable = ParameterError("format", str(error), "PNG unavailable")
        return send(json_answer(error_document(unavailable), 503), 0)
    return send(answer, max_age, state)


VERSION_PATTERN = re.compile(r"[0-9a-f]{12}")


@blueprint.get("/assets/<version>/<name>")
def asset(version: str, name: str) -> Response:
    """A page asset at its versioned URL, cached for a year; an old version redirects to the new one."""
    if name not in ASSETS or not VERSION_PATTERN.fullmatch(version):
        abort(404)
    if version != asset_version():
        response = redirect(asset_url(name), 302)
        response.headers["Cache-Control"] = "no-store"
        return response
    response = Response(asset_body(name), content_type=ASSETS[name].content_type)
    response.headers["Cache-Control"] = f"public, max-age={ASSET_MAX_AGE}, immutable"
    if name.endswith(".svg"):
        response.headers["Content-Security-Policy"] = "default-src 'none'"
    return response
