"""The embed script over a page's life, in headless Chromium: sealed in, pinned by hash, re-checked, switched off.

Each test pastes the script into a blog on another origin under the strict policy of the README
(``default-src 'none'; script-src HOST; connect-src HOST; img-src HOST``) and watches from the
outside, as the blog and its visitor would:

- the widget lives in a *closed* shadow root: the host page's own scripts cannot reach its nodes;
- the README's pinned snippet (versioned URL and ``integrity``) runs; the same tag with a wrong
  hash is blocked by the browser, so the hash is really checked;
- a page left open learns of the kill switch at its next check, after Moroccan midnight, and the
  widget leaves the page;
- that check comes 1 to 60 s after midnight, spread over the minute (measured over 40 page loads),
  so embedding sites do not all ask in the same second, and within those bounds even for the
  lowest and highest random draws.

Time is the page's fake clock (Playwright's ``page.clock``) and the service's settable clock; the
expected instants come from ``tests.web.casablanca_calendar``, not from the service.
"""

import base64
import hashlib
import html
import re
import statistics
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.browser.embed_support import (
    COUNTER_URL,
    STRICT_CSP,
    WIDGET_TAGS,
    HostSite,
    Shadows,
    fetch_json,
    host_page,
    script_tag,
    serving,
    wait_until,
)
from tests.conftest import REPOSITORY, SettableClock, make_settings
from tests.web.casablanca_calendar import next_local_midnight
from widget.web import create_app

BEFORE_MIDNIGHT = datetime(2026, 11, 27, 23, 59, 56, tzinfo=UTC)
"""Four seconds before a Casablanca midnight (UTC+0 that day)."""
MIDNIGHT = next_local_midnight(BEFORE_MIDNIGHT)
JITTER_LOADS = 40
EARLIEST_RECHECK, LATEST_RECHECK = timedelta(seconds=1), timedelta(seconds=60)
"""README: the widget asks again "just after" midnight, "with up to a minute of jitter"."""
MINIMUM_SPREAD = timedelta(seconds=30)
MINIMUM_DEVIATION = 10
"""Forty draws spread uniformly over 59 s span 30 s or less, or deviate 10 s or less (the
expectation is 17 s), with a chance below one in a billion: a failure means no spread."""
SHOWN_FOOTER_HEIGHT = "document.querySelector('voipdown-footer').getBoundingClientRect().height"
"""The footer widget's height as the page lays it out: 0 until the widget shows its line."""

RECORD_FETCHES = """(() => {
  const fetched = [];
  const original = window.fetch;
  window.fetch = function (resource, options) {
    fetched.push({at: Date.now(), url: String(resource && resource.url || resource)});
    return original.apply(this, arguments);
  };
  Object.defineProperty(window, "fetchedByThePage", {value: fetched});
})()"""
"""Installed by the test before any page script: the page's (fake) time of every ``fetch`` call.

``Date.now()`` here is the paused clock, so each recorded instant is exactly when the timer that
made the request fired. The test checks the count against what the browser itself reports, so
a script that stopped using ``fetch`` would fail the test instead of passing it unmeasured.
"""

FIXED_DRAWS = """(() => {
  const draw = new URLSearchParams(location.search).get("draw");
  if (draw) {
    const value = draw == "lowest" ? 0 : 1 - 2 ** -53;
    Math.random = () => value;
  }
})()"""
"""In a page opened with ``?draw=lowest`` or ``?draw=highest``, ``Math.random`` always returns
its smallest or largest value: the page's own choice, as a test harness's."""

REACH_INTO_WIDGETS = """(sentence) => {
  const hosts = [...document.querySelectorAll("voipdown-footer, voipdown-badge, voipdown-ribbon")];
  const attachAgain = (host) => { try { host.attachShadow({mode: "open"}); return "attached"; }
                                  catch (error) { return error.name; } };
  return {
    hosts: hosts.map((host) => host.localName),
    shadowRoots: hosts.map((host) => host.shadowRoot),
    childNodes: hosts.map((host) => host.childNodes.length),
    attachAgain: hosts.map(attachAgain),
    links: [...document.querySelectorAll("a")].map((link) => link.id),
    images: document.querySelectorAll("img").length,
    sentenceInText: document.body.innerText.includes(sentence),
    sentenceInMarkup: document.documentElement.outerHTML.includes(sentence),
  };
}"""
"""Everything a host page's script could try to reach the widget's nodes with."""

RECORD_CLICK = """() => window.addEventListener("click", (event) => {
  event.preventDefault();
  document.documentElement.dataset.clickPath = event.composedPath()
    .map((node) => node.localName || node.nodeName || "window").join(" ");
}, {capture: true, once: true})"""
"""What a host page's click listener sees of a click inside the widget (and the navigation cancelled)."""


@pytest.fixture(scope="module")
def site() -> Iterator[HostSite]:
    """The blog, on its own origin."""
    blog = HostSite()
    with serving(blog) as url:
        blog.url = url
        yield blog


@pytest.fixture
def new_tab(browser: Any) -> Iterator[Callable[[], Any]]:
    """Fresh browser contexts (no shared cache or cookies), closed after the test."""
    contexts: list[Any] = []

    def open_tab() -> Any:
        context = browser.new_context(viewport={"width": 1280, "height": 800}, reduced_motion="reduce")
        contexts.append(context)
        return context.new_page()

    yield open_tab
    for context in contexts:
        context.close()


def strict_policy(service: str) -> str:
    return STRICT_CSP.format(service=service)


def visible_widgets(shadows: Shadows, count: int) -> list[dict[str, Any]]:
    """Wait until ``count`` widgets show, and what they show."""
    return wait_until(lambda: (found := shadows.widgets()) and len(found) == count and found, what=f"{count} widgets")


def api_fetches(page: Any) -> list[dict[str, Any]]:
    """The counter requests the page's scripts made, with the page's time of each (see ``RECORD_FETCHES``)."""
    return [call for call in page.evaluate("fetchedByThePage") if COUNTER_URL.search(call["url"])]


def api_calls(requests: list[Any], page: Any) -> list[str]:
    """The counter requests the browser made so far (the round trip delivers pending events)."""
    page.evaluate("0")
    return [request.url for request in requests if COUNTER_URL.search(request.url)]


def test_the_host_page_cannot_reach_into_the_widget(
    new_tab: Callable[[], Any], site: HostSite, clocked_server: Any
) -> None:
    """The shadow roots are closed: no ``shadowRoot``, no nodes in the page's queries, clicks retargeted."""
    service = clocked_server.url
    tags = [
        script_tag(f"{service}/embed.js", data_lang="en"),
        script_tag(f"{service}/embed.js", data_lang="fr", data_variant="badge"),
        script_tag(f"{service}/embed.js", data_lang="en", data_variant="ribbon"),
    ]
    blog = site.put("/sealed.html", host_page(service, footer=tags), Content_Security_Policy=strict_policy(service))
    page = new_tab()
    shadows = Shadows(page)
    page.goto(blog)
    widgets = visible_widgets(shadows, 3)
    sentence = fetch_json(f"{service}/api/counter.json?lang=en")["sentence"]
    # The widgets are there, with their text, links and image, for anyone who looks from inside.
    assert [widget["tag"] for widget in widgets] == ["voipdown-footer", "voipdown-badge", "voipdown-ribbon"]
    assert widgets[0]["text"] == sentence and widgets[1]["images"][0]["naturalWidth"] > 0

    document = shadows.cdp.send("DOM.getDocument", {"depth": -1, "pierce": True})
    root_types = []

    def collect(node: dict[str, Any]) -> None:
        if node.get("localName", "").startswith("voipdown-"):
            root_types.extend(root.get("shadowRootType") for root in node.get("shadowRoots", []))
        for child in node.get("children", []):
            collect(child)

    collect(document["root"])
    assert root_types == ["closed"] * 3

    reached = page.evaluate(REACH_INTO_WIDGETS, sentence)
    assert reached["hosts"] == ["voipdown-footer", "voipdown-badge", "voipdown-ribbon"]
    assert reached["shadowRoots"] == [None, None, None]
    assert reached["childNodes"] == [0, 0, 0]
    assert reached["attachAgain"] == ["NotSupportedError"] * 3  # a root is there, only out of reach
    assert reached["links"] == ["host-link"] and reached["images"] == 0
    assert not reached["sentenceInMarkup"] and not reached["sentenceInText"]

    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    link = shadows.widgets()[0]["link"]
    page.evaluate(RECORD_CLICK)
    page.mouse.click(link["x"] + link["width"] / 2, link["y"] + link["height"] / 2)
    path = wait_until(lambda: page.evaluate("document.documentElement.dataset.clickPath"), what="the click")
    assert path.split() == ["voipdown-footer", "footer", "body", "html", "#document", "window"], path
    assert page.url == blog  # the page's listener cancelled the navigation: the click did reach the link


def readme_pinned_snippet() -> tuple[str, str, str]:
    """The README's pinned script tag (Subresource Integrity section): the tag, its path and its integrity."""
    readme = (REPOSITORY / "README.md").read_text(encoding="utf-8")
    found = re.search(
        r'<script async src="https://HOST(/embed/[0-9a-f]{16}\.js)"\s+integrity="(sha384-[A-Za-z0-9+/=]+)"'
        r'\s+crossorigin="anonymous"[^>]*></script>',
        readme,
    )
    assert found is not None, "the README no longer shows a pinned script tag with integrity"
    return found.group(0), found.group(1), found.group(2)


def test_the_readme_pinned_snippet_runs_and_a_wrong_hash_is_blocked(
    new_tab: Callable[[], Any], site: HostSite, clocked_server: Any
) -> None:
    """Pasted as the README prints it, on another origin: it runs; with another hash, the browser refuses it."""
    service = clocked_server.url
    snippet, path, integrity = readme_pinned_snippet()
    try:
        with urllib.request.urlopen(service + path, timeout=5) as response:
            served = response.read()
    except urllib.error.HTTPError as error:
        raise AssertionError(f"the README's pinned {path} answers {error.code}: update its SRI section") from error
    assert integrity == "sha384-" + base64.b64encode(hashlib.sha384(served).digest()).decode()

    pasted = snippet.replace("https://HOST", service)
    wrong = "sha384-" + base64.b64encode(hashlib.sha384(served + b"\n").digest()).decode()
    tampered = pasted.replace(integrity, html.escape(wrong))
    outcomes = {}
    for name, tag in (("pinned", pasted), ("tampered", tampered)):
        blog = site.put(
            f"/{name}.html", host_page(service, footer=[tag]), Content_Security_Policy=strict_policy(service)
        )
        page = new_tab()
        console: list[str] = []
        requests: list[Any] = []
        page.on("console", lambda message, lines=console: lines.append(f"{message.type}: {message.text}"))
        page.on("request", lambda request, seen=requests: seen.append(request))
        shadows = Shadows(page)
        page.goto(blog)
        if name == "pinned":
            [footer] = visible_widgets(shadows, 1)
            assert footer["text"] == fetch_json(f"{service}/api/counter.json?lang=ar")["sentence"]
        else:
            wait_until(lambda lines=console: lines, what="the browser's refusal")
            page.wait_for_timeout(300)
        outcomes[name] = (console, api_calls(requests, page), len(shadows.roots()))
    console, asked, roots = outcomes["pinned"]
    assert (console, roots) == ([], 1) and asked, outcomes["pinned"]
    assert all(url.startswith(f"{service}/api/") and COUNTER_URL.search(url) for url in asked), asked
    refusal, asked, roots = outcomes["tampered"]
    assert (asked, roots) == ([], 0)  # the script never ran
    assert len(refusal) == 1 and "integrity" in refusal[0] and path in refusal[0], refusal


class Switchable:
    """The service, whose configuration a maintainer changes (and restarts) while pages stay open."""

    def __init__(self, clock: SettableClock) -> None:
        self.enabled = create_app(make_settings(), clock)
        self.disabled = create_app(make_settings(embed_enabled="false"), clock)
        self.current = self.enabled

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        return self.current(environ, start_response)


def test_the_kill_switch_empties_pages_already_open_at_their_next_check(
    new_tab: Callable[[], Any], site: HostSite
) -> None:
    """Widgets shown; the maintainer sets ``embed_enabled = false``; after Moroccan midnight every widget leaves."""
    clock = SettableClock(BEFORE_MIDNIGHT)
    service_app = Switchable(clock)
    with serving(service_app) as service:
        tags = [
            script_tag(f"{service}/embed.js", data_lang="en"),
            script_tag(f"{service}/embed.js", data_lang="fr", data_variant="badge"),
            script_tag(f"{service}/embed.js", data_lang="ar", data_variant="ribbon"),
            script_tag(f"{service}/embed.js", data_lang="zgh"),
        ]
        blog = site.put("/open.html", host_page(service, footer=tags), Content_Security_Policy=strict_policy(service))
        page = new_tab()
        requests: list[Any] = []
        errors: list[str] = []
        page.on("request", lambda request: requests.append(request))
        page.on("pageerror", lambda error: errors.append(str(error)))
        shadows = Shadows(page)
        page.clock.install(time=BEFORE_MIDNIGHT - timedelta(seconds=1))
        page.clock.pause_at(BEFORE_MIDNIGHT)
        page.goto(blog)
        visible_widgets(shadows, 4)
        asked_on_load = len(api_calls(requests, page))

        service_app.current = service_app.disabled
        clock.set(MIDNIGHT + timedelta(seconds=90))
        assert fetch_json(f"{service}/api/counter.json")["embed_enabled"] is False
        page.clock.run_for(2_000)  # before midnight: no check yet, the widgets stay
        assert len(shadows.widgets()) == 4

        page.clock.run_for(int((MIDNIGHT - BEFORE_MIDNIGHT + LATEST_RECHECK).total_seconds() * 1000))
        wait_until(lambda: page.evaluate(f"!document.querySelector({WIDGET_TAGS!r})"), what="the widgets to leave")
        assert shadows.roots() == []
        asked_after_midnight = len(api_calls(requests, page))
        assert asked_after_midnight > asked_on_load  # the widgets left because the page asked, not before
        page.clock.run_for(6 * 60 * 60 * 1000)  # and then quiet: nothing left to update
        page.wait_for_timeout(300)
        assert len(api_calls(requests, page)) == asked_after_midnight
        assert errors == []


def midnight_checks(tab: Any, site: HostSite, service: str, queries: list[str]) -> list[timedelta]:
    """Open one blog page per query as frames of ``tab`` before midnight; how long after it each checked again.

    Frames, not tabs (opening a tab costs a quarter of a second here): each frame is its own
    document running its own copy of the script, and all share the tab's fake clock, so one
    ``run_for`` takes every page past midnight and each timer fires when its script chose.
    """
    site.put(
        "/midnight.html",
        host_page(service, footer=[script_tag(f"{service}/embed.js", data_lang="en")]),
        Content_Security_Policy=strict_policy(service),
    )
    frames = "".join(f'<iframe src="/midnight.html?{html.escape(query)}"></iframe>' for query in queries)
    requests: list[Any] = []
    tab.on("request", lambda request: requests.append(request))
    tab.context.add_init_script(RECORD_FETCHES)
    tab.context.add_init_script(FIXED_DRAWS)
    tab.clock.install(time=BEFORE_MIDNIGHT - timedelta(seconds=1))
    tab.clock.pause_at(BEFORE_MIDNIGHT)
    tab.goto(site.put("/midnight-frames.html", f"<!doctype html><html><body>{frames}</body></html>"))
    pages = tab.frames[1:]
    assert len(pages) == len(queries)
    for page in pages:  # a widget that shows has handled its answer and set its timer
        wait_until(lambda frame=page: frame.evaluate(SHOWN_FOOTER_HEIGHT), what="each page's widget")

    loaded_ms, midnight_ms = BEFORE_MIDNIGHT.timestamp() * 1000, MIDNIGHT.timestamp() * 1000
    tab.clock.run_for(int((MIDNIGHT - BEFORE_MIDNIGHT + LATEST_RECHECK).total_seconds() * 1000) + 5_000)
    delays, timed = [], 0
    for page in pages:  # a timer that fired during run_for made its request then: nothing to wait for
        fetched = api_fetches(page)
        timed += len(fetched)
        checks = [call["at"] for call in fetched if call["at"] > loaded_ms]  # the clock stood still while loading
        assert checks, f"no check within {LATEST_RECHECK} of midnight: {fetched}"
        delays.append(timedelta(milliseconds=checks[0] - midnight_ms))
    assert len(api_calls(requests, tab)) == timed  # what the browser saw: every request was timed
    return delays


def test_the_midnight_check_is_spread_over_the_minute_after_midnight(
    new_tab: Callable[[], Any], site: HostSite, clocked_server: Any
) -> None:
    """40 blog pages open before midnight: each asks again 1 to 60 s after it, not all in the same second."""
    service = clocked_server.url
    clocked_server.clock.set(BEFORE_MIDNIGHT)
    assert fetch_json(f"{service}/api/counter.json")["next_change"] == MIDNIGHT.strftime("%Y-%m-%dT%H:%M:%SZ")
    delays = midnight_checks(new_tab(), site, service, [f"load={load}" for load in range(JITTER_LOADS)])
    seconds = sorted(delay.total_seconds() for delay in delays)
    summary = (
        f"{len(seconds)} pages: the check came {seconds[0]:.1f} to {seconds[-1]:.1f} s after midnight, "
        f"median {statistics.median(seconds):.1f} s, standard deviation {statistics.pstdev(seconds):.1f} s"
    )
    print(summary)
    assert all(EARLIEST_RECHECK <= delay <= LATEST_RECHECK for delay in delays), summary
    assert max(delays) - min(delays) > MINIMUM_SPREAD, summary
    assert statistics.pstdev(seconds) > MINIMUM_DEVIATION, summary


def test_the_midnight_check_keeps_to_its_minute_at_the_extreme_draws(
    new_tab: Callable[[], Any], site: HostSite, clocked_server: Any
) -> None:
    """The lowest and highest random draws still ask 1 s after midnight at the earliest and 60 s at the latest.

    Forty random draws come near the bounds but rarely past a bound that is off by a little, so
    the pages here draw the extremes of ``Math.random`` (see ``FIXED_DRAWS``).
    """
    service = clocked_server.url
    clocked_server.clock.set(BEFORE_MIDNIGHT)
    lowest, highest = midnight_checks(new_tab(), site, service, ["draw=lowest", "draw=highest"])
    assert EARLIEST_RECHECK <= lowest < highest <= LATEST_RECHECK, (lowest, highest)
