"""Our bidi levels and reordering against python-bidi's full UAX #9 implementation."""

# ruff: noqa: RUF001  (Arabic, Hebrew and Tifinagh letters are the point of these tests)

import unicodedata

import pytest
from bidi import algorithm, get_display
from hypothesis import given, settings
from hypothesis import strategies as st

from widget.layout.bidi import bidi_class, resolve_levels, visual_order
from widget.text.catalog import counter_texts, languages

COUNTS = (0, 1, 2, 3, 11, 100, 304, 3979, 1_000_000)


def ours(text: str, direction: str) -> str:
    """``text`` as it reads from left to right after our level resolution and rule L2."""
    levels = resolve_levels(text, 1 if direction == "rtl" else 0)
    order = visual_order(levels)
    assert sorted(order) == list(range(len(text)))
    return "".join(text[index] for index in order)


def reference(text: str, direction: str) -> str:
    """python-bidi's display string (it also mirrors brackets: the texts compared here have none)."""
    assert not any(unicodedata.mirrored(character) for character in text), text
    return get_display(text, base_dir="R" if direction == "rtl" else "L")


def reference_levels(text: str, direction: str) -> list[int]:
    """python-bidi's legacy pure-Python levels: its five steps, run in turn on its storage dictionary."""
    base_level = 1 if direction == "rtl" else 0
    storage = algorithm.get_empty_storage()
    storage["base_level"], storage["base_dir"] = base_level, "LR"[base_level]
    algorithm.get_embedding_levels(text, storage)
    algorithm.explicit_embed_and_overrides(storage)
    algorithm.resolve_weak_types(storage)
    algorithm.resolve_neutral_types(storage, False)
    algorithm.resolve_implicit_levels(storage, False)
    levels = [character["level"] for character in storage["chars"]]
    assert len(levels) == len(text), "python-bidi dropped characters (rule X9): compare texts without them"
    return levels


def translation_strings() -> list[tuple[str, str, str]]:
    """(id, text, paragraph direction) for every label, message and sentence, running and ended."""
    found: dict[tuple[str, str], str] = {}
    for code in languages():
        for days in COUNTS:
            for ended in (False, True):
                texts = counter_texts(code, days, ended)
                for kind, text in (("label", texts.label), ("message", texts.message), ("sentence", texts.sentence)):
                    found.setdefault((text, texts.direction), f"{code}-{'ended' if ended else 'running'}-{kind}-{days}")
    return [(name, text, direction) for (text, direction), name in found.items()]


TRANSLATIONS = translation_strings()


@pytest.mark.parametrize(("name", "text", "direction"), TRANSLATIONS, ids=[name for name, _, _ in TRANSLATIONS])
def test_visual_order_of_every_translation_matches_python_bidi(name: str, text: str, direction: str):
    assert ours(text, direction) == reference(text, direction)


@pytest.mark.parametrize(("name", "text", "direction"), TRANSLATIONS, ids=[name for name, _, _ in TRANSLATIONS])
def test_visual_order_of_every_translation_in_the_opposite_paragraph_matches_python_bidi(
    name: str, text: str, direction: str
):
    """An Arabic label quoted in a French page, a French one in an Arabic page."""
    opposite = "ltr" if direction == "rtl" else "rtl"
    assert ours(text, opposite) == reference(text, opposite)


@pytest.mark.parametrize(("name", "text", "direction"), TRANSLATIONS, ids=[name for name, _, _ in TRANSLATIONS])
def test_levels_of_every_translation_in_either_paragraph_match_python_bidi(name: str, text: str, direction: str):
    """The levels themselves, which HarfBuzz's runs are cut by, before any reordering.

    Rule L1 (trailing spaces back to the paragraph level) is applied by python-bidi only while
    reordering, so the texts are compared without trailing spaces; translations have none.
    """
    assert text == text.rstrip()
    for paragraph in ("ltr", "rtl"):
        assert resolve_levels(text, 1 if paragraph == "rtl" else 0) == reference_levels(text, paragraph)


def test_translations_cover_both_directions_and_every_language():
    assert {direction for _, _, direction in TRANSLATIONS} == {"ltr", "rtl"}
    assert {name.split("-")[0] for name, _, _ in TRANSLATIONS} == set(languages())


MIXED = [
    "abc 123 ابت",
    "VoIP 3.979 يومًا",
    "3.979 يومًا",
    "3,979 days in المغرب",
    "50% خصم",
    "خصم 50%",
    "ابت 1-2 x",
    "ابت 1,234.5 جح",
    "a 12:30 ب",
    "ب $5 ا",
    "abc ١٢٣ def",
    "ابت abc 12 ثج",
    "ابت ١٢٣ abc",
    "  ابت  ",
    "abc  ",
    "من 2016-01-05 إلى 2016-11-04",
    "ⴰⴳⴷⴰⵍ ⵏ VoIP ⴳ ⵍⵎⵖⵔⵉⴱ 3\xa0979",
    "עברית and العربية 42",
    "e\u0301 ب\u064b 1",
    "",
]


@pytest.mark.parametrize("direction", ["ltr", "rtl"])
@pytest.mark.parametrize("text", MIXED)
def test_visual_order_of_mixed_strings_matches_python_bidi(text: str, direction: str):
    assert ours(text, direction) == reference(text, direction)


# Characters whose handling our resolver claims to share with UAX #9: strong letters of three
# directions, European and Arabic digits, separators, terminators, marks and spaces. Left out:
# brackets and other mirrored characters (python-bidi mirrors them), explicit controls, boundary
# neutrals and segment separators (see their own tests below).
ALPHABET = [
    *"abVZé",
    *"ابجيمة",
    "\u05d0",
    "\u2d30",
    *"0123",
    *"٠١٢",
    *" .,:/-+%$#",
    "\xa0",
    "\u202f",
    "\u064b",
    "\u0300",
    "\u066b",
    "\u066c",
    "\u2212",
    "\u00b0",
    "\u060c",
]


def test_alphabet_for_the_property_test_has_no_mirrored_characters():
    assert not [character for character in ALPHABET if unicodedata.mirrored(character)]


@settings(max_examples=500, deadline=None)
@given(text=st.text(alphabet=st.sampled_from(ALPHABET), min_size=1, max_size=16), rtl=st.booleans())
def test_visual_order_matches_python_bidi_for_any_mix_of_letters_digits_and_separators(text: str, rtl: bool):
    direction = "rtl" if rtl else "ltr"
    assert ours(text, direction) == reference(text, direction)


# --- levels themselves --------------------------------------------------------------------------


def test_plain_latin_stays_at_level_zero():
    assert resolve_levels("VoIP bloquée", 0) == [0] * 12


def test_arabic_with_digits_in_an_rtl_paragraph():
    text = "3.979 يومًا"
    levels = resolve_levels(text, 1)
    assert levels[:5] == [2] * 5  # the number, read left to right inside the right-to-left line
    assert levels[5:] == [1] * 6


def test_arabic_digits_after_arabic_letters_are_arabic_numbers_in_an_ltr_paragraph():
    levels = resolve_levels("ب ٣", 0)
    assert levels == [1, 1, 2]


def test_trailing_spaces_take_the_paragraph_level():
    assert resolve_levels("ابت  ", 0) == [1, 1, 1, 0, 0]
    assert resolve_levels("abc  ", 1) == [2, 2, 2, 1, 1]


def test_explicit_controls_count_as_neutrals():
    assert bidi_class("\u202b") == "ON"
    assert bidi_class("\u2067") == "ON"
    assert bidi_class("a") == "L"
    assert bidi_class("ب") == "AL"


def test_visual_order_of_nothing_and_of_left_to_right_levels():
    assert visual_order([]) == []
    assert visual_order([0, 0, 0]) == [0, 1, 2]
    assert visual_order([1, 1, 1]) == [2, 1, 0]
    assert visual_order([0, 1, 1, 0]) == [0, 2, 1, 3]
    assert visual_order([1, 2, 2, 1]) == [3, 1, 2, 0]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=5), max_size=30))
def test_visual_order_is_a_permutation_and_keeps_left_to_right_levels_in_place(levels: list[int]):
    order = visual_order(levels)
    assert sorted(order) == list(range(len(levels)))
    if levels and all(level % 2 == 0 for level in levels):
        assert order == list(range(len(levels)))


# --- known divergences from UAX #9 (core bugs, reported) ---------------------------------------


# Cases where python-bidi's current and legacy implementations agree (for "abc \tdef" they do not).
@pytest.mark.parametrize(("text", "direction"), [("b\tVא٠", "rtl"), ("%ج$\t٢", "ltr"), ("ابت \tجحخ", "ltr")])
def test_segment_separators_and_the_spaces_before_them_take_the_paragraph_level(text: str, direction: str):
    assert ours(text, direction) == reference(text, direction)


def without_boundary_neutrals(text: str) -> str:
    return "".join(character for character in text if bidi_class(character) != "BN")


@pytest.mark.parametrize(
    ("text", "direction"),
    [
        ("ب\u200d\u064bx", "ltr"),  # the tanween after a joiner is split from its letter into a left-to-right run
        ("Z\u200d١", "rtl"),  # a joiner splits a number from the letters before it
    ],
)
def test_joiners_do_not_change_the_order_of_the_characters_around_them(text: str, direction: str):
    assert without_boundary_neutrals(ours(text, direction)) == reference(without_boundary_neutrals(text), direction)
