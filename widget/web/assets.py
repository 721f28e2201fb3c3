"""The landing page's own files (stylesheet, script, icon, Tifinagh font) at versioned URLs.

Each is served from ``/assets/<version>/<name>``, where the version is a hash of every asset's
bytes: the URL changes exactly when one of them does, so browsers and CDNs may keep them a year
as ``immutable``. One version for all lets the stylesheet name the web font by a relative URL.
An old version redirects to the current one (a page cached just before a release still loads).

The stylesheet's colours that the badges, the card and the embed script also show come from the
one palette (``widget.render.palette``): ``page_css`` puts them in front of ``static/page.css`` as
custom properties, so the page's accent is the badges' and turns with them once the block ended.
"""

import hashlib
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from flask import Blueprint, Response, abort

from widget.layout.fonts import assets_folder
from widget.render.palette import BADGE_COLORS, TEXT_COLORS, THEMES, Theme, Tone
from widget.web.responses import RELEASE_LONG, SVG_POLICY, Answer, mark_reusable, respond

blueprint = Blueprint("assets", __name__)

ASSET_MAX_AGE = 31_536_000
STATIC_FOLDER = Path(__file__).resolve().parent / "static"
VERSION_PATTERN = re.compile(r"[0-9a-f]{12}")
PAGE_TONES: tuple[Tone, ...] = ("running", "ended")
"""The tones the page shows; ``<html data-tone>`` says which (``running`` needs no attribute)."""
COLOR_SCHEME_MEDIA: dict[Theme, str | None] = {"light": None, "dark": "(prefers-color-scheme: dark)"}
"""When the page uses each palette theme: light by default, dark when the reader prefers it."""


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


def _tone_rule(theme: Theme, tone: Tone) -> str:
    colors = BADGE_COLORS[(theme, tone)]
    selector = ":root" if tone == "running" else f':root[data-tone="{tone}"]'
    text = f"--fg:{TEXT_COLORS[theme]};" if tone == "running" else ""
    return f"{selector}{{{text}--accent:{colors.message_background};--accent-fg:{colors.message_text}}}"


def palette_css() -> str:
    """The palette's colours as the custom properties ``page.css`` uses, for each theme and page tone."""
    lines = ["/* From widget/render/palette.py: the page's accent is the badges' message colour. */"]
    for theme in THEMES:
        rules = "".join(_tone_rule(theme, tone) for tone in PAGE_TONES)
        media = COLOR_SCHEME_MEDIA[theme]
        lines.append(rules if media is None else f"@media {media}{{{rules}}}")
    return "\n".join(lines) + "\n"


@cache
def asset_body(name: str) -> bytes:
    """The asset's bytes, made once per process so they always match ``asset_version``."""
    body = ASSETS[name].path.read_bytes()
    if name == "page.css":
        return palette_css().encode("utf-8") + body
    return body


@cache
def asset_version() -> str:
    """A short hash of all the assets' bytes: their URLs change exactly when one of them does."""
    digest = hashlib.blake2b(digest_size=6)
    for name in sorted(ASSETS):
        digest.update(asset_body(name))
    return digest.hexdigest()


@cache
def asset_answer(name: str) -> Answer:
    """The asset ready to send, compressed and with its validators, made once per process."""
    headers = (("Content-Security-Policy", SVG_POLICY),) if name.endswith(".svg") else ()
    return Answer(asset_body(name), ASSETS[name].content_type, headers=headers)


def asset_path(root_path: str, name: str) -> str:
    """The versioned, year-cacheable path of a page asset, under the service's root path."""
    return f"{root_path}assets/{asset_version()}/{name}"


@blueprint.get("/assets/<version>/<name>")
def asset(version: str, name: str) -> Response:
    """A page asset at its versioned URL, cached for a year; an old version redirects to the new one."""
    if name not in ASSETS or not VERSION_PATTERN.fullmatch(version):
        abort(404)
    if version != asset_version():
        # A relative Location: right under any root path, and nothing from the request is written.
        return Response(status=302, headers={"Location": f"../{asset_version()}/{name}", "Cache-Control": "no-store"})
    mark_reusable(RELEASE_LONG)
    return respond(asset_answer(name), f"public, max-age={ASSET_MAX_AGE}, immutable")
