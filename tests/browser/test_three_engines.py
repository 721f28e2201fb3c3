"""The embed widget and the landing page in Chromium, Firefox and WebKit, as bloggers' readers meet them.

Every test runs once per engine (see ``conftest.py`` and the ``engines`` package). The widget is
pasted into a blog on another site than the service, under exactly the strict policy the README
documents plus a ``report-uri``, so that every engine reports what the page tried and was refused
(see ``engines/blog.py``). The widgets' insides are closed shadow roots, so the tests measure them
from outside, the same way in each engine: where each is painted, its pixels, what the page asked
for, what the engines reported, what changed on ``window``. Where an engine can also look inside
(Chromium and Firefox) the number each widget says is checked too; WebKit's driver cannot, nor
can it hear the console.
"""

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from tests.browser.conftest import VIEWPORT
from tests.browser.embed_support import wait_until
from tests.browser.engines import ENGINE_NAMES, Box, Engine, Tab
from tests.browser.engines.blog import (
    DIRECTIONS,
    PAGE_COLOURS,
    READABLE_TEXT,
    ReportingBlog,
    blog_page,
    policy,
    three_widgets_shown,
    widget_tags,
)
from tests.browser.engines.measure import (
    SAID,
    WIDGET_SELECTOR,
    WidgetShot,
    changed_share,
    covered_share,
    cut,
    ink_box,
    numbers,
    painted_regions,
    text_edges,
    wait_for_shots,
)
from tests.conftest import ThreadedServer, make_settings
from tests.publish.static_hosts import StaticHost, serving_site
from tests.web.casablanca_calendar import days_on, local_date
from widget.publish import publish_site

DAY_COUNT = (date(2026, 11, 27) - date(2016, 1, 5)).days
"""The count on ``clocked_server``'s day, from the calendar alone."""

WINDOW_NAMES = (
    "() => [...Object.getOwnPropertyNames(window), ...Object.getOwnPropertySymbols(window).map(String)].sort()"
)
SCROLL = "(to) => { scrollTo(0, to); return new Promise((done) => requestAnimationFrame(() => done(scrollY))); }"

HOSTILE_CSS = """
voipdown-badge, voipdown-footer, voipdown-ribbon {
  display: none !important; visibility: hidden !important; opacity: 0 !important;
  transform: scale(0.3) rotate(20deg) !important; filter: invert(1) blur(2px) !important;
  clip-path: inset(40%) !important; position: absolute !important; inset: -5000px !important;
  width: 1px !important; height: 1px !important; overflow: hidden !important; z-index: -1 !important;
  margin: 40px !important; padding: 40px !important; border: 9px solid red !important;
}
body, #sidebar, #footer {
  letter-spacing: 6px !important; word-spacing: 30px !important; text-transform: uppercase !important;
  line-height: 4 !important; font-style: italic !important; font-family: serif !important;
  text-shadow: 2px 2px 0 red !important; text-align: center !important; white-space: pre !important;
  cursor: wait !important; direction: rtl !important;
}
a, span, img, picture, aside, b, button, div {
  display: none !important; color: red !important; background: lime !important; font-size: 3px !important;
}
"""
"""A blog's stylesheet at its worst: rules aimed at the widgets' own tags, inherited text styles on
their ancestors, and rules for the elements the widgets are made of (which stop at the shadow
boundary). The host's text colour and font size are left out: the issue lets the widget follow
those on purpose."""

CALM_CSS = "h1 { font-weight: bold; }\n"


def assert_asked_only(tab: Tab, engine: Engine, origins: tuple[str, ...]) -> None:
    strangers = [url for url in tab.requests() if not url.startswith((*origins, "about:", "data:"))]
    assert strangers == [], f"{engine.name} asked other hosts: {strangers}"


def assert_nothing_else_happened(tab: Tab, engine: Engine, blog: ReportingBlog, url: str, service: str) -> None:
    """Requests only to the service and the blog; the control's refused style as the page's only violation.

    Engines also print each violation to the console; those lines are left to the reports, which
    every engine sends, and any other console error fails the test.
    """
    assert_asked_only(tab, engine, (service + "/", blog.url + "/"))
    control_refused = wait_until(lambda: blog.reports_of(url), what=f"{engine.name}'s CSP report of the control")
    violations = [(report.get("effective-directive"), report.get("blocked-uri")) for report in blog.reports_of(url)]
    assert violations == [("style-src-attr", "inline")], f"{engine.name}: {violations} ({control_refused})"
    if engine.hears_console:
        errors = [line for line in tab.console_errors() if "Content Security Policy" not in line.replace("-", " ")]
        assert errors == [], f"{engine.name}'s console: {errors}"


@pytest.mark.parametrize("lang", ["fr", "ar", "zgh"])
@pytest.mark.parametrize("page", PAGE_COLOURS)
def test_every_variant_shows_the_count_readably_on_a_strict_blog(
    engine: Engine, tab: Tab, reporting_blog: ReportingBlog, clocked_server: ThreadedServer, page: str, lang: str
) -> None:
    """Badge, footer and ribbon, themed for the page, on a light or dark blog that allows nothing but the service."""
    service = clocked_server.url
    name = f"/{engine.name}-{page}-{lang}"
    bare = reporting_blog.put(f"{name}-bare.html", blog_page(lang, page), Content_Security_Policy=policy(service))
    blog = reporting_blog.put(
        f"{name}.html",
        blog_page(lang, page, **widget_tags(service, lang, page)),
        Content_Security_Policy=policy(service),
    )
    tab.open(bare)
    names_without_widgets = tab.evaluate(WINDOW_NAMES)
    tab.open(blog)

    badge, footer, ribbon = wait_for_shots(tab, three_widgets_shown)
    background = PAGE_COLOURS[page][0]
    assert tab.evaluate("() => getComputedStyle(document.getElementById('control')).color") != "rgb(255, 0, 0)"

    # Each in its place and of a sane size: the badge a badge, the footer one line, the ribbon in its corner.
    assert badge.region.box is not None and footer.region.box is not None and ribbon.region.box is not None
    assert 14 <= badge.region.box.height <= 40 and 60 <= badge.region.box.width <= 500, badge.region
    assert covered_share(badge.image, background) > 0.7, "the badge fills its box"
    assert 14 <= footer.region.box.height <= 64 and footer.region.box.right <= VIEWPORT[0], footer.region
    assert 60 <= ribbon.region.box.width <= 480 and 30 <= ribbon.region.box.height <= 160, ribbon.region
    assert 0 < VIEWPORT[1] - ribbon.region.box.bottom <= 40, "the ribbon sits at the bottom"
    start_gap = ribbon.region.box.x if DIRECTIONS[lang] == "ltr" else VIEWPORT[0] - ribbon.region.box.right
    assert 0 < start_gap <= 40, f"the ribbon sits in the reading direction's starting corner: {ribbon.region}"

    # The footer's text stays inside the footer's box.
    inked = ink_box(footer.screenshot, footer.region.box.grown(12), background)
    assert inked is not None, "the footer line shows"
    assert footer.region.box.x - 1 <= inked.x and inked.right <= footer.region.box.right + 1, (inked, footer.region)
    assert footer.region.box.y - 1 <= inked.y and inked.bottom <= footer.region.box.bottom + 1, (inked, footer.region)

    # The ribbon is fixed: the page scrolls under it, it stays put and painted.
    assert tab.evaluate(SCROLL, 300) == 300
    scrolled = {region.tag: region.box for region in painted_regions(tab)}
    assert scrolled["voipdown-ribbon"] == ribbon.region.box
    assert scrolled["voipdown-footer"] is not None
    assert scrolled["voipdown-footer"].y == pytest.approx(footer.region.box.y - 300, abs=0.5), "the page scrolled"
    assert text_edges(cut(tab.screenshot(), ribbon.region.box)) >= READABLE_TEXT

    if engine.reads_closed_shadow_roots:
        said = tab.in_shadow_roots(WIDGET_SELECTOR, SAID)
        assert [numbers(words) for words in said] == [{DAY_COUNT}] * 3, said

    assert tab.evaluate(WINDOW_NAMES) == names_without_widgets, "the widgets add nothing to window"
    assert_nothing_else_happened(tab, engine, reporting_blog, blog, service)


def test_the_blogs_css_cannot_hide_or_restyle_the_widgets(
    engine: Engine, tab: Tab, reporting_blog: ReportingBlog, clocked_server: ThreadedServer
) -> None:
    """The same widgets under a calm and under a hostile stylesheet are the same pixels in the same places."""
    service = clocked_server.url
    reporting_blog.put("/calm.css", CALM_CSS, "text/css; charset=utf-8")
    reporting_blog.put("/hostile.css", HOSTILE_CSS, "text/css; charset=utf-8")
    tags = widget_tags(service, "fr", "light")
    seen: dict[str, list[WidgetShot]] = {}
    for sheet in ("calm", "hostile"):
        url = reporting_blog.put(
            f"/{engine.name}-{sheet}.html",
            blog_page("fr", "light", **tags, sheet=f"/{sheet}.css"),
            Content_Security_Policy=policy(service, styles=True),
        )
        tab.open(url)
        seen[sheet] = wait_for_shots(tab, three_widgets_shown)
        assert_nothing_else_happened(tab, engine, reporting_blog, url, service)
    assert tab.evaluate("() => getComputedStyle(document.body).letterSpacing") == "6px", "the hostile sheet applies"
    for calm, hostile in zip(seen["calm"], seen["hostile"], strict=True):
        assert calm.region.box is not None and hostile.region.box is not None
        assert abs(calm.region.box.width - hostile.region.box.width) <= 1, (calm.region, hostile.region)
        assert abs(calm.region.box.height - hostile.region.box.height) <= 1, (calm.region, hostile.region)
        assert changed_share(calm.image, hostile.image) <= 0.02, f"{calm.region.tag} looks different"


LANDING = """async () => {
  await document.fonts.ready;
  const count = document.querySelector(".count");
  return {
    text: count.textContent,
    box: count.getBoundingClientRect().toJSON(),
    overflow: document.scrollingElement.scrollWidth - innerWidth,
    fonts: [...document.fonts].filter((face) => face.status === "loaded").map((face) => face.family.replace(/"/g, "")),
  };
}"""
NARROW = (480, 740)
"""A phone-sized window as narrow as every engine here goes: MiniBrowser's window is at least 447 px wide."""


@pytest.mark.parametrize("tab", [VIEWPORT, NARROW], ids=["desktop", "narrow"], indirect=True)
@pytest.mark.parametrize("lang", ["fr", "ar", "zgh"])
def test_the_landing_page_shows_the_count_without_overflow(
    engine: Engine, tab: Tab, clocked_server: ThreadedServer, lang: str
) -> None:
    """The big count, in our own Tifinagh font for the language switch, within a desktop or a narrow window."""
    service = clocked_server.url
    tab.open(f"{service}/?lang={lang}")
    seen = tab.evaluate(LANDING)
    width = tab.evaluate("() => innerWidth")
    count = Box.of(seen["box"])
    assert numbers(seen["text"]) == {DAY_COUNT}, seen["text"]
    assert count.height > 40 and count.x >= 0 and count.right <= width, count
    assert seen["overflow"] <= 0, f"the page is {seen['overflow']} px wider than the window"
    assert text_edges(cut(tab.screenshot(), count)) >= 2 * READABLE_TEXT, "the count's digits are drawn"
    assert "VoIP Down Tifinagh" in seen["fonts"], "the language switch's Tifinagh comes in our own font"
    assert_asked_only(tab, engine, (service + "/",))
    if engine.hears_console:
        assert tab.console_errors() == [], f"{engine.name}'s console"


@pytest.mark.parametrize(
    "visitor_engine", [(name, "dark") for name in ENGINE_NAMES], ids=ENGINE_NAMES, indirect=True, scope="session"
)
def test_a_theme_chosen_for_a_light_page_holds_for_a_visitor_in_dark_mode(
    visitor_engine: Engine, visitor_tab: Tab, reporting_blog: ReportingBlog, clocked_server: ThreadedServer
) -> None:
    """``data-theme="light"`` is the blogger's choice for a light page: a visitor whose system is dark keeps it.

    (A light-mode visitor on a dark page with ``data-theme="dark"`` is the first test's dark case.)
    """
    service = clocked_server.url
    url = reporting_blog.put(
        f"/{visitor_engine.name}-dark-visitor.html",
        blog_page("fr", "light", **widget_tags(service, "fr", "light")),
        Content_Security_Policy=policy(service),
    )
    visitor_tab.open(url)
    assert visitor_tab.evaluate("() => matchMedia('(prefers-color-scheme: dark)').matches"), "a dark-mode visitor"
    wait_for_shots(visitor_tab, three_widgets_shown)
    assert_nothing_else_happened(visitor_tab, visitor_engine, reporting_blog, url, service)


@pytest.fixture(scope="module")
def site_published_now(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[StaticHost, datetime]]:
    """The site published for this very moment, behind a static host that sends what its ``_headers`` says
    (Netlify, Cloudflare Pages): the engines keep their own clocks, so the site must be today's."""
    host = StaticHost(tmp_path_factory.mktemp("published-now") / "site")
    with serving_site(host):
        host.mode = "headers"
        published_at = datetime.now(UTC)
        publish_site(host.root, make_settings(public_url=host.url), published_at)
        yield host, published_at


def asked_paths(tab: Tab, host: StaticHost) -> list[str]:
    """What the page asked of the static host, as paths."""
    return [url.removeprefix(host.url) for url in tab.requests() if url.startswith(host.url + "/")]


@pytest.mark.parametrize("lang", ["fr", "ar", "zgh"])
def test_a_published_site_alone_shows_todays_count_in_every_engine(
    engine: Engine, tab: Tab, reporting_blog: ReportingBlog, site_published_now: tuple[StaticHost, datetime], lang: str
) -> None:
    """No service runs: the script, the counter's JSON and the pictures come from files on a static host, and
    each engine shows the three widgets with the count of the local day, asking only for files the site holds."""
    host, published_at = site_published_now
    static = host.url
    url = reporting_blog.put(
        f"/{engine.name}-published-{lang}.html",
        blog_page(lang, "light", **widget_tags(static, lang, "light")),
        Content_Security_Policy=policy(static),
    )
    tab.open(url)
    wait_for_shots(tab, three_widgets_shown)
    days = {local_date(published_at), local_date(datetime.now(UTC))}  # two only if the test crossed midnight

    asked = asked_paths(tab, host)
    pictures = [Path(path).parts[2:4] for path in asked if path.startswith("/embed/") and path.endswith(".svg")]
    assert pictures and {(day, asked_lang) for day, asked_lang in pictures} <= {
        (day.isoformat(), lang) for day in days
    }, f"{engine.name} drew another day's or language's pictures: {asked}"
    assert all("?" not in path and (host.root / path.removeprefix("/")).is_file() for path in asked), asked
    if engine.reads_closed_shadow_roots:
        said = tab.in_shadow_roots(WIDGET_SELECTOR, SAID)
        assert len(said) == 3 and all(numbers(words) <= {days_on(day) for day in days} for words in said), said
        assert all(numbers(words) for words in said), said
    assert_nothing_else_happened(tab, engine, reporting_blog, url, static)
