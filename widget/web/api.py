"""The JSON API: ``/api/counter.json`` for builders and the embed script, ``/api/shields.json`` for shields.io users.

Each has a path form a static host can serve, ``/api/<lang>/counter.json`` and
``/api/<lang>/shields.json`` (``widget.web.paths``), with the same bytes.

The counter document also carries the *next* local day's texts (``next``), so that a widget
reading a copy that was not rebuilt at midnight (a published site whose daily job runs late, see
``widget.publish``) can still switch to the new count at the instant ``next_change`` names. The
service's own answers say ``Voipdown-Live: 1`` (readable by scripts on other sites): an answer the
service makes is never a day old (every cache keeps it until midnight at most), so the widget
uses ``next`` only for answers without it, and a visitor whose clock runs ahead still sees the
service's day. A published copy does not say it (``widget.publish`` leaves it out of ``_headers``).
"""

from datetime import UTC, datetime, timedelta
from typing import NamedTuple

from flask import Blueprint, Request, Response

from widget.config import Settings
from widget.counting import CounterState, counter_state
from widget.render.palette import BADGE_COLORS, TEXT_COLORS, accent, accent_text, tone_of
from widget.text.catalog import CounterTexts, available_languages, counter_texts, languages
from widget.web import paths
from widget.web.daily import DailyAnswer, DailyEndpoint, Today, read_choices, serve_daily
from widget.web.params import language_choice
from widget.web.paths import PathForm
from widget.web.pictures import pictured_parts
from widget.web.responses import Answer, json_answer, json_refusal
from widget.web.security import share_across_origins

blueprint = Blueprint("api", __name__)
blueprint.after_request(share_across_origins)

LIVE_HEADER = "Voipdown-Live"
"""Says an answer comes from the service itself, so its day is the current one (see the module's docstring)."""


@blueprint.after_request
def say_it_is_live(response: Response) -> Response:
    """Mark the answer as the service's own, and let scripts on other sites read that mark."""
    response.headers.setdefault(LIVE_HEADER, "1")
    response.headers.setdefault("Access-Control-Expose-Headers", LIVE_HEADER)
    return response


SHIELDS_MIN_CACHE_SECONDS = 300
"""shields.io's floor for ``cacheSeconds``. The answer says the time left until local midnight, so
shields.io shows the new count as soon as it can; it is rebuilt every this many seconds and says
the time left at the end of its five minutes, so it never promises past midnight (except in the
day's last five minutes, where the floor wins)."""


class LanguageQuery(NamedTuple):
    """The only parameter of the JSON URLs."""

    lang: str


def read_language(request: Request, settings: Settings, form: PathForm | None) -> LanguageQuery:
    """The language a JSON request asks for: ``?lang=``, or the path's ``/api/<lang>/``."""
    lang = language_choice(settings.default_lang)
    return LanguageQuery(read_choices(request, form, [lang])[lang])


def _utc_text(instant: datetime) -> str:
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def colors_document(ended: bool) -> dict[str, str]:
    """The embed script's colours for the counter's tone, from the one palette.

    ``accent`` fills the ribbon and the footer's dot, ``accent_text`` is the ribbon's text, and
    ``text_on_light``/``text_on_dark`` the footer's text on light and on dark pages. The script
    sets each as a CSS custom property of the same name, so a key here is a name in its stylesheet.
    """
    tone = tone_of(ended)
    return {
        "accent": accent(tone),
        "accent_text": accent_text(tone),
        "text_on_light": TEXT_COLORS["light"],
        "text_on_dark": TEXT_COLORS["dark"],
    }


def day_document(state: CounterState, texts: CounterTexts) -> dict[str, object]:
    """What changes at local midnight: the count, the day, when it changes next, the texts and how to show them."""
    return {
        "count": state.days,
        "ended": state.ended,
        "valid_for": state.local_date.isoformat(),
        "next_change": _utc_text(state.next_change),
        "label": texts.label,
        "message": texts.message,
        "sentence": texts.sentence,
        "needs_picture": pictured_parts(texts),
        "colors": colors_document(state.ended),
    }


def counter_document(state: CounterState, texts: CounterTexts, embed_enabled: bool) -> dict[str, object]:
    """Everything the counter says today, in ``texts``' language, and under ``next`` what changes at midnight.

    ``next`` holds the ``day_document`` fields for the local day starting at ``next_change``.
    """
    language = languages()[texts.lang]
    today = day_document(state, texts)
    tomorrow = counter_state(state.start_date, state.end_date, state.zone, state.next_change)
    return {
        "count": today["count"],
        "start_date": state.start_date.isoformat(),
        "end_date": state.end_date.isoformat() if state.end_date else None,
        "ended": today["ended"],
        "timezone": state.zone.key,
        "valid_for": today["valid_for"],
        "next_change": today["next_change"],
        "lang": texts.lang,
        "language_name": language.name,
        "direction": texts.direction,
        "label": today["label"],
        "message": today["message"],
        "sentence": today["sentence"],
        "close_label": language.close_label,
        "embed_enabled": embed_enabled,
        "languages": list(available_languages()),
        "needs_picture": today["needs_picture"],
        "colors": today["colors"],
        "next": day_document(tomorrow, counter_texts(texts.lang, tomorrow.days, tomorrow.ended)),
    }


def shields_document(state: CounterState, texts: CounterTexts, cache_seconds: int) -> dict[str, object]:
    """The count in shields.io's endpoint-badge schema, to be kept by shields.io for ``cache_seconds``."""
    colors = BADGE_COLORS[("light", tone_of(state.ended))]
    return {
        "schemaVersion": 1,
        "label": texts.label,
        "message": texts.message,
        "color": colors.message_background.removeprefix("#"),
        "labelColor": colors.label_background.removeprefix("#"),
        "cacheSeconds": cache_seconds,
    }


def _counter(query: LanguageQuery, today: Today) -> Answer:
    state = today.state
    texts = counter_texts(query.lang, state.days, state.ended)
    return json_answer(counter_document(state, texts, today.settings.embed_enabled))


def _shields(query: LanguageQuery, today: Today) -> Answer:
    state = today.state
    seconds_left = int((state.next_change - today.until).total_seconds())
    texts = counter_texts(query.lang, state.days, state.ended)
    return json_answer(shields_document(state, texts, max(SHIELDS_MIN_CACHE_SECONDS, seconds_left)))


COUNTER = DailyAnswer(_counter, json_refusal)
SHIELDS = DailyAnswer(_shields, json_refusal, period=timedelta(seconds=SHIELDS_MIN_CACHE_SECONDS))
COUNTER_ENDPOINT = DailyEndpoint(COUNTER, read_language)
SHIELDS_ENDPOINT = DailyEndpoint(SHIELDS, read_language)
COUNTER_PATH_ENDPOINT = DailyEndpoint(COUNTER, read_language, paths.COUNTER_JSON)
SHIELDS_PATH_ENDPOINT = DailyEndpoint(SHIELDS, read_language, paths.SHIELDS_JSON)


@blueprint.get("/api/counter.json")
def counter_json() -> Response:
    """The count, its dates, the next change, the localized texts and how to show them; CORS open to all."""
    return serve_daily(COUNTER_ENDPOINT)


@blueprint.get("/api/shields.json")
def shields_json() -> Response:
    """The count for shields.io's endpoint badge."""
    return serve_daily(SHIELDS_ENDPOINT)


@blueprint.get(paths.COUNTER_JSON.rule)
def counter_json_path(**_segments: str) -> Response:
    """``/api/counter.json`` with its language in the path: ``/api/<lang>/counter.json``."""
    return serve_daily(COUNTER_PATH_ENDPOINT)


@blueprint.get(paths.SHIELDS_JSON.rule)
def shields_json_path(**_segments: str) -> Response:
    """``/api/shields.json`` with its language in the path: ``/api/<lang>/shields.json``."""
    return serve_daily(SHIELDS_PATH_ENDPOINT)
