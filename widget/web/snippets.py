"""The snippets a blogger pastes: a script tag, an image in a link, Markdown, BBCode or a bare URL.

The landing page shows them ready-made (for readers without JavaScript) and its builder
(``static/page.js``) makes the same ones in the browser; a browser test compares the two. Every
URL in a snippet is absolute, from ``base``, the service's public root (``widget.web.public``),
and a path form (``widget.web.paths``): it names every value in its path, so the same snippet
works whether the counter is served by this service or published as static files.
"""

from dataclasses import dataclass
from typing import Literal

from markupsafe import escape

from widget.web import paths

Format = Literal["script", "html", "markdown", "bbcode", "url"]
FORMATS: tuple[Format, ...] = ("script", "html", "markdown", "bbcode", "url")
VARIANTS = ("footer", "badge", "ribbon")
"""The embed script's ``data-variant`` values."""
EMBED_THEMES = ("auto", "light", "dark")
"""The embed script's ``data-theme`` values: ``auto`` follows the host page: a footer takes its text
colour, a badge its light or dark look from it."""


@dataclass(frozen=True)
class SnippetChoice:
    """What a blogger picks in the builder; the page's script builds the same snippets (page.js)."""

    format: Format
    lang: str
    variant: str = "footer"
    style: str = "flat"
    theme: str = "auto"
    image: str = "svg"
    scale: int = 1


def badge_url(base: str, lang: str, style: str, theme: str, image: str, scale: int) -> str:
    """An absolute badge URL naming every value: ``/badge/fr/flat/light.svg``, ``/badge/fr/flat/light@2x.png``.

    ``theme`` is the snippet's: anything but ``dark`` (``auto``, for a script's fallback) is ``light``.
    """
    look = "dark" if theme == "dark" else "light"
    if image == "png":
        return paths.BADGE_PNG.url(base, lang=lang, style=style, theme=look, scale=scale)
    return paths.BADGE_SVG.url(base, lang=lang, style=style, theme=look)


def page_url(base: str, lang: str) -> str:
    """The landing page in ``lang``: where every badge links, so readers learn what it counts."""
    return paths.PAGE.url(base, lang=lang)


def _html_image(base: str, choice: SnippetChoice, alt: str) -> str:
    """An ``<img>`` in a link; a PNG above scale 1 is offered as ``srcset`` so it shows at badge size."""
    src = badge_url(base, choice.lang, choice.style, choice.theme, choice.image, 1)
    srcset = ""
    if choice.image == "png" and choice.scale != 1:
        large = badge_url(base, choice.lang, choice.style, choice.theme, "png", choice.scale)
        srcset = f' srcset="{escape(large)} {choice.scale}x"'
    link = page_url(base, choice.lang)
    return f'<a href="{escape(link)}"><img src="{escape(src)}"{srcset} alt="{escape(alt)}"></a>'


def build_snippet(base: str, choice: SnippetChoice, alt: str) -> str:
    """The text a blogger pastes for ``choice``; ``base`` is the service's absolute root URL.

    ``alt`` is the badge's text alternative; it must not hold the count, which a pasted snippet
    cannot keep up to date. The script snippet carries a ``<noscript>`` badge for readers
    without JavaScript.
    """
    if choice.format == "script":
        attributes = (
            f'async src="{escape(base)}embed.js" data-lang="{choice.lang}" '
            f'data-variant="{choice.variant}" data-theme="{choice.theme}"'
        )
        theme = "dark" if choice.theme == "dark" else "light"
        fallback = SnippetChoice("html", choice.lang, theme=theme)
        return f"<script {attributes}></script>\n<noscript>{_html_image(base, fallback, alt)}</noscript>"
    if choice.format == "html":
        return _html_image(base, choice, alt)
    src = badge_url(base, choice.lang, choice.style, choice.theme, choice.image, choice.scale)
    link = page_url(base, choice.lang)
    if choice.format == "markdown":
        markdown_alt = alt.replace("[", "\\[").replace("]", "\\]")
        return f"[![{markdown_alt}]({src})]({link})"
    if choice.format == "bbcode":
        return f"[url={link}][img]{src}[/img][/url]"
    return src


READY_MADE: tuple[tuple[str, Format, str], ...] = (
    ("format_script", "script", "svg"),
    ("format_html", "html", "svg"),
    ("format_markdown", "markdown", "svg"),
    ("format_bbcode", "bbcode", "png"),
    ("format_url", "url", "png"),
)
"""The snippets shown without JavaScript: (title key, format, image type). Forums and e-mail
often refuse SVG, so BBCode and the bare URL use PNG."""


def ready_made_snippets(base: str, lang: str, alt: str) -> list[tuple[str, str]]:
    """(title key, snippet) for each ready-made snippet in ``lang``."""
    return [
        (key, build_snippet(base, SnippetChoice(format_name, lang, image=image), alt))
        for key, format_name, image in READY_MADE
    ]
