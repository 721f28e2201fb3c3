"""``voipdown serve`` with a log of every request that reaches it, for the tests of the cache in front.

    python -m tests.deploy.origin REQUEST_LOG [voipdown serve options]

The service starts exactly as the Procfile starts it (``widget.cli.main``: settings, gunicorn
options, glyph preparation, gunicorn); the one difference is a WSGI wrapper around the whole
application that appends a JSON line per request to ``REQUEST_LOG``: the request target as it
arrived, the headers the service could read, and the status it answered. The tests count origin
hits per variant and check which headers ever reached the service from these lines.
"""

import json
import os
import sys
from collections.abc import Callable, Iterable
from typing import Any

import widget.cli

WsgiApplication = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class RequestLog:
    """WSGI middleware: one JSON line per request, written with a single append so workers do not interleave."""

    def __init__(self, application: WsgiApplication, path: str) -> None:
        self.application = application
        self.descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        def logged_start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            record = {
                "method": environ["REQUEST_METHOD"],
                "target": environ.get("RAW_URI", ""),
                "headers": {
                    name[5:].replace("_", "-").lower(): value
                    for name, value in environ.items()
                    if name.startswith("HTTP_")
                },
                "status": int(status.split()[0]),
            }
            os.write(self.descriptor, (json.dumps(record) + "\n").encode())
            return start_response(status, headers, exc_info)

        return self.application(environ, logged_start_response)


def main(arguments: list[str]) -> int:
    log_path, serve_arguments = arguments[0], arguments[1:]
    run_under_gunicorn = widget.cli.run_under_gunicorn

    def run_logged(application: Any, options: dict[str, Any]) -> None:
        run_under_gunicorn(RequestLog(application, log_path), options)

    widget.cli.run_under_gunicorn = run_logged
    return widget.cli.main(["serve", *serve_arguments])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
