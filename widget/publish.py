"""``voipdown publish DIR``: the whole counter as static files, for hosts that serve files and nothing else.

The original VoIP Down counter cost its maintainers nothing: a static site that 193 blogs
embedded. A campaign's counter has to outlive its budget, so this one can run without a server
too: ``publish`` writes, for the current local day, every file a reader, a pasted snippet or the
embed script asks for, and a daily job (``deploy/``) rebuilds the site just after local midnight
for any static host (GitHub Pages, Cloudflare Pages, Netlify, an S3 bucket, any nginx).

There is one source of truth: each file is the service's own answer to its URL, got by asking
the application through Flask's test client with a clock standing in the day being published.
Nothing is rendered a second way, so a published file is byte for byte what the service sends
for the same URL that day (a test compares them), and its ``.br``/``.gz`` siblings are the
service's own compressed answers (for hosts that serve precompressed files: nginx's
``gzip_static``, Caddy's ``precompressed``).

What a static host cannot do, and what the site does instead:

- It ignores query strings, so only path forms are published (``widget.web.paths``), the forms
  snippets hand out; ``/api/counter.json`` (no query: the default language) is there too, since
  the embed script asks it first.
- It cannot negotiate ``Accept-Language``: ``/`` is the service's answer to a request without
  one, the default language's page, which names itself ``x-default`` and links every language's
  own ``/<lang>/``.
- It cannot count ``max-age`` down to midnight: the ``_headers`` file (Netlify's and Cloudflare
  Pages' syntax) gives each day's files ``Expires`` at the next local midnight instead, with the
  service's other headers (policies, CORS, ``nosniff``) but ``Voipdown-Live``, which only the
  running service may send; the script and the page's assets keep the service's
  ``Cache-Control``. Hosts that read no such file (GitHub Pages) send their own.
- It cannot shorten shields.io's ``cacheSeconds`` as midnight nears: every file is the answer the
  service gives in the day's last five minutes (``LAST_PERIOD``), the same bytes as all day except
  for ``/api/<lang>/shields.json``, which then says shields.io's floor of 300 seconds.
- A daily job can start late (GitHub's often run an hour late): the counter JSON carries the next
  day's texts (``next``) and the next day's embed pictures are published too, under their own
  day's folder, so an embedded widget shows the new count at local midnight from files hours old.
  Badges and the page are as late as the rebuild.

The site is written into a temporary directory beside ``DIR`` and swapped in as a whole (one
``renameat2`` exchange on Linux, else two renames), so a failed run never leaves a half-written
site: it removes its temporary directory and leaves ``DIR`` as it was (a run killed outright leaves
its ``.DIR.*.publishing`` directory behind, and ``DIR`` as it was). ``DIR`` is replaced whole each
time: it must be new, empty, or a site published before (its ``_headers`` says so).
"""

import ctypes
import errno
import os
import shutil
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from flask.testing import FlaskClient
from werkzeug.datastructures import Headers
from werkzeug.http import http_date, parse_cache_control_header

from widget.config import Settings
from widget.counting import counter_state
from widget.render.badge import STYLES
from widget.render.palette import THEMES
from widget.render.png import SCALES
from widget.text.catalog import available_languages
from widget.web import create_app, paths
from widget.web.api import LIVE_HEADER, SHIELDS_MIN_CACHE_SECONDS
from widget.web.assets import ASSETS, asset_path
from widget.web.embed import embed_script
from widget.web.encodings import CODINGS
from widget.web.pictures import words_of

LAST_PERIOD = timedelta(seconds=SHIELDS_MIN_CACHE_SECONDS)
"""Files are the answers given this long before the day ends (see the module's docstring)."""
SIBLING_SUFFIXES = {"br": ".br", "gzip": ".gz"}
"""The file name suffix of each content coding's precompressed sibling, as nginx and Caddy look for them."""
HEADERS_FILE = "_headers"
HEADERS_SIGNATURE = "# voipdown publish"
"""How ``_headers`` begins: a directory holding it is a site published before, which may be replaced."""
HOST_HEADERS = frozenset(
    {"cache-control", "content-encoding", "content-length", "content-type", "date", "etag", "last-modified", "vary"}
)
"""Headers a static host writes itself from the file it serves; ``Cache-Control`` is rewritten here."""
SERVICE_ONLY_HEADERS = frozenset({LIVE_HEADER.lower(), "access-control-expose-headers"})
"""What only the running service may say: that its answer is live, so never a day old. A copy hours
old must not, or a widget reading it would not turn to ``next`` at midnight (``widget.web.api``)."""
DAILY_CACHE_CONTROL = "public, must-revalidate"
"""With ``Expires`` at the next local midnight: kept until then whenever it was fetched (a static host
cannot count ``max-age`` down), then asked again."""
RENAME_EXCHANGE = 2
"""``renameat2``'s flag swapping two paths in one step (linux/fs.h)."""
AT_FDCWD = -100
"""``renameat2``'s "relative to the working directory" (fcntl.h)."""


class PublishError(Exception):
    """Why the site could not be published; ``str()`` is the one line shown."""


@dataclass(frozen=True)
class SiteFile:
    """One URL of the site: where the service answers it, and under which ``_headers`` rule it falls."""

    url: str
    """The path the service answers (``/badge/fr/flat/light.svg``, ``/fr/``); the file is named after it."""
    rule: str
    """The ``_headers`` pattern its headers are written under; every file under one rule has the same headers."""
    daily: bool = True
    """Whether it changes at local midnight (else only with a release: the script, the page's assets)."""

    @property
    def name(self) -> str:
        """The file's name in the site: the URL's path, ``index.html`` for a path ending in ``/``."""
        relative = self.url.removeprefix("/")
        return f"{relative}index.html" if relative == "" or relative.endswith("/") else relative


@dataclass(frozen=True)
class Fetched:
    """The service's answer for one file: the body, its compressed forms, and the headers a host should send."""

    file: SiteFile
    body: bytes
    encoded: dict[str, bytes]
    """The service's answer in each coding it compresses this file in (``br``, ``gzip``)."""
    headers: tuple[tuple[str, str], ...]
    """What ``_headers`` says for this file."""


@dataclass(frozen=True)
class PublishReport:
    """What was published, as the command prints it."""

    day: date
    directory: Path
    files: int
    bytes: int
    compressed_bytes: int
    """Every file's smallest form: what a client accepting ``br`` transfers to load each file once."""
    siblings: int
    seconds: float

    def summary(self) -> str:
        """One line for the maintainer (and the daily job's log)."""
        return (
            f"published {self.day.isoformat()} to {self.directory}: {self.files:,} files, {self.bytes:,} bytes "
            f"({self.compressed_bytes:,} as br where it helps), {self.siblings:,} .br/.gz siblings and "
            f"{HEADERS_FILE}, in {self.seconds:.1f} s"
        )


class StandingClock:
    """The clock the service is asked with: it stands where the publisher puts it."""

    def __init__(self, instant: datetime) -> None:
        self.instant = instant

    def __call__(self) -> datetime:
        return self.instant


def day_files() -> list[SiteFile]:
    """Every URL of a day's site but the embed script's pictures: pages, badges, JSON, cards, script, assets."""
    languages = available_languages()
    files = [SiteFile("/", "/")]
    files += [SiteFile(paths.PAGE.path(lang=lang), paths.PAGE.path(lang=lang)) for lang in languages]
    for lang in languages:
        for style in STYLES:
            for theme in THEMES:
                files.append(SiteFile(paths.BADGE_SVG.path(lang=lang, style=style, theme=theme), "/badge/*.svg"))
                files += [
                    SiteFile(paths.BADGE_PNG.path(lang=lang, style=style, theme=theme, scale=scale), "/badge/*.png")
                    for scale in SCALES
                ]
    files.append(SiteFile("/api/counter.json", "/api/*"))
    for lang in languages:
        files.append(SiteFile(paths.COUNTER_JSON.path(lang=lang), "/api/*"))
        files.append(SiteFile(paths.SHIELDS_JSON.path(lang=lang), "/api/*"))
    files += [SiteFile(paths.CARD_PNG.path(lang=lang), "/card/*") for lang in languages]
    script = embed_script().versioned_path
    files += [SiteFile("/embed.js", "/embed.js", daily=False), SiteFile(script, script, daily=False)]
    files += [SiteFile(asset_path("/", name), asset_path("/", name), daily=False) for name in ASSETS]
    return files


def embed_files(day: str, documents: Mapping[str, Mapping[str, Any]]) -> list[SiteFile]:
    """What the embed script loads on ``day``, in each language, read from that day's counter ``documents``.

    The badge copies in every style and theme, and each text the document says is shown as a
    picture (``needs_picture``), whole and word by word as the script cuts it, in both themes.
    """
    rule = f"/embed/{day}/*"
    files = []
    for lang, document in documents.items():
        for style in STYLES:
            for theme in THEMES:
                files.append(SiteFile(paths.EMBEDDED_BADGE.path(day=day, lang=lang, style=style, theme=theme), rule))
        for part, pictured in document["needs_picture"].items():
            if not pictured:
                continue
            for theme in THEMES:
                files.append(SiteFile(paths.TEXT.path(day=day, lang=lang, part=part, theme=theme), rule))
                for word in range(1, len(words_of(document[part])) + 1):
                    url = paths.TEXT_WORD.path(day=day, lang=lang, part=part, theme=theme, word=word)
                    files.append(SiteFile(url, rule))
    return files


def _headers_for(file: SiteFile, headers: Headers, instant: datetime) -> tuple[tuple[str, str], ...]:
    """The service's headers a host should send for ``file``; a day's lifetime becomes an ``Expires``."""
    left_out = HOST_HEADERS | SERVICE_ONLY_HEADERS
    kept = [(name, value) for name, value in headers.items() if name.lower() not in left_out]
    control = headers.get("Cache-Control", "")
    if not file.daily:
        kept.append(("Cache-Control", control))
    else:
        max_age = parse_cache_control_header(control).max_age
        if max_age is None or "public" not in control:
            raise PublishError(f"{file.url} is not cacheable by everyone (Cache-Control: {control})")
        kept += [("Cache-Control", DAILY_CACHE_CONTROL), ("Expires", http_date(instant + timedelta(seconds=max_age)))]
    return tuple(sorted(kept))


def _fetch(client: FlaskClient, file: SiteFile, instant: datetime) -> Fetched:
    """The service's answer for ``file``, as it is and in each coding; anything but a ``200`` stops the run."""
    response = client.get(file.url)
    if response.status_code != 200:
        said = response.get_data(as_text=True).splitlines()[:1]
        raise PublishError(f"{file.url} answered {response.status}: {' '.join(said)[:200]}")
    encoded = {}
    for coding in CODINGS:
        compressed = client.get(file.url, headers={"Accept-Encoding": coding})
        if compressed.headers.get("Content-Encoding") == coding:
            encoded[coding] = compressed.get_data()
    return Fetched(file, response.get_data(), encoded, _headers_for(file, response.headers, instant))


def _fetch_all(client: FlaskClient, files: Sequence[SiteFile], instant: datetime) -> Iterator[Fetched]:
    """Each of ``files`` as the service answers it; a URL listed twice is a mistake in the lists above."""
    seen: set[str] = set()
    for file in files:
        if file.url in seen:
            raise PublishError(f"{file.url} is listed twice")
        seen.add(file.url)
        yield _fetch(client, file, instant)


def build_site(settings: Settings, now: datetime) -> tuple[date, list[Fetched]]:
    """Every file of the site for the local day at ``now``, as the service answers it (see the module's docstring)."""
    today = counter_state(settings.start_date, settings.end_date, settings.zone, now)
    tomorrow = counter_state(settings.start_date, settings.end_date, settings.zone, today.next_change)
    clock = StandingClock(today.next_change - LAST_PERIOD)
    client = create_app(settings, clock).test_client()
    fetched = list(_fetch_all(client, day_files(), clock.instant))
    documents = {lang: client.get(paths.COUNTER_JSON.path(lang=lang)).get_json() for lang in available_languages()}
    fetched += _fetch_all(client, embed_files(today.local_date.isoformat(), documents), clock.instant)
    clock.instant = tomorrow.next_change - LAST_PERIOD
    following = {lang: document["next"] for lang, document in documents.items()}
    fetched += _fetch_all(client, embed_files(tomorrow.local_date.isoformat(), following), clock.instant)
    return today.local_date, fetched


def headers_file(day: date, fetched: Sequence[Fetched]) -> str:
    """``_headers``: one rule per group of files, each with the headers every file of the group shares."""
    rules: dict[str, tuple[tuple[str, str], ...]] = {}
    for item in fetched:
        found = rules.setdefault(item.file.rule, item.headers)
        if found != item.headers:
            raise PublishError(f"{item.file.url} has other headers than the rest of {item.file.rule}")
    lines = [
        f"{HEADERS_SIGNATURE} {day.isoformat()}: the headers the service sends, for hosts that read this file",
        "# (Netlify, Cloudflare Pages). A day's files are fresh until the next local midnight (Expires).",
    ]
    for rule, headers in rules.items():
        lines += ["", rule, *(f"  {name}: {value}" for name, value in headers)]
    return "\n".join(lines) + "\n"


def _write(site: Path, day: date, fetched: Sequence[Fetched]) -> int:
    """Write every file and its siblings under ``site``; returns how many siblings."""
    siblings = 0
    for item in fetched:
        target = site / item.file.name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(item.body)
        for coding, body in item.encoded.items():
            target.with_name(target.name + SIBLING_SUFFIXES[coding]).write_bytes(body)
            siblings += 1
    (site / HEADERS_FILE).write_text(headers_file(day, fetched), encoding="utf-8")
    return siblings


def _may_replace(directory: Path) -> bool:
    """Whether ``directory`` is empty or a site published before: anything else is not ours to delete."""
    if not any(directory.iterdir()):
        return True
    marker = directory / HEADERS_FILE
    return marker.is_file() and marker.read_text(encoding="utf-8", errors="replace").startswith(HEADERS_SIGNATURE)


def _exchange(first: Path, second: Path) -> bool:
    """Swap two directories in one step (Linux's ``renameat2`` with ``RENAME_EXCHANGE``).

    ``False`` where the system or the file system cannot, so the caller falls back to two renames.
    """
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = (ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint)
    renameat2.restype = ctypes.c_int
    if renameat2(AT_FDCWD, os.fsencode(first), AT_FDCWD, os.fsencode(second), RENAME_EXCHANGE) == 0:
        return True
    failure = ctypes.get_errno()
    if failure in (errno.ENOSYS, errno.EINVAL):
        return False
    raise OSError(failure, os.strerror(failure), str(second))


def swap_in(staging: Path, directory: Path) -> Path | None:
    """Put the complete site at ``staging`` in ``directory``'s place; returns where the replaced site now is.

    Readers of ``directory`` see the old site or the new one, never a mix: in one step where the
    system can exchange two directories, else between two renames (if the second fails, the old
    site is put back).
    """
    if not directory.exists():
        staging.rename(directory)
        return None
    if _exchange(staging, directory):
        return staging
    retired = staging.with_name(staging.name + ".old")
    directory.rename(retired)
    try:
        staging.rename(directory)
    except OSError:
        retired.rename(directory)
        raise
    return retired


def publish_site(directory: Path, settings: Settings, now: datetime) -> PublishReport:
    """Publish the site for the local day at ``now`` into ``directory``, replacing what a previous run wrote."""
    started = time.perf_counter()
    if settings.public_url is None:
        raise PublishError("publishing needs the address the files will be served at (public_url)")
    directory = directory.absolute()
    if directory.exists() and not directory.is_dir():
        raise PublishError(f"{directory} is not a directory")
    if directory.is_dir() and not _may_replace(directory):
        raise PublishError(
            f"{directory} holds other files than a published site: publish into a new or empty directory "
            "(it is replaced whole by each run)"
        )
    day, fetched = build_site(settings, now)
    directory.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{directory.name}.", suffix=".publishing", dir=directory.parent))
    try:
        staging.chmod(0o755)  # mkdtemp's 0700 would hide the site from the web server's user
        siblings = _write(staging, day, fetched)
        replaced = swap_in(staging, directory)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    if replaced is not None:
        shutil.rmtree(replaced)
    return PublishReport(
        day=day,
        directory=directory,
        files=len(fetched),
        bytes=sum(len(item.body) for item in fetched),
        compressed_bytes=sum(min([len(item.body), *map(len, item.encoded.values())]) for item in fetched),
        siblings=siblings,
        seconds=time.perf_counter() - started,
    )
