"""HTTP caching: max-age to the next Casablanca midnight, strong ETags, 304s, one render per variant per day."""

import importlib
import re
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import SettableClock, csp_directives
from widget.render.badge import STYLES, THEMES
from widget.render.png import SCALES
from widget.text.catalog import available_languages
from widget.web.service import EXTENSION_KEY, CounterService

LANGS = available_languages()
BADGES = importlib.import_module("widget.web.badges")  # ``widget.web.badges`` the attribute is the blueprint
API = importlib.import_module("widget.web.api")
MIDNIGHT = datetime(2026, 11, 28, 0, 0, tzinfo=UTC)  # Casablanca is on UTC+0 on 27-28 November 2026

SVG_URLS = [
    f"/badge.svg?lang={lang}&style={style}&theme={theme}" for lang in LANGS for style in STYLES for theme in THEMES
]
PNG_URLS = [f"{url.replace('.svg', '.png')}&scale={scale}" for url in SVG_URLS for scale in SCALES]
API_URLS = [f"/api/{kind}.json?lang={lang}" for kind in ("counter", "shields") for lang in LANGS]
VALID_URLS = SVG_URLS + PNG_URLS + API_URLS
CACHEABLE = [
    "/badge.svg?lang=ar",
    "/badge.png?lang=zgh&scale=2",
    "/api/counter.json?lang=fr",
    "/embed/text.svg?lang=zgh",
]


def cache_control(response) -> dict[str, str]:
    directives = {}
    for part in response.headers["Cache-Control"].split(","):
        name, _, value = part.strip().partition("=")
        directives[name.lower()] = value
    return directives


def max_ages(response) -> tuple[int, int]:
    directives = cache_control(response)
    return int(directives["max-age"]), int(directives["s-maxage"])


def lifetimes(seconds: int) -> tuple[int, int]:
    """``max-age`` and ``s-maxage`` for an answer right for ``seconds`` more: shared caches stop a second early,
    since nginx counts an entry's life from its own whole second (the deployment tests' midnight case)."""
    return seconds, max(0, seconds - 1)


def service_of(app: Flask) -> CounterService:
    return app.extensions[EXTENSION_KEY]


@pytest.mark.parametrize("url", CACHEABLE)
def test_cache_control_is_public_until_casablanca_midnight(client: FlaskClient, url: str) -> None:
    response = client.get(url)  # the clock stands at noon: 12 hours to go
    assert response.status_code == 200
    assert "public" in cache_control(response)
    assert max_ages(response) == lifetimes(43200)


@pytest.mark.parametrize(
    ("instant", "seconds"),
    [
        (MIDNIGHT - timedelta(seconds=1), 1),
        (MIDNIGHT - timedelta(minutes=1), 60),
        (MIDNIGHT - timedelta(milliseconds=300), 0),
        (MIDNIGHT, 86400),
        (MIDNIGHT + timedelta(seconds=1), 86399),
        # summer 2026 (UTC+1): midnight is 23:00Z, so at 22:59:59Z one second is left
        (datetime(2026, 7, 1, 22, 59, 59, tzinfo=UTC), 1),
        (datetime(2026, 7, 1, 23, 0, 0, tzinfo=UTC), 86400),
        # 20 September 2026 lasts 25 hours in Casablanca (back to UTC+0 at 03:00)
        (datetime(2026, 9, 19, 23, 0, 0, tzinfo=UTC), 90000),
    ],
)
def test_max_age_is_exactly_the_time_left_today(
    client: FlaskClient, clock: SettableClock, instant: datetime, seconds: int
) -> None:
    clock.set(instant)
    for url in CACHEABLE:
        assert max_ages(client.get(url)) == lifetimes(seconds), url


def test_max_age_never_reaches_past_midnight(client: FlaskClient, clock: SettableClock) -> None:
    start = datetime(2026, 11, 27, 0, 0, 7, tzinfo=UTC)
    for step in range(0, 49):
        instant = start + timedelta(minutes=29 * step, seconds=13 * step)
        clock.set(instant)
        local = instant.astimezone(service_of(client.application).settings.zone)
        next_midnight = (local + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
        left = (next_midnight - local).total_seconds()
        for url in ("/badge.svg", "/api/counter.json"):
            max_age, s_maxage = max_ages(client.get(url))
            assert s_maxage == max(0, max_age - 1)  # shared caches stop a second early
            assert 0 <= left - max_age < 1, (instant, url, max_age, left)


@pytest.mark.parametrize("url", CACHEABLE)
def test_etag_is_strong_and_revalidates(client: FlaskClient, url: str) -> None:
    first = client.get(url)
    etag = first.headers["ETag"]
    assert re.fullmatch(r'"[^"]+"', etag), etag  # strong: no W/ prefix
    assert client.get(url).headers["ETag"] == etag
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == etag
    assert max_ages(again) == max_ages(first)
    assert again.headers["X-Content-Type-Options"] == "nosniff"
    other = client.get(url, headers={"If-None-Match": '"not-this-one"'})
    assert other.status_code == 200 and other.data == first.data
    listed = client.get(url, headers={"If-None-Match": f'"older", {etag}'})
    assert listed.status_code == 304
    # a CDN that compresses may weaken the validator; If-None-Match compares weakly (RFC 9110 13.1.2)
    assert client.get(url, headers={"If-None-Match": f"W/{etag}"}).status_code == 304
    assert client.get(url, headers={"If-None-Match": "*"}).status_code == 304


def test_variants_have_distinct_etags(client: FlaskClient) -> None:
    etags = {client.get(url).headers["ETag"] for url in SVG_URLS[:16] + API_URLS}
    assert len(etags) == 16 + len(API_URLS)


def test_count_rolls_over_at_local_midnight(client: FlaskClient, clock: SettableClock) -> None:
    clock.set(MIDNIGHT - timedelta(seconds=1))
    before = {url: client.get(url) for url in CACHEABLE}
    assert client.get("/api/counter.json").get_json()["count"] == 3979
    clock.set(MIDNIGHT)
    assert client.get("/api/counter.json").get_json()["count"] == 3980
    assert "3980" in re.sub(r"\D", "", client.get("/api/counter.json?lang=ar").get_json()["sentence"])
    for url, old in before.items():
        new = client.get(url)
        assert new.status_code == 200
        assert new.data != old.data, url
        assert new.headers["ETag"] != old.headers["ETag"], url
        stale = client.get(url, headers={"If-None-Match": old.headers["ETag"]})
        assert stale.status_code == 200, url  # yesterday's copy is not confirmed


def test_roll_over_also_happens_at_23z_in_summer(client: FlaskClient, clock: SettableClock) -> None:
    clock.set(datetime(2026, 7, 1, 22, 59, 59, tzinfo=UTC))
    count = client.get("/api/counter.json").get_json()["count"]
    clock.set(datetime(2026, 7, 1, 23, 0, 0, tzinfo=UTC))
    assert client.get("/api/counter.json").get_json()["count"] == count + 1


class Counter:
    def __init__(self, function):
        self.function = function
        self.calls = 0
        self.lock = threading.Lock()

    def __call__(self, *args, **kwargs):
        with self.lock:
            self.calls += 1
        return self.function(*args, **kwargs)


def test_each_variant_is_rendered_once_per_day(
    client: FlaskClient, clock: SettableClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    svg_renders = Counter(BADGES.render_badge_svg)
    png_renders = Counter(BADGES.badge_to_png)
    documents = Counter(API.counter_texts)
    monkeypatch.setattr(BADGES, "render_badge_svg", svg_renders)
    monkeypatch.setattr(BADGES, "badge_to_png", png_renders)
    monkeypatch.setattr(API, "counter_texts", documents)
    variants = SVG_URLS[:8] + PNG_URLS[:12] + API_URLS
    for _ in range(3):
        for url in variants:
            assert client.get(url).status_code == 200, url
    # also the spellings that mean the same variant
    for url in ("/badge.svg", "/badge.svg?lang=FR", "/badge.svg?lang=fr&style=&theme=light", "/api/counter.json"):
        assert client.get(url).status_code == 200
    assert svg_renders.calls == 8  # PNGs are painted without an SVG; the other spellings are fr/flat/light
    assert png_renders.calls == 12
    counters = len([url for url in API_URLS if "/counter.json" in url])
    assert documents.calls == len(API_URLS) + counters  # a counter document also says the next day's texts
    clock.set(MIDNIGHT + timedelta(hours=1))
    for _ in range(2):
        for url in variants:
            client.get(url)
    assert svg_renders.calls == 2 * 8
    assert png_renders.calls == 24
    assert documents.calls == 2 * (len(API_URLS) + counters)


def test_concurrent_first_requests_render_a_variant_once(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """Eight threads (gunicorn's default per worker) ask for the same cold badge at the same moment."""
    original = BADGES.render_badge_svg

    def slow(*args, **kwargs):
        time.sleep(0.2)
        return original(*args, **kwargs)

    renders = Counter(slow)
    monkeypatch.setattr(BADGES, "render_badge_svg", renders)
    barrier = threading.Barrier(8)
    statuses = []

    def fetch() -> None:
        client = app.test_client()
        barrier.wait()
        statuses.append(client.get("/badge.svg?lang=ar").status_code)

    threads = [threading.Thread(target=fetch) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200] * 8
    assert renders.calls == 1, f"one cold variant was rendered {renders.calls} times by concurrent requests"


def test_cache_stays_bounded(client: FlaskClient, clock: SettableClock) -> None:
    service = service_of(client.application)
    for _ in range(2):
        for url in VALID_URLS:
            assert client.get(url).status_code == 200, url
    assert len(service.cache) <= len(VALID_URLS)
    filled = len(service.cache)
    junk = [
        "/badge.svg?lang=x{}",
        "/badge.png?p{}=1",
        "/badge.png?scale={}",
        "/api/counter.json?lang=fr&q{}=",
        "/badge.svg?lang=ar&style=flat&theme=dark&v={}",
    ]
    for url in junk:
        assert client.get(url.format(0)).status_code == 400, url
    with_errors = len(service.cache)
    assert with_errors - filled <= len(junk)  # one fixed error answer per kind of mistake
    for number in range(1, 60):
        for url in junk:
            assert client.get(url.format(number + 4)).status_code == 400, url
    assert len(service.cache) == with_errors
    for url in ("/badge.svg?lang=Ar", "/badge.svg?lang=%20ar%20", "/badge.svg?theme=LIGHT"):
        assert client.get(url).status_code == 200
    assert len(service.cache) == with_errors
    clock.set(MIDNIGHT + timedelta(hours=1))
    client.get("/badge.svg")
    assert len(service.cache) == 1  # yesterday's answers are let go


NOSNIFF_URLS = [
    "/badge.svg",
    "/badge.png",
    "/badge.png?scale=4",
    "/api/counter.json",
    "/api/shields.json",
    "/badge.svg?lang=xx",
    "/badge.png?lang=xx",
    "/api/counter.json?lang=xx",
    "/healthz",
    "/nope",
]


@pytest.mark.parametrize("url", NOSNIFF_URLS)
def test_nosniff_everywhere(client: FlaskClient, url: str) -> None:
    assert client.get(url).headers.get("X-Content-Type-Options") == "nosniff"
    assert client.post(url).headers.get("X-Content-Type-Options") == "nosniff"


@pytest.mark.parametrize("url", ["/badge.svg", "/badge.svg?lang=ar&style=plastic&theme=dark", "/badge.svg?lang=xx"])
def test_svg_has_a_policy_that_forbids_scripts(client: FlaskClient, url: str) -> None:
    response = client.get(url)
    header = response.headers.get("Content-Security-Policy")
    assert header, url
    directives = csp_directives(header)
    script_sources = directives.get("script-src", directives.get("default-src"))
    assert script_sources == ["'none'"], header
    assert "script-src-elem" not in directives and "script-src-attr" not in directives
    etag = response.headers["ETag"]
    if response.status_code == 200:
        assert client.get(url, headers={"If-None-Match": etag}).headers.get("Content-Security-Policy") == header


def test_healthz(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.data.strip() == b"ok"
    assert "no-store" in response.headers["Cache-Control"] or "max-age=0" in response.headers["Cache-Control"]
