"""The opening of every SVG picture we write: size, accessible name, language.

Badges, text pictures and the social card are all images that screen readers must be able to
name, so each opens the same way: ``role="img"``, an ``aria-label`` and a ``<title>`` with the
same text, and the ``lang`` it is in. The text may hold anything a translation or an error
message holds, so it is escaped here, once, for both places it goes.
"""

from xml.sax.saxutils import escape


def attribute_text(text: str) -> str:
    """``text`` safe inside a double-quoted attribute and inside an element: ``<``, ``>``, ``&`` and ``"`` escaped."""
    return escape(text, {'"': "&quot;"})


def svg_head(width: int, height: int, title: str, lang: str) -> str:
    """The ``<svg>`` start tag and ``<title>`` of a ``width`` x ``height`` picture named by ``title``.

    Pictures place their glyphs with SVG 2's plain ``href`` (as shields.io's badges do), which every
    current browser, cairosvg and librsvg read, so no ``xlink`` namespace is declared.
    """
    name = attribute_text(title)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" role="img" aria-label="{name}" '
        f'lang="{attribute_text(lang)}"><title>{name}</title>'
    )
