"""Ranked search hits: each a title line and a snippet line with the matched words highlighted."""

from __future__ import annotations

from dataclasses import dataclass

from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from db import SearchHit

from .plain_text import fit_strip, visible

LINES_PER_HIT = 2


def snippet_segments(snippet: str, marks, base: Style, match: Style) -> list[Segment]:
    """The snippet as segments, the `marks` ((start, end) offsets) drawn in `match` style."""
    text = visible(snippet)  # one character for one, so the marks still line up
    segments, pos = [], 0
    for start, end in sorted(marks):
        start, end = max(start, pos), min(end, len(text))
        if start >= end:
            continue
        if start > pos:
            segments.append(Segment(text[pos:start], base))
        segments.append(Segment(text[start:end], base + match))
        pos = end
    if pos < len(text):
        segments.append(Segment(text[pos:], base))
    return segments


class HitList(ScrollView, can_focus=True, inherit_bindings=False):
    """The hits of a full-text search, best first, with a cursor."""

    HELP_GROUP = "Search results"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open", "Open", show=True, id="hits.open"),
        Binding("down,j", "cursor_down", "Next hit", show=False, id="hits.down"),
        Binding("up,k", "cursor_up", "Previous hit", show=False, id="hits.up"),
        Binding("home,g", "first", "First hit", show=False, id="hits.first"),
        Binding("end,G", "last", "Last hit", show=False, id="hits.last"),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "hit-list--cursor",
        "hit-list--title",
        "hit-list--snippet",
        "hit-list--match",
    }

    DEFAULT_CSS = """
    HitList {
        height: 1fr;
        overflow-x: hidden;
        overflow-y: auto;
        background: $surface;
        color: $foreground;
        & > .hit-list--title { text-style: bold; }
        & > .hit-list--snippet { color: $text-muted; }
        & > .hit-list--match { text-style: bold reverse; }
        & > .hit-list--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
        }
        &:focus > .hit-list--cursor {
            background: $block-cursor-background;
            color: $block-cursor-foreground;
        }
    }
    """

    @dataclass
    class Chosen(Message):
        """The reader chose a hit to open."""

        article_id: int

    def __init__(self, *, name: str | None = None, id: str | None = None, classes: str | None = None):
        super().__init__(name=name, id=id, classes=classes)
        self.hits: list[SearchHit] = []
        self.cursor = 0

    def show(self, hits: list[SearchHit]) -> None:
        """Replace the hits, cursor on the best one."""
        self.hits = list(hits)
        self.cursor = 0
        self.virtual_size = Size(self.size.width, len(self.hits) * LINES_PER_HIT)
        self.scroll_to(y=0, animate=False)
        self.refresh()

    @property
    def current(self) -> SearchHit | None:
        return self.hits[self.cursor] if 0 <= self.cursor < len(self.hits) else None

    def move_cursor(self, index: int) -> None:
        """Put the cursor on hit `index` (clamped) and scroll it into view."""
        if not self.hits:
            return
        old, self.cursor = self.cursor, max(0, min(index, len(self.hits) - 1))
        self.refresh_lines(old * LINES_PER_HIT, LINES_PER_HIT)
        self.refresh_lines(self.cursor * LINES_PER_HIT, LINES_PER_HIT)
        top, height = round(self.scroll_offset.y), self.scrollable_content_region.height
        first, last = self.cursor * LINES_PER_HIT, (self.cursor + 1) * LINES_PER_HIT
        if first < top:
            self.scroll_to(y=first, animate=False)
        elif last > top + height:
            self.scroll_to(y=last - height, animate=False)

    def action_cursor_down(self) -> None:
        self.move_cursor(self.cursor + 1)

    def action_cursor_up(self) -> None:
        self.move_cursor(self.cursor - 1)

    def action_first(self) -> None:
        self.move_cursor(0)

    def action_last(self) -> None:
        self.move_cursor(len(self.hits) - 1)

    def action_open(self) -> None:
        if self.current is not None:
            self.post_message(self.Chosen(self.current.article_id))

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        index = (round(self.scroll_offset.y) + offset.y) // LINES_PER_HIT
        if index >= len(self.hits):
            return
        if index == self.cursor:
            self.action_open()
        else:
            self.move_cursor(index)

    def on_resize(self) -> None:
        self.virtual_size = Size(self.size.width, len(self.hits) * LINES_PER_HIT)

    def _style(self, name: str) -> Style:
        return self.get_component_rich_style(f"hit-list--{name}")

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        line = round(self.scroll_offset.y) + y
        index, part = divmod(line, LINES_PER_HIT)
        base = self.rich_style
        if index >= len(self.hits):
            return Strip.blank(width, base)
        hit = self.hits[index]
        if part == 0:
            title = visible(hit.title) or "(untitled)"
            segments = [Segment(" ", base), Segment(title, base + self._style("title"))]
        else:
            segments = [Segment("   ", base)] + snippet_segments(
                hit.snippet, hit.marks, base + self._style("snippet"), self._style("match")
            )
        if index == self.cursor:
            segments = list(Segment.apply_style(segments, post_style=self._style("cursor")))
            base = base + self._style("cursor")
        return fit_strip(Strip(segments), width, base)
