"""The cursor and selection model on its own, without a widget."""

from reader.caret import TEXT_MOTIONS, Caret, text_motion
from reader.text.segment import Segments

TEXT = "Ferry fares rise. The e\u0301cole said no 👩‍👩‍👧 comment.\n\nA second paragraph."


def test_the_cursor_snaps_to_grapheme_starts_and_the_text():
    caret = Caret(TEXT, 10_000)
    assert caret.cursor == len(TEXT)
    accent = TEXT.index("\u0301")
    assert caret.snap(accent) == accent - 1
    family = TEXT.index("👩")
    assert caret.snap(family + 2) == family
    assert caret.snap(-5) == 0


def test_plain_moves_repaint_only_the_old_and_new_cursor_cells():
    caret = Caret(TEXT, 3)
    moved = caret.place(8, extend=False)
    assert moved.moved and moved.cursor == 8 and moved.selection is None
    assert moved.repaint == ((3, 4), (8, 9))


def test_extending_keeps_the_anchor_and_repaints_only_the_moved_edge():
    caret = Caret(TEXT, 4)
    first = caret.place(10, extend=True)
    assert first.selection == (4, 10) and caret.anchor == 4
    assert (4, 11) in first.repaint  # the new selection, drawn whole
    second = caret.place(14, extend=True)
    assert second.selection == (4, 14)
    assert (10, 15) in second.repaint and (4, 5) in second.repaint
    assert all(end - start <= 5 for start, end in second.repaint)


def test_a_backward_selection_is_normalised():
    caret = Caret(TEXT, 12)
    caret.place(5, extend=True)
    assert caret.selection == (12, 5) and caret.selected_span == (5, 12)


def test_a_plain_move_drops_the_selection_and_visual_mode():
    caret = Caret(TEXT, 0)
    caret.toggle_visual()
    caret.place(6, extend=True)
    assert caret.visual and caret.selected_span == (0, 6)
    moved = caret.place(9, extend=False)
    assert not caret.visual and moved.selection is None and caret.anchor is None
    assert (0, 7) in moved.repaint


def test_visual_toggles_and_select_sets_cursor_at_the_end():
    caret = Caret(TEXT, 2)
    on = caret.toggle_visual()
    assert caret.visual and caret.anchor == 2 and on.selection is None  # empty until a move
    off = caret.toggle_visual()
    assert not caret.visual and caret.anchor is None and not off.moved
    caret.goal_x = 7
    picked = caret.select(6, 11)
    assert picked.selection == (6, 11) and caret.cursor == 11 and caret.goal_x is None
    cleared = caret.clear()
    assert cleared.selection is None and (6, 12) in cleared.repaint


def test_text_motions_follow_the_segments():
    segments = Segments(TEXT)
    assert text_motion("sentence_next", TEXT, segments)(0) == TEXT.index("The")
    assert text_motion("word_next", TEXT, segments)(0) == TEXT.index("fares")
    assert text_motion("paragraph_next", TEXT, segments)(0) == TEXT.index("A second")
    assert text_motion("right", TEXT, segments)(TEXT.index("e\u0301")) == TEXT.index("e\u0301") + 2
    assert text_motion("bottom", TEXT, segments)(3) == len(TEXT)
    for name in TEXT_MOTIONS:  # every named motion stays inside the text
        for pos in (0, 7, len(TEXT)):
            assert 0 <= text_motion(name, TEXT, segments)(pos) <= len(TEXT)
