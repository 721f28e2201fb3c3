"""Which of the day's texts the embed script shows as pictures of their glyphs, and which as text.

Real text is better wherever the visitor's system can show it: it wraps, zooms, can be selected
and follows forced-colors modes. Where it may not (a script many systems have no font for), the
script shows ``/embed/text.svg``, the text drawn as glyph outlines, with the text as ``alt``. The
API tells the script which texts those are, so the script knows no language by name.
"""

from typing import Literal

from widget.layout.fonts import Script, scripts_for
from widget.text.catalog import CounterTexts

TextPart = Literal["sentence", "label", "message"]
TEXT_PARTS: tuple[TextPart, ...] = ("sentence", "label", "message")
"""The texts the counter says each day: the footer shows the sentence, the ribbon the label and the message."""

SYSTEM_SCRIPTS = frozenset({Script.LATIN, Script.ARABIC})
"""Scripts every visitor's system has a font for, so the embed script shows them as text.

Windows, macOS, iOS, Android and the usual Linux desktops all ship Latin and Arabic fonts; many
ship none for Tifinagh. A text with a character of any other script is shown as a picture: this
set, not a list of languages, decides, so a language in a new script gets pictures without a code
change.
"""


MAX_WORDS = 32
"""Words a pictured text may be cut into: more than any counter text has, and a bound on the URLs."""


def words_of(text: str) -> list[str]:
    """``text`` cut at its spaces: the embed script shows a pictured text one picture per piece, so it wraps like words.

    Only U+0020 cuts (the script cuts the same way): a number's grouping space (U+202F) keeps it whole.
    """
    return text.split(" ")


def text_of(texts: CounterTexts, part: TextPart) -> str:
    """The text ``part`` names."""
    if part == "label":
        return texts.label
    if part == "message":
        return texts.message
    return texts.sentence


def needs_picture(text: str) -> bool:
    """Whether ``text`` uses a script some systems cannot show."""
    return not set(scripts_for(text)) <= SYSTEM_SCRIPTS


def pictured_parts(texts: CounterTexts) -> dict[str, bool]:
    """For each text part, whether the embed script shows it as a picture."""
    return {part: needs_picture(text_of(texts, part)) for part in TEXT_PARTS}
