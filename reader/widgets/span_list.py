"""The side panel listing an article's spans in text order.

A Line-API list: only the rows in view are rendered, so an article with thousands of spans costs
the same to show and to update as one with ten.
"""

from __future__ import annotations

from dataclasses import dataclass

from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from typing import Protocol

from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding
from textual.events import Click
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.timer import Timer

from db import Label, Span

from ..document import SPANS, Delta, Document
from ..spanset import SpanSet, order_key
from ..styles import label_style
from ..text.visible import one_line, visible

EXCERPT = 60
# A document's change reaches the list this much later: the tag's own frame then draws only the
# text, and a quick run of keys repaints the list once.
FOLLOW_DELAY = 0.05
_UNSET = object()


class Stretch(Protocol):
    """Anything with offsets: a span, a conflict, a stretch of text."""

    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...


def excerpt(text: str, span: Stretch, width: int = EXCERPT) -> str:
    piece = " ".join(visible(text[span.start : span.end]).split())
    return piece if len(piece) <= width else piece[: width - 1] + "…"


class SpanList(ScrollView, can_focus=True):
    """Label and a short excerpt per span; enter or a click posts `SpanList.Chosen`."""

    DEFAULT_CSS = """
    SpanList {
        width: 38;
        height: 1fr;
        border-left: vkey $panel-lighten-2;
    }
    """
    BINDINGS = [
        Binding("up,k", "move(-1)", "Previous span", show=False, id="spans.up"),
        Binding("down,j", "move(1)", "Next span", show=False, id="spans.down"),
        Binding("enter", "choose", "Go to span", show=False, id="spans.choose"),
    ]

    @dataclass
    class Chosen(Message):
        """The reader chose a span to go to."""

        span: Span

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._own = SpanSet()  # what show_spans gave, when no document is shown
        self._document: Document | None = None
        self._text = ""
        self._styles: dict[str, Style] = {}
        self.highlighted: int | None = None
        self._highlighted_id: int | None = None
        # While a document's change waits to be drawn: the first row it moved, and the span
        # asked to be highlighted meanwhile.
        self._follow_timer: Timer | None = None
        self._first_changed = 0
        self._wanted: object = _UNSET

    @property
    def spans(self) -> Sequence[Span]:
        """The rows, in text order (``order_key``)."""
        return self._document.spans.ordered if self._document is not None else self._own.ordered

    def show_spans(self, text: str, spans: Sequence[Span], labels: Mapping[str, Label]) -> None:
        """Show ``spans``, which must be in text order (``order_key``), as the list's own."""
        self._document = None
        self._own = SpanSet(spans, in_order=True)
        self._shown(text, labels)

    def show_document(self, document: Document, labels: Mapping[str, Label]) -> None:
        """List the spans of ``document`` and follow its changes."""
        self._document = document
        document.subscribe(self._document_changed)
        self._shown(document.text, labels)

    def _shown(self, text: str, labels: Mapping[str, Label]) -> None:
        self._text = text
        self._styles = {name: label_style(label) for name, label in labels.items()}
        self._rows_changed(0)

    def update_spans(self, added: Iterable[Span] = (), removed: Iterable[Span] = ()) -> None:
        """Insert and remove rows of the list's own spans; only rows from the first change
        down are redrawn."""
        removed = [s for s in removed if s.id in self._own]
        added = list(added)
        self._own.apply(removed, added)
        self._rows_changed(self._first_row(removed + added))

    def _first_row(self, spans: Iterable[Span]) -> int:
        ordered = self.spans
        return min((bisect_left(ordered, order_key(s), key=order_key) for s in spans),
                   default=len(ordered))

    def _document_changed(self, delta: Delta) -> None:
        if delta.layer != SPANS or self._document is None:
            return
        first = 0 if delta.reset else self._first_row((*delta.removed, *delta.added))
        if self._follow_timer is None:
            self._first_changed = first
            self._wanted = _UNSET
            self._follow_timer = self.set_timer(FOLLOW_DELAY, self._follow)
        else:
            self._first_changed = min(self._first_changed, first)

    def _follow(self) -> None:
        self._follow_timer = None
        self._rows_changed(self._first_changed)
        wanted, self._wanted = self._wanted, _UNSET
        if wanted is not _UNSET:
            self.highlight_span(wanted)  # type: ignore[arg-type]

    def _rows_changed(self, first: int) -> None:
        """The rows from ``first`` down may have moved: put the highlight back on its span and
        repaint what is in view of them."""
        spans = self.spans
        self.highlighted = self._index_of(self._highlighted_id)
        if self.highlighted is None:
            self._highlighted_id = None
        if self.virtual_size.height != len(spans):
            self.virtual_size = Size(self.size.width, len(spans))
        top, height = int(self.scroll_offset.y), self.size.height
        if first < top:
            self.refresh()
        elif first < top + height:
            self.refresh_lines(first, top + height - first)  # content rows, as render_line counts

    def _index_of(self, span_id: int | None) -> int | None:
        holder = self._document.spans if self._document is not None else self._own
        span = holder.get(span_id) if span_id is not None else None
        if span is None:
            return None
        return bisect_left(self.spans, order_key(span), key=order_key)

    def highlight_span(self, span_id: int | None) -> None:
        if self._follow_timer is not None:
            self._wanted = span_id  # once the rows are drawn
            return
        index = self._index_of(span_id)
        if index is not None:
            self._highlight(index)

    def _highlight(self, index: int | None) -> None:
        if index == self.highlighted:
            return  # every cursor move asks; an unchanged row needs no repaint
        old, self.highlighted = self.highlighted, index
        self._highlighted_id = None if index is None else self.spans[index].id
        top, height = self.scroll_offset.y, self.size.height
        if index is not None and not top <= index < top + height:
            self.scroll_to(y=max(0, index - height // 2), animate=False)
            self.refresh()
            return
        # Tagging moves the highlight a row at a time: repaint those two rows, not the list.
        for row in (old, index):
            if row is not None:
                self.refresh_line(row)

    def render_line(self, y: int) -> Strip:
        index = self.scroll_offset.y + y
        width = self.size.width
        if index >= len(self.spans):
            if not self.spans and y == 0:
                return Strip([Segment(" no spans yet", Style(dim=True))]).crop(0, width)
            return Strip.blank(width)
        span = self.spans[index]
        label = f" {one_line(span.label)} "
        rest = " " + excerpt(self._text, span, max(4, width - len(label) - 1))
        row_style = Style(reverse=True) if index == self.highlighted else Style()
        segments = [
            Segment(label, self._styles.get(span.label, Style(reverse=True))),
            Segment(rest, row_style),
        ]
        return Strip(segments).adjust_cell_length(width, row_style)

    def action_move(self, delta: int) -> None:
        if not self.spans:
            return
        current = -1 if self.highlighted is None else self.highlighted
        self._highlight(max(0, min(len(self.spans) - 1, current + delta)))

    def action_choose(self) -> None:
        if self.highlighted is not None and self.spans:
            self.post_message(self.Chosen(self.spans[self.highlighted]))

    def on_click(self, event: Click) -> None:
        index = self.scroll_offset.y + event.y
        if 0 <= index < len(self.spans):
            self._highlight(index)
            self.action_choose()
