"""The JSON API: ``/api/counter.json`` for builders and the embed script, ``/api/shields.json`` for shields.io users."""

from datetime import UTC, datetime, timedelta
from typing import NamedTuple

from flask import Blueprint, Request, Response

from widget.config import Settings
from widget.counting import CounterState
from widget.render.palette import BADGE_COLORS, TEXT_COLORS, accent, accent_text, tone_of
from widget.text.catalog import CounterTexts, available_languages, counter_texts, languages
from widget.web.daily import DailyAnswer, DailyEndpoint, Today, serve_daily
from widget.web.params import language_choice, parse_query
from widget.web.pictures import pictured_parts
from widget.web.responses import Answer, json_answer, json_refusal
from widget.web.security import share_across_origins

blueprint = Blueprint("api", __name__, url_prefix="/api")
blueprint.after_request(share_across_origins)

SHIELDS_MIN_CACHE_SECONDS = 300
"""shields.io's floor for ``cacheSeconds``. The answer says the time left until local midnight, so
shields.io shows the new count as soon as it can; it is rebuilt every this many seconds and says
the time left at the end of its five minutes, so it never promises past midnight (except in the
day's last five minutes, where the floor wins)."""


class LanguageQuery(NamedTuple):
    """The only parameter of the JSON URLs."""

    lang: str


def read_language_query(request: Request, settings: Settings) -> LanguageQuery:
    """The language a JSON request asks for."""
    lang = language_choice(settings.default_lang)
    return LanguageQuery(parse_query(request.args, [lang])[lang])


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


def counter_document(state: CounterState, texts: CounterTexts, embed_enabled: bool) -> dict[str, object]:
    """Everything the counter says today, in ``texts``' language."""
    language = languages()[texts.lang]
    return {
        "count": state.days,
        "start_date": state.start_date.isoformat(),
        "end_date": state.end_date.isoformat() if state.end_date else None,
        "ended": state.ended,
        "timezone": state.zone.key,
        "valid_for": state.local_date.isoformat(),
        "next_change": _utc_text(state.next_change),
        "lang": texts.lang,
        "language_name": language.name,
        "direction": texts.direction,
        "label": texts.label,
        "message": texts.message,
        "sentence": texts.sentence,
        "close_label": language.close_label,
        "embed_enabled": embed_enabled,
        "languages": list(available_languages()),
        "needs_picture": pictured_parts(texts),
        "colors": colors_document(state.ended),
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


COUNTER_ENDPOINT = DailyEndpoint(DailyAnswer(_counter, json_refusal), read_language_query)
SHIELDS_ENDPOINT = DailyEndpoint(
    DailyAnswer(_shields, json_refusal, period=timedelta(seconds=SHIELDS_MIN_CACHE_SECONDS)), read_language_query
)


@blueprint.get("/counter.json")
def counter_json() -> Response:
    """The count, its dates, the next change, the localized texts and how to show them; CORS open to all."""
    return serve_daily(COUNTER_ENDPOINT)


@blueprint.get("/shields.json")
def shields_json() -> Response:
    """The count for shields.io's endpoint badge."""
    return serve_daily(SHIELDS_ENDPOINT)
