"""Fixtures of the deployment tests: the service as the Procfile runs it, and nginx with the shipped config.

The service's clock is pinned with libfaketime to a known noon (so a run that happens to cross
Casablanca midnight cannot change an answer halfway); tests that travel in time get their own
service and nginx sharing one clock.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.deploy.servers import (
    Nginx,
    Origin,
    SharedClock,
    running_nginx,
    start_origin,
    stop_origin,
)

NOON = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
"""3 December 2026, noon in Casablanca (UTC+0 that day)."""


@pytest.fixture(scope="session")
def origin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Origin]:
    """One service for the tests that do not move its clock; each test counts its own requests."""
    directory = tmp_path_factory.mktemp("origin")
    service = start_origin(directory, SharedClock(directory / "clock", NOON))
    yield service
    stop_origin(service)


@pytest.fixture
def nginx(origin: Origin, tmp_path: Path) -> Iterator[Nginx]:
    """nginx running deploy/nginx.conf in front of ``origin``, with an empty cache."""
    with running_nginx(tmp_path / "nginx", origin.port) as server:
        yield server


@dataclass
class TimeTravel:
    """A service and nginx in front of it, both on ``clock``."""

    clock: SharedClock
    origin: Origin
    nginx: Nginx


@pytest.fixture(scope="module")
def time_travel(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TimeTravel]:
    """The service and nginx on one settable clock, starting at ``NOON``; tests move it forward only."""
    directory = tmp_path_factory.mktemp("time-travel")
    clock = SharedClock(directory / "clock", NOON)
    service = start_origin(directory / "origin", clock)
    try:
        with running_nginx(directory / "nginx", service.port, clock) as server:
            yield TimeTravel(clock, service, server)
    finally:
        stop_origin(service)
