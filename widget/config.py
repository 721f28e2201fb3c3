"""Maintainer configuration: built-in defaults, a TOML file, then environment variables.

Loaded and validated once, at start-up. Any mistake stops the process with one line that names
the key, the bad value, where it came from and what is allowed, so a maintainer on a PaaS sees
the fix in the deploy log instead of a counter that silently shows the wrong number.
"""

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from widget.counting import local_date
from widget.text.catalog import available_languages
from widget.timezones import load_zone

CONFIG_FILE_VARIABLE = "VOIPDOWN_CONFIG"
BUILT_IN = "built-in default"

DEFAULTS: dict[str, Any] = {
    "start_date": date(2016, 1, 5),
    "end_date": None,
    "timezone": "Africa/Casablanca",
    "default_lang": "fr",
    "embed_enabled": True,
    "trust_proxy": False,
}
"""Every key a maintainer may set, with the value used when nobody sets it."""


def environment_variable(key: str) -> str:
    """The environment variable that overrides ``key``: ``start_date`` -> ``VOIPDOWN_START_DATE``."""
    return f"VOIPDOWN_{key.upper()}"


class ConfigError(Exception):
    """A configuration value that cannot be used; ``str()`` is the one line shown to maintainers."""

    def __init__(self, key: str, value: object, source: str, allowed: str) -> None:
        self.key = key
        self.value = value
        self.source = source
        self.allowed = allowed
        super().__init__(f"config error: {key} = {value!r} (from {source}) is not allowed: {allowed}")


@dataclass(frozen=True)
class Settings:
    """The validated configuration the service runs with."""

    start_date: date
    end_date: date | None
    timezone: str
    default_lang: str
    embed_enabled: bool
    trust_proxy: bool
    sources: Mapping[str, str] = field(default_factory=dict, compare=False)

    @property
    def zone(self) -> ZoneInfo:
        """The configured zone, read from the bundled IANA data."""
        return load_zone(self.timezone)

    def describe(self) -> list[str]:
        """One line per key: the effective value and where it came from."""
        lines = []
        for key in DEFAULTS:
            value = getattr(self, key)
            shown = "(none)" if value is None else str(value).lower() if isinstance(value, bool) else str(value)
            lines.append(f"{key} = {shown}  ({self.sources.get(key, BUILT_IN)})")
        return lines


def _parse_date(key: str, raw: object, source: str) -> date:
    if isinstance(raw, date) and not isinstance(raw, datetime):
        return raw
    if isinstance(raw, str):
        try:
            return date.fromisoformat(raw.strip())
        except ValueError:
            pass
    raise ConfigError(key, raw, source, "a date written YYYY-MM-DD, e.g. 2016-01-05")


def _parse_end_date(raw: object, source: str) -> date | None:
    """The end date is optional: absent, or empty in the environment, means the block goes on."""
    if raw in (None, ""):
        return None
    try:
        return _parse_date("end_date", raw, source)
    except ConfigError as error:
        raise ConfigError("end_date", raw, source, error.allowed + ", or empty while the block goes on") from None


def _parse_bool(key: str, raw: object, source: str) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.strip().lower() in {"true", "1", "yes", "on"}:
        return True
    if isinstance(raw, str) and raw.strip().lower() in {"false", "0", "no", "off"}:
        return False
    raise ConfigError(key, raw, source, "true or false")


def _parse_timezone(raw: object, source: str) -> str:
    if isinstance(raw, str):
        try:
            load_zone(raw.strip())
            return raw.strip()
        except KeyError:
            pass
    raise ConfigError("timezone", raw, source, "an IANA time zone name, e.g. Africa/Casablanca")


def _parse_language(raw: object, source: str) -> str:
    languages = available_languages()
    if isinstance(raw, str) and raw.strip().lower() in languages:
        return raw.strip().lower()
    raise ConfigError("default_lang", raw, source, "one of " + ", ".join(languages))


def _read_file(path_text: str) -> dict[str, Any]:
    """The keys of the TOML file named by ``VOIPDOWN_CONFIG``; unknown keys are errors."""
    source = f"{CONFIG_FILE_VARIABLE}={path_text}"
    try:
        with Path(path_text).open("rb") as config_file:
            values = tomllib.load(config_file)
    except OSError as error:
        raise ConfigError(
            CONFIG_FILE_VARIABLE, path_text, "environment", f"a readable TOML file ({error.strerror})"
        ) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ConfigError(CONFIG_FILE_VARIABLE, path_text, "environment", f"valid TOML ({error})") from None
    for key in values:
        if key not in DEFAULTS:
            raise ConfigError(key, values[key], source, "keys are " + ", ".join(DEFAULTS))
    return values


def load_settings(environ: Mapping[str, str] | None = None, now: datetime | None = None) -> Settings:
    """Merge defaults, the config file and environment overrides, then validate them together.

    ``now`` is the instant against which "a start date in the future" is judged.
    """
    environ = os.environ if environ is None else environ
    raw: dict[str, object] = dict(DEFAULTS)
    sources = dict.fromkeys(DEFAULTS, BUILT_IN)
    if environ.get(CONFIG_FILE_VARIABLE):
        path_text = environ[CONFIG_FILE_VARIABLE]
        for key, value in _read_file(path_text).items():
            raw[key] = value
            sources[key] = path_text
    known_variables = {environment_variable(key): key for key in DEFAULTS}
    for variable, value in environ.items():
        if not variable.startswith("VOIPDOWN_") or variable == CONFIG_FILE_VARIABLE:
            continue
        if variable not in known_variables:
            allowed = ", ".join([CONFIG_FILE_VARIABLE, *known_variables])
            raise ConfigError(variable, value, "environment", f"variables are {allowed}")
        raw[known_variables[variable]] = value
        sources[known_variables[variable]] = variable

    timezone = _parse_timezone(raw["timezone"], sources["timezone"])
    start = _parse_date("start_date", raw["start_date"], sources["start_date"])
    end = _parse_end_date(raw["end_date"], sources["end_date"])
    if now is not None:
        today = local_date(now, load_zone(timezone))
        if start > today:
            raise ConfigError(
                "start_date",
                start.isoformat(),
                sources["start_date"],
                f"a date not after today ({today.isoformat()} in {timezone})",
            )
    if end is not None and end < start:
        raise ConfigError(
            "end_date", end.isoformat(), sources["end_date"], f"a date on or after start_date ({start.isoformat()})"
        )
    return Settings(
        start_date=start,
        end_date=end,
        timezone=timezone,
        default_lang=_parse_language(raw["default_lang"], sources["default_lang"]),
        embed_enabled=_parse_bool("embed_enabled", raw["embed_enabled"], sources["embed_enabled"]),
        trust_proxy=_parse_bool("trust_proxy", raw["trust_proxy"], sources["trust_proxy"]),
        sources=sources,
    )
