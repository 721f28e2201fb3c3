"""``/card.png``: the 1200x630 social card (Open Graph, X) with today's count and sentence.

The landing page's meta tags point at it with ``v=<local date>``, because social sites keep
images by URL; ``v`` is accepted and ignored, any other unknown parameter is a JSON ``400``.
Its path form, ``/card/<lang>.png`` (``widget.web.paths``), has the same bytes and, like every
path form, ignores its query string, so the page's ``?v=`` works on a static host too.
"""

from typing import NamedTuple

from flask import Blueprint, Request, Response

from widget.config import Settings
from widget.counting import CounterState
from widget.render.card import Card, render_card_svg
from widget.render.palette import tone_of
from widget.render.png import svg_to_png
from widget.text.catalog import counter_texts
from widget.web import paths
from widget.web.daily import DailyAnswer, DailyEndpoint, Today, read_choices, serve_daily
from widget.web.params import Ignored, language_choice
from widget.web.paths import PathForm
from widget.web.responses import PNG_TYPE, Answer, json_refusal

blueprint = Blueprint("card", __name__)

CACHE_BUSTER = Ignored("v")
"""Set by the page to the local date; any value, since crawlers may have kept older ones."""


class CardQuery(NamedTuple):
    """The card's language, its only parameter."""

    lang: str


def read_card(request: Request, settings: Settings, form: PathForm | None) -> CardQuery:
    """The card a request asks for: ``/card.png?lang=``, or the path ``/card/<lang>.png``."""
    lang = language_choice(settings.default_lang)
    return CardQuery(read_choices(request, form, [lang], [CACHE_BUSTER])[lang])


def card_svg(state: CounterState, lang: str) -> str:
    """Today's social card in ``lang``, as SVG."""
    texts = counter_texts(lang, state.days, state.ended)
    return render_card_svg(
        Card(texts.message, texts.sentence, texts.label, lang, texts.direction, tone_of(state.ended))
    )


def _card_png(query: CardQuery, today: Today) -> Answer:
    return Answer(svg_to_png(card_svg(today.state, query.lang)), PNG_TYPE)


CARD = DailyAnswer(_card_png, json_refusal)
CARD_ENDPOINT = DailyEndpoint(CARD, read_card)
CARD_PATH_ENDPOINT = DailyEndpoint(CARD, read_card, paths.CARD_PNG)


@blueprint.get("/card.png")
def card_png() -> Response:
    """Today's card in ``?lang=``, cached until local midnight."""
    return serve_daily(CARD_ENDPOINT)


@blueprint.get(paths.CARD_PNG.rule)
def card_png_path(**_segments: str) -> Response:
    """``/card.png`` with its language in the path: ``/card/<lang>.png``."""
    return serve_daily(CARD_PATH_ENDPOINT)
