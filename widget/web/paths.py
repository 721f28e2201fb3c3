"""URLs without query strings: every variant named by its path, so a static host or CDN can serve it as a file.

Static hosts (GitHub Pages, Netlify, Cloudflare Pages, an S3 bucket, any nginx) find a file by
its path and drop the query string, so ``/badge.svg?lang=ar`` is the same file for them as
``/badge.svg?lang=fr``. Every URL a snippet hands out and every URL the embed script asks for
therefore has a path form, defined here once: the routes, the snippets, the page's links and
``voipdown publish`` all build theirs from these templates. The service answers a path form with
the very bytes of its query form (the same ``DailyAnswer`` and typed query, so the same cache
entry), and the query forms keep working forever: they are pasted in pages nobody edits again.

A path form is strict where a query is lenient: every value is written out, in lower case,
exactly as listed (``/badge/FR/flat/light.svg`` is not ``/badge/fr/flat/light.svg``), because a
static host matches file names byte for byte and a URL must mean the same on the service and on a
published copy. A value outside its choices gets the error answer a bad parameter gets (an error
badge on badge URLs, a JSON error on the API), with ``404`` instead of ``400``: no file has that
name, and a static host says ``404`` too. The query string of a path URL is ignored, as a static
host ignores it, so a cache buster (``/card/fr.png?v=2026-11-27``) works on both.
"""

import re
from dataclasses import dataclass, field

SEGMENT = re.compile(r"\{(\w+)\}")
"""A named segment of a template: ``{lang}``."""


@dataclass(frozen=True)
class PathForm:
    """A URL whose path names its variant, written once as a template: ``/badge/{lang}/{style}/{theme}.svg``.

    Each ``{name}`` stands for a value without ``/`` and is read as the query parameter of that
    name; the rest of the template is literal.
    """

    template: str
    pattern: re.Pattern[str] = field(init=False, repr=False, compare=False)
    """The paths this form names, each segment captured by its name."""
    prefix: str = field(init=False, repr=False, compare=False)
    """The literal start of every path of this form (``/badge/``): a cheap test before ``pattern``."""

    def __post_init__(self) -> None:
        pieces = SEGMENT.split(self.template)
        regex = "".join(
            re.escape(piece) if index % 2 == 0 else f"(?P<{piece}>[^/]+)" for index, piece in enumerate(pieces)
        )
        object.__setattr__(self, "pattern", re.compile(regex))
        object.__setattr__(self, "prefix", pieces[0])

    def matches(self, path: str) -> bool:
        """Whether ``path`` is of this form."""
        return path.startswith(self.prefix) and self.pattern.fullmatch(path) is not None

    @property
    def rule(self) -> str:
        """The Flask route of this form: ``/badge/<lang>/<style>/<theme>.svg``."""
        return SEGMENT.sub(r"<\1>", self.template)

    def path(self, **values: object) -> str:
        """The path naming ``values`` (``lang="fr"``...), from the root: ``/badge/fr/flat/light.svg``."""
        return self.template.format(**values)

    def url(self, base: str, **values: object) -> str:
        """The absolute URL naming ``values`` under ``base``, the service's public root (ending in ``/``)."""
        return base + self.path(**values).removeprefix("/")

    def segments(self, path: str) -> dict[str, str]:
        """What ``path`` names, by segment; empty when it is not of this form."""
        found = self.pattern.fullmatch(path)
        return {} if found is None else found.groupdict()


BADGE_SVG = PathForm("/badge/{lang}/{style}/{theme}.svg")
BADGE_PNG = PathForm("/badge/{lang}/{style}/{theme}@{scale}x.png")
COUNTER_JSON = PathForm("/api/{lang}/counter.json")
SHIELDS_JSON = PathForm("/api/{lang}/shields.json")
CARD_PNG = PathForm("/card/{lang}.png")
PAGE = PathForm("/{lang}/")
EMBEDDED_BADGE = PathForm("/embed/{day}/{lang}/badge/{style}/{theme}.svg")
"""The embed script's badge: a new URL each day, as a browser keeps an image by URL for the life of a page."""
TEXT = PathForm("/embed/{day}/{lang}/text/{part}/{theme}.svg")
"""One of the day's texts as glyph outlines (``/embed/text.svg``)."""
TEXT_WORD = PathForm("/embed/{day}/{lang}/text/{part}/{theme}/{word}.svg")
"""One word of it, counted from 1 (``/embed/text.svg?word=N``)."""
