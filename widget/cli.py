"""The ``voipdown`` command: serve under gunicorn, render a badge, publish the site as files, or check the config."""

import argparse
import os
import shlex
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from widget.config import ConfigError, Settings, environment_variable, load_settings
from widget.counting import counter_state, system_clock
from widget.render.badge import STYLES, THEMES, render_badge_svg
from widget.render.counter_badge import counter_badge
from widget.render.png import SCALES, PngUnavailableError, badge_to_png
from widget.text.catalog import TranslationError, available_languages, counter_texts

DEFAULT_HOST = "127.0.0.1"
"""Loopback: a first ``voipdown serve`` is reachable from this machine only. A platform's router
reaches the process from outside, so the Procfile asks for ``--host 0.0.0.0`` explicitly."""
DEFAULT_PORT = 8000
HIGHEST_PORT = 65535
CONFIG_ERROR_EXIT = 2
"""The status for anything the maintainer must fix before the command can run, as argparse uses."""
FORMATS = ("svg", "png")
"""What ``render`` writes; each is also the file extension that implies it."""


class CommandLineError(Exception):
    """An argument that cannot be used; ``str()`` is the one line shown."""


def whole_number(name: str, raw: str, source: str, highest: int) -> int:
    """``raw`` as a whole number from 1 to ``highest``, or a ``ConfigError`` naming ``name``."""
    if raw.strip().isascii() and raw.strip().isdigit() and 1 <= int(raw) <= highest:
        return int(raw)
    raise ConfigError(name, raw, source, f"a whole number from 1 to {highest}")


def environment_number(name: str, default: int, highest: int) -> int:
    """A whole number from the platform's environment (``PORT``, ``WEB_CONCURRENCY``), checked."""
    raw = os.environ.get(name, "").strip()
    return whole_number(name, raw, "environment", highest) if raw else default


def gunicorn_options(host: str, port: int, forwarded_allow_ips: Sequence[str] = ()) -> dict[str, Any]:
    """The gunicorn settings the service runs with, here, in the Procfile and in the benchmark.

    gevent workers hold each connection in a greenlet, so clients that trickle their headers
    (slow networks, or a slowloris attack) cost a few kilobytes each instead of a thread: the
    hardening tests measured threaded workers starving behind 36 such clients, gevent answering
    beside 300. The app is loaded once in the master so configuration errors stop start-up before
    any worker forks. Forwarded headers (``X-Forwarded-Proto``, ``SCRIPT_NAME`` ...) are believed
    only from the addresses the maintainer names in ``forwarded_allow_ips``: from no one by default,
    so a client cannot choose the scheme or path prefix the app sees.
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
        "forwarded_allow_ips": ",".join(forwarded_allow_ips),
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


def _serve(settings: Settings, arguments: argparse.Namespace) -> None:
    from widget.render.preparation import prepare_for_workers
    from widget.web import create_app

    if arguments.port is None:
        port = environment_number("PORT", DEFAULT_PORT, HIGHEST_PORT)
    else:
        port = whole_number("--port", arguments.port, "command line", HIGHEST_PORT)
    options = gunicorn_options(arguments.host, port, settings.forwarded_allow_ips)
    application = create_app(settings)
    prepare_for_workers()
    run_under_gunicorn(application, options)


def output_format(arguments: argparse.Namespace) -> str:
    """``--format``, else the one the output file's extension names, else SVG; a contradiction is refused.

    Writing PNG bytes into ``badge.svg`` gives a file no viewer opens, found only when a page
    shows a broken image: better to refuse it here.
    """
    extension = Path(arguments.output).suffix.lower().removeprefix(".")
    implied = extension if extension in FORMATS else None
    if arguments.format is not None and implied is not None and arguments.format != implied:
        raise CommandLineError(
            f"--format {arguments.format} contradicts -o {shlex.quote(arguments.output)}: "
            f"a .{extension} file holds {implied.upper()}; drop --format or change the file's extension"
        )
    chosen: str = arguments.format or implied or "svg"
    if chosen != "png" and arguments.scale is not None:
        raise CommandLineError(f"--scale applies to PNG only, and {shlex.quote(arguments.output)} gets SVG")
    return chosen


def _render(settings: Settings, arguments: argparse.Namespace) -> None:
    chosen = output_format(arguments)
    state = counter_state(settings.start_date, settings.end_date, settings.zone, system_clock())
    texts = counter_texts(arguments.lang or settings.default_lang, state.days, state.ended)
    badge = counter_badge(texts, state.ended, arguments.style, arguments.theme)
    data = badge_to_png(badge, arguments.scale or 1) if chosen == "png" else render_badge_svg(badge).encode()
    Path(arguments.output).write_bytes(data)


def with_public_url(settings: Settings, public_url: str | None, now: datetime) -> Settings:
    """``settings`` with ``--public-url`` in place of the ``public_url`` setting, checked like the setting."""
    if public_url is None:
        return settings
    try:
        return load_settings({**os.environ, environment_variable("public_url"): public_url}, now)
    except ConfigError as error:
        if error.key != "public_url":
            raise
        raise ConfigError("--public-url", public_url, "command line", error.allowed) from None


def _publish(settings: Settings, arguments: argparse.Namespace) -> None:
    from widget.publish import publish_site

    now = system_clock()
    settings = with_public_url(settings, arguments.public_url, now)
    if settings.public_url is None:
        raise CommandLineError(
            "publish needs the address the site will be served at: --public-url URL, "
            "or the public_url setting (VOIPDOWN_PUBLIC_URL)"
        )
    print(publish_site(Path(arguments.directory), settings, now).summary())


def public_url_note(settings: Settings) -> str:
    """What ``public_url`` means for caching, as ``check-config`` explains it to a maintainer."""
    if settings.public_url is None:
        return (
            "public_url is not set: answers that carry absolute URLs (the landing page) build them from "
            "each request and are sent Cache-Control: private, so no shared cache (CDN, nginx) can keep them; "
            "set public_url (VOIPDOWN_PUBLIC_URL) to the address readers use to let shared caches keep them"
        )
    return (
        f"public_url is {settings.public_url}: every absolute URL the service writes starts with it, "
        "and no request header (Host, X-Forwarded-*, Forwarded) changes any answer"
    )


def build_parser() -> argparse.ArgumentParser:
    """The command line: ``serve``, ``render`` and ``check-config``."""
    parser = argparse.ArgumentParser(prog="voipdown", description="Days since VoIP was blocked in Morocco.")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the web service under gunicorn")
    serve.add_argument(
        "--host",
        default=DEFAULT_HOST,
        help=f"address to listen on (default {DEFAULT_HOST}, this machine only; 0.0.0.0 for every interface)",
    )
    serve.add_argument("--port", default=None, help=f"port (default: $PORT, else {DEFAULT_PORT})")
    render = commands.add_parser("render", help="write one badge to a file, without a server")
    render.add_argument(
        "--format", choices=FORMATS, default=None, help="default: the output file's extension, else svg"
    )
    render.add_argument(
        "--lang", type=str.lower, choices=available_languages(), default=None, help="default: the configured language"
    )
    render.add_argument("--style", type=str.lower, choices=STYLES, default="flat")
    render.add_argument("--theme", type=str.lower, choices=THEMES, default="light")
    render.add_argument("--scale", type=int, choices=SCALES, default=None, help="PNG only (default 1)")
    render.add_argument("-o", "--output", required=True, help="file to write")
    publish = commands.add_parser(
        "publish", help="write the whole counter for today as static files, for a host without a server"
    )
    publish.add_argument("directory", help="where the site goes; replaced whole (new, empty, or published before)")
    publish.add_argument(
        "--public-url",
        default=None,
        help="the address the site will be served at, e.g. https://counter.example.org (default: public_url)",
    )
    commands.add_parser("check-config", help="print the effective configuration and where each value came from")
    return parser


def _run(argv: Sequence[str] | None) -> int:
    arguments = build_parser().parse_args(argv)
    settings = load_settings(os.environ, system_clock())
    if arguments.command == "check-config":
        print("\n".join([*settings.describe(), public_url_note(settings)]))
    elif arguments.command == "publish":
        from widget.publish import PublishError

        try:
            _publish(settings, arguments)
        except PublishError as error:
            print(f"voipdown: cannot publish: {error}", file=sys.stderr)
            return 1
        except OSError as error:
            print(f"voipdown: cannot publish to {arguments.directory}: {error.strerror}", file=sys.stderr)
            return 1
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
        _serve(settings, arguments)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command. Whatever the maintainer must fix (configuration, a translation file, an
    argument) prints one line and exits with status 2, before anything is served or written."""
    try:
        return _run(argv)
    except (ConfigError, TranslationError, CommandLineError) as error:
        print(f"voipdown: {error}", file=sys.stderr)
        return CONFIG_ERROR_EXIT
