"""Offset conversion between code points, UTF-16 code units and UTF-8 bytes."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reader.text.offsets import OffsetMap, check_unit, convert_offset, to_codepoint

FIREFIGHTER = "👨🏻‍🚒"  # man, skin tone, ZWJ, fire engine: 4 code points, 3 of them astral


def utf16(text: str, i: int) -> int:
    return len(text[:i].encode("utf-16-le", "surrogatepass")) // 2


def utf8(text: str, i: int) -> int:
    return len(text[:i].encode("utf-8", "surrogatepass"))


def test_word_after_firefighter_emoji_in_utf16():
    text = f"Meet the {FIREFIGHTER} crew"
    start = text.index("crew")
    assert start == 14
    offsets = OffsetMap(text)
    # Three characters outside the BMP before the word, each one unit longer in UTF-16.
    assert offsets.to_utf16(start) == 17
    assert offsets.to_utf16(start + 4) == 21
    assert offsets.from_utf16(17) == start


def test_emoji_in_utf8_bytes():
    offsets = OffsetMap("hello 😀")
    assert offsets.length("codepoint") == 7
    assert offsets.length("utf8") == 10
    assert offsets.to_utf8(6) == 6
    assert offsets.from_utf8(10) == 7


def test_ascii_text_is_the_same_in_every_unit():
    text = "plain ASCII text, nothing else."
    offsets = OffsetMap(text)
    for i in range(len(text) + 1):
        assert offsets.to_utf16(i) == offsets.to_utf8(i) == i
        assert offsets.from_utf16(i) == offsets.from_utf8(i) == i


def test_every_position_of_mixed_text_matches_the_encoders():
    # Longer than one UTF-8 checkpoint chunk, with astral, combining, CJK and 2-byte characters.
    text = ("Zoe\u0301 👨‍👩‍👧 met 北京 🇬🇧 café — “quoted” " * 40) + "end"
    offsets = OffsetMap(text)
    for i in range(len(text) + 1):
        u16, u8 = utf16(text, i), utf8(text, i)
        assert offsets.to_utf16(i) == u16
        assert offsets.to_utf8(i) == u8
        assert offsets.from_utf16(u16) == i
        assert offsets.from_utf8(u8) == i
        assert offsets.convert(i, "codepoint") == i
        assert offsets.to_codepoint(u16, "utf16") == i


def test_offsets_inside_a_character_are_refused():
    offsets = OffsetMap("a😀b")
    with pytest.raises(ValueError, match="surrogate pair"):
        offsets.from_utf16(2)  # between the two halves of 😀
    with pytest.raises(ValueError, match="inside a character"):
        offsets.from_utf8(3)  # inside the four bytes of 😀
    assert offsets.from_utf16(3) == 2
    assert offsets.from_utf8(5) == 2


@pytest.mark.parametrize("unit", ["codepoint", "utf16", "utf8"])
def test_offsets_outside_the_text_are_refused(unit):
    offsets = OffsetMap("é😀")
    with pytest.raises(ValueError):
        offsets.convert(3, unit)
    with pytest.raises(ValueError):
        offsets.convert(-1, unit)
    with pytest.raises(ValueError):
        offsets.to_codepoint(offsets.length(unit) + 1, unit)


def test_lone_surrogate_counts_as_one_unit():
    text = "a\ud800b"
    offsets = OffsetMap(text)
    assert offsets.to_utf16(3) == 3
    assert offsets.to_utf8(2) == 4
    assert offsets.from_utf8(4) == 2


def test_unknown_unit():
    with pytest.raises(ValueError, match="unknown offset unit"):
        check_unit("bytes")
    with pytest.raises(ValueError, match="unknown offset unit"):
        OffsetMap("x").convert(0, "utf32")


def test_one_off_helpers():
    text = f"{FIREFIGHTER} x"
    assert convert_offset(text, 5, "utf16") == 8
    assert to_codepoint(text, 8, "utf16") == 5
    assert convert_offset(text, 5, "utf8") == utf8(text, 5)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=600))
def test_conversions_agree_with_the_encoders(text):
    offsets = OffsetMap(text)
    for i in range(0, len(text) + 1, max(1, len(text) // 25)):
        assert offsets.to_utf16(i) == utf16(text, i)
        assert offsets.to_utf8(i) == utf8(text, i)
        assert offsets.from_utf16(utf16(text, i)) == i
        assert offsets.from_utf8(utf8(text, i)) == i
