"""``/badge.svg``, ``/badge.png`` and ``/embed/badge.svg``, and their path forms: the counter as an image.

The badge is for pages that cannot run scripts (and for the embed script's ``badge`` variant,
which loads ``/embed/badge.svg``: the same picture, from the same cache entries, with a ``day``
parameter that only changes its URL each day). Each has a path form a static host can serve
(``/badge/fr/flat/light.svg``, ``/badge/fr/flat/light@2x.png``,
``/embed/2026-11-27/fr/badge/flat/light.svg``; see ``widget.web.paths``), answered with the same
bytes. Other sites load these images, so this blueprint shares them across origins.
"""

from functools import partial
from typing import NamedTuple

from flask import Blueprint, Request, Response

from widget.config import Settings
from widget.render.badge import STYLES, Style, render_badge_svg
from widget.render.counter_badge import counter_badge
from widget.render.palette import THEMES, Theme
from widget.render.png import SCALES, badge_to_png
from widget.text.catalog import counter_texts
from widget.web import paths
from widget.web.daily import DailyAnswer, DailyEndpoint, Today, read_choices, serve_daily
from widget.web.params import DAY, Choice, Ignored, language_choice
from widget.web.paths import PathForm
from widget.web.responses import PNG_TYPE, SVG_HEADERS, SVG_TYPE, Answer, png_refusal, svg_refusal
from widget.web.security import share_across_origins

blueprint = Blueprint("badges", __name__)
blueprint.after_request(share_across_origins)

STYLE: Choice[Style] = Choice("style", STYLES, "flat")
THEME: Choice[Theme] = Choice("theme", THEMES, "light")
SCALE: Choice[int] = Choice("scale", SCALES, 1)


class BadgeQuery(NamedTuple):
    """Which badge: every parameter of the badge URLs, typed (``scale`` is 1 for SVG)."""

    lang: str
    style: Style
    theme: Theme
    scale: int = 1


def read_badge(
    request: Request,
    settings: Settings,
    form: PathForm | None,
    with_scale: bool = False,
    ignored: tuple[Ignored, ...] = (),
) -> BadgeQuery:
    """The badge a request asks for, in its query or in the path of ``form``; ``ParameterError`` if it asks
    for something we do not draw."""
    lang = language_choice(settings.default_lang)
    choices: list[Choice[str | int]] = [lang, STYLE, THEME, SCALE] if with_scale else [lang, STYLE, THEME]
    query = read_choices(request, form, choices, ignored)
    return BadgeQuery(query[lang], query[STYLE], query[THEME], query[SCALE])


read_png_badge = partial(read_badge, with_scale=True)
read_embedded_badge = partial(read_badge, ignored=(DAY,))
"""The script's badge: its URL names the day, checked and dropped."""


def _badge_svg(query: BadgeQuery, today: Today) -> Answer:
    state = today.state
    texts = counter_texts(query.lang, state.days, state.ended)
    badge = counter_badge(texts, state.ended, query.style, query.theme)
    return Answer(render_badge_svg(badge).encode(), SVG_TYPE, headers=SVG_HEADERS)


def _badge_png(query: BadgeQuery, today: Today) -> Answer:
    state = today.state
    texts = counter_texts(query.lang, state.days, state.ended)
    badge = counter_badge(texts, state.ended, query.style, query.theme)
    return Answer(badge_to_png(badge, query.scale), PNG_TYPE)


BADGE_SVG = DailyAnswer(_badge_svg, svg_refusal)
BADGE_PNG = DailyAnswer(_badge_png, png_refusal)

SVG_ENDPOINT = DailyEndpoint(BADGE_SVG, read_badge)
PNG_ENDPOINT = DailyEndpoint(BADGE_PNG, read_png_badge)
EMBEDDED_SVG_ENDPOINT = DailyEndpoint(BADGE_SVG, read_embedded_badge)
SVG_PATH_ENDPOINT = DailyEndpoint(BADGE_SVG, read_badge, paths.BADGE_SVG)
PNG_PATH_ENDPOINT = DailyEndpoint(BADGE_PNG, read_png_badge, paths.BADGE_PNG)
EMBEDDED_SVG_PATH_ENDPOINT = DailyEndpoint(BADGE_SVG, read_embedded_badge, paths.EMBEDDED_BADGE)


@blueprint.get("/badge.svg")
def badge_svg() -> Response:
    """The badge as SVG: ``lang``, ``style`` and ``theme`` choose the variant."""
    return serve_daily(SVG_ENDPOINT)


@blueprint.get("/badge.png")
def badge_png() -> Response:
    """The badge as PNG, for e-mail and forums; ``scale`` 2-4 for high-DPI screens."""
    return serve_daily(PNG_ENDPOINT)


@blueprint.get("/embed/badge.svg")
def embedded_badge_svg() -> Response:
    """``/badge.svg`` (same ``lang``, ``style``, ``theme``, same picture) that also takes ``day``."""
    return serve_daily(EMBEDDED_SVG_ENDPOINT)


@blueprint.get(paths.BADGE_SVG.rule)
def badge_svg_path(**_segments: str) -> Response:
    """``/badge.svg`` with every parameter in the path: ``/badge/<lang>/<style>/<theme>.svg``."""
    return serve_daily(SVG_PATH_ENDPOINT)


@blueprint.get(paths.BADGE_PNG.rule)
def badge_png_path(**_segments: str) -> Response:
    """``/badge.png`` with every parameter in the path: ``/badge/<lang>/<style>/<theme>@<scale>x.png``."""
    return serve_daily(PNG_PATH_ENDPOINT)


@blueprint.get(paths.EMBEDDED_BADGE.rule)
def embedded_badge_svg_path(**_segments: str) -> Response:
    """``/embed/badge.svg`` with the day and every parameter in the path."""
    return serve_daily(EMBEDDED_SVG_PATH_ENDPOINT)
