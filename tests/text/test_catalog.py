"""Translations: CLDR plural forms, locale number formats, running and ended wording."""

import json
import re
import tomllib
from collections.abc import Callable
from importlib import resources
from pathlib import Path

import pytest
from babel import Locale
from hypothesis import given, settings
from hypothesis import strategies as st

from widget.text.catalog import TranslationError, available_languages, counter_texts, languages, load_languages

SAMPLE_COUNTS = (0, 1, 2, 3, 10, 11, 99, 100, 101, 102, 103, 111, 304, 1000, 1002, 3979, 1_000_000, 2_000_000)
LANGUAGES = list(languages())
STATES = ("running", "ended")


def raw_translation(code: str) -> dict:
    """The translation file exactly as a translator wrote it, read without the catalog's help."""
    text = resources.files("widget.text").joinpath("translations", f"{code}.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def raw_locale(code: str) -> Locale:
    return Locale.parse(raw_translation(code)["language"]["locale"])


def numbers_in_category(locale: Locale, tag: str) -> set[int]:
    """Whole numbers (from a wide sample) that ``locale``'s CLDR rules put in plural category ``tag``."""
    sample = [*range(2001), 10**6, 2 * 10**6, 10**7]
    return {number for number in sample if locale.plural_form(number) == tag}


def forms(value: object) -> dict[str, str]:
    return {"other": value} if isinstance(value, str) else dict(value)


# --- the set of languages ----------------------------------------------------------------------


def test_every_translation_file_is_a_language_and_the_promised_four_come_first():
    folder = resources.files("widget.text").joinpath("translations")
    files = {entry.name.removesuffix(".toml") for entry in folder.iterdir() if entry.name.endswith(".toml")}
    assert set(languages()) == files
    assert available_languages() == tuple(languages())
    assert available_languages()[:4] == ("fr", "ar", "zgh", "en")


@pytest.mark.parametrize("code", LANGUAGES)
def test_direction_matches_the_locale_script(code: str):
    expected = "rtl" if raw_locale(code).character_order == "right-to-left" else "ltr"
    assert languages()[code].direction == expected
    assert counter_texts(code, 3979, ended=False).direction == expected


# --- plural forms ------------------------------------------------------------------------------


@pytest.mark.parametrize("code", LANGUAGES)
def test_every_language_file_has_every_plural_form_its_cldr_locale_needs(code: str):
    document = raw_translation(code)
    needed = set(raw_locale(code).plural_form.tags) | {"other"}
    for state in STATES:
        for name in ("message", "sentence"):
            present = set(forms(document[state][name]))
            assert needed <= present, f"{code}.toml [{state}] {name} lacks {sorted(needed - present)}"
        assert document[state]["label"].strip()


@pytest.mark.parametrize("code", LANGUAGES)
def test_no_language_file_has_plural_forms_its_locale_never_uses(code: str):
    """A form the locale never selects (say ``few`` in English) is a translator's typo, never shown."""
    document = raw_translation(code)
    used = set(raw_locale(code).plural_form.tags) | {"other"}
    for state in STATES:
        for name in ("message", "sentence"):
            extra = set(forms(document[state][name])) - used
            assert not extra, f"{code}.toml [{state}] {name} has unused forms {sorted(extra)}"


@pytest.mark.parametrize("code", LANGUAGES)
def test_a_form_may_leave_out_the_number_only_if_it_covers_a_single_number(code: str):
    """Arabic may write 'يومان' for 2; a form that covers 0 and 1 (French 'one') must show the count."""
    document = raw_translation(code)
    locale = raw_locale(code)
    for state in STATES:
        for name in ("message", "sentence"):
            for tag, text in forms(document[state][name]).items():
                if "{count}" not in text:
                    assert len(numbers_in_category(locale, tag)) == 1, f"{code} [{state}] {name}.{tag}: {text!r}"


@pytest.mark.parametrize(
    ("days", "message"),
    [
        (0, "0 يوم"),  # zero
        (1, "يوم واحد"),  # one
        (2, "يومان"),  # two
        (3, "3 أيام"),  # few: 3-10
        (10, "10 أيام"),
        (11, "11 يومًا"),  # many: 11-99
        (99, "99 يومًا"),
        (100, "100 يوم"),  # other
        (101, "101 يوم"),
        (102, "102 يوم"),
        (103, "103 أيام"),  # few again: n % 100 in 3..10
        (111, "111 يومًا"),  # many again: n % 100 in 11..99
        (304, "304 أيام"),
        (1000, "1.000 يوم"),
        (3979, "3.979 يومًا"),
    ],
)
def test_arabic_uses_its_six_plural_forms(days: int, message: str):
    texts = counter_texts("ar", days, ended=False)
    assert texts.message == message
    assert texts.sentence.startswith(message + " ")


@pytest.mark.parametrize(
    ("days", "message"),
    [(1, "دام يومًا واحدًا"), (2, "دام يومين"), (3, "دام 3 أيام"), (11, "دام 11 يومًا"), (304, "دام 304 أيام")],
)
def test_arabic_ended_message_uses_the_accusative_after_lasted(days: int, message: str):
    assert counter_texts("ar", days, ended=True).message == message


@pytest.mark.parametrize(
    ("lang", "days", "message"),
    [
        ("fr", 0, "0 jour"),  # French singular covers 0 and 1
        ("fr", 1, "1 jour"),
        ("fr", 2, "2 jours"),
        ("fr", 1_000_000, "1\u202f000\u202f000 de jours"),  # CLDR 'many': whole millions
        ("en", 0, "0 days"),
        ("en", 1, "1 day"),
        ("en", 2, "2 days"),
    ],
)
def test_french_and_english_plurals(lang: str, days: int, message: str):
    assert counter_texts(lang, days, ended=False).message == message


# --- numbers -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "formatted"),
    [("fr", "3\u202f979"), ("ar", "3.979"), ("en", "3,979"), ("ary", "3.979")],
    ids=["fr-narrow-nbsp", "ar_MA-dot", "en-comma", "ary-as-ar_MA"],
)
def test_counts_are_formatted_the_way_the_locale_writes_numbers(lang: str, formatted: str):
    texts = counter_texts(lang, 3979, ended=False)
    assert formatted in texts.message
    assert formatted in texts.sentence
    assert languages()[lang].format_count(3979) == formatted


@pytest.mark.parametrize("code", LANGUAGES)
def test_formatted_counts_never_break_across_lines(code: str):
    """Grouping separators are non-breaking (or none), so a sentence never wraps inside a number."""
    for days in SAMPLE_COUNTS:
        formatted = languages()[code].format_count(days)
        assert " " not in formatted
        assert formatted.replace("\u202f", "").replace("\xa0", "").replace(",", "").replace(".", "") == str(days)


@pytest.mark.parametrize("code", LANGUAGES)
@pytest.mark.parametrize("ended", [False, True], ids=["running", "ended"])
def test_sentences_and_messages_contain_the_formatted_count(code: str, ended: bool):
    locale = raw_locale(code)
    for days in SAMPLE_COUNTS:
        texts = counter_texts(code, days, ended)
        formatted = languages()[code].format_count(days)
        if len(numbers_in_category(locale, locale.plural_form(days))) == 1:
            continue  # a form for exactly one number may spell it out ("يومان")
        assert texts.sentence.count(formatted) == 1, (days, texts.sentence)
        assert formatted in texts.message, (days, texts.message)


# --- running and ended -------------------------------------------------------------------------

LASTED = {"fr": "a duré", "en": "lasted", "ar": "دام", "ary": "دام", "zgh": "ⵉⴷⵓⵎ"}


@pytest.mark.parametrize("code", [code for code in LANGUAGES if code in LASTED])
def test_ended_texts_say_the_block_lasted(code: str):
    for days in SAMPLE_COUNTS:
        texts = counter_texts(code, days, ended=True)
        assert LASTED[code] in texts.message, texts.message
        assert LASTED[code] in texts.sentence, texts.sentence
        running = counter_texts(code, days, ended=False)
        assert LASTED[code] not in running.message
        assert LASTED[code] not in running.sentence


def test_the_promised_languages_all_have_a_lasted_word_checked_here():
    assert {"fr", "ar", "zgh", "en"} <= set(LASTED)


@pytest.mark.parametrize("code", LANGUAGES)
def test_ended_wording_differs_from_running_wording(code: str):
    for days in SAMPLE_COUNTS:
        running = counter_texts(code, days, ended=False)
        ended = counter_texts(code, days, ended=True)
        assert ended.message != running.message
        assert ended.sentence != running.sentence


def test_english_ended_sentence():
    texts = counter_texts("en", 304, ended=True)
    assert texts.sentence == "The VoIP block in Morocco lasted 304 days"
    assert texts.message == "lasted 304 days"


def test_french_running_sentence():
    assert counter_texts("fr", 3979, ended=False).sentence == "3\u202f979 jours depuis le blocage de la VoIP au Maroc"


@settings(max_examples=200, deadline=None)
@given(code=st.sampled_from(LANGUAGES), days=st.integers(min_value=0, max_value=10**7), ended=st.booleans())
def test_any_count_gives_complete_texts(code: str, days: int, ended: bool):
    texts = counter_texts(code, days, ended)
    assert texts.lang == code
    for text in (texts.label, texts.message, texts.sentence):
        assert text.strip() == text and text
        assert "{" not in text and "}" not in text
    assert len(texts.message) < len(texts.sentence)


def test_unknown_language_is_a_key_error():
    with pytest.raises(KeyError):
        counter_texts("de", 3, ended=False)


@pytest.mark.parametrize("code", LANGUAGES)
def test_every_language_names_the_ribbons_close_button(code: str):
    assert languages()[code].close_label.strip()


# --- a broken translation file stops start-up with one line naming the file and the key --------


@pytest.fixture
def translations(tmp_path: Path) -> Path:
    """A copy of the service's translation files, for a test to break one of them."""
    folder = tmp_path / "translations"
    folder.mkdir()
    for entry in resources.files("widget.text").joinpath("translations").iterdir():
        if entry.name.endswith(".toml"):
            (folder / entry.name).write_bytes(entry.read_bytes())
    return folder


def toml_value(value: object) -> str:
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # a JSON string is a TOML basic string
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    return str(value).lower() if isinstance(value, bool) else str(value)


def toml_text(document: dict) -> str:
    """TOML for a translation file's shape: top-level values, then tables whose plural forms become dotted keys."""
    lines = [f"{name} = {toml_value(value)}" for name, value in document.items() if not isinstance(value, dict)]
    for name, table in document.items():
        if isinstance(table, dict):
            lines.append(f"[{name}]")
            for key, value in table.items():
                if isinstance(value, dict):
                    lines += [f"{key}.{form} = {toml_value(text)}" for form, text in value.items()]
                else:
                    lines.append(f"{key} = {toml_value(value)}")
    return "\n".join(lines) + "\n"


def rewrite(folder: Path, code: str, change: Callable[[dict], object]) -> Path:
    """Apply ``change`` to ``code``'s translation file as TOML data and write it back."""
    path = folder / f"{code}.toml"
    document = tomllib.loads(path.read_text(encoding="utf-8"))
    change(document)
    path.write_text(toml_text(document), encoding="utf-8")
    return path


BROKEN_FILES: dict[str, tuple[str, Callable[[dict], object], str]] = {
    # case: (language, the change, the key the message must name, as a regular expression)
    "table missing": ("fr", lambda file: file.pop("widget"), r"widget"),
    "table not a table": ("en", lambda file: file.update(widget="Close"), r"widget"),
    "text missing": ("en", lambda file: file["widget"].pop("close"), r"widget\.close"),
    "text not a string": ("fr", lambda file: file["widget"].update(close=5), r"widget\.close"),
    "text empty": ("fr", lambda file: file["ended"].update(label=" "), r"ended\.label"),
    "name missing": ("zgh", lambda file: file["language"].pop("name"), r"language\.name"),
    "unknown locale": ("fr", lambda file: file["language"].update(locale="xx_YY"), r"language\.locale"),
    "malformed locale": ("fr", lambda file: file["language"].update(locale="fr-FR"), r"language\.locale"),
    "locale not a string": ("ar", lambda file: file["language"].update(locale=1), r"language\.locale"),
    "unknown number locale": (
        "ary",
        lambda file: file["language"].update(number_locale="ar_XX"),
        r"language\.number_locale",
    ),
    "direction": ("ar", lambda file: file["language"].update(direction="up"), r"language\.direction"),
    "plural form missing": ("ar", lambda file: file["running"]["message"].pop("few"), r"running\.message\.few"),
    "plural form misspelt": (
        "ar",
        lambda file: file["ended"]["sentence"].update(fwe=file["ended"]["sentence"].pop("few")),
        r"ended\.sentence\.fwe",
    ),
    "plural form not a string": ("ar", lambda file: file["running"]["message"].update(two=2), r"running\.message\.two"),
    "sentence missing": ("en", lambda file: file["running"].pop("sentence"), r"running\.sentence"),
    "sentence a list": ("fr", lambda file: file["running"].update(sentence=["jours"]), r"running\.sentence"),
    "unknown table": ("en", lambda file: file.update(runing=file.pop("running")), r"runing"),
    "unknown key": ("en", lambda file: file["language"].update(nmae=file["language"].pop("name")), r"language\.nmae"),
    "page text not a string": ("fr", lambda file: file["page"].update(tagline=3), r"page\.tagline"),
    "page text unknown": (
        "fr",
        lambda file: file["page"].update(tagilne=file["page"].pop("tagline")),
        r"page\.tagilne",
    ),
    "page fallback unknown": (
        "zgh",
        lambda file: file["language"].update(page_fallback="kab"),
        r"language\.page_fallback",
    ),
    "page texts missing, no fallback": ("zgh", lambda file: file.pop("page"), r"page\.[a-z_]+"),
    "page text missing, no fallback": ("ar", lambda file: file["page"].pop("tagline"), r"page\.tagline"),
}


@pytest.mark.parametrize("case", BROKEN_FILES)
def test_a_broken_translation_file_is_refused_naming_the_file_and_the_key(translations: Path, case: str):
    code, change, key = BROKEN_FILES[case]
    path = rewrite(translations, code, change)
    with pytest.raises(TranslationError) as caught:
        load_languages(translations)
    message = str(caught.value)
    assert len(message.splitlines()) == 1, message
    assert re.match(rf"translation error: {re.escape(str(path))}: {key} ", message), message


def test_a_fallback_that_lacks_the_borrowed_page_text_is_named(translations: Path):
    """Tamazight borrows its page texts from French, and French has lost one: the message names French's file."""
    rewrite(translations, "zgh", lambda file: [file.pop("page"), file["language"].update(page_fallback="fr")])
    french = rewrite(translations, "fr", lambda file: file["page"].pop("tagline"))
    with pytest.raises(TranslationError) as caught:
        load_languages(translations)
    message = str(caught.value)
    assert len(message.splitlines()) == 1, message
    assert re.match(rf"translation error: {re.escape(str(french))}: page\.tagline ", message), message


def test_translation_files_written_back_unchanged_load_as_the_services_own(translations: Path):
    """The test's TOML writer loses nothing, so each broken case differs from a good file by its one change."""
    for code in LANGUAGES:
        rewrite(translations, code, lambda file: None)
    assert load_languages(translations) == languages()


def test_a_translation_file_that_is_not_toml_is_refused_by_name(translations: Path):
    path = translations / "ary.toml"
    path.write_text(path.read_text(encoding="utf-8") + 'close = "no closing quote\n', encoding="utf-8")
    expected = f"translation error: {path}: the file is not valid TOML"
    with pytest.raises(TranslationError, match=f"^{re.escape(expected)}"):
        load_languages(translations)


def test_a_translation_file_that_is_not_utf8_is_refused_by_name(translations: Path):
    path = translations / "en.toml"
    path.write_bytes(path.read_bytes().replace(b"Close", b"Clos\xe9"))
    with pytest.raises(TranslationError, match=rf"^translation error: {re.escape(str(path))}: the file is not UTF-8"):
        load_languages(translations)


@pytest.mark.parametrize("name", ["FR.toml", "fr_MA.toml", "x.toml", "fr fr.toml"])
def test_a_translation_file_whose_name_is_no_lang_code_is_refused(translations: Path, name: str):
    (translations / "fr.toml").rename(translations / name)
    with pytest.raises(TranslationError, match="the file name must be a lower-case language code"):
        load_languages(translations)


@pytest.mark.parametrize("lang", ["fr", "zgh"])
def test_thousands_are_grouped_with_a_narrow_no_break_space(lang: str):
    """``3 982`` with U+202F, not the wide U+00A0 that CLDR gives zgh: the number must not read as two."""
    message = counter_texts(lang, 3982, False).message
    assert "3\u202f982" in message, ascii(message)
    assert "\u00a0" not in message
