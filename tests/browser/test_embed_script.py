"""The embed script in a real headless Chromium, on a blog served from another origin than the service.

Every test pastes the script into a page of ``HostSite`` (its own loopback port, so its own
origin) and reads what a visitor would see: the texts inside the closed shadow roots (through the
DevTools protocol, see ``embed_support.Shadows``), positions, computed styles and screenshot pixels;
and what must not happen: new globals, console messages, requests to other hosts, cookies sent,
layout shifts of the host page.
"""

import os
import subprocess
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PIL import ImageChops

from tests.browser.embed_support import (
    COUNTER_URL,
    HOSTILE_CSS,
    STRICT_CSP,
    WIDGET_TAGS,
    HostSite,
    Shadows,
    count_pixels,
    fetch_json,
    host_page,
    screenshot,
    script_tag,
    serving,
    wait_until,
)
from tests.conftest import CHROMIUM, CHROMIUM_ARGUMENTS, SettableClock, make_settings
from widget.text.catalog import counter_texts
from widget.web import create_app
from widget.web.embed import embed_script

VIEWPORT = {"width": 1280, "height": 800}
BEFORE_MIDNIGHT = datetime(2026, 11, 27, 23, 59, 56, tzinfo=UTC)
"""Four seconds before midnight in Casablanca (UTC+0 on that date since Morocco's 2026 change)."""
AFTER_MIDNIGHT = datetime(2026, 11, 28, 0, 1, 30, tzinfo=UTC)
"""Past midnight plus the script's largest jitter (60 s)."""


@pytest.fixture(scope="module")
def site() -> Iterator[HostSite]:
    """The blog: one server for the module, each test puts its own pages."""
    blog = HostSite()
    with serving(blog) as url:
        blog.url = url
        blog.put("/hostile.css", HOSTILE_CSS, "text/css; charset=utf-8")
        yield blog


class Visit:
    """One visitor's tab: the page, what it printed, what it asked for, and eyes in the widgets."""

    def __init__(self, context: Any) -> None:
        self.context = context
        self.page = context.new_page()
        self.console: list[Any] = []
        self.errors: list[str] = []
        self.requests: list[Any] = []
        self.loads = 0
        self.page.on("console", lambda message: self.console.append(message))
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("request", lambda request: self.requests.append(request))
        self.page.on("load", lambda _page: setattr(self, "loads", self.loads + 1))
        self.shadows = Shadows(self.page)
        self.shifts: list[dict[str, Any]] = []

    def open(self, url: str, widgets: int | None = None) -> list[dict[str, Any]]:
        """Go to ``url``; with ``widgets``, wait until that many widgets show, and return them."""
        self.page.goto(url)
        self.shadows.cdp.on("PerformanceTimeline.timelineEventAdded", lambda event: self.shifts.append(event["event"]))
        self.shadows.cdp.send("PerformanceTimeline.enable", {"eventTypes": ["layout-shift"]})
        if widgets is None:
            return []
        return wait_until(
            lambda: (found := self.shadows.widgets()) and len(found) == widgets and found,
            what=f"{widgets} widgets",
        )

    def api_requests(self) -> list[Any]:
        """The counter requests so far; the round trip lets Playwright deliver pending request events."""
        self.page.evaluate("0")
        return [request for request in self.requests if COUNTER_URL.search(request.url)]

    def console_lines(self) -> list[str]:
        return [f"{message.type}: {message.text} @ {message.location.get('url')}" for message in self.console]

    def layout_shift(self) -> float:
        """Cumulative layout shift the page has had so far (Chromium's own measure)."""
        return sum(event["layoutShiftDetails"]["value"] for event in self.shifts)


@pytest.fixture
def visit(browser: Any) -> Iterator[Callable[..., Visit]]:
    """Open a fresh tab (context options: time zone, colour scheme, motion...); closed after the test."""
    contexts: list[Any] = []

    def open_visit(**options: Any) -> Visit:
        context = browser.new_context(viewport=VIEWPORT, **options)
        contexts.append(context)
        return Visit(context)

    yield open_visit
    for context in contexts:
        context.close()


def strict_policy(service: str, styles: bool = False) -> str:
    """The issue's CSP, plus ``style-src 'self'`` when the host page needs its own stylesheet."""
    return STRICT_CSP.format(service=service) + ("; style-src 'self'" if styles else "")


def texts(service: str, lang: str) -> dict[str, Any]:
    return fetch_json(f"{service}/api/counter.json?lang={lang}")


HOST_STATE = """() => ({
  names: Object.getOwnPropertyNames(window).sort(),
  symbols: Object.getOwnPropertySymbols(window).map(String),
  documentNames: Object.getOwnPropertyNames(document),
  sheets: document.styleSheets.length,
  adopted: document.adoptedStyleSheets.length,
  styled: document.querySelectorAll("[style]").length,
  elements: [...document.querySelectorAll("*")].map((e) => e.localName),
  h1: getComputedStyle(document.querySelector("h1")).fontSize,
  link: getComputedStyle(document.querySelector("#host-link")).color,
  hiddenDiv: getComputedStyle(document.querySelector("#hidden-div")).display,
  article: document.querySelector("#article").getBoundingClientRect().toJSON(),
})"""


JOINING = """function () {
  const width = (node) => { const range = document.createRange(); range.selectNodeContents(node);
    return range.getBoundingClientRect().width; };
  const link = this.querySelector("a");
  const probe = link.cloneNode(false);
  probe.textContent = [...link.textContent].join("\\u200c");
  link.after(probe);
  const number = document.createRange();
  number.setStart(link.firstChild, 0);
  number.setEnd(link.firstChild, link.textContent.indexOf(" "));
  const line = document.createRange();
  line.selectNodeContents(link);
  const result = {shaped: width(link), isolated: width(probe), numberRight: number.getBoundingClientRect().right,
    numberLeft: number.getBoundingClientRect().left, lineRight: line.getBoundingClientRect().right,
    lineLeft: line.getBoundingClientRect().left};
  probe.remove();
  return result;
}"""
"""The width of the widget's Arabic line and of the same letters kept apart by zero-width
non-joiners (Arabic letters that join are narrower than their isolated forms), and where the
leading number sits on the line."""


def test_hostile_blog_shows_both_widgets_right_and_is_left_as_it_was(
    visit: Callable[..., Visit], site: HostSite, clocked_server: Any
) -> None:
    """A right-to-left Arabic blog, strict CSP, CSS that restyles everything: the issue's hostile page."""
    service = clocked_server.url
    script = embed_script()
    badge_tag = (
        f'<script async src="{service}{script.versioned_path}" integrity="{script.integrity}" '
        'crossorigin="anonymous" data-variant="badge" data-lang="fr"></script>'
    )
    footer_tag = script_tag(f"{service}/embed.js")  # no data-lang: the page's <html lang="ar">
    policy = strict_policy(service, styles=True)
    reference = site.put("/hostile-empty.html", host_page(service, stylesheet=True), Content_Security_Policy=policy)
    blog = site.put(
        "/hostile.html",
        host_page(service, aside=[badge_tag], footer=[footer_tag], stylesheet=True),
        Content_Security_Policy=policy,
    )
    tab = visit()
    tab.context.add_cookies([{"name": "visitor", "value": "tracked", "domain": "127.0.0.1", "path": "/"}])
    tab.page.goto(reference)
    before = tab.page.evaluate(HOST_STATE)

    badge, footer = tab.open(blog, widgets=2)
    after = tab.page.evaluate(HOST_STATE)

    # What a visitor sees: the Arabic sentence, right to left from the right edge, at the widget's size.
    arabic, french = texts(service, "ar"), texts(service, "fr")
    assert footer["tag"] == "voipdown-footer"
    assert footer["text"] == arabic["sentence"]
    assert (footer["lang"], footer["dir"], footer["direction"]) == ("ar", "rtl", "rtl")
    assert footer["link"]["right"] == pytest.approx(footer["box"]["right"], abs=1)
    assert footer["link"]["x"] > footer["box"]["x"] + 200
    # The line follows the page it sits on: the footer's text colour and size (the page's `*` rule),
    # and nothing else of the page's styles.
    assert footer["fontSize"] == "40px" and "system-ui" in footer["fontFamily"]
    assert (footer["letterSpacing"], footer["lineHeight"]) == ("normal", "60px")  # not the page's 3px and 3
    assert footer["hostFontSize"] == badge["hostFontSize"] == "40px"
    assert footer["color"] == "rgb(0, 255, 0)"
    assert footer["href"] == f"{service}/ar/"
    joining = tab.shadows.call(tab.shadows.roots()[1], JOINING)
    # Letters joined, not drawn one by one (kept apart, the same letters take more room; without
    # shaping, the non-joiners would change nothing), and the number, first in reading order, on the right.
    assert joining["shaped"] < 0.93 * joining["isolated"], joining
    assert joining["numberRight"] == pytest.approx(joining["lineRight"], abs=1)
    assert joining["numberLeft"] > joining["lineLeft"] + 200
    # The French badge, pinned by SRI on the versioned URL, at its own size despite `img {...!important}`.
    assert badge["tag"] == "voipdown-badge" and badge["lang"] == "fr"
    [image] = badge["images"]
    assert image["alt"] == f"{french['label']} {french['message']}"  # the words the badge shows
    assert image["naturalWidth"] > 100 and image["naturalHeight"] == 20
    assert (image["rect"]["width"], image["rect"]["height"]) == (image["naturalWidth"], 20)
    roots = tab.shadows.roots()
    assert tab.shadows.accessible(roots[0], "a") == {"role": "link", "name": f"{french['label']} {french['message']}"}
    assert tab.shadows.accessible(roots[1], "a") == {"role": "link", "name": arabic["sentence"]}

    # Pixels: the footer line is drawn in the page's text colour, the host's lime green.
    tab.page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    box = tab.shadows.widgets()[1]["link"]
    line = screenshot(tab.page, box)
    assert count_pixels(line, lambda p: p[1] > 200 and p[0] < 80 and p[2] < 80) > 150

    # The host page is as it was: no globals, no styles, its own CSS still applies, nothing moved.
    assert after["names"] == before["names"]
    assert after["symbols"] == before["symbols"] and after["documentNames"] == before["documentNames"]
    assert (after["sheets"], after["adopted"], after["styled"]) == (before["sheets"], 0, 0)
    assert sorted(after["elements"]) == sorted(
        [*before["elements"], "script", "script", "voipdown-badge", "voipdown-footer"]
    )
    assert (after["h1"], after["link"], after["hiddenDiv"]) == ("40px", "rgb(255, 0, 0)", "none")
    assert after["article"] == before["article"]
    assert tab.layout_shift() == 0
    assert tab.page.evaluate("[...document.scripts].every((s) => s.hasAttribute('data-voipdown'))")

    # Nothing said (an integrity mismatch on the pinned script would be a console error here),
    # nothing asked of anyone but us, no cookie or referrer sent with what we ask.
    assert tab.errors == [] and tab.console_lines() == []
    for request in tab.requests:
        if request.url.startswith(site.url):
            assert request.resource_type in ("document", "stylesheet"), request.url
        else:
            assert request.url.startswith(service + "/"), request.url
    asked = [
        request for request in tab.requests if request.url.startswith(service) and request.resource_type != "script"
    ]
    assert sorted(request.resource_type for request in asked) == ["fetch", "fetch", "image"]
    for request in asked:
        headers = request.all_headers()
        assert "cookie" not in headers and "referer" not in headers, (request.url, headers)


def test_keyboard_reaches_the_link_and_sees_a_focus_ring_the_host_cannot_remove(
    visit: Callable[..., Visit], site: HostSite, clocked_server: Any
) -> None:
    """The host's ``:focus { outline: none !important }`` does not reach into the widget."""
    service = clocked_server.url
    page = host_page(service, footer=[script_tag(f"{service}/embed.js", data_lang="en")], stylesheet=True)
    blog = site.put("/focus.html", page, Content_Security_Policy=strict_policy(service, styles=True))
    tab = visit()
    tab.open(blog, widgets=1)
    tab.page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    [footer] = tab.shadows.widgets()
    box = footer["link"]
    area = {"x": box["x"] - 6, "y": box["y"] - 6, "width": box["width"] + 12, "height": box["height"] + 12}
    unfocused = screenshot(tab.page, area)
    for _ in range(3):
        tab.page.keyboard.press("Tab")
        if tab.shadows.widgets()[0]["focused"] == "a":
            break
    assert tab.shadows.widgets()[0]["focused"] == "a"
    focused = screenshot(tab.page, area)
    changed = count_pixels(ImageChops.difference(unfocused, focused), lambda p: max(p) > 60)
    assert changed > 2 * (box["width"] + box["height"])  # a ring all around, 2 px wide
    ring_row = focused.crop((6, int(box["height"]) + 6 + 3, 6 + int(box["width"]), int(box["height"]) + 6 + 4))
    # In the text's colour, here the host page's lime green.
    assert count_pixels(ring_row, lambda p: p[1] > 200 and p[0] < 80 and p[2] < 80) > 0.8 * box["width"]


def test_works_under_exactly_the_issues_policy_and_runs_once(
    visit: Callable[..., Visit], site: HostSite, clocked_server: Any
) -> None:
    """``default-src 'none'; script-src HOST; connect-src HOST; img-src HOST``: no style or font source.

    Three tags in one language: the code runs once and asks the API once. The host's own inline
    style attribute is refused (the policy is in force), and the only console line says so.
    """
    service = clocked_server.url
    tags = [
        script_tag(f"{service}/embed.js", data_lang="zgh", data_variant="badge"),
        script_tag(f"{service}/embed.js", data_lang="zgh", data_variant="ribbon", data_theme="dark"),
    ]
    page = host_page(
        service, aside=tags[:1], footer=[script_tag(f"{service}/embed.js", data_lang="zgh"), tags[1]], control=True
    )
    blog = site.put("/strict.html", page, Content_Security_Policy=strict_policy(service))
    tab = visit(reduced_motion="reduce")
    found = tab.open(blog, widgets=3)
    zgh = texts(service, "zgh")
    by_tag = {widget["tag"]: widget for widget in found}
    assert set(by_tag) == {"voipdown-badge", "voipdown-footer", "voipdown-ribbon"}
    # Styles from the constructed stylesheet apply: none of this is a browser default.
    assert by_tag["voipdown-footer"]["fontSize"] == "16px"  # the page's own size
    assert by_tag["voipdown-ribbon"]["position"] == "fixed"
    assert by_tag["voipdown-ribbon"]["background"] == "rgb(192, 57, 43)"
    [badge_image] = by_tag["voipdown-badge"]["images"]
    assert badge_image["naturalWidth"] > 0
    # Tifinagh drawn one picture per word, named as a whole.
    footer_lines = by_tag["voipdown-footer"]["pictured"]
    assert [(line["label"], line["words"]) for line in footer_lines] == [(zgh["sentence"], 8)]
    ribbon_lines = by_tag["voipdown-ribbon"]["pictured"]
    assert [(line["label"], line["words"]) for line in ribbon_lines] == [(zgh["message"], 2), (zgh["label"], 5)]
    assert len(tab.api_requests()) == 2  # the default language's document (it lists the languages), then zgh's
    assert tab.page.evaluate("getComputedStyle(document.querySelector('#control')).color") != "rgb(255, 0, 0)"
    lines = tab.console_lines()
    assert len(lines) == 1 and "Content Security Policy" in lines[0] and lines[0].endswith("@ " + blog), lines
    assert tab.errors == []


@pytest.mark.parametrize("zone", ["Pacific/Honolulu", "Pacific/Kiritimati"])
def test_counts_in_casablanca_time_and_rolls_over_at_its_midnight_without_reload(
    visit: Callable[..., Visit], site: HostSite, clocked_server: Any, zone: str
) -> None:
    """UTC-10 and UTC+14 visitors see Morocco's count, and the next one just after Morocco's midnight.

    Four seconds before midnight in Casablanca it is already the 28th in Kiritimati and still the
    27th in Honolulu; the count is 3979 for both, then 3980 for both, in the same page.
    """
    service = clocked_server.url
    clocked_server.clock.set(BEFORE_MIDNIGHT)
    tags = [script_tag(f"{service}/embed.js", data_variant="badge", data_lang="en")]
    footers = [script_tag(f"{service}/embed.js"), script_tag(f"{service}/embed.js", data_lang="zgh")]
    blog = site.put(
        f"/rollover-{zone[8:]}.html",
        host_page(service, aside=tags, footer=footers),
        Content_Security_Policy=strict_policy(service),
    )
    tab = visit(timezone_id=zone)
    tab.page.clock.install(time=BEFORE_MIDNIGHT - timedelta(seconds=1))
    tab.page.clock.pause_at(BEFORE_MIDNIGHT)
    badge, arabic, tifinagh = tab.open(blog, widgets=3)
    local_day = tab.page.evaluate("new Date().getDate()")
    assert local_day == (28 if zone == "Pacific/Kiritimati" else 27)
    assert tab.page.evaluate("Intl.DateTimeFormat().resolvedOptions().timeZone") == zone
    today = {lang: texts(service, lang) for lang in ("ar", "en", "zgh")}
    assert today["ar"]["count"] == 3979 and today["ar"]["valid_for"] == "2026-11-27"
    assert arabic["text"] == today["ar"]["sentence"]
    assert badge["images"][0]["alt"] == f"{today['en']['label']} {today['en']['message']}"
    assert "/embed/2026-11-27/" in badge["images"][0]["src"]
    assert tifinagh["pictured"][0]["label"] == today["zgh"]["sentence"]
    shift_on_arrival = tab.layout_shift()  # the badge arriving in the sidebar pushes what follows, once

    clocked_server.clock.set(AFTER_MIDNIGHT)
    tomorrow = {lang: texts(service, lang) for lang in ("ar", "en", "zgh")}
    assert tomorrow["ar"]["count"] == 3980
    tab.page.clock.run_for(95_000)
    wait_until(lambda: tab.shadows.widgets()[1]["text"] == tomorrow["ar"]["sentence"], what="the Arabic footer at 3980")
    badge, arabic, tifinagh = wait_until(
        lambda: (
            (found := tab.shadows.widgets())
            and "/embed/2026-11-28/" in found[0]["images"][0]["src"]
            and found[2]["pictured"][0]["label"] == tomorrow["zgh"]["sentence"]
            and found
        ),
        what="every widget on the new day",
    )
    assert arabic["text"] == tomorrow["ar"]["sentence"]
    assert badge["images"][0]["alt"] == f"{tomorrow['en']['label']} {tomorrow['en']['message']}"
    assert badge["images"][0]["naturalWidth"] > 0
    assert tab.loads == 1 and len(tab.shadows.roots()) == 3
    assert len(tab.api_requests()) == 7  # the default language's document, then three languages once each day
    assert tab.layout_shift() == shift_on_arrival  # the new day moved nothing
    assert tab.errors == [] and tab.console_lines() == []


def test_a_clock_running_ahead_asks_again_only_every_few_minutes(
    visit: Callable[..., Visit], site: HostSite, clocked_server: Any
) -> None:
    """A visitor whose clock is two hours fast reaches "midnight" early: the server still says today."""
    service = clocked_server.url
    clocked_server.clock.set(BEFORE_MIDNIGHT - timedelta(hours=2))
    blog = site.put(
        "/ahead.html",
        host_page(service, footer=[script_tag(f"{service}/embed.js")]),
        Content_Security_Policy=strict_policy(service),
    )
    tab = visit()
    tab.page.clock.install(time=BEFORE_MIDNIGHT - timedelta(seconds=1))
    tab.page.clock.pause_at(BEFORE_MIDNIGHT)
    tab.open(blog, widgets=1)
    tab.page.clock.run_for(60 * 60 * 1000)
    wait_until(lambda: len(tab.api_requests()) >= 2, what="a second request")
    tab.page.wait_for_timeout(300)
    assert 2 <= len(tab.api_requests()) <= 14  # at most one every five minutes for an hour
    assert tab.shadows.widgets()[0]["text"] == texts(service, "ar")["sentence"]


SLOW_SECONDS = 2


class Misbehaving:
    """The service, except that its JSON API fails in one of the ways servers fail."""

    def __init__(self, app: Any, mode: str) -> None:
        self.app = app
        self.mode = mode

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        if not environ["PATH_INFO"].startswith("/api/"):
            return self.app(environ, start_response)
        cors = [("Access-Control-Allow-Origin", "*")]
        if self.mode == "slow":
            time.sleep(SLOW_SECONDS)
            return self.app(environ, start_response)
        if self.mode == "garbage":
            start_response("200 OK", [("Content-Type", "application/json"), *cors])
            return [b"<html><body>Bad gateway, but with a 200</body></html>"]
        if self.mode == "wrong-shape":
            start_response("200 OK", [("Content-Type", "application/json"), *cors])
            return [b'{"count": "many", "sentence": 5, "embed_enabled": true}']
        start_response("503 Service Unavailable", [("Content-Type", "text/plain"), *cors])
        return [b"down for maintenance"]


def test_a_slow_server_delays_nothing_but_the_widget(
    visit: Callable[..., Visit], site: HostSite, clock: SettableClock
) -> None:
    """The page finishes loading while the count is on its way; the widget comes when it comes."""
    with serving(Misbehaving(create_app(make_settings(), clock), "slow")) as service:
        page = host_page(service, footer=[script_tag(f"{service}/embed.js", data_lang="en")])
        blog = site.put("/slow.html", page, Content_Security_Policy=strict_policy(service))
        tab = visit()
        [footer] = tab.open(blog, widgets=1)
        timing = tab.page.evaluate(
            """(api) => ({load: performance.getEntriesByType("navigation")[0].loadEventEnd,
                         answer: performance.getEntriesByName(api)[0].responseEnd})""",
            f"{service}/api/en/counter.json",
        )
    assert footer["text"] == counter_texts("en", 3979, ended=False).sentence
    assert timing["answer"] - timing["load"] > 1000 * SLOW_SECONDS / 2, timing
    assert tab.layout_shift() == 0 and tab.errors == [] and tab.console_lines() == []


@pytest.mark.parametrize("mode", ["unreachable", "garbage", "wrong-shape", "503"])
def test_a_broken_server_shows_nothing_and_says_nothing(
    visit: Callable[..., Visit], site: HostSite, clock: SettableClock, mode: str
) -> None:
    """No widget, no error of ours in the console, the host page unchanged; the script itself loads."""
    with serving(Misbehaving(create_app(make_settings(), clock), mode)) as service:
        tags = [script_tag(f"{service}/embed.js", data_variant=variant) for variant in ("footer", "ribbon")]
        blog = site.put(
            f"/broken-{mode}.html", host_page(service, footer=tags), Content_Security_Policy=strict_policy(service)
        )
        tab = visit()
        if mode == "unreachable":
            tab.page.route(f"{service}/api/**", lambda route: route.abort("connectionrefused"))
        tab.open(blog)
        wait_until(lambda: tab.api_requests(), what="the API request")
        wait_until(
            lambda: tab.page.evaluate("!document.querySelector('voipdown-footer, voipdown-ribbon')"), what="no widget"
        )
        tab.page.wait_for_timeout(300)
    assert tab.shadows.widgets() == [] and tab.errors == []
    assert len(tab.api_requests()) == 1
    # The browser itself notes a failed request (not ours to silence); the script adds nothing.
    expected = {"unreachable": "net::ERR_CONNECTION_REFUSED", "503": "status of 503"}.get(mode)
    lines = tab.console_lines()
    if expected is None:
        assert lines == []
    else:
        assert len(lines) == 1 and lines[0].startswith("error: Failed to load resource") and expected in lines[0], lines
        assert "counter.json" in lines[0]


def test_a_server_gone_at_midnight_leaves_the_last_count_and_few_retries(
    visit: Callable[..., Visit], site: HostSite, clocked_server: Any
) -> None:
    service = clocked_server.url
    clocked_server.clock.set(BEFORE_MIDNIGHT)
    blog = site.put(
        "/gone.html",
        host_page(service, footer=[script_tag(f"{service}/embed.js", data_lang="en")]),
        Content_Security_Policy=strict_policy(service),
    )
    tab = visit()
    tab.page.clock.install(time=BEFORE_MIDNIGHT - timedelta(seconds=1))
    tab.page.clock.pause_at(BEFORE_MIDNIGHT)
    [footer] = tab.open(blog, widgets=1)
    tab.page.route(f"{service}/api/**", lambda route: route.abort("connectionrefused"))
    tab.page.clock.run_for(60 * 60 * 1000)
    wait_until(lambda: len(tab.api_requests()) >= 2, what="the midnight request")
    tab.page.wait_for_timeout(300)
    assert tab.shadows.widgets()[0]["text"] == footer["text"] == texts(service, "en")["sentence"]
    assert len(tab.api_requests()) <= 8  # midnight, then one every ten minutes
    assert tab.errors == []


def test_the_kill_switch_silences_every_widget(
    visit: Callable[..., Visit], site: HostSite, clock: SettableClock
) -> None:
    """``embed_enabled = false``: the script draws nothing at all, the page is as if it were not there."""
    with serving(create_app(make_settings(embed_enabled="false"), clock)) as service:
        tags = [script_tag(f"{service}/embed.js", data_variant=variant) for variant in ("footer", "badge", "ribbon")]
        blog = site.put("/killed.html", host_page(service, footer=tags), Content_Security_Policy=strict_policy(service))
        tab = visit()
        tab.open(blog)
        wait_until(lambda: tab.api_requests(), what="the API request")
        wait_until(lambda: tab.page.evaluate(f"!document.querySelector({WIDGET_TAGS!r})"), what="no widget")
        tab.page.wait_for_timeout(300)
        assert texts(service, "fr")["embed_enabled"] is False
    elements = tab.page.evaluate("new Set([...document.querySelectorAll('body *')].map((e) => e.localName)).size")
    assert elements == len({"header", "h1", "a", "main", "p", "aside", "div", "footer", "script"})
    assert {request.resource_type for request in tab.requests if request.url.startswith(service)} == {"script", "fetch"}
    assert len(tab.api_requests()) == 1
    assert tab.errors == [] and tab.console_lines() == []


def test_an_ended_block_says_how_long_it_lasted(
    visit: Callable[..., Visit], site: HostSite, clock: SettableClock
) -> None:
    with serving(create_app(make_settings(end_date="2016-11-04"), clock)) as service:
        tags = [
            script_tag(f"{service}/embed.js", data_lang="en"),
            script_tag(f"{service}/embed.js", data_lang="fr", data_variant="ribbon"),
        ]
        blog = site.put(
            "/ended.html",
            host_page(service, lang="en", direction="ltr", footer=tags),
            Content_Security_Policy=strict_policy(service),
        )
        tab = visit(reduced_motion="reduce")
        footer, ribbon = tab.open(blog, widgets=2)
        english, french = texts(service, "en"), texts(service, "fr")
    assert (english["count"], english["ended"]) == (304, True)
    assert footer["text"] == english["sentence"] == counter_texts("en", 304, ended=True).sentence
    assert "lasted" in footer["text"] and "304" in footer["text"]
    assert ribbon["text"] == french["message"] + " " + french["label"]
    assert ribbon["text"].startswith(counter_texts("fr", 304, ended=True).message)


@pytest.mark.parametrize(("lang", "corner"), [("en", "left"), ("ar", "right")])
def test_the_ribbon_sits_in_a_corner_and_closes_from_the_keyboard(
    visit: Callable[..., Visit], site: HostSite, clocked_server: Any, lang: str, corner: str
) -> None:
    """Fixed to the bottom corner where the language's lines start; Tab, Tab, Enter closes it."""
    service = clocked_server.url
    blog = site.put(
        f"/ribbon-{lang}.html",
        host_page(
            service, footer=[script_tag(f"{service}/embed.js", data_lang=lang, data_variant="ribbon")], stylesheet=True
        ),
        Content_Security_Policy=strict_policy(service, styles=True),
    )
    tab = visit(reduced_motion="reduce")
    [ribbon] = tab.open(blog, widgets=1)
    box = ribbon["box"]
    assert ribbon["animations"] == 0
    assert box["bottom"] == pytest.approx(VIEWPORT["height"] - 16, abs=1)
    if corner == "left":
        assert box["x"] == pytest.approx(16, abs=1)
    else:
        assert box["right"] == pytest.approx(VIEWPORT["width"] - 16, abs=1)
    shot = screenshot(tab.page, box)
    assert count_pixels(shot, lambda p: p[0] > 170 and p[1] < 80 and p[2] < 70) > 0.5 * box["width"] * box["height"]
    said = texts(service, lang)
    root = tab.shadows.roots()[0]
    assert tab.shadows.accessible(root, "a") == {"role": "link", "name": f"{said['message']} {said['label']}"}
    close = tab.shadows.accessible(root, "button")
    assert close["role"] == "button" and close["name"] == {"en": "Close", "ar": "إغلاق"}[lang]
    assert tab.shadows.accessible(root, "aside")["role"] == "complementary"

    article = tab.page.evaluate("document.querySelector('#article').getBoundingClientRect().toJSON()")
    for _ in range(4):
        tab.page.keyboard.press("Tab")
        if tab.shadows.widgets()[0]["focused"] == "button":
            break
    assert tab.shadows.widgets()[0]["focused"] == "button"
    tab.page.keyboard.press("Enter")
    wait_until(lambda: tab.shadows.roots() == [], what="the ribbon to close")
    assert tab.page.evaluate("document.querySelector('#article').getBoundingClientRect().toJSON()") == article
    assert count_pixels(screenshot(tab.page, box), lambda p: p[0] > 170 and p[1] < 80 and p[2] < 70) == 0
    assert tab.layout_shift() == 0 and tab.errors == []


def test_motion_only_for_those_who_do_not_mind_and_forced_colors_win(
    visit: Callable[..., Visit], site: HostSite, clocked_server: Any
) -> None:
    service = clocked_server.url
    blog = site.put(
        "/motion.html",
        host_page(service, footer=[script_tag(f"{service}/embed.js", data_lang="en", data_variant="ribbon")]),
        Content_Security_Policy=strict_policy(service),
    )
    moving = visit(reduced_motion="no-preference")
    assert moving.open(blog, widgets=1)[0]["animations"] == 1
    still = visit(reduced_motion="reduce")
    assert still.open(blog, widgets=1)[0]["animations"] == 0

    forced = visit(reduced_motion="reduce", forced_colors="active")
    [ribbon] = forced.open(blog, widgets=1)
    assert ribbon["background"] != "rgb(192, 57, 43)"  # the system's colours, not our red
    assert ribbon["border"] not in ("rgba(0, 0, 0, 0)", "transparent")  # a visible edge instead
    shot = screenshot(forced.page, ribbon["box"])
    assert count_pixels(shot, lambda p: p[0] > 170 and p[1] < 80 and p[2] < 70) == 0


def test_auto_theme_follows_the_page_not_the_visitors_colour_scheme(
    visit: Callable[..., Visit], site: HostSite, clocked_server: Any
) -> None:
    """A dark-mode visitor on a light page: ``auto`` widgets take the page's side, ``light`` keeps its own."""
    service = clocked_server.url
    tags = [
        script_tag(f"{service}/embed.js", data_lang="en"),
        script_tag(f"{service}/embed.js", data_lang="zgh"),
        script_tag(f"{service}/embed.js", data_lang="en", data_theme="light"),
    ]
    blog = site.put(
        "/dark.html",
        host_page(service, aside=[script_tag(f"{service}/embed.js", data_variant="badge")], footer=tags),
        Content_Security_Policy=strict_policy(service),
    )
    tab = visit(color_scheme="dark")
    badge, english, tifinagh, light = tab.open(blog, widgets=4)
    assert tab.page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches")
    assert badge["images"][0]["src"].endswith("/light.svg")
    assert english["color"] == tifinagh["color"] == "rgb(0, 0, 0)"  # the page's text
    assert light["color"] == "rgb(31, 35, 40)"


NO_TIFINAGH_FONTS = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig><dir>/usr/share/fonts/truetype/liberation</dir><cachedir>{cache}</cachedir></fontconfig>
"""
"""A fontconfig that sees only the Liberation fonts: a visitor with no font for Tifinagh at all."""

CANVAS_GLYPHS = """() => {
  const draw = (text) => { const canvas = document.createElement("canvas"); canvas.width = 80; canvas.height = 60;
    const context = canvas.getContext("2d"); context.font = "40px sans-serif"; context.fillText(text, 5, 45);
    return canvas.toDataURL(); };
  return {yaTaYa: draw("ⵜ") === draw("ⴰ")};
}"""
"""Whether the browser draws the Tifinagh letters ⵜ (yat) and ⴰ (ya) the same: true when both are
the same missing-glyph box, i.e. it has no font for them."""


def fc_families(charset: str, environ: dict[str, str] | None = None) -> set[str]:
    result = subprocess.run(
        ["fc-list", f":charset={charset}", "family"], capture_output=True, text=True, env=environ, check=True
    )
    return {line.strip() for line in result.stdout.splitlines() if line.strip()}


def test_tifinagh_shows_real_glyphs_to_a_visitor_without_any_tifinagh_font(
    browser: Any, visit: Callable[..., Visit], site: HostSite, clocked_server: Any, tmp_path: Path
) -> None:
    """The zgh widget shows the same glyphs with and without a Tifinagh font on the machine.

    This machine's only font with Tifinagh letters is DejaVu Sans (fc-list, checked below), so a
    second Chromium is started with a fontconfig that sees only Liberation fonts: a visitor with
    no Tifinagh font. It draws ⵜ and ⴰ as the same missing-glyph box, yet the widget's picture has
    the same pixels as in the browser that has DejaVu, under the strict CSP (no font-src).
    """
    assert fc_families("2d5c") <= {"DejaVu Sans", "DejaVu Sans,DejaVu Sans Condensed"}, fc_families("2d5c")
    config = tmp_path / "fonts.conf"
    config.write_text(NO_TIFINAGH_FONTS.format(cache=tmp_path / "cache"))
    fontless = {**os.environ, "FONTCONFIG_FILE": str(config)}
    assert fc_families("2d5c", fontless) == set() and fc_families("2d30", fontless) == set()
    assert fc_families("41", fontless)  # it still has fonts, just none for Tifinagh

    service = clocked_server.url
    blog = site.put(
        "/tifinagh.html",
        host_page(service, footer=[script_tag(f"{service}/embed.js", data_lang="zgh")], lang="zgh", direction="ltr"),
        Content_Security_Policy=strict_policy(service),
    )
    sentence = texts(service, "zgh")["sentence"]

    def picture_of_widget(tab: Visit) -> Any:
        [footer] = tab.open(blog, widgets=1)
        [line] = footer["pictured"]
        assert line["label"] == sentence and line["rect"]["width"] > 200
        tab.page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
        [line] = tab.shadows.widgets()[0]["pictured"]
        return screenshot(tab.page, line["rect"]), tab.page.evaluate(CANVAS_GLYPHS)

    with_font, glyphs = picture_of_widget(visit())
    assert glyphs == {"yaTaYa": False}  # DejaVu draws them differently

    second = browser.browser_type.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGUMENTS, env=fontless)
    try:
        without_font, glyphs = picture_of_widget(Visit(second.new_context(viewport=VIEWPORT)))
    finally:
        second.close()
    assert glyphs == {"yaTaYa": True}  # no font: both letters are the same box
    assert without_font.size == with_font.size
    ink = count_pixels(without_font, lambda p: max(p) < 110)
    assert ink > 400
    differing = count_pixels(ImageChops.difference(with_font, without_font), lambda p: max(p) > 40)
    assert differing < 0.02 * with_font.size[0] * with_font.size[1]
