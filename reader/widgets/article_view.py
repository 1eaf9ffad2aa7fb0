"""The article reading widget: soft-wrapped text, a cursor, a selection, spans and find.

Built on Textual's Line API: the text is wrapped once per width (``reader.wrap``), each visible row
is rendered to a ``Strip`` on demand and cached, and a change (cursor, selection, spans, find
matches) repaints only the rows it touches.

Article text is untrusted. It is never parsed as markup: rows are built from plain ``Segment``s,
and every control character is drawn as a visible one-cell stand-in (see ``reader.wrap.display_grapheme``),
so nothing but printable text reaches the terminal and offsets still line up with cells.
Bidirectional controls are shown as ``⇆`` rather than obeyed or hidden: a terminal that obeyed
them would reorder what the annotator sees while offsets stay in logical order.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Mapping
from typing import Any, ClassVar

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.color import Color
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from reader.caret import TEXT_MOTIONS, Caret, Moved, text_motion
from reader.document import Delta, Document
from reader.text.segment import Segments, next_grapheme
from reader.widgets.span_marks import DocumentMarks, SpanIndex, SpanMark, _draw_style
from reader.wrap import WrappedText, wrap_text, wrap_window

Span = tuple[int, int]

# Cells kept free left of the text, and at least this many rows kept visible around the cursor.
MARGIN = 2
SCROLL_CONTEXT = 2
# After the cursor moves, the rows below the view are drawn and sentences this far ahead are
# found in idle time, in slices short enough not to hold up a key, so that scrolling, tagging
# on or moving by sentence finds them ready.
SEGMENT_AHEAD = 20_000
AHEAD_SLICE = 0.002  # seconds of work ahead at a time
AHEAD_GAP = 0.01  # seconds between slices, for keys to come in


# Every motion: (motion, id, keys, what it does, the keys that extend the selection with it).
# The shift-extending bindings are made from this one table.
_MOTIONS = [
    ("left", "left", "left,h", "previous character", "shift+left"),
    ("right", "right", "right,l", "next character", "shift+right"),
    ("up", "up", "up,k", "row up", "shift+up"),
    ("down", "down", "down,j", "row down", "shift+down"),
    ("row_start", "row-start", "home,circumflex_accent", "start of row", "shift+home"),
    ("row_end", "row-end", "end,dollar_sign", "end of row", "shift+end"),
    ("word_next", "word-next", "ctrl+right,w", "next word", "ctrl+shift+right"),
    ("word_prev", "word-prev", "ctrl+left,b", "previous word", "ctrl+shift+left"),
    ("word_end", "word-end", "e", "end of word", None),
    ("sentence_next", "sentence-next", "alt+down,right_parenthesis", "next sentence", "alt+shift+down"),
    ("sentence_prev", "sentence-prev", "alt+up,left_parenthesis", "previous sentence", "alt+shift+up"),
    ("paragraph_next", "paragraph-next", "ctrl+down,right_curly_bracket", "next paragraph",
     "ctrl+shift+down"),
    ("paragraph_prev", "paragraph-prev", "ctrl+up,left_curly_bracket", "previous paragraph",
     "ctrl+shift+up"),
    ("page_down", "page-down", "pagedown", "page down", "shift+pagedown"),
    ("page_up", "page-up", "pageup", "page up", "shift+pageup"),
    ("half_page_down", "half-page-down", "ctrl+d", "half a page down", None),
    ("half_page_up", "half-page-up", "ctrl+u", "half a page up", None),
    ("top", "top", "ctrl+home,g", "start of article", "ctrl+shift+home"),
    ("bottom", "bottom", "ctrl+end,G", "end of article", "ctrl+shift+end"),
]


def _motion_bindings() -> list[Binding]:
    moves = [
        Binding(keys, f"move({motion!r})", what.capitalize(), show=False, id=f"article.{name}")
        for motion, name, keys, what, _ in _MOTIONS
    ]
    extends = [
        Binding(keys, f"move({motion!r}, True)", f"Extend selection: {what}", show=False,
                id=f"article.select-{name}")
        for motion, name, _, what, keys in _MOTIONS
        if keys
    ]
    return moves + extends


class ArticleView(ScrollView, can_focus=True):
    """Reads an article: wrapped text with a cursor, a selection, drawn spans and find matches."""

    ALLOW_SELECT = False  # the view does its own mouse selection, in text offsets

    DEFAULT_CSS = """
    ArticleView {
        background: $surface;
        color: $foreground;
        overflow-x: hidden;
        overflow-y: auto;
        scrollbar-gutter: stable;
    }
    ArticleView > .article-view--cursor {
        text-style: reverse;
    }
    ArticleView > .article-view--selection {
        background: $primary 50%;
    }
    ArticleView > .article-view--match {
        background: $warning 40%;
    }
    ArticleView > .article-view--control {
        color: $warning;
        text-style: italic;
    }
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "article-view--cursor",
        "article-view--selection",
        "article-view--match",
        "article-view--control",
    }

    HELP_GROUP = "Reading and selecting"
    BINDINGS: ClassVar[list[BindingType]] = [
        *_motion_bindings(),
        # Selection shortcuts.
        Binding("v", "toggle_visual", "Visual", id="article.visual"),
        Binding("s", "select_sentence", "Sentence", id="article.select-sentence"),
        Binding("p", "select_paragraph", "Select paragraph", show=False, id="article.select-paragraph"),
        Binding("escape", "clear", "Clear selection", show=False, id="article.clear"),
        # Find.
        Binding("slash", "find", "Find", id="article.find"),
        Binding("n", "find_next", "Next match", show=False, id="article.find-next"),
        Binding("N", "find_prev", "Previous match", show=False, id="article.find-prev"),
    ]

    @dataclass
    class CursorMoved(Message):
        """The cursor or the selection changed; ``selection`` is normalised (start, end)."""

        view: ArticleView
        cursor: int
        selection: Span | None

        @property
        def control(self) -> ArticleView:
            return self.view

    @dataclass
    class FindStatus(Message):
        """Result of a find: ``index`` is the 1-based match at the cursor (0 if none)."""

        view: ArticleView
        query: str
        index: int
        count: int

        @property
        def control(self) -> ArticleView:
            return self.view

    @dataclass
    class FindRequested(Message):
        """The reader pressed the find key; whoever holds the find bar should open it with
        ``query``, the last one."""

        view: ArticleView
        query: str

        @property
        def control(self) -> ArticleView:
            return self.view

    def __init__(
        self,
        text: str,
        *,
        cursor: int = 0,
        reading_width: int = 88,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._reading_width = max(8, reading_width)
        self._cache: LRUCache[tuple[int, int, int], Strip] = LRUCache(1024)
        self._version = 0  # bumped when every cached row is stale (text, width, theme)
        self._spans: set[SpanMark] = set()
        self._span_index = SpanIndex(())
        self._marks: DocumentMarks | None = None  # what a shown document's layers make
        self._working_ahead = False  # a slice of work ahead is due
        self._scroll_due = False  # the cursor is near the view's edge: centre it after the frame
        self._expected: int | None = None  # where the next key will likely move the cursor
        self._load(text, cursor)

    def _load(self, text: str, cursor: int) -> None:
        self._text = text
        self._segments = Segments(text)
        # Wrapped on the first layout, at the width in use (or on demand before it), so a new
        # text is wrapped once; a long one first gets only a window around the reading place.
        self._wrapped: WrappedText | None = None
        self._wrap_width = 0  # set on the first resize
        self._margin = MARGIN
        self._caret = Caret(text, cursor)
        self._find_query = ""
        self._matches: list[Span] = []
        self._match_starts: list[int] = []
        self._dragging = False
        self._pending_top: int | None = None
        self._last_posted: tuple[int, Span | None] | None = None
        self._version += 1
        self._cache.clear()

    # -- public API ----------------------------------------------------------------------------

    @property
    def text(self) -> str:
        """The article text (read only; use ``set_text`` to show another)."""
        return self._text

    @property
    def segments(self) -> Segments:
        """Words, sentences and paragraphs of the text."""
        return self._segments

    @property
    def wrapped(self) -> WrappedText:
        """The current rows of the text (all of them real: a window is completed first)."""
        wrapped = self._wrapped
        if wrapped is None or wrapped.exact is not None:
            wrapped = self._complete_wrap()
        return wrapped

    def _row_of(self, offset: int) -> int:
        """The row of ``offset``, from a window when it holds the offset, so the first screen
        does not wait for the whole wrap."""
        wrapped = self._wrapped
        if wrapped is None or (
            wrapped.exact is not None and not wrapped.exact[0] <= offset < wrapped.exact[1]
        ):
            wrapped = self.wrapped
        return wrapped.row_of(offset)

    def _complete_wrap(self) -> WrappedText:
        """Wrap the whole text, keeping the first visible row where it is."""
        window = self._wrapped
        width = self._wrap_width or self._reading_width
        if window is not None and window.exact is not None and window.width == width:
            row = min(int(self.scroll_offset.y), len(window) - 1)
            top = window.starts[row]
            self._wrapped = wrapped = wrap_text(self._text, width)
            self._version += 1
            self._cache.clear()
            self.virtual_size = Size(self.scrollable_content_region.width, len(wrapped))
            self.scroll_to(y=wrapped.row_of(top), animate=False, force=True)
            self.refresh()
            return wrapped
        self._wrapped = wrapped = wrap_text(self._text, width)
        return wrapped

    @property
    def reading_width(self) -> int:
        """The widest row in cells; rows are narrower when the view is."""
        return self._reading_width

    @reading_width.setter
    def reading_width(self, width: int) -> None:
        self._reading_width = max(8, width)
        self._rewrap()

    @property
    def cursor(self) -> int:
        """The cursor offset, always on a grapheme boundary (``len(text)`` is allowed)."""
        return self._caret.cursor

    @cursor.setter
    def cursor(self, pos: int) -> None:
        # Like a plain motion: drops the selection unless in visual mode.
        self._caret.goal_x = None
        self._set_cursor(pos, extend=self._caret.visual)

    def expect(self, pos: int) -> None:
        """Where the next key will likely move the cursor (the tag key's next untagged
        sentence). While the keys rest the view scrolls to show it, when the cursor can stay
        comfortably in view: a key whose cursor lands off screen scrolls, and repaints the
        whole view, in its own frame."""
        self._expected = pos
        self._schedule_work_ahead()

    @property
    def selection(self) -> Span | None:
        """``(anchor, cursor)`` while selecting, else None. See ``selected_span``."""
        return self._caret.selection

    @property
    def selected_span(self) -> Span | None:
        """The selection as ``(start, end)`` with start < end, or None when nothing is selected."""
        return self._caret.selected_span

    @property
    def visual_mode(self) -> bool:
        """True while plain motions extend the selection."""
        return self._caret.visual

    @property
    def top_offset(self) -> int:
        """Offset of the first visible row, to remember the reading place."""
        if not self._wrap_width:
            return self._pending_top or 0
        wrapped = self._wrapped
        assert wrapped is not None
        row = min(int(self.scroll_offset.y), len(wrapped) - 1)
        exact = wrapped.exact
        if exact is not None and not exact[0] <= wrapped.starts[row] < exact[1]:
            wrapped = self.wrapped  # scrolled off the window: only a whole wrap knows the row
            row = min(int(self.scroll_offset.y), len(wrapped) - 1)
        return wrapped.starts[row]

    @property
    def find_query(self) -> str:
        """The last find query."""
        return self._find_query

    @property
    def matches(self) -> list[Span]:
        """Spans of the current find matches."""
        return list(self._matches)

    def set_text(self, text: str, *, cursor: int = 0, top_offset: int = 0) -> None:
        """Show another text, dropping spans (and the document shown), selection and find."""
        self._load(text, cursor)
        self._spans = set()
        self._span_index = SpanIndex(())
        self._marks = None
        if self.is_mounted:
            self._relayout()
            self.restore(self._caret.cursor, top_offset)
            self.refresh()

    def clear_selection(self) -> None:
        """Drop the selection and leave visual mode."""
        self._moved(self._caret.clear())

    def select(self, start: int, end: int) -> None:
        """Select ``[start, end)``; the cursor goes to ``end``."""
        self._moved(self._caret.select(start, end))
        self._scroll_to_cursor()

    def scroll_to_offset(self, pos: int) -> None:
        """Scroll so that ``pos`` is visible, without moving the cursor."""
        self._scroll_row_into_view(self._row_of(pos))

    def restore(self, cursor: int, top_offset: int) -> None:
        """Put back a reading place: the first visible row and the cursor."""
        if not self._wrap_width:
            self._pending_top = top_offset
            self._caret.cursor = self._caret.snap(cursor)
            return
        self.scroll_to(y=self._row_of(top_offset), animate=False, force=True)
        self._caret.goal_x = None
        self._change(self._caret.snap(cursor), None)
        self._scroll_to_cursor()

    def set_spans(self, spans: Iterable[SpanMark]) -> None:
        """Replace the drawn spans; only rows whose spans changed are repainted."""
        new = {m for m in spans if m.end > m.start}
        old = self._spans
        if len(new) + len(old) > 64 and len(old ^ new) > len(new) // 4:
            # Mostly new: one sort beats many insertions.
            changed = len(old ^ new)
            self._spans = new
            self._span_index = SpanIndex(new)
            if changed > 256:
                self._invalidate_all()
            else:
                for mark in old ^ new:
                    self._invalidate(mark.start, mark.end)
            return
        self.update_spans(added=new - old, removed=old - new)

    def update_spans(
        self, added: Iterable[SpanMark] = (), removed: Iterable[SpanMark] = ()
    ) -> None:
        """Add and remove drawn spans; only the rows they cover are repainted."""
        spans, index = self._spans, self._span_index
        changed: list[SpanMark] = []
        for mark in removed:
            if mark in spans:
                spans.discard(mark)
                index.remove(mark)
                changed.append(mark)
        for mark in added:
            if mark.end > mark.start and mark not in spans:
                spans.add(mark)
                index.add(mark)
                changed.append(mark)
        if len(changed) > 256:
            self._invalidate_all()
        else:
            for mark in changed:
                self._invalidate(mark.start, mark.end)

    def show_document(self, document: Document, styles: Mapping[str, Style]) -> None:
        """Draw the layers of ``document`` (of this view's text) in these label styles, and
        follow its changes from now on."""
        if document.text != self._text:
            raise ValueError("the document holds another text than the view shows")
        self._segments = document.segments
        self._marks = DocumentMarks(document, styles)
        document.subscribe(self._document_changed)
        self.set_spans(self._marks.all())

    def show_suggestions(self, shown: bool) -> None:
        """Draw the document's suggestions, or hide them."""
        if self._marks is not None and self._marks.suggestions_shown != shown:
            self._marks.suggestions_shown = shown
            self.set_spans(self._marks.all())

    def _document_changed(self, delta: Delta) -> None:
        marks = self._marks
        if marks is None:
            return
        change = marks.change(delta)
        if change is None:
            self.set_spans(marks.all())
        else:
            self.update_spans(*change)

    @property
    def spans(self) -> frozenset[SpanMark]:
        """The spans being drawn."""
        return frozenset(self._spans)

    def find(self, query: str) -> int:
        """Highlight every match of ``query`` (plain text, any case) and move the cursor to the
        next one after it. Returns the number of matches and posts ``FindStatus``."""
        self._find_query = query
        if query:
            pattern = re.compile(re.escape(query), re.IGNORECASE)
            # IGNORECASE matches on the stored text itself, so offsets stay exact (lower() could
            # change the length of some strings).
            self._matches = [m.span() for m in pattern.finditer(self._text) if m.end() > m.start()]
        else:
            self._matches = []
        self._match_starts = [s for s, _ in self._matches]
        self._invalidate_all()
        if self._matches:
            self._goto_match(forward=True)
        else:
            self.post_message(self.FindStatus(self, query, 0, 0))
        return len(self._matches)

    def find_next(self) -> None:
        """Move to the next match, wrapping round at the end."""
        if self._matches:
            self._goto_match(forward=True)

    def find_prev(self) -> None:
        """Move to the previous match, wrapping round at the start."""
        if self._matches:
            self._goto_match(forward=False)

    def clear_find(self) -> None:
        """Remove find highlights."""
        if self._matches:
            self._matches = []
            self._match_starts = []
            self._invalidate_all()

    # -- motions -------------------------------------------------------------------------------

    def _motion(self, name: str) -> Callable[[int], int]:
        if name in TEXT_MOTIONS:
            return text_motion(name, self._text, self._segments)
        wrapped = self.wrapped
        if name == "row_start":
            return lambda c: wrapped.starts[wrapped.row_of(c)]
        assert name == "row_end", name
        return lambda c: wrapped.last_position(wrapped.row_of(c))

    _VERTICAL: ClassVar[dict[str, int]] = {
        "up": -1, "down": 1, "page_up": -2, "page_down": 2, "half_page_up": -3, "half_page_down": 3,
    }

    def action_move(self, motion: str, extend: bool = False) -> None:
        """Move the cursor; with ``extend`` (or in visual mode) the selection follows it."""
        extend = extend or self._caret.visual
        if motion in self._VERTICAL:
            self._move_vertically(motion, extend)
            return
        self._caret.goal_x = None
        self._set_cursor(self._motion(motion)(self._caret.cursor), extend)

    def _move_vertically(self, motion: str, extend: bool) -> None:
        wrapped = self.wrapped
        row, x = wrapped.offset_to_cell(self._caret.cursor)
        if self._caret.goal_x is None:
            self._caret.goal_x = x
        height = max(1, self.scrollable_content_region.height)
        kind = self._VERTICAL[motion]
        step = {1: 1, 2: max(1, height - 1), 3: max(1, height // 2)}[abs(kind)]
        step = step if kind > 0 else -step
        target = max(0, min(len(wrapped) - 1, row + step))
        if abs(kind) > 1:
            # A page motion scrolls the view by the same amount, so the cursor keeps its place
            # on the screen.
            self.scroll_to(y=self.scroll_offset.y + (target - row), animate=False, force=True)
        pos = wrapped.cell_to_offset(target, self._caret.goal_x)
        goal = self._caret.goal_x
        self._set_cursor(pos, extend)
        self._caret.goal_x = goal

    def action_toggle_visual(self) -> None:
        """Start or end visual mode (plain motions extend the selection)."""
        self._moved(self._caret.toggle_visual())

    def action_select_sentence(self) -> None:
        """Select the sentence under the cursor."""
        span = self._segments.sentence_at(self._caret.cursor)
        if span is not None:
            self.select(*span)

    def action_select_paragraph(self) -> None:
        """Select the paragraph under the cursor."""
        span = self._segments.paragraph_at(self._caret.cursor)
        if span is not None:
            self.select(*span)

    def action_clear(self) -> None:
        """Clear the selection, or the find highlights when nothing is selected."""
        if self._caret.anchor is not None or self._caret.visual:
            self.clear_selection()
        else:
            self.clear_find()

    def action_find(self) -> None:
        """Ask for the find bar."""
        self.post_message(self.FindRequested(self, self._find_query))

    def action_find_next(self) -> None:
        self.find_next()

    def action_find_prev(self) -> None:
        self.find_prev()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Let escape, n and N through to the screen when the view has nothing to do with them.
        if action == "clear":
            return self._caret.anchor is not None or self._caret.visual or bool(self._matches)
        if action in ("find_next", "find_prev"):
            return bool(self._matches)
        return True

    # -- state changes -------------------------------------------------------------------------

    def _set_cursor(self, pos: int, extend: bool) -> None:
        self._moved(self._caret.place(pos, extend))
        # A cursor still on screen but near its edge is brought back to the middle just after
        # the key's frame (_work_ahead): that scroll repaints the whole view, and the key's own
        # change should not wait for it.
        self._scroll_to_cursor(on_screen_later=True)

    def _change(self, cursor: int, anchor: int | None) -> None:
        """Set cursor and anchor (snapped), repaint what differs and announce the change."""
        self._moved(self._caret.set(cursor, anchor))

    def _moved(self, moved: Moved) -> None:
        for start, end in moved.repaint:
            self._invalidate(start, end)
        if moved.moved:
            self._expected = None  # whatever was expected came or did not
            self._schedule_work_ahead()
        state = (moved.cursor, moved.selection)
        if state != self._last_posted:
            self._last_posted = state
            self.post_message(self.CursorMoved(self, moved.cursor, moved.selection))

    def _schedule_work_ahead(self) -> None:
        # The first slice right after the move's frame is drawn (a timer could fall before it on
        # a slow frame and hold it up), the rest at intervals.
        if not self._working_ahead and self.is_mounted:
            self._working_ahead = True
            self.call_after_refresh(self._work_ahead)

    def _work_ahead(self) -> None:
        if not self.is_mounted:
            self._working_ahead = False
            return
        if self._scroll_due:
            self._scroll_due = False
            self._scroll_to_cursor()
        if self._expected is not None:
            expected, self._expected = self._expected, None
            self._show_ahead(expected)
        deadline = time.perf_counter() + AHEAD_SLICE
        segments, cursor = self._segments, self._caret.cursor
        segments.paragraphs_after(cursor)  # the paragraph index too, on the first slice
        # The cursor's own sentences first: the next key needs them, a scroll needs the rows.
        if (
            segments.prepare_sentences(cursor, cursor + 1, deadline)
            and self._draw_ahead(deadline)
            and segments.prepare_sentences(cursor, cursor + SEGMENT_AHEAD, deadline)
        ):
            self._working_ahead = False
        else:
            self.set_timer(AHEAD_GAP, self._work_ahead)

    def _goto_match(self, forward: bool) -> None:
        starts = self._match_starts
        if forward:
            i = bisect_right(starts, self._caret.cursor)
            i = 0 if i >= len(starts) else i
        else:
            i = bisect_left(starts, self._caret.cursor) - 1
            i = len(starts) - 1 if i < 0 else i
        self._caret.goal_x = None
        self._set_cursor(starts[i], extend=self._caret.visual)
        self.post_message(self.FindStatus(self, self._find_query, i + 1, len(starts)))

    # -- scrolling and layout ------------------------------------------------------------------

    def _view_rows(self) -> tuple[int, int, int] | None:
        """``(top row, height, context)`` of the view, None before it has a height: rows from
        ``top + context`` to ``top + height - 1 - context`` are the comfortable band."""
        height = self.scrollable_content_region.height
        if height <= 0:
            return None
        return int(self.scroll_offset.y), height, min(SCROLL_CONTEXT, (height - 1) // 2)

    def _scroll_row_into_view(self, row: int, *, on_screen_later: bool = False) -> None:
        rows = self._view_rows()
        if rows is None:
            return
        top, height, context = rows
        if top + context <= row <= top + height - 1 - context:
            return
        if on_screen_later and top <= row < top + height:
            self._scroll_due = True
            self._schedule_work_ahead()
            return
        # Out of the comfortable band: bring the row to the middle rather than to the band's
        # edge, so the next run of moves (a sentence per key when tagging) does not scroll, and
        # repaint the whole view, on every key.
        self.scroll_to(y=max(0, row - height // 2), animate=False, force=True)

    def _show_ahead(self, pos: int) -> None:
        """Scroll down so the row of `pos` is in the comfortable band too, if the cursor's row
        stays in it: to the middle, or as near as the cursor allows."""
        rows = self._view_rows()
        if rows is None or not self._wrap_width or not 0 <= pos <= len(self._text):
            return
        top, height, context = rows
        row, cursor_row = self._row_of(pos), self._row_of(self._caret.cursor)
        if row <= top + height - 1 - context or not top <= cursor_row < top + height:
            return  # already in view (or above it), or the cursor is elsewhere
        if row - (height - 1 - context) > cursor_row - context:
            return  # too far below to show with the cursor
        self.scroll_to(y=min(row - height // 2, cursor_row - context), animate=False, force=True)

    def _scroll_to_cursor(self, *, on_screen_later: bool = False) -> None:
        if not self._wrap_width:
            return  # the first layout scrolls to the cursor
        self._scroll_row_into_view(self._row_of(self._caret.cursor), on_screen_later=on_screen_later)

    def _layout_width(self) -> tuple[int, int]:
        """``(wrap width, left margin)`` for the current size: the reading width, narrower when
        the view is, centred. Two cells stay free on the right for a hanging space and the
        cursor at a line's end."""
        content = self.scrollable_content_region.width
        room = content - MARGIN - 2
        width = max(1, min(self._reading_width, room))
        margin = MARGIN + max(0, (room - width) // 2)
        return width, margin

    def _relayout(self, window: tuple[int, int] | None = None) -> None:
        width, self._margin = self._layout_width()
        if width != self._wrap_width or self._wrapped is None:
            self._wrap_width = width
            if self._wrapped is None or self._wrapped.width != width:
                self._wrapped = None
                if window is not None:
                    # The first screen needs only the rows around the reading place; the rest
                    # is wrapped once that screen is up.
                    context = self.scrollable_content_region.height + 2 * SCROLL_CONTEXT
                    self._wrapped = wrap_window(self._text, width, *window, context)
                    if self._wrapped is not None:
                        self.call_after_refresh(self._finish_window)
                if self._wrapped is None:
                    self._wrapped = wrap_text(self._text, width)
        self._version += 1
        self._cache.clear()
        self.virtual_size = Size(self.scrollable_content_region.width, len(self._wrapped))

    def _finish_window(self) -> None:
        wrapped = self._wrapped
        if wrapped is not None and wrapped.exact is not None:
            self._complete_wrap()

    def _rewrap(self) -> None:
        if not self.is_mounted or not self._wrap_width:
            return
        top = self.top_offset
        self._relayout()
        self.scroll_to(y=self.wrapped.row_of(top), animate=False, force=True)
        self._scroll_to_cursor()
        self.refresh()

    def on_resize(self, event: events.Resize) -> None:
        first = not self._wrap_width
        top = None if first else self.top_offset
        if first:
            self._schedule_work_ahead()  # the first key there should not wait for the segmenter
            place = self._caret.cursor if self._pending_top is None else self._pending_top
            self._relayout(window=(min(place, self._caret.cursor), max(place, self._caret.cursor)))
            if self._pending_top is not None:
                self.scroll_to(y=self._row_of(self._pending_top), animate=False, force=True)
                self._pending_top = None
        else:
            self._relayout()
            if top is not None:
                self.scroll_to(y=self.wrapped.row_of(top), animate=False, force=True)
        self._scroll_to_cursor()
        self.refresh()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._version += 1  # theme or focus styles changed: every cached row is stale

    # -- repainting ----------------------------------------------------------------------------

    def _invalidate(self, start: int, end: int) -> None:
        """Drop cached rows showing offsets ``[start, end)`` and repaint the visible ones."""
        wrapped = self._wrapped
        if not self._wrap_width or wrapped is None:
            return
        # Rows outside a window are estimates, never on screen: invalidating them is harmless.
        rows = wrapped.rows_of(start, max(start + 1, end))
        first, last = rows.start, rows.stop - 1
        key_width, version = self.scrollable_content_region.width, self._version
        if len(rows) <= len(self._cache):
            for row in rows:
                self._cache.discard((row, key_width, version))
        else:
            for key in list(self._cache.keys()):
                if first <= key[0] <= last:
                    self._cache.discard(key)
        top = int(self.scroll_offset.y)
        height = self.scrollable_content_region.height
        lo, hi = max(first, top), min(last, top + height - 1)
        if lo <= hi:
            self.refresh_lines(lo, hi - lo + 1)

    def _invalidate_all(self) -> None:
        self._cache.clear()
        self.refresh()

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        strip = self._row_strip(int(self.scroll_offset.y) + y, width)
        return Strip.blank(width, self.rich_style) if strip is None else strip

    def _drawable(self, row: int) -> bool:
        wrapped = self._wrapped
        if not self._wrap_width or wrapped is None or row >= len(wrapped):
            return False
        exact = wrapped.exact  # rows outside a window are estimates, not drawn
        return exact is None or exact[0] <= wrapped.starts[row] < exact[1]

    def _row_strip(self, row: int, width: int) -> Strip | None:
        if not self._drawable(row):
            return None
        key = (row, width, self._version)
        strip = self._cache.get(key)
        if strip is None:
            strip = self._render_row(row, width)
            self._cache.set(key, strip)
        return strip

    def _draw_ahead(self, deadline: float) -> bool:
        """Draw the screen of rows below the view into the row cache, so that the scroll that
        brings them in (half a screen at a time) finds them drawn; False if time ran out."""
        region = self.scrollable_content_region
        top = int(self.scroll_offset.y)
        for row in range(top + region.height, top + 2 * region.height):
            if not self._drawable(row):
                return True
            if (row, region.width, self._version) in self._cache:
                continue
            if time.perf_counter() >= deadline:
                return False
            self._row_strip(row, region.width)
        return True

    def _matches_in(self, start: int, end: int) -> list[Span]:
        starts = self._match_starts
        lo = max(0, bisect_right(starts, start) - 1)
        hi = bisect_left(starts, end)
        return [m for m in self._matches[lo:hi] if m[1] > start]

    @staticmethod
    def _compose_style(
        key: tuple[Any, ...],
        base: Style,
        base_bg: Color,
        match_bg: Color,
        selection_bg: Color,
        cursor_style: Style,
    ) -> Style:
        """The style of a stretch of text, from what covers it (see ``style_of``)."""
        colours, entity_style, in_match, in_selection, at_cursor = key
        background = base_bg
        first = True
        for colour in colours:
            if colour is None:
                continue
            colour = Color.from_rich_color(colour)
            # Where segments overlap their colours mix, so the overlap is seen as one.
            background = colour if first else background.blend(colour, 0.5)
            first = False
        if in_match:
            background = background + match_bg
        if in_selection:
            background = background + selection_bg
        style = base + Style(bgcolor=background.rich_color)
        if entity_style is not None:
            style += _draw_style(*entity_style)
        if at_cursor:
            style += cursor_style
        return style

    def _render_row(self, row: int, width: int) -> Strip:
        """Draw one row: margin, text with span, find, selection and cursor styles, padding."""
        wrapped = self._wrapped
        assert wrapped is not None  # rows are rendered only once the text is wrapped
        base = self.rich_style
        start, end = wrapped.row_span(row)
        # A hard break is drawn as one blank cell after the text, so a selection that takes in
        # the line break, or the cursor standing on it, shows.
        stop = end + 1 if wrapped.ends_line(row) else end
        marks = self._span_index.overlapping(start, stop)
        matches = self._matches_in(start, stop)
        selection = self.selected_span
        cursor = self._caret.cursor
        cursor_end = -1
        cuts = {start, end, stop}
        for mark in marks:
            cuts.add(mark.start)
            cuts.add(mark.end)
        for a, b in matches:
            cuts.add(a)
            cuts.add(b)
        if selection:
            cuts.update(selection)
        if start <= cursor < stop:
            cursor_end = next_grapheme(self._text, cursor) if cursor < end else cursor + 1
            cuts.add(cursor)
            cuts.add(cursor_end)
        bounds = sorted(c for c in cuts if start <= c <= stop)

        cursor_style = self.get_component_rich_style("article-view--cursor", partial=True)
        # Selection and match backgrounds are translucent: laid over span colours, both show.
        selection_bg = self.get_component_styles("article-view--selection").background
        match_bg = self.get_component_styles("article-view--match").background
        base_bg = Color.from_rich_color(base.bgcolor) if base.bgcolor else Color(0, 0, 0)
        memo: dict[tuple[object, ...], Style] = {}

        def style_of(a: int, b: int) -> Style:
            covering = [m for m in marks if m.start <= a and m.end >= b]
            colours = tuple(
                m.style.bgcolor or m.style.color for m in covering if m.layer == "segment"
            )
            entities = [m for m in covering if m.layer == "entity"] or [
                m for m in covering if m.layer == "suggestion"
            ]
            key = (
                colours,
                # the innermost entity's colour (else a suggestion's)
                (entities[-1].layer, entities[-1].style) if entities else None,
                any(ma <= a and mb >= b for ma, mb in matches),
                bool(selection and selection[0] <= a and selection[1] >= b),
                cursor <= a and b <= cursor_end,
            )
            style = memo.get(key)
            if style is None:
                style = memo[key] = self._compose_style(
                    key, base, base_bg, match_bg, selection_bg, cursor_style
                )
            return style

        segments = [Segment(" " * self._margin, base)]
        if wrapped.is_simple(row):
            # Every character is one printable cell: slice the text directly.
            for a, b in zip(bounds, bounds[1:]):
                if a < end:
                    segments.append(Segment(self._text[a:min(b, end)], style_of(a, b)))
                elif cursor_end > a or (selection and selection[0] <= a < selection[1]):
                    segments.append(Segment(" ", style_of(a, b)))
        else:
            control_style = self.get_component_rich_style("article-view--control", partial=True)
            runs: list[tuple[str, Style]] = []
            text = self._text
            for cell in wrapped.cells(row):
                i = bisect_right(bounds, cell.start) - 1
                style = style_of(bounds[i], bounds[i + 1])
                if cell.shown != text[cell.start:cell.end]:
                    style += control_style
                if runs and runs[-1][1] == style:
                    runs[-1] = (runs[-1][0] + cell.shown, style)
                else:
                    runs.append((cell.shown, style))
            selected_break = bool(selection and selection[0] <= end < selection[1])
            if end < stop and (cursor_end > end or selected_break):
                runs.append((" ", style_of(end, stop)))
            segments.extend(Segment(shown, style) for shown, style in runs)
        return Strip(segments).adjust_cell_length(width, base)

    # -- mouse ---------------------------------------------------------------------------------

    def _offset_at(self, event: events.MouseEvent) -> int:
        offset = event.get_content_offset_capture(self)
        row = int(self.scroll_offset.y) + offset.y
        wrapped = self.wrapped
        if row < 0:
            return 0
        if row >= len(wrapped):
            return len(self._text)
        return wrapped.cell_to_offset(row, offset.x - self._margin)

    def on_mouse_down(self, event: events.MouseDown) -> None:
        if event.button != 1 or not self._wrap_width:
            return
        event.stop()
        self.focus()
        pos = self._offset_at(event)
        self._caret.goal_x = None
        self._dragging = True
        self.capture_mouse()
        if event.shift:
            self._set_cursor(pos, extend=True)
        else:
            self._caret.visual = False
            self._change(self._caret.snap(pos), None)

    def on_mouse_move(self, event: events.MouseMove) -> None:
        if not self._dragging:
            return
        event.stop()
        content = event.get_content_offset_capture(self)
        height = self.scrollable_content_region.height
        if content.y < 0:
            self.scroll_to(y=max(0, self.scroll_offset.y - 1), animate=False, force=True)
        elif content.y >= height:
            self.scroll_to(y=self.scroll_offset.y + 1, animate=False, force=True)
        pos = self._caret.snap(self._offset_at(event))
        anchor = self._caret.cursor if self._caret.anchor is None else self._caret.anchor
        self._change(pos, anchor)

    def on_mouse_up(self, event: events.MouseUp) -> None:
        if not self._dragging:
            return
        event.stop()
        self._dragging = False
        self.release_mouse()
        if self._caret.anchor is not None and self._caret.anchor == self._caret.cursor and not self._caret.visual:
            self._change(self._caret.cursor, None)

    def on_click(self, event: events.Click) -> None:
        # Double click selects the word, triple click the sentence.
        if event.chain == 2:
            span = self._segments.word_at(self._caret.cursor)
        elif event.chain == 3:
            span = self._segments.sentence_at(self._caret.cursor)
        else:
            return
        if span is not None:
            self.select(*span)
