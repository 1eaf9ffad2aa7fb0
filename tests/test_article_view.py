"""The article view driven through Pilot: motions, selection, mouse, find, spans, hostile text."""

from __future__ import annotations

import pytest
from rich.style import Style
from textual.app import App, ComposeResult
from textual.color import Color

from reader.widgets.article_view import ArticleView, SpanIndex, SpanMark
from reader.widgets.reading_pane import FindBar, ReadingPane

pytestmark = pytest.mark.anyio

SIZE = (100, 30)
FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467"

# Offsets: "Alpha"=0, "beta"=6, "gamma."=11, "Delta"=18, "epsilon."=24, "\n\n"=32,
# "Zeta"=34, "eta"=39, "theta."=43, "Iota"=50, "kappa."=55, "\n"=61, "Lambda"=62, "中"=69,
# "文"=70, "e\u0301"=72, FAMILY=75, "mu."=81, end=84.
TEXT = (
    "Alpha beta gamma. Delta epsilon.\n\nZeta eta theta. Iota kappa.\n"
    "Lambda 中文 e\u0301 " + FAMILY + " mu."
)


@pytest.fixture
def anyio_backend():
    return "asyncio"


class ViewApp(App):
    """A reading pane alone on the screen, recording what the view announces."""

    def __init__(self, text: str = TEXT, **options) -> None:
        super().__init__()
        self.text = text
        self.options = options
        self.moves: list[ArticleView.CursorMoved] = []
        self.statuses: list[ArticleView.FindStatus] = []

    def compose(self) -> ComposeResult:
        yield ReadingPane(self.text, id="pane", **self.options)

    def on_mount(self) -> None:
        self.query_one(ArticleView).focus()

    def on_article_view_cursor_moved(self, message: ArticleView.CursorMoved) -> None:
        self.moves.append(message)

    def on_article_view_find_status(self, message: ArticleView.FindStatus) -> None:
        self.statuses.append(message)


def view_of(app: App) -> ArticleView:
    return app.query_one(ArticleView)


async def positions(keys: list[str], *, start: int = 0, text: str = TEXT, **options) -> list[int]:
    """The cursor after each key, starting at ``start``."""
    app = ViewApp(text, cursor=start, **options)
    seen = []
    async with app.run_test(size=SIZE) as pilot:
        for key in keys:
            await pilot.press(key)
            seen.append(view_of(app).cursor)
    return seen


# -- motions ----------------------------------------------------------------------------------


async def test_character_motions_step_whole_clusters():
    assert await positions(["right", "l", "l"]) == [1, 2, 3]
    assert await positions(["left", "h"], start=3) == [2, 1]
    # Over "中", "文", "e + combining acute" and the ZWJ family: one press per cluster.
    assert await positions(["l", "l", "l", "l", "l", "l", "l"], start=68) == [
        69, 70, 71, 72, 74, 75, 80,
    ]
    assert await positions(["h", "h", "h"], start=80) == [75, 74, 72]


async def test_left_at_start_and_right_at_end_stay():
    assert await positions(["left", "h"]) == [0, 0]
    assert await positions(["right"], start=len(TEXT)) == [len(TEXT)]


async def test_word_motions():
    assert await positions(["w", "w", "ctrl+right", "w"]) == [6, 11, 18, 24]
    assert await positions(["b", "ctrl+left", "b"], start=24) == [18, 11, 6]
    assert await positions(["e", "e", "e"]) == [5, 10, 16]


async def test_sentence_motions():
    assert await positions([")", ")", "alt+down", ")"]) == [18, 34, 50, 62]
    assert await positions(["(", "alt+up", "("], start=52) == [50, 34, 18]


async def test_paragraph_motions():
    assert await positions(["}", "right_curly_bracket"], start=3) == [34, len(TEXT)]
    assert await positions(["{", "ctrl+up"], start=70) == [34, 0]
    assert await positions(["ctrl+down"], start=3) == [34]


async def test_row_start_and_end():
    # "Zeta eta theta. Iota kappa." is one row of the second paragraph; its line ends at 61.
    assert await positions(["end", "home", "$", "^"], start=40) == [61, 34, 61, 34]


async def test_row_end_of_a_soft_wrapped_row_is_its_last_character():
    text = "aaaa bbbb cccc dddd"
    # At reading width 10: rows "aaaa bbbb " and "cccc dddd".
    assert await positions(["end", "home"], start=2, text=text, reading_width=10) == [9, 0]


async def test_article_start_and_end():
    assert await positions(["G", "g", "ctrl+end", "ctrl+home"], start=40) == [
        len(TEXT), 0, len(TEXT), 0,
    ]


async def test_up_and_down_keep_the_column():
    text = "abcdef\nab\nabcdefgh"
    # Down from column 5: the short row clamps to its end (9), the next row regains column 5.
    assert await positions(["down", "j", "k", "up"], start=5, text=text) == [9, 15, 9, 5]


async def test_up_and_down_through_soft_wrapped_rows():
    text = "aaaa bbbb cccc dddd eeee"
    # Rows at width 10: "aaaa bbbb " (0), "cccc dddd " (10), "eeee" (20).
    assert await positions(["j", "j", "k"], start=7, text=text, reading_width=10) == [17, 24, 17]


async def test_up_and_down_over_wide_characters():
    text = "中文字符\nabcdefgh"
    # Column 3 is the second cell of "文": up from "d" lands on "文".
    assert await positions(["k", "j"], start=8, text=text) == [1, 8]


async def test_page_down_and_up_move_a_screen_of_rows():
    text = "\n".join(f"line {i}" for i in range(200))
    app = ViewApp(text)
    async with app.run_test(size=SIZE) as pilot:
        view = view_of(app)
        height = view.scrollable_content_region.height
        await pilot.press("pagedown")
        row = view.wrapped.row_of(view.cursor)
        assert row == height - 1
        assert view.scroll_offset.y > 0
        top = view.wrapped.row_of(view.top_offset)
        assert top <= row < top + height
        await pilot.press("pagedown", "pageup")
        assert view.wrapped.row_of(view.cursor) == height - 1
        await pilot.press("ctrl+d")
        assert view.wrapped.row_of(view.cursor) == height - 1 + height // 2
        await pilot.press("ctrl+u", "pageup")
        assert view.cursor == 0


async def test_cursor_stays_in_view():
    text = "\n".join(f"line {i}" for i in range(200))
    app = ViewApp(text)
    async with app.run_test(size=SIZE) as pilot:
        view = view_of(app)
        await pilot.press("G")
        height = view.scrollable_content_region.height
        top = int(view.scroll_offset.y)
        assert top <= view.wrapped.row_of(view.cursor) < top + height
        await pilot.press("g")
        assert view.scroll_offset.y == 0


# -- selection --------------------------------------------------------------------------------


async def test_shift_motions_extend_the_selection():
    app = ViewApp()
    async with app.run_test(size=SIZE) as pilot:
        view = view_of(app)
        await pilot.press("shift+right", "shift+right", "shift+right")
        assert view.selected_span == (0, 3)
        assert view.selection == (0, 3)
        await pilot.press("ctrl+shift+right")
        assert view.selected_span == (0, 6)
        await pilot.press("shift+end")
        assert view.selected_span == (0, 32)
        await pilot.press("shift+home")
        assert view.selected_span is None  # back at the anchor: nothing selected
        await pilot.press("shift+down")
        assert view.selected_span == (0, 33)  # the blank row
        await pilot.press("shift+up")
        assert view.selected_span is None
        await pilot.press("ctrl+shift+down")
        assert view.selected_span == (0, 34)
        await pilot.press("alt+shift+down")
        assert view.selected_span == (0, 50)
        await pilot.press("ctrl+shift+left")
        assert view.selected_span == (0, 43)
        await pilot.press("right")  # a plain motion drops the selection
        assert view.selected_span is None and view.cursor == 44


async def test_shift_selection_backwards_is_normalised():
    app = ViewApp(cursor=11)
    async with app.run_test(size=SIZE) as pilot:
        view = view_of(app)
        await pilot.press("shift+left", "ctrl+shift+left")
        assert view.selection == (11, 6)
        assert view.selected_span == (6, 11)


async def test_shift_page_and_article_ends_extend():
    app = ViewApp(cursor=40)
    async with app.run_test(size=SIZE) as pilot:
        view = view_of(app)
        await pilot.press("ctrl+shift+end")
        assert view.selected_span == (40, len(TEXT))
        await pilot.press("ctrl+shift+home")
        assert view.selected_span == (0, 40)
        await pilot.press("escape")
        assert view.selected_span is None and view.cursor == 0
        await pilot.press("shift+pagedown")  # the text is shorter than a page: the last row
        assert view.selected_span == (0, 62)
        await pilot.press("shift+pageup")
        assert view.selected_span is None and view.cursor == 0


async def test_visual_mode_makes_plain_motions_extend():
    app = ViewApp(cursor=6)
    async with app.run_test(size=SIZE) as pilot:
        view = view_of(app)
        await pilot.press("v")
        assert view.visual_mode and view.selected_span is None
        await pilot.press("e")
        assert view.selected_span == (6, 10)
        await pilot.press("w", "l")
        assert view.selected_span == (6, 12)
        await pilot.press("escape")
        assert view.selected_span is None and not view.visual_mode
        await pilot.press("v", "l", "v")
        assert view.selected_span is None and not view.visual_mode


async def test_quick_keys_select_sentence_and_paragraph():
    app = ViewApp(cursor=20)
    async with app.run_test(size=SIZE) as pilot:
        view = view_of(app)
        await pilot.press("s")
        assert view.selected_span == (18, 32)
        assert view.cursor == 32
        await pilot.press("escape", "j", "j", "p")
        assert view.selected_span == (34, len(TEXT))


async def test_escape_without_selection_reaches_the_screen():
    app = ViewApp()
    escapes = []
    async with app.run_test(size=SIZE) as pilot:
        app.screen.action_escape_seen = lambda: escapes.append(1)  # type: ignore[attr-defined]
        app.bind("escape", "screen.escape_seen")
        await pilot.press("escape")
        assert escapes == [1]
        await pilot.press("shift+right", "escape")
        assert escapes == [1]  # the view used this one


async def test_select_and_clear_selection_api():
    app = ViewApp()
    async with app.run_test(size=SIZE) as pilot:
        view = view_of(app)
        view.select(34, 38)
        await pilot.pause()
        assert view.selected_span == (34, 38) and view.cursor == 38
        view.clear_selection()
        assert view.selected_span is None and view.cursor == 38
        view.select(70, 73)  # 73 is inside "e + acute": snapped to its start
        assert view.selected_span == (70, 72)


async def test_cursor_moved_is_posted_after_each_change():
    app = ViewApp()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("w", "shift+right", "left")
        await pilot.pause()
        got = [(m.cursor, m.selection) for m in app.moves]
        assert got == [(6, None), (7, (6, 7)), (6, None)]
        assert all(m.control is view_of(app) for m in app.moves)


# -- mouse ------------------------------------------------------------------------------------


def cell_of(view: ArticleView, offset: int) -> tuple[int, int]:
    """Widget coordinates of the cell showing ``offset``."""
    row, x = view.wrapped.offset_to_cell(offset)
    return view._margin + x, row - int(view.scroll_offset.y)


async def test_click_places_the_cursor_on_the_cell_clicked():
    app = ViewApp()
    async with app.run_test(size=SIZE) as pilot:
        view = view_of(app)
        x, y = cell_of(view, 11)
        await pilot.click(ArticleView, offset=(x, y))
        assert view.cursor == 11
        # Both cells of a wide character, and the second cell of the ZWJ family.
        x, y = cell_of(view, 69)
        for dx, expected in ((0, 69), (1, 69), (2, 70), (3, 70), (4, 71)):
            await pilot.click(ArticleView, offset=(x + dx, y))
            assert view.cursor == expected
        x, y = cell_of(view, 75)
        await pilot.click(ArticleView, offset=(x + 1, y))
        assert view.cursor == 75
        await pilot.click(ArticleView, offset=(x + 2, y))
        assert view.cursor == 80
        # Past the end of a row: its line break; below the text: the end.
        await pilot.click(ArticleView, offset=(90, 0))
        assert view.cursor == 32
        await pilot.click(ArticleView, offset=(10, 25))
        assert view.cursor == len(TEXT)


async def test_drag_selects():
    app = ViewApp()
    async with app.run_test(size=SIZE) as pilot:
        view = view_of(app)
        x0, y0 = cell_of(view, 6)
        x1, y1 = cell_of(view, 50)
        await pilot.mouse_down(ArticleView, offset=(x0, y0))
        await pilot.hover(ArticleView, offset=(x0 + 3, y0))
        assert view.selected_span == (6, 9)
        await pilot.hover(ArticleView, offset=(x1, y1))
        await pilot.mouse_up(ArticleView, offset=(x1, y1))
        assert view.selected_span == (6, 50)
        assert view.cursor == 50


async def test_double_click_selects_the_word():
    app = ViewApp()
    async with app.run_test(size=SIZE) as pilot:
        view = view_of(app)
        x, y = cell_of(view, 13)
        await pilot.double_click(ArticleView, offset=(x, y))
        assert view.selected_span == (11, 16)  # "gamma", not its full stop


# -- find -------------------------------------------------------------------------------------


async def test_find_moves_to_matches_and_n_N_cycle():
    text = "one Two three two TWO four"
    app = ViewApp(text, cursor=5)
    async with app.run_test(size=SIZE) as pilot:
        view = view_of(app)
        bar = app.query_one(FindBar)
        await pilot.press("slash")
        assert bar.is_open and app.focused is bar.input
        await pilot.press(*"two", "enter")
        await pilot.pause()
        assert view.matches == [(4, 7), (14, 17), (18, 21)]
        assert view.cursor == 14  # the next match after the cursor
        assert app.focused is view and not bar.is_open
        await pilot.press("n")
        assert view.cursor == 18
        await pilot.press("n")
        assert view.cursor == 4  # wrapped round
        await pilot.press("N", "N")
        assert view.cursor == 14
        await pilot.pause()
        assert [(s.index, s.count) for s in app.statuses] == [
            (2, 3), (3, 3), (1, 3), (3, 3), (2, 3),
        ]
        await pilot.press("escape")
        assert view.matches == []


async def test_find_without_match_says_so_and_keeps_the_bar():
    app = ViewApp()
    async with app.run_test(size=SIZE) as pilot:
        view = view_of(app)
        bar = app.query_one(FindBar)
        await pilot.press("slash", *"zzz", "enter")
        await pilot.pause()
        assert view.cursor == 0 and view.matches == []
        assert [(s.query, s.count) for s in app.statuses] == [("zzz", 0)]
        assert bar.is_open
        status = bar.query_one(".find-bar--status")
        assert "No match" in str(status.render())
        await pilot.press("escape")
        assert not bar.is_open and app.focused is view


async def test_find_is_plain_text_not_a_pattern():
    text = "a.c abc a.c"
    app = ViewApp(text)
    async with app.run_test(size=SIZE):
        view = view_of(app)
        assert view.find("A.C") == 2
        assert view.matches == [(0, 3), (8, 11)]


async def test_find_highlights_rows():
    app = ViewApp()
    async with app.run_test(size=SIZE) as pilot:
        view = view_of(app)
        view.find("eta")
        await pilot.pause()
        match = view.get_component_styles("article-view--match").background
        expected = (Color.from_rich_color(view.rich_style.bgcolor) + match).rich_color
        row = view.wrapped.row_of(39)
        styled = [seg for seg in view.render_line(row) if seg.text == "eta"]
        # "Zeta", "eta" and "theta" all hold a match.
        assert len(styled) == 3 and all(seg.style.bgcolor == expected for seg in styled)
        plain = [seg for seg in view.render_line(row) if seg.text.strip() == "Z"]
        assert plain and plain[0].style.bgcolor != expected


# -- spans ------------------------------------------------------------------------------------


def styles_at(view: ArticleView, offset: int) -> Style:
    """The style drawn on the cell of ``offset``."""
    row, x = view.wrapped.offset_to_cell(offset)
    strip = view.render_line(row - int(view.scroll_offset.y))
    col = 0
    for seg in strip:
        if col + len(seg.text) > view._margin + x:
            return seg.style
        col += len(seg.text)
    raise AssertionError("cell not drawn")


async def test_overlapping_spans_are_all_drawn():
    app = ViewApp(cursor=len(TEXT))
    async with app.run_test(size=SIZE) as pilot:
        view = view_of(app)
        view.set_spans([
            SpanMark(0, 17, "segment", Style(bgcolor="#2e7d32"), 1),
            SpanMark(11, 32, "segment", Style(bgcolor="#c62828"), 2),
            SpanMark(6, 16, "entity", Style(color="#1565c0"), 3),
        ])
        await pilot.pause()
        plain = styles_at(view, 1)
        assert plain.bgcolor.name == "#2e7d32" and not plain.underline
        entity = styles_at(view, 7)
        assert entity.bgcolor.name == "#2e7d32" and entity.underline and entity.bold
        assert entity.color.name == "#1565c0"
        # Both segments and the entity: the two colours mix, the entity stays underlined.
        mixed = Color.parse("#2e7d32").blend(Color.parse("#c62828"), 0.5)
        inner = styles_at(view, 12)
        assert inner.bgcolor == mixed.rich_color and inner.underline
        assert styles_at(view, 20).bgcolor.name == "#c62828"
        view.select(8, 14)
        await pilot.pause()
        selected = styles_at(view, 12)
        selection = view.get_component_styles("article-view--selection").background
        assert selected.bgcolor == (mixed + selection).rich_color and selected.underline
        assert selected.bgcolor != inner.bgcolor


async def test_cursor_is_reverse_video():
    app = ViewApp(cursor=6)
    async with app.run_test(size=SIZE):
        view = view_of(app)
        assert styles_at(view, 6).reverse
        assert not styles_at(view, 7).reverse


async def test_span_index_finds_overlaps_without_scanning_all():
    marks = [SpanMark(i * 10, i * 10 + 5, "segment", Style()) for i in range(5000)]
    marks.append(SpanMark(0, 60_000, "segment", Style()))  # one long span
    index = SpanIndex(marks)
    found = index.overlapping(1002, 1012)
    assert {(m.start, m.end) for m in found} == {(1000, 1005), (1010, 1015), (0, 60_000)}
    assert found[0].end == 60_000  # outer span drawn first
    assert index.overlapping(1005, 1010) == [marks[-1]]


async def test_only_changed_rows_are_repainted():
    text = "\n".join(f"row {i} of the article" for i in range(40))
    app = ViewApp(text)
    async with app.run_test(size=SIZE) as pilot:
        view = view_of(app)
        await pilot.pause()
        drawn: list[int] = []
        original = view._render_row
        view._render_row = lambda row, width: drawn.append(row) or original(row, width)
        await pilot.press("j")
        await pilot.pause()
        assert sorted(set(drawn)) == [0, 1]
        drawn.clear()
        start = view.wrapped.starts[5]
        view.set_spans([SpanMark(start, start + 3, "segment", Style(bgcolor="red"))])
        await pilot.pause()
        assert sorted(set(drawn)) == [5]
        drawn.clear()
        view.set_spans([
            SpanMark(start, start + 3, "segment", Style(bgcolor="red")),
            SpanMark(view.wrapped.starts[9], view.wrapped.ends[11], "entity", Style(color="blue")),
        ])
        await pilot.pause()
        assert sorted(set(drawn)) == [9, 10, 11]


# -- places -----------------------------------------------------------------------------------


async def test_restore_puts_back_the_reading_place():
    text = "\n".join(f"line {i}" for i in range(300))
    top = text.index("line 100")
    cursor = text.index("line 110") + 2
    app = ViewApp(text)
    async with app.run_test(size=SIZE) as pilot:
        view = view_of(app)
        view.restore(cursor, top)
        await pilot.pause()
        assert view.top_offset == top
        assert view.cursor == cursor


async def test_cursor_setter_scrolls_and_snaps():
    text = "\n".join(f"line {i} e\u0301" for i in range(300))
    app = ViewApp(text)
    async with app.run_test(size=SIZE) as pilot:
        view = view_of(app)
        target = text.index("line 250") + len("line 250 e")  # the combining mark
        view.cursor = target
        await pilot.pause()
        assert view.cursor == target - 1
        top = view.wrapped.row_of(view.top_offset)
        assert top <= view.wrapped.row_of(view.cursor) < top + view.scrollable_content_region.height


async def test_narrow_view_wraps_narrower_than_reading_width():
    text = "word " * 100
    app = ViewApp(text, reading_width=88)
    async with app.run_test(size=(40, 20)):
        view = view_of(app)
        assert view.wrapped.width < 40
        wrapped = view.wrapped
        assert all(wrapped.row_cells(r) <= wrapped.width + 1 for r in range(len(wrapped)))


# -- untrusted text ---------------------------------------------------------------------------

HOSTILE = (
    "Clear\x1b[2Jscreen. Title\x1b]0;pwned\x07here. Clip\x1b]52;c;ZXZpbA==\x07board.\n"
    "Markup [bold]bold[/] and [@click=app.quit]x[/] and a stray [/] end.\n"
    "C1\x9b31mred\x9d8;;http://x\x9c and bidi \u202egnp.exe\u202c done\x7f."
)


async def test_escape_sequences_and_markup_are_inert_text():
    app = ViewApp(HOSTILE)
    async with app.run_test(size=SIZE) as pilot:
        view = view_of(app)
        await pilot.pause()
        rows = [view.render_line(y) for y in range(len(view.wrapped))]
        for strip in rows:
            for seg in strip:
                assert not any(ch in seg.text for ch in "\x1b\x07\x9b\x9c\x9d\x7f\u202e\u202c")
        shown = [strip.text.strip() for strip in rows]
        assert shown[0] == (
            "Clear\u241b[2Jscreen. Title\u241b]0;pwned\u2407here. "
            "Clip\u241b]52;c;ZXZpbA==\u2407board."
        )
        assert shown[1] == "Markup [bold]bold[/] and [@click=app.quit]x[/] and a stray [/] end."
        assert shown[2].startswith(
            "C1\ufffd31mred\ufffd8;;http://x\ufffd and bidi \u21c6gnp.exe\u21c6"
        )
        screenshot = app.export_screenshot()
        assert "[@click=app.quit]x[/]" in screenshot.replace("&#160;", " ")
        # Clicking the would-be link only moves the cursor.
        x, y = cell_of(view, HOSTILE.index("[@click") + 18)
        await pilot.click(ArticleView, offset=(x, y))
        assert app.is_running
        assert view.cursor == HOSTILE.index("[@click") + 18


async def test_set_text_replaces_everything():
    app = ViewApp()
    async with app.run_test(size=SIZE) as pilot:
        view = view_of(app)
        view.set_spans([SpanMark(0, 5, "segment", Style(bgcolor="red"))])
        view.select(0, 5)
        view.set_text("Another text entirely.", cursor=8)
        await pilot.pause()
        assert view.text == "Another text entirely."
        assert view.cursor == 8 and view.selected_span is None and not view.spans
        assert view.render_line(0).text.strip() == "Another text entirely."


async def test_changing_reading_width_rewraps_and_keeps_the_cursor():
    text = "word " * 200
    app = ViewApp(text, cursor=503)
    async with app.run_test(size=SIZE) as pilot:
        view = view_of(app)
        assert view.wrapped.width == 88
        view.reading_width = 20
        await pilot.pause()
        assert view.wrapped.width == 20
        assert view.cursor == 503
        assert view.wrapped.offset_to_cell(503) == (25, 3)  # four words (20 cells) a row


async def test_sentences_ahead_of_the_cursor_are_found_while_the_keys_rest():
    # Many short paragraphs: each is segmented on its own, so the work ahead takes many slices.
    paragraphs = [f"Paragraph {i} opens here. It has a second sentence, Mr. Reeve said." for i in range(600)]
    text = "\n\n".join(paragraphs)
    app = ViewApp(text)
    async with app.run_test(size=SIZE) as pilot:
        view = view_of(app)
        segments = view.segments
        await pilot.press("j")
        # Nothing ahead was segmented on the key itself beyond what the motion needed...
        assert not segments.prepare_sentences(view.cursor, len(text), deadline=0.0)
        # ...and once the keys rest, the text ahead of the cursor is ready for the next key.
        for _ in range(200):
            await pilot.pause(0.02)
            if segments.prepare_sentences(view.cursor, view.cursor + 20_000, deadline=0.0):
                break
        assert segments.prepare_sentences(view.cursor, view.cursor + 20_000, deadline=0.0)
        assert not segments.prepare_sentences(view.cursor, len(text), deadline=0.0)


async def test_rows_below_the_view_are_drawn_while_the_keys_rest(monkeypatch):
    text = "\n".join(f"Line {i} of a long article, with a few words on it." for i in range(400))
    drawn: list[int] = []
    render_row = ArticleView._render_row

    def counting(self, row, width):
        drawn.append(row)
        return render_row(self, row, width)

    monkeypatch.setattr(ArticleView, "_render_row", counting)
    app = ViewApp(text)
    async with app.run_test(size=SIZE) as pilot:
        view = view_of(app)
        await pilot.press("j")
        height = view.scrollable_content_region.height
        for _ in range(100):
            await pilot.pause(0.02)
            if set(range(height, 2 * height)) <= set(drawn):
                break
        # Half a screen down: the rows it brings in were drawn ahead, none is drawn now.
        drawn.clear()
        view.scroll_to(y=height // 2, animate=False)
        await pilot.pause()
        assert int(view.scroll_offset.y) == height // 2
        assert drawn == []


async def test_a_cursor_near_the_bottom_is_brought_to_the_middle_once():
    text = "\n".join(f"Row {i} holds one sentence. And a second one here." for i in range(2000))
    app = ViewApp(text)
    async with app.run_test(size=SIZE) as pilot:
        view = view_of(app)
        height = view.scrollable_content_region.height
        for _ in range(height - 2):  # onto the second row from the bottom: still on screen
            await pilot.press("j")
        await pilot.pause(0.1)
        row = view.wrapped.row_of(view.cursor)
        assert row == height - 2
        top = int(view.scroll_offset.y)
        assert top == row - height // 2  # brought to the middle once the key's frame was up
        # Scrolling away by hand is not undone by the work that goes on while the keys rest.
        view.scroll_to(y=top + 3 * height, animate=False)
        for _ in range(10):
            await pilot.pause(0.02)
        assert int(view.scroll_offset.y) == top + 3 * height
