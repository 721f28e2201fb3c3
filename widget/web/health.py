"""``/healthz``: a cheap answer for load balancers, never cached."""

from flask import Blueprint, Response

health = Blueprint("health", __name__)


@health.get("/healthz")
def healthz() -> Response:
    """200 ``ok`` while the process can answer requests."""
    return Response("ok\n", content_type="text/plain; charset=utf-8", headers={"Cache-Control": "no-store"})
