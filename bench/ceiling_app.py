"""The ceiling: a bare Flask app whose one route returns a constant 1 KB body.

Run it under gunicorn with exactly the service's settings (``widget.cli.gunicorn_options``), so
the only difference between the two processes the benchmark loads is the application itself::

    python3 bench/ceiling_app.py --port 8100            # binds 127.0.0.1 only

``CEILING_PATH`` is the route; the benchmark polls it to know the ceiling is up.
"""

import argparse
import sys
from pathlib import Path
from typing import Any

from flask import Flask, Response

ROOT = Path(__file__).resolve().parents[1]
CEILING_PATH = "/ceiling"
BODY = (b"voipdown bench ceiling: a constant body of exactly one kilobyte. " * 17)[:1023] + b"\n"
assert len(BODY) == 1024


def create_ceiling_app() -> Flask:
    """A Flask app with one route and nothing else: no hooks, no blueprints, no error handlers."""
    app = Flask(__name__)

    @app.get(CEILING_PATH)
    def ceiling() -> Response:
        return Response(BODY, content_type="text/plain; charset=utf-8")

    return app


def gunicorn_settings(host: str, port: int) -> dict[str, Any]:
    """The service's own gunicorn options (imported, not copied), for ``host:port``, with the
    configured ``trust_proxy``, as ``voipdown serve`` calls it."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import os

    from widget.cli import gunicorn_options
    from widget.config import load_settings
    from widget.counting import system_clock

    settings = load_settings(os.environ, system_clock())
    return gunicorn_options(host, port, trust_proxy=settings.trust_proxy)


def serve(host: str, port: int) -> None:
    """Run the ceiling app under gunicorn with the service's settings, as ``voipdown serve`` does."""
    options = gunicorn_settings(host, port)
    from widget.cli import run_under_gunicorn

    run_under_gunicorn(create_ceiling_app(), options)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    arguments = parser.parse_args()
    serve(arguments.host, arguments.port)


if __name__ == "__main__":
    main()
