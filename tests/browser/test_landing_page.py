"""The landing page in real headless Chromium: what a visitor sees, and what a blogger copies and pastes.

The service runs on 127.0.0.1 (with the test's clock); the "blog" that receives a pasted snippet
is served from ``localhost`` on another port, another origin and another site, as on the web.
Every test records console messages and requests: no errors, and nothing leaves our host.
"""

import io
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from PIL import Image
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from tests.conftest import ThreadedServer
from widget.text.catalog import counter_texts, languages
from widget.web.snippets import SnippetChoice, build_snippet

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 360, "height": 740}
ACCENT = (0xC0, 0x39, 0x2B)  # the badges' running red: the page's accent is the palette's
"""The colour of the big count (page.css ``--accent``, light scheme)."""


@dataclass
class Visit:
    """A browser page with everything it logged and asked for."""

    page: Any
    service: str
    console: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    sizes: dict[str, int] = field(default_factory=dict)
    """Response body sizes as received, by URL."""

    def assert_clean(self, allowed_origins: tuple[str, ...] = ()) -> None:
        """No console error, no failed request, no request to any host but ours (and the test blog)."""
        assert self.console == [], self.console
        assert self.failures == [], self.failures
        origins = (self.service, *allowed_origins)
        strangers = [url for url in self.requests if not url.startswith(origins) and not url.startswith("about:")]
        assert strangers == [], strangers


@pytest.fixture
def visit(browser: Any, clocked_server: ThreadedServer) -> Iterator[Callable[..., Visit]]:
    """Open our pages in fresh contexts that may use the clipboard; closed after the test."""
    contexts: list[Any] = []

    def open_page(path: str = "/", viewport: dict[str, int] = DESKTOP, javascript: bool = True) -> Visit:
        context = browser.new_context(viewport=viewport, java_script_enabled=javascript)
        context.grant_permissions(["clipboard-read", "clipboard-write"], origin=clocked_server.url)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        seen = Visit(page, clocked_server.url + "/")
        page.on("console", lambda message: message.type == "error" and seen.console.append(message.text))
        page.on("pageerror", lambda error: seen.console.append(f"uncaught: {error}"))
        page.on("request", lambda request: seen.requests.append(request.url))
        page.on(
            "requestfinished",
            lambda request: seen.sizes.__setitem__(request.url, request.sizes()["responseBodySize"]),
        )
        page.on(
            "requestfailed",
            lambda request: (
                "ERR_ABORTED" not in str(request.failure) and seen.failures.append(f"{request.url}: {request.failure}")
            ),
        )
        page.on("response", lambda response: response.status >= 400 and seen.failures.append(response.url))
        if path:
            page.goto(clocked_server.url + path)
        return seen

    yield open_page
    for context in contexts:
        context.close()


@dataclass
class Blog:
    """Another origin that serves whatever HTML the test pastes into it."""

    url: str
    pages: dict[str, str]


@pytest.fixture(scope="module")
def blog() -> Iterator[Blog]:
    pages: dict[str, str] = {}

    @Request.application
    def application(request: Request) -> Response:
        if request.path not in pages:
            return Response("", status=404)
        return Response(pages[request.path], content_type="text/html; charset=utf-8")

    server = make_server("127.0.0.1", 0, application, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield Blog(f"http://localhost:{server.server_port}", pages)
    server.shutdown()
    thread.join()


def accent_pixels(png: bytes) -> int:
    """How many pixels of a screenshot are (nearly) the colour of the big count."""
    image = Image.open(io.BytesIO(png)).convert("RGB")
    return sum(
        count
        for count, (red, green, blue) in image.getcolors(image.width * image.height) or []
        if abs(red - ACCENT[0]) + abs(green - ACCENT[1]) + abs(blue - ACCENT[2]) < 30
    )


@pytest.mark.parametrize(("lang", "viewport"), [("fr", PHONE), ("fr", DESKTOP), ("ar", PHONE)])
def test_the_count_shows_at_phone_and_desktop_width_without_overflow(
    visit: Callable[..., Visit], lang: str, viewport: dict[str, int]
) -> None:
    seen = visit(f"/?lang={lang}", viewport)
    page = seen.page
    count = page.locator(".count")
    assert count.inner_text() == languages()[lang].format_count(3979)
    box = count.bounding_box()
    assert box is not None and box["height"] > 50, "the count is drawn large"
    assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"]
    assert page.evaluate("document.scrollingElement.scrollWidth <= innerWidth")
    assert page.evaluate(
        "[...document.querySelectorAll('body *')].every(e => e.getBoundingClientRect().right <= innerWidth + 0.5)"
    )
    if viewport == DESKTOP and lang == "fr":
        page.wait_for_load_state("networkidle")
        total = sum(seen.sizes.values())
        print(f"first load of /?lang=fr: {total} bytes in {len(seen.sizes)} responses: {seen.sizes}")
        assert total < 100_000, "first load stays under 100 KB"
    shot = page.screenshot(clip=box)
    assert accent_pixels(shot) > box["width"] * box["height"] * 0.1, "the count's digits are visible in the picture"
    seen.assert_clean()


def test_arabic_page_reads_right_to_left(visit: Callable[..., Visit]) -> None:
    seen = visit("/?lang=ar")
    page = seen.page
    assert page.evaluate("document.documentElement.dir") == "rtl"
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    left, right = page.evaluate(
        """() => {
            const range = document.createRange();
            range.selectNodeContents(document.getElementById("story-heading"));
            const box = range.getBoundingClientRect();
            return [box.left, box.right];
        }"""
    )
    main = page.locator("main").bounding_box()
    assert main is not None
    assert left > DESKTOP["width"] / 2, "a short heading starts on the right"
    assert abs(right - (main["x"] + main["width"] - 16)) < 2, "and ends at the right margin"
    seen.assert_clean()


def test_tifinagh_is_drawn_with_our_own_web_font(visit: Callable[..., Visit]) -> None:
    seen = visit("/?lang=zgh")
    loaded = seen.page.evaluate(
        "document.fonts.ready.then(() => [...document.fonts].filter(f => f.status === 'loaded').map(f => f.family))"
    )
    assert '"VoIP Down Tifinagh"' in loaded or "VoIP Down Tifinagh" in loaded
    assert any("/tifinagh.ttf" in url for url in seen.requests)
    seen.assert_clean()


def test_without_javascript_the_count_and_ready_made_snippets_show(visit: Callable[..., Visit]) -> None:
    seen = visit("/?lang=en", javascript=False)
    page = seen.page
    assert page.locator(".count").is_visible()
    assert page.locator("#builder").is_hidden()
    snippets = page.locator("#ready pre")
    assert snippets.count() == 5 and snippets.first.is_visible()
    assert snippets.nth(1).inner_text().startswith(f'<a href="{seen.service}en/"><img src="{seen.service}badge/en/')
    seen.assert_clean()


def choose(page: Any, **choices: str) -> None:
    for name, value in choices.items():
        page.select_option(f"#b-{name}", value)


BUILDER_CASES = [
    {"format": "script", "lang": "ar", "variant": "badge", "theme": "dark"},
    {"format": "html", "lang": "fr", "style": "plastic", "theme": "light", "image": "png", "scale": "2"},
    {"format": "markdown", "lang": "zgh", "style": "for-the-badge", "theme": "dark", "image": "svg"},
    {"format": "bbcode", "lang": "en", "style": "flat", "theme": "light", "image": "png", "scale": "3"},
    {"format": "url", "lang": "ary", "style": "flat-square", "theme": "light", "image": "svg"},
]
"""Each case sets every control its format shows (hidden ones keep old values but do not count)."""


def expected_snippet(base: str, choices: dict[str, str]) -> str:
    """What ``build_snippet`` on the server makes of the same choices."""
    choice = SnippetChoice(
        format=choices["format"],  # type: ignore[arg-type]
        lang=choices["lang"],
        variant=choices.get("variant", "footer"),
        style=choices.get("style", "flat"),
        theme=choices.get("theme", "auto" if choices["format"] == "script" else "light"),
        image=choices.get("image", "svg"),
        scale=int(choices.get("scale", "1")),
    )
    return build_snippet(base, choice, counter_texts(choices["lang"], 0, False).label)


def copy_snippet(page: Any) -> str:
    """Click the copy button; the clipboard's text once the confirmation shows."""
    page.evaluate("document.getElementById('copy-status').textContent = ''")
    page.click("#copy")
    page.wait_for_selector("#copy-status:not(:empty)")
    copied: str = page.evaluate("navigator.clipboard.readText()")
    return copied


def test_the_builder_makes_the_servers_snippets_and_copies_exactly_the_preview(visit: Callable[..., Visit]) -> None:
    seen = visit("/?lang=fr")
    page = seen.page
    assert page.locator("#builder").is_visible() and page.locator("#ready").is_hidden()
    for choices in BUILDER_CASES:
        choose(page, **choices)
        shown = page.input_value("#snippet")
        assert shown == expected_snippet(seen.service, choices), choices
        if choices["format"] in ("script", "html"):
            assert f"<body>{shown}</body>" in page.get_attribute("#preview", "srcdoc"), "the preview is the snippet"
        assert copy_snippet(page) == shown
        assert page.locator("#copy-status").inner_text() == "Copié ! Collez-le dans votre page."
    assert page.locator("#b-theme option[value=auto]").is_disabled(), "an image cannot follow the reader's theme"
    seen.assert_clean()


def test_the_builder_works_with_the_keyboard_alone(visit: Callable[..., Visit]) -> None:
    seen = visit("/?lang=en")
    page = seen.page
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "b-format":
            break
    else:
        pytest.fail("Tab never reached the format control")
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none", "focus is visible"
    page.keyboard.press("ArrowDown")  # script -> HTML image
    assert page.input_value("#b-format") == "html"
    assert page.input_value("#snippet").startswith("<a href=")
    page.keyboard.press("Tab")
    page.keyboard.press("ArrowUp")  # en -> zgh
    assert page.input_value("#b-lang") == "zgh"
    visited = []
    for _ in range(10):
        page.keyboard.press("Tab")
        visited.append(page.evaluate("document.activeElement.id"))
        if visited[-1] == "copy":
            break
    assert visited[-1] == "copy", visited
    assert "b-scale" not in visited, "the PNG scale is hidden while the image is SVG"
    page.keyboard.press("Enter")
    page.wait_for_selector("#copy-status:not(:empty)")
    assert page.locator("#copy-status").inner_text() == "Copied! Paste it into your page."
    assert page.evaluate("navigator.clipboard.readText()") == page.input_value("#snippet")
    assert f"{seen.service}badge/zgh/" in page.input_value("#snippet")
    seen.assert_clean()


def paste_into_blog(blog: Blog, name: str, snippet: str) -> str:
    blog.pages["/favicon.ico"] = ""
    blog.pages[f"/{name}"] = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>A blog</title></head>'
        f"<body><main><p>A post.</p></main><footer>{snippet}</footer></body></html>"
    )
    return f"{blog.url}/{name}"


def test_pasted_image_snippets_show_the_badge_on_another_site(visit: Callable[..., Visit], blog: Blog) -> None:
    builder = visit("/?lang=fr")
    reader = visit("")
    cases = {
        "html-svg": {"format": "html", "lang": "ar"},
        "html-png": {"format": "html", "lang": "zgh", "image": "png", "scale": "2", "theme": "dark"},
        "url": {"format": "url", "lang": "en", "image": "png", "scale": "1"},
    }
    for name, choices in cases.items():
        choose(builder.page, **choices)
        snippet = copy_snippet(builder.page)
        if choices["format"] == "url":
            snippet = f'<img src="{snippet}" alt="">'
        reader.page.goto(paste_into_blog(blog, name, snippet))
        reader.page.wait_for_function("document.querySelector('footer img').complete")
        image = reader.page.locator("footer img")
        assert image.evaluate("img => img.naturalWidth > 0 && img.naturalHeight > 0"), name
        assert image.evaluate("img => img.currentSrc").startswith(reader.service)
        if name == "html-png":
            assert image.evaluate("img => img.srcset").endswith("@2x.png 2x"), "a sharp PNG for 2x screens"
    builder.assert_clean()
    reader.assert_clean(allowed_origins=(blog.url,))


def test_a_pasted_script_snippet_shows_the_widget_on_another_site(visit: Callable[..., Visit], blog: Blog) -> None:
    """Needs ``/embed.js`` (the embed script issue): it draws the counter where the tag stands."""
    builder = visit("/?lang=fr")
    choose(builder.page, format="script", lang="ar", variant="badge")
    snippet = copy_snippet(builder.page)
    reader = visit("")
    reader.page.goto(paste_into_blog(blog, "script", snippet))
    footer = reader.page.locator("footer")
    reader.page.wait_for_function("document.querySelector('footer').getBoundingClientRect().height > 10")
    shot = Image.open(io.BytesIO(footer.screenshot())).convert("L")
    dark = sum(count for count, value in shot.getcolors(shot.width * shot.height) or [] if value < 200)
    assert dark > 50, "the widget drew something in the footer"
    reader.assert_clean(allowed_origins=(blog.url,))
