"""A one-line legend: each label's keys, name and colour; when they do not all fit, as many as
fit and then how many are hidden and that `?` lists them all."""

from __future__ import annotations

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual.widget import Widget

from db import Label

from ..labels import key_label
from ..styles import label_style
from ..text.visible import one_line


def _keys(i: int, label: Label) -> str:
    return "/".join(k for k in (str(i) if i <= 9 else "", key_label(label.key)) if k)


def _pieces(labels: list[Label]) -> list[list[tuple[str, str | Style]]]:
    return [
        [(f" {_keys(i, label)} ", "bold"), (f" {one_line(label.name)} ", label_style(label)),
         ("  ", "")]
        for i, label in enumerate(labels, 1)
    ]


def _more(hidden: int) -> str:
    return f"+{hidden} more: ? lists all"


class Legend(Widget):
    DEFAULT_CSS = """
    Legend { height: 1; padding: 0 1; background: $panel; }
    """

    def __init__(self, labels: list[Label], **kwargs):
        super().__init__(**kwargs)
        self.labels = list(labels)

    def render(self) -> Text:
        return self.render_labels(self.labels, self.content_size.width or 10_000)

    @staticmethod
    def render_labels(labels: list[Label], width: int = 10_000) -> Text:
        """The labels that fit in `width` cells, then "+N more: ? lists all" if any do not."""
        pieces = _pieces(labels)
        sizes = [sum(cell_len(text) for text, _ in piece) for piece in pieces]
        shown = len(pieces)
        if sum(sizes) - 2 > width:
            # Keep room for the note about the rest.
            used, shown = 0, 0
            for size in sizes:
                if used + size + len(_more(len(pieces))) > width:
                    break
                used += size
                shown += 1
        out = Text(no_wrap=True, overflow="ellipsis")
        for piece in pieces[:shown]:
            for text, style in piece:
                out.append(text, style=style)
        if shown < len(pieces):
            out.append(_more(len(pieces) - shown), style="bold")
        return out
