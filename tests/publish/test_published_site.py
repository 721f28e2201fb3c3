"""A published site is the service's answers written as files: every file, every sibling, every header.

What the site must hold is written out here from the README (languages, styles, themes, scales,
the path forms) and from what the published JSON says the embed script will load; each file is
then compared with what the service itself answers for that URL on that day.
"""

import gzip
import hashlib
import json
import re
import urllib.request
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import brotli
from flask.testing import FlaskClient

from tests.conftest import SettableClock
from tests.publish.conftest import DAY, NEXT_DAY, NOON, PublishedSite
from tests.publish.static_hosts import header_rules, matching_rules
from tests.web.casablanca_calendar import days_on, next_local_midnight
from tests.web.test_page_routes import parse
from widget.config import Settings
from widget.web import create_app

LANGS = ("fr", "ar", "zgh", "en", "ary")
STYLES = ("flat", "flat-square", "plastic", "for-the-badge")
THEMES = ("light", "dark")
SCALES = (1, 2, 3, 4)
PARTS = ("sentence", "label", "message")
NEXT_NOON = datetime(2026, 11, 28, 12, tzinfo=UTC)
LAST_MINUTES = datetime(2026, 11, 27, 23, 56, tzinfo=UTC)
"""Inside the day's last five minutes, when the service tells shields.io to come back in 300 s."""
HOST_WRITES = {"Cache-Control", "Content-Encoding", "Content-Length", "Content-Type", "Date", "ETag", "Vary"}
"""What a static host writes itself (``Cache-Control`` is the one ``_headers`` rewrites, as ``Expires``)."""
LIVE_ONLY = {"Voipdown-Live", "Access-Control-Expose-Headers"}
"""What only the running service says (its answers are never a day old); a copy hours old must not."""
CLOUDFLARE_RULES = 100
CLOUDFLARE_LINE = 2000
"""Cloudflare Pages' limits on a ``_headers`` file: rules, and characters per line."""


def service(settings: Settings, instant: datetime) -> FlaskClient:
    return create_app(settings, SettableClock(instant)).test_client()


def site_files(root: Path) -> dict[str, Path]:
    """Every file of the site by the URL it answers (``fr/index.html`` answers ``/fr/``), siblings left out."""
    files = {}
    for path in root.rglob("*"):
        if path.is_file() and path.suffix not in (".br", ".gz") and path.name != "_headers":
            relative = path.relative_to(root).as_posix()
            files["/" + relative.removesuffix("index.html")] = path
    return files


def document(root: Path, lang: str) -> dict[str, Any]:
    return json.loads((root / "api" / lang / "counter.json").read_bytes())


def expected_urls(root: Path) -> set[str]:
    """What the README says a site holds, and what its counter documents say the embed script loads."""
    urls = {"/", *(f"/{lang}/" for lang in LANGS), "/api/counter.json", "/embed.js"}
    for lang in LANGS:
        urls |= {f"/api/{lang}/counter.json", f"/api/{lang}/shields.json", f"/card/{lang}.png"}
        for style in STYLES:
            for theme in THEMES:
                urls.add(f"/badge/{lang}/{style}/{theme}.svg")
                urls |= {f"/badge/{lang}/{style}/{theme}@{scale}x.png" for scale in SCALES}
    urls.add(f"/embed/{hashlib.sha256((root / 'embed.js').read_bytes()).hexdigest()[:16]}.js")
    page = (root / "index.html").read_text(encoding="utf-8")
    assets = set(re.findall(r"""["'](/assets/[0-9a-f]+/[\w.-]+)["']""", page))
    for stylesheet in [asset for asset in assets if asset.endswith(".css")]:
        css = (root / stylesheet.removeprefix("/")).read_text(encoding="utf-8")
        folder = stylesheet.rsplit("/", 1)[0]
        assets |= {f"{folder}/{name}" for name in re.findall(r"""url\(["']?([\w.-]+)["']?\)""", css)}
    assert len(assets) >= 4, assets  # stylesheet, script, icon, font
    urls |= assets
    for day in (DAY, NEXT_DAY):
        for lang in LANGS:
            said = document(root, lang) if day == DAY else document(root, lang)["next"]
            assert said["valid_for"] == day
            urls |= {f"/embed/{day}/{lang}/badge/{style}/{theme}.svg" for style in STYLES for theme in THEMES}
            for part in PARTS:
                if said["needs_picture"][part]:
                    for theme in THEMES:
                        urls.add(f"/embed/{day}/{lang}/text/{part}/{theme}.svg")
                        words = len(said[part].split(" "))
                        urls |= {f"/embed/{day}/{lang}/text/{part}/{theme}/{word}.svg" for word in range(1, words + 1)}
    return urls


def test_the_site_holds_every_url_a_snippet_or_the_script_can_ask_and_nothing_else(site: PublishedSite) -> None:
    files = site_files(site.root)
    assert set(files) == expected_urls(site.root)
    # Tifinagh is pictured, word by word: the script's pictures are there for today and for tomorrow.
    assert any(url.startswith(f"/embed/{DAY}/zgh/text/sentence/light/") for url in files)
    assert any(url.startswith(f"/embed/{NEXT_DAY}/zgh/text/sentence/light/") for url in files)
    assert site.report.files == len(files) and site.report.bytes == sum(path.stat().st_size for path in files.values())


def test_every_file_is_the_services_answer_for_its_url_that_day(site: PublishedSite) -> None:
    """Byte for byte what the service answers at noon that day (the next day's pictures: at noon the next day).

    shields.io's endpoint is the one answer that changes during the day (it says when to ask
    again): the file is the service's answer in the day's last five minutes, 300 seconds.
    """
    today, tomorrow = service(site.settings, NOON), service(site.settings, NEXT_NOON)
    last_minutes = service(site.settings, LAST_MINUTES)
    files = site_files(site.root)
    for url, path in files.items():
        answer = (tomorrow if url.startswith(f"/embed/{NEXT_DAY}/") else today).get(url)
        assert answer.status_code == 200, url
        if url.endswith("/shields.json"):
            assert json.loads(path.read_bytes()) == {**answer.get_json(), "cacheSeconds": 300}, url
            assert path.read_bytes() == last_minutes.get(url).get_data(), url
        else:
            assert path.read_bytes() == answer.get_data(), url
    assert document(site.root, "fr")["count"] == days_on(NOON.date()) == 3979
    assert document(site.root, "fr")["next"]["count"] == 3980 and document(site.root, "fr")["next"]["ended"] is True


def test_precompressed_siblings_are_the_services_compressed_answers(site: PublishedSite) -> None:
    today, tomorrow = service(site.settings, LAST_MINUTES), service(site.settings, NEXT_NOON)
    siblings = 0
    for url, path in site_files(site.root).items():
        client = tomorrow if url.startswith(f"/embed/{NEXT_DAY}/") else today
        for coding, suffix, decompress in (("br", ".br", brotli.decompress), ("gzip", ".gz", gzip.decompress)):
            answer = client.get(url, headers={"Accept-Encoding": coding})
            sibling = path.with_name(path.name + suffix)
            if answer.headers.get("Content-Encoding") != coding:
                assert not sibling.exists(), sibling
                assert path.suffix == ".png" or path.stat().st_size < 200, url  # text is compressed unless tiny
                continue
            assert sibling.read_bytes() == answer.get_data(), sibling
            assert decompress(sibling.read_bytes()) == path.read_bytes(), sibling
            siblings += 1
    assert siblings == site.report.siblings > 300
    assert len(list(site.root.rglob("*.br"))) + len(list(site.root.rglob("*.gz"))) == siblings


def test_the_headers_file_gives_each_url_the_services_headers(site: PublishedSite) -> None:
    """One rule per URL; the service's policies, CORS and ``nosniff``; a day's files fresh until its midnight."""
    text = (site.root / "_headers").read_text(encoding="utf-8")
    rules = header_rules(text)
    assert len(rules) <= CLOUDFLARE_RULES and max(map(len, text.splitlines())) <= CLOUDFLARE_LINE
    today, tomorrow = service(site.settings, NOON), service(site.settings, NEXT_NOON)
    for url in site_files(site.root):
        matched = matching_rules(rules, url)
        assert len(matched) == 1, (url, [pattern for pattern, _ in matched])  # merged duplicates would corrupt
        given = dict(matched[0][1])
        next_day = url.startswith(f"/embed/{NEXT_DAY}/")
        served = (tomorrow if next_day else today).get(url).headers
        expected = {name: value for name, value in served.items() if name not in HOST_WRITES | LIVE_ONLY}
        assert {name: value for name, value in given.items() if name not in ("Cache-Control", "Expires")} == expected
        assert given["X-Content-Type-Options"] == "nosniff" and "Content-Security-Policy" in given, url
        if url == "/embed.js" or re.fullmatch(r"/embed/[0-9a-f]{16}\.js|/assets/.*", url):
            assert given["Cache-Control"] == served["Cache-Control"] and "Expires" not in given, url
        else:
            midnight = next_local_midnight(NEXT_NOON if next_day else NOON)
            assert given["Expires"] == format_datetime(midnight, usegmt=True), url
            assert "public" in given["Cache-Control"] and "max-age" not in given["Cache-Control"], url


def absolute_urls(html: str, site: PublishedSite) -> set[str]:
    """Every URL on the site a page names (attributes, snippets), as a path without query or fragment."""
    found = set(re.findall(re.escape(site.host.url) + r"""(/[^\s"'<>&\[\])]*)""", html))
    found |= {url for url in re.findall(r"""(?:href|src)="(/[^"]*)\"""", html)}
    return {url.split("?")[0].split("#")[0] for url in found}


def test_the_pages_link_only_to_files_of_the_site(site: PublishedSite) -> None:
    files = site_files(site.root)
    for page in ("/", *(f"/{lang}/" for lang in LANGS)):
        html = files[page].read_text(encoding="utf-8")
        linked = absolute_urls(html, site)
        assert {f"/{lang}/" for lang in LANGS} | {"/embed.js"} <= linked, page  # alternates, snippets
        assert any(url.startswith("/assets/") for url in linked) and any(url.startswith("/card/") for url in linked)
        missing = {url for url in linked if url not in files}
        assert not missing, (page, missing)


def test_each_language_link_leads_to_the_page_in_that_language(site: PublishedSite) -> None:
    """Through the static host, which ignores query strings: the language switch must link the path forms."""
    for page in ("/", "/fr/", "/ar/", "/zgh/"):
        html = (site.root / page.removeprefix("/") / "index.html").read_bytes()
        links = [tag for tag in parse(html).find("a") if tag.get("hreflang")]
        assert {tag["hreflang"] for tag in links} == set(LANGS), page
        for tag in links:
            with urllib.request.urlopen(urljoin(site.host.url + page, str(tag["href"])), timeout=5) as response:
                (root,) = parse(response.read()).find("html")
            assert root["lang"] == tag["hreflang"], (page, tag["href"])


def test_the_root_is_the_default_languages_page_as_the_service_answers_it(
    site: PublishedSite, silenced: PublishedSite
) -> None:
    """A static host cannot read Accept-Language: ``/`` is the service's answer to a request that sends none."""
    for published, lang in ((site, "fr"), (silenced, "ar")):
        body = (published.root / "index.html").read_bytes()
        assert body == service(published.settings, NOON).get("/").get_data()
        (root,) = parse(body).find("html")
        assert root["lang"] == lang
        assert parse(body).find("link", rel="canonical")[0]["href"] == published.host.url + "/"


def test_the_kill_switch_is_in_every_published_counter(silenced: PublishedSite) -> None:
    for path in [silenced.root / "api" / "counter.json", *silenced.root.glob("api/*/counter.json")]:
        assert json.loads(path.read_bytes())["embed_enabled"] is False, path
