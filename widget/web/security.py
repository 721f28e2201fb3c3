"""Headers every answer carries, cross-origin sharing for what other sites load, and errors without traces."""

from flask import Flask, Response
from werkzeug.exceptions import HTTPException

from widget.web.responses import ERROR_MAX_AGE, JSON_TYPE, cache_control, json_bytes

DOCUMENT_POLICY = "default-src 'none'; frame-ancestors 'none'"
"""The policy of every answer that sets none of its own (JSON, errors, ``OPTIONS``): opened as a
document it can load nothing, run nothing and be framed by no one."""


def share_across_origins(response: Response) -> Response:
    """Let any site load the answer (images, JSON, the script): the blueprints that serve those register this.

    ``Access-Control-Allow-Origin: *`` lets a script tag with ``integrity`` and ``crossorigin``, and
    the embed script's cookie-less fetches, read it; ``Cross-Origin-Resource-Policy`` lets pages
    that isolate themselves still embed it.
    """
    response.headers.setdefault("Access-Control-Allow-Origin", "*")
    response.headers.setdefault("Cross-Origin-Resource-Policy", "cross-origin")
    return response


def add_security_headers(response: Response) -> Response:
    """No sniffing, no referrer leaks, a policy on every answer, and same-origin use unless a blueprint shared it."""
    headers = response.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "no-referrer")
    headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
    headers.setdefault("Content-Security-Policy", DOCUMENT_POLICY)
    return response


def _http_error(error: HTTPException) -> Response:
    """A short JSON error with the right status, for anything Flask refuses (404, 405...)."""
    status = error.code or 500
    body = json_bytes({"error": {"status": status, "message": error.description}})
    response = Response(body, status=status, content_type=JSON_TYPE)
    response.headers.extend((name, value) for name, value in error.get_headers() if name != "Content-Type")
    response.headers["Cache-Control"] = cache_control(ERROR_MAX_AGE)
    return response


def register_error_handlers(app: Flask) -> None:
    """Turn every refused request into a small JSON error instead of HTML or a trace."""
    app.register_error_handler(HTTPException, _http_error)
