"""The web layer: an application factory and blueprints that parse, cache and serve.

Nothing here computes or draws: counting, texts, layout and rendering live in the core
packages, which know nothing of Flask.
"""

import os

from flask import Flask

from widget.config import Settings, load_settings
from widget.counting import Clock, system_clock
from widget.web import api, assets, badges, card, embed, health, page
from widget.web.fast_path import DailyResponseCache
from widget.web.security import add_security_headers, register_error_handlers
from widget.web.service import EXTENSION_KEY, CounterService


def create_app(settings: Settings | None = None, clock: Clock = system_clock) -> Flask:
    """Build the application; without ``settings``, load and validate them from the environment."""
    if settings is None:
        settings = load_settings(os.environ, clock())
    app = Flask(__name__, static_folder=None)
    app.extensions[EXTENSION_KEY] = CounterService(settings, clock)
    for concern in (badges, api, embed, page, card, assets, health):
        app.register_blueprint(concern.blueprint)
    app.after_request(add_security_headers)
    register_error_handlers(app)
    app.wsgi_app = DailyResponseCache(app.wsgi_app, clock)  # type: ignore[method-assign]
    return app
