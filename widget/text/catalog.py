"""Translations: one TOML file per language in ``translations/``, read once.

Translators edit those files only. Each text is a template with ``{count}``; plural forms follow
the language's CLDR rules through Babel (Arabic has six), and the number is formatted the way
the locale writes it (``3 979`` in French, ``3.979`` in Moroccan Arabic, ``3,979`` in English).

The landing page's texts live in the same files, in a ``[page]`` table. A language may name a
``page_fallback`` in its ``[language]`` table: any page text it lacks is taken from that language
(Tamazight falls back to French and Darija to Arabic until translators fill them in), and the page
marks those texts with the fallback's ``lang`` so screen readers pronounce them right.
"""

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Literal

from babel import Locale
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


class TranslationError(Exception):
    """A translation file that is missing a text or a plural form its language needs."""


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


def _phrase(code: str, state: str, name: str, value: object, locale: Locale) -> Phrase:
    if isinstance(value, str):
        return Phrase({"other": value})
    if not isinstance(value, dict) or not all(isinstance(form, str) for form in value.values()):
        raise TranslationError(f"{code}.toml: [{state}] {name} must be a text or a table of plural forms")
    missing = sorted((set(locale.plural_form.tags) | {"other"}) - set(value))
    if missing:
        raise TranslationError(f"{code}.toml: [{state}] {name} lacks the plural forms {', '.join(missing)}")
    return Phrase(dict(value))


def _load_language(code: str, source: str) -> Language:
    document = tomllib.loads(source)
    header = document["language"]
    locale = Locale.parse(header["locale"])
    if header["direction"] not in ("ltr", "rtl"):
        raise TranslationError(f"{code}.toml: direction must be ltr or rtl")

    def state_texts(state: str) -> StateTexts:
        section = document[state]
        return StateTexts(
            label=section["label"],
            message=_phrase(code, state, "message", section["message"], locale),
            sentence=_phrase(code, state, "sentence", section["sentence"], locale),
        )

    page = document.get("page", {})
    unknown = sorted(set(page) - set(PAGE_KEYS))
    if unknown:
        raise TranslationError(f"{code}.toml: [page] has unknown texts {', '.join(unknown)}")
    if not all(isinstance(text, str) for text in page.values()):
        raise TranslationError(f"{code}.toml: every [page] text must be a string")
    return Language(
        code=code,
        name=header["name"],
        locale=locale,
        direction=header["direction"],
        running=state_texts("running"),
        ended=state_texts("ended"),
        close_label=document["widget"]["close"],
        number_locale=Locale.parse(header.get("number_locale", header["locale"])),
        page=dict(page),
        page_fallback=header.get("page_fallback"),
    )


def _check_page_texts(loaded: Mapping[str, Language]) -> None:
    """Every language must reach every page text, itself or through one fallback that is complete."""
    for code, language in loaded.items():
        missing = set(PAGE_KEYS) - set(language.page)
        if not missing:
            continue
        fallback = loaded.get(language.page_fallback or "")
        if fallback is None:
            raise TranslationError(
                f"{code}.toml: [page] lacks {', '.join(sorted(missing))} and names no page_fallback language"
            )
        if set(PAGE_KEYS) - set(fallback.page):
            raise TranslationError(f"{code}.toml: page_fallback {fallback.code!r} must have every [page] text")


@cache
def languages() -> dict[str, Language]:
    """Every language with a translation file, in menu order."""
    folder = resources.files("widget.text").joinpath("translations")
    found = {
        entry.name.removesuffix(".toml"): entry.read_text(encoding="utf-8")
        for entry in folder.iterdir()
        if entry.name.endswith(".toml")
    }
    order = [code for code in PREFERRED_ORDER if code in found] + sorted(set(found) - set(PREFERRED_ORDER))
    loaded = {code: _load_language(code, found[code]) for code in order}
    _check_page_texts(loaded)
    return loaded


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
