"""The ceiling: a bare Flask app whose one route returns a constant 1 KB body.

Run it under gunicorn with exactly the service's default settings (``widget.cli.gunicorn_options``),
so the only difference between the two processes the benchmark loads is the application itself::

    PORT=8100 python3 -m bench.ceiling_app     # from the repository root; binds 127.0.0.1 only

``CEILING_PATH`` is the route; the benchmark polls it to know the ceiling is up.
"""

import argparse
import os

from flask import Flask, Response

from widget.cli import gunicorn_options, run_under_gunicorn

CEILING_PATH = "/ceiling"
BODY = (b"voipdown bench ceiling: a constant body of exactly one kilobyte. " * 17)[:1023] + b"\n"


def create_ceiling_app() -> Flask:
    """A Flask app with one route and nothing else: no hooks, no blueprints, no error handlers."""
    app = Flask(__name__)

    @app.get(CEILING_PATH)
    def ceiling() -> Response:
        return Response(BODY, content_type="text/plain; charset=utf-8")

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8100")))
    arguments = parser.parse_args()
    run_under_gunicorn(create_ceiling_app(), gunicorn_options(arguments.host, arguments.port))


if __name__ == "__main__":
    main()
