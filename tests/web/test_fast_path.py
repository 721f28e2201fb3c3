"""The fast path replays the app's own answers: same status, headers and body, fresher max-age."""

from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from werkzeug.test import Client

from tests.conftest import SettableClock, make_settings
from widget.web import create_app
from widget.web.fast_path import DailyResponseCache

REUSABLE_URLS = [
    "/badge.svg?lang=ar",
    "/badge.svg?lang=zgh&style=for-the-badge&theme=dark",
    "/badge.png?lang=fr&scale=2",
    "/api/counter.json?lang=en",
    "/api/shields.json",
    "/embed.js",
    "/embed/text.svg?lang=zgh",
    "/?lang=ar",
    "/card.png?lang=ar",
]


def _fast_path(app: Flask) -> DailyResponseCache:
    middleware = app.wsgi_app
    assert isinstance(middleware, DailyResponseCache)
    return middleware


def _without_fast_path(app: Flask) -> Client:
    """A client talking to the app behind the fast path, as if it did not exist."""
    return Client(_fast_path(app).app)


def _answer(client: Client, url: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    response = client.get(url, headers=headers)
    return response.status_code, dict(response.headers), response.get_data()


@pytest.mark.parametrize("url", REUSABLE_URLS)
@pytest.mark.parametrize("coding", ["identity", "gzip", "br"])
def test_replayed_answer_is_identical_to_the_apps(app: Flask, clock: SettableClock, url: str, coding: str) -> None:
    fast = Client(app.wsgi_app)
    first = _answer(fast, url, **{"Accept-Encoding": coding})
    assert len(_fast_path(app)) == 1, "the first answer should be kept for replay"
    replayed = _answer(fast, url, **{"Accept-Encoding": coding})
    direct = _answer(_without_fast_path(app), url, **{"Accept-Encoding": coding})
    assert first == replayed == direct
    assert first[0] == 200


@pytest.mark.parametrize("url", REUSABLE_URLS)
@pytest.mark.parametrize("coding", ["identity", "br"])
def test_replayed_not_modified_is_identical_to_the_apps(app: Flask, url: str, coding: str) -> None:
    fast = Client(app.wsgi_app)
    etag = fast.get(url, headers={"Accept-Encoding": coding}).headers["ETag"]
    replayed = _answer(fast, url, **{"If-None-Match": etag, "Accept-Encoding": coding})
    direct = _answer(_without_fast_path(app), url, **{"If-None-Match": etag, "Accept-Encoding": coding})
    assert replayed == direct
    assert replayed[0] == 304 and replayed[2] == b""


@pytest.mark.parametrize("coding", ["identity", "br"])
def test_a_replayed_error_is_the_apps_with_at_most_five_minutes(app: Flask, clock: SettableClock, coding: str) -> None:
    fast = Client(app.wsgi_app)
    first = _answer(fast, "/badge.svg?lang=xx", **{"Accept-Encoding": coding})
    assert first[0] == 400 and first[1]["Cache-Control"] == "public, max-age=300, s-maxage=299"
    assert _answer(fast, "/badge.svg?lang=yy", **{"Accept-Encoding": coding}) == first
    clock.set(datetime(2026, 11, 27, 23, 58, 0, tzinfo=UTC))
    near_midnight = _answer(fast, "/badge.svg?lang=zz", **{"Accept-Encoding": coding})
    assert near_midnight == _answer(_without_fast_path(app), "/badge.svg?lang=ww", **{"Accept-Encoding": coding})
    assert near_midnight[1]["Cache-Control"] == "public, max-age=120, s-maxage=119"


def test_replayed_head_has_the_headers_and_no_body(app: Flask) -> None:
    fast = Client(app.wsgi_app)
    fast.get("/badge.svg")
    head = fast.head("/badge.svg")
    direct = _without_fast_path(app).head("/badge.svg")
    assert head.status_code == 200 and head.get_data() == b""
    assert dict(head.headers) == dict(direct.headers)


def test_replay_counts_down_max_age_to_local_midnight(app: Flask, clock: SettableClock) -> None:
    fast = Client(app.wsgi_app)
    fast.get("/badge.svg")
    clock.set(datetime(2026, 11, 27, 23, 59, 50, tzinfo=UTC))
    replayed = fast.get("/badge.svg")
    assert replayed.headers["Cache-Control"] == "public, max-age=10, s-maxage=9"
    assert replayed.headers == _without_fast_path(app).get("/badge.svg").headers


def test_the_embed_script_is_replayed_with_its_fixed_headers(app: Flask, clock: SettableClock) -> None:
    fast = Client(app.wsgi_app)
    first = _answer(fast, "/embed.js")
    clock.set(clock.instant + timedelta(days=3))
    assert _answer(fast, "/embed.js") == first == _answer(_without_fast_path(app), "/embed.js")


def test_the_page_is_replayed_per_accepted_language(app: Flask) -> None:
    fast = Client(app.wsgi_app)
    arabic = _answer(fast, "/", **{"Accept-Language": "ar"})
    english = _answer(fast, "/", **{"Accept-Language": "en"})
    assert 'lang="ar"' in arabic[2].decode() and 'lang="en"' in english[2].decode()
    assert _answer(fast, "/", **{"Accept-Language": "ar"}) == arabic
    assert _answer(fast, "/", **{"Accept-Language": "en"}) == english


def test_a_clock_stepping_back_across_midnight_is_not_served_tomorrows_answer(app: Flask, clock: SettableClock) -> None:
    fast = Client(app.wsgi_app)
    clock.set(datetime(2026, 11, 28, 0, 0, 5, tzinfo=UTC))
    assert fast.get("/api/counter.json").get_json()["count"] == 3980
    clock.set(datetime(2026, 11, 27, 23, 59, 58, tzinfo=UTC))
    assert fast.get("/api/counter.json").get_json()["count"] == 3979


def test_nothing_is_replayed_after_local_midnight(app: Flask, clock: SettableClock) -> None:
    fast = Client(app.wsgi_app)
    before = fast.get("/api/counter.json").get_json()
    clock.set(clock.instant + timedelta(days=1))
    after = fast.get("/api/counter.json").get_json()
    assert (before["count"], after["count"]) == (3979, 3980)


def test_uncacheable_answers_are_never_kept(app: Flask) -> None:
    fast = Client(app.wsgi_app)
    for url in ["/healthz", "/nowhere", "/embed/0123456789abcdef.js", "/assets/000000000000/page.css"]:
        fast.get(url)
        fast.get(url)
    assert len(_fast_path(app)) == 0


def test_refusals_are_kept_once_per_kind_of_mistake(app: Flask) -> None:
    """Distinct junk values land on one fixed error answer, replayed as the app sends it."""
    fast = Client(app.wsgi_app)
    first = _answer(fast, "/badge.svg?lang=xx")
    for value in ("yy", "zz", "x" * 200, "%3Cb%3E"):
        assert _answer(fast, f"/badge.svg?lang={value}") == first
    assert _answer(_without_fast_path(app), "/badge.svg?lang=qq") == first
    assert len(_fast_path(app)) == 1


def test_a_host_header_makes_no_entry_of_its_own(clock: SettableClock) -> None:
    app = create_app(make_settings(), clock)
    fast = Client(app.wsgi_app)
    for index in range(50):
        assert fast.get("/badge.svg", headers={"Host": f"host{index}.example"}).status_code == 200
    assert len(_fast_path(app)) == 1


def test_range_requests_go_to_the_app(app: Flask) -> None:
    fast = Client(app.wsgi_app)
    fast.get("/badge.svg")
    ranged = _answer(fast, "/badge.svg", Range="bytes=0-9")
    assert ranged == _answer(_without_fast_path(app), "/badge.svg", Range="bytes=0-9")
