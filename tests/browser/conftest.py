"""Fixtures for tests that run in every browser engine: the engines, a tab per test, a blog on another site.

``engine`` and ``tab`` give each test once per engine, for a visitor in light mode;
``visitor_engine`` and ``visitor_tab`` once per engine and visitor colour scheme (six times).
Firefox and WebKit take the scheme at launch, so each scheme is a browser of its own. An engine starts the first
time a test asks for it and serves the whole session (pytest groups the tests of one engine and
closes it after its last one). An engine that does not start fails its tests with the reason;
nothing is skipped.
"""

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.browser.embed_support import serving
from tests.browser.engines import COLOR_SCHEMES, ENGINE_NAMES, Engine, Tab
from tests.browser.engines.blog import ReportingBlog
from tests.browser.engines.chromium import ChromiumEngine
from tests.browser.engines.firefox import FirefoxEngine
from tests.browser.engines.webkit import WebKitEngine

VIEWPORT = (1280, 800)
STARTED_ENGINES: list[str] = []
"""The engines this session started, with versions, for the summary at the end of the run."""


def running(start: Callable[[], Engine]) -> Iterator[Engine]:
    try:
        engine = start()
    except Exception as error:
        pytest.fail(f"the browser engine did not start: {error}", pytrace=False)
    STARTED_ENGINES.append(f"{engine.version} ({engine.color_scheme})")
    yield engine
    engine.close()


@pytest.fixture(scope="session")
def chromium_light_engine(browser: Any) -> Iterator[Engine]:
    yield from running(lambda: ChromiumEngine(browser, "light"))


@pytest.fixture(scope="session")
def chromium_dark_engine(browser: Any) -> Iterator[Engine]:
    yield from running(lambda: ChromiumEngine(browser, "dark"))


@pytest.fixture(scope="session")
def firefox_light_engine() -> Iterator[Engine]:
    yield from running(lambda: FirefoxEngine("light"))


@pytest.fixture(scope="session")
def firefox_dark_engine() -> Iterator[Engine]:
    yield from running(lambda: FirefoxEngine("dark"))


@pytest.fixture(scope="session")
def webkit_light_engine() -> Iterator[Engine]:
    yield from running(lambda: WebKitEngine("light"))


@pytest.fixture(scope="session")
def webkit_dark_engine() -> Iterator[Engine]:
    yield from running(lambda: WebKitEngine("dark"))


@pytest.fixture(scope="session", params=ENGINE_NAMES)
def engine(request: pytest.FixtureRequest) -> Engine:
    """Each of the three engines in turn, for a visitor in light mode: a test that takes it runs once per engine."""
    started: Engine = request.getfixturevalue(f"{request.param}_light_engine")
    return started


@pytest.fixture(
    scope="session", params=[(name, scheme) for name in ENGINE_NAMES for scheme in COLOR_SCHEMES], ids="-".join
)
def visitor_engine(request: pytest.FixtureRequest) -> Engine:
    """Each engine for a visitor in light mode, then in dark mode (``prefers-color-scheme``)."""
    name, scheme = request.param
    started: Engine = request.getfixturevalue(f"{name}_{scheme}_engine")
    return started


def opened_tab(engine: Engine, request: pytest.FixtureRequest) -> Iterator[Tab]:
    width, height = getattr(request, "param", VIEWPORT)
    tab = engine.new_tab(width, height)
    yield tab
    tab.close()


@pytest.fixture
def tab(engine: Engine, request: pytest.FixtureRequest) -> Iterator[Tab]:
    """A fresh tab, closed after the test; at the desktop viewport unless the test parametrises ``tab`` (indirectly)."""
    yield from opened_tab(engine, request)


@pytest.fixture
def visitor_tab(visitor_engine: Engine, request: pytest.FixtureRequest) -> Iterator[Tab]:
    yield from opened_tab(visitor_engine, request)


@pytest.fixture(scope="module")
def reporting_blog() -> Iterator[ReportingBlog]:
    """The blog on ``localhost``, another site than the service on ``127.0.0.1``, as a real blog is."""
    blog = ReportingBlog()
    with serving(blog) as url:
        blog.url = url.replace("127.0.0.1", "localhost")
        yield blog


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if STARTED_ENGINES:
        terminalreporter.write_line("browser engines: " + ", ".join(STARTED_ENGINES))
