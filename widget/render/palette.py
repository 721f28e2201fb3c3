"""Every colour the counter shows, in one place: badges, the social card, the page and the embed script.

A colour is a fact that several surfaces must agree on (the ribbon of an ended block must turn
the same green as its badge), so each is written here once. The web layer hands the script its
colours through the JSON API and the page its colours through its stylesheet; nothing else
writes a colour of its own.

Every text colour has a contrast of at least 4.5:1 with the fill it is drawn on (WCAG AA).
"""

from dataclasses import dataclass
from typing import Literal

Theme = Literal["light", "dark"]
"""``light`` suits light pages (dark text), ``dark`` suits dark pages (light text)."""
THEMES: tuple[Theme, ...] = ("light", "dark")

Tone = Literal["running", "ended", "error"]
"""What a picture is about: the block going on, the block over, or a URL that cannot be served."""
TONES: tuple[Tone, ...] = ("running", "ended", "error")


def tone_of(ended: bool) -> Tone:
    """The tone of the counter: ``ended`` once the block was lifted, else ``running``."""
    return "ended" if ended else "running"


@dataclass(frozen=True)
class Colors:
    """Fills of a badge's two parts and of their text."""

    label_background: str
    label_text: str
    message_background: str
    message_text: str


BADGE_COLORS: dict[tuple[Theme, Tone], Colors] = {
    ("light", "running"): Colors("#555", "#fff", "#c0392b", "#fff"),
    ("light", "ended"): Colors("#555", "#fff", "#2e7d32", "#fff"),
    ("light", "error"): Colors("#555", "#fff", "#9a3412", "#fff"),
    ("dark", "running"): Colors("#d0d7de", "#1f2328", "#ff7b72", "#1f2328"),
    ("dark", "ended"): Colors("#d0d7de", "#1f2328", "#56d364", "#1f2328"),
    ("dark", "error"): Colors("#d0d7de", "#1f2328", "#ffa657", "#1f2328"),
}
"""Badge fills per theme and tone: the message part carries the tone."""

TEXT_COLORS: dict[Theme, str] = {"light": "#1f2328", "dark": "#f6f8fa"}
"""Text drawn straight on a page: dark on light pages, light on dark pages."""

ACCENT_SHADES: dict[Tone, str] = {"running": "#7b241c", "ended": "#1b5e20", "error": "#7c2d12"}
"""A darker shade of each accent, for a band set off from it (the social card's bottom band): ``accent_text``
on it has a contrast above 7:1."""


def accent(tone: Tone) -> str:
    """The tone's own fill where text in ``accent_text`` sits on it: the ribbon, the card, the page's banner."""
    return BADGE_COLORS[("light", tone)].message_background


def accent_shade(tone: Tone) -> str:
    """The darker shade of ``accent(tone)``."""
    return ACCENT_SHADES[tone]


def accent_text(tone: Tone) -> str:
    """The text colour on ``accent(tone)``."""
    return BADGE_COLORS[("light", tone)].message_text
