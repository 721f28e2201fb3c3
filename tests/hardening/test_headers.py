"""Response headers on every route, its errors and every method, in-process and through gunicorn.

- ``X-Content-Type-Options: nosniff`` and a ``Referrer-Policy`` on every answer, errors included;
- a ``Content-Security-Policy`` on every HTML and SVG answer; an SVG's forbids script outright;
- ``Cross-Origin-Resource-Policy: cross-origin`` on what other sites load: badges, JSON and the
  script (the social card is fetched by crawlers, not by pages, so it may stay same-origin);
- ``HEAD`` has the headers of ``GET`` and no body; ``OPTIONS`` lists the methods;
- ``POST``, ``PUT``, ``DELETE``, ``PATCH`` (and ``TRACE``) get 405 with ``Allow`` and a JSON body.
"""

import json
import socket
from urllib.parse import urlsplit

import pytest
from flask import Flask
from werkzeug.test import TestResponse

from tests.conftest import GunicornServer, csp_directives
from tests.hardening.support import (
    OTHER_METHODS,
    app_routes,
    hardened_app,
    media_type,
    plain_paths,
    raw_request,
    record,
)

SAFE_REFERRER_POLICIES = {"no-referrer", "same-origin", "strict-origin", "strict-origin-when-cross-origin"}
EMBEDDED_TYPES = ("image/svg+xml", "application/json", "text/javascript", "application/javascript")


@pytest.fixture(scope="module")
def app() -> Flask:
    return hardened_app()


def _script_sources(header: str) -> list[str]:
    policy = csp_directives(header)
    return policy.get("script-src", policy.get("default-src", ["*"]))


def _embedded(path: str, kind: str) -> bool:
    return kind in EMBEDDED_TYPES or path.startswith("/badge.")


def assert_common_headers(where: str, headers: dict[str, str]) -> None:
    lowered = {name.lower(): value for name, value in headers.items()}
    assert lowered.get("x-content-type-options") == "nosniff", f"{where}: no nosniff"
    assert lowered.get("referrer-policy") in SAFE_REFERRER_POLICIES, (
        f"{where}: Referrer-Policy {lowered.get('referrer-policy')}"
    )
    kind = media_type(lowered.get("content-type"))
    policy = lowered.get("content-security-policy")
    if kind == "image/svg+xml":
        assert policy is not None, f"{where}: SVG without CSP"
        assert _script_sources(policy) == ["'none'"], f"{where}: SVG policy allows script: {policy}"
    if kind == "text/html":
        assert policy is not None, f"{where}: HTML without CSP"
        sources = _script_sources(policy)
        for unsafe in ("'unsafe-inline'", "'unsafe-eval'", "*", "data:", "http:", "https:"):
            assert unsafe not in sources, f"{where}: HTML policy allows {unsafe} scripts: {policy}"
        assert "object-src" in csp_directives(policy) or csp_directives(policy).get("default-src") == ["'none'"], policy


def _variants(app: Flask) -> list[tuple[str, str]]:
    """(description, url) for every route: plain, with a bad parameter, and a 404 beside it."""
    urls = []
    for route in app_routes(app):
        urls.append((f"GET {route.path}", route.path))
        if not route.has_arguments:
            urls.append((f"GET {route.path}?zz=1", f"{route.path}?zz=1&lang=xx"))
            urls.append((f"GET {route.path}?lang=xx", f"{route.path}?lang=xx"))
        urls.append((f"GET {route.path}/missing", f"{route.path.rstrip('/')}/missing"))
    return urls


def test_every_answer_has_the_security_headers(app: Flask) -> None:
    client = app.test_client()
    checked = 0
    for description, url in _variants(app):
        response = client.get(url)
        assert response.status_code < 500, description
        assert_common_headers(description, dict(response.headers))
        checked += 1
    record("header checks (in-process answers)", checked)


def test_embedded_resources_are_shared_across_origins(app: Flask) -> None:
    client = app.test_client()
    for path in plain_paths(app):
        response = client.get(path)
        kind = media_type(response.content_type)
        if _embedded(path, kind):
            assert response.headers.get("Cross-Origin-Resource-Policy") == "cross-origin", path
            assert response.headers.get("Access-Control-Allow-Origin") == "*", path
        if kind == "text/html":
            assert response.headers.get("Cross-Origin-Resource-Policy") == "same-origin", path
            assert "frame-ancestors" in response.headers.get("Content-Security-Policy", ""), path


def _same_headers(get: TestResponse, head: TestResponse) -> None:
    assert head.status_code == get.status_code
    assert head.content_type == get.content_type
    for name in ("Cache-Control", "ETag", "Content-Security-Policy", "Cross-Origin-Resource-Policy", "Vary"):
        assert head.headers.get(name) == get.headers.get(name), name
    if "Content-Length" in head.headers:
        assert int(head.headers["Content-Length"]) == len(get.get_data())


def test_head_has_the_headers_of_get_and_no_body(app: Flask) -> None:
    client = app.test_client()
    for _, url in _variants(app):
        get, head = client.get(url), client.head(url)
        assert head.get_data() == b"", url
        _same_headers(get, head)
        assert_common_headers(f"HEAD {url}", dict(head.headers))


def test_options_lists_the_methods(app: Flask) -> None:
    client = app.test_client()
    for path in plain_paths(app):
        response = client.options(
            path, headers={"Origin": "https://blog.example", "Access-Control-Request-Method": "GET"}
        )
        assert response.status_code in (200, 204), path
        allowed = {method.strip() for method in response.headers.get("Allow", "").split(",")}
        assert {"GET", "HEAD", "OPTIONS"} <= allowed, (path, allowed)
        assert not allowed & set(OTHER_METHODS), (path, allowed)
        assert len(response.get_data()) == 0 or media_type(response.content_type) != "text/html", path
        assert response.headers.get("X-Content-Type-Options") == "nosniff", path
        if _embedded(path, media_type(client.get(path).content_type)):
            assert response.headers.get("Access-Control-Allow-Origin") == "*", path


def test_options_answers_carry_the_same_security_headers(app: Flask) -> None:
    client = app.test_client()
    for path in plain_paths(app):
        response = client.options(path)
        get = client.get(path)
        assert_common_headers(f"OPTIONS {path}", dict(response.headers))
        assert response.headers.get("Content-Security-Policy"), f"OPTIONS {path}: no CSP"
        for name in ("X-Content-Type-Options", "Referrer-Policy", "Cross-Origin-Resource-Policy"):
            assert response.headers.get(name) == get.headers.get(name), (path, name)


@pytest.mark.parametrize("method", [*OTHER_METHODS, "TRACE"])
def test_other_methods_are_refused_with_405(app: Flask, method: str) -> None:
    client = app.test_client()
    for path in plain_paths(app):
        response = client.open(path, method=method, data=b'{"x": 1}', content_type="application/json")
        assert response.status_code == 405, (method, path, response.status_code)
        allowed = {name.strip() for name in response.headers.get("Allow", "").split(",")}
        assert {"GET", "HEAD"} <= allowed and method not in allowed, (method, path, allowed)
        assert media_type(response.content_type) == "application/json", (method, path)
        assert json.loads(response.get_data())["error"]["status"] == 405
        assert_common_headers(f"{method} {path}", dict(response.headers))
    record("wrong-method requests", len(plain_paths(app)))


def _raw_head(base_url: str, path: str) -> tuple[bytes, bytes]:
    """A HEAD request on a raw socket: the header block and whatever follows it before close."""
    parts = urlsplit(base_url)
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as connection:
        connection.sendall(f"HEAD {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
        data = b""
        while chunk := connection.recv(65536):
            data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    return head, rest


def test_headers_survive_gunicorn(gunicorn_server: GunicornServer, app: Flask) -> None:
    """Through the real server: the same headers, HEAD with no body on the wire, 405 for the rest."""
    checked = 0
    for path in plain_paths(app):
        get = raw_request(gunicorn_server.url, "GET", path.encode())
        assert get.status == 200, path
        assert_common_headers(f"gunicorn GET {path}", dict(get.headers.items()))
        head, rest = _raw_head(gunicorn_server.url, path)
        assert head.startswith(b"HTTP/1.1 200"), head[:40]
        assert rest == b"", f"HEAD {path} sent {len(rest)} body bytes"
        assert b"nosniff" in head.lower()
        options = raw_request(gunicorn_server.url, "OPTIONS", path.encode())
        assert options.status in (200, 204) and "GET" in (options.headers.get("Allow") or ""), path
        for method in OTHER_METHODS:
            refused = raw_request(gunicorn_server.url, method, path.encode(), [(b"Content-Length", b"0")])
            assert refused.status == 405 and refused.headers.get("Allow"), (method, path)
            assert json.loads(refused.body)["error"]["status"] == 405
        checked += 3 + len(OTHER_METHODS)
    record("header checks (gunicorn answers)", checked)
