"""Every kind of request the service meets, on every route, for tests of what *all* answers must do.

Routes are read from the app's URL map (Flask's public face), so a route added later is covered
without editing the tests. Each URL is asked as a visitor, a crawler, a cache and a scanner would:
``GET`` (twice: the second may be the fast path's replay), ``HEAD``, ``GET`` with the answer's own
``ETag``, ``OPTIONS`` and the methods nobody should use; with good parameters and bad ones, at
paths that exist and paths that do not. Files found only through the page (its stylesheet, script,
font) and the embed script's versioned copy are included too.
"""

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.hardening.support import app_routes, media_type

FIRST_ASKING = ("GET", "POST", "PUT", "DELETE")
"""The ``method`` of a request asked for the first time: neither a repeat, a ``HEAD`` nor a revalidation."""


@dataclass(frozen=True)
class Asked:
    """One request, what it got, and the media type of the resource (a ``304`` or ``HEAD`` has no body to say it)."""

    method: str
    url: str
    response: TestResponse
    kind: str

    def __str__(self) -> str:
        return f"{self.method} {self.url} -> {self.response.status_code} {self.kind}"


def page_files(client: FlaskClient) -> list[str]:
    """The page's own files (stylesheet, script, icon, font), found in the page and its stylesheet."""
    page = client.get("/").get_data(as_text=True)
    files = sorted(set(re.findall(r"""["'](/assets/[0-9a-f]+/[\w.-]+)["']""", page)))
    for stylesheet in (name for name in files if name.endswith(".css")):
        folder = stylesheet.rsplit("/", 1)[0]
        css = client.get(stylesheet).get_data(as_text=True)
        files += [f"{folder}/{name}" for name in re.findall(r"""url\(["']?([\w.-]+)["']?\)""", css)]
    assert any(name.endswith(".css") for name in files) and any(name.endswith(".js") for name in files), files
    return files


def every_request(client: FlaskClient) -> Iterator[Asked]:
    """Every route asked every way, successes and refusals (400, 404, 405), with what each answered."""
    script = client.get("/embed.js").data
    versioned_script = f"/embed/{hashlib.sha256(script).hexdigest()[:16]}.js"
    files = page_files(client)
    stale_file = re.sub(r"/assets/[0-9a-f]+/", "/assets/000000000000/", files[0])
    plain = [route.path for route in app_routes(client.application) if not route.has_arguments]
    urls = [*plain, versioned_script, *files, stale_file, "/embed/0123456789abcdef.js", "/nope"]
    urls += ["/badge.png?scale=9", "/embed/text.svg?day=yesterday"]
    for bad_query in ("?lang=xx", "?zz=1", "?zz=1&lang=xx", "?lang=fr&lang=ar"):
        urls += [path + bad_query for path in plain]
    urls += [f"{path.rstrip('/')}/missing" for path in plain]
    for url in urls:
        first = client.get(url)
        kind = media_type(first.content_type)
        yield Asked("GET", url, first, kind)
        yield Asked("GET again", url, client.get(url), kind)
        yield Asked("HEAD", url, client.head(url), kind)
        if "ETag" in first.headers:
            revalidated = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
            yield Asked("GET If-None-Match", url, revalidated, kind)
    for path in plain:
        options = client.options(path, headers={"Origin": "https://blog.example"})
        yield Asked("OPTIONS", path, options, media_type(options.content_type))
        for method in ("POST", "PUT", "DELETE"):
            refused = client.open(path, method=method, data=b"{}", content_type="application/json")
            yield Asked(method, path, refused, media_type(refused.content_type))


def refused_requests(client: FlaskClient) -> list[Asked]:
    """Every request the service refuses (status 400 and up), each as it was first asked."""
    return [
        asked for asked in every_request(client) if asked.method in FIRST_ASKING and asked.response.status_code >= 400
    ]
