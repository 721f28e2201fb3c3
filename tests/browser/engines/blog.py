"""The blog every engine visits: another site than the service, a strict policy, the widgets pasted in.

Tests (this issue's and later ones, such as contrast measurements) build their pages here, so that
every engine meets the same page: light or dark, in a language and direction, with a badge in the
sidebar, a footer line and a ribbon, and a policy that reports each violation to the blog itself.
"""

import html
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tests.browser.embed_support import STRICT_CSP, HostSite, script_tag
from tests.browser.engines.measure import WIDGET_TAGS, WidgetShot, text_edges

PAGE_COLOURS = {"light": ((0xFF, 0xFF, 0xFF), "#1f2328"), "dark": ((0x0D, 0x11, 0x17), "#e6edf3")}
"""Background and text of a light and of a dark blog."""

DIRECTIONS = {"fr": "ltr", "ar": "rtl", "zgh": "ltr"}
VARIANTS = ("badge", "footer", "ribbon")
READABLE_TEXT = 100
"""Side-by-side pixel pairs of strong contrast (see ``text_edges``) in a widget's box that mean
it shows text one can read: a line of it makes several hundred, a faint or empty box next to none."""


@dataclass
class ReportingBlog(HostSite):
    """A blog that keeps the CSP reports its pages send to ``/csp-report``.

    Its pages name that address in their policy's ``report-uri``: every engine then posts each
    violation there, so what a page tried and was refused is known even where the engine itself
    cannot say (WebKit has no console to listen to).
    """

    reports: list[dict[str, Any]] = field(default_factory=list)

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        if environ["REQUEST_METHOD"] == "POST" and environ.get("PATH_INFO") == "/csp-report":
            body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
            self.reports.append(json.loads(body).get("csp-report", {}))
            start_response("204 No Content", [])
            return []
        return super().__call__(environ, start_response)

    def reports_of(self, url: str) -> list[dict[str, Any]]:
        """The CSP reports of the page at ``url``, but for the favicon the engine itself looks for.

        Firefox and WebKit fetch ``/favicon.ico`` from the blog, which the strict policy refuses:
        the blog's own business, not the widget's.
        """
        own_icon = url.rsplit("/", 1)[0] + "/favicon.ico"
        return [
            report
            for report in self.reports
            if report.get("document-uri") == url and report.get("blocked-uri") != own_icon
        ]


def hex_colour(colour: tuple[int, int, int]) -> str:
    return "#" + "".join(f"{channel:02x}" for channel in colour)


def blog_page(lang: str, page: str, badge: str = "", footer: str = "", ribbon: str = "", sheet: str = "") -> str:
    """A blog post with a sidebar badge, a footer line and a ribbon pasted in, and paragraphs to scroll.

    The page's colours are presentational attributes (``bgcolor``, ``text``), which no CSP
    governs: the strict policy allows no stylesheet. ``#control`` carries an inline style the
    policy must refuse, the proof that it is in force and that the engine reports violations.
    """
    background, text = PAGE_COLOURS[page]
    stylesheet = f'<link rel="stylesheet" href="{html.escape(sheet)}">' if sheet else ""
    filler = "".join(f"<p>Paragraph {index} of the post.</p>" for index in range(60))
    return f"""<!doctype html>
<html lang="{lang}" dir="{DIRECTIONS[lang]}">
<head><meta charset="utf-8"><title>A blog</title>{stylesheet}</head>
<body bgcolor="{hex_colour(background)}" text="{text}" link="{text}" vlink="{text}">
<h1>A blog</h1>
<p id="control" style="color: rgb(255, 0, 0)">An inline style the policy refuses.</p>
<p id="sidebar">{badge}</p>
<footer id="footer">{footer}</footer>
{filler}
{ribbon}
</body>
</html>
"""


def policy(service: str, styles: bool = False) -> str:
    """The README's policy word for word, a report address, and the blog's own stylesheet when it has one."""
    return STRICT_CSP.format(service=service) + ("; style-src 'self'" if styles else "") + "; report-uri /csp-report"


def widget_tags(service: str, lang: str, theme: str | None) -> dict[str, str]:
    """One script tag per variant, as the README shows them; ``theme`` None leaves ``data-theme`` out."""
    themed = {"data_theme": theme} if theme is not None else {}
    return {
        variant: script_tag(f"{service}/embed.js", data_variant=variant, data_lang=lang, **themed)
        for variant in VARIANTS
    }


def three_widgets_shown(shots: list[WidgetShot]) -> str | None:
    """For ``wait_for_shots``: None once a badge, a footer and a ribbon show readable text, else what is missing."""
    if [shot.region.tag for shot in shots] != list(WIDGET_TAGS):
        return f"widgets {[shot.region for shot in shots]}"
    unpainted = [shot.region.tag for shot in shots if shot.region.box is None]
    if unpainted:
        return f"nothing painted in the viewport for {unpainted}"
    missing = {shot.region.tag: text_edges(shot.image) for shot in shots if text_edges(shot.image) < READABLE_TEXT}
    return f"too little readable text (edges) in {missing}" if missing else None
