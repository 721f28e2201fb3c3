"""Fixtures of the publishing tests: sites published once per session, each behind a plain static file server.

Publishing asks the whole service for every file (a few seconds), so each site is published once
and shared; tests that change a site work on a copy. Every site is published for 27 November 2026
at noon in Casablanca (day 3979) with ``public_url`` set to the static server that serves it, so
its pages and snippets point at that server as they would at a real host.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.conftest import make_settings
from tests.publish.static_hosts import StaticHost, serving_site
from widget.config import Settings
from widget.publish import PublishReport, publish_site

NOON = datetime(2026, 11, 27, 12, tzinfo=UTC)
"""The publishing instant: noon on 27 November 2026 in Casablanca (UTC+0 that day), day 3979."""
DAY = "2026-11-27"
NEXT_DAY = "2026-11-28"


@dataclass
class PublishedSite:
    """A site published at ``NOON`` with ``settings``, and the static server in front of it."""

    root: Path
    settings: Settings
    host: StaticHost
    report: PublishReport


def publish_behind_a_static_host(directory: Path, folder: str = "", **overrides: str) -> Iterator[PublishedSite]:
    """Publish into the static host's root, or into a ``folder`` of it (as GitHub serves a project's pages)."""
    host = StaticHost(directory / "site")
    with serving_site(host):
        root = host.root / folder if folder else host.root
        settings = make_settings(public_url=f"{host.url}/{folder}".rstrip("/"), **overrides)
        report = publish_site(root, settings, NOON)
        yield PublishedSite(root, settings, host, report)


@pytest.fixture(scope="session")
def published(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PublishedSite]:
    """The counter as a maintainer announcing the block ends tomorrow would publish it: running today, ended from
    the 28th, so the next day's files (and ``next``) say how long it lasted."""
    yield from publish_behind_a_static_host(tmp_path_factory.mktemp("published"), end_date=NEXT_DAY)


@pytest.fixture(scope="session")
def silenced(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PublishedSite]:
    """A site published with the kill switch thrown (``embed_enabled = false``), Arabic by default."""
    yield from publish_behind_a_static_host(
        tmp_path_factory.mktemp("silenced"), embed_enabled="false", default_lang="ar"
    )


@pytest.fixture(scope="session")
def in_a_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PublishedSite]:
    """A site published for ``https://USER.github.io/REPO``: served from the folder ``/voipdown/`` of its host."""
    yield from publish_behind_a_static_host(tmp_path_factory.mktemp("folder"), folder="voipdown")


@pytest.fixture
def site(published: PublishedSite) -> Iterator[PublishedSite]:
    """The published site, its static server reset to GitHub Pages' behaviour on the real clock."""
    published.host.mode, published.host.now = "pages", None
    published.host.requests.clear()
    yield published
    published.host.mode, published.host.now = "pages", None
