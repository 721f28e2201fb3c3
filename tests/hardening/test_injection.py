"""Injection: markup and script payloads in every parameter and header never come back live.

Each payload is sent as the value of every parameter a route accepts, as a parameter name, as a
repeated parameter, and in every header that could reach output (``Host``, ``Accept-Language``,
``X-Forwarded-Host`` and ``-Proto`` to a service with a ``public_url``, ...). For every answer:

- the raw payload appears only where the content type's escaping leaves it unchanged;
- the document's structure (elements and attribute names, JSON keys) is exactly the structure of the
  same request with a harmless word instead of the payload: the payload is data, never markup;
- no template is evaluated (``{{7*191}}`` never becomes ``1337``);
- SVG holds only the elements a badge is made of, no event handlers, no external links.

Finally Chromium opens error badges whose title holds a payload, with and without the served
Content-Security-Policy, and no script runs.
"""

import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from html import escape as html_escape
from urllib.parse import quote

import pytest
from flask import Flask
from werkzeug.test import TestResponse

from tests.conftest import GunicornServer
from tests.hardening.support import (
    SVG_NAMESPACE,
    JsChecker,
    check_body,
    discovered_parameters,
    hardened_app,
    js_checker,
    media_type,
    parse_html,
    parse_svg,
    plain_paths,
    record,
)

PAYLOADS = (
    "<script>alert('pwned')</script>",
    '"><script>alert("pwned")</script>',
    "'><script>alert('pwned')</script>",
    '"><svg onload=alert("pwned")>',
    "'><svg/onload=alert('pwned')>",
    "<img src=x onerror=alert('pwned')>",
    "<svg><script>alert('pwned')</script></svg>",
    "</title><script>alert('pwned')</script>",
    "</text><script>alert('pwned')</script><text>",
    "</style><script>alert('pwned')</script>",
    "]]><script>alert('pwned')</script><![CDATA[",
    "<![CDATA[<script>alert('pwned')</script>]]>",
    "--><script>alert('pwned')</script><!--",
    '<?xml-stylesheet type="text/xsl" href="javascript:alert(1)"?>',
    '<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
    "&xxe;&lt;&#60;&#x3c;&amp;&nbsp;&unknown;",
    "&lt;script&gt;alert('pwned')&lt;/script&gt;",
    "&#60;script&#62;alert('pwned')&#60;/script&#62;",
    "javascript:alert('pwned')",
    "JaVaScRiPt:alert('pwned')",
    "data:text/html,<script>alert('pwned')</script>",
    "\" onmouseover=\"alert('pwned')",
    "' onfocus='alert(1)' autofocus='",
    "` onmouseover=alert(1) `",
    '<a xlink:href="javascript:alert(1)"><text>x</text></a>',
    "<foreignObject><iframe src=javascript:alert('pwned')></iframe></foreignObject>",
    "<use href=\"data:image/svg+xml,<svg id='x' onload='alert(1)'/>#x\"/>",
    "<animate attributeName=href to=javascript:alert(1) />",
    '<style>@import "//evil.example/x.css"</style>',
    '<link rel=stylesheet href="//evil.example/x.css">',
    "{{7*191}}",
    "${7*191}",
    "#{7*191}",
    "<%= 7*191 %>",
    "{{constructor.constructor('alert(1)')()}}",
    "\u2028alert('pwned')\u2029",
    "</script><script>alert('pwned')</script>",
    "\\\";alert('pwned');//",
    "';alert('pwned');//",
    "\u202e<script>alert('pwned')</script>",
    "\x00<script>alert('pwned')</script>",
    "%3Cscript%3Ealert('pwned')%3C/script%3E",
    "+ADw-script+AD4-alert(1)+ADw-/script+AD4-",
    "\r\nX-Injected: 1\r\n\r\n<script>alert('pwned')</script>",
)
"""44 payloads: tags, attribute breakouts, CDATA and comment breakouts, entities, URL schemes,
template syntax, JS string breakouts, line separators, controls, encodings."""

HARMLESS = "zzqqzz"
TEMPLATE_RESULT = "1337"
"""What ``7*191`` evaluates to: never in an answer that did not already contain it."""

HEADERS_REACHING_OUTPUT = ("Host", "Accept-Language", "If-None-Match", "Referer", "Origin")
"""The headers widget/ reads (``Host`` via ``url_root``, ``Accept-Language``, ``If-None-Match``), and
two that a careless change could start echoing."""
PROXY_HEADERS = ("Host", "X-Forwarded-Host", "X-Forwarded-Proto", "Forwarded", "X-Forwarded-Ssl", "X-Original-URL")
"""Sent to the app configured with a ``public_url``, whose URLs no request header may change."""
PUBLIC_URL = "https://counter.example.org"
SVG_ELEMENTS = frozenset(
    f"{SVG_NAMESPACE}{name}"
    for name in ("svg", "title", "desc", "defs", "g", "path", "use", "rect", "clipPath", "linearGradient", "stop")
)
MARKUP_TYPES = ("image/svg+xml", "text/html")
JS_TYPES = ("text/javascript", "application/javascript")


@dataclass
class Placement:
    """One way of putting a payload into a request."""

    description: str
    path: str
    query: list[tuple[str, str]] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)

    def with_value(self, value: str) -> "Placement":
        swap = lambda text: text.replace(HARMLESS, value)  # noqa: E731
        return Placement(
            self.description,
            self.path,
            [(swap(name), swap(given)) for name, given in self.query],
            {name: swap(given) for name, given in self.headers.items()},
        )


def placements(app: Flask, proxy_headers: bool) -> list[Placement]:
    """Every place a payload can go, with ``HARMLESS`` standing for the payload."""
    found = []
    client = app.test_client()
    for path in plain_paths(app):
        # a PNG cannot carry markup: its inputs are fuzzed for status and format in test_hostile_input
        is_image = media_type(client.get(path).content_type) == "image/png"
        if is_image:
            continue
        if not proxy_headers:
            names = discovered_parameters(app, path)
            for name in names:
                found.append(Placement(f"{path}?{name}=", path, [(name, HARMLESS)]))
            twice = [(names[0], HARMLESS), (names[0], HARMLESS)]
            found.append(Placement(f"{path}?{names[0]}= twice", path, twice))
            found.append(Placement(f"{path}?<name>=1", path, [(HARMLESS, "1")]))
        for header in PROXY_HEADERS if proxy_headers else HEADERS_REACHING_OUTPUT:
            value = HARMLESS if header != "X-Forwarded-Proto" else f"https, {HARMLESS}"
            found.append(Placement(f"{path} {header}:", path, headers={header: value}))
    return found


def _request(app: Flask, placement: Placement) -> TestResponse:
    headers = dict(placement.headers)
    environ = {}
    if "Host" in headers:
        environ["HTTP_HOST"] = headers.pop("Host")
    return app.test_client().get(
        placement.path, query_string=placement.query, headers=headers, environ_overrides=environ
    )


def _escapes_to_itself(payload: str, kind: str) -> bool:
    """Whether ``payload`` is its own correctly escaped form in a document of type ``kind``."""
    if kind in MARKUP_TYPES:
        # our attributes are double-quoted, so an apostrophe is data; the structure check proves it
        return html_escape(payload.replace("'", ""), quote=True) == payload.replace("'", "")
    if kind == "application/json":
        # json.dumps escaping can leave the payload as a substring (\\\" ends in \"); the
        # structure check is what proves a JSON answer was not broken out of
        return True
    if kind in JS_TYPES:
        return not any(char in payload for char in "<>'\"`\\\n\r\u2028\u2029")
    return True


def _json_shape(value: object) -> object:
    if isinstance(value, dict):
        return {key: _json_shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_json_shape(item) for item in value]
    return type(value).__name__


def _svg_structure(root: ET.Element) -> list[tuple[str, tuple[str, ...]]]:
    return [(element.tag, tuple(sorted(element.attrib))) for element in root.iter()]


def _assert_inert_svg(root: ET.Element) -> None:
    for element in root.iter():
        assert element.tag in SVG_ELEMENTS, f"unexpected SVG element {element.tag}"
        for name, value in element.attrib.items():
            assert not name.lower().startswith("on"), f"event handler {name}={value!r}"
            if name.endswith(("href", "src")) or name in ("from", "to", "values"):
                assert value.startswith("#"), f"link or animation {name}={value!r}"


@dataclass
class Baselines:
    """The answer to each placement with the harmless word, computed once per app."""

    app: Flask
    answers: dict[str, TestResponse] = field(default_factory=dict)

    def get(self, placement: Placement) -> TestResponse:
        key = repr((placement.path, placement.query, placement.headers))
        if key not in self.answers:
            self.answers[key] = _request(self.app, placement)
        return self.answers[key]


def assert_not_reflected(payload: str, response: TestResponse, baseline: TestResponse, check_js: JsChecker) -> None:
    """The payload-carrying ``response`` is as inert as ``baseline``, the same request made harmless."""
    assert response.status_code < 500, response.status_code
    body = response.get_data()
    kind = check_body(response.content_type, body, check_js)
    for name, value in response.headers.items():
        assert "\n" not in value and "\r" not in value, f"header {name} split: {value!r}"
        assert name.lower() != "x-injected", "a payload injected a response header"
    if kind == "image/png" or not body:
        return
    text = body.decode("utf-8")
    base_text = baseline.get_data().decode("utf-8", "replace")
    same_kind = media_type(baseline.content_type) == kind
    if payload in text:
        assert _escapes_to_itself(payload, kind), f"payload reflected raw in {kind}"
    assert TEMPLATE_RESULT not in text or TEMPLATE_RESULT in base_text, "a template was evaluated"
    if kind == "image/svg+xml":
        root = parse_svg(body)
        _assert_inert_svg(root)
        if same_kind:
            assert _svg_structure(root) == _svg_structure(parse_svg(baseline.get_data())), "SVG structure changed"
        assert "<script" not in text.lower()
    elif kind == "text/html":
        document, base_document = parse_html(body), None
        if same_kind:
            base_document = parse_html(baseline.get_data())
            assert document.structure == base_document.structure, "HTML structure changed"
            assert document.script_text == base_document.script_text, "inline script changed"
            for (tag, name, value), (_, _, base_value) in zip(
                document.attributes, base_document.attributes, strict=True
            ):
                if value.strip().lower().startswith(("javascript:", "data:", "vbscript:")):
                    assert value == base_value, f"<{tag} {name}={value!r}> came from the request"
    elif kind == "application/json":
        document = json.loads(text)
        if same_kind:
            assert _json_shape(document) == _json_shape(json.loads(base_text)), "JSON structure changed"
    elif kind in JS_TYPES:
        assert text.lower().count("</script") == base_text.lower().count("</script")


@pytest.fixture(scope="module")
def check_js(browser: object) -> Iterator[JsChecker]:
    check, close = js_checker(browser)
    yield check
    close()


@pytest.fixture(scope="module")
def targets() -> list[tuple[Baselines, list[Placement]]]:
    """The default app (parameters and headers) and one with a public URL behind a proxy (proxy headers)."""
    plain, proxied = hardened_app(), hardened_app(public_url=PUBLIC_URL)
    return [(Baselines(plain), placements(plain, False)), (Baselines(proxied), placements(proxied, True))]


@pytest.mark.parametrize("payload", PAYLOADS, ids=[f"payload{index:02d}" for index in range(len(PAYLOADS))])
def test_payload_is_never_reflected_live(
    payload: str, targets: list[tuple[Baselines, list[Placement]]], check_js: JsChecker
) -> None:
    sent = 0
    failures = []
    try:
        for baselines, places in targets:
            for template in places:
                placement = template.with_value(payload)
                if any(set(value) & set("\r\n\x00") for value in placement.headers.values()):
                    continue  # no client can send these in a header; the server would refuse the line
                response = _request(baselines.app, placement)
                sent += 1
                try:
                    assert_not_reflected(payload, response, baselines.get(template), check_js)
                except AssertionError as error:
                    failures.append(f"{placement.description} {payload!r}: {str(error).splitlines()[0]}")
    finally:
        record("injection payloads tried", 1)
        record("injection requests (payload x parameter/header x route)", sent)
    assert not failures, "\n".join(failures)


def test_forwarded_scheme_and_host_cannot_make_links_unsafe() -> None:
    """A forged scheme, host or proxy header must not put a script URL in a link, with or without a public URL.

    Without ``public_url`` the page's URLs come from the request (and the page is private); a
    snippet pasted from it goes into other sites. Only ``http`` and ``https`` may come out as the
    scheme of an absolute URL.
    """
    for app in (hardened_app(), hardened_app(public_url=PUBLIC_URL)):
        _check_link_schemes(app)


def _check_link_schemes(app: Flask) -> None:
    client = app.test_client()
    bad = []
    forged = {"X-Forwarded-Proto": "javascript", "X-Forwarded-Host": "evil.example", "Forwarded": "proto=javascript"}
    for path in plain_paths(app):
        response = client.get(path, headers=forged, environ_overrides={"wsgi.url_scheme": "javascript"})
        if media_type(response.content_type) != "text/html":
            continue
        for tag, name, value in parse_html(response.get_data()).attributes:
            scheme = value.split(":", 1)[0].strip().lower() if "://" in value else ""
            if scheme and scheme not in ("http", "https"):
                bad.append(f"{path}: <{tag} {name}={value!r}>")
    record("forged X-Forwarded-Proto requests", 1)
    assert not bad, "\n".join(bad[:5]) + f"\n({len(bad)} in all)"


def test_every_route_was_covered(targets: list[tuple[Baselines, list[Placement]]]) -> None:
    """The placements cover every route of the URL map, including ones added after this file."""
    for baselines, places in targets:
        client = baselines.app.test_client()
        markup_paths = {path for path in plain_paths(baselines.app) if "png" not in client.get(path).content_type}
        assert {place.path for place in places} == markup_paths


ALERTING = (
    "<script>alert('pwned')</script>",
    '"><svg onload=alert("pwned")>',
    "</title><script>alert('pwned')</script>",
    "]]><script>alert('pwned')</script><![CDATA[",
    "<img src=x onerror=alert('pwned')>",
    "<foreignObject><iframe src=javascript:alert('pwned')></iframe></foreignObject>",
    "\" onmouseover=\"alert('pwned')",
)


def _svg_error_urls(base: str) -> list[str]:
    """Every payload on ``/badge.svg``; a few on every other SVG route of the URL map."""
    app = hardened_app()
    client = app.test_client()
    urls = []
    for path in plain_paths(app):
        if media_type(client.get(path).content_type) != "image/svg+xml":
            continue
        chosen = ALERTING if path == "/badge.svg" else ALERTING[:3]
        urls += [f"{base}{path}?lang={quote(payload)}" for payload in chosen]
        urls += [f"{base}{path}?{quote(payload)}=1" for payload in chosen[:2]]
    return urls


def test_svg_opened_in_chromium_runs_no_script(gunicorn_server: GunicornServer, browser: object) -> None:
    """Error badges quoting payloads, opened as documents: no dialog, no script, no CSP violation.

    Each is opened twice: as served (with its Content-Security-Policy) and, through an intercepted
    route, as the same bytes without any policy, so the markup itself is shown to be inert.
    """
    page = browser.new_page()  # type: ignore[attr-defined]
    events: list[str] = []
    page.on("dialog", lambda dialog: (events.append(f"dialog: {dialog.message}"), dialog.dismiss()))
    page.on("console", lambda message: events.append(f"console: {message.text}"))
    page.on("pageerror", lambda error: events.append(f"pageerror: {error}"))
    served: dict[str, bytes] = {}
    page.route(
        f"{gunicorn_server.url}/no-policy/*",
        lambda route: route.fulfill(status=200, body=served[route.request.url], content_type="image/svg+xml"),
    )
    opened = 0
    try:
        for index, url in enumerate(_svg_error_urls(gunicorn_server.url)):
            response = page.goto(url)
            assert response is not None and response.status == 400
            policy = response.headers.get("content-security-policy", "")
            assert "default-src 'none'" in policy or "script-src 'none'" in policy, policy
            bare = f"{gunicorn_server.url}/no-policy/{index}.svg"
            served[bare] = response.body()
            for _ in ("served", "bare"):
                assert page.evaluate("document.documentElement.localName") == "svg"
                assert page.evaluate("document.getElementsByTagName('script').length") == 0
                assert page.evaluate("document.getElementsByTagName('foreignObject').length") == 0
                assert page.evaluate("document.querySelectorAll('[onload],[onerror],[onmouseover]').length") == 0
                opened += 1
                page.goto(bare)
        page.wait_for_timeout(200)
        assert not [event for event in events if "pwned" in event or "Content Security Policy" in event], events
        # control: the same harness does see script run in an SVG that has some
        control = f"{gunicorn_server.url}/no-policy/control.svg"
        served[control] = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert("control")</script></svg>'
        page.goto(control)
        page.wait_for_timeout(100)
        assert "dialog: control" in events, f"the harness cannot see a dialog: {events}"
    finally:
        page.close()
        record("SVG error badges opened in Chromium (served and without CSP)", opened)
