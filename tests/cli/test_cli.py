"""``voipdown render`` and ``voipdown check-config``, called in-process as the console script calls them."""

import io
import os
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from PIL import Image

from widget.cli import CONFIG_ERROR_EXIT, main
from widget.config import DEFAULTS, load_settings
from widget.web import create_app

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def environ(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """A clean environment: no ``VOIPDOWN_*`` variable from the machine running the tests."""
    for key in list(os.environ):
        if key.startswith("VOIPDOWN_"):
            monkeypatch.delenv(key)
    return monkeypatch


def server_for_today() -> FlaskClient:
    """The service on the environment's configuration and the real clock, as ``render`` uses them."""
    return create_app(load_settings(os.environ, datetime.now(UTC))).test_client()


def render(tmp_path: Path, *arguments: str) -> bytes:
    output = tmp_path / "badge.out"
    assert main(["render", *arguments, "-o", str(output)]) == 0
    return output.read_bytes()


@pytest.mark.parametrize(
    ("arguments", "query"),
    [
        (["--format", "svg", "--lang", "ar", "--style", "flat"], "lang=ar&style=flat"),
        (
            ["--format", "svg", "--lang", "zgh", "--style", "for-the-badge", "--theme", "dark"],
            "lang=zgh&style=for-the-badge&theme=dark",
        ),
        (["--format", "svg", "--lang", "fr", "--style", "plastic"], "lang=fr&style=plastic"),
        (
            ["--format", "svg", "--lang", "en", "--style", "flat-square", "--theme", "light"],
            "lang=en&style=flat-square&",
        ),
    ],
)
def test_render_svg_equals_the_served_svg(environ, tmp_path: Path, arguments: list[str], query: str) -> None:
    written = render(tmp_path, *arguments)
    assert written == server_for_today().get(f"/badge.svg?{query}").data


@pytest.mark.parametrize(
    ("arguments", "query"),
    [
        (["--format", "png", "--lang", "ar", "--style", "flat"], "lang=ar&style=flat"),
        (["--format", "png", "--lang", "zgh", "--style", "plastic", "--scale", "2"], "lang=zgh&style=plastic&scale=2"),
        (
            ["--format", "png", "--lang", "fr", "--style", "for-the-badge", "--theme", "dark", "--scale", "4"],
            "lang=fr&style=for-the-badge&theme=dark&scale=4",
        ),
    ],
)
def test_render_png_equals_the_served_png(environ, tmp_path: Path, arguments: list[str], query: str) -> None:
    written = render(tmp_path, *arguments)
    served = server_for_today().get(f"/badge.png?{query}").data
    assert Image.open(io.BytesIO(written)).format == "PNG"
    assert written == served


def test_render_defaults_to_the_configured_language(environ, tmp_path: Path) -> None:
    environ.setenv("VOIPDOWN_DEFAULT_LANG", "zgh")
    written = render(tmp_path, "--style", "flat")
    assert ET.fromstring(written).attrib["lang"] == "zgh"
    assert written == server_for_today().get("/badge.svg").data


def test_render_an_ended_block(environ, tmp_path: Path) -> None:
    environ.setenv("VOIPDOWN_END_DATE", "2016-11-04")
    written = render(tmp_path, "--format", "svg", "--lang", "fr", "--style", "flat")
    title = ET.fromstring(written).find(f"{SVG}title").text
    assert title == "Le blocage de la VoIP au Maroc a duré 304 jours"
    assert written == server_for_today().get("/badge.svg?lang=fr").data


def test_render_rejects_unknown_choices(environ, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    refused = (["--lang", "xx"], ["--style", "round"], ["--theme", "neon"], ["--format", "gif"], ["--scale", "5"])
    for arguments in refused:
        with pytest.raises(SystemExit) as stopped:
            main(["render", *arguments, "-o", str(tmp_path / "never")])
        assert stopped.value.code == 2
        assert arguments[0] in capsys.readouterr().err
    assert not (tmp_path / "never").exists()


def test_check_config_prints_every_key_and_its_source(
    environ, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "voipdown.toml"
    config.write_text('end_date = 2016-11-04\ndefault_lang = "en"\n', encoding="utf-8")
    environ.setenv("VOIPDOWN_CONFIG", str(config))
    environ.setenv("VOIPDOWN_DEFAULT_LANG", "ar")
    assert main(["check-config"]) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    lines = {line.split("=", 1)[0].strip(): line for line in captured.out.splitlines()}
    assert set(lines) == set(DEFAULTS)
    assert "2016-11-04" in lines["end_date"] and str(config) in lines["end_date"]
    assert " ar " in f" {lines['default_lang']} " and "VOIPDOWN_DEFAULT_LANG" in lines["default_lang"]
    assert "2016-01-05" in lines["start_date"] and "default" in lines["start_date"]
    assert "Africa/Casablanca" in lines["timezone"] and "default" in lines["timezone"]


def test_check_config_on_the_built_in_defaults(environ, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check-config"]) == 0
    out = capsys.readouterr().out
    assert len(out.splitlines()) == len(DEFAULTS)
    assert all("default" in line for line in out.splitlines())


@pytest.mark.parametrize(
    ("variable", "value", "key"),
    [
        ("VOIPDOWN_START_DATE", "2016-02-30", "start_date"),
        ("VOIPDOWN_START_DATE", "2999-01-01", "start_date"),
        ("VOIPDOWN_END_DATE", "2015-01-01", "end_date"),
        ("VOIPDOWN_TIMEZONE", "Morocco/Casablanca", "timezone"),
        ("VOIPDOWN_DEFAULT_LANG", "kab", "default_lang"),
        ("VOIPDOWN_EMBED_ENABLED", "maybe", "embed_enabled"),
    ],
)
@pytest.mark.parametrize("command", ["check-config", "render"])
def test_config_error_exits_2_with_one_line(
    environ, tmp_path: Path, capsys: pytest.CaptureFixture[str], variable: str, value: str, key: str, command: str
) -> None:
    environ.setenv(variable, value)
    arguments = [command] if command == "check-config" else ["render", "-o", str(tmp_path / "never.svg")]
    assert main(arguments) == CONFIG_ERROR_EXIT == 2
    captured = capsys.readouterr()
    lines = captured.err.splitlines()
    assert len(lines) == 1, captured.err
    assert key in lines[0] and value in lines[0], lines[0]
    assert captured.out == ""
    assert not (tmp_path / "never.svg").exists()


def test_config_file_that_cannot_be_read(environ, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    environ.setenv("VOIPDOWN_CONFIG", str(tmp_path / "missing.toml"))
    assert main(["check-config"]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and "VOIPDOWN_CONFIG" in err and "missing.toml" in err
