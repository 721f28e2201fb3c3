"""Hostile input on every route: whatever arrives, the answer is below 500, well-formed and bounded.

Hypothesis builds query strings, paths, methods and headers out of the things scanners and
careless pastes send: repeated and unknown parameters, huge values, bidi controls, combining
marks, NUL and other controls, lone surrogates and overlong forms in percent-encoding, broken
escapes. Every answer must carry a body of its advertised type that parses (SVG as XML, PNG with
Pillow, JSON, HTML, JavaScript compiled by Chromium), within a size and a time bound.
"""

import re
import time
from collections.abc import Iterator
from html.parser import HTMLParser
from urllib.parse import quote, unquote_to_bytes

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import GunicornServer
from tests.hardening.support import (
    OTHER_METHODS,
    JsChecker,
    RawResponse,
    check_body,
    discovered_parameters,
    hardened_app,
    js_checker,
    media_type,
    plain_paths,
    raw_request,
    record,
    wsgi_call,
)

GUNICORN_ERROR_TAGS = [
    b"<html>",
    b"<head>",
    b"<title>",
    b"</title>",
    b"</head>",
    b"<body>",
    b"<h1>",
    b"<p>",
    b"</p>",
    b"</h1>",
    b"</body>",
    b"</html>",
]
"""The markup of gunicorn's error page; anything more would be markup taken from the request."""

REQUEST_SECONDS = 3.0
"""No single answer may take longer than this (the machine is shared; a warm badge takes ~1 ms)."""

BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
COMBINING_MARKS = "\u0301\u0308\u0327\u0651\u064b\u0670\u20dd\u0336\u2d7f"
CONTROLS = "\x00\x01\x08\t\n\x0b\x0c\r\x1b\x7f\x85\u2028\u2029\ufeff\ufffe\uffff\u00a0\u200b"
SCRIPTS = "aZ09-_.~<>&'\"=;%+#?/\\ éÀمرحبـﻻⵜⴰⵎ日本😀\U0001f1f2\U0001f1e6"
VALID_VALUES = (
    "fr",
    "ar",
    "zgh",
    "en",
    "ary",
    "flat",
    "flat-square",
    "plastic",
    "for-the-badge",
    "light",
    "dark",
    "1",
    "2",
    "3",
    "4",
    "0",
    "5",
    "-1",
    "1.5",
    "1e3",
    "true",
)
RAW_FRAGMENTS = (
    "%ED%A0%80",  # lone high surrogate, UTF-8 encoded
    "%ED%B0%80",  # lone low surrogate
    "%ED%A0%80%ED%B0%80",  # surrogate pair encoded as CESU-8
    "%C0%80",  # overlong NUL
    "%C0%AF",  # overlong slash
    "%F4%90%80%80",  # beyond U+10FFFF
    "%FF%FE",
    "%80",
    "%",
    "%G1",
    "%2",
    "%00",
    "%0D%0A",
    "%E2%80%AE",
    "+",
    "&",
    "=",
    ";",
    "%26",
    "%3D",
    "[]",
    "%5B%5D",
    "#",
    "?",
    "..%2F",
)
ODD_PATH_SUFFIXES = ("", "/", "//", "/..", "/.", ";x", "%00", "%2F", "%ED%A0%80", "/x", ".", "~", "%20", "/%2e%2e/")
EXTRA_PATHS = (
    "/",
    "//",
    "/..",
    "/%2e%2e/%2e%2e/etc/passwd",
    "/static/../widget/config.py",
    "/static/%2e%2e/%2e%2e/README.md",
    "/api",
    "/api/",
    "/api/counter.json/",
    "/BADGE.SVG",
    "/badge.SVG",
    "/badge.svg.png",
    "/badge",
    "/badge.gif",
    "/index.html",
    "/.env",
    "/.git/config",
    "/wp-login.php",
    "/%ED%A0%80",
    "/%C0%AF",
    "/" + "a" * 5000,
)
METHODS = ("GET",) * 8 + ("HEAD", "HEAD", "OPTIONS", "TRACE", "PROPFIND", "CONNECT", *OTHER_METHODS)
HEADER_NAMES = ("Accept-Language", "Accept", "If-None-Match", "If-Modified-Since", "Range", "Referer", "User-Agent")


def _encode(text: str) -> str:
    """Percent-encode ``text`` as UTF-8, lone surrogates included (as %ED%A0%80...)."""
    return quote(text.encode("utf-8", "surrogatepass"), safe="")


hostile_text = st.text(
    alphabet=st.one_of(
        st.sampled_from(BIDI_CONTROLS + COMBINING_MARKS + CONTROLS + SCRIPTS),
        st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF),
        st.characters(codec="utf-8"),
    ),
    max_size=24,
)
valid_value = st.builds(
    lambda value, upper, pad: (" " * pad) + (value.upper() if upper else value) + (" " * pad),
    st.sampled_from(VALID_VALUES),
    st.booleans(),
    st.integers(0, 2),
).map(_encode)
huge_value = st.builds(
    lambda letter, size: letter * size, st.sampled_from(["A", "%41", "é", "\u202e", "\u0301"]), st.integers(500, 12_000)
).map(_encode)
component = st.one_of(
    valid_value,
    hostile_text.map(_encode),
    st.sampled_from(RAW_FRAGMENTS),
    st.lists(st.one_of(st.sampled_from(RAW_FRAGMENTS), hostile_text.map(_encode)), max_size=4).map("".join),
)


def query_strings(names: tuple[str, ...]) -> st.SearchStrategy[str]:
    """Raw query strings: known and hostile names, with or without ``=``, joined by ``&`` or ``;``."""
    name = st.one_of(st.sampled_from(names), st.sampled_from(names).map(str.upper), component)
    pair = st.builds(lambda n, eq, v: n + eq + v, name, st.sampled_from(["=", "", "==", "=&"]), component)
    separator = st.sampled_from(["&", "&&", ";"])
    # one query in five also carries a huge name or value
    huge = st.one_of(
        st.just([]), st.just([]), st.just([]), st.just([]), st.tuples(name, huge_value).map(lambda p: ["=".join(p)])
    )
    return st.builds(lambda pairs, big, sep: sep.join(pairs + big), st.lists(pair, max_size=6), huge, separator)


def request_paths(paths: list[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(paths),
        st.sampled_from(paths),
        st.builds(lambda path, suffix: path + suffix, st.sampled_from(paths), st.sampled_from(ODD_PATH_SUFFIXES)),
        st.sampled_from(EXTRA_PATHS),
        hostile_text.map(lambda text: "/" + _encode(text)),
    )


header_values = st.one_of(
    st.sampled_from(["*", '"x"', 'W/"x", *', "ar-MA,ar;q=0.9", "bytes=0-1", "zz;q=nan", "", "\t"]),
    st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=40),
    st.integers(200, 6000).map(lambda size: "a" * size),
)


@pytest.fixture(scope="module")
def app() -> Flask:
    return hardened_app()


@pytest.fixture(scope="module")
def check_js(browser: object) -> Iterator[JsChecker]:
    check, close = js_checker(browser)
    yield check
    close()


def _all_names(app: Flask, paths: list[str]) -> tuple[str, ...]:
    names: list[str] = []
    for path in paths:
        names.extend(name for name in discovered_parameters(app, path) if name not in names)
    return tuple(names)


def _assert_sane(method: str, status: int, headers: dict[str, str], body: bytes, check_js: JsChecker) -> None:
    assert 100 <= status < 500, f"status {status}"
    if method == "HEAD" or status in (204, 304):
        assert body == b"", f"{method} {status} carried {len(body)} bytes"
        return
    if status == 405:
        assert headers.get("Allow"), "405 without Allow"
    if body:
        assert headers.get("Content-Type"), "a body without Content-Type"
    check_body(headers.get("Content-Type"), body, check_js)


def _assert_gunicorn_refusal(method: str, response: RawResponse) -> None:
    """gunicorn's own answer to a request line it cannot parse: a fixed 4xx page, input escaped.

    These never reach the application, so they lack its headers; browsers never send such request
    lines (they percent-encode), so the page cannot be a vector, but it must still be inert.
    """
    assert 400 <= response.status < 500, response.status
    if method == "HEAD":
        assert response.body == b""
        return
    assert media_type(response.headers.get("Content-Type")) == "text/html"
    parser = HTMLParser()
    parser.feed(response.body.decode("latin-1"))
    tags = re.findall(rb"<[^>]*>", response.body)
    assert tags == GUNICORN_ERROR_TAGS, f"markup from the request reached gunicorn's error page: {response.body!r}"


def test_hostile_requests_in_process(app: Flask, check_js: JsChecker) -> None:
    """Random hostile requests through the Flask test client: the whole WSGI stack, every route."""
    paths = plain_paths(app)
    names = _all_names(app, paths)
    client = app.test_client()
    for path in paths:  # warm every route so the time bound measures answers, not first imports
        client.get(path)
    tried = 0

    @settings(
        max_examples=600,
        deadline=None,
        derandomize=False,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(
        method=st.sampled_from(METHODS),
        path=request_paths(paths),
        query=query_strings(names),
        headers=st.dictionaries(st.sampled_from(HEADER_NAMES), header_values, max_size=3),
    )
    def run(method: str, path: str, query: str, headers: dict[str, str]) -> None:
        nonlocal tried
        tried += 1
        url = f"{path}?{query}" if query else path
        # the environ a server builds from the request line: percent-decoded path as latin-1, raw query
        environ = {"PATH_INFO": unquote_to_bytes(path).decode("latin-1"), "QUERY_STRING": query, "RAW_URI": url}
        started = time.perf_counter()
        response = client.open("/", method=method, headers=headers, environ_overrides=environ)
        elapsed = time.perf_counter() - started
        body = response.get_data()
        assert elapsed < REQUEST_SECONDS, f"{method} {url!r} took {elapsed:.2f} s"
        _assert_sane(method, response.status_code, dict(response.headers), body, check_js)

    try:
        run()
    finally:
        record("hostile inputs tried (in-process)", tried)


FORWARDED_HEADERS = ("Host", "X-Forwarded-Host", "X-Forwarded-Proto", "X-Forwarded-For", "Forwarded")
forwarded_values = st.one_of(
    header_values,
    st.sampled_from(
        ["https", "http, https", "javascript", "evil.example", "a:b:c", "[::1]:80", "ex ample", "é.example"]
    ),
    st.sampled_from(["x" * 300, ".", "..", "@", "localhost:99999", "localhost:-1", "%00", "https://a/b"]),
)


def test_hostile_forwarded_headers_behind_a_proxy(check_js: JsChecker) -> None:
    """With a ``public_url`` (a service behind a proxy), random ``Host`` and ``X-Forwarded-*`` values on every route."""
    app = hardened_app(public_url="https://counter.example.org")
    paths = plain_paths(app)
    tried = 0

    @settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        method=st.sampled_from(("GET", "GET", "HEAD")),
        path=st.sampled_from(paths),
        headers=st.dictionaries(st.sampled_from(FORWARDED_HEADERS), forwarded_values, min_size=1, max_size=4),
    )
    def run(method: str, path: str, headers: dict[str, str]) -> None:
        nonlocal tried
        tried += 1
        started = time.perf_counter()
        status, response_headers, body = wsgi_call(app, method, path, headers)
        elapsed = time.perf_counter() - started
        assert elapsed < REQUEST_SECONDS, f"{method} {path} {headers} took {elapsed:.2f} s"
        _assert_sane(method, status, response_headers, body, check_js)

    try:
        run()
    finally:
        record("hostile inputs tried (forwarded headers, behind a proxy)", tried)


def test_hostile_requests_over_the_wire(gunicorn_server: GunicornServer, app: Flask, check_js: JsChecker) -> None:
    """Random hostile request lines sent raw to gunicorn: what gunicorn refuses must be refused cleanly too."""
    paths = plain_paths(app)
    names = _all_names(app, paths)
    tried = refused_by_gunicorn = 0
    raw_path = st.one_of(
        request_paths(paths).map(str.encode),
        st.builds(
            lambda path, junk: path.encode() + junk,
            st.sampled_from(paths),
            st.sampled_from([b"\xff", b"\xed\xa0\x80", b"\xc3\xa9", b"%", b"\x7f", b" x", b"\t"]),
        ),
    )

    @settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        method=st.sampled_from(METHODS),
        target=raw_path,
        query=query_strings(names),
        header=st.one_of(
            st.none(),
            st.tuples(st.sampled_from(HEADER_NAMES), header_values).map(
                lambda pair: (pair[0].encode(), pair[1].encode())
            ),
            st.sampled_from([(b"Accept-Language", b"\xd8\xa7\xd9\x84"), (b"Accept-Language", b"\xff\xfe")]),
            forwarded_values.map(lambda value: (b"Host", value.encode())),
        ),
    )
    def run(method: str, target: bytes, query: str, header: tuple[bytes, bytes] | None) -> None:
        nonlocal tried
        tried += 1
        full_target = target + (b"?" + query.encode() if query else b"")
        started = time.perf_counter()
        response = raw_request(gunicorn_server.url, method, full_target, [header] if header else [])
        elapsed = time.perf_counter() - started
        assert elapsed < REQUEST_SECONDS, f"{method} {full_target[:200]!r} took {elapsed:.2f} s"
        if "X-Content-Type-Options" not in response.headers:
            nonlocal refused_by_gunicorn
            refused_by_gunicorn += 1
            _assert_gunicorn_refusal(method, response)
            return
        _assert_sane(method, response.status, dict(response.headers.items()), response.body, check_js)

    try:
        run()
    finally:
        record("hostile inputs tried (raw HTTP to gunicorn)", tried)
        record("  of which refused by gunicorn itself (malformed request line)", refused_by_gunicorn)
    assert gunicorn_server.process.poll() is None, "gunicorn died"


NAMED_QUERIES = {
    "lone high surrogate": "lang=%ED%A0%80",
    "lone low surrogate in a name": "%ED%B0%80=1",
    "overlong NUL": "lang=%C0%80",
    "NUL": "lang=%00",
    "NUL in a name": "%00=%00",
    "bidi override": "lang=%E2%80%AEra",
    "combining marks on a valid value": "lang=fr%CC%81%CC%81",
    "Arabic value": "lang=%D8%B9%D8%B1%D8%A8%D9%8A",
    "noncharacter": "%EF%BF%BE=%EF%BF%BF",
    "control characters": "lang=%01%02%1B%7F",
    "vertical tab and form feed": "style=%0B%0C",
    "line separators": "theme=%E2%80%A8%E2%80%A9",
    "repeated": "lang=fr&lang=fr",
    "repeated differently cased": "lang=fr&LANG=ar",
    "empty name": "=fr",
    "name only": "lang",
    "many separators": "&&&;;;&=&",
    "broken escape": "lang=%G1%",
    "huge value": "lang=" + "A" * 100_000,
    "many parameters": "&".join(f"p{index}=1" for index in range(2000)),
    "array syntax": "lang[]=fr&style[0]=flat",
    "plus signs": "lang=+fr+",
    "scale out of range": "scale=99999999999999999999999",
    "scale negative": "scale=-4",
    "scale float": "scale=2.0",
}


@pytest.mark.parametrize("case", NAMED_QUERIES)
def test_named_hostile_queries(app: Flask, check_js: JsChecker, case: str) -> None:
    """The classic nasty queries, on every route, in GET and HEAD."""
    client = app.test_client()
    tried = 0
    for path in plain_paths(app):
        for method in ("GET", "HEAD"):
            tried += 1
            response = client.open(f"{path}?{NAMED_QUERIES[case]}", method=method)
            _assert_sane(method, response.status_code, dict(response.headers), response.get_data(), check_js)
    record("hostile inputs tried (named cases)", tried)
