"""A public URL no request can change: with ``public_url`` set, no request header changes a byte of any answer.

Behind a proxy or CDN, headers such as ``Host``, ``X-Forwarded-*``, ``Forwarded`` or
``SCRIPT_NAME`` come from clients; if an answer depended on them, one client could choose what a
shared cache then hands to everyone (a snippet pointing at another host). Here every route of the
app, and the page's own files, are asked with a clean request and with hostile ones, in both
orders (so neither can fill a cache for the other), and must be answered identically, headers
and body. Without ``public_url`` the page's URLs come from the request, and then no shared cache
may keep it.
"""

import re
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.conftest import SettableClock, make_settings
from tests.hardening.support import app_routes
from widget.web import create_app

PUBLIC_URL = "https://counter.example.org/voipdown"
HOSTILE_HEADERS = [
    {"Host": "evil.example"},
    {"Host": "evil.example:8443", "X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "http"},
    {"X-Forwarded-Proto": "javascript", "X-Forwarded-Port": "1", "X-Forwarded-Prefix": "/evil"},
    {"Forwarded": "for=1.2.3.4;host=evil.example;proto=http", "X-Forwarded-For": "1.2.3.4"},
    {"X-Forwarded-Ssl": "off", "X-Forwarded-Protocol": "http", "Front-End-Https": "off", "X-Url-Scheme": "http"},
    {"X-Original-URL": "/evil", "X-Rewrite-URL": "/evil", "X-Original-Host": "evil.example"},
    {"SCRIPT_NAME": "//evil.example", "X-Script-Name": "/evil", "X-Scheme": "http"},
]
HOSTILE_ENVIRONS = [
    {},
    {"SCRIPT_NAME": "//evil.example"},
    {"wsgi.url_scheme": "http", "SERVER_NAME": "evil.example", "SERVER_PORT": "81"},
]


@pytest.fixture
def public_app(clock: SettableClock) -> Flask:
    return create_app(make_settings(public_url=PUBLIC_URL), clock)


def urls_of(client: FlaskClient) -> list[str]:
    """Every plain route with a typical query, the page in two languages, and the page's own files."""
    plain = [route.path for route in app_routes(client.application) if not route.has_arguments]
    page = client.get("/?lang=ar").get_data(as_text=True)
    files = sorted(set(re.findall(r'"(/voipdown/assets/[0-9a-f]+/[\w.]+)"', page)))
    assert files, "the page's files are under the public URL's path"
    files = [name.removeprefix("/voipdown") for name in files]  # the proxy takes the prefix off
    return [*plain, "/?lang=ar", "/?lang=zgh&utm_source=x", "/badge.svg?lang=ar&theme=dark", *files]


def answer(response: TestResponse) -> tuple[int, list[tuple[str, str]], bytes]:
    headers = sorted((name, value) for name, value in response.headers.items() if name != "Date")
    return response.status_code, headers, response.get_data()


def hostile_requests() -> Iterator[tuple[dict[str, str], dict[str, str]]]:
    for headers in HOSTILE_HEADERS:
        for environ in HOSTILE_ENVIRONS:
            yield headers, environ


@pytest.mark.parametrize("hostile_first", [True, False], ids=["hostile first", "clean first"])
def test_no_request_header_changes_a_byte_of_any_answer(public_app: Flask, hostile_first: bool) -> None:
    client = public_app.test_client()
    checked = 0
    for url in urls_of(public_app.test_client()):
        for coding in ("", "br"):
            clean_headers = {"Accept-Encoding": coding, "Accept-Language": "fr"}
            if not hostile_first:
                clean = answer(client.get(url, headers=clean_headers))
            seen = []
            for headers, environ in hostile_requests():
                response = client.get(url, headers={**clean_headers, **headers}, environ_overrides=environ)
                seen.append((headers, environ, answer(response)))
            if hostile_first:
                clean = answer(client.get(url, headers=clean_headers))
            for headers, environ, got in seen:
                assert got == clean, (url, coding, headers, environ)
                checked += 1
            assert b"evil" not in clean[2]
    assert checked > 500


def test_the_public_url_is_in_every_url_the_service_writes(public_app: Flask) -> None:
    client = public_app.test_client()
    page = client.get("/?lang=fr", headers={"Host": "evil.example"}).get_data(as_text=True)
    absolute = re.findall(r"https?://[^\s\"'<>\])\[]+", page)
    assert absolute and all(url.startswith(f"{PUBLIC_URL}/") for url in absolute), absolute
    assert re.findall(r'(?:src|href)="(/[^"]*)"', page) and all(
        path.startswith("/voipdown/assets/") for path in re.findall(r'(?:src|href)="(/[^"]*)"', page)
    )


def test_with_a_public_url_the_page_is_kept_by_shared_caches(public_app: Flask) -> None:
    response = public_app.test_client().get("/?lang=fr")
    assert response.headers["Cache-Control"].startswith("public,") and "s-maxage=" in response.headers["Cache-Control"]


def test_without_a_public_url_only_the_page_varies_with_the_host_and_it_is_private(clock: SettableClock) -> None:
    client = create_app(make_settings(), clock).test_client()
    for url in urls_of(create_app(make_settings(public_url=PUBLIC_URL), clock).test_client()):
        clean, hostile = client.get(url), client.get(url, headers={"Host": "evil.example"})
        if url.startswith("/?") or url == "/":
            assert b"evil.example" in hostile.data and b"evil.example" not in clean.data
            for response in (clean, hostile):
                directives = {part.strip().split("=")[0] for part in response.headers["Cache-Control"].split(",")}
                assert "private" in directives and not directives & {"public", "s-maxage"}, url
        else:
            assert answer(hostile) == answer(clean), url
