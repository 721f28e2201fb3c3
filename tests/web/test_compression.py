"""Compression: ``br`` and ``gzip`` by ``Accept-Encoding``, made once per answer, each form with its own ETag.

Every text answer (SVG, HTML, JavaScript, JSON, CSS) is sent in the coding the client weighs
highest (RFC 9110 q-values), decompresses to exactly the uncompressed answer, says
``Vary: Accept-Encoding`` in every form, and has a strong ``ETag`` of its own per coding, so a
``304`` confirms only the bytes the client holds. ``HEAD`` has the headers of ``GET``. PNG is never
compressed again. The forms are made when the answer is built, never per request, and the fast
path replays them exactly as the app sends them.
"""

import gzip
import importlib
import re

import brotli
import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import Client

from widget.web.fast_path import DailyResponseCache

RESPONSES = importlib.import_module("widget.web.responses")

TEXT_URLS = [
    "/badge.svg?lang=ar",
    "/badge.svg?lang=zgh&style=for-the-badge&theme=dark",
    "/badge.svg?lang=xx",
    "/embed/text.svg?lang=zgh&day=2026-11-27",
    "/embed/badge.svg?lang=en",
    "/api/counter.json?lang=fr",
    "/api/counter.json?lang=xx",
    "/?lang=ar",
    "/embed.js",
]
PNG_URLS = ["/badge.png?lang=ar&scale=2", "/card.png?lang=fr"]
DECODE = {"br": brotli.decompress, "gzip": gzip.decompress}


def page_asset_urls(client: FlaskClient) -> list[str]:
    page = client.get("/").get_data(as_text=True)
    urls = set(re.findall(r'"(/assets/[0-9a-f]+/[\w.]+)"', page))
    stylesheet = next(url for url in urls if url.endswith(".css"))
    folder = stylesheet.rsplit("/", 1)[0]
    fonts = re.findall(r'url\("([\w.]+)"\)', client.get(stylesheet).get_data(as_text=True))
    return sorted(urls | {f"{folder}/{name}" for name in fonts})


def vary(response: object) -> set[str]:
    header = response.headers.get("Vary", "")  # type: ignore[attr-defined]
    return {name.strip().lower() for name in header.split(",") if name.strip()}


def through_app_only(app: Flask) -> Client:
    middleware = app.wsgi_app
    assert isinstance(middleware, DailyResponseCache)
    return Client(middleware.app)


@pytest.mark.parametrize("url", TEXT_URLS)
@pytest.mark.parametrize("coding", ["br", "gzip"])
def test_text_answers_come_compressed_and_decompress_to_the_plain_answer(
    client: FlaskClient, url: str, coding: str
) -> None:
    plain = client.get(url)
    for attempt in ("app", "fast path"):
        compressed = client.get(url, headers={"Accept-Encoding": coding})
        assert compressed.status_code == plain.status_code, attempt
        assert compressed.headers["Content-Encoding"] == coding, attempt
        assert DECODE[coding](compressed.data) == plain.data, attempt
        assert len(compressed.data) < len(plain.data), attempt
        assert int(compressed.headers["Content-Length"]) == len(compressed.data)
        assert "accept-encoding" in vary(compressed) and "accept-encoding" in vary(plain)
    assert "Content-Encoding" not in plain.headers


@pytest.mark.parametrize(
    ("accept_encoding", "coding"),
    [
        (None, None),
        ("gzip, deflate, br", "br"),
        ("gzip, deflate, br, zstd", "br"),
        ("gzip", "gzip"),
        ("x-gzip", "gzip"),
        ("GZIP;Q=1", "gzip"),
        ("br;q=0, gzip", "gzip"),
        ("gzip;q=0.5, br;q=0.8", "br"),
        ("gzip;q=0.9, br;q=0.8", "gzip"),
        ("br;q=0.001", "br"),
        ("*", "br"),
        ("*;q=0.5, br;q=0", "gzip"),
        ("*;q=0", None),
        ("identity", None),
        ("identity;q=1, gzip;q=0.5", None),
        ("deflate", None),
        ("br;q=nonsense, gzip", "gzip"),
        ("identity;q=0, *;q=0", None),
        (" , ;q=1, br ; q=0.7 ", "br"),
    ],
)
def test_the_coding_follows_the_q_values(client: FlaskClient, accept_encoding: str | None, coding: str | None) -> None:
    headers = {"Accept-Encoding": accept_encoding} if accept_encoding is not None else {}
    plain = client.get("/badge.svg?lang=fr").data
    for _ in range(2):  # the app, then the fast path
        response = client.get("/badge.svg?lang=fr", headers=headers)
        assert response.status_code == 200
        assert response.headers.get("Content-Encoding") == coding
        assert (DECODE[coding](response.data) if coding else response.data) == plain


def test_a_coding_that_would_grow_a_tiny_answer_is_not_used(client: FlaskClient) -> None:
    """shields.io's small JSON is longer gzipped (a 20-byte header): it goes as it is, still varying."""
    plain = client.get("/api/shields.json")
    assert len(gzip.compress(plain.data, mtime=0)) >= len(plain.data)
    for coding in ("gzip", "gzip, br;q=0.5"):
        response = client.get("/api/shields.json", headers={"Accept-Encoding": coding})
        sent = response.headers.get("Content-Encoding")
        assert sent != "gzip" and (DECODE[sent](response.data) if sent else response.data) == plain.data
        assert "accept-encoding" in vary(response)


@pytest.mark.parametrize("url", PNG_URLS)
def test_png_is_never_compressed_again(client: FlaskClient, url: str) -> None:
    plain = client.get(url)
    for coding in ("br", "gzip", "gzip, br"):
        response = client.get(url, headers={"Accept-Encoding": coding})
        assert "Content-Encoding" not in response.headers
        assert response.data == plain.data and response.headers["ETag"] == plain.headers["ETag"]
        assert "accept-encoding" not in vary(response)


@pytest.mark.parametrize("url", ["/badge.svg?lang=ar", "/?lang=fr", "/embed.js", "/api/counter.json"])
def test_each_coding_has_its_own_strong_etag_and_304(client: FlaskClient, url: str) -> None:
    etags = {}
    for coding in ("identity", "br", "gzip"):
        response = client.get(url, headers={"Accept-Encoding": coding})
        etags[coding] = response.headers["ETag"]
        assert re.fullmatch(r'"[^"]+"', etags[coding]), etags[coding]
    assert len(set(etags.values())) == 3
    for coding, etag in etags.items():
        for _ in range(2):
            confirmed = client.get(url, headers={"Accept-Encoding": coding, "If-None-Match": etag})
            assert confirmed.status_code == 304 and confirmed.data == b"", coding
            assert confirmed.headers["ETag"] == etag and "accept-encoding" in vary(confirmed)
        for other, other_etag in etags.items():
            if other != coding:
                fresh = client.get(url, headers={"Accept-Encoding": coding, "If-None-Match": other_etag})
                assert fresh.status_code == 200 and fresh.headers["ETag"] == etag, (coding, other)


@pytest.mark.parametrize("url", ["/badge.svg?lang=ar", "/?lang=fr", "/embed.js", "/api/counter.json?lang=xx"])
@pytest.mark.parametrize("coding", ["identity", "br", "gzip"])
def test_head_has_the_headers_of_get_in_every_coding(client: FlaskClient, url: str, coding: str) -> None:
    get = client.get(url, headers={"Accept-Encoding": coding})
    for _ in range(2):
        head = client.head(url, headers={"Accept-Encoding": coding})
        assert head.status_code == get.status_code and head.data == b""
        for name in ("Content-Encoding", "Content-Length", "ETag", "Vary", "Content-Type", "Cache-Control"):
            assert head.headers.get(name) == get.headers.get(name), name


def test_the_pages_own_files_come_compressed(client: FlaskClient) -> None:
    urls = page_asset_urls(client)
    assert {url.rsplit(".", 1)[1] for url in urls} >= {"css", "js", "svg", "ttf"}
    for url in urls:
        plain = client.get(url)
        compressed = client.get(url, headers={"Accept-Encoding": "br"})
        assert compressed.headers["Content-Encoding"] == "br", url
        assert brotli.decompress(compressed.data) == plain.data
        assert compressed.headers["ETag"] != plain.headers["ETag"]
        assert compressed.headers["Cache-Control"] == plain.headers["Cache-Control"]


class Counter:
    def __init__(self, function):
        self.function = function
        self.calls = 0

    def __call__(self, *args, **kwargs):
        self.calls += 1
        return self.function(*args, **kwargs)


def test_each_answer_is_compressed_once_not_per_request(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    compressions = Counter(RESPONSES.compress)
    monkeypatch.setattr(RESPONSES, "compress", compressions)
    fast, direct = app.test_client(), through_app_only(app)
    for client in (fast, direct, fast, direct):
        for coding in ("br", "gzip", "identity", "gzip, br"):
            for url in ("/badge.svg?lang=en", "/badge.svg?lang=EN&theme=", "/api/counter.json?lang=en"):
                assert client.get(url, headers={"Accept-Encoding": coding}).status_code == 200
    assert compressions.calls == 2 * 2  # two answers, each in br and gzip, once


def test_spellings_of_the_same_preference_share_a_fast_path_entry(app: Flask) -> None:
    """Kept per preference (best first), not per header text: ``x-gzip`` is ``gzip``, q=1 is no q."""
    client = app.test_client()
    middleware = app.wsgi_app
    assert isinstance(middleware, DailyResponseCache)
    groups = [
        ("gzip, br", "br, gzip", "br;q=1, gzip;q=0.5", "BR, GZIP;q=0.9, deflate"),
        ("gzip", "x-gzip", "gzip;q=1.0", "gzip, deflate"),
        ("", "identity", "deflate, compress"),
    ]
    for number, spellings in enumerate(groups, start=1):
        answers = {client.get("/badge.svg?lang=ar", headers={"Accept-Encoding": text}).data for text in spellings}
        assert len(answers) == 1, spellings
        assert len(middleware) == number, spellings
