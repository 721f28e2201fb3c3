"""``/api/counter.json`` and ``/api/shields.json`` through the Flask test client, and JSON errors everywhere."""

import importlib
import json
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import SettableClock, make_settings
from tests.web.casablanca_calendar import next_local_midnight
from widget.text.catalog import available_languages, counter_texts
from widget.web import create_app

LANGS = available_languages()
START = date(2016, 1, 5)
DAY_2026_07_01 = (date(2026, 7, 1) - START).days
COUNTER_FIELDS = {"count", "start_date", "end_date", "ended", "timezone", "valid_for", "next_change", "label"}
COUNTER_FIELDS |= {"message", "sentence", "close_label"}
SHIELDS_OPTIONAL = {"labelColor", "isError", "namedLogo", "logoSvg", "logoColor", "logoWidth", "style", "cacheSeconds"}


def get_json(client: FlaskClient, url: str, status: int = 200) -> dict:
    response = client.get(url)
    assert response.status_code == status, (url, response.data[:300])
    assert response.mimetype == "application/json", url
    assert response.headers["Access-Control-Allow-Origin"] == "*", url
    return json.loads(response.data.decode("utf-8"))


def digits(text: str) -> str:
    return re.sub(r"\D", "", text)


@pytest.mark.parametrize("lang", LANGS)
def test_counter_json_on_27_november_2026(client: FlaskClient, lang: str) -> None:
    document = get_json(client, f"/api/counter.json?lang={lang}")
    assert set(document) >= COUNTER_FIELDS
    assert document["count"] == 3979
    assert document["start_date"] == "2016-01-05"
    assert document["end_date"] is None
    assert document["ended"] is False
    assert document["timezone"] == "Africa/Casablanca"
    assert document["valid_for"] == "2026-11-27"
    # Casablanca is on UTC+0 since September 2026 (IANA 2026f): midnight is 00:00Z, not 23:00Z.
    assert document["next_change"] == "2026-11-28T00:00:00Z"
    texts = counter_texts(lang, 3979, False)
    assert (document["label"], document["message"], document["sentence"]) == (
        texts.label,
        texts.message,
        texts.sentence,
    )
    assert digits(document["message"]) == "3979"
    assert "3979" in digits(document["sentence"])
    assert document["label"] and document["sentence"] != document["message"]


def test_counter_json_default_language_is_french(client: FlaskClient) -> None:
    assert get_json(client, "/api/counter.json") == get_json(client, "/api/counter.json?lang=fr")
    assert get_json(client, "/api/counter.json")["sentence"].endswith("jours depuis le blocage de la VoIP au Maroc")


def test_each_language_has_its_own_texts(client: FlaskClient) -> None:
    sentences = {get_json(client, f"/api/counter.json?lang={lang}")["sentence"] for lang in LANGS}
    assert len(sentences) == len(LANGS)


def test_arabic_and_tifinagh_are_not_escaped(client: FlaskClient) -> None:
    body = client.get("/api/counter.json?lang=ar").data.decode("utf-8")
    assert "المغرب" in body and "\\u" not in body
    assert "ⵍⵎⵖⵔⵉⴱ" in client.get("/api/counter.json?lang=zgh").data.decode("utf-8")


@pytest.mark.parametrize(
    ("instant", "count", "valid_for", "next_change"),
    [
        # start day: 0
        (datetime(2016, 1, 5, 12, tzinfo=UTC), 0, "2016-01-05", "2016-01-06T00:00:00Z"),
        # summer 2026, UTC+1: local midnight is 23:00Z
        (datetime(2026, 7, 1, 12, tzinfo=UTC), DAY_2026_07_01, "2026-07-01", "2026-07-01T23:00:00Z"),
        # 23:30Z on 1 July is already 2 July in Casablanca
        (datetime(2026, 7, 1, 23, 30, tzinfo=UTC), DAY_2026_07_01 + 1, "2026-07-02", "2026-07-02T23:00:00Z"),
        # Ramadan 2026, UTC+0
        (datetime(2026, 3, 1, 12, tzinfo=UTC), (date(2026, 3, 1) - START).days, "2026-03-01", "2026-03-02T00:00:00Z"),
        # 20 September 2026, the 25-hour day of the return to UTC+0
        (datetime(2026, 9, 20, 12, tzinfo=UTC), (date(2026, 9, 20) - START).days, "2026-09-20", "2026-09-21T00:00:00Z"),
        # 23:30Z on 27 November is still 27 November in Casablanca (an outdated zone file would say 28)
        (datetime(2026, 11, 27, 23, 30, tzinfo=UTC), 3979, "2026-11-27", "2026-11-28T00:00:00Z"),
        (datetime(2026, 11, 28, 0, 0, tzinfo=UTC), 3980, "2026-11-28", "2026-11-29T00:00:00Z"),
    ],
)
def test_counter_json_counts_calendar_days_in_casablanca(
    client: FlaskClient, clock: SettableClock, instant: datetime, count: int, valid_for: str, next_change: str
) -> None:
    clock.set(instant)
    document = get_json(client, "/api/counter.json?lang=en")
    assert (document["count"], document["valid_for"], document["next_change"]) == (count, valid_for, next_change)


def test_counter_json_of_an_ended_block(clock: SettableClock) -> None:
    client = create_app(make_settings(end_date="2016-11-04"), clock).test_client()
    document = get_json(client, "/api/counter.json?lang=en")
    assert document["count"] == 304
    assert document["end_date"] == "2016-11-04"
    assert document["ended"] is True
    assert document["valid_for"] == "2026-11-27"
    assert document["next_change"] == "2026-11-28T00:00:00Z"
    assert document["sentence"] == "The VoIP block in Morocco lasted 304 days"
    assert "lasted" in document["message"]
    assert "a duré 304" in get_json(client, "/api/counter.json?lang=fr")["sentence"]


def test_counter_json_follows_a_configured_zone_and_language(clock: SettableClock) -> None:
    settings = make_settings(timezone="Asia/Tokyo", default_lang="ar")
    client = create_app(settings, clock).test_client()
    document = get_json(client, "/api/counter.json")
    assert document["timezone"] == "Asia/Tokyo"
    assert document["valid_for"] == "2026-11-27"  # 21:00 in Tokyo
    assert document["next_change"] == "2026-11-27T15:00:00Z"
    assert document["sentence"] == counter_texts("ar", 3979, False).sentence


@pytest.mark.parametrize("lang", LANGS)
def test_shields_json_follows_the_endpoint_schema(client: FlaskClient, lang: str) -> None:
    document = get_json(client, f"/api/shields.json?lang={lang}")
    assert document["schemaVersion"] == 1
    assert isinstance(document["schemaVersion"], int)
    assert set(document) <= {"schemaVersion", "label", "message", "color"} | SHIELDS_OPTIONAL
    for key in ("label", "message", "color"):
        assert isinstance(document[key], str) and document[key], key
    counter = get_json(client, f"/api/counter.json?lang={lang}")
    assert (document["label"], document["message"]) == (counter["label"], counter["message"])
    if "cacheSeconds" in document:
        assert isinstance(document["cacheSeconds"], int) and document["cacheSeconds"] >= 300


def test_shields_json_colour_marks_the_end(clock: SettableClock, client: FlaskClient) -> None:
    ended = create_app(make_settings(end_date="2016-11-04"), clock).test_client()
    ended_document = get_json(ended, "/api/shields.json?lang=en")
    assert "304" in ended_document["message"]
    assert ended_document["color"] != get_json(client, "/api/shields.json?lang=en")["color"]


BAD_API_URLS = {
    "/api/counter.json?lang=xx": ("lang", "xx"),
    "/api/counter.json?lang=fr&lang=ar": ("lang", None),
    "/api/counter.json?style=flat": (None, "style"),
    "/api/counter.json?callback=steal": (None, "callback"),
    "/api/shields.json?lang=klingon": ("lang", "klingon"),
    "/api/shields.json?label=hi": (None, "label"),
}
"""Each bad URL, the parameter its error names (``None``: one the URL does not take), and what was sent."""


@pytest.mark.parametrize(("url", "expected"), BAD_API_URLS.items())
def test_bad_api_parameter_is_a_json_400(
    client: FlaskClient, url: str, expected: tuple[str | None, str | None]
) -> None:
    parameter, sent = expected
    document = get_json(client, url, 400)
    assert set(document) == {"error"}
    assert document["error"]["status"] == 400
    assert document["error"]["parameter"] == parameter
    message = document["error"]["message"]
    assert isinstance(message, str) and (parameter or "lang") in message
    if sent is not None:
        assert sent not in client.get(url).get_data(as_text=True), "the error quotes what was sent"


def test_bad_language_error_lists_the_languages(client: FlaskClient) -> None:
    message = get_json(client, "/api/counter.json?lang=xx", 400)["error"]["message"]
    assert "lang" in message and all(lang in message for lang in LANGS)


def test_unknown_parameter_error_lists_the_parameters_without_repeating_the_name(client: FlaskClient) -> None:
    message = get_json(client, "/api/counter.json?lang=fr&evil_name=1", 400)["error"]["message"]
    assert "lang" in message and "evil_name" not in message


def assert_json_error(response, status: int) -> dict:
    assert response.status_code == status
    assert response.mimetype == "application/json"
    text = response.data.decode("utf-8")
    assert "<html" not in text.lower() and "<!doctype" not in text.lower()
    assert "Traceback" not in text and 'File "' not in text
    document = json.loads(text)
    assert "error" in document
    return document


@pytest.mark.parametrize("url", ["/nope", "/api/nope", "/api/counter", "/badge.gif", "/badge.svg/x", "/api/"])
def test_unknown_paths_are_json_404(client: FlaskClient, url: str) -> None:
    assert_json_error(client.get(url), 404)


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("post", "/api/counter.json"),
        ("put", "/api/shields.json"),
        ("delete", "/badge.svg"),
        ("post", "/badge.png"),
        ("post", "/healthz"),
    ],
)
def test_wrong_methods_are_json_405(client: FlaskClient, method: str, url: str) -> None:
    response = getattr(client, method)(url)
    assert_json_error(response, 405)
    assert "GET" in response.headers["Allow"]


def test_a_crash_is_a_json_500_without_a_trace(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError("secret internal detail")

    # widget.web re-exports blueprints under the modules' names, so reach the modules through sys.modules.
    monkeypatch.setattr(importlib.import_module("widget.web.api"), "counter_texts", explode)
    monkeypatch.setattr(importlib.import_module("widget.web.badges"), "counter_texts", explode)
    client = app.test_client()
    for url in ("/api/counter.json", "/badge.svg"):
        response = client.get(url)
        document = assert_json_error(response, 500)
        assert "secret internal detail" not in response.data.decode()
        assert document["error"]


def test_head_requests_answer_without_a_body(client: FlaskClient) -> None:
    response = client.head("/api/counter.json")
    assert response.status_code == 200
    assert response.data == b""


@pytest.mark.parametrize(
    ("url", "echoed"),
    [
        ("/embed/%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E.js", "<img src=x onerror=alert(1)>"),
        ("/embed/a%26b%3E.js", "a&b>"),
    ],
)
def test_json_bodies_hold_no_markup_characters(client: FlaskClient, url: str, echoed: str) -> None:
    """``<``, ``>`` and ``&`` are JSON escapes, so a body echoing a value can never be read as markup."""
    response = client.get(url)
    assert response.mimetype == "application/json"
    assert not {ord("<"), ord(">"), ord("&")} & set(response.data), response.data
    assert echoed in json.loads(response.data)["error"]["message"]  # the same text once parsed


def test_json_escapes_keep_every_document_equal_once_parsed(client: FlaskClient) -> None:
    for lang in LANGS:
        body = client.get(f"/api/counter.json?lang={lang}").data
        assert not {ord("<"), ord(">"), ord("&")} & set(body)
        assert json.loads(body)["sentence"] == counter_texts(lang, 3979, False).sentence


def cache_seconds_at(clock: SettableClock, client: FlaskClient, instant: datetime) -> tuple[int, int]:
    clock.set(instant)
    response = client.get("/api/shields.json?lang=en")
    max_age = int(re.search(r"max-age=(\d+)", response.headers["Cache-Control"]).group(1))  # type: ignore[union-attr]
    return response.get_json()["cacheSeconds"], max_age


@pytest.mark.parametrize(
    ("instant", "cache_seconds"),
    [
        (datetime(2026, 11, 27, 12, 0, tzinfo=UTC), 12 * 3600 - 300),  # shields.io may keep it until midnight
        (datetime(2026, 11, 27, 23, 0, 0, tzinfo=UTC), 3600 - 300),
        (datetime(2026, 11, 27, 23, 56, 0, tzinfo=UTC), 300),  # the last minutes: shields.io's floor
        (datetime(2026, 11, 28, 0, 0, 1, tzinfo=UTC), 86400 - 300),
        (datetime(2026, 7, 1, 22, 30, tzinfo=UTC), 1800 - 300),  # summer, UTC+1: midnight is 23:00Z
    ],
)
def test_shields_cache_seconds_reach_the_next_local_midnight(
    client: FlaskClient, clock: SettableClock, instant: datetime, cache_seconds: int
) -> None:
    assert cache_seconds_at(clock, client, instant)[0] == cache_seconds


def test_shields_io_never_shows_yesterdays_count_past_the_floor(client: FlaskClient, clock: SettableClock) -> None:
    """Fetched at any moment and kept as long as a CDN and then shields.io may, the count lasts until local midnight.

    Not longer (except by shields.io's 300-second floor), and not needlessly shorter.
    """
    start = datetime(2026, 9, 19, 20, 0, 3, tzinfo=UTC)  # across the 25-hour day of Morocco's return to UTC+0
    for step in range(400):
        instant = start + timedelta(seconds=293 * step)
        cache_seconds, max_age = cache_seconds_at(clock, client, instant)
        midnight = next_local_midnight(instant)
        assert cache_seconds >= 300 and 0 < max_age <= 300, instant
        latest = instant + timedelta(seconds=max_age + cache_seconds)
        assert midnight <= latest <= midnight + timedelta(seconds=300), (instant, latest)
