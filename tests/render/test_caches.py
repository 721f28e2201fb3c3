"""Clearing the render caches leaves nothing drawn: the benchmark's cold renders really start cold."""

import importlib
import pkgutil
from collections.abc import Iterator
from typing import Any

from flask.testing import FlaskClient

import widget.layout
import widget.render
from widget.layout.fonts import Script, Weight, font_face
from widget.render.caches import clear_render_caches


def every_functools_cache() -> Iterator[tuple[str, Any]]:
    """Every functools cache defined in the layout and render packages, found by looking, not by a list."""
    for package in (widget.layout, widget.render):
        for found in pkgutil.iter_modules(package.__path__, package.__name__ + "."):
            module = importlib.import_module(found.name)
            for name, value in vars(module).items():
                if hasattr(value, "cache_info") and getattr(value, "__module__", None) == module.__name__:
                    yield f"{module.__name__}.{name}", value


def test_clearing_empties_every_render_and_layout_cache_filled_by_serving(client: FlaskClient) -> None:
    for path in ("/badge.svg?lang=ar", "/badge.png?lang=zgh&scale=2", "/card.png?lang=fr", "/embed/text.svg"):
        assert client.get(path).status_code == 200, path
    caches = dict(every_functools_cache())
    assert sum(cached.cache_info().currsize for cached in caches.values()) > 0, "serving filled no cache"
    clear_render_caches()
    assert {name: cached.cache_info().currsize for name, cached in caches.items() if cached.cache_info().currsize} == {}


def test_clearing_forgets_the_glyph_outlines_read_from_the_fonts(client: FlaskClient) -> None:
    assert client.get("/badge.svg?lang=ar").status_code == 200
    assert font_face(Script.ARABIC, Weight.REGULAR).outlines, "drawing read no outline"
    clear_render_caches()
    assert font_face(Script.ARABIC, Weight.REGULAR).outlines == {}
