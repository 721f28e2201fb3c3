"""Headers every answer carries, and errors that never show a stack trace."""

import json

from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException

EMBEDDABLE_PREFIXES = ("/badge.", "/api/", "/embed")
"""Paths that other sites load: they are shared across origins on purpose."""

DOCUMENT_POLICY = "default-src 'none'; frame-ancestors 'none'"


def add_security_headers(response: Response) -> Response:
    """No sniffing, no referrer leaks, and cross-origin use only where we mean it."""
    headers = response.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "no-referrer")
    if request.path.startswith(EMBEDDABLE_PREFIXES):
        headers.setdefault("Access-Control-Allow-Origin", "*")
        headers.setdefault("Cross-Origin-Resource-Policy", "cross-origin")
    else:
        headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
    if response.mimetype in ("application/json", "text/plain"):
        headers.setdefault("Content-Security-Policy", DOCUMENT_POLICY)
    return response


def _http_error(error: HTTPException) -> Response:
    """A short JSON error with the right status, for anything Flask refuses (404, 405...)."""
    status = error.code or 500
    body = json.dumps({"error": {"status": status, "message": error.description}}, ensure_ascii=False)
    response = Response(body, status=status, content_type="application/json")
    response.headers.extend((name, value) for name, value in error.get_headers() if name != "Content-Type")
    response.headers["Cache-Control"] = "public, max-age=300, s-maxage=300"
    return response


def register_error_handlers(app: Flask) -> None:
    """Turn every refused request into a small JSON error instead of HTML or a trace."""
    app.register_error_handler(HTTPException, _http_error)
