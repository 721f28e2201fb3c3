"""One palette: the embed script's ribbon and footer dot, and the page's accent, turn with the badges.

Before, the badges turned green once the block had an end date while the embed ribbon and the
footer's dot stayed red (the script had colours of its own). Here every surface is compared
with what the badge itself shows: the colour of its message part, read from the PNG's pixels.
"""

import io
import re
from collections.abc import Iterator
from typing import Any

import pytest
from flask.testing import FlaskClient
from PIL import Image

from tests.browser.embed_support import HostSite, Shadows, host_page, script_tag, serving, wait_until
from tests.conftest import SettableClock, make_settings
from widget.web import create_app

TONES = {"running": {}, "ended": {"end_date": "2016-11-04"}}
"""Settings of a block going on and of one that ended (304 days)."""


def badge_message_color(client: FlaskClient) -> tuple[int, int, int]:
    """The fill of the message part of today's English badge, as painted (a flat-square badge has no gradient)."""
    image = Image.open(io.BytesIO(client.get("/badge.png?lang=en&style=flat-square").data)).convert("RGB")
    red, green, blue = image.getpixel((image.width - 2, 1))  # the message is the right-hand part in English
    return red, green, blue


def rgb(hex_color: str) -> tuple[int, int, int]:
    digits = hex_color.removeprefix("#")
    if len(digits) == 3:
        digits = "".join(digit * 2 for digit in digits)
    red, green, blue = (int(digits[index : index + 2], 16) for index in (0, 2, 4))
    return red, green, blue


def css_rgb(value: str) -> tuple[int, int, int]:
    red, green, blue = (int(number) for number in re.findall(r"\d+", value)[:3])
    return red, green, blue


@pytest.fixture(params=list(TONES), ids=list(TONES))
def tone_client(request: pytest.FixtureRequest, clock: SettableClock) -> FlaskClient:
    return create_app(make_settings(**TONES[request.param]), clock).test_client()


def test_the_api_gives_the_colours_the_badges_and_pictures_show(tone_client: FlaskClient) -> None:
    colors = tone_client.get("/api/counter.json").get_json()["colors"]
    assert rgb(colors["accent"]) == badge_message_color(tone_client)
    for theme, key in (("light", "text_on_light"), ("dark", "text_on_dark")):
        picture = tone_client.get(f"/embed/text.svg?lang=en&theme={theme}").get_data(as_text=True)
        assert {rgb(fill) for fill in re.findall(r'fill="(#[0-9a-fA-F]+)"', picture)} == {rgb(colors[key])}


def test_running_and_ended_colours_differ(clock: SettableClock) -> None:
    running, ended = (create_app(make_settings(**settings), clock).test_client() for settings in TONES.values())
    assert badge_message_color(running) != badge_message_color(ended)
    assert running.get("/api/counter.json").get_json()["colors"] != ended.get("/api/counter.json").get_json()["colors"]


@pytest.fixture
def chromium_tab(browser: Any) -> Iterator[Any]:
    context = browser.new_context(
        viewport={"width": 1280, "height": 800}, reduced_motion="reduce", color_scheme="light"
    )
    yield context.new_page()
    context.close()


DOT = """function () {
  const link = this.querySelector(".f a");
  return getComputedStyle(link, "::before").backgroundColor;
}"""


@pytest.mark.parametrize("tone", list(TONES))
def test_ribbon_footer_dot_and_page_accent_are_the_badges_colour(
    tone: str, clock: SettableClock, chromium_tab: Any
) -> None:
    """In Chromium, light colour scheme: what a visitor sees in the badge's message colour, in each tone."""
    app = create_app(make_settings(**TONES[tone]), clock)
    expected = badge_message_color(app.test_client())
    blog = HostSite()
    with serving(app) as service, serving(blog) as blog_url:
        blog.url = blog_url
        tags = [
            script_tag(f"{service}/embed.js", data_lang="en", data_variant=variant) for variant in ("footer", "ribbon")
        ]
        chromium_tab.goto(blog.put("/palette.html", host_page(service, footer=tags, lang="en", direction="ltr")))
        shadows = Shadows(chromium_tab)
        _, ribbon = wait_until(lambda: (found := shadows.widgets()) and len(found) == 2 and found, what="widgets")
        dot = shadows.call(shadows.roots()[0], DOT)
        chromium_tab.goto(f"{service}/?lang=en")
        count = chromium_tab.evaluate("getComputedStyle(document.querySelector('.count')).color")
    assert ribbon["tag"] == "voipdown-ribbon" and css_rgb(ribbon["background"]) == expected
    assert css_rgb(dot) == expected
    assert css_rgb(count) == expected
