"""Where the service is on the web: the root URL written into snippets, meta tags and asset links.

With ``public_url`` configured (the address readers use, e.g. ``https://counter.example.org``),
every URL the service writes starts with it, and nothing in a request can change one: not
``Host``, not ``X-Forwarded-*``, ``Forwarded`` or ``SCRIPT_NAME``. Answers carrying URLs are then
the same for everyone and any shared cache may keep them. Without it, URLs come from the
request's scheme, host and script root, which a client chooses, so such answers are marked
``shareable=False`` (``Cache-Control: private``): a CDN never hands one client's URLs to another.
"""

import re
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from werkzeug.wrappers import Request

from widget.config import Settings

DEFAULT_PORTS = {"http": "80", "https": "443"}
"""Ports a URL leaves unwritten; they are also the schemes a written URL may have."""
HOST_PATTERN = re.compile(r"(?:[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})*\.?|\[[0-9A-Fa-f:.]{2,45}\])(?::[0-9]{1,5})?")
"""A host name or bracketed IPv6 address, with an optional port: what may stand in a written URL."""


@dataclass(frozen=True)
class PublicRoot:
    """The service's root as answers write it."""

    url: str
    """Absolute, ending in ``/``: ``https://counter.example.org/`` or ``https://example.org/voipdown/``."""
    path: str
    """The path part of ``url``, ending in ``/``: where the page finds its own assets on this host."""
    from_request: bool
    """Whether ``url`` was taken from the request, so answers carrying it must not be shared."""


def configured_root(public_url: str) -> PublicRoot:
    """The root named by the ``public_url`` setting (absolute, without a trailing slash)."""
    return PublicRoot(f"{public_url}/", f"{urlsplit(public_url).path}/", from_request=False)


def request_root(request: Request) -> PublicRoot:
    """The root the request was addressed to, reduced to ``http``/``https`` and a well-formed host.

    A client chooses all of it; anything odd falls back to ``http`` and the name the server
    itself listens on, so even a private answer never carries a ``javascript:`` URL or markup.
    """
    scheme = request.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        scheme = "http"
    host = request.host
    if not HOST_PATTERN.fullmatch(host):
        name, port = request.environ.get("SERVER_NAME", "localhost"), request.environ.get("SERVER_PORT", "")
        host = name if port in ("", DEFAULT_PORTS[scheme]) else f"{name}:{port}"
        if not HOST_PATTERN.fullmatch(host):
            host = "localhost"
    prefix = quote(request.script_root.strip("/"))
    path = f"/{prefix}/" if prefix else "/"
    return PublicRoot(f"{scheme}://{host}{path}", path, from_request=True)


def public_root(request: Request, settings: Settings) -> PublicRoot:
    """The configured public root, else the request's."""
    if settings.public_url is not None:
        return configured_root(settings.public_url)
    return request_root(request)
