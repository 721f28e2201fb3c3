"""``/badge.svg`` and ``/badge.png`` through the Flask test client: every variant, sizes, errors, the ended state."""

import importlib
import io
import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime

import pytest
from flask.testing import FlaskClient
from PIL import Image
from werkzeug.datastructures import MultiDict

from tests.conftest import SettableClock, make_settings
from widget.render.badge import STYLES, THEMES
from widget.render.png import SCALES, PngUnavailableError
from widget.text.catalog import available_languages, counter_texts
from widget.web import create_app
from widget.web.badges import SCALE
from widget.web.params import ParameterError, parse_query

SVG = "{http://www.w3.org/2000/svg}"
LANGS = available_languages()
PROMISED_LANGS = ("fr", "ar", "zgh", "en")


def parse_svg(body: bytes) -> ET.Element:
    root = ET.fromstring(body)
    assert root.tag == f"{SVG}svg"
    return root


def svg_size(body: bytes) -> tuple[int, int]:
    root = parse_svg(body)
    return int(root.attrib["width"]), int(root.attrib["height"])


def svg_title(body: bytes) -> str:
    title = parse_svg(body).find(f"{SVG}title")
    assert title is not None and title.text
    return title.text


def open_png(body: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(body))
    image.load()
    assert image.format == "PNG"
    return image


def digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def test_the_four_promised_languages_are_served() -> None:
    assert set(PROMISED_LANGS) <= set(LANGS)


@pytest.mark.parametrize("lang", LANGS)
def test_every_svg_variant_answers_with_an_accessible_svg(client: FlaskClient, lang: str) -> None:
    for style in STYLES:
        for theme in THEMES:
            response = client.get(f"/badge.svg?lang={lang}&style={style}&theme={theme}")
            assert response.status_code == 200, (style, theme)
            assert response.mimetype == "image/svg+xml"
            root = parse_svg(response.data)
            assert root.attrib["role"] == "img"
            title = svg_title(response.data)
            assert root.attrib["aria-label"] == title
            assert title == counter_texts(lang, 3979, False).sentence
            assert root.attrib["lang"] == lang
            assert "3979" in digits(title), title
            width, height = svg_size(response.data)
            assert width > 0 and height > 0


@pytest.mark.parametrize("lang", LANGS)
def test_every_png_variant_answers_with_a_png_of_the_svgs_size(client: FlaskClient, lang: str) -> None:
    for style in STYLES:
        for theme in THEMES:
            query = f"lang={lang}&style={style}&theme={theme}"
            png = client.get(f"/badge.png?{query}")
            assert png.status_code == 200, query
            assert png.mimetype == "image/png"
            assert open_png(png.data).size == svg_size(client.get(f"/badge.svg?{query}").data), query


@pytest.mark.parametrize(
    ("lang", "style"),
    [(lang, "flat") for lang in LANGS] + [("ar", "for-the-badge"), ("zgh", "plastic"), ("fr", "flat-square")],
)
def test_png_scale_multiplies_the_svg_size_exactly(client: FlaskClient, lang: str, style: str) -> None:
    width, height = svg_size(client.get(f"/badge.svg?lang={lang}&style={style}").data)
    for scale in SCALES:
        response = client.get(f"/badge.png?lang={lang}&style={style}&scale={scale}")
        assert response.status_code == 200
        assert open_png(response.data).size == (scale * width, scale * height), scale


def test_scales_one_to_four_are_offered() -> None:
    assert tuple(SCALES) == (1, 2, 3, 4)


def test_defaults_are_flat_light_french_scale_one(client: FlaskClient) -> None:
    explicit = client.get("/badge.svg?lang=fr&style=flat&theme=light")
    assert client.get("/badge.svg").data == explicit.data
    assert 'lang="fr"' in explicit.data.decode()
    assert client.get("/badge.png").data == client.get("/badge.png?lang=fr&style=flat&theme=light&scale=1").data


def test_empty_values_mean_the_default(client: FlaskClient) -> None:
    assert client.get("/badge.svg?lang=&style=&theme=").data == client.get("/badge.svg").data


def test_themes_and_styles_really_differ(client: FlaskClient) -> None:
    bodies = {client.get(f"/badge.svg?style={style}&theme={theme}").data for style in STYLES for theme in THEMES}
    assert len(bodies) == len(STYLES) * len(THEMES)


def test_arabic_badge_is_a_different_picture_from_french(client: FlaskClient) -> None:
    arabic = client.get("/badge.svg?lang=ar").data
    assert 'lang="ar"' in arabic.decode()
    assert arabic != client.get("/badge.svg?lang=fr").data


def bad_request(client: FlaskClient, url: str) -> tuple[str, tuple[int, int]]:
    """The title and size of the error badge a bad URL answers with; the PNG twin must match in size."""
    response = client.get(url)
    assert response.status_code == 400, url
    assert response.mimetype == "image/svg+xml", url
    title = svg_title(response.data)
    return title, svg_size(response.data)


BAD_SVG_URLS = {
    "/badge.svg?lang=xx": (("lang",), "xx"),
    "/badge.svg?lang=klingon": (("lang",), "klingon"),
    "/badge.svg?style=round": (("style",), "round"),
    "/badge.svg?theme=neon": (("theme",), "neon"),
    "/badge.svg?color=red": (("unknown parameter", "lang", "style", "theme"), "color"),
    "/badge.svg?scale=2": (("unknown parameter", "lang", "style", "theme"), "scale"),
    "/badge.svg?lang=ar&lang=fr": (("lang",), None),
    "/badge.svg?theme=dark&theme=dark": (("theme",), None),
}
"""Each bad URL, the words its error badge's title must hold, and what was sent (which it must not quote)."""


@pytest.mark.parametrize(("url", "expected"), BAD_SVG_URLS.items())
def test_bad_svg_url_gets_an_error_badge_that_names_the_problem(client: FlaskClient, url: str, expected: tuple) -> None:
    named, sent = expected
    title, _ = bad_request(client, url)
    for word in named:
        assert word in title, (url, title)
    if sent is not None:
        assert sent not in title, f"{url}: the error quotes what was sent: {title}"


def test_error_titles_say_what_is_allowed(client: FlaskClient) -> None:
    title, _ = bad_request(client, "/badge.svg?lang=xx")
    assert all(lang in title for lang in PROMISED_LANGS), title
    title, _ = bad_request(client, "/badge.svg?style=round")
    assert all(style in title for style in STYLES), title
    title, _ = bad_request(client, "/badge.svg?theme=neon")
    assert all(theme in title for theme in THEMES), title


def test_repeated_parameter_error_says_it_is_repeated(client: FlaskClient) -> None:
    title, _ = bad_request(client, "/badge.svg?lang=ar&lang=ar")
    assert re.search(r"repeat|twice|more than once|once|times", title), title


def test_unknown_parameter_error_lists_the_known_ones(client: FlaskClient) -> None:
    title, _ = bad_request(client, "/badge.svg?colour=red")
    assert "colour" not in title
    assert all(name in title for name in ("lang", "style", "theme")), title


BAD_PNG_URLS = [
    "/badge.png?scale=0",
    "/badge.png?scale=5",
    "/badge.png?scale=abc",
    "/badge.png?scale=1.5",
    "/badge.png?scale=-1",
    "/badge.png?lang=xx",
    "/badge.png?style=round",
    "/badge.png?theme=neon",
    "/badge.png?size=2",
    "/badge.png?scale=2&scale=3",
]


@pytest.mark.parametrize("url", BAD_PNG_URLS)
def test_bad_png_url_gets_an_error_png(client: FlaskClient, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 400
    assert response.mimetype == "image/png"
    image = open_png(response.data)
    assert image.width > 0 and image.height > 0


def test_error_png_is_the_picture_of_the_error_svg(client: FlaskClient) -> None:
    """The PNG twin of an error has the same drawn problem, hence the same size as the SVG error badge."""
    _, size = bad_request(client, "/badge.svg?lang=xx")
    assert open_png(client.get("/badge.png?lang=xx").data).size == size


@pytest.mark.parametrize("value", ["0", "5", "abc", "1.5"])
def test_bad_scale_message_names_the_allowed_scales(value: str) -> None:
    """A PNG has no readable title, so the words behind a scale error badge are checked where they are made."""
    with pytest.raises(ParameterError) as caught:
        parse_query(MultiDict([("scale", value)]), [SCALE])
    assert caught.value.parameter == "scale"
    assert "1, 2, 3, 4" in str(caught.value) and f"{value}," not in str(caught.value)


def test_error_badge_keeps_the_requested_style(client: FlaskClient) -> None:
    _, flat = bad_request(client, "/badge.svg?lang=xx&style=flat")
    _, tall = bad_request(client, "/badge.svg?lang=xx&style=for-the-badge")
    assert tall[1] > flat[1]


def test_hostile_input_is_quoted_safely_in_the_error_badge(client: FlaskClient) -> None:
    for url in [
        "/badge.svg?lang=%3Cscript%3Ealert(1)%3C/script%3E",
        "/badge.svg?%22%3E%3Csvg%20onload=alert(1)%3E=1",
        "/badge.svg?lang=%26amp;%26lt;",
        "/badge.svg?%01=1",
        "/badge.svg?lang=%EF%BF%BE",
        "/badge.svg?lang=" + "x" * 5000,
    ]:
        response = client.get(url)
        assert response.status_code == 400, url
        root = parse_svg(response.data)  # still well-formed XML
        assert not list(root.iter(f"{SVG}script")), url
        assert b"<script" not in response.data, url
        assert len(response.data) < 64_000, url


def test_values_are_case_insensitive(client: FlaskClient) -> None:
    assert (
        client.get("/badge.svg?lang=AR&style=Flat&theme=DARK").data
        == client.get("/badge.svg?lang=ar&style=flat&theme=dark").data
    )


@pytest.fixture
def ended_client(clock: SettableClock) -> FlaskClient:
    return create_app(make_settings(end_date="2016-11-04"), clock).test_client()


ENDED_WORDS = {"fr": "a duré", "en": "lasted", "ar": "دام", "zgh": "ⵉⴷⵓⵎ", "ary": "دام"}


@pytest.mark.parametrize("lang", LANGS)
def test_ended_badge_says_the_block_lasted_304_days(ended_client: FlaskClient, lang: str) -> None:
    svg = ended_client.get(f"/badge.svg?lang={lang}")
    assert svg.status_code == 200
    title = svg_title(svg.data)
    assert digits(title) == "304", title
    assert ENDED_WORDS[lang] in title, title
    png = ended_client.get(f"/badge.png?lang={lang}&scale=2")
    assert png.status_code == 200
    width, height = svg_size(svg.data)
    assert open_png(png.data).size == (2 * width, 2 * height)


def test_ended_french_and_english_sentences(ended_client: FlaskClient) -> None:
    assert svg_title(ended_client.get("/badge.svg?lang=fr").data) == "Le blocage de la VoIP au Maroc a duré 304 jours"
    assert svg_title(ended_client.get("/badge.svg?lang=en").data) == "The VoIP block in Morocco lasted 304 days"


def test_ended_badge_stays_frozen_years_later(ended_client: FlaskClient, clock: SettableClock) -> None:
    before = ended_client.get("/badge.svg?lang=en").data
    clock.set(datetime(2031, 6, 1, 12, tzinfo=UTC))
    assert digits(svg_title(ended_client.get("/badge.svg?lang=en").data)) == "304"
    assert ended_client.get("/badge.svg?lang=en").data == before


def test_ended_badge_looks_different_from_a_running_one(ended_client: FlaskClient, client: FlaskClient) -> None:
    """Same style and theme, different tone: the message part is not the running red."""
    running = client.get("/badge.svg?lang=en").data.decode()
    ended = ended_client.get("/badge.svg?lang=en").data.decode()
    running_fills = set(re.findall(r'fill="(#[0-9a-fA-F]{3,6})"', running))
    ended_fills = set(re.findall(r'fill="(#[0-9a-fA-F]{3,6})"', ended))
    assert running_fills != ended_fills


def test_without_cairo_png_is_a_503_badge_and_the_rest_still_works(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    badges_module = importlib.import_module("widget.web.badges")  # the attribute ``widget.web.badges`` is the blueprint
    working = badges_module.badge_to_png

    def unavailable(badge: object, scale: int = 1) -> bytes:
        raise PngUnavailableError("PNG rendering is unavailable: install the cairo library (libcairo2)")

    monkeypatch.setattr(badges_module, "badge_to_png", unavailable)
    monkeypatch.setattr(importlib.import_module("widget.web.responses"), "badge_to_png", unavailable)
    response = client.get("/badge.png?lang=ar")
    assert response.status_code == 503
    assert response.mimetype == "image/svg+xml"
    assert "cairo" in svg_title(response.data)
    assert "max-age=0" in response.headers["Cache-Control"]
    assert client.get("/badge.svg?lang=ar").status_code == 200
    assert client.get("/api/counter.json").status_code == 200
    monkeypatch.setattr(badges_module, "badge_to_png", working)
    recovered = client.get("/badge.png?lang=ar")  # the failure was not cached
    assert recovered.status_code == 200 and recovered.mimetype == "image/png"
