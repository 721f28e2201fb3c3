"""Fixtures of the web tests: the service reading a translation folder the test wrote."""

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import widget.text.catalog as catalog
from tests.conftest import REPOSITORY

TRANSLATIONS = REPOSITORY / "widget" / "text" / "translations"


@pytest.fixture
def translations(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[dict[str, str]], None]]:
    """``use({"xx.toml": text, ...})``: the service reads its translation files plus (or instead of) these.

    The catalog reads its folder once and keeps it (``languages`` is cached), so it is read afresh
    now and again after the test, when the real folder is back.
    """

    def use(files: dict[str, str]) -> None:
        folder = tmp_path / "translations"
        shutil.copytree(TRANSLATIONS, folder, dirs_exist_ok=True)
        for name, text in files.items():
            (folder / name).write_text(text, encoding="utf-8")
        monkeypatch.setattr(catalog, "TRANSLATIONS", folder)
        catalog.languages.cache_clear()

    yield use
    monkeypatch.undo()
    catalog.languages.cache_clear()
