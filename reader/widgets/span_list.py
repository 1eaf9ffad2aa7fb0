"""The side panel listing an article's spans in text order."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rich.text import Text
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from db import Label, Span

from ..text.visible import visible
from .span_style import label_style

EXCERPT = 60
EXCERPT_CELLS = 31


def excerpt(text: str, span: Span, width: int = EXCERPT) -> str:
    piece = " ".join(visible(text[span.start : span.end]).split())
    return piece if len(piece) <= width else piece[: width - 1] + "…"


class SpanList(OptionList):
    """Label and a short excerpt per span; choosing one posts `SpanList.Chosen`."""

    DEFAULT_CSS = """
    SpanList {
        width: 38;
        height: 1fr;
        border: none;
        border-left: vkey $panel-lighten-2;
        padding: 0;
    }
    """

    class Chosen(Message):
        def __init__(self, span: Span):
            super().__init__()
            self.span = span

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._spans: list[Span] = []

    def show_spans(self, text: str, spans: Sequence[Span], labels: Mapping[str, Label]) -> None:
        highlighted = self.highlighted
        self._spans = list(spans)
        options = []
        for span in self._spans:
            prompt = Text(no_wrap=True, overflow="ellipsis")
            label = labels.get(span.label)
            prompt.append(f" {span.label} ", style=label_style(label) if label else "reverse")
            # One row per span: the excerpt fills what the label leaves of the panel.
            prompt.append(" " + excerpt(text, span, max(8, EXCERPT_CELLS - len(span.label))))
            options.append(Option(prompt, id=str(span.id)))
        self.set_options(options)
        if self._spans and highlighted is not None:
            self.highlighted = min(highlighted, len(self._spans) - 1)

    def highlight_span(self, span_id: int | None) -> None:
        for i, span in enumerate(self._spans):
            if span.id == span_id:
                self.highlighted = i
                return

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.post_message(self.Chosen(self._spans[event.option_index]))
