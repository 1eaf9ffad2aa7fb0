"""Soft wrapping and the offset ↔ cell mapping of the article view."""

from __future__ import annotations

import regex
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.cells import cell_len

from reader.text.segment import grapheme_bounds
from reader.wrap import (
    BIDI_SYMBOL,
    DOTTED_CIRCLE,
    FORMAT_SYMBOL,
    display_grapheme,
    wrap_text,
    wrap_window,
)

FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467"  # man ZWJ woman ZWJ girl
FLAG = "\U0001f1ec\U0001f1e7"
E_ACUTE = "e\u0301"


def rows(text: str, width: int) -> list[str]:
    wrapped = wrap_text(text, width)
    return [text[s:e] for s, e in zip(wrapped.starts, wrapped.ends)]


# -- breaking ---------------------------------------------------------------------------------


def test_short_line_is_one_row():
    assert rows("hello world", 20) == ["hello world"]


def test_breaks_after_last_space_that_fits():
    assert rows("aaa bbb ccc ddd", 8) == ["aaa bbb ", "ccc ddd"]


def test_space_just_past_width_hangs():
    # "aaaa bbbb" at width 4: the space after "aaaa" hangs instead of starting the next row.
    assert rows("aaaa bbbb", 4) == ["aaaa ", "bbbb"]


def test_second_space_starts_next_row():
    assert rows("aaaa  bbbb", 4) == ["aaaa ", " ", "bbbb"]


def test_long_word_breaks_at_width():
    assert rows("abcdefghij xy", 4) == ["abcd", "efgh", "ij ", "xy"]


def test_hard_breaks_and_blank_lines():
    assert rows("one\n\ntwo\n", 10) == ["one", "", "two", ""]


def test_empty_text_has_one_row():
    wrapped = wrap_text("", 10)
    assert (wrapped.starts, wrapped.ends) == ([0], [0])


def test_rows_never_include_newline():
    text = "ab cd\nef gh ij\n\nkl"
    wrapped = wrap_text(text, 3)
    assert all("\n" not in text[s:e] for s, e in zip(wrapped.starts, wrapped.ends))


def test_wide_characters_count_two_cells():
    assert rows("中文字符", 5) == ["中文", "字符"]
    assert rows("中文 字符", 6) == ["中文 ", "字符"]


def test_wide_character_wider_than_row_still_takes_a_row():
    assert rows("中文", 1) == ["中", "文"]


def test_combining_mark_stays_with_its_base():
    text = "ab" + E_ACUTE + "cd"
    assert rows(text, 3) == ["ab" + E_ACUTE, "cd"]


def test_zwj_family_is_one_unbreakable_cluster():
    text = "ab" + FAMILY + FAMILY
    # 2 cells of letters + 2 cells per family.
    assert rows(text, 4) == ["ab" + FAMILY, FAMILY]


def test_flag_is_one_cluster():
    assert rows(FLAG * 3, 4) == [FLAG * 2, FLAG]


def test_text_with_tabs_already_replaced_wraps_on_spaces():
    text = "col1    col2    col3"  # tabs expanded to spaces at import
    assert rows(text, 8) == ["col1    ", "col2    ", "col3"]


def test_control_characters_take_one_cell_each():
    text = "a\x1b[2Jb"
    assert rows(text, 3) == ["a\x1b[", "2Jb"]


# -- display ----------------------------------------------------------------------------------


def test_controls_are_shown_as_pictures():
    assert display_grapheme("\x1b") == ("\u241b", 1)
    assert display_grapheme("\x00") == ("\u2400", 1)
    assert display_grapheme("\x07") == ("\u2407", 1)
    assert display_grapheme("\x7f") == ("\u2421", 1)
    assert display_grapheme("\x9b") == ("\ufffd", 1)  # 8-bit CSI
    assert display_grapheme("\r") == ("\u240d", 1)


def test_bidi_and_invisible_format_characters_are_shown():
    for ch in "\u202e\u2066\u200f\u061c":
        assert display_grapheme(ch) == (BIDI_SYMBOL, 1)
    for ch in "\u200b\ufeff\u2060":
        assert display_grapheme(ch) == (FORMAT_SYMBOL, 1)


def test_lone_combining_mark_sits_on_dotted_circle():
    assert display_grapheme("\u0301") == (DOTTED_CIRCLE + "\u0301", 1)


def test_dangling_zwj_is_not_drawn():
    shown, width = display_grapheme("a\u200d")
    assert (shown, width) == ("a", 1)


def test_ordinary_clusters_are_drawn_as_they_are():
    assert display_grapheme("a") == ("a", 1)
    assert display_grapheme("中") == ("中", 2)
    assert display_grapheme(E_ACUTE) == (E_ACUTE, 1)
    assert display_grapheme(FAMILY) == (FAMILY, 2)


def test_shown_text_has_no_escape_character():
    text = "x\x1b]0;title\x07y\x1b]52;c;ZXZpbA==\x07z\x9d8;;http://e\x9c"
    wrapped = wrap_text(text, 80)
    shown = wrapped.shown(0, len(text))
    assert "\x1b" not in shown and "\x07" not in shown and "\x9d" not in shown
    assert shown.startswith("x\u241b]0;title\u2407y")


# -- offset <-> cell --------------------------------------------------------------------------


def test_offset_to_cell_simple_rows():
    wrapped = wrap_text("aaa bbb ccc", 4)  # rows "aaa ", "bbb ", "ccc"
    assert wrapped.offset_to_cell(0) == (0, 0)
    assert wrapped.offset_to_cell(3) == (0, 3)
    assert wrapped.offset_to_cell(4) == (1, 0)  # a soft break starts the next row
    assert wrapped.offset_to_cell(11) == (2, 3)  # end of text, after the last character


def test_hard_break_belongs_to_its_row():
    wrapped = wrap_text("ab\ncd", 10)
    assert wrapped.offset_to_cell(2) == (0, 2)
    assert wrapped.offset_to_cell(3) == (1, 0)
    assert wrapped.cell_to_offset(0, 7) == 2
    assert wrapped.cell_to_offset(1, 7) == 5


def test_cell_past_soft_row_end_gives_last_character():
    wrapped = wrap_text("aaa bbb", 4)  # "aaa ", "bbb"
    assert wrapped.cell_to_offset(0, 10) == 3
    assert wrapped.last_position(0) == 3
    assert wrapped.last_position(1) == 7


def test_wide_character_cells_map_to_its_start():
    text = "a中b"
    wrapped = wrap_text(text, 10)
    assert [wrapped.cell_to_offset(0, x) for x in range(5)] == [0, 1, 1, 2, 3]
    assert [wrapped.offset_to_cell(o)[1] for o in range(4)] == [0, 1, 3, 4]


def test_zwj_and_combining_cells():
    text = "a" + FAMILY + E_ACUTE + "z"
    wrapped = wrap_text(text, 20)
    family_end = 1 + len(FAMILY)
    assert [wrapped.cell_to_offset(0, x) for x in range(6)] == [
        0, 1, 1, family_end, family_end + 2, family_end + 3,
    ]
    # An offset inside a cluster maps to the cluster's cell.
    assert wrapped.offset_to_cell(3) == (0, 1)
    assert wrapped.offset_to_cell(family_end + 1) == (0, 3)


def test_rows_out_of_range_are_clamped():
    wrapped = wrap_text("ab\ncd", 10)
    assert wrapped.cell_to_offset(-3, 0) == 0
    assert wrapped.cell_to_offset(99, 0) == 3
    assert wrapped.offset_to_cell(999) == (1, 2)


def test_rows_of_a_range():
    wrapped = wrap_text("aaa bbb ccc ddd", 4)
    assert list(wrapped.rows_of(0, 1)) == [0]
    assert list(wrapped.rows_of(2, 9)) == [0, 1, 2]
    assert list(wrapped.rows_of(8, 8)) == [2]


# -- properties -------------------------------------------------------------------------------

PIECES = [
    "a", "b", "Z", " ", " ", " ", "\n", "中", "文", E_ACUTE, "\u0301", FAMILY, FLAG, "\x1b",
    "\x00", "\x7f", "\x85", "\u200e", "\u200b", "\u200d", "\ufe0f", "\u2764", "ß", "—", "“",
    "한", "\u1100", "\u1161", "\r", "\u0e01\u0e33", "\U0001f44d\U0001f3fd",
]
texts = st.lists(st.sampled_from(PIECES), max_size=60).map("".join)


def reference_rows(text: str, width: int) -> list[tuple[int, int]]:
    """The wrapping rules written out plainly, cluster by cluster."""
    out: list[tuple[int, int]] = []
    pos = 0
    for line in text.split("\n"):
        clusters = [(m.start() + pos, m.end() + pos) for m in regex.finditer(r"\X", line)]
        widths = [display_grapheme(text[a:b])[1] for a, b in clusters]
        if not clusters:
            out.append((pos, pos))
        i = 0
        while i < len(clusters):
            used, j = 0, i
            while j < len(clusters) and used + widths[j] <= width:
                used += widths[j]
                j += 1
            if j == len(clusters):
                stop = j
            elif text[clusters[j][0]:clusters[j][1]] == " ":
                stop = j + 1
            else:
                spaces = [k for k in range(i, j) if text[clusters[k][0]:clusters[k][1]] == " "]
                stop = spaces[-1] + 1 if spaces else max(j, i + 1)
            out.append((clusters[i][0], clusters[stop - 1][1]))
            i = stop
        pos += len(line) + 1
    return out


@settings(max_examples=300, deadline=None)
@given(texts, st.integers(min_value=1, max_value=12))
def test_wrap_matches_reference(text, width):
    wrapped = wrap_text(text, width)
    assert list(zip(wrapped.starts, wrapped.ends)) == reference_rows(text, width)


@settings(max_examples=300, deadline=None)
@given(texts, st.integers(min_value=1, max_value=12))
def test_rows_partition_text_and_fit(text, width):
    wrapped = wrap_text(text, width)
    rebuilt = []
    for row in range(len(wrapped)):
        start, end = wrapped.row_span(row)
        rebuilt.append(text[start:end])
        rebuilt.append("\n" if wrapped.ends_line(row) and end < len(text) else "")
        cells = wrapped.row_cells(row)
        clusters = wrapped.cells(row)
        fits = cells <= width
        hangs = clusters and clusters[-1].shown == " " and cells - 1 <= width
        single = len(clusters) == 1
        assert fits or hangs or single
    assert "".join(rebuilt) == text


@settings(max_examples=300, deadline=None)
@given(texts, st.integers(min_value=1, max_value=12))
def test_cell_of_offset_maps_back(text, width):
    wrapped = wrap_text(text, width)
    for offset in grapheme_bounds(text):
        row, x = wrapped.offset_to_cell(offset)
        assert wrapped.cell_to_offset(row, x) == offset


@settings(max_examples=300, deadline=None)
@given(texts, st.integers(min_value=1, max_value=12))
def test_drawn_width_agrees_with_rich(text, width):
    wrapped = wrap_text(text, width)
    for row in range(len(wrapped)):
        start, end = wrapped.row_span(row)
        shown = wrapped.shown(start, end)
        assert cell_len(shown) == wrapped.row_cells(row)
        assert not any(ch in shown for ch in "\x1b\x00\x7f\x85\r\u200e")


def test_fast_path_matches_cluster_path():
    words = ["alpha", "beta", "γάμμα", "“quoted”", "—", "£39bn", "x" * 30]
    text = " ".join(words[i % len(words)] for i in range(400))
    for width in (1, 5, 17, 40, 88):
        assert list(zip(wrap_text(text, width).starts, wrap_text(text, width).ends)) == (
            reference_rows(text, width)
        )


def _long_text(seed=3):
    rng = __import__("random").Random(seed)
    words = ["a", "word", "longer", "Zoë", "東京", "x" * 30, "the"]
    lines = []
    while sum(map(len, lines)) < 90_000:
        lines.append(" ".join(rng.choice(words) for _ in range(rng.randrange(0, 60))))
    return "\n".join(lines)


def test_a_window_has_the_whole_wraps_rows_where_it_is_exact():
    text = _long_text()
    whole = wrap_text(text, 40)
    for first, last in ((0, 0), (45_000, 45_100), (len(text) - 5, len(text)), (len(text), len(text))):
        window = wrap_window(text, 40, first, last, 30)
        assert window is not None
        lo, hi = window.exact
        assert lo <= first and last < hi
        rows = [(a, b) for a, b in zip(window.starts, window.ends) if lo <= a < hi]
        assert rows == [(a, b) for a, b in zip(whole.starts, whole.ends) if lo <= a < hi]
        # Around the place there are enough real rows for a screen either side.
        assert window.row_of(last) - window.row_of(lo) >= 0
        assert window.row_of(min(hi, len(text))) - window.row_of(last) >= 30 or hi > len(text)
        # Estimated rows keep offsets in order, so the scroll bar and row_of stay sane.
        assert window.starts == sorted(set(window.starts))
        assert abs(len(window) - len(whole)) < len(whole) // 4


def test_short_texts_and_far_apart_places_get_no_window():
    assert wrap_window("short text\n" * 10, 40, 0, 5, 30) is None
    text = _long_text()
    assert wrap_window(text, 40, 0, len(text), 30) is None
