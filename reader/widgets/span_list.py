"""The side panel listing an article's spans in text order.

A Line-API list: only the rows in view are rendered, so an article with thousands of spans costs
the same to show and to update as one with ten.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence

from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding
from textual.events import Click
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from db import Label, Span

from ..styles import label_style
from ..spanset import order_key
from ..text.visible import one_line, visible

EXCERPT = 60


def excerpt(text: str, span: Span, width: int = EXCERPT) -> str:
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

    class Chosen(Message):
        def __init__(self, span: Span):
            super().__init__()
            self.span = span

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._spans: list[Span] = []  # in text order (``order_key``)
        self._by_id: dict[int, Span] = {}
        self._text = ""
        self._styles: dict[str, Style] = {}
        self.highlighted: int | None = None

    @property
    def spans(self) -> list[Span]:
        return self._spans

    def show_spans(self, text: str, spans: Sequence[Span], labels: Mapping[str, Label]) -> None:
        """Show ``spans``, which must be in text order (``order_key``)."""
        self._text = text
        self._spans = list(spans)
        self._by_id = {s.id: s for s in self._spans}
        self._styles = {name: label_style(label) for name, label in labels.items()}
        if self.highlighted is not None and self.highlighted >= len(self._spans):
            self.highlighted = len(self._spans) - 1 if self._spans else None
        self.virtual_size = Size(self.size.width, len(self._spans))
        self.refresh()

    def update_spans(self, added: Iterable[Span] = (), removed: Iterable[Span] = ()) -> None:
        """Insert and remove rows in place; only rows from the first change down are redrawn."""
        spans, by_id = self._spans, self._by_id
        first = len(spans)
        for span in removed:
            old = by_id.pop(span.id, None)
            if old is None:
                continue
            i = bisect_left(spans, order_key(old), key=order_key)
            del spans[i]
            first = min(first, i)
            if self.highlighted is not None and i < self.highlighted:
                self.highlighted -= 1
        for span in added:
            if span.id in by_id:
                continue
            by_id[span.id] = span
            i = bisect_left(spans, order_key(span), key=order_key)
            spans.insert(i, span)
            first = min(first, i)
            if self.highlighted is not None and i <= self.highlighted:
                self.highlighted += 1
        if self.highlighted is not None and self.highlighted >= len(spans):
            self.highlighted = len(spans) - 1 if spans else None
        if self.virtual_size.height != len(spans):
            self.virtual_size = Size(self.size.width, len(spans))
        top, height = int(self.scroll_offset.y), self.size.height
        if first < top:
            self.refresh()
        elif first < top + height:
            self.refresh_lines(first, top + height - first)  # content rows, as render_line counts

    def highlight_span(self, span_id: int | None) -> None:
        span = self._by_id.get(span_id) if span_id is not None else None
        if span is not None:
            self._highlight(bisect_left(self._spans, order_key(span), key=order_key))

    def _highlight(self, index: int | None) -> None:
        if index == self.highlighted:
            return  # every cursor move asks; an unchanged row needs no repaint
        old, self.highlighted = self.highlighted, index
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
        if index >= len(self._spans):
            if not self._spans and y == 0:
                return Strip([Segment(" no spans yet", Style(dim=True))]).crop(0, width)
            return Strip.blank(width)
        span = self._spans[index]
        label = f" {one_line(span.label)} "
        rest = " " + excerpt(self._text, span, max(4, width - len(label) - 1))
        row_style = Style(reverse=True) if index == self.highlighted else Style()
        segments = [
            Segment(label, self._styles.get(span.label, Style(reverse=True))),
            Segment(rest, row_style),
        ]
        return Strip(segments).adjust_cell_length(width, row_style)

    def action_move(self, delta: int) -> None:
        if not self._spans:
            return
        current = -1 if self.highlighted is None else self.highlighted
        self._highlight(max(0, min(len(self._spans) - 1, current + delta)))

    def action_choose(self) -> None:
        if self.highlighted is not None and self._spans:
            self.post_message(self.Chosen(self._spans[self.highlighted]))

    def on_click(self, event: Click) -> None:
        index = self.scroll_offset.y + event.y
        if 0 <= index < len(self._spans):
            self._highlight(index)
            self.action_choose()
