"""The published site behind a plain static file server, in headless Chromium: no service runs at all.

A blog on another origin pastes the embed script from the static server, under the strict CSP
the README promises (``script-src``, ``connect-src``, ``img-src`` the static host, nothing else).
The static server behaves like GitHub Pages (no headers of ours) or like Netlify and Cloudflare
Pages (the site's ``_headers``).
The visitor's clock is set to the published day; what the widgets must say is read from the
published JSON, and its count is checked against the calendar.
"""

import unicodedata
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.browser.embed_support import (
    STRICT_CSP,
    HostSite,
    Shadows,
    fetch_json,
    host_page,
    script_tag,
    serving,
    wait_until,
)
from tests.conftest import ThreadedServer
from tests.publish.conftest import DAY, NEXT_DAY, NOON, PublishedSite
from tests.web.casablanca_calendar import days_on

VIEWPORT = {"width": 1280, "height": 800}
LANGS = ("fr", "ar", "zgh")
VARIANTS = ("footer", "badge", "ribbon")
BEFORE_MIDNIGHT = datetime(2026, 11, 27, 23, 59, 56, tzinfo=UTC)
"""Four seconds before midnight in Casablanca (UTC+0 that day)."""
AFTER_MIDNIGHT = datetime(2026, 11, 28, 0, 2, tzinfo=UTC)


@pytest.fixture(scope="module")
def blog() -> Iterator[HostSite]:
    site = HostSite()
    with serving(site) as url:
        site.url = url
        yield site


class Tab:
    """A visitor's tab: what it printed and asked for, and eyes inside the widgets' closed shadow roots."""

    def __init__(self, browser: Any, visitor_time: datetime, paused: bool = False) -> None:
        self.context = browser.new_context(viewport=VIEWPORT, reduced_motion="reduce")
        self.page = self.context.new_page()
        self.console: list[str] = []
        self.requests: list[Any] = []
        self.page.on("console", lambda message: self.console.append(f"{message.type}: {message.text}"))
        self.page.on("pageerror", lambda error: self.console.append(f"uncaught: {error}"))
        self.page.on("request", lambda request: self.requests.append(request))
        if paused:
            self.page.clock.install(time=visitor_time - timedelta(seconds=1))
            self.page.clock.pause_at(visitor_time)
        else:
            self.page.clock.install(time=visitor_time)
        self.shadows = Shadows(self.page)

    def said(self) -> list[dict[str, str]]:
        """Each widget shown: its element, language, and the accessible name of its link (what it says).

        The name is read in a second round trip: if the script swaps a widget's box for the next day's
        in between, the two halves disagree, so callers wait for a reading where they agree."""
        shown = []
        for root in self.shadows.roots():
            described = self.shadows.call(root, DESCRIBE)
            if described:
                shown.append({**described, "name": self.shadows.accessible(root, "a")["name"]})
        return shown

    def wait_for(self, count: int, pictures_of: str | None = None) -> list[dict[str, str]]:
        """``count`` widgets shown; with ``pictures_of`` (a day), once they show that day's pictures, loaded."""
        return wait_until(
            lambda: (
                (found := self.said())
                and len(found) == count
                and (pictures_of is None or all(pictured_on(widget, pictures_of) for widget in found))
                and found
            ),
            what=f"{count} widgets",
        )

    def asked(self, origin: str) -> list[str]:
        self.page.evaluate("0")  # lets Playwright deliver pending request events
        return [request.url for request in self.requests if request.url.startswith(origin)]


DESCRIBE = """function () {
  const box = [...this.children].find((e) => !e.classList.contains("h"));
  if (!box) return null;
  const images = [...box.querySelectorAll("img")];
  return {tag: this.host.localName, lang: box.lang, href: (box.localName == "a" ? box : box.querySelector("a")).href,
    images: images.map((i) => i.currentSrc + " " + i.naturalWidth)};
}"""


@pytest.fixture
def tabs(browser: Any) -> Iterator[list[Tab]]:
    opened: list[Tab] = []
    yield opened
    for tab in opened:
        tab.context.close()


def blog_page(blog: HostSite, site: PublishedSite, name: str, tags: list[tuple[str, str]]) -> str:
    """A right-to-left blog with the script pasted once per (language, variant), under the strict policy."""
    static = site.host.url
    script = f"{site.settings.public_url}/embed.js"
    footer = [script_tag(script, data_lang=lang, data_variant=variant) for lang, variant in tags]
    return blog.put(
        f"/{name}.html", host_page(static, footer=footer), Content_Security_Policy=STRICT_CSP.format(service=static)
    )


def digits(text: str) -> str:
    """The digits of ``text``, whatever the script writes them in: the count a widget says, without grouping."""
    return "".join(str(unicodedata.digit(character)) for character in text if character.isdigit())


def says(widget: dict[str, str], count: int) -> bool:
    """Whether the widget's accessible name says ``count`` (and no other number)."""
    return digits(widget["name"]) == str(count)


def pictured_on(widget: dict[str, str], day: str) -> bool:
    """Whether every picture the widget shows is loaded from that day's files."""
    return all(f"/embed/{day}/" in image and not image.endswith(" 0") for image in widget["images"])


def texts(site: PublishedSite, lang: str) -> dict[str, Any]:
    """The published counter document, read through the static server."""
    return fetch_json(f"{site.settings.public_url}/api/{lang}/counter.json")


def assert_only_the_static_host_was_asked(tab: Tab, site: PublishedSite, blog: HostSite) -> None:
    """Nothing asked of anyone else, nothing by query string (a static host would ignore it), nothing missing."""
    for request in tab.requests:
        assert request.url.startswith((site.host.url + "/", blog.url + "/")), request.url
    asked = [url.removeprefix(site.host.url) for url in tab.asked(site.host.url)]
    assert asked and not [url for url in asked if "?" in url], asked
    for path in asked:
        assert (site.host.root / path.removeprefix("/")).is_file(), path
    assert tab.console == [], tab.console


@pytest.mark.parametrize("host", ["pages", "headers"])
def test_every_variant_shows_the_days_count_from_the_static_files_alone(
    browser: Any, tabs: list[Tab], blog: HostSite, site: PublishedSite, host: str
) -> None:
    site.host.mode, site.host.now = host, NOON
    tags = [(lang, variant) for lang in LANGS for variant in VARIANTS]
    url = blog_page(blog, site, f"variants-{host}", tags)
    tab = Tab(browser, NOON)
    tabs.append(tab)
    tab.page.goto(url)
    shown = tab.wait_for(len(tags), pictures_of=DAY)

    assert sorted((widget["tag"], widget["lang"]) for widget in shown) == sorted(
        (f"voipdown-{variant}", lang) for lang, variant in tags
    )
    for widget in shown:
        today = texts(site, widget["lang"])
        assert today["count"] == days_on(NOON.date()) == 3979
        assert says(widget, today["count"]), widget
        assert widget["href"] == f"{site.host.url}/{widget['lang']}/"
        for image in widget["images"]:
            source, width = image.rsplit(" ", 1)
            assert source.startswith(f"{site.host.url}/embed/{DAY}/{widget['lang']}/badge/") and int(width) > 0
    asked = tab.asked(site.host.url)
    assert any(f"/embed/{DAY}/zgh/text/sentence/" in url for url in asked)  # Tifinagh, pictured
    assert_only_the_static_host_was_asked(tab, site, blog)


def test_a_site_served_from_a_folder_works_as_one_at_the_root(
    browser: Any, tabs: list[Tab], blog: HostSite, in_a_folder: PublishedSite
) -> None:
    """GitHub serves a project's pages under ``/REPO/``: the script asks under the folder it was loaded from."""
    tags = [("zgh", "footer"), ("fr", "badge"), ("ar", "ribbon")]
    url = blog_page(blog, in_a_folder, "in-a-folder", tags)
    tab = Tab(browser, NOON)
    tabs.append(tab)
    tab.page.goto(url)
    for widget in tab.wait_for(len(tags)):
        assert says(widget, days_on(NOON.date())), widget
        assert widget["href"] == f"{in_a_folder.host.url}/voipdown/{widget['lang']}/"
    assert all(url.startswith(f"{in_a_folder.host.url}/voipdown/") for url in tab.asked(in_a_folder.host.url))
    assert_only_the_static_host_was_asked(tab, in_a_folder, blog)
    page = Tab(browser, NOON)
    tabs.append(page)
    page.page.goto(f"{in_a_folder.host.url}/voipdown/zgh/")
    page.page.wait_for_load_state("networkidle")
    assert digits(page.page.inner_text("h1")) == str(days_on(NOON.date()))
    assert page.page.evaluate("!document.getElementById('builder').hidden") and page.console == [], page.console


@pytest.mark.parametrize("host", ["pages", "headers"])
def test_a_widget_reading_day_old_files_shows_the_new_count_after_local_midnight(
    browser: Any, tabs: list[Tab], blog: HostSite, site: PublishedSite, host: str
) -> None:
    """The daily job has not run yet: at midnight the widgets show the next day's count from the day-old files.

    This site's block ends on the 28th, so the new day also says how long it lasted.
    """
    site.host.mode, site.host.now = host, BEFORE_MIDNIGHT
    tags = [("fr", "footer"), ("ar", "badge"), ("zgh", "footer"), ("zgh", "ribbon")]
    url = blog_page(blog, site, f"day-old-{host}", tags)
    tab = Tab(browser, BEFORE_MIDNIGHT, paused=True)
    tabs.append(tab)
    tab.page.goto(url)
    before = tab.wait_for(len(tags))
    assert all(says(widget, days_on(NOON.date())) for widget in before), before

    site.host.now = AFTER_MIDNIGHT
    tab.page.clock.run_for(95_000)  # past midnight and the script's minute of jitter
    after = wait_until(
        lambda: (
            (found := tab.said())
            and len(found) == len(tags)
            and all(says(widget, days_on(NOON.date()) + 1) and pictured_on(widget, NEXT_DAY) for widget in found)
            and found
        ),
        what="every widget on the next day, in its words and its pictures",  # one reading, see Tab.said
    )
    for widget in after:
        tomorrow = texts(site, widget["lang"])["next"]
        assert tomorrow["count"] == days_on(NOON.date()) + 1 and tomorrow["ended"] is True
        for image in widget["images"]:
            source, width = image.rsplit(" ", 1)
            assert f"/embed/{NEXT_DAY}/" in source and int(width) > 0
    assert " a duré " in texts(site, "fr")["next"]["sentence"]  # the block "lasted": the ended wording
    assert any(f"/embed/{NEXT_DAY}/zgh/text/" in url for url in tab.asked(site.host.url))
    assert_only_the_static_host_was_asked(tab, site, blog)


def test_a_visitors_clock_running_ahead_never_turns_the_live_services_answer(
    browser: Any, tabs: list[Tab], blog: HostSite, clocked_server: ThreadedServer
) -> None:
    """The service itself is never a day behind: a clock two hours fast keeps its day, where a copy's would turn."""
    service = clocked_server.url
    clocked_server.clock.set(BEFORE_MIDNIGHT - timedelta(hours=2))
    page = host_page(service, footer=[script_tag(f"{service}/embed.js", data_lang="fr")])
    url = blog.put("/fast-clock.html", page, Content_Security_Policy=STRICT_CSP.format(service=service))
    tab = Tab(browser, BEFORE_MIDNIGHT, paused=True)
    tabs.append(tab)
    tab.page.goto(url)
    tab.wait_for(1)
    tab.page.clock.run_for(95_000)
    wait_until(lambda: len([url for url in tab.asked(service) if "counter.json" in url]) >= 2, what="a refetch")
    tab.page.wait_for_timeout(300)
    [widget] = tab.said()
    assert says(widget, days_on(NOON.date()))


def test_the_kill_switch_silences_every_widget_of_a_published_site(
    browser: Any, tabs: list[Tab], blog: HostSite, silenced: PublishedSite
) -> None:
    silenced.host.mode = "pages"
    url = blog_page(blog, silenced, "silenced", [("fr", variant) for variant in VARIANTS])
    tab = Tab(browser, NOON)
    tabs.append(tab)
    tab.page.goto(url)
    wait_until(lambda: tab.asked(silenced.host.url + "/api/"), what="the counter request")
    wait_until(
        lambda: tab.page.evaluate("!document.querySelector('voipdown-footer, voipdown-badge, voipdown-ribbon')"),
        what="no widget",
    )
    tab.page.wait_for_timeout(300)
    assert tab.said() == []
    assert {request.resource_type for request in tab.requests if request.url.startswith(silenced.host.url)} == {
        "script",
        "fetch",
    }
    assert_only_the_static_host_was_asked(tab, silenced, blog)


@pytest.mark.parametrize("lang", ["fr", "ar", "zgh"])
def test_the_landing_page_works_from_the_static_host_under_its_policy(
    browser: Any, tabs: list[Tab], site: PublishedSite, lang: str
) -> None:
    """Its own policy from ``_headers`` (no inline script or style): the count, styles, the builder, nothing refused."""
    site.host.mode, site.host.now = "headers", NOON
    tab = Tab(browser, NOON)
    tabs.append(tab)
    tab.page.goto(f"{site.host.url}/{lang}/")
    tab.page.wait_for_load_state("networkidle")
    today = texts(site, lang)
    assert digits(tab.page.inner_text("h1")) == str(today["count"])
    assert tab.page.evaluate("document.documentElement.lang") == lang
    assert tab.page.evaluate("getComputedStyle(document.querySelector('.count')).fontSize") != tab.page.evaluate(
        "getComputedStyle(document.body).fontSize"
    )  # the stylesheet applies
    assert tab.page.evaluate("!document.getElementById('builder').hidden")  # its script ran
    assert tab.console == [], tab.console
    for request in tab.requests:
        assert request.url.startswith(site.host.url + "/") or request.url.startswith("about:"), request.url


def test_the_snippet_builder_on_the_static_site_hands_out_path_urls(
    browser: Any, tabs: list[Tab], site: PublishedSite
) -> None:
    """A snippet with a query string would show the wrong language from a static host: every format uses paths."""
    site.host.mode = "pages"
    tab = Tab(browser, NOON)
    tabs.append(tab)
    tab.page.goto(f"{site.host.url}/ar/")
    for format_name in ("script", "html", "markdown", "bbcode", "url"):
        tab.page.select_option("#b-format", format_name)
        if format_name != "script":
            tab.page.select_option("#b-image", "png")
            tab.page.select_option("#b-scale", "2")
        snippet = tab.page.input_value("#snippet")
        assert site.host.url in snippet and "?" not in snippet, (format_name, snippet)
