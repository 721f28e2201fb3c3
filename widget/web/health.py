"""``/healthz``: a cheap answer for load balancers, never cached."""

from flask import Blueprint, Response

blueprint = Blueprint("health", __name__)


@blueprint.get("/healthz")
def healthz() -> Response:
    """200 ``ok`` while the process can answer requests."""
    return Response("ok\n", content_type="text/plain; charset=utf-8", headers={"Cache-Control": "no-store"})
