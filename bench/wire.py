"""Bytes on the wire: our badges as sent, shields.io's badge for the same text, and the embed script.

A counter lives on thousands of pages, so what a view costs is mostly bytes. Our badges are
fetched from the running service as a client that accepts no compression, gzip or brotli would
fetch them, and counted as sent. shields.io's badge for the same text is drawn by its own library,
the npm package ``badge-maker`` (installed under ``bench/shields/``: ``npm ci --prefix
bench/shields``), from our ``/api/shields.json``, which is what shields.io's endpoint badge reads;
its compressed sizes are computed here (gzip -9, brotli quality 11), as a CDN in front of it
would send them.
"""

import gzip
import json
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import brotli

from bench.servers import get
from bench.targets import EMBED_GZIP_BYTES, PNG_BYTES, SVG_WIRE_BYTES, Judgement
from widget.render.badge import STYLES
from widget.render.palette import THEMES
from widget.text.catalog import available_languages

SHIELDS = Path(__file__).resolve().parent / "shields"
SHIELDS_SCRIPT = SHIELDS / "render.mjs"
ENCODINGS = {"raw": "", "gzip": "gzip", "br": "br"}
"""What the client sends in ``Accept-Encoding``, by the column it fills."""


def gzip_size(body: bytes) -> int:
    return len(gzip.compress(body, compresslevel=9, mtime=0))


def brotli_size(body: bytes) -> int:
    return len(brotli.compress(body, quality=11))


@dataclass(frozen=True)
class Sent:
    """One answer as it crossed the wire."""

    size: int
    encoding: str
    """Its ``Content-Encoding``, or ``""`` when it was sent as is."""


def fetch(port: int, path: str, accept: str) -> Sent:
    """``path`` asked with ``Accept-Encoding: accept`` (none when empty); a non-200 is an error."""
    status, headers, body = get(port, path, {"Accept-Encoding": accept} if accept else {})
    if status != 200:
        raise RuntimeError(f"{path} with Accept-Encoding {accept or 'none'} answered {status}")
    return Sent(len(body), headers.get("Content-Encoding", ""))


@dataclass
class LanguageBytes:
    """One language's flat light badge, ours as sent and shields.io's, and our largest SVG and PNG badges."""

    lang: str
    ours: dict[str, Sent] = field(default_factory=dict)
    """By column of ``ENCODINGS``."""
    largest_compressed: int = 0
    """The largest SVG badge (any style and theme) sent to a client accepting gzip or br."""
    largest_variant: str = ""
    shields: dict[str, int] = field(default_factory=dict)
    """raw, gzip, br: shields.io's flat badge for the same text."""
    png: dict[int, int] = field(default_factory=dict)
    """The larger of the flat light and dark PNG badges, by scale."""

    def svg_judgement(self) -> Judgement:
        measure = f"largest SVG badge in `{self.lang}`, gzip or br"
        return Judgement(measure, self.largest_compressed, SVG_WIRE_BYTES, self.largest_variant)

    def png_judgements(self) -> list[Judgement]:
        return [
            Judgement(f"flat PNG badge in `{self.lang}` at scale {scale}", size, PNG_BYTES[scale])
            for scale, size in self.png.items()
        ]


@dataclass
class Wire:
    """Every language's bytes, and the embed script's."""

    languages: list[LanguageBytes] = field(default_factory=list)
    shields_note: str = ""
    """Which badge-maker drew shields.io's badges, or why they are missing."""
    embed: dict[str, Sent] = field(default_factory=dict)
    embed_gzip_9: int = 0

    def embed_judgement(self) -> Judgement:
        return Judgement("embed script, gzip -9", self.embed_gzip_9, EMBED_GZIP_BYTES)

    def judgements(self) -> list[Judgement]:
        found = [language.svg_judgement() for language in self.languages]
        found += [judgement for language in self.languages for judgement in language.png_judgements()]
        return [*found, self.embed_judgement()]


def shields_badges(formats: list[Mapping[str, str]]) -> tuple[list[bytes] | None, str]:
    """shields.io's SVG for each badge-maker format, or ``None`` and why not."""
    if shutil.which("node") is None:
        return None, "skipped: node is not installed"
    if not (SHIELDS / "node_modules" / "badge-maker").is_dir():
        return None, "skipped: badge-maker is not installed (`npm ci --prefix bench/shields`)"
    completed = subprocess.run(
        ["node", str(SHIELDS_SCRIPT)],
        input=json.dumps(formats),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if completed.returncode != 0:
        return None, f"badge-maker failed: {completed.stderr.strip()[:200]}"
    version = json.loads((SHIELDS / "node_modules" / "badge-maker" / "package.json").read_text())["version"]
    return [svg.encode("utf-8") for svg in json.loads(completed.stdout)], f"badge-maker {version}"


def _shields_format(port: int, lang: str) -> dict[str, str]:
    """What shields.io's endpoint badge reads from ``/api/shields.json``, as a badge-maker format."""
    status, _, body = get(port, f"/api/shields.json?lang={lang}")
    if status != 200:
        raise RuntimeError(f"/api/shields.json?lang={lang} answered {status}")
    endpoint = json.loads(body)
    return {
        "label": endpoint["label"],
        "message": endpoint["message"],
        "color": endpoint["color"],
        "labelColor": endpoint["labelColor"],
        "style": "flat",
    }


def measure_wire(port: int) -> Wire:
    """Every language's badge bytes, ours and shields', and the embed script's size."""
    wire = Wire()
    for lang in available_languages():
        language = LanguageBytes(lang)
        language.ours = {column: fetch(port, f"/badge.svg?lang={lang}", accept) for column, accept in ENCODINGS.items()}
        for style in STYLES:
            for theme in THEMES:
                path = f"/badge.svg?lang={lang}&style={style}&theme={theme}"
                size = max(fetch(port, path, accept).size for accept in ("gzip", "br"))
                if size > language.largest_compressed:
                    language.largest_compressed, language.largest_variant = size, f"`{path}`"
        for scale in PNG_BYTES:
            language.png[scale] = max(
                fetch(port, f"/badge.png?lang={lang}&style=flat&theme={theme}&scale={scale}", "").size
                for theme in THEMES
            )
        wire.languages.append(language)
    badges, wire.shields_note = shields_badges([_shields_format(port, language.lang) for language in wire.languages])
    for language, svg in zip(wire.languages, badges or [], strict=False):
        language.shields = {"raw": len(svg), "gzip": gzip_size(svg), "br": brotli_size(svg)}
    wire.embed = {column: fetch(port, "/embed.js", accept) for column, accept in ENCODINGS.items()}
    _, _, script = get(port, "/embed.js")
    wire.embed_gzip_9 = gzip_size(script)
    return wire
