"""Every variant of every public URL, and the ways clients spell the same one, as the README lists them.

Written out here from the README's URL tables (the query forms and their path forms), not imported
from the service: the tests check the cache against what the public documentation promises.
"""

import gzip
from dataclasses import dataclass

import brotli

from tests.deploy.conftest import NOON

LANGUAGES = ("fr", "ar", "zgh", "en", "ary")
STYLES = ("flat", "flat-square", "plastic", "for-the-badge")
THEMES = ("light", "dark")
SCALES = ("1", "2", "3", "4")
TEXT_PARTS = ("sentence", "label", "message")
WORDS = ("1", "2", "3")
"""The words of a text the embed script asks for one by one (a few: each is a picture like the others)."""

DAY = NOON.date().isoformat()
"""The day the embed script names in its picture URLs: the local date on the service's faked clock
(``NOON`` is noon in Casablanca, so the same date there as in UTC)."""

ENCODINGS = ("br", "gzip", "")
"""What the service may be asked for: brotli, gzip, or the plain bytes ("")."""

ACCEPT_ENCODING_SPELLINGS = {
    "br": ("gzip, deflate, br, zstd", "gzip, deflate, br", "br", "BR;q=1.0", "gzip;q=0.8, br"),
    "gzip": ("gzip, deflate", "gzip", "x-gzip", "deflate, gzip;q=0.5", "br;q=0, gzip"),
    "": (None, "identity", "deflate", "zstd", "br;q=0, gzip;q=0.000"),
}
"""Accept-Encoding headers browsers and other clients send (``None``: no header), by the encoding
each must get: the best of br and gzip the client accepts, never one it refuses with q=0."""


READER_LANGUAGES = ("fr-FR,fr;q=0.9,en;q=0.8", "ar-MA,ar;q=0.9,fr;q=0.8", "en-US,en;q=0.9", "zgh")
"""Accept-Language headers of readers: the landing page without a language in its URL is one variant
per header; browsers send it with every other request too, where it must make no difference."""


@dataclass(frozen=True)
class Variant:
    """One distinct answer: a URL as the service is asked for it, the encoding, and (for the page
    without a language in its URL) the reader's Accept-Language."""

    target: str
    encoding: str
    accept_language: str = ""

    @property
    def compressible(self) -> bool:
        return not self.target.split("?")[0].endswith(".png")


def badge_targets() -> list[str]:
    """Every badge in its query form: SVG, PNG at each scale, the embed script's."""
    svg = [
        f"/badge.svg?lang={lang}&style={style}&theme={theme}"
        for lang in LANGUAGES
        for style in STYLES
        for theme in THEMES
    ]
    png = [
        f"/badge.png?lang={lang}&style={style}&theme={theme}&scale={scale}"
        for lang in LANGUAGES
        for style in STYLES
        for theme in THEMES
        for scale in SCALES
    ]
    embedded = [
        f"/embed/badge.svg?lang={lang}&style={style}&theme={theme}"
        for lang in LANGUAGES
        for style in STYLES
        for theme in THEMES
    ]
    return svg + png + embedded


def query_targets() -> list[str]:
    """Every URL in its query form, and ``/api/counter.json``, which has no path form of its own (the
    script asks for it first) but reads ``lang`` like the others."""
    api = [f"/api/{name}.json?lang={lang}" for name in ("counter", "shields") for lang in LANGUAGES]
    texts = [
        f"/embed/text.svg?lang={lang}&part={part}&theme={theme}"
        for lang in LANGUAGES
        for part in TEXT_PARTS
        for theme in THEMES
    ]
    pages = [f"/?lang={lang}" for lang in LANGUAGES] + ["/"]
    cards = [f"/card.png?lang={lang}" for lang in LANGUAGES]
    return [*badge_targets(), *api, "/api/counter.json", *texts, *pages, "/embed.js", *cards]


def path_targets() -> list[str]:
    """Every URL in its path form, the README's second column: the embed script's pictures for today
    (``DAY``): each badge, each whole text and the first ``WORDS`` of each language's sentence."""
    looks = [(lang, style, theme) for lang in LANGUAGES for style in STYLES for theme in THEMES]
    svg = [f"/badge/{lang}/{style}/{theme}.svg" for lang, style, theme in looks]
    png = [f"/badge/{lang}/{style}/{theme}@{scale}x.png" for lang, style, theme in looks for scale in SCALES]
    embedded = [f"/embed/{DAY}/{lang}/badge/{style}/{theme}.svg" for lang, style, theme in looks]
    api = [f"/api/{lang}/{name}.json" for name in ("counter", "shields") for lang in LANGUAGES]
    texts = [
        f"/embed/{DAY}/{lang}/text/{part}/{theme}.svg" for lang in LANGUAGES for part in TEXT_PARTS for theme in THEMES
    ]
    words = [f"/embed/{DAY}/{lang}/text/sentence/light/{word}.svg" for lang in LANGUAGES for word in WORDS]
    pages = [f"/{lang}/" for lang in LANGUAGES]
    cards = [f"/card/{lang}.png" for lang in LANGUAGES]
    return [*svg, *png, *embedded, *api, *texts, *words, *pages, *cards]


PATH_TARGETS = frozenset(path_targets())


def targets() -> list[str]:
    """Every URL a reader's browser or an embedding page asks for, one spelling each, in both forms."""
    return [*query_targets(), *path_targets()]


def every_variant() -> list[Variant]:
    """Each URL in each encoding the service can send it in (PNG only as it is)."""
    found = []
    for target in targets():
        languages = READER_LANGUAGES if target == "/" else ("",)
        if Variant(target, "").compressible:
            found += [Variant(target, encoding, language) for encoding in ENCODINGS for language in languages]
        else:
            found += [Variant(target, "", language) for language in languages]
    return found


def spellings(target: str, number: int) -> list[str]:
    """Other ways of asking for ``target`` that mean the same: tracking and cache-busting parameters the
    service ignores (``number`` makes each one new), a language in capitals; on a path form, any query."""
    if target in PATH_TARGETS:
        return [f"{target}?v={number}", f"{target}?utm_source=feed{number}", f"{target}?fbclid={number}"]
    if target.startswith("/?lang="):
        lang = target.removeprefix("/?lang=")
        return [
            f"/?lang={lang}&utm_source=feed{number}&utm_medium=rss",
            f"/?fbclid=IwAR{number}&lang={lang}",
            f"/?lang={lang.upper()}",
            f"/?lang=+{lang}+&ref={number}",
        ]
    if target == "/":
        return [f"/?utm_source=feed{number}", f"/?fbclid=IwAR{number}&utm_medium=social", "/?LANG=fr"]
    if target == "/embed.js":
        return [f"/embed.js?v={number}", f"/embed.js?nocache={number}&x=1"]
    return []


def decoded(body: bytes, content_encoding: str | None) -> bytes:
    """``body`` as the client reads it, whatever coding it was sent in."""
    if content_encoding == "br":
        return bytes(brotli.decompress(body))
    if content_encoding == "gzip":
        return gzip.decompress(body)
    if content_encoding:
        raise AssertionError(f"unexpected Content-Encoding {content_encoding!r}")
    return body
