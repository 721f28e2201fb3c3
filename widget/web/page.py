"""The landing page (``/``): the count and the story in the reader's language, and the snippet builder.

A visitor arrives from a shared link: the page must say the count and the story in their
language at once, and hand a blogger a snippet with this deployment's absolute URL. Language
comes from ``?lang=``, then ``Accept-Language``, then the configured default. A ``lang`` we do
not speak is ignored rather than refused (unlike on the badge URLs, which are pasted into pages
and must fail loudly): a person reading a page is better served by a page in a language they
may read than by an error. Other parameters (``fbclid``, ``utm_*``) are ignored too.

Each language's page also has a path of its own, ``/<lang>/`` (``widget.web.paths``): a static
host cannot negotiate ``Accept-Language`` nor read ``?lang=``, so the page links its languages,
its canonical URL and its social card by their path forms, and ``/<lang>/`` and ``/?lang=<lang>``
are the same page, with the same bytes. ``/`` stays the negotiated page (``x-default``).

Snippets and meta tags carry the service's absolute URL (``widget.web.public``): the configured
``public_url``, else the request's, in which case the page is sent ``Cache-Control: private``.
The page caches like the badges, until local midnight; a page whose URL names no language varies on
``Accept-Language``. Its stylesheet, script, icon and font are versioned assets (``widget.web.assets``).
"""

from collections.abc import Callable, Mapping
from datetime import date
from typing import NamedTuple
from urllib.parse import urlencode

from babel.dates import format_date
from flask import Blueprint, Request, Response, render_template, request
from flask.blueprints import BlueprintSetupState
from werkzeug.routing import BaseConverter, ValidationError

from widget.config import Settings
from widget.counting import CounterState
from widget.render.badge import STYLES
from widget.render.palette import tone_of
from widget.render.png import SCALES
from widget.text.catalog import available_languages, counter_texts, languages, page_texts
from widget.web import paths
from widget.web.assets import asset_path
from widget.web.daily import DailyAnswer, DailyEndpoint, Today, serve_daily
from widget.web.params import language_choice, read_segments
from widget.web.paths import PathForm
from widget.web.public import PublicRoot, public_root
from widget.web.responses import Answer, json_refusal
from widget.web.snippets import EMBED_THEMES, FORMATS, VARIANTS, page_url, ready_made_snippets

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
CARD_CACHE_BUSTER = "v"
"""The page sets it to the local date on the card's URL (``widget.web.card`` ignores it), so social
sites that keep images by URL fetch a new card when the count changes."""


class PageQuery(NamedTuple):
    """What a page depends on besides the day: its language, whether the URL named it, and its root URL."""

    lang: str
    lang_in_url: bool
    """``?lang=`` named the language: that URL is the page's canonical. ``/`` negotiates (Accept-Language)
    and is its own canonical, the ``x-default`` of the page's hreflang set."""
    root: PublicRoot


def choose_language(args: Mapping[str, str], best_accepted: Callable[[list[str]], str | None], default: str) -> str:
    """``?lang=`` if we speak it, else the best of ``Accept-Language``, else ``default``."""
    available = available_languages()
    asked = args.get("lang", "").strip().lower()
    if asked in available:
        return asked
    ordered = [default, *(code for code in available if code != default)]
    return best_accepted(ordered) or default


def read_page_query(request: Request, settings: Settings, _form: PathForm | None) -> PageQuery:
    """The page a request gets; never refused."""
    lang = choose_language(request.args, request.accept_languages.best_match, settings.default_lang)
    lang_in_url = request.args.get("lang", "").strip().lower() == lang
    return PageQuery(lang, lang_in_url, public_root(request, settings))


def read_page_path(request: Request, settings: Settings, _form: PathForm | None) -> PageQuery:
    """The page ``/<lang>/`` names: the same as ``/?lang=<lang>``.

    Its endpoint has no ``form``: routing already refuses a path that names no language we speak,
    and a form as wide as ``/{lang}/`` would have the fast path try every URL against it."""
    lang = language_choice(settings.default_lang)
    chosen = read_segments(paths.PAGE.segments(request.path), [lang])[lang]
    return PageQuery(chosen, True, public_root(request, settings))


class LanguageConverter(BaseConverter):
    """A path segment that is a language we speak, exactly: ``/fr/`` is a page, ``/xx/`` and ``/nope`` are not found.

    Refused in routing, so an unknown word is a plain ``404`` and not a redirect to a page that
    is not there (the trailing-slash redirect ``/fr`` -> ``/fr/`` is only for languages).
    """

    def to_python(self, value: str) -> str:
        if value not in available_languages():
            raise ValidationError
        return value


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


def _page_context(state: CounterState, query: PageQuery) -> dict[str, object]:
    """Everything the template shows; computed here so the template only lays it out."""
    lang, base = query.lang, query.root.url
    language = languages()[lang]
    texts = counter_texts(lang, state.days, state.ended)
    labels = {code: counter_texts(code, state.days, state.ended).label for code in languages()}
    card_query = urlencode([(CARD_CACHE_BUSTER, state.local_date.isoformat())])
    return {
        "lang": lang,
        "direction": language.direction,
        "locale": str(language.locale),
        "tone": tone_of(state.ended),
        "t": page_texts(lang),
        "counter": texts,
        "hero": _hero(texts.sentence, language.format_count(state.days)),
        "story": _story(state, lang),
        "languages": languages(),
        "labels": labels,
        "base": base,
        "alternates": {code: page_url(base, code) for code in languages()},
        "canonical_url": page_url(base, lang) if query.lang_in_url else base,
        "card_url": f"{paths.CARD_PNG.url(base, lang=lang)}?{card_query}",
        "ready": ready_made_snippets(base, lang, labels[lang]),
        "formats": FORMATS,
        "variants": VARIANTS,
        "themes": EMBED_THEMES,
        "styles": STYLES,
        "scales": SCALES,
        "asset_url": lambda name: asset_path(query.root.path, name),
    }


def _page(query: PageQuery, today: Today) -> Answer:
    html = render_template("landing.html", **_page_context(today.state, query))
    headers = (
        ("Content-Security-Policy", PAGE_POLICY),
        ("Content-Language", query.lang),
        # Only a page whose URL names no language was chosen by Accept-Language: a cache that honours
        # Vary keeps one copy of /fr/ or /?lang=fr, not one per reader's Accept-Language.
        *((("Vary", "Accept-Language"),) if not query.lang_in_url else ()),
    )
    return Answer(html.encode("utf-8"), HTML_TYPE, headers=headers, shareable=not query.root.from_request)


PAGE = DailyAnswer(_page, json_refusal)
PAGE_ENDPOINT = DailyEndpoint(PAGE, read_page_query)
PAGE_PATH_ENDPOINT = DailyEndpoint(PAGE, read_page_path)
"""Without a ``form``: only a language we speak is routed here (``LanguageConverter``), so each of
the few paths is kept on its own and the fast path never reads another path as a page."""


@blueprint.record_once
def register_language_converter(state: BlueprintSetupState) -> None:
    """Make ``<language:...>`` known to the app's routing before the routes below are added."""
    state.app.url_map.converters["language"] = LanguageConverter


@blueprint.get("/")
def landing() -> Response:
    """The landing page in the negotiated language, cached until local midnight."""
    return serve_daily(PAGE_ENDPOINT)


@blueprint.get(paths.PAGE.rule.replace("<lang>", "<language:lang>"), strict_slashes=False)
def landing_in(lang: str) -> Response:
    """The landing page in the language its path names: ``/<lang>/``, the same page as ``/?lang=<lang>``.

    ``/<lang>`` redirects there, as static hosts do (routed here only for a language, so ``/nope``
    stays not found rather than redirected); the relative ``Location`` writes nothing from the request.
    """
    if not request.path.endswith("/"):
        return Response(status=308, headers={"Location": f"{lang}/", "Cache-Control": "no-store"})
    return serve_daily(PAGE_PATH_ENDPOINT)
