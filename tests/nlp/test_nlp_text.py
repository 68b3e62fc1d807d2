"""Normalisation, language detection and tokenisation on the text citizens really type."""

import pytest

from nlp.text import TextError, detect_language, has_content, normalize, tokenize


def test_thai_digits_become_arabic_and_repeats_fold():
    assert normalize("น้ำไม่ไหลมา ๓ วันแล้วววว") == "น้ำไม่ไหลมา 3 วันแล้ว"


def test_zero_width_and_control_characters_are_removed():
    assert normalize("ถนน\u200bพัง\x07 มาก") == "ถนนพัง มาก"


def test_emoji_and_repetition_mark_are_dropped():
    assert normalize("ช่วยด้วย 🙏🙏 เร็วๆ") == "ช่วยด้วย เร็ว"


def test_lone_surrogates_do_not_break_normalisation():
    assert normalize("abc\ud800def") == "abcdef"


def test_numbers_keep_their_digits():
    assert normalize("บ้านเลขที่ 1000") == "บ้านเลขที่ 1000"


def test_non_text_input_is_a_clear_error():
    with pytest.raises(TextError):
        normalize(None)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "text, language",
    [
        ("ไฟถนนดับ", "th"),
        ("street light is broken", "en"),
        ("ไฟ street light ดับ broken", "mixed"),
        ("12345 !!", "unknown"),
    ],
)
def test_language_detection(text, language):
    assert detect_language(text) == language


def test_newmm_tokenises_thai_without_spaces_or_punctuation():
    assert tokenize(normalize("ถนนหน้าบ้านพัง!!")) == ["ถนน", "หน้าบ้าน", "พัง"]


def test_emoji_only_has_no_content():
    assert not has_content(normalize("😀😀😀"))
