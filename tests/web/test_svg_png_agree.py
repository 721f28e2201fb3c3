"""The SVG and the PNG are the same picture: Chromium's rendering of /badge.svg against cairo's /badge.png.

Chromium (Skia) and cairo anti-alias edges differently, so a few pixels differ by a few dozen levels;
a different picture (another language, theme or count) differs in size or in hundreds of strong pixels.
"""

import io
from collections.abc import Iterator
from datetime import timedelta

import pytest
from PIL import Image, ImageChops, ImageStat

from tests.conftest import ThreadedServer

SCALE = 2
MEAN_LIMIT = 3.0
"""Mean absolute difference per channel (0-255) allowed for the same picture."""
STRONG = 96
"""A pixel whose channels differ by more than this is a real difference, not anti-aliasing."""
STRONG_SHARE_LIMIT = 0.001
"""Share of strong pixels allowed for the same picture (measured: 0 for every badge)."""


def on_white(png: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(png)).convert("RGBA")
    background = Image.new("RGBA", image.size, (255, 255, 255, 255))
    background.alpha_composite(image)
    return background.convert("RGB")


def difference(first: Image.Image, second: Image.Image) -> tuple[float, float]:
    """Mean absolute difference (worst channel) and share of strongly different pixels."""
    assert first.size == second.size, (first.size, second.size)
    delta = ImageChops.difference(first, second)
    red, green, blue = delta.split()
    worst = ImageChops.lighter(ImageChops.lighter(red, green), blue)
    strong = sum(worst.histogram()[STRONG + 1 :])
    return max(ImageStat.Stat(delta).mean), strong / (first.width * first.height)


def same_picture(first: Image.Image, second: Image.Image) -> bool:
    if first.size != second.size:
        return False
    mean, strong_share = difference(first, second)
    return mean < MEAN_LIMIT and strong_share <= STRONG_SHARE_LIMIT


@pytest.fixture
def page(browser) -> Iterator[object]:
    context = browser.new_context(device_scale_factor=SCALE)
    yield context.new_page()
    context.close()


def screenshot_svg(page, server: ThreadedServer, query: str) -> Image.Image:
    """The badge as a page shows it: an <img> of /badge.svg, at device scale factor 2, on white."""
    page.set_content(
        '<!doctype html><html><body style="margin:0;background:#fff">'
        f'<img id="badge" alt="" src="{server.url}/badge.svg?{query}"></body></html>'
    )
    page.wait_for_function("() => { const i = document.getElementById('badge'); return i.complete && i.naturalWidth }")
    css_width, css_height = page.evaluate("() => [document.images[0].width, document.images[0].height]")
    shot = on_white(page.locator("#badge").screenshot())
    assert shot.size == (SCALE * css_width, SCALE * css_height)
    return shot


def fetch_png(server: ThreadedServer, query: str) -> Image.Image:
    client = server.app.test_client()
    response = client.get(f"/badge.png?{query}&scale={SCALE}")
    assert response.status_code == 200
    return on_white(response.data)


@pytest.mark.parametrize(
    "query",
    ["lang=ar", "lang=zgh", "lang=fr", "lang=ar&style=for-the-badge&theme=dark", "lang=zgh&style=plastic"],
)
def test_chromium_svg_and_png_are_the_same_picture(page, clocked_server: ThreadedServer, query: str) -> None:
    shot = screenshot_svg(page, clocked_server, query)
    png = fetch_png(clocked_server, query)
    assert shot.size == png.size
    mean, strong_share = difference(shot, png)
    assert mean < MEAN_LIMIT, (query, mean)
    assert strong_share <= STRONG_SHARE_LIMIT, (query, strong_share)
    assert same_picture(shot, png)


def test_the_comparison_can_fail(page, clocked_server: ThreadedServer) -> None:
    """Against another language, another theme or tomorrow's count, the same comparison says no."""
    arabic = screenshot_svg(page, clocked_server, "lang=ar")
    french_today = fetch_png(clocked_server, "lang=fr")
    assert not same_picture(arabic, french_today)
    assert not same_picture(arabic, fetch_png(clocked_server, "lang=zgh"))
    assert not same_picture(arabic, fetch_png(clocked_server, "lang=ar&theme=dark"))
    # one digit of difference (3979 -> 3980) at the same size is caught by the strong-pixel share
    clocked_server.clock.set(clocked_server.clock() + timedelta(days=1))
    tomorrow = fetch_png(clocked_server, "lang=ar")
    if tomorrow.size == arabic.size:
        mean, strong_share = difference(arabic, tomorrow)
        assert strong_share > STRONG_SHARE_LIMIT, (mean, strong_share)
    assert not same_picture(arabic, tomorrow)
    french_tomorrow = screenshot_svg(page, clocked_server, "lang=fr")
    assert not same_picture(french_tomorrow, french_today)
    assert same_picture(french_tomorrow, fetch_png(clocked_server, "lang=fr"))
