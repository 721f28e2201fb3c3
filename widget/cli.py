"""The ``voipdown`` command: serve under gunicorn, render one badge, or check the configuration."""

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from widget.config import ConfigError, Settings, load_settings
from widget.counting import counter_state, system_clock
from widget.render.badge import STYLES, THEMES, render_badge_svg
from widget.render.counter_badge import counter_badge
from widget.render.png import SCALES, PngUnavailableError, badge_to_png
from widget.text.catalog import available_languages, counter_texts

DEFAULT_PORT = 8000
CONFIG_ERROR_EXIT = 2


def environment_number(name: str, default: int, highest: int) -> int:
    """A whole number from the platform's environment (``PORT``, ``WEB_CONCURRENCY``), checked."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if raw.isdigit() and 1 <= int(raw) <= highest:
        return int(raw)
    raise ConfigError(name, raw, "environment", f"a whole number from 1 to {highest}")


def gunicorn_options(host: str, port: int, trust_proxy: bool = False) -> dict[str, Any]:
    """The gunicorn settings the service runs with, here, in the Procfile and in the benchmark.

    gevent workers hold each connection in a greenlet, so clients that trickle their headers
    (slow networks, or a slowloris attack) cost a few kilobytes each instead of a thread: the
    hardening tests measured threaded workers starving behind 36 such clients, gevent answering
    beside 300. The app is loaded once in the master so configuration errors stop start-up before
    any worker forks. Forwarded headers are believed only when the maintainer says a proxy sets
    them (``trust_proxy``).
    """
    return {
        "bind": f"{host}:{port}",
        "workers": environment_number("WEB_CONCURRENCY", 2, 64),
        "worker_class": "gevent",
        "worker_connections": 1000,
        "timeout": 30,
        "graceful_timeout": 10,
        "keepalive": 5,
        "preload_app": True,
        "accesslog": None,
        "errorlog": "-",
        "forwarded_allow_ips": "*" if trust_proxy else "",
        "control_socket_disable": True,
    }


def run_under_gunicorn(application: Any, options: dict[str, Any]) -> None:
    """Serve the WSGI ``application`` with gunicorn and ``options``, until gunicorn stops.

    The benchmark's bare-Flask ceiling runs through here too, so both are served alike.
    """
    from gunicorn.app.base import BaseApplication

    class Application(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            return application

    Application().run()


def _serve(settings: Settings, options: dict[str, Any]) -> None:
    from widget.render.preparation import draw_every_badge_glyph
    from widget.web import create_app

    application = create_app(settings)
    draw_every_badge_glyph()
    run_under_gunicorn(application, options)


def _render(settings: Settings, arguments: argparse.Namespace) -> None:
    state = counter_state(settings.start_date, settings.end_date, settings.zone, system_clock())
    texts = counter_texts(arguments.lang or settings.default_lang, state.days, state.ended)
    badge = counter_badge(texts, state.ended, arguments.style, arguments.theme)
    data = badge_to_png(badge, arguments.scale or 1) if arguments.format == "png" else render_badge_svg(badge).encode()
    Path(arguments.output).write_bytes(data)


def build_parser() -> argparse.ArgumentParser:
    """The command line: ``serve``, ``render`` and ``check-config``."""
    parser = argparse.ArgumentParser(prog="voipdown", description="Days since VoIP was blocked in Morocco.")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the web service under gunicorn")
    serve.add_argument("--host", default="0.0.0.0", help="address to listen on (default 0.0.0.0)")
    serve.add_argument("--port", type=int, default=None, help=f"port (default: $PORT, else {DEFAULT_PORT})")
    render = commands.add_parser("render", help="write one badge to a file, without a server")
    render.add_argument("--format", choices=("svg", "png"), default="svg")
    render.add_argument(
        "--lang", type=str.lower, choices=available_languages(), default=None, help="default: the configured language"
    )
    render.add_argument("--style", type=str.lower, choices=STYLES, default="flat")
    render.add_argument("--theme", type=str.lower, choices=THEMES, default="light")
    render.add_argument("--scale", type=int, choices=SCALES, default=None, help="PNG only (default 1)")
    render.add_argument("-o", "--output", required=True, help="file to write")
    commands.add_parser("check-config", help="print the effective configuration and where each value came from")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; configuration errors print one line and exit with status 2."""
    parser = build_parser()
    arguments = parser.parse_args(argv)
    if arguments.command == "render" and arguments.format == "svg" and arguments.scale is not None:
        parser.error("--scale applies to --format png only")
    try:
        settings = load_settings(os.environ, system_clock())
        if arguments.command == "serve":
            port = arguments.port or environment_number("PORT", DEFAULT_PORT, 65535)
            options = gunicorn_options(arguments.host, port, settings.trust_proxy)
    except ConfigError as error:
        print(f"voipdown: {error}", file=sys.stderr)
        return CONFIG_ERROR_EXIT
    if arguments.command == "check-config":
        print("\n".join(settings.describe()))
    elif arguments.command == "render":
        try:
            _render(settings, arguments)
        except PngUnavailableError as error:
            print(f"voipdown: {error}", file=sys.stderr)
            return 1
        except OSError as error:
            print(f"voipdown: cannot write {arguments.output}: {error.strerror}", file=sys.stderr)
            return 1
    else:
        _serve(settings, options)
    return 0
