"""``/card.png``: the 1200x630 social card (Open Graph, X) with today's count and sentence.

The landing page's meta tags point at it with ``v=<local date>``, because social sites keep
images by URL; ``v`` is accepted and ignored, any other unknown parameter is a JSON ``400``.
"""

from typing import NamedTuple

from flask import Blueprint, Request, Response

from widget.config import Settings
from widget.counting import CounterState
from widget.render.card import Card, render_card_svg
from widget.render.palette import tone_of
from widget.render.png import svg_to_png
from widget.text.catalog import counter_texts
from widget.web.daily import DailyAnswer, DailyEndpoint, Today, serve_daily
from widget.web.params import Ignored, language_choice, parse_query
from widget.web.responses import PNG_TYPE, Answer, json_refusal

blueprint = Blueprint("card", __name__)

CACHE_BUSTER = Ignored("v")
"""Set by the page to the local date; any value, since crawlers may have kept older ones."""


class CardQuery(NamedTuple):
    """The card's language, its only parameter."""

    lang: str


def read_card_query(request: Request, settings: Settings) -> CardQuery:
    """The card a request asks for."""
    lang = language_choice(settings.default_lang)
    return CardQuery(parse_query(request.args, [lang], [CACHE_BUSTER])[lang])


def card_svg(state: CounterState, lang: str) -> str:
    """Today's social card in ``lang``, as SVG."""
    texts = counter_texts(lang, state.days, state.ended)
    return render_card_svg(
        Card(texts.message, texts.sentence, texts.label, lang, texts.direction, tone_of(state.ended))
    )


def _card_png(query: CardQuery, today: Today) -> Answer:
    return Answer(svg_to_png(card_svg(today.state, query.lang)), PNG_TYPE)


CARD_ENDPOINT = DailyEndpoint(DailyAnswer(_card_png, json_refusal), read_card_query)


@blueprint.get("/card.png")
def card_png() -> Response:
    """Today's card in ``?lang=``, cached until local midnight."""
    return serve_daily(CARD_ENDPOINT)
