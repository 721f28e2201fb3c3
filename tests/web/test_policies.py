"""Content-Security-Policy headers, checked against what the README promises, not against our own constants.

- The landing page's policy is, directive by directive, the one the README prints (written out
  below, and checked to be what the README says), on every way the page is answered: each
  language, a second request (the fast path's replay), ``HEAD`` and ``304``.
- Every answer that is not an image carries a policy (JSON and plain text included, errors, 404,
  405, ``OPTIONS``, redirects): opened on its own, no answer of ours may run a script, except the
  page, which runs its own script from its own host.
"""

import re
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.conftest import REPOSITORY, GunicornServer, csp_directives
from tests.web.every_request import every_request

PROMISED_PAGE_POLICY = {
    "default-src": ["'none'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "frame-src": ["'self'"],
    "base-uri": ["'none'"],
    "form-action": ["'none'"],
    "frame-ancestors": ["'none'"],
}
"""README, "Caching and privacy": everything from our own host, nothing inline, no base, no forms, no framing."""
PAGE_LANGUAGES = ("fr", "ar", "zgh", "en", "ary")
"""The languages the README lists for ``?lang=``."""


def readme_page_policy() -> dict[str, list[str]]:
    """The page's policy as the README's "Caching and privacy" paragraph prints it."""
    readme = (REPOSITORY / "README.md").read_text(encoding="utf-8")
    found = re.search(r"page's\s+`Content-Security-Policy` is `([^`]+)`", readme)
    assert found is not None, "the README no longer states the page's Content-Security-Policy"
    return csp_directives(" ".join(found.group(1).split()))


def test_the_readme_states_the_policy_this_test_expects() -> None:
    """The expectations written out above are the README's words, so the two cannot drift apart."""
    assert readme_page_policy() == PROMISED_PAGE_POLICY


def page_answers(client: FlaskClient) -> Iterator[tuple[str, TestResponse]]:
    """The landing page answered every way a browser or a cache can ask for it."""
    for query in ("", *(f"?lang={lang}" for lang in PAGE_LANGUAGES), "?lang=xx&fbclid=1"):
        first = client.get(f"/{query}")
        yield f"GET /{query}", first
        yield f"GET /{query} again", client.get(f"/{query}")
        yield f"HEAD /{query}", client.head(f"/{query}")
        yield f"GET /{query} revalidated", client.get(f"/{query}", headers={"If-None-Match": first.headers["ETag"]})
    yield "GET / in Arabic by Accept-Language", client.get("/", headers={"Accept-Language": "ar-MA,ar;q=0.9"})


def test_the_landing_page_policy_is_the_one_the_readme_promises(client: FlaskClient) -> None:
    statuses = set()
    for where, response in page_answers(client):
        statuses.add(response.status_code)
        header = response.headers.get("Content-Security-Policy")
        assert header is not None, f"{where}: no Content-Security-Policy"
        policy = csp_directives(header)
        assert policy == PROMISED_PAGE_POLICY, f"{where}: {header}"
        sources = {source for values in policy.values() for source in values}
        assert not sources & {"'unsafe-inline'", "'unsafe-eval'", "*", "data:", "https:", "http:"}, where
    assert statuses == {200, 304}


def test_every_answer_but_images_carries_a_policy(client: FlaskClient) -> None:
    """JSON, text, HTML, scripts, styles, fonts, errors, redirects, empty answers: all have a policy.

    A browser that opens any of them as a document (a link, a redirect, a sniffing proxy) must
    run no script of anyone's: ``script-src`` (or ``default-src`` standing in for it) is
    ``'none'``. The landing page alone runs a script, its own, from its own host.
    """
    answers = list(every_request(client))
    kinds, statuses, missing, scripted = set(), set(), [], []
    for asked in answers:
        kind = asked.kind
        if kind.startswith("image/"):
            continue
        kinds.add(kind)
        statuses.add(asked.response.status_code)
        header = asked.response.headers.get("Content-Security-Policy")
        if header is None:
            missing.append(str(asked))
            continue
        policy = csp_directives(header)
        scripts = policy.get("script-src", policy.get("default-src"))
        is_page = (
            asked.url.partition("?")[0] == "/" and asked.method.startswith(("GET", "HEAD")) and kind == "text/html"
        )
        if scripts != (["'self'"] if is_page else ["'none'"]):
            scripted.append(f"{asked}: {header}")
    assert not missing, f"{len(missing)} answers without a Content-Security-Policy:\n" + "\n".join(missing)
    assert not scripted, "answers whose policy lets scripts run:\n" + "\n".join(scripted)
    # Not vacuous: the walk met documents, data, code and every kind of refusal.
    assert {"text/html", "application/json", "text/javascript", "text/css"} <= kinds, kinds
    assert {200, 304, 400, 404, 405} <= statuses, statuses


@pytest.mark.parametrize("url", ["/api/counter.json?lang=xx", "/nope", "/healthz"])
def test_json_and_text_answers_carry_a_policy_through_gunicorn(gunicorn_server: GunicornServer, url: str) -> None:
    """The deployed server sends the same policy headers: nothing strips them on the way."""
    try:
        with urllib.request.urlopen(gunicorn_server.url + url, timeout=10) as response:
            header = response.headers.get("Content-Security-Policy")
    except urllib.error.HTTPError as error:
        header = error.headers.get("Content-Security-Policy")
    assert header is not None, url
    policy = csp_directives(header)
    assert policy.get("script-src", policy.get("default-src")) == ["'none'"], header
