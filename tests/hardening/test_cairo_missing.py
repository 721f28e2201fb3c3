"""The system's cairo library missing: everything but PNG keeps working, PNG says 503 and why.

The fault is simulated without touching the application: a directory put first on
``PYTHONPATH`` holds a fake ``cairocffi`` whose import raises the ``OSError`` cffi raises when
``libcairo.so.2`` is absent (or a fake ``cairosvg`` that cannot be imported at all). The real
``voipdown serve`` runs under gunicorn on top of it.
"""

import json
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import start_gunicorn, stop_gunicorn
from tests.hardening.support import check_body, hardened_app, media_type, parse_svg, plain_paths, record

MISSING_LIBRARY = (
    'no library called "cairo-2" was found\n'
    'no library called "cairo" was found\n'
    'no library called "libcairo-2" was found\n'
    "cannot load library 'libcairo.so.2': libcairo.so.2: cannot open shared object file: No such file or directory"
)
SIMULATIONS = {
    "libcairo2 missing": ("cairocffi", f"raise OSError({MISSING_LIBRARY!r})\n"),
    "cairosvg not installed": (
        "cairosvg",
        "raise ImportError(\"No module named 'cairosvg'\", name='cairosvg')\n",
    ),
}
ADVICE = {"cairocffi": "apt-get install libcairo2", "cairosvg": "pip install cairosvg"}
PAINTED_WITHOUT_CAIROSVG = {"/badge.png"}
"""Badges are painted with cairocffi directly; only pictures rasterised from SVG need cairosvg."""


def _fetch(url: str) -> tuple[int, str, bytes, dict[str, str]]:
    try:
        with urllib.request.urlopen(url, timeout=15) as response:
            return response.status, response.headers.get("Content-Type", ""), response.read(), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Content-Type", ""), error.read(), dict(error.headers)


def _message(kind: str, body: bytes) -> str:
    if kind == "image/svg+xml":
        title = parse_svg(body).find("{http://www.w3.org/2000/svg}title")
        return title.text or "" if title is not None else ""
    if kind == "application/json":
        return json.dumps(json.loads(body), ensure_ascii=False)
    return body.decode("utf-8", "replace")


@pytest.mark.parametrize("simulation", SIMULATIONS)
def test_service_without_cairo(simulation: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    package, source = SIMULATIONS[simulation]
    fake = tmp_path / "no-cairo" / package
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text(source, encoding="utf-8")
    monkeypatch.setenv("PYTHONPATH", str(fake.parent))
    app = hardened_app()
    client = app.test_client()
    png_paths = {path for path in plain_paths(app) if media_type(client.get(path).content_type) == "image/png"}
    assert "/badge.png" in png_paths
    if package == "cairosvg":
        png_paths -= PAINTED_WITHOUT_CAIROSVG
        assert png_paths, "some picture should still need cairosvg"
    server = start_gunicorn(tmp_path)
    record("faults injected (cairo made unloadable)", 1)
    try:
        for path in plain_paths(app):
            status, content_type, body, headers = _fetch(server.url + path)
            kind = check_body(content_type, body)
            if path in png_paths:
                assert status == 503, f"{path}: {status}"
                assert kind in ("image/svg+xml", "application/json"), f"{path}: a 503 as {kind}"
                message = _message(kind, body)
                assert "PNG" in message and "unavailable" in message, f"{path}: unclear message {message!r}"
                assert ADVICE[package] in message, f"{path}: {message!r}"
                assert "max-age=0" in headers.get("Cache-Control", "") or "no-store" in headers.get("Cache-Control", "")
            else:
                assert status == 200, f"{path}: {status} without cairo"
        status, content_type, body, _ = _fetch(server.url + "/badge.png?lang=xx")
        error_kind = "image/svg+xml" if package == "cairocffi" else "image/png"  # error badges need no cairosvg
        assert status == 400 and check_body(content_type, body) == error_kind, "bad PNG parameter without cairo"
        assert server.process.poll() is None, "the server died"
    finally:
        stop_gunicorn(server)
    log = server.log.read_text(encoding="utf-8", errors="replace")
    assert ADVICE[package] in log, f"the log does not say what to install:\n{log[-2000:]}"
    assert "Traceback" not in log, f"a traceback in the log:\n{log[-3000:]}"
