"""Maintainer configuration: defaults, a TOML file, environment overrides, one-line errors."""

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from widget.config import DEFAULTS, ConfigError, RetiredKeyError, Settings, load_settings
from widget.text.catalog import available_languages

NOW = datetime(2026, 11, 27, 12, tzinfo=UTC)
"""Noon on 27 November 2026 in Casablanca (UTC+0 that day)."""


def write_config(tmp_path: Path, text: str, name: str = "voipdown.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def config_error(environ: dict[str, str], now: datetime | None = NOW) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        load_settings(environ, now)
    return caught.value


def assert_one_line_naming(error: ConfigError, *pieces: str) -> None:
    message = str(error)
    assert message
    assert "\n" not in message and "\r" not in message, message
    for piece in pieces:
        assert piece in message, f"{piece!r} missing from {message!r}"


# --- defaults -----------------------------------------------------------------------------------


def test_defaults_with_no_environment_at_all():
    settings = load_settings({}, NOW)
    assert settings == Settings(
        start_date=date(2016, 1, 5),
        end_date=None,
        timezone="Africa/Casablanca",
        default_lang="fr",
        embed_enabled=True,
        public_url=None,
        forwarded_allow_ips=(),
    )
    assert set(settings.sources.values()) == {"built-in default"}


def test_defaults_without_a_now_skip_only_the_future_check():
    assert load_settings({}) == load_settings({}, NOW)


def test_settings_zone_is_casablanca_from_the_bundled_data():
    zone = load_settings({}, NOW).zone
    assert zone.key == "Africa/Casablanca"
    assert datetime(2026, 11, 27, 12, tzinfo=UTC).astimezone(zone).utcoffset() == timedelta(0)


def test_load_settings_reads_the_process_environment_by_default(monkeypatch):
    for key in DEFAULTS:
        monkeypatch.delenv(f"VOIPDOWN_{key.upper()}", raising=False)
    monkeypatch.delenv("VOIPDOWN_CONFIG", raising=False)
    monkeypatch.setenv("VOIPDOWN_DEFAULT_LANG", "en")
    settings = load_settings(now=NOW)
    assert settings.default_lang == "en"
    assert settings.sources["default_lang"] == "VOIPDOWN_DEFAULT_LANG"


# --- the TOML file and the environment ----------------------------------------------------------


def test_toml_file_named_by_voipdown_config_sets_every_key(tmp_path: Path):
    path = write_config(
        tmp_path,
        """
start_date = 2016-01-05
end_date = "2016-11-04"
timezone = "Africa/Casablanca"
default_lang = "ar"
embed_enabled = false
public_url = "https://counter.example.org"
forwarded_allow_ips = ["10.0.0.0/8", "127.0.0.1"]
""",
    )
    settings = load_settings({"VOIPDOWN_CONFIG": str(path)}, NOW)
    assert settings.start_date == date(2016, 1, 5)  # a TOML date literal
    assert settings.end_date == date(2016, 11, 4)  # a string in ISO form
    assert settings.default_lang == "ar"
    assert settings.embed_enabled is False
    assert settings.public_url == "https://counter.example.org"
    assert settings.forwarded_allow_ips == ("10.0.0.0/8", "127.0.0.1")
    assert set(settings.sources.values()) == {str(path)}


def test_partial_toml_file_keeps_defaults_for_the_rest(tmp_path: Path):
    path = write_config(tmp_path, 'default_lang = "zgh"\n')
    settings = load_settings({"VOIPDOWN_CONFIG": str(path)}, NOW)
    assert settings.default_lang == "zgh"
    assert settings.start_date == date(2016, 1, 5)
    assert settings.sources["default_lang"] == str(path)
    assert settings.sources["start_date"] == "built-in default"


def test_environment_overrides_the_file_key_by_key(tmp_path: Path):
    path = write_config(tmp_path, 'default_lang = "ar"\nend_date = 2016-11-04\ntimezone = "UTC"\n')
    settings = load_settings(
        {"VOIPDOWN_CONFIG": str(path), "VOIPDOWN_DEFAULT_LANG": "en", "VOIPDOWN_TIMEZONE": "Africa/Casablanca"}, NOW
    )
    assert settings.default_lang == "en"
    assert settings.timezone == "Africa/Casablanca"
    assert settings.end_date == date(2016, 11, 4)
    assert settings.sources["default_lang"] == "VOIPDOWN_DEFAULT_LANG"
    assert settings.sources["timezone"] == "VOIPDOWN_TIMEZONE"
    assert settings.sources["end_date"] == str(path)


def test_empty_end_date_in_the_environment_means_the_block_goes_on(tmp_path: Path):
    path = write_config(tmp_path, "end_date = 2016-11-04\n")
    settings = load_settings({"VOIPDOWN_CONFIG": str(path), "VOIPDOWN_END_DATE": ""}, NOW)
    assert settings.end_date is None
    assert settings.sources["end_date"] == "VOIPDOWN_END_DATE"


def test_empty_voipdown_config_means_no_file():
    assert load_settings({"VOIPDOWN_CONFIG": ""}, NOW) == load_settings({}, NOW)


def test_environment_values_are_trimmed_and_languages_case_folded():
    settings = load_settings(
        {
            "VOIPDOWN_START_DATE": " 2016-01-05 ",
            "VOIPDOWN_TIMEZONE": " Africa/Casablanca ",
            "VOIPDOWN_DEFAULT_LANG": " AR ",
        },
        NOW,
    )
    assert settings.start_date == date(2016, 1, 5)
    assert settings.timezone == "Africa/Casablanca"
    assert settings.default_lang == "ar"


@pytest.mark.parametrize(
    ("raw", "value"),
    [(w, True) for w in ("true", "1", "yes", "on", "TRUE", " On ")]
    + [(w, False) for w in ("false", "0", "no", "off", "False")],
)
def test_booleans_accept_the_usual_spellings(raw: str, value: bool):
    assert load_settings({"VOIPDOWN_EMBED_ENABLED": raw}, NOW).embed_enabled is value


def test_every_available_language_is_a_valid_default():
    for lang in available_languages():
        assert load_settings({"VOIPDOWN_DEFAULT_LANG": lang}, NOW).default_lang == lang


def test_end_date_equal_to_start_date_is_allowed():
    settings = load_settings({"VOIPDOWN_END_DATE": "2016-01-05"}, NOW)
    assert settings.end_date == settings.start_date


def test_start_date_today_in_casablanca_is_allowed_even_when_utc_is_still_yesterday():
    """At 23:30Z on 15 June 2025 it is already 00:30 on the 16th in Casablanca (UTC+1)."""
    now = datetime(2025, 6, 15, 23, 30, tzinfo=UTC)
    assert load_settings({"VOIPDOWN_START_DATE": "2025-06-16"}, now).start_date == date(2025, 6, 16)


def test_the_historical_end_date_gives_a_304_day_block():
    settings = load_settings({"VOIPDOWN_END_DATE": "2016-11-04"}, NOW)
    assert (settings.end_date - settings.start_date).days == 304


# --- errors: one line naming the key, the bad value and what is allowed ------------------------


@pytest.mark.parametrize(
    ("environ", "pieces"),
    [
        pytest.param({"VOIPDOWN_START_DATE": "2016-13-05"}, ["start_date", "2016-13-05", "YYYY-MM-DD"], id="bad-date"),
        pytest.param({"VOIPDOWN_START_DATE": "05/01/2016"}, ["start_date", "05/01/2016", "YYYY-MM-DD"], id="us-date"),
        pytest.param({"VOIPDOWN_START_DATE": ""}, ['start_date = ""', "YYYY-MM-DD"], id="empty-start"),
        pytest.param({"VOIPDOWN_END_DATE": "yesterday"}, ["end_date", "yesterday", "YYYY-MM-DD"], id="bad-end"),
        pytest.param(
            {"VOIPDOWN_END_DATE": "2015-12-31"},
            ["end_date", "2015-12-31", "on or after start_date", "2016-01-05"],
            id="end-before-start",
        ),
        pytest.param(
            {"VOIPDOWN_START_DATE": "2026-11-28"},
            ["start_date", "2026-11-28", "not after today", "2026-11-27"],
            id="start-in-future",
        ),
        pytest.param(
            {"VOIPDOWN_TIMEZONE": "Africa/Casablance"},
            ["timezone", "Africa/Casablance", "IANA time zone", "Africa/Casablanca"],
            id="unknown-zone",
        ),
        pytest.param(
            {"VOIPDOWN_TIMEZONE": "../../etc/passwd"}, ["timezone", "../../etc/passwd", "IANA"], id="path-as-zone"
        ),
        pytest.param(
            {"VOIPDOWN_DEFAULT_LANG": "de"}, ['default_lang = "de"', *available_languages()], id="unknown-language"
        ),
        pytest.param({"VOIPDOWN_EMBED_ENABLED": "maybe"}, ["embed_enabled", "maybe", "true or false"], id="bad-bool"),
        pytest.param({"VOIPDOWN_EMBED_ENABLED": ""}, ['embed_enabled = ""', "true or false"], id="empty-bool"),
        pytest.param(
            {"VOIPDOWN_START_DATE": "2016-01-05\nrm -rf /"}, ["start_date", "YYYY-MM-DD"], id="newline-in-value"
        ),
    ],
)
def test_bad_environment_value_stops_with_one_line(environ: dict[str, str], pieces: list[str]):
    error = config_error(environ)
    assert_one_line_naming(error, *pieces)
    (variable,) = environ
    assert error.source == variable
    assert variable in str(error)


def test_start_in_the_future_is_judged_in_casablanca_time():
    """At 23:30Z on 27 November 2026 Casablanca (UTC+0) is still on the 27th: the 28th is the future."""
    error = config_error({"VOIPDOWN_START_DATE": "2026-11-28"}, datetime(2026, 11, 27, 23, 30, tzinfo=UTC))
    assert error.key == "start_date"
    assert_one_line_naming(error, "2026-11-28", "2026-11-27", "Africa/Casablanca")


def test_unknown_timezone_is_reported_before_the_dates_that_depend_on_it():
    error = config_error({"VOIPDOWN_TIMEZONE": "Nowhere/Town", "VOIPDOWN_START_DATE": "2099-01-01"})
    assert error.key == "timezone"


@pytest.mark.parametrize(
    ("text", "pieces"),
    [
        pytest.param('start = "2016-01-05"\n', ["start", "2016-01-05", "keys are", "start_date", "end_date"], id="key"),
        pytest.param(
            'VOIPDOWN_START_DATE = "2016-01-05"\n', ["VOIPDOWN_START_DATE", "keys are", "start_date"], id="env-name"
        ),
        pytest.param('note = """two\nlines"""\n', ["note", "keys are"], id="multi-line-value"),
        pytest.param("start_date = 2016\n", ["start_date", "2016", "YYYY-MM-DD"], id="integer-date"),
        pytest.param("start_date = 2016-01-05T00:00:00\n", ["start_date", "YYYY-MM-DD"], id="datetime-not-date"),
        pytest.param("end_date = 2015-12-31\n", ["end_date", "2015-12-31", "on or after start_date"], id="end-first"),
        pytest.param("timezone = 1\n", ["timezone", "1", "IANA"], id="integer-zone"),
        pytest.param('default_lang = "es"\n', ["default_lang", "es", "fr", "ar"], id="unknown-language"),
        pytest.param("embed_enabled = 1\n", ["embed_enabled = 1 ", "true or false"], id="integer-bool"),
        pytest.param('embed_enabled = "nope"\n', ["embed_enabled", "nope", "true or false"], id="bad-bool"),
    ],
)
def test_bad_value_in_the_file_stops_with_one_line_naming_the_file(tmp_path: Path, text: str, pieces: list[str]):
    path = write_config(tmp_path, text)
    error = config_error({"VOIPDOWN_CONFIG": str(path)})
    assert_one_line_naming(error, *pieces, str(path))


def test_missing_config_file_stops_with_one_line(tmp_path: Path):
    missing = tmp_path / "nowhere" / "voipdown.toml"
    error = config_error({"VOIPDOWN_CONFIG": str(missing)})
    assert error.key == "VOIPDOWN_CONFIG"
    assert_one_line_naming(error, "VOIPDOWN_CONFIG", str(missing), "readable TOML file")


def test_config_file_that_is_a_folder_stops_with_one_line(tmp_path: Path):
    error = config_error({"VOIPDOWN_CONFIG": str(tmp_path)})
    assert_one_line_naming(error, "VOIPDOWN_CONFIG", str(tmp_path), "readable TOML file")


@pytest.mark.parametrize(
    "text",
    [
        "start_date = = 2016-01-05\n",
        "[unclosed\n",
        'default_lang = "fr\n',
        "start_date = 2016-01-05\nstart_date = 2016-01-06\n",
    ],
)
def test_invalid_toml_stops_with_one_line(tmp_path: Path, text: str):
    path = write_config(tmp_path, text)
    error = config_error({"VOIPDOWN_CONFIG": str(path)})
    assert error.key == "VOIPDOWN_CONFIG"
    assert_one_line_naming(error, "VOIPDOWN_CONFIG", str(path), "valid TOML")


def test_config_error_is_an_exception_with_its_parts():
    error = config_error({"VOIPDOWN_DEFAULT_LANG": "de"})
    assert isinstance(error, Exception)
    assert (error.key, error.value, error.source) == ("default_lang", "de", "VOIPDOWN_DEFAULT_LANG")
    assert all(lang in error.allowed for lang in available_languages())


# --- describe() ---------------------------------------------------------------------------------


def test_describe_names_every_key_its_value_and_where_it_came_from(tmp_path: Path):
    path = write_config(tmp_path, 'default_lang = "ar"\npublic_url = "https://counter.example.org/"\n')
    settings = load_settings({"VOIPDOWN_CONFIG": str(path), "VOIPDOWN_END_DATE": "2016-11-04"}, NOW)
    lines = settings.describe()
    assert len(lines) == len(DEFAULTS)
    by_key = {line.split(" = ", 1)[0]: line for line in lines}
    assert set(by_key) == set(DEFAULTS)
    assert "2016-01-05" in by_key["start_date"] and "built-in default" in by_key["start_date"]
    assert "2016-11-04" in by_key["end_date"] and "VOIPDOWN_END_DATE" in by_key["end_date"]
    assert "ar" in by_key["default_lang"] and str(path) in by_key["default_lang"]
    assert "https://counter.example.org " in by_key["public_url"] and str(path) in by_key["public_url"]
    assert "Africa/Casablanca" in by_key["timezone"] and "built-in default" in by_key["timezone"]
    assert all("\n" not in line for line in lines)


def test_describe_shows_a_missing_end_date_and_lower_case_booleans():
    lines = load_settings({}, NOW).describe()
    by_key = {line.split(" = ", 1)[0]: line for line in lines}
    assert "(none)" in by_key["end_date"]
    assert "true" in by_key["embed_enabled"] and "True" not in by_key["embed_enabled"]
    assert "(none)" in by_key["public_url"] and "(none)" in by_key["forwarded_allow_ips"]


def test_misspelt_environment_variable_stops_with_one_line_listing_the_real_ones():
    with pytest.raises(ConfigError) as raised:
        load_settings({"VOIPDOWN_END_DAET": "2016-11-04"}, NOW)
    message = str(raised.value)
    assert "\n" not in message
    assert "VOIPDOWN_END_DAET" in message and "VOIPDOWN_END_DATE" in message


def test_variables_of_other_programs_are_left_alone():
    assert load_settings({"PORT": "8000", "WEB_CONCURRENCY": "4", "VOIPDOWNLOAD": "x"}, NOW).start_date == date(
        2016, 1, 5
    )


# --- values shown as the maintainer wrote them --------------------------------------------------


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        pytest.param("end_date = 2015-12-31\n", "end_date = 2015-12-31 (", id="toml-date"),
        pytest.param("start_date = 2999-01-01\n", "start_date = 2999-01-01 (", id="toml-date-in-the-future"),
        pytest.param("start_date = [2016, 1, 5]\n", "start_date = [2016, 1, 5] (", id="toml-array"),
        pytest.param("start_date = { year = 2016 }\n", "start_date = { year = 2016 } (", id="toml-table"),
        pytest.param("start_date = 2016-01-05T10:00:00\n", "start_date = 2016-01-05T10:00:00 (", id="toml-datetime"),
        pytest.param("start_date = 10:30:00\n", "start_date = 10:30:00 (", id="toml-time"),
        pytest.param("embed_enabled = 1.5\n", "embed_enabled = 1.5 (", id="toml-float"),
        pytest.param('timezone = "Mars/Olympus"\n', 'timezone = "Mars/Olympus" (', id="toml-string"),
        pytest.param('note = """two\nlines"""\n', 'note = "two\\nlines" (', id="multi-line-string-escaped"),
        pytest.param('"two\\nwords" = 1\n', '"two\\nwords" = 1 (', id="quoted-key-escaped"),
    ],
)
def test_errors_show_values_as_toml_writes_them_not_python_reprs(tmp_path: Path, text: str, shown: str):
    path = write_config(tmp_path, text)
    error = config_error({"VOIPDOWN_CONFIG": str(path)})
    assert_one_line_naming(error, shown)
    assert "datetime" not in str(error) and "'" not in str(error).split(" (from")[0]


def test_an_environment_value_is_quoted_so_blanks_and_line_breaks_show(tmp_path: Path):
    error = config_error({"VOIPDOWN_TIMEZONE": " Africa/\u2028Casablanca\t"})
    assert_one_line_naming(error, 'timezone = " Africa/\\u2028Casablanca\\t" (from VOIPDOWN_TIMEZONE)')
    assert len(str(error).splitlines()) == 1


# --- retired keys -------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["true", "false", "", "1"])
def test_trust_proxy_in_the_environment_stops_start_up_saying_what_to_set_instead(value: str):
    error = config_error({"VOIPDOWN_TRUST_PROXY": value})
    assert isinstance(error, RetiredKeyError)
    assert (error.key, error.source) == ("trust_proxy", "VOIPDOWN_TRUST_PROXY")
    assert_one_line_naming(
        error,
        "trust_proxy",
        "VOIPDOWN_TRUST_PROXY",
        "retired",
        "public_url",
        "VOIPDOWN_PUBLIC_URL",
        "forwarded_allow_ips",
    )
    assert "is not allowed" not in str(error)


@pytest.mark.parametrize("text", ["trust_proxy = true\n", "trust_proxy = false\n"])
def test_trust_proxy_in_the_file_stops_start_up_saying_what_to_set_instead(tmp_path: Path, text: str):
    path = write_config(tmp_path, text)
    error = config_error({"VOIPDOWN_CONFIG": str(path)})
    assert isinstance(error, RetiredKeyError)
    assert_one_line_naming(error, "trust_proxy", str(path), "retired", "public_url", "forwarded_allow_ips")


def test_settings_no_longer_carry_trust_proxy_as_a_key():
    assert "trust_proxy" not in DEFAULTS
    assert not hasattr(load_settings({}, NOW), "trust_proxy")
    assert not any("trust_proxy" in line for line in load_settings({}, NOW).describe())


# --- public_url ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "normalised"),
    [
        ("https://counter.example.org", "https://counter.example.org"),
        ("https://counter.example.org/", "https://counter.example.org"),
        ("  https://counter.example.org/  ", "https://counter.example.org"),
        ("HTTPS://Counter.Example.ORG", "https://counter.example.org"),
        ("https://counter.example.org:443/", "https://counter.example.org"),
        ("http://counter.example.org:80", "http://counter.example.org"),
        ("http://counter.example.org:443", "http://counter.example.org:443"),
        ("https://counter.example.org:8443/voip/", "https://counter.example.org:8443/voip"),
        ("https://example.org/blogs/VoIP-Down///", "https://example.org/blogs/VoIP-Down"),
        ("https://example.org/a%20b/c", "https://example.org/a%20b/c"),
        ("http://[2001:DB8::1]:8080/", "http://[2001:db8::1]:8080"),
        ("http://192.0.2.7", "http://192.0.2.7"),
        ("https://xn--bcher-kva.example", "https://xn--bcher-kva.example"),
    ],
)
def test_public_url_is_normalised_without_a_trailing_slash(written: str, normalised: str):
    settings = load_settings({"VOIPDOWN_PUBLIC_URL": written}, NOW)
    assert settings.public_url == normalised
    assert settings.sources["public_url"] == "VOIPDOWN_PUBLIC_URL"


@pytest.mark.parametrize("environ", [{}, {"VOIPDOWN_PUBLIC_URL": ""}, {"VOIPDOWN_PUBLIC_URL": "   "}])
def test_public_url_unset_or_empty_is_none(environ: dict[str, str]):
    assert load_settings(environ, NOW).public_url is None


def test_public_url_empty_in_the_file_is_none(tmp_path: Path):
    path = write_config(tmp_path, 'public_url = ""\n')
    assert load_settings({"VOIPDOWN_CONFIG": str(path)}, NOW).public_url is None


@pytest.mark.parametrize(
    ("written", "reason"),
    [
        ("counter.example.org", "http:// or https://"),
        ("//counter.example.org", "http:// or https://"),
        ("ftp://counter.example.org", "http:// or https://"),
        ("javascript:alert(1)", "http:// or https://"),
        ("https://", "http:// or https://"),
        ("https:///voip", "http:// or https://"),
        ("https://counter.example.org/?lang=ar", "query"),
        ("https://counter.example.org?", "query"),
        ("https://counter.example.org/#top", "fragment"),
        ("https://user:secret@counter.example.org", "user name"),
        ("https://@counter.example.org", "user name"),
        ("https://counter.example.org:0", "port"),
        ("https://counter.example.org:99999", "port"),
        ("https://counter.example.org:https", "http:// or https://"),
        ("https://counter..example.org", "host"),
        ("https://-counter.example.org", "host"),
        ("https://[not:an:address]", "host"),
        ("https://counter example.org", "host"),
        ("https://counter.example.org/a b", "path"),
        ("https://counter.example.org/<script>", "path"),
        ('https://counter.example.org/"', "path"),
        ("https://counter.example.org/%zz", "path"),
        ("https://counter.example.org\\voip", "host"),
        ("https://bücher.example", "xn--"),
        ("https://counter.example.org/a\nb", "path"),
    ],
)
def test_public_url_that_is_not_a_plain_absolute_http_url_stops_with_one_line(written: str, reason: str):
    error = config_error({"VOIPDOWN_PUBLIC_URL": written})
    assert error.key == "public_url"
    assert_one_line_naming(error, "public_url", "VOIPDOWN_PUBLIC_URL", "https://counter.example.org", reason)


@pytest.mark.parametrize("text", ["public_url = 1\n", 'public_url = ["https://counter.example.org"]\n'])
def test_public_url_of_the_wrong_toml_type_stops_with_one_line(tmp_path: Path, text: str):
    path = write_config(tmp_path, text)
    assert_one_line_naming(config_error({"VOIPDOWN_CONFIG": str(path)}), "public_url", str(path))


# --- forwarded_allow_ips ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "addresses"),
    [
        ("", ()),
        (" , ", ()),
        ("127.0.0.1", ("127.0.0.1",)),
        ("10.0.0.0/8, 192.168.1.7/32,::1", ("10.0.0.0/8", "192.168.1.7", "::1")),
        ("2001:DB8::/32,10.1.2.3,10.1.2.3", ("2001:db8::/32", "10.1.2.3")),
        ("0.0.0.0/0,::/0", ("0.0.0.0/0", "::/0")),
    ],
)
def test_forwarded_allow_ips_is_a_checked_list_of_addresses_and_networks(written: str, addresses: tuple[str, ...]):
    settings = load_settings({"VOIPDOWN_FORWARDED_ALLOW_IPS": written}, NOW)
    assert settings.forwarded_allow_ips == addresses


def test_forwarded_allow_ips_defaults_to_no_address():
    assert load_settings({}, NOW).forwarded_allow_ips == ()


@pytest.mark.parametrize(
    ("written", "reason"),
    [
        ("*", "name the proxies"),
        ("10.0.0.1, *", "name the proxies"),
        ("10.0.0.1/8", "host bits set"),
        ("localhost", "IP addresses or networks"),
        ("10.0.0.300", "IP addresses or networks"),
        ("10.0.0.1;10.0.0.2", "IP addresses or networks"),
    ],
)
def test_forwarded_allow_ips_that_are_not_addresses_stop_with_one_line(written: str, reason: str):
    error = config_error({"VOIPDOWN_FORWARDED_ALLOW_IPS": written})
    assert error.key == "forwarded_allow_ips"
    assert_one_line_naming(error, "forwarded_allow_ips", "VOIPDOWN_FORWARDED_ALLOW_IPS", reason)


@pytest.mark.parametrize("text", ["forwarded_allow_ips = 10\n", 'forwarded_allow_ips = ["10.0.0.1", 7]\n'])
def test_forwarded_allow_ips_of_the_wrong_toml_type_stops_with_one_line(tmp_path: Path, text: str):
    path = write_config(tmp_path, text)
    assert_one_line_naming(config_error({"VOIPDOWN_CONFIG": str(path)}), "forwarded_allow_ips", str(path))
