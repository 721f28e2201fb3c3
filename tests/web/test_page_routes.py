"""The landing page and its social card over HTTP: language, snippets, proxies, meta tags, caching."""

import io
import re
import urllib.request
from dataclasses import replace
from datetime import UTC, datetime
from html.parser import HTMLParser
from urllib.parse import urljoin

import pytest
from babel.numbers import format_decimal
from flask.testing import FlaskClient
from PIL import Image, ImageDraw, ImageFont

from tests.conftest import GunicornServer, SettableClock, make_settings
from widget.render.card import Card, layout_card
from widget.text.catalog import available_languages, counter_texts, languages, page_texts
from widget.web import create_app
from widget.web.snippets import SnippetChoice, build_snippet

DEJAVU = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
"""Debian's DejaVu Sans has Latin and Arabic in one file: Pillow+raqm shapes the reference with it."""


class PageParser(HTMLParser):
    """Collects what the tests look at: tags with their attributes, ``<pre>`` texts, inline code."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.pre_texts: list[str] = []
        self.script_texts: list[str] = []
        self._in: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in.append(tag)
        if tag == "pre":
            self.pre_texts.append("")
        if tag == "script":
            self.script_texts.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._in:
            while self._in.pop() != tag:
                pass

    def handle_data(self, data: str) -> None:
        if "pre" in self._in:
            self.pre_texts[-1] += data
        if "script" in self._in:
            self.script_texts[-1] += data

    def find(self, tag: str, **attributes: str) -> list[dict[str, str | None]]:
        return [
            attrs
            for name, attrs in self.tags
            if name == tag and all(attrs.get(key.replace("_", "-")) == value for key, value in attributes.items())
        ]

    def meta(self, key: str) -> str:
        found = self.find("meta", property=key) or self.find("meta", name=key)
        assert found, f"no meta {key}"
        return str(found[0]["content"])


def parse(body: bytes) -> PageParser:
    parser = PageParser()
    parser.feed(body.decode("utf-8"))
    return parser


def html_lang(client: FlaskClient, url: str, **headers: str) -> str:
    response = client.get(url, headers=headers)
    assert response.status_code == 200
    (html,) = parse(response.data).find("html")
    assert response.headers["Content-Language"] == html["lang"]
    return str(html["lang"])


# Language


@pytest.mark.parametrize("lang", available_languages())
def test_every_language_has_a_page(client: FlaskClient, lang: str) -> None:
    response = client.get(f"/?lang={lang}")
    page = parse(response.data)
    (html,) = page.find("html")
    assert (html["lang"], html["dir"]) == (lang, languages()[lang].direction)
    assert counter_texts(lang, 3979, False).sentence in page.meta("og:title")


def test_language_comes_from_the_query_then_accept_language_then_the_default(client: FlaskClient) -> None:
    assert html_lang(client, "/") == "fr"
    assert html_lang(client, "/", **{"Accept-Language": "en-GB,en;q=0.9"}) == "en"
    assert html_lang(client, "/", **{"Accept-Language": "ar-MA,ar;q=0.9,fr;q=0.5"}) == "ar"
    assert html_lang(client, "/", **{"Accept-Language": "de-DE,de;q=0.9"}) == "fr"
    assert html_lang(client, "/", **{"Accept-Language": "de, en;q=0.2, ar;q=0.5"}) == "ar"
    assert html_lang(client, "/?lang=en", **{"Accept-Language": "ar"}) == "en"
    assert html_lang(client, "/?lang=AR") == "ar"


def test_the_configured_default_language_is_the_last_resort(clock: SettableClock) -> None:
    client = create_app(make_settings(default_lang="en"), clock).test_client()
    assert html_lang(client, "/", **{"Accept-Language": "de"}) == "en"
    assert html_lang(client, "/", **{"Accept-Language": "*"}) == "en"


def test_a_language_we_do_not_speak_is_ignored_not_refused(client: FlaskClient) -> None:
    assert html_lang(client, "/?lang=xx", **{"Accept-Language": "en"}) == "en"
    assert html_lang(client, "/?lang=") == "fr"
    assert html_lang(client, "/?lang=%ED%A0%80") == "fr"


def test_unknown_parameters_from_social_sites_are_ignored(client: FlaskClient) -> None:
    assert html_lang(client, "/?fbclid=IwAR0abc&utm_source=x&lang=ar") == "ar"


def test_only_a_page_chosen_by_accept_language_varies_on_it(client: FlaskClient) -> None:
    for url in ("/", "/?lang=xx", "/?utm_source=feed"):
        assert "Accept-Language" in client.get(url).headers["Vary"], url
    for url in ("/?lang=ar", "/ar/", "/?lang=AR&utm_source=feed"):
        assert "Accept-Language" not in client.get(url).headers.get("Vary", ""), url


def test_darija_and_tamazight_pages_are_written_in_their_own_language(client: FlaskClient) -> None:
    """Every page text of ary has Arabic letters, every zgh text Tifinagh ones (names like Markdown aside)."""
    page = parse(client.get("/?lang=ary").data)
    assert page.find("html", lang="ary", dir="rtl")
    assert not page.find("p", lang="ar"), "no Darija text borrowed from Arabic"
    page = parse(client.get("/?lang=zgh").data)
    assert page.find("html", lang="zgh", dir="ltr")
    assert not page.find("p", lang="fr"), "no Tamazight text borrowed from French"
    for code, letters in (("zgh", range(0x2D30, 0x2D80)), ("ary", range(0x0600, 0x0700))):
        for key, text in page_texts(code).items():
            assert text.lang == code, key
            assert text.text == page_texts("en")[key].text or any(
                ord(character) in letters for character in text.text
            ), (code, key, text.text)


def test_a_page_text_borrowed_from_a_fallback_says_its_language(client: FlaskClient, monkeypatch) -> None:
    """A language with a page_fallback marks each borrowed text with the fallback's lang and dir."""
    darija = languages()["ary"]
    monkeypatch.setitem(languages(), "ary", replace(darija, page={}, page_fallback="ar"))
    page = parse(client.get("/?lang=ary").data)
    assert page.find("html", lang="ary", dir="rtl")
    assert page.find("p", lang="ar", dir="rtl"), "Darija page texts fall back to Arabic, marked lang=ar"


def test_the_language_switch_offers_every_language(client: FlaskClient) -> None:
    page = parse(client.get("/?lang=en").data)
    links = {attrs["hreflang"]: attrs for attrs in page.find("a") if attrs.get("hreflang")}
    assert set(links) == set(available_languages())
    assert links["en"].get("aria-current") == "page"
    assert links["ar"]["dir"] == "rtl"


# The story and the count


def test_the_count_and_the_story_dates_come_from_the_config(clock: SettableClock) -> None:
    client = create_app(make_settings(start_date="2016-02-01"), clock).test_client()
    french = client.get("/?lang=fr").data.decode()
    assert "1 février 2016" in french
    assert format_decimal(3952, locale="fr_MA") in french
    english = client.get("/?lang=en").data.decode()
    assert "February 1, 2016" in english
    arabic = client.get("/?lang=ar").data.decode()
    assert "1 فبراير 2016" in arabic


def test_an_ended_block_tells_how_long_it_lasted(clock: SettableClock) -> None:
    client = create_app(make_settings(end_date="2016-11-04"), clock).test_client()
    text = client.get("/?lang=fr").data.decode()
    assert "Du 5 janvier 2016 au 4 novembre 2016" in text
    assert "a duré 304 jours" in text


def test_the_count_is_drawn_large(client: FlaskClient) -> None:
    body = client.get("/?lang=fr").data.decode()
    assert re.search(r'<strong class="count">3\u202f979</strong>', body)


# Snippets


def ready_snippets(body: bytes) -> list[str]:
    return parse(body).pre_texts


def test_without_javascript_ready_made_snippets_are_in_the_html(client: FlaskClient) -> None:
    response = client.get("/?lang=ar")
    page = parse(response.data)
    (builder,) = page.find("form", id="builder")
    assert "hidden" in builder, "the builder needs JavaScript, so it starts hidden"
    alt = counter_texts("ar", 0, False).label
    expected = [
        build_snippet("http://localhost/", SnippetChoice("script", "ar"), alt),
        build_snippet("http://localhost/", SnippetChoice("html", "ar"), alt),
        build_snippet("http://localhost/", SnippetChoice("markdown", "ar"), alt),
        build_snippet("http://localhost/", SnippetChoice("bbcode", "ar", image="png"), alt),
        build_snippet("http://localhost/", SnippetChoice("url", "ar", image="png"), alt),
    ]
    assert ready_snippets(response.data) == expected


def test_snippets_carry_absolute_urls(client: FlaskClient) -> None:
    script, html, markdown, bbcode, url = ready_snippets(client.get("/?lang=fr").data)
    assert script.startswith('<script async src="http://localhost/embed.js" data-lang="fr" data-variant="footer"')
    assert '<noscript><a href="http://localhost/fr/"><img src="http://localhost/badge/fr/flat/light.svg"' in script
    assert html == (
        '<a href="http://localhost/fr/">'
        '<img src="http://localhost/badge/fr/flat/light.svg" alt="VoIP bloquée au Maroc"></a>'
    )
    assert markdown == "[![VoIP bloquée au Maroc](http://localhost/badge/fr/flat/light.svg)](http://localhost/fr/)"
    assert bbcode == "[url=http://localhost/fr/][img]http://localhost/badge/fr/flat/light@1x.png[/img][/url]"
    assert url == "http://localhost/badge/fr/flat/light@1x.png"


def test_snippets_name_every_option_in_the_path() -> None:
    base = "https://counter.example/"
    choice = SnippetChoice("html", "ar", style="for-the-badge", theme="dark", image="png", scale=2)
    assert build_snippet(base, choice, 'a "b" & <c>') == (
        '<a href="https://counter.example/ar/"><img '
        'src="https://counter.example/badge/ar/for-the-badge/dark@1x.png" '
        'srcset="https://counter.example/badge/ar/for-the-badge/dark@2x.png 2x" '
        'alt="a &#34;b&#34; &amp; &lt;c&gt;"></a>'
    )
    assert build_snippet(base, SnippetChoice("url", "en", image="png", scale=3), "x") == (
        "https://counter.example/badge/en/flat/light@3x.png"
    )
    script = build_snippet(base, SnippetChoice("script", "zgh", variant="ribbon", theme="dark"), "x")
    assert 'data-lang="zgh" data-variant="ribbon" data-theme="dark"' in script
    assert "badge/zgh/flat/dark.svg" in script


FORWARDED = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "counter.example"}


def test_proxy_headers_are_ignored_unless_trusted(client: FlaskClient) -> None:
    response = client.get("/?lang=fr", headers=FORWARDED)
    text = response.data.decode()
    assert "counter.example" not in text
    assert all(snippet_urls_start(snippet, "http://localhost/") for snippet in ready_snippets(response.data))


PUBLIC_URL = "https://counter.example/voipdown"


def test_the_public_url_is_in_every_url_the_page_writes(clock: SettableClock) -> None:
    client = create_app(make_settings(public_url=PUBLIC_URL), clock).test_client()
    response = client.get("/?lang=fr", headers=FORWARDED)
    base = "https://counter.example/voipdown/"
    assert all(snippet_urls_start(snippet, base) for snippet in ready_snippets(response.data))
    page = parse(response.data)
    assert page.meta("og:image") == f"{base}card/fr.png?v=2026-11-27"
    assert page.meta("og:url") == f"{base}fr/"
    (builder,) = page.find("form", id="builder")
    assert builder["data-base"] == base
    (stylesheet,) = page.find("link", rel="stylesheet")
    assert str(stylesheet["href"]).startswith("/voipdown/assets/")
    assert "localhost" not in response.data.decode()
    assert response.headers["Cache-Control"] == "public, max-age=43200, s-maxage=43199"


def test_without_a_public_url_the_page_is_private(client: FlaskClient) -> None:
    """Its URLs come from the request, which a client chooses: no shared cache may hand them to others."""
    for headers in ({}, {"Host": "counter.example"}):
        response = client.get("/?lang=fr", headers=headers)
        directives = {part.strip().partition("=")[0] for part in response.headers["Cache-Control"].split(",")}
        assert "private" in directives and "public" not in directives and "s-maxage" not in directives


@pytest.mark.parametrize(
    ("headers", "environ", "base"),
    [
        ({"Host": "counter.example"}, {}, "http://counter.example/"),
        ({"Host": 'x"><script>alert(1)</script>'}, {}, "http://localhost/"),
        ({"Host": "[::1]:8443"}, {"wsgi.url_scheme": "https"}, "https://[::1]:8443/"),
        ({}, {"wsgi.url_scheme": "javascript"}, "http://localhost/"),
        ({}, {"SCRIPT_NAME": "//evil.example"}, "http://localhost/evil.example/"),
    ],
)
def test_odd_requests_cannot_make_odd_urls(
    client: FlaskClient, headers: dict[str, str], environ: dict[str, str], base: str
) -> None:
    """Without a public URL, only http(s), a well-formed host and a path below it reach the page."""
    page = parse(client.get("/?lang=en", headers=headers, environ_overrides=environ).data)
    assert page.meta("og:url") == f"{base}en/"
    for snippet in page.pre_texts:
        assert snippet.count("://") == snippet.count(base), snippet
    assert all(
        str(attrs["href"]).startswith("/") and not str(attrs["href"]).startswith("//")
        for attrs in page.find("link", rel="stylesheet")
    )


def test_under_gunicorn_proxy_headers_are_ignored_unless_trusted(gunicorn_server: GunicornServer) -> None:
    """The real server must not let a client pick the scheme of the snippets either."""
    request = urllib.request.Request(f"{gunicorn_server.url}/?lang=en", headers=FORWARDED)
    with urllib.request.urlopen(request, timeout=10) as response:
        page = parse(response.read())
    assert page.meta("og:url") == f"{gunicorn_server.url}/en/"


def snippet_urls_start(snippet: str, base: str) -> bool:
    urls = re.findall(r"https?://[^\s\"'\])\[]+", snippet)
    return bool(urls) and all(url.startswith(base) for url in urls)


# Meta tags, policy, caching


def test_open_graph_and_twitter_tags_point_at_todays_card(client: FlaskClient) -> None:
    page = parse(client.get("/?lang=ar").data)
    assert page.meta("og:image") == "http://localhost/card/ar.png?v=2026-11-27"
    assert page.meta("twitter:image") == page.meta("og:image")
    assert page.meta("twitter:card") == "summary_large_image"
    assert (page.meta("og:image:width"), page.meta("og:image:height")) == ("1200", "630")
    assert page.meta("og:title") == counter_texts("ar", 3979, False).sentence
    assert page.meta("og:locale") == "ar_MA"
    assert page.meta("og:url") == "http://localhost/ar/"
    assert "5 يناير 2016" in page.meta("og:description")
    (canonical,) = page.find("link", rel="canonical")
    assert canonical["href"] == "http://localhost/ar/"


def test_the_page_policy_allows_only_our_own_host_and_nothing_inline(client: FlaskClient) -> None:
    response = client.get("/")
    policy = response.headers["Content-Security-Policy"]
    assert "unsafe" not in policy and "http" not in policy and "*" not in policy
    page = parse(response.data)
    assert all(attrs.get("src", "").startswith("/assets/") for attrs in page.find("script"))
    assert page.script_texts == [""], "no inline script"
    assert not page.find("style") and not any("style" in attrs for _, attrs in page.tags)
    assert not any(name.startswith("on") for _, attrs in page.tags for name in attrs), "no inline handlers"
    for _, attrs in page.tags:
        for name in ("src", "href"):
            value = attrs.get(name) or ""
            assert not value.startswith(("//", "https://")) or "localhost" in value, value


def test_the_page_caches_until_local_midnight_and_revalidates(clock: SettableClock) -> None:
    client = create_app(make_settings(public_url=PUBLIC_URL), clock).test_client()
    response = client.get("/?lang=fr")
    assert response.headers["Cache-Control"] == "public, max-age=43200, s-maxage=43199"
    etag = response.headers["ETag"]
    again = client.get("/?lang=fr", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert again.headers.get("Vary") == response.headers.get("Vary")
    clock.set(datetime(2026, 11, 28, 0, 0, 1, tzinfo=UTC))
    tomorrow = client.get("/?lang=fr", headers={"If-None-Match": etag})
    assert tomorrow.status_code == 200
    assert "3\u202f980" in tomorrow.data.decode()


def test_page_assets_are_versioned_and_cached_for_a_year(client: FlaskClient) -> None:
    page = parse(client.get("/").data)
    (stylesheet,) = page.find("link", rel="stylesheet")
    css = client.get(str(stylesheet["href"]))
    assert css.status_code == 200 and css.mimetype == "text/css"
    assert css.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert 'url("tifinagh.ttf")' in css.data.decode()
    font = client.get(str(stylesheet["href"]).replace("page.css", "tifinagh.ttf"))
    assert font.status_code == 200 and font.mimetype == "font/ttf" and font.data[:4] == b"\x00\x01\x00\x00"
    (script,) = page.find("script")
    assert client.get(str(script["src"])).mimetype == "text/javascript"
    stale = client.get("/assets/000000000000/page.css")
    assert stale.status_code == 302
    assert urljoin("http://localhost/assets/000000000000/page.css", stale.headers["Location"]).endswith(
        str(stylesheet["href"])
    )
    assert client.get("/assets/000000000000/config.py").status_code == 404


# The social card


def open_png(body: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(body))
    image.load()
    return image


def test_the_card_is_a_1200_by_630_png_cached_until_midnight(client: FlaskClient) -> None:
    response = client.get("/card.png?lang=fr&v=2026-11-27")
    assert response.status_code == 200 and response.mimetype == "image/png"
    assert open_png(response.data).size == (1200, 630)
    assert response.headers["Cache-Control"] == "public, max-age=43200, s-maxage=43199"
    assert client.get("/card.png?lang=fr", headers={"If-None-Match": response.headers["ETag"]}).status_code == 304
    assert client.get("/card.png?lang=ar").data != response.data


@pytest.mark.parametrize("url", ["/card.png?lang=xx", "/card.png?lang=fr&fbclid=1", "/card.png?lang=fr&lang=ar"])
def test_a_bad_card_url_is_a_json_400(client: FlaskClient, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 400 and response.mimetype == "application/json"


def ink_blobs(image: Image.Image, is_ink: object) -> int:
    """Connected groups of ink pixels (8-neighbours), ignoring specks under 4 pixels."""
    width, height = image.size
    pixels = image.load()
    ink = {(x, y) for y in range(height) for x in range(width) if is_ink(pixels[x, y])}  # type: ignore[operator]
    count = 0
    while ink:
        stack = [ink.pop()]
        size = 1
        while stack:
            x, y = stack.pop()
            for neighbour in ((x + dx, y + dy) for dx in (-1, 0, 1) for dy in (-1, 0, 1)):
                if neighbour in ink:
                    ink.remove(neighbour)
                    stack.append(neighbour)
                    size += 1
        count += size >= 4
    return count


def reference_blobs(card: Card, layout: ImageFont.Layout) -> int:
    """The blobs of the card's lines drawn by Pillow: shaped with raqm (``RAQM``) or not (``BASIC``)."""
    total = 0
    for line in layout_card(card):
        font = ImageFont.truetype(DEJAVU, line.line.size, layout_engine=layout)
        image = Image.new("L", (1500, 400), 0)
        direction = "rtl" if layout == ImageFont.Layout.RAQM else None
        ImageDraw.Draw(image).text((10, 100), line.text, font=font, fill=255, direction=direction)
        total += ink_blobs(image, lambda value: value > 128)
    return total


def test_the_arabic_card_is_shaped_like_a_raqm_reference(client: FlaskClient) -> None:
    """Joined letters make fewer blobs than isolated ones: the card must match the shaped count."""
    texts = counter_texts("ar", 3979, False)
    card = Card(texts.message, texts.sentence, texts.label, "ar", "rtl")
    drawn = ink_blobs(open_png(client.get("/card.png?lang=ar").data).convert("RGB"), lambda rgb: rgb[1] > 128)
    shaped = reference_blobs(card, ImageFont.Layout.RAQM)
    unshaped = reference_blobs(card, ImageFont.Layout.BASIC)
    assert unshaped > shaped * 1.15, "the reference must tell shaped from unshaped text"
    assert abs(drawn - shaped) <= 2, (drawn, shaped, unshaped)
