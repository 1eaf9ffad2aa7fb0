"""A one-line legend: each label's keys, name and colour."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from db import Label

from ..styles import label_style


class Legend(Static):
    DEFAULT_CSS = """
    Legend { height: 1; padding: 0 1; background: $panel; }
    """

    def __init__(self, labels: list[Label], **kwargs):
        super().__init__(self.render_labels(labels), **kwargs)

    @staticmethod
    def render_labels(labels: list[Label]) -> Text:
        out = Text(no_wrap=True, overflow="ellipsis")
        for i, label in enumerate(labels, 1):
            keys = "/".join(k for k in (str(i) if i <= 9 else "", label.key or "") if k)
            out.append(f" {keys} ", style="bold")
            out.append(f" {label.name} ", style=label_style(label))
            out.append("  ")
        return out
