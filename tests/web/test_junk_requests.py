"""Caches nobody can fill: junk URLs make no new entries, entries are bounded in bytes, errors are a fixed few.

Both caches (the day's built answers, and the fast path's replayable responses) are keyed by the
normalised variant: parameters the service ignores (``v``, ``utm_*``, ``fbclid``), letter case,
spaces, and the spelling of an error make no new entry. When real variants outgrow the memory
bound, the least recently used go first, and the bound holds.
"""

import importlib
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import pytest
from flask import Flask
from werkzeug.test import Client

from tests.conftest import SettableClock, make_settings
from widget.web import create_app
from widget.web.fast_path import DailyResponseCache
from widget.web.service import EXTENSION_KEY, CounterService

BADGES = importlib.import_module("widget.web.badges")  # the attribute ``widget.web.badges`` is the blueprint


def fast_path(app: Flask) -> DailyResponseCache:
    middleware = app.wsgi_app
    assert isinstance(middleware, DailyResponseCache)
    return middleware


def service_of(app: Flask) -> CounterService:
    service: CounterService = app.extensions[EXTENSION_KEY]
    return service


def sizes(app: Flask) -> tuple[int, int]:
    return len(service_of(app).cache), len(fast_path(app))


SAME_VARIANT = {
    "/?lang=fr": [
        "/?lang=fr&utm_source=x&utm_medium=y",
        "/?fbclid=IwAR1&lang=FR",
        "/?lang=%20fr%20&v=3",
        "/?lang=fr&gclid=1",
    ],
    "/card.png?lang=ar": ["/card.png?lang=ar&v=2026-11-27", "/card.png?lang=AR&v=1", "/card.png?v=x&v=y&lang=ar"],
    "/badge.svg?lang=ar&style=plastic": [
        "/badge.svg?lang=AR&style=Plastic",
        "/badge.svg?style=plastic&lang=%20ar&theme=",
    ],
    "/api/counter.json": ["/api/counter.json?lang=fr", "/api/counter.json?lang=FR", "/api/counter.json?lang="],
    "/embed.js": ["/embed.js?v=1", "/embed.js?utm_source=blog", "/embed.js?ver=2026"],
    "/embed/text.svg?lang=zgh": ["/embed/text.svg?lang=zgh&day=2026-11-27", "/embed/text.svg?day=2026-11-28&lang=ZGH"],
}


@pytest.mark.parametrize("url", SAME_VARIANT)
def test_spellings_of_one_variant_make_no_new_entry(app: Flask, url: str) -> None:
    client = app.test_client()
    first = client.get(url)
    assert first.status_code == 200
    filled = sizes(app)
    for other in SAME_VARIANT[url] * 2:
        again = client.get(other)
        assert (again.status_code, again.data) == (200, first.data), other
    assert sizes(app) == filled


JUNK_TEMPLATES = [
    "/badge.svg?lang={}",
    "/badge.svg?style={}&theme=dark",
    "/badge.png?scale={}",
    "/badge.png?lang={}&scale=2",
    "/badge.svg?{}=1",
    "/api/counter.json?lang={}",
    "/api/shields.json?{}=1",
    "/embed/text.svg?part={}",
    "/embed/badge.svg?day={}",
    "/card.png?lang={}",
]
JUNK_VALUES = ["xx", "klingon", "<script>", "x" * 300, "%", "é", "1.5", "-1", "tomorrow", "ZZ9"]


@pytest.mark.parametrize("template", JUNK_TEMPLATES)
def test_distinct_junk_values_get_one_fixed_error_answer(app: Flask, template: str) -> None:
    client = app.test_client()
    answers = set()
    for value in JUNK_VALUES:
        response = client.get(template.format(quote(value, safe="")))
        assert response.status_code == 400, template.format(value)
        answers.add((response.headers["Content-Type"], response.headers.get("ETag"), response.data))
    assert len(answers) == 1, template
    assert sizes(app) == (1, 1), "one error answer, kept once in each cache"


def test_junk_floods_make_no_entries_and_rebuild_nothing(clock: SettableClock, monkeypatch: pytest.MonkeyPatch) -> None:
    """2,000 junk requests, any Host, after the real variants: a few fixed errors kept, nothing built again.

    The service as deployed behind a proxy, with ``public_url`` set (without it the page's URLs
    come from ``Host``, and each host is a private page of its own, bounded in bytes like the rest).
    """
    app = create_app(make_settings(public_url="https://counter.example.org"), clock)
    client = app.test_client()
    real = ["/badge.svg?lang=ar", "/badge.png?lang=fr&scale=2", "/?lang=en", "/api/counter.json?lang=zgh"]
    for url in real:
        assert client.get(url).status_code == 200
    renders = []
    monkeypatch.setattr(BADGES, "render_badge_svg", lambda badge: renders.append(badge) or "")
    for number in range(250):
        for url in (
            f"/?utm_source={number}",
            f"/card.png?lang=fr&v={number}",
            f"/badge.svg?lang=a{number}",
            f"/badge.png?scale={number + 5}",
            f"/badge.svg?LANG{number}=ar",
            f"/api/counter.json?lang=fr&cb={number}",
            f"/embed.js?v={number}",
        ):
            client.get(url, headers={"Host": f"junk{number}.example"})
        client.get("/badge.svg?lang=ar", headers={"Host": f"junk{number}.example"})
    daily, kept = sizes(app)
    assert daily <= len(real) + 2 + 6  # the page and card (fr), and one error per kind of mistake
    assert kept <= len(real) + 3 + 6
    assert renders == [], "the day's real badge was built again"


LRU_URLS = ["/badge.svg?lang=fr", "/badge.svg?lang=ar", "/badge.svg?lang=en", "/badge.svg?lang=zgh"]
"""A, B, C fill the bound exactly; after A is used again, D must push out B (least recently used), not A."""


def entry_sizes(
    clock: SettableClock, bytes_held: Callable[[Flask], int], get: Callable[[Flask, str], object]
) -> list[int]:
    """What each of ``LRU_URLS`` adds to a cache, measured on an app of its own."""
    app = create_app(make_settings(), clock)
    sizes = []
    for url in LRU_URLS:
        before = bytes_held(app)
        get(app, url)
        sizes.append(bytes_held(app) - before)
    return sizes


def test_the_days_answers_are_bounded_in_bytes_least_recently_used_first(
    app: Flask, clock: SettableClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    def direct_get(application: Flask, url: str) -> object:  # the app itself, behind the fast path
        return Client(fast_path(application).app).get(url)

    sizes = entry_sizes(clock, lambda application: service_of(application).cache.bytes, direct_get)
    cache = service_of(app).cache
    cache.max_bytes = sum(sizes[:3])
    first, second, third, fourth = LRU_URLS
    for url in (first, second, third, first, fourth):
        assert direct_get(app, url).status_code == 200  # type: ignore[attr-defined]
        assert cache.bytes <= cache.max_bytes
    renders: list[object] = []
    original = BADGES.render_badge_svg
    monkeypatch.setattr(BADGES, "render_badge_svg", lambda badge: renders.append(badge) or original(badge))
    direct_get(app, first)
    assert renders == [], "the most recently used answer was dropped"
    direct_get(app, second)
    assert len(renders) == 1, "the least recently used answer was kept"


def test_the_fast_path_is_bounded_in_bytes_least_recently_used_first(app: Flask, clock: SettableClock) -> None:
    def get(application: Flask, url: str) -> object:
        return application.test_client().get(url)

    sizes = entry_sizes(clock, lambda application: fast_path(application).bytes, get)
    middleware = fast_path(app)
    reached: list[str] = []
    behind = middleware.app

    def counting(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        reached.append(f"{environ['PATH_INFO']}?{environ['QUERY_STRING']}")
        return behind(environ, start_response)

    middleware.app = counting
    middleware.max_bytes = sum(sizes[:3])
    first, second, third, fourth = LRU_URLS
    for url in (first, second, third, first, fourth):
        get(app, url)
        assert middleware.bytes <= middleware.max_bytes
    assert reached == [first, second, third, fourth], "A was replayed, each other one built once"
    get(app, first)
    assert reached[-1] == fourth, "the most recently used answer was dropped"
    get(app, second)
    assert reached[-1] == second, "the least recently used answer was kept"


def test_no_error_quotes_what_was_sent(app: Flask) -> None:
    client = app.test_client()
    for url in ("/badge.svg?lang=canary123", "/badge.svg?canary123=1", "/api/counter.json?lang=canary123"):
        for _ in range(2):
            response = client.get(url)
            assert response.status_code == 400 and b"canary123" not in response.data, url
