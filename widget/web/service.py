"""The per-application state the routes share: settings, clock and the day's answer cache."""

from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app

from widget.config import Settings
from widget.counting import Clock, CounterState, counter_state
from widget.web.responses import DailyCache

EXTENSION_KEY = "voipdown"


@dataclass
class CounterService:
    """What every route needs to answer: the configuration, the clock, and built answers."""

    settings: Settings
    clock: Clock
    cache: DailyCache = field(default_factory=DailyCache)

    def now(self) -> tuple[datetime, CounterState]:
        """The current instant and the counter at that instant."""
        instant = self.clock()
        settings = self.settings
        return instant, counter_state(settings.start_date, settings.end_date, settings.zone, instant)


def current_service() -> CounterService:
    """The service of the application handling the current request."""
    service: CounterService = current_app.extensions[EXTENSION_KEY]
    return service
