"""Content codings: an answer compressed in ``br`` and ``gzip``, and which of them a request accepts.

A badge or a page is the same bytes all day for thousands of clients, so each is compressed
once, when it is built, and kept with it: a request only picks a form (``Accept-Encoding``, with
its q-values), never compresses. Each form has its own strong ``ETag`` (a validator names exact
bytes), and every answer whose type is compressible says ``Vary: Accept-Encoding`` so a shared
cache keeps the forms apart. PNG is compressed already and is sent as it is.

Compression is deterministic (gzip without a time stamp), so every instance of the service
sends the same bytes, and the same ``ETag``, for the same answer and coding.
"""

import gzip
import sys
from collections.abc import Iterable
from functools import lru_cache

import brotli

IDENTITY = "identity"
CODINGS = ("br", "gzip")
"""The codings offered, in the order preferred when a client accepts several equally."""
COMPRESSIBLE_TYPES = frozenset(
    {"image/svg+xml", "text/html", "text/javascript", "application/json", "text/css", "font/ttf", "text/plain"}
)
"""Media types worth compressing: text, and fonts (outlines compress to half)."""
BROTLI_QUALITY = 10
"""Within 1-2 % of brotli's densest (11) on our answers, in a fifth of its time (about 10 ms for a
10 KB badge); paid once per answer per day, and the bytes are sent all day to every client."""
QUICK_BROTLI_QUALITY = 5
"""For answers only one client will get (``Cache-Control: private``): a fraction of a millisecond, so
a flood of distinct private answers costs no more to compress than to build."""
GZIP_LEVEL = 9
ALIASES = {"x-gzip": "gzip"}
"""Older names of a coding (RFC 9110 8.4.1.3)."""


def is_compressible(content_type: str) -> bool:
    """Whether answers of ``content_type`` are sent compressed to clients that accept it."""
    return content_type.split(";")[0].strip().lower() in COMPRESSIBLE_TYPES


def compress(body: bytes, coding: str, shared: bool) -> bytes:
    """``body`` in ``coding`` (``br`` or ``gzip``); ``shared`` answers get the densest affordable brotli."""
    if coding == "br":
        return bytes(brotli.compress(body, quality=BROTLI_QUALITY if shared else QUICK_BROTLI_QUALITY))
    return gzip.compress(body, compresslevel=GZIP_LEVEL, mtime=0)


def _weights(accept_encoding: str) -> dict[str, float]:
    """``{coding: q}`` from an ``Accept-Encoding`` header; a malformed q counts as 0 (not acceptable)."""
    weights: dict[str, float] = {}
    for item in accept_encoding.split(","):
        name, _, parameters = item.partition(";")
        coding = ALIASES.get(name.strip().lower(), name.strip().lower())
        if not coding:
            continue
        quality = 1.0
        for parameter in parameters.split(";"):
            key, _, value = parameter.partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = min(max(float(value.strip()), 0.0), 1.0)
                except ValueError:
                    quality = 0.0
        weights[coding] = max(quality, weights.get(coding, 0.0))
    return weights


@lru_cache(maxsize=256)
def preference(accept_encoding: str | None) -> tuple[str, ...]:
    """The codings a client accepts, best first: higher q first, then ``br``, ``gzip``, identity.

    Identity is acceptable unless refused outright (``identity;q=0``, or ``*;q=0`` without an
    ``identity`` entry), and comes after any compressed coding the client did not weigh below it.
    Kept per header value (few distinct ones are in use) in a bounded cache; the fast path keys
    on the result, so every spelling of the same preference shares one entry.
    """
    if not accept_encoding:
        return (IDENTITY,)
    weights = _weights(accept_encoding)
    anything = weights.get("*")
    ranked = [(weights.get(coding, anything or 0.0), index, coding) for index, coding in enumerate(CODINGS)]
    if IDENTITY in weights or anything is not None:
        ranked.append((weights.get(IDENTITY, anything or 0.0), len(CODINGS), IDENTITY))
    else:
        ranked.append((sys.float_info.min, len(CODINGS), IDENTITY))
    return tuple(coding for quality, _, coding in sorted(ranked, key=lambda item: (-item[0], item[1])) if quality > 0)


def choose(preferred: tuple[str, ...], available: Iterable[str]) -> str:
    """The first of ``preferred`` among ``available`` codings; identity when none is (a plain body beats a 406)."""
    offered = set(available)
    return next((coding for coding in preferred if coding in offered), IDENTITY)
