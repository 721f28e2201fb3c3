"""URLs without query strings: each path form answers with the bytes and headers of its query form.

A static host ignores query strings, so every URL a snippet hands out or the embed script asks
for has a path form. The expected URLs are written out here as the README lists them, never
built with the service's own templates; the query forms they must equal are the ones pasted in
pages since the first release.
"""

import gzip
import re
from typing import Any

import brotli
import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import Client

from tests.conftest import SettableClock, make_settings
from tests.web.test_page_routes import parse
from widget.web import create_app
from widget.web.fast_path import DailyResponseCache

LANGS = ("fr", "ar", "zgh", "en", "ary")
STYLES = ("flat", "flat-square", "plastic", "for-the-badge")
THEMES = ("light", "dark")
SCALES = (1, 2, 3, 4)
DAY = "2026-11-27"  # the test clock's local date in Casablanca

SAME = [
    *(
        (f"/badge/{lang}/{style}/{theme}.svg", f"/badge.svg?lang={lang}&style={style}&theme={theme}")
        for lang in LANGS
        for style in STYLES
        for theme in THEMES
    ),
    *(
        (
            f"/badge/{lang}/{style}/{theme}@{scale}x.png",
            f"/badge.png?lang={lang}&style={style}&theme={theme}&scale={scale}",
        )
        for lang in ("ar", "zgh")
        for style in STYLES
        for theme in THEMES
        for scale in SCALES
    ),
    *((f"/api/{lang}/counter.json", f"/api/counter.json?lang={lang}") for lang in LANGS),
    *((f"/api/{lang}/shields.json", f"/api/shields.json?lang={lang}") for lang in LANGS),
    *((f"/card/{lang}.png", f"/card.png?lang={lang}") for lang in LANGS),
    *((f"/{lang}/", f"/?lang={lang}") for lang in LANGS),
    *(
        (f"/embed/{DAY}/{lang}/badge/{style}/{theme}.svg", f"/embed/badge.svg?lang={lang}&style={style}&theme={theme}")
        for lang in LANGS
        for style in STYLES
        for theme in THEMES
    ),
    *(
        (f"/embed/{DAY}/{lang}/text/{part}/{theme}.svg", f"/embed/text.svg?lang={lang}&part={part}&theme={theme}")
        for lang in LANGS
        for part in ("sentence", "label", "message")
        for theme in THEMES
    ),
    *(
        (
            f"/embed/{DAY}/zgh/text/{part}/{theme}/{word}.svg",
            f"/embed/text.svg?lang=zgh&part={part}&theme={theme}&word={word}&day={DAY}",
        )
        for part in ("sentence", "label", "message")
        for theme in THEMES
        for word in (1, 2, 5)
    ),
]
"""(path form, query form) pairs: every badge, JSON, card, page and embed picture variant (PNGs in two languages)."""


def answer(client: FlaskClient, url: str, **headers: str) -> tuple[int, bytes, dict[str, str]]:
    response = client.get(url, headers=headers)
    return response.status_code, response.get_data(), dict(response.headers)


@pytest.mark.parametrize(("path", "query"), SAME, ids=[path for path, _ in SAME])
def test_a_path_form_is_its_query_form_byte_for_byte_header_for_header(
    client: FlaskClient, path: str, query: str
) -> None:
    for coding in ("", "br", "gzip"):
        by_path = answer(client, path, **{"Accept-Encoding": coding})
        assert by_path[0] == 200, (path, by_path[1][:200])
        assert by_path == answer(client, query, **{"Accept-Encoding": coding}), (path, coding)


def test_path_forms_share_the_answers_of_the_query_forms(app: Flask) -> None:
    """Asked by path after its query form, a variant is built no second time: one cache entry for both."""
    client = app.test_client()
    for _, query in SAME:
        client.get(query)
    built = len(app.extensions["voipdown"].cache)
    for path, _ in SAME:
        client.get(path)
    assert len(app.extensions["voipdown"].cache) == built


def test_a_path_ignores_its_query_string_as_a_static_host_does(client: FlaskClient) -> None:
    plain = answer(client, "/badge/ar/plastic/dark.svg")
    for junk in ("?lang=fr", "?v=2026-11-27", "?style=flat&theme=light&zz=1", "?lang=fr&lang=ar"):
        assert answer(client, "/badge/ar/plastic/dark.svg" + junk) == plain, junk
    assert answer(client, "/card/zgh.png?v=2026-11-27") == answer(client, "/card.png?lang=zgh&v=2026-11-27")


BAD_SEGMENTS = [
    # (bad path, query form with the same mistake, parameter named)
    ("/badge/xx/flat/light.svg", "/badge.svg?lang=xx", "lang"),
    ("/badge/fr/round/light.svg", "/badge.svg?lang=fr&style=round", "style"),
    ("/badge/fr/plastic/sepia.svg", "/badge.svg?lang=fr&style=plastic&theme=sepia", "theme"),
    ("/badge/fr/flat/dark@5x.png", "/badge.png?lang=fr&theme=dark&scale=5", "scale"),
    ("/badge/fr/flat/light@0x.png", "/badge.png?lang=fr&scale=0", "scale"),
    ("/api/xx/counter.json", "/api/counter.json?lang=xx", "lang"),
    ("/api/xx/shields.json", "/api/shields.json?lang=xx", "lang"),
    ("/card/xx.png", "/card.png?lang=xx", "lang"),
    (f"/embed/{DAY}/xx/badge/flat/light.svg", "/embed/badge.svg?lang=xx", "lang"),
    ("/embed/yesterday/fr/badge/flat/light.svg", "/embed/badge.svg?lang=fr&day=yesterday", "day"),
    (f"/embed/{DAY}/zgh/text/title/light.svg", "/embed/text.svg?lang=zgh&part=title", "part"),
    (f"/embed/{DAY}/zgh/text/label/light/99.svg", "/embed/text.svg?lang=zgh&part=label&word=99", "word"),
]


@pytest.mark.parametrize(("path", "query", "parameter"), BAD_SEGMENTS, ids=[path for path, _, _ in BAD_SEGMENTS])
def test_a_bad_segment_gets_the_bad_parameters_answer_as_not_found(
    client: FlaskClient, path: str, query: str, parameter: str
) -> None:
    """The same error badge or JSON error as the query form's, naming the same parameter, with 404: no such file."""
    status, body, headers = answer(client, path)
    query_status, query_body, query_headers = answer(client, query)
    assert (status, query_status) == (404, 400)
    assert headers["Content-Type"] == query_headers["Content-Type"]
    assert headers["Cache-Control"] == query_headers["Cache-Control"]
    assert "max-age=300," in headers["Cache-Control"]  # an error is kept five minutes at most, like the query's
    if headers["Content-Type"].startswith("application/json"):
        error, query_error = client.get(path).get_json()["error"], client.get(query).get_json()["error"]
        assert error == {**query_error, "status": 404}
        assert error["parameter"] == parameter
    elif headers["Content-Type"].startswith("image/svg+xml"):
        assert body == query_body  # the same picture: the status is not drawn
        assert f"{parameter} " in re.search(r"<title>(.*?)</title>", body.decode())[1]
    else:
        assert body[:8] == b"\x89PNG\r\n\x1a\n" and body == query_body


@pytest.mark.parametrize(
    "path",
    ["/badge/FR/flat/light.svg", "/badge/fr/Flat/light.svg", "/badge/fr/flat/light@02x.png", "/api/ar%20/counter.json"],
)
def test_a_path_names_its_values_exactly_as_a_static_host_would(client: FlaskClient, path: str) -> None:
    """A query is forgiving (``lang=FR``); a file name is not, so a path URL means the same everywhere."""
    assert client.get(path).status_code == 404


def test_each_language_has_a_page_path_and_other_words_are_not_found(client: FlaskClient) -> None:
    redirect = client.get("/ar")
    assert (redirect.status_code, redirect.headers["Location"]) == (308, "ar/")
    for path in ("/nope", "/xx/", "/FR/", "/api/", "/badge/", "/zgh/zgh/"):
        response = client.get(path)
        assert response.status_code == 404 and response.mimetype == "application/json", path


def test_the_page_links_its_languages_card_and_canonical_by_path(client: FlaskClient) -> None:
    for url in ("/ar/", "/?lang=ar", "/?lang=ar&utm_source=x"):
        page = parse(client.get(url).get_data())
        assert page.find("link", rel="canonical")[0]["href"] == "http://localhost/ar/", url
        alternates = {link["hreflang"]: link["href"] for link in page.find("link", rel="alternate")}
        assert alternates == {**{lang: f"http://localhost/{lang}/" for lang in LANGS}, "x-default": "http://localhost/"}
        assert page.meta("og:image") == f"http://localhost/card/ar.png?v={DAY}"


def test_every_snippet_the_page_hands_out_is_a_path_that_answers(clock: SettableClock) -> None:
    """The ready-made snippets (what readers without JavaScript copy) carry only path URLs, each of which works."""
    client = create_app(make_settings(public_url="https://counter.example"), clock).test_client()
    for lang in LANGS:
        snippets = " ".join(parse(client.get(f"/{lang}/").get_data()).pre_texts)
        urls = set(re.findall(r"https://counter\.example/[^\s\"'\]\[)<>]*", snippets))
        assert not [url for url in urls if "?" in url], urls
        assert {
            f"https://counter.example/{lang}/",
            f"https://counter.example/badge/{lang}/flat/light.svg",
            f"https://counter.example/badge/{lang}/flat/light@1x.png",
            "https://counter.example/embed.js",
        } <= urls
        for url in urls:
            assert client.get(url.removeprefix("https://counter.example")).status_code == 200, url


def test_bad_paths_by_the_thousand_make_no_new_fast_path_entry(app: Flask, clock: SettableClock) -> None:
    """Distinct bad paths land on the few fixed refusals, like bad query values, and replay as the app answers."""
    middleware = app.wsgi_app
    assert isinstance(middleware, DailyResponseCache)
    fast = Client(middleware)
    fresh = Client(create_app(make_settings(), clock).wsgi_app)

    def seen(client: Client, url: str) -> tuple[Any, ...]:
        response = client.get(url)
        return response.status, response.get_data(), sorted(response.headers.items())

    for url in ("/badge/xx/flat/light.svg", "/badge/fr/flat/light@9x.png", "/api/xx/counter.json", "/card/xx.png"):
        seen(fast, url)
    kept = len(middleware)
    for number in range(1500):
        url = [
            f"/badge/x{number}/flat/light.svg",
            f"/badge/fr/flat/light@{number + 5}x.png",
            f"/api/x{number}/counter.json",
            f"/card/x{number}.png",
        ][number % 4]
        replayed = seen(fast, url)
        if number % 97 == 0:
            assert replayed == seen(fresh, url), url
    assert len(middleware) == kept


def test_compressed_path_answers_decompress_to_the_plain_one(client: FlaskClient) -> None:
    plain = client.get("/badge/zgh/for-the-badge/dark.svg").get_data()
    assert (
        brotli.decompress(client.get("/badge/zgh/for-the-badge/dark.svg", headers={"Accept-Encoding": "br"}).data)
        == plain
    )
    assert (
        gzip.decompress(client.get("/badge/zgh/for-the-badge/dark.svg", headers={"Accept-Encoding": "gzip"}).data)
        == plain
    )
