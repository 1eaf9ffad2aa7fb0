"""The side panel listing an article's spans in text order.

A Line-API list: only the rows in view are rendered, so an article with thousands of spans costs
the same to show and to update as one with ten.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding
from textual.events import Click
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from db import Label, Span

from ..text.visible import visible
from ..labels import label_style

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
        Binding("up,k", "move(-1)", "Previous span", show=False),
        Binding("down,j", "move(1)", "Next span", show=False),
        Binding("enter", "choose", "Go to span", show=False),
    ]

    class Chosen(Message):
        def __init__(self, span: Span):
            super().__init__()
            self.span = span

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._spans: list[Span] = []
        self._text = ""
        self._styles: dict[str, Style] = {}
        self.highlighted: int | None = None

    @property
    def spans(self) -> list[Span]:
        return self._spans

    def show_spans(self, text: str, spans: Sequence[Span], labels: Mapping[str, Label]) -> None:
        self._text = text
        self._spans = list(spans)
        self._styles = {name: label_style(label) for name, label in labels.items()}
        if self.highlighted is not None and self.highlighted >= len(self._spans):
            self.highlighted = len(self._spans) - 1 if self._spans else None
        self.virtual_size = Size(self.size.width, len(self._spans))
        self.refresh()

    def highlight_span(self, span_id: int | None) -> None:
        for i, span in enumerate(self._spans):
            if span.id == span_id:
                self._highlight(i)
                return

    def _highlight(self, index: int | None) -> None:
        self.highlighted = index
        if index is not None:
            self.scroll_to(y=max(0, index - self.size.height // 2), animate=False)
        self.refresh()

    def render_line(self, y: int) -> Strip:
        index = self.scroll_offset.y + y
        width = self.size.width
        if index >= len(self._spans):
            if not self._spans and y == 0:
                return Strip([Segment(" no spans yet", Style(dim=True))]).crop(0, width)
            return Strip.blank(width)
        span = self._spans[index]
        label = f" {span.label} "
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
