"""Error answers: cached at most five minutes, as the README promises, and never confirmed by a ``304``.

An error (a mistyped badge URL, a route that does not exist, a PNG while cairo is missing) must
not outlive its fix in browsers and CDNs for long: the README says "errors: at most 300 s". And
a ``304 Not Modified`` tells a cache that what it holds is still the current answer: it must never
stand in for an error, whether the client sends the error's own ``ETag``, ``*`` (any current
representation) or a weak copy of it, and whether the app answers or the fast path replays.

The clock stands at noon in Casablanca: twelve hours to midnight, so an error that took the
day's ``max-age`` would show it.
"""

import urllib.error
import urllib.request
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from tests.conftest import SettableClock, make_settings, start_gunicorn, stop_gunicorn
from tests.web.every_request import refused_requests
from widget.web import create_app

ERROR_MAX_AGE = 300
"""README, "Headers": ``Cache-Control`` ... (errors: at most 300 s)."""
CAIRO_MISSING = (
    "raise OSError(\"cannot load library 'libcairo.so.2': libcairo.so.2: cannot open shared object file\")\n"
)
"""A fake ``cairocffi`` that fails to import as the real one does on a machine without libcairo2."""


def max_ages(header: str) -> dict[str, int | None]:
    """``max-age`` and ``s-maxage`` of a ``Cache-Control`` header (``None`` when absent, 0 for ``no-store``)."""
    directives = {}
    for part in header.split(","):
        name, _, value = part.strip().lower().partition("=")
        directives[name] = value
    if "no-store" in directives:
        return {"max-age": 0, "s-maxage": 0}
    return {name: int(directives[name]) if name in directives else None for name in ("max-age", "s-maxage")}


def test_error_answers_are_cached_five_minutes_at_most(client: FlaskClient) -> None:
    refused = refused_requests(client)
    assert {400, 404, 405} <= {answer.response.status_code for answer in refused}
    too_long = []
    for answer in refused:
        header = answer.response.headers.get("Cache-Control", "")
        ages = max_ages(header)
        shared_too_long = ages["s-maxage"] is not None and ages["s-maxage"] > ERROR_MAX_AGE
        if ages["max-age"] is None or ages["max-age"] > ERROR_MAX_AGE or shared_too_long or "immutable" in header:
            too_long.append(f"{answer}: Cache-Control {header!r}")
    assert not too_long, "errors cached longer than 300 s:\n" + "\n".join(too_long)


def revalidations(etag: str | None) -> list[str]:
    """``If-None-Match`` values a client or a cache may send for an answer it holds."""
    values = ["*", '"something-else", *']
    if etag:
        values += [etag, f"W/{etag}", f'"older", {etag}']
    return values


def test_an_error_is_never_answered_304(client: FlaskClient, clock: SettableClock) -> None:
    """Asked with any validator, an error stays itself: whether the app answers or the fast path replays.

    The errors are collected on one app; a second app that has never seen their URLs is then
    asked with ``If-None-Match`` first (nothing kept yet: the app itself answers), then once
    plainly (an answer the fast path may keep) and with ``If-None-Match`` again (it may replay).
    """
    refused = refused_requests(client)
    assert any(answer.response.headers.get("ETag") for answer in refused), "no error with its own ETag to send back"
    cold = create_app(make_settings(), clock).test_client()
    checked, wrong = 0, []
    for answer in refused:
        etag = answer.response.headers.get("ETag")
        for layer in ("the app", "the fast path"):
            if layer == "the fast path":
                cold.open(answer.url, method=answer.method)
            for if_none_match in revalidations(etag):
                again = cold.open(answer.url, method=answer.method, headers={"If-None-Match": if_none_match})
                checked += 1
                if (again.status_code, again.data) != (answer.response.status_code, answer.response.data):
                    wrong.append(f"{answer} then {again.status_code} from {layer}, If-None-Match: {if_none_match}")
    assert checked > 100
    assert not wrong, "errors answered otherwise on revalidation:\n" + "\n".join(wrong)


def fetch(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=15) as response:
            status, message, body = response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        status, message, body = error.code, error.headers, error.read()
    return status, {"cache": message.get("Cache-Control", ""), "etag": message.get("ETag", "")}, body


def test_png_without_cairo_is_a_short_lived_503_never_confirmed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``voipdown serve`` on a machine without libcairo2: the PNG URLs answer 503, briefly cached, never 304."""
    fake = tmp_path / "no-cairo" / "cairocffi"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text(CAIRO_MISSING, encoding="utf-8")
    monkeypatch.setenv("PYTHONPATH", str(fake.parent))
    server = start_gunicorn(tmp_path)
    try:
        for path in ("/badge.png?lang=ar", "/badge.png?lang=fr&scale=2", "/card.png"):
            status, headers, body = fetch(server.url + path)
            assert status == 503 and body, (path, status)
            ages = max_ages(headers["cache"])
            assert ages["max-age"] is not None and ages["max-age"] <= ERROR_MAX_AGE, (path, headers)
            assert ages["s-maxage"] is None or ages["s-maxage"] <= ERROR_MAX_AGE, (path, headers)
            for if_none_match in revalidations(headers["etag"] or None):
                for _ in range(2):
                    again, _, again_body = fetch(server.url + path, {"If-None-Match": if_none_match})
                    assert (again, again_body) == (503, body), (path, if_none_match, again)
    finally:
        stop_gunicorn(server)
