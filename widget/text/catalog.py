"""Translations: one TOML file per language in ``translations/``, read once.

Translators edit those files only. Each text is a template with ``{count}``; plural forms follow
the language's CLDR rules through Babel (Arabic has six), and the number is formatted the way
the locale writes it (``3 979`` in French, ``3.979`` in Moroccan Arabic, ``3,979`` in English).

The landing page's texts live in the same files, in a ``[page]`` table. A language may name a
``page_fallback`` in its ``[language]`` table: any page text it lacks is taken from that language
(Tamazight falls back to French and Darija to Arabic until translators fill them in), and the page
marks those texts with the fallback's ``lang`` so screen readers pronounce them right.
"""

import json
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Literal

from babel import Locale, UnknownLocaleError
from babel.numbers import format_decimal

Direction = Literal["ltr", "rtl"]
PREFERRED_ORDER = ("fr", "ar", "zgh", "en")
"""The four languages the service promises, in the order menus show them; others follow."""

PAGE_KEYS: tuple[str, ...] = (
    "tagline",
    "story_heading",
    "story",
    "story_ended",
    "languages",
    "builder_heading",
    "builder_intro",
    "format",
    "format_script",
    "format_html",
    "format_markdown",
    "format_bbcode",
    "format_url",
    "language",
    "variant",
    "variant_footer",
    "variant_badge",
    "variant_ribbon",
    "style",
    "theme",
    "theme_auto",
    "theme_light",
    "theme_dark",
    "image",
    "scale",
    "snippet",
    "preview",
    "copy",
    "copied",
    "copy_failed",
    "ready_heading",
    "ready_intro",
    "footer",
)
"""Every text of the landing page. ``story`` may use ``{start_date}``; ``story_ended`` also ``{end_date}``."""

STATE_KEYS = ("label", "message", "sentence")
FILE_KEYS: dict[str, tuple[str, ...]] = {
    "language": ("name", "locale", "direction", "number_locale", "page_fallback"),
    "widget": ("close",),
    "running": STATE_KEYS,
    "ended": STATE_KEYS,
    "page": PAGE_KEYS,
}
"""Every table of a translation file and the keys it may hold; ``page`` and some ``language`` keys are optional."""

LANGUAGE_CODE = re.compile(r"[a-z]{2,8}(-[a-z0-9]{1,8})*")
"""A translation file's name without ``.toml``: the code the ``lang`` parameter takes, in lower case."""

TRANSLATIONS: Traversable = resources.files("widget.text").joinpath("translations")
"""The folder of translation files the service reads."""


class TranslationError(Exception):
    """A translation file that cannot be used; ``str()`` is one line naming the file and the key.

    Start-up reads every file before serving, so a translator's slip stops the deploy with the
    place to fix instead of a traceback (a bare ``KeyError``) or a page with a hole in it.
    """

    def __init__(self, path: str, key: str, problem: str) -> None:
        self.path = path
        self.key = key
        super().__init__(f"translation error: {path}: {key} {problem}")


@dataclass(frozen=True)
class Phrase:
    """One text in every plural form its language uses."""

    forms: dict[str, str]

    def render(self, plural_form: str, count: str) -> str:
        """The form for ``plural_form`` (or ``other``) with ``{count}`` filled in."""
        return self.forms.get(plural_form, self.forms["other"]).replace("{count}", count)


@dataclass(frozen=True)
class StateTexts:
    """The texts for one state of the block (running or ended)."""

    label: str
    message: Phrase
    sentence: Phrase


@dataclass(frozen=True)
class Language:
    """A language the counter speaks, as its translation file describes it."""

    code: str
    name: str
    locale: Locale
    direction: Direction
    running: StateTexts
    ended: StateTexts
    close_label: str
    """The accessible name of the embedded ribbon's close button."""
    number_locale: Locale
    """The locale whose digits and grouping write the count (Darija writes numbers as ar_MA does)."""
    page: Mapping[str, str] = field(default_factory=dict)
    """The landing page's own texts in this language, possibly incomplete (see ``page_fallback``)."""
    page_fallback: str | None = None
    """The language whose page texts stand in for missing ones."""

    def format_count(self, days: int) -> str:
        """``days`` as the locale writes numbers."""
        return format_decimal(days, locale=self.number_locale)


@dataclass(frozen=True)
class CounterTexts:
    """Everything the counter says in one language on one day."""

    lang: str
    direction: Direction
    label: str
    message: str
    sentence: str


@dataclass(frozen=True)
class PageText:
    """One landing-page text, with the language it is really written in (after any fallback)."""

    text: str
    lang: str
    direction: Direction


def quoted(text: str) -> str:
    """``text`` as a TOML string on one line: what the translator wrote, with anything unprintable escaped."""
    return json.dumps(text)


class _TranslationFile:
    """One parsed translation file whose every lookup checks presence and type, naming the key if not."""

    def __init__(self, path: str, document: Mapping[str, object]) -> None:
        self.path = path
        self.document = document

    def error(self, key: str, problem: str) -> TranslationError:
        return TranslationError(self.path, key, problem)

    def table(self, name: str) -> Mapping[str, object]:
        """The table ``[name]``, which must be present."""
        if name not in self.document:
            raise self.error(name, "is missing: every translation file needs this table")
        return self.optional_table(name)

    def optional_table(self, name: str) -> Mapping[str, object]:
        """The table ``[name]``, empty when absent."""
        value = self.document.get(name, {})
        if not isinstance(value, dict):
            raise self.error(name, f"must be a table, written [{name}]")
        return value

    def text(self, table: str, key: str) -> str:
        """The text ``key`` of ``[table]``; the table and the text must be present."""
        text = self.optional_text(table, key) if key in self.table(table) else None
        if text is None:
            raise self.error(f"{table}.{key}", "is missing: every translation file needs this text")
        return text

    def optional_text(self, table: str, key: str) -> str | None:
        """The text ``key`` of ``[table]`` if present: a non-empty string."""
        value = self.optional_table(table).get(key)
        if value is not None and (not isinstance(value, str) or not value.strip()):
            raise self.error(f"{table}.{key}", "must be a non-empty text in quotes")
        return value

    def locale(self, table: str, key: str, identifier: str) -> Locale:
        try:
            return Locale.parse(identifier)
        except (ValueError, UnknownLocaleError):
            raise self.error(
                f"{table}.{key}", f"= {quoted(identifier)} is not a locale Babel knows, e.g. fr_MA"
            ) from None

    def refuse_unknown_keys(self) -> None:
        """A misspelt table or key would otherwise be ignored, and its text silently missing."""
        for table in self.document:
            if table not in FILE_KEYS:
                raise self.error(table, "is not a table a translation file has: " + ", ".join(FILE_KEYS))
            unknown = sorted(set(self.optional_table(table)) - set(FILE_KEYS[table]))
            if unknown:
                raise self.error(f"{table}.{unknown[0]}", "is not a key of this table: " + ", ".join(FILE_KEYS[table]))


def _phrase(file: _TranslationFile, state: str, name: str, locale: Locale) -> Phrase:
    """A text in every plural form ``locale`` uses: one string, or a table of forms (``message.few``)."""
    key = f"{state}.{name}"
    value = file.table(state).get(name)
    if value is None:
        raise file.error(key, "is missing: every translation file needs this text")
    if isinstance(value, str) and value.strip():
        return Phrase({"other": value})
    if not isinstance(value, dict):
        raise file.error(key, "must be a non-empty text in quotes or a table of plural forms")
    used = sorted(set(locale.plural_form.tags) | {"other"})
    for form, text in value.items():
        if form not in used:
            raise file.error(f"{key}.{form}", f"is not a plural form of {locale}, which uses {', '.join(used)}")
        if not isinstance(text, str) or not text.strip():
            raise file.error(f"{key}.{form}", "must be a non-empty text in quotes")
    missing = [form for form in used if form not in value]
    if missing:
        raise file.error(f"{key}.{missing[0]}", f"is missing: {locale} needs the plural forms {', '.join(used)}")
    return Phrase(dict(value))


def _load_language(path: str, code: str, source: str) -> Language:
    """The language ``code`` from the text of its translation file, which errors name by ``path``."""
    if not LANGUAGE_CODE.fullmatch(code):
        raise TranslationError(path, "the file name", "must be a lower-case language code and .toml, e.g. fr.toml")
    try:
        document = tomllib.loads(source)
    except tomllib.TOMLDecodeError as error:
        raise TranslationError(path, "the file", f"is not valid TOML: {error}") from None
    file = _TranslationFile(path, document)
    file.refuse_unknown_keys()
    locale = file.locale("language", "locale", file.text("language", "locale"))
    number_locale = file.optional_text("language", "number_locale")
    direction = file.text("language", "direction")
    if direction not in ("ltr", "rtl"):
        raise file.error("language.direction", f"= {quoted(direction)} is not ltr or rtl")

    def state_texts(state: str) -> StateTexts:
        return StateTexts(
            label=file.text(state, "label"),
            message=_phrase(file, state, "message", locale),
            sentence=_phrase(file, state, "sentence", locale),
        )

    return Language(
        code=code,
        name=file.text("language", "name"),
        locale=locale,
        direction="rtl" if direction == "rtl" else "ltr",
        running=state_texts("running"),
        ended=state_texts("ended"),
        close_label=file.text("widget", "close"),
        number_locale=locale if number_locale is None else file.locale("language", "number_locale", number_locale),
        page={key: text for key in PAGE_KEYS if (text := file.optional_text("page", key)) is not None},
        page_fallback=file.optional_text("language", "page_fallback"),
    )


def _check_page_texts(loaded: Mapping[str, Language], paths: Mapping[str, str]) -> None:
    """Every language must reach every page text, itself or through one fallback that is complete."""
    for code, language in loaded.items():
        if language.page_fallback is not None and language.page_fallback not in loaded:
            raise TranslationError(
                paths[code], "language.page_fallback", f"= {quoted(language.page_fallback)} names no translation file"
            )
        missing = sorted(set(PAGE_KEYS) - set(language.page))
        if not missing:
            continue
        if language.page_fallback is None:
            raise TranslationError(
                paths[code], f"page.{missing[0]}", "is missing, and language.page_fallback names no stand-in language"
            )
        fallback = loaded[language.page_fallback]
        fallback_missing = sorted(set(PAGE_KEYS) - set(fallback.page))
        if fallback_missing:
            raise TranslationError(
                paths[fallback.code],
                f"page.{fallback_missing[0]}",
                f"is missing, and {code}.toml takes its page texts from this file",
            )


def load_languages(folder: Traversable) -> dict[str, Language]:
    """Every language with a translation file in ``folder``, in menu order, all checked."""
    found = {entry.name.removesuffix(".toml"): entry for entry in folder.iterdir() if entry.name.endswith(".toml")}
    order = [code for code in PREFERRED_ORDER if code in found] + sorted(set(found) - set(PREFERRED_ORDER))
    paths = {code: str(found[code]) for code in order}
    loaded = {}
    for code in order:
        try:
            source = found[code].read_text(encoding="utf-8")
        except UnicodeDecodeError as error:
            raise TranslationError(paths[code], "the file", f"is not UTF-8 ({error.reason})") from None
        loaded[code] = _load_language(paths[code], code, source)
    _check_page_texts(loaded, paths)
    return loaded


@cache
def languages() -> dict[str, Language]:
    """Every language of the service's translation files, read once."""
    return load_languages(TRANSLATIONS)


def available_languages() -> tuple[str, ...]:
    """Language codes in menu order: ``fr``, ``ar``, ``zgh``, ``en``, then the rest."""
    return tuple(languages())


def counter_texts(lang: str, days: int, ended: bool) -> CounterTexts:
    """The label, badge message and full sentence for ``days`` in ``lang``."""
    language = languages()[lang]
    texts = language.ended if ended else language.running
    plural_form = language.locale.plural_form(days)
    count = language.format_count(days)
    return CounterTexts(
        lang=lang,
        direction=language.direction,
        label=texts.label,
        message=texts.message.render(plural_form, count),
        sentence=texts.sentence.render(plural_form, count),
    )


def page_texts(lang: str) -> dict[str, PageText]:
    """Every landing-page text for ``lang``, each taken from ``lang`` or else from its fallback."""
    all_languages = languages()
    language = all_languages[lang]
    texts = {}
    for key in PAGE_KEYS:
        source = language if key in language.page else all_languages[language.page_fallback or ""]
        texts[key] = PageText(source.page[key], source.code, source.direction)
    return texts
