"""A few fixed lines of Rich text, redrawn on every key (the article's header and status line).

A `Static` turns its text into Textual content and renders that anew through the visual
pipeline on each update; these lines are rendered by Rich once per change and width, and each
repaint hands out the same strips.
"""

from __future__ import annotations

from rich.segment import Segment
from rich.text import Text
from textual.strip import Strip
from textual.widget import Widget


class TextLines(Widget):
    DEFAULT_CSS = """
    TextLines { height: 1; }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._text = Text()
        self._strips: list[Strip] = []
        self._drawn_for: tuple[int, object] | None = None  # (width, base style) of _strips

    def update(self, text: Text) -> None:
        """Show `text` (its own no_wrap / overflow say how a long line is cut). Only repaints:
        the height is the stylesheet's."""
        self._text = text
        self._drawn_for = None
        self.refresh()

    def render(self) -> Text:
        return self._text

    def render_line(self, y: int) -> Strip:
        width = self.content_size.width
        base = self.rich_style
        if self._drawn_for != (width, base):
            console = self.app.console
            options = console.options.update(width=width, height=None, no_wrap=True)
            lines = console.render_lines(self._text, options, style=base, pad=True, new_lines=False)
            self._strips = [Strip(line, width) for line in lines]
            self._drawn_for = (width, base)
        if y < len(self._strips):
            return self._strips[y]
        return Strip([Segment(" " * width, base)], width)
