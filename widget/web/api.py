"""The JSON API: ``/api/counter.json`` for builders, ``/api/shields.json`` for shields.io users."""

import json
from datetime import UTC, datetime

from flask import Blueprint, Response, request

from widget.counting import CounterState
from widget.render.badge import PALETTES
from widget.text.catalog import available_languages, counter_texts, languages
from widget.web.params import Choice, ParameterError, parse_query
from widget.web.responses import Answer, send
from widget.web.service import current_service

blueprint = Blueprint("api", __name__, url_prefix="/api")

JSON_TYPE = "application/json"
SHIELDS_CACHE_SECONDS = 3600
"""How long shields.io may keep our answer: the count changes daily, so at most an hour late."""


def json_answer(document: object, status: int = 200) -> Answer:
    """``document`` as compact UTF-8 JSON (Arabic and Tifinagh stay readable, not escaped)."""
    body = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return Answer(body, JSON_TYPE, status)


def error_document(error: ParameterError) -> dict[str, object]:
    """The JSON body of a refused request."""
    return {"error": {"parameter": error.parameter, "message": str(error)}}


def _utc_text(instant: datetime) -> str:
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def counter_document(state: CounterState, lang: str, embed_enabled: bool) -> dict[str, object]:
    """Everything the counter says today, in ``lang``."""
    texts = counter_texts(lang, state.days, state.ended)
    return {
        "count": state.days,
        "start_date": state.start_date.isoformat(),
        "end_date": state.end_date.isoformat() if state.end_date else None,
        "ended": state.ended,
        "timezone": state.zone.key,
        "valid_for": state.local_date.isoformat(),
        "next_change": _utc_text(state.next_change),
        "lang": lang,
        "language_name": languages()[lang].name,
        "direction": texts.direction,
        "label": texts.label,
        "message": texts.message,
        "sentence": texts.sentence,
        "close_label": languages()[lang].close_label,
        "embed_enabled": embed_enabled,
    }


def shields_document(state: CounterState, lang: str) -> dict[str, object]:
    """The count in shields.io's endpoint-badge schema."""
    texts = counter_texts(lang, state.days, state.ended)
    colors = PALETTES[("light", "ended" if state.ended else "running")]
    return {
        "schemaVersion": 1,
        "label": texts.label,
        "message": texts.message,
        "color": colors.message_background.removeprefix("#"),
        "labelColor": colors.label_background.removeprefix("#"),
        "cacheSeconds": SHIELDS_CACHE_SECONDS,
    }


def _serve(kind: str) -> Response:
    service = current_service()
    instant, state = service.now()
    max_age = state.seconds_until_next_change(instant)
    try:
        query = parse_query(request.args, [Choice("lang", available_languages(), service.settings.default_lang)])
    except ParameterError as error:
        return send(json_answer(error_document(error), 400), max_age)
    lang = query["lang"]

    def build() -> Answer:
        if kind == "shields":
            return json_answer(shields_document(state, lang))
        return json_answer(counter_document(state, lang, service.settings.embed_enabled))

    return send(service.cache.get_or_build(state.local_date, (kind, lang), build), max_age, state)


@blueprint.get("/counter.json")
def counter_json() -> Response:
    """The count, its dates, the next change and the localized texts; CORS open to all."""
    return _serve("counter")


@blueprint.get("/shields.json")
def shields_json() -> Response:
    """The count for shields.io's endpoint badge."""
    return _serve("shields")
