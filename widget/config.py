"""Maintainer configuration: built-in defaults, a TOML file, then environment variables.

Loaded and validated once, at start-up. Any mistake stops the process with one line that names
the key, the bad value as the maintainer wrote it, where it came from and what is allowed, so a
maintainer on a PaaS sees the fix in the deploy log instead of a counter that silently shows the
wrong number.
"""

import ipaddress
import os
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
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
    "public_url": None,
    "forwarded_allow_ips": (),
}
"""Every key a maintainer may set, with the value used when nobody sets it."""

RETIRED: dict[str, str] = {
    "trust_proxy": (
        "remove it; to keep URLs right behind a proxy, set public_url (VOIPDOWN_PUBLIC_URL) to the address "
        "readers use, e.g. https://counter.example.org, and only if the service should believe the proxy's "
        "X-Forwarded-Proto, list the proxy's addresses in forwarded_allow_ips (VOIPDOWN_FORWARDED_ALLOW_IPS)"
    ),
}
"""Keys an earlier release read, with what to set instead. Setting one stops start-up rather than
being ignored, so an upgrade cannot silently change how a deployment behind a proxy builds its URLs."""

PUBLIC_URL_FORM = (
    "the address readers use: http:// or https://, a host, an optional port and path, e.g. https://counter.example.org"
)
PUBLIC_URL = re.compile(
    r"(?P<scheme>https?)://(?P<host>[^/?#@:\[\]]+|\[[^\]]*\])(?::(?P<port>[0-9]*))?(?P<path>/[^?#]*)?",
    re.IGNORECASE,
)
"""Scheme, host, optional port and path; anything else (a query, a fragment, a user name) is caught by name first."""
HOST_NAME = re.compile(r"(?=.{1,253}\Z)[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*")
"""A lower-case DNS name or IPv4 address: dot-separated labels of letters, digits, ``-`` and ``_``."""
URL_PATH = re.compile(r"(/([A-Za-z0-9\-._~!$&'()*+,;=:@]|%[0-9A-Fa-f]{2})*)*")
"""RFC 3986 path characters with well-formed percent-escapes: no space, double quote, angle bracket or backslash."""
DEFAULT_PORTS = {"http": 80, "https": 443}

BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
"""A key TOML writes without quotes."""
TOML_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}
"""TOML's short escapes; other unprintable characters are written ``\\uXXXX``."""


def environment_variable(key: str) -> str:
    """The environment variable that overrides ``key``: ``start_date`` -> ``VOIPDOWN_START_DATE``."""
    return f"VOIPDOWN_{key.upper()}"


def as_written(value: object) -> str:
    """``value`` the way TOML writes it (``2016-01-05``, ``true``, ``"Mars/Olympus"``), on one line.

    Error messages show what the maintainer wrote, not Python's ``repr`` of it: a date stays a date,
    a string is quoted so an empty or blank value is visible, and characters that would break the
    line (newlines, U+2028, controls) are escaped.
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, str):
        return '"' + "".join(_escaped(character) for character in value) + '"'
    if isinstance(value, list | tuple):
        return "[" + ", ".join(as_written(item) for item in value) + "]"
    if isinstance(value, Mapping):
        pairs = ", ".join(f"{key_as_written(str(key))} = {as_written(item)}" for key, item in value.items())
        return "{ " + pairs + " }" if pairs else "{}"
    return as_written(str(value))


def key_as_written(key: str) -> str:
    """A key bare when TOML allows it (``start_date``), else quoted and escaped like a value."""
    return key if BARE_KEY.fullmatch(key) else as_written(key)


def _escaped(character: str) -> str:
    if character in TOML_ESCAPES:
        return TOML_ESCAPES[character]
    if character.isprintable():
        return character
    return f"\\u{ord(character):04X}" if ord(character) <= 0xFFFF else f"\\U{ord(character):08X}"


class ConfigError(Exception):
    """A configuration value that cannot be used; ``str()`` is the one line shown to maintainers."""

    verdict = "is not allowed"

    def __init__(self, key: str, value: object, source: str, allowed: str) -> None:
        self.key = key
        self.value = value
        self.source = source
        self.allowed = allowed
        super().__init__(
            f"config error: {key_as_written(key)} = {as_written(value)} (from {source}) {self.verdict}: {allowed}"
        )


class RetiredKeyError(ConfigError):
    """A key an earlier release read; ``allowed`` says what to set instead."""

    verdict = "was retired"


@dataclass(frozen=True)
class Settings:
    """The validated configuration the service runs with."""

    start_date: date
    end_date: date | None
    timezone: str
    default_lang: str
    embed_enabled: bool
    public_url: str | None
    """The service's public address without a trailing slash (``https://counter.example.org``), or None.

    When set, every absolute URL the service writes starts with it, so no request header can change
    an answer; when None, URLs come from the request and answers carrying them must stay private."""
    forwarded_allow_ips: tuple[str, ...]
    """Addresses and networks whose forwarded headers gunicorn believes; empty means none."""
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
            if value is None or value == ():
                shown = "(none)"
            elif isinstance(value, bool):
                shown = str(value).lower()
            elif isinstance(value, tuple):
                shown = ",".join(value)
            else:
                shown = str(value)
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


def _parse_public_url(raw: object, source: str) -> str | None:
    """The public address, normalised: lower-case scheme and host, no default port, no trailing slash.

    Validated here rather than where URLs are written, so a typo stops the deploy instead of
    being pasted into thousands of pages by the snippet builder.
    """
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    text = raw.strip() if isinstance(raw, str) else ""
    for sign, part in (("?", "a query (?...)"), ("#", "a fragment (#...)"), ("@", "a user name or password")):
        if sign in text:
            raise ConfigError("public_url", raw, source, f"{PUBLIC_URL_FORM}, without {part}")
    if not text.isascii():
        raise ConfigError("public_url", raw, source, f"{PUBLIC_URL_FORM}; an international name in its xn-- form")
    parts = PUBLIC_URL.fullmatch(text)
    if parts is None:
        raise ConfigError("public_url", raw, source, PUBLIC_URL_FORM)
    scheme, host, port_text = parts["scheme"].lower(), parts["host"].lower(), parts["port"] or ""
    if not _is_host(host):
        raise ConfigError("public_url", raw, source, f"{PUBLIC_URL_FORM}; {parts['host']} is not a host name")
    if port_text and not 1 <= int(port_text) <= 65535:
        raise ConfigError("public_url", raw, source, f"{PUBLIC_URL_FORM}; a port is a number from 1 to 65535")
    path = parts["path"] or ""
    if not URL_PATH.fullmatch(path):
        raise ConfigError("public_url", raw, source, f"{PUBLIC_URL_FORM}; the path may hold only URL characters")
    port = f":{int(port_text)}" if port_text and int(port_text) != DEFAULT_PORTS[scheme] else ""
    return f"{scheme}://{host}{port}{path.rstrip('/')}"


def _is_host(host: str) -> bool:
    if host.startswith("["):
        try:
            ipaddress.IPv6Address(host[1:-1])
        except ValueError:
            return False
        return True
    return HOST_NAME.fullmatch(host) is not None


def _parse_forwarded_allow_ips(raw: object, source: str) -> tuple[str, ...]:
    """Proxy addresses or networks, from a comma-separated string or a TOML list; empty means none.

    ``*`` (gunicorn's "every address") is refused: a client that reaches the service directly
    could then choose the scheme the service sees. A maintainer who really means every address
    writes ``0.0.0.0/0,::/0`` and so says it.
    """
    allowed = "IP addresses or networks separated by commas, e.g. 10.0.0.0/8,127.0.0.1; empty for none"
    if isinstance(raw, str):
        entries: Sequence[object] = raw.split(",")
    elif isinstance(raw, list | tuple):
        entries = list(raw)
    else:
        raise ConfigError("forwarded_allow_ips", raw, source, allowed)
    networks: list[str] = []
    for entry in entries:
        if not isinstance(entry, str):
            raise ConfigError("forwarded_allow_ips", raw, source, allowed)
        if not entry.strip():
            continue
        if entry.strip() == "*":
            raise ConfigError("forwarded_allow_ips", raw, source, allowed + " (name the proxies rather than *)")
        try:
            network = ipaddress.ip_network(entry.strip())
        except ValueError as error:
            raise ConfigError("forwarded_allow_ips", raw, source, f"{allowed} ({error})") from None
        shown = str(network.network_address) if network.num_addresses == 1 else str(network)
        if shown not in networks:
            networks.append(shown)
    return tuple(networks)


def _read_file(path_text: str) -> dict[str, Any]:
    """The keys of the TOML file named by ``VOIPDOWN_CONFIG``; unknown and retired keys are errors."""
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
        if key in RETIRED:
            raise RetiredKeyError(key, values[key], source, RETIRED[key])
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
    retired_variables = {environment_variable(key): key for key in RETIRED}
    for variable, value in environ.items():
        if not variable.startswith("VOIPDOWN_") or variable == CONFIG_FILE_VARIABLE:
            continue
        if variable in retired_variables:
            raise RetiredKeyError(retired_variables[variable], value, variable, RETIRED[retired_variables[variable]])
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
                raw["start_date"],
                sources["start_date"],
                f"a date not after today ({today.isoformat()} in {timezone})",
            )
    if end is not None and end < start:
        raise ConfigError(
            "end_date", raw["end_date"], sources["end_date"], f"a date on or after start_date ({start.isoformat()})"
        )
    return Settings(
        start_date=start,
        end_date=end,
        timezone=timezone,
        default_lang=_parse_language(raw["default_lang"], sources["default_lang"]),
        embed_enabled=_parse_bool("embed_enabled", raw["embed_enabled"], sources["embed_enabled"]),
        public_url=_parse_public_url(raw["public_url"], sources["public_url"]),
        forwarded_allow_ips=_parse_forwarded_allow_ips(raw["forwarded_allow_ips"], sources["forwarded_allow_ips"]),
        sources=sources,
    )
