"""``voipdown render`` and ``voipdown check-config``, called in-process as the console script calls them."""

import io
import os
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from importlib import resources
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from PIL import Image

from tests.conftest import SettableClock
from tests.web.casablanca_calendar import BLOCK_STARTED, casablanca, during_one_local_day
from widget.cli import main
from widget.config import DEFAULTS, load_settings
from widget.text import catalog
from widget.web import create_app

SVG = "{http://www.w3.org/2000/svg}"
USAGE_ERROR = 2
"""What the README promises for anything the maintainer must fix: status 2 and one line."""


@pytest.fixture
def environ(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """A clean environment: no ``VOIPDOWN_*`` variable from the machine running the tests."""
    for key in list(os.environ):
        if key.startswith("VOIPDOWN_"):
            monkeypatch.delenv(key)
    return monkeypatch


def server_on_day_of(count: int) -> FlaskClient:
    """The service on the environment's configuration, its clock at noon on the day whose count is ``count``."""
    noon = datetime.combine(BLOCK_STARTED + timedelta(days=count), time(12), tzinfo=casablanca()).astimezone(UTC)
    return create_app(load_settings(os.environ, noon), SettableClock(noon)).test_client()


def render(tmp_path: Path, *arguments: str, name: str = "badge.out") -> bytes:
    output = tmp_path / name
    assert main(["render", *arguments, "-o", str(output)]) == 0
    return output.read_bytes()


def render_today(tmp_path: Path, *arguments: str, name: str = "badge.out") -> tuple[bytes, int]:
    """A badge rendered on the real clock, and today's count computed apart from the service.

    Rendered again if Casablanca's midnight passed meanwhile, so the two always belong to one day.
    """
    rendered = during_one_local_day(lambda: render(tmp_path, *arguments, name=name))
    return rendered.result, rendered.count


def count_in(svg: bytes) -> int:
    """The number in a badge's ``<title>``, whatever the locale's digit grouping."""
    title = ET.fromstring(svg).find(f"{SVG}title").text
    return int(re.sub(r"[^0-9]", "", title))


def one_error_line(capsys: pytest.CaptureFixture[str]) -> str:
    captured = capsys.readouterr()
    lines = captured.err.splitlines()
    assert len(lines) == 1, captured.err
    assert captured.out == ""
    return lines[0]


# --- render: the same bytes as the service, today's count ---------------------------------------


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
def test_render_svg_shows_todays_count_and_equals_the_served_svg(
    environ, tmp_path: Path, arguments: list[str], query: str
) -> None:
    written, count = render_today(tmp_path, *arguments)
    assert count_in(written) == count
    assert written == server_on_day_of(count).get(f"/badge.svg?{query}").data


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
    written, count = render_today(tmp_path, *arguments)
    assert Image.open(io.BytesIO(written)).format == "PNG"
    assert written == server_on_day_of(count).get(f"/badge.png?{query}").data


def test_render_defaults_to_the_configured_language(environ, tmp_path: Path) -> None:
    environ.setenv("VOIPDOWN_DEFAULT_LANG", "zgh")
    written, count = render_today(tmp_path, "--style", "flat")
    assert ET.fromstring(written).attrib["lang"] == "zgh"
    assert count_in(written) == count
    assert written == server_on_day_of(count).get("/badge.svg").data


def test_render_an_ended_block(environ, tmp_path: Path) -> None:
    environ.setenv("VOIPDOWN_END_DATE", "2016-11-04")
    written, count = render_today(tmp_path, "--format", "svg", "--lang", "fr", "--style", "flat")
    title = ET.fromstring(written).find(f"{SVG}title").text
    assert title == "Le blocage de la VoIP au Maroc a duré 304 jours"
    assert written == server_on_day_of(count).get("/badge.svg?lang=fr").data


def test_render_rejects_unknown_choices(environ, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    refused = (["--lang", "xx"], ["--style", "round"], ["--theme", "neon"], ["--format", "gif"], ["--scale", "5"])
    for arguments in refused:
        with pytest.raises(SystemExit) as stopped:
            main(["render", *arguments, "-o", str(tmp_path / "never")])
        assert stopped.value.code == USAGE_ERROR
        assert arguments[0] in capsys.readouterr().err
    assert not (tmp_path / "never").exists()


# --- render: the format follows the file's extension --------------------------------------------


@pytest.mark.parametrize(
    ("name", "arguments", "image_format"),
    [
        ("badge.png", [], "PNG"),
        ("badge.PNG", ["--scale", "2"], "PNG"),
        ("badge.svg", [], "SVG"),
        ("badge.Svg", [], "SVG"),
        ("badge.out", [], "SVG"),
        ("badge", [], "SVG"),
        ("badge.out", ["--format", "png"], "PNG"),
        ("badge.png", ["--format", "png"], "PNG"),
        ("badge.svg", ["--format", "svg"], "SVG"),
    ],
)
def test_render_takes_the_format_from_the_extension_when_none_is_given(
    environ, tmp_path: Path, name: str, arguments: list[str], image_format: str
) -> None:
    written = render(tmp_path, "--lang", "en", *arguments, name=name)
    if image_format == "PNG":
        assert Image.open(io.BytesIO(written)).format == "PNG"
    else:
        assert ET.fromstring(written).tag == f"{SVG}svg"


def test_render_scale_follows_the_png_extension(environ, tmp_path: Path) -> None:
    once = Image.open(io.BytesIO(render(tmp_path, "--lang", "en", name="once.png")))
    twice = Image.open(io.BytesIO(render(tmp_path, "--lang", "en", "--scale", "2", name="twice.png")))
    assert twice.size == (once.width * 2, once.height * 2)


@pytest.mark.parametrize(
    ("name", "arguments", "pieces"),
    [
        ("x.svg", ["--format", "png"], ["--format png", "x.svg", ".svg"]),
        ("x.SVG", ["--format", "png"], ["--format png", "x.SVG"]),
        ("x.png", ["--format", "svg"], ["--format svg", "x.png", ".png"]),
        ("x.svg", ["--scale", "2"], ["--scale", "x.svg", "PNG"]),
        ("x.out", ["--scale", "2"], ["--scale", "x.out", "PNG"]),
        ("x.png", ["--format", "svg", "--scale", "2"], ["--format svg", "x.png"]),
    ],
)
def test_render_refuses_a_format_the_file_contradicts_with_one_line(
    environ, tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, arguments: list[str], pieces: list[str]
) -> None:
    output = tmp_path / name
    assert main(["render", "--lang", "en", *arguments, "-o", str(output)]) == USAGE_ERROR
    line = one_error_line(capsys)
    assert line.startswith("voipdown: "), line
    for piece in pieces:
        assert piece in line, line
    assert not output.exists()


# --- check-config -------------------------------------------------------------------------------


def key_lines(out: str) -> dict[str, str]:
    """``check-config``'s ``key = value  (source)`` lines by key."""
    return {line.split(" = ", 1)[0]: line for line in out.splitlines() if " = " in line}


def test_check_config_prints_every_key_and_its_source(
    environ, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "voipdown.toml"
    config.write_text(
        'end_date = 2016-11-04\ndefault_lang = "en"\nforwarded_allow_ips = ["10.0.0.0/8"]\n', encoding="utf-8"
    )
    environ.setenv("VOIPDOWN_CONFIG", str(config))
    environ.setenv("VOIPDOWN_DEFAULT_LANG", "ar")
    environ.setenv("VOIPDOWN_PUBLIC_URL", "https://Counter.Example.org/")
    assert main(["check-config"]) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    lines = key_lines(captured.out)
    assert set(lines) == set(DEFAULTS)
    assert "2016-11-04" in lines["end_date"] and str(config) in lines["end_date"]
    assert " ar " in f" {lines['default_lang']} " and "VOIPDOWN_DEFAULT_LANG" in lines["default_lang"]
    assert "2016-01-05" in lines["start_date"] and "default" in lines["start_date"]
    assert "Africa/Casablanca" in lines["timezone"] and "default" in lines["timezone"]
    assert "= https://counter.example.org " in lines["public_url"] and "VOIPDOWN_PUBLIC_URL" in lines["public_url"]
    assert "10.0.0.0/8" in lines["forwarded_allow_ips"] and str(config) in lines["forwarded_allow_ips"]


def test_check_config_on_the_built_in_defaults(environ, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check-config"]) == 0
    lines = key_lines(capsys.readouterr().out)
    assert set(lines) == set(DEFAULTS)
    assert all("(built-in default)" in line for line in lines.values())


def test_check_config_says_answers_with_urls_stay_private_without_a_public_url(
    environ, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check-config"]) == 0
    notes = [line for line in capsys.readouterr().out.splitlines() if " = " not in line]
    assert len(notes) == 1, notes
    for piece in ("public_url is not set", "landing page", "Cache-Control: private", "shared cache"):
        assert piece in notes[0], notes[0]


def test_check_config_says_no_request_header_changes_an_answer_with_a_public_url(
    environ, capsys: pytest.CaptureFixture[str]
) -> None:
    environ.setenv("VOIPDOWN_PUBLIC_URL", "https://counter.example.org/voip/")
    assert main(["check-config"]) == 0
    notes = [line for line in capsys.readouterr().out.splitlines() if " = " not in line]
    assert len(notes) == 1, notes
    assert "https://counter.example.org/voip:" in notes[0]
    assert "no request header" in notes[0] and "changes any answer" in notes[0]
    assert "private" not in notes[0]


# --- one line and status 2 for whatever the maintainer must fix ---------------------------------


@pytest.mark.parametrize(
    ("variable", "value", "key"),
    [
        ("VOIPDOWN_START_DATE", "2016-02-30", "start_date"),
        ("VOIPDOWN_START_DATE", "2999-01-01", "start_date"),
        ("VOIPDOWN_END_DATE", "2015-01-01", "end_date"),
        ("VOIPDOWN_TIMEZONE", "Morocco/Casablanca", "timezone"),
        ("VOIPDOWN_DEFAULT_LANG", "kab", "default_lang"),
        ("VOIPDOWN_EMBED_ENABLED", "maybe", "embed_enabled"),
        ("VOIPDOWN_PUBLIC_URL", "counter.example.org", "public_url"),
        ("VOIPDOWN_FORWARDED_ALLOW_IPS", "*", "forwarded_allow_ips"),
        ("VOIPDOWN_TRUST_PROXY", "true", "trust_proxy"),
    ],
)
@pytest.mark.parametrize("command", ["check-config", "render"])
def test_config_error_exits_2_with_one_line(
    environ, tmp_path: Path, capsys: pytest.CaptureFixture[str], variable: str, value: str, key: str, command: str
) -> None:
    environ.setenv(variable, value)
    arguments = [command] if command == "check-config" else ["render", "-o", str(tmp_path / "never.svg")]
    assert main(arguments) == USAGE_ERROR
    line = one_error_line(capsys)
    assert f'{key} = "{value}" (from {variable})' in line, line
    assert not (tmp_path / "never.svg").exists()


def test_trust_proxy_says_what_to_set_instead(environ, capsys: pytest.CaptureFixture[str]) -> None:
    environ.setenv("VOIPDOWN_TRUST_PROXY", "false")
    assert main(["check-config"]) == USAGE_ERROR
    line = one_error_line(capsys)
    for piece in ("trust_proxy", "retired", "public_url", "VOIPDOWN_PUBLIC_URL", "forwarded_allow_ips"):
        assert piece in line, line


def test_a_toml_date_in_an_error_is_shown_as_written(
    environ, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "voipdown.toml"
    config.write_text("start_date = 2016-01-05\nend_date = 2015-12-31\n", encoding="utf-8")
    environ.setenv("VOIPDOWN_CONFIG", str(config))
    assert main(["check-config"]) == USAGE_ERROR
    line = one_error_line(capsys)
    assert f"end_date = 2015-12-31 (from {config})" in line and "2016-01-05" in line, line
    assert "datetime" not in line


def test_config_file_that_cannot_be_read(environ, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    environ.setenv("VOIPDOWN_CONFIG", str(tmp_path / "missing.toml"))
    assert main(["check-config"]) == USAGE_ERROR
    line = one_error_line(capsys)
    assert "VOIPDOWN_CONFIG" in line and "missing.toml" in line


# --- a broken translation file stops every command with one line -------------------------------


@pytest.fixture
def broken_translations(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The service's translation files with French's close-button text removed; the real ones afterwards."""
    folder = tmp_path / "translations"
    folder.mkdir()
    for entry in resources.files("widget.text").joinpath("translations").iterdir():
        if entry.name.endswith(".toml"):
            (folder / entry.name).write_bytes(entry.read_bytes())
    french = folder / "fr.toml"
    text, removed = re.subn(r"(?m)^close = .*\n", "", french.read_text(encoding="utf-8"))
    assert removed == 1
    french.write_text(text, encoding="utf-8")
    monkeypatch.setattr(catalog, "TRANSLATIONS", folder)
    catalog.languages.cache_clear()
    yield french
    monkeypatch.undo()
    catalog.languages.cache_clear()


@pytest.mark.parametrize(
    "arguments",
    [["check-config"], ["render", "--format", "svg"], ["serve", "--host", "127.0.0.1", "--port", "1"]],
    ids=["check-config", "render", "serve"],
)
def test_a_broken_translation_file_stops_the_command_with_one_line_naming_file_and_key(
    environ, broken_translations: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], arguments: list[str]
) -> None:
    if arguments[0] == "render":
        arguments = [*arguments, "-o", str(tmp_path / "never.svg")]
    assert main(arguments) == USAGE_ERROR
    line = one_error_line(capsys)
    assert line.startswith(f"voipdown: translation error: {broken_translations}: widget.close is missing"), line
    assert not (tmp_path / "never.svg").exists()
