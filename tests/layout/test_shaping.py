"""HarfBuzz shaping: joined Arabic, real Tifinagh glyphs, accents, digits placed in right-to-left lines."""

# ruff: noqa: RUF001  (Arabic, Hebrew and Tifinagh letters are the point of these tests)

import unicodedata
from functools import cache

import pytest
from fontTools.ttLib import TTFont

from widget.layout.fonts import Script, Weight, assets_folder, font_face
from widget.layout.shaping import ShapedLine, shape_line
from widget.text.catalog import counter_texts, languages

SIZE = 11.0
COUNTS = (0, 1, 2, 3, 11, 100, 304, 3979, 1_000_000)


@cache
def font_file(script: Script) -> TTFont:
    return TTFont(assets_folder() / "fonts" / f"{script.value}-Regular.ttf")


def isolated_advances(text: str, script: Script, size: float = SIZE) -> float:
    """The width a per-character table would give: each character's default (isolated) glyph advance."""
    font = font_file(script)
    cmap = font.getBestCmap()
    metrics = font["hmtx"].metrics
    units = font["head"].unitsPerEm
    return sum(metrics[cmap[ord(character)]][0] for character in text) * size / units


def all_translation_texts() -> list[tuple[str, str, str]]:
    """(language, text, direction) for every label, message and sentence, running and ended."""
    found = {}
    for code in languages():
        for days in COUNTS:
            for ended in (False, True):
                texts = counter_texts(code, days, ended)
                for text in (texts.label, texts.message, texts.sentence):
                    found[(text, texts.direction)] = code
                    found[(text.upper(), texts.direction)] = code  # the for-the-badge style
    return [(code, text, direction) for (text, direction), code in found.items()]


def arabic_words() -> list[str]:
    """Every word of the Arabic-script translations written in Arabic letters only."""
    words = set()
    for code, text, _ in all_translation_texts():
        if languages()[code].direction == "rtl":
            words |= {word for word in text.split() if all("\u0600" <= character <= "\u06ff" for character in word)}
    return sorted(words)


def glyph_ids(line: ShapedLine) -> list[int]:
    return [glyph.glyph_id for glyph in line.glyphs]


# --- Arabic joins -------------------------------------------------------------------------------


def test_arabic_text_is_notably_narrower_than_its_isolated_letters():
    """Joined forms are narrower: a per-character table would be about a fifth too wide here."""
    words = arabic_words()
    assert len(words) >= 15
    text = " ".join(words)
    shaped = shape_line(text, SIZE, direction="rtl").width
    isolated = isolated_advances(text, Script.ARABIC)
    assert shaped < 0.88 * isolated, (shaped, isolated)


@pytest.mark.parametrize("word", ["يومًا", "أيام", "المغرب", "مكالمات", "البلوكاج"])
def test_joining_arabic_words_are_narrower_than_their_isolated_letters(word: str):
    assert shape_line(word, SIZE, direction="rtl").width < 0.93 * isolated_advances(word, Script.ARABIC)


@pytest.mark.parametrize(
    ("text", "script"),
    [("VoIP blocked in Morocco", Script.LATIN), ("ⴰⴳⴷⴰⵍ ⵏ ⵍⵎⵖⵔⵉⴱ", Script.TIFINAGH)],
)
def test_non_joining_scripts_keep_their_isolated_widths(text: str, script: Script):
    """The control: for Latin and Tifinagh a table would be within a couple of percent (kerning)."""
    shaped = shape_line(text, SIZE).width
    assert shaped == pytest.approx(isolated_advances(text, script), rel=0.02)


def test_arabic_letters_take_contextual_forms_not_their_isolated_glyphs():
    word = "يومًا"
    cmap = font_file(Script.ARABIC).getBestCmap()
    names = font_file(Script.ARABIC).getGlyphOrder()
    shaped = {names[glyph_id] for glyph_id in glyph_ids(shape_line(word, SIZE, direction="rtl"))}
    isolated = {cmap[ord(character)] for character in word}
    assert shaped != isolated
    assert cmap[ord("ي")] not in shaped  # the initial form of yeh, not the isolated one


def test_arabic_glyphs_come_from_the_arabic_font_with_their_digits():
    line = shape_line("3.979 يومًا", SIZE, direction="rtl")
    assert {glyph.face.name for glyph in line.glyphs} == {"NotoSansArabic-Regular"}


# --- digits in right-to-left lines --------------------------------------------------------------


def digit_positions(line: ShapedLine, text: str) -> tuple[list[float], list[float]]:
    """x of the glyphs of digits and separators, and x of the other glyphs, by glyph id."""
    face = line.glyphs[0].face
    number_glyphs = {face.font.get_nominal_glyph(ord(character)) for character in "0123456789.,"}
    numbers = [glyph.x for glyph in line.glyphs if glyph.glyph_id in number_glyphs]
    others = [glyph.x for glyph in line.glyphs if glyph.glyph_id not in number_glyphs]
    return numbers, others


def test_rtl_line_puts_the_number_of_3979_days_at_its_right_end_reading_left_to_right():
    """'3.979 يومًا' reads from the right: the number first (rightmost), then the word to its left.

    This is what python-bidi's display order and every browser give (see test_bidi).
    """
    text = "3.979 يومًا"
    line = shape_line(text, SIZE, direction="rtl")
    numbers, others = digit_positions(line, text)
    assert len(numbers) == 5
    assert max(others) < min(numbers)  # the word, then the space, are left of the number
    face = line.glyphs[0].face
    expected = [face.font.get_nominal_glyph(ord(character)) for character in "3.979"]
    in_order = [glyph.glyph_id for glyph in sorted(line.glyphs, key=lambda glyph: glyph.x)][-5:]
    assert in_order == expected  # 3 . 9 7 9 from left to right, not mirrored


def test_ltr_line_puts_the_number_at_its_left_end():
    line = shape_line("3.979 يومًا", SIZE, direction="ltr")
    numbers, others = digit_positions(line, "3.979 يومًا")
    assert max(numbers) < min(others)


def test_latin_word_inside_an_arabic_line_is_drawn_left_to_right_with_the_latin_font():
    line = shape_line("حجب VoIP في المغرب", SIZE, direction="rtl")
    latin = [glyph for glyph in line.glyphs if glyph.face.name == "NotoSans-Regular"]
    face = font_face(Script.LATIN, Weight.REGULAR)
    letters = [face.font.get_nominal_glyph(ord(character)) for character in "VoIP"]
    assert [glyph.glyph_id for glyph in latin if glyph.glyph_id in letters] == letters
    assert [glyph.x for glyph in latin] == sorted(glyph.x for glyph in latin)


# --- real glyphs for every script ---------------------------------------------------------------

TRANSLATION_TEXTS = all_translation_texts()


@pytest.mark.parametrize("weight", list(Weight))
def test_no_translation_shapes_to_a_missing_glyph(weight: Weight):
    for code, text, direction in TRANSLATION_TEXTS:
        line = shape_line(text, SIZE, weight, direction)
        assert line.glyphs, (code, text)
        missing = [glyph.face.name for glyph in line.glyphs if glyph.glyph_id == 0]
        assert not missing, f"{code}: .notdef in {text!r} from {missing}"


@pytest.mark.parametrize("weight", list(Weight))
def test_tifinagh_letters_are_drawn_with_noto_sans_tifinagh(weight: Weight):
    texts = [(text, direction) for code, text, direction in TRANSLATION_TEXTS if code == "zgh"]
    assert texts
    for text, direction in texts:
        line = shape_line(text, SIZE, weight, direction)
        tifinagh_letters = sum(1 for character in text if "\u2d30" <= character <= "\u2d7f")
        tifinagh_glyphs = [glyph for glyph in line.glyphs if glyph.face.name.startswith("NotoSansTifinagh-Regular")]
        assert tifinagh_letters > 0
        assert len(tifinagh_glyphs) >= tifinagh_letters  # one glyph each at least, plus spaces between them
        assert all(glyph.glyph_id != 0 for glyph in tifinagh_glyphs)


def test_tifinagh_line_has_the_width_of_its_glyphs():
    text = "ⵓⵙⵙⴰⵏ"
    assert shape_line(text, SIZE).width == pytest.approx(isolated_advances(text, Script.TIFINAGH), abs=0.5)


@pytest.mark.parametrize("text", ["VoIP bloquée au Maroc", "a duré 304 jours", "bloque\u0301e"])
def test_latin_accents_are_real_glyphs(text: str):
    line = shape_line(text, SIZE)
    face = font_face(Script.LATIN, Weight.REGULAR)
    assert all(glyph.face is face for glyph in line.glyphs)
    assert 0 not in glyph_ids(line)
    precomposed = unicodedata.normalize("NFC", text)
    accented = {face.font.get_nominal_glyph(ord(character)) for character in precomposed if ord(character) > 0x7F}
    assert accented and accented <= set(glyph_ids(line))


def test_narrow_no_break_space_of_french_numbers_is_a_real_narrow_glyph():
    face = font_face(Script.LATIN, Weight.REGULAR)
    line = shape_line("3\u202f979", SIZE)
    assert face.font.get_nominal_glyph(0x202F) in glyph_ids(line)
    assert shape_line("3\u202f979", SIZE).width < shape_line("3 979", SIZE).width


# --- widths and options ---------------------------------------------------------------------------


def test_empty_text_has_no_glyphs_and_no_width():
    line = shape_line("", SIZE)
    assert line.glyphs == () and line.width == 0


def test_width_grows_with_the_text_and_with_the_size():
    assert shape_line("3,979 days", SIZE).width > shape_line("3 days", SIZE).width
    assert shape_line("3,979 days", 22.0).width == pytest.approx(2 * shape_line("3,979 days", SIZE).width)


def test_glyphs_are_laid_out_from_zero_to_the_line_width():
    for _, text, direction in TRANSLATION_TEXTS[:40]:
        line = shape_line(text, SIZE, direction=direction)
        assert min(glyph.x for glyph in line.glyphs) >= -0.5
        assert max(glyph.x for glyph in line.glyphs) <= line.width


def test_letter_spacing_spreads_latin_but_never_breaks_arabic_joins():
    latin = "VoIP"
    spaced = shape_line(latin, SIZE, letter_spacing=1.0).width
    assert spaced == pytest.approx(shape_line(latin, SIZE).width + len(latin))
    arabic = "المغرب"
    assert shape_line(arabic, SIZE, direction="rtl", letter_spacing=1.0).width == pytest.approx(
        shape_line(arabic, SIZE, direction="rtl").width
    )


def test_bold_uses_bold_faces_where_they_exist():
    assert {glyph.face.name for glyph in shape_line("VoIP", SIZE, Weight.BOLD).glyphs} == {"NotoSans-Bold"}
    assert {glyph.face.name for glyph in shape_line("المغرب", SIZE, Weight.BOLD, "rtl").glyphs} == {
        "NotoSansArabic-Bold"
    }
    assert {glyph.face.name for glyph in shape_line("ⵓⵙⵙⴰⵏ", SIZE, Weight.BOLD).glyphs} == {
        "NotoSansTifinagh-Regular-SyntheticBold"  # no bold face: HarfBuzz thickens the regular one
    }
    assert shape_line("VoIP", SIZE, Weight.BOLD).width > shape_line("VoIP", SIZE).width
