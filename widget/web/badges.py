"""``/badge.svg`` and ``/badge.png``: the counter as an image, for pages that cannot run scripts."""

from collections.abc import Mapping
from typing import cast

from flask import Blueprint, Response, current_app, request

from widget.render.badge import STYLES, THEMES, Badge, Style, Theme, render_badge_svg
from widget.render.counter_badge import counter_badge, error_badge
from widget.render.png import SCALES, PngUnavailableError, badge_to_png
from widget.text.catalog import available_languages, counter_texts
from widget.web.params import Choice, ParameterError, parse_query
from widget.web.responses import Answer, send
from widget.web.service import current_service

blueprint = Blueprint("badges", __name__)

SVG_TYPE = "image/svg+xml; charset=utf-8"
PNG_TYPE = "image/png"
SVG_POLICY = "default-src 'none'"
"""An SVG opened on its own is a document: it may never run script or load anything."""
SVG_HEADERS = (("Content-Security-Policy", SVG_POLICY),)


def badge_choices(default_lang: str, with_scale: bool) -> list[Choice]:
    """The parameters of the badge URLs."""
    choices = [
        Choice("lang", available_languages(), default_lang),
        Choice("style", STYLES, "flat"),
        Choice("theme", THEMES, "light"),
    ]
    if with_scale:
        choices.append(Choice("scale", tuple(str(scale) for scale in SCALES), "1"))
    return choices


def error_answer(error: ParameterError, args: Mapping[str, str], as_png: bool, status: int = 400) -> Answer:
    """An error badge in the style and theme the URL asked for, where those at least are valid."""
    style = args.get("style", "").strip().lower()
    theme = args.get("theme", "").strip().lower()
    badge = error_badge(
        error.problem,
        str(error),
        cast(Style, style if style in STYLES else "flat"),
        cast(Theme, theme if theme in THEMES else "light"),
    )
    if as_png:
        try:
            return Answer(badge_to_png(badge), PNG_TYPE, status)
        except PngUnavailableError:
            pass
    return Answer(render_badge_svg(badge).encode(), SVG_TYPE, status, SVG_HEADERS)


def _counter_badge(query: Mapping[str, str], days: int, ended: bool) -> Badge:
    texts = counter_texts(query["lang"], days, ended)
    return counter_badge(texts, ended, cast(Style, query["style"]), cast(Theme, query["theme"]))


def _serve_badge(as_png: bool) -> Response:
    service = current_service()
    instant, state = service.now()
    max_age = state.seconds_until_next_change(instant)
    try:
        query = parse_query(request.args, badge_choices(service.settings.default_lang, with_scale=as_png))
    except ParameterError as error:
        return send(error_answer(error, request.args, as_png), max_age)

    def build() -> Answer:
        badge = _counter_badge(query, state.days, state.ended)
        if as_png:
            return Answer(badge_to_png(badge, int(query["scale"])), PNG_TYPE)
        return Answer(render_badge_svg(badge).encode(), SVG_TYPE, headers=SVG_HEADERS)

    key = ("png" if as_png else "svg", *sorted(query.items()))
    try:
        answer = service.cache.get_or_build(state.local_date, key, build)
    except PngUnavailableError as error:
        current_app.logger.error("%s", error)
        unavailable = ParameterError("format", f"PNG badges are unavailable on this server: {error}", "PNG unavailable")
        return send(error_answer(unavailable, query, as_png=True, status=503), 0)
    return send(answer, max_age, state)


@blueprint.get("/badge.svg")
def badge_svg() -> Response:
    """The badge as SVG: ``lang``, ``style`` and ``theme`` choose the variant."""
    return _serve_badge(as_png=False)


@blueprint.get("/badge.png")
def badge_png() -> Response:
    """The badge as PNG, for e-mail and forums; ``scale`` 2-4 for high-DPI screens."""
    return _serve_badge(as_png=True)
