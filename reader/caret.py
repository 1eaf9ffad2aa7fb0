"""The cursor and selection in one text: where they are, how text motions move them, and which
stretches of text a change must repaint. Pure: the article view adds the rows and the screen.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .text.segment import Segments, next_grapheme, prev_grapheme

Range = tuple[int, int]

# Motions that need only the text and its segments (row and page motions need the wrapping).
TEXT_MOTIONS = (
    "left", "right", "word_next", "word_prev", "word_end", "sentence_next", "sentence_prev",
    "paragraph_next", "paragraph_prev", "top", "bottom",
)


@dataclass(frozen=True, slots=True)
class Moved:
    """What a change of cursor or selection did: ``repaint`` holds the stretches that look
    different now (end exclusive), ``moved`` whether the cursor itself moved."""

    cursor: int
    selection: Range | None
    moved: bool
    repaint: tuple[Range, ...]


class Caret:
    """A cursor on grapheme boundaries (``len(text)`` allowed), an optional anchor that makes a
    selection with it, visual mode (plain motions extend the selection) and the column a run of
    vertical moves keeps to."""

    def __init__(self, text: str, cursor: int = 0):
        self.text = text
        self.cursor = self.snap(cursor)
        self.anchor: int | None = None
        self.visual = False
        self.goal_x: int | None = None

    @property
    def selection(self) -> Range | None:
        """``(anchor, cursor)`` while selecting, else None."""
        return None if self.anchor is None else (self.anchor, self.cursor)

    @property
    def selected_span(self) -> Range | None:
        """The selection as ``(start, end)`` with start < end, or None when nothing is selected."""
        if self.anchor is None or self.anchor == self.cursor:
            return None
        return (min(self.anchor, self.cursor), max(self.anchor, self.cursor))

    def snap(self, pos: int) -> int:
        """Clamp ``pos`` to the text and move it back to the start of its grapheme cluster."""
        text = self.text
        if pos >= len(text):
            return len(text)
        if pos <= 0:
            return 0
        return prev_grapheme(text, next_grapheme(text, pos))

    def set(self, cursor: int, anchor: int | None) -> Moved:
        """Put the cursor and anchor (both already snapped) and say what must be repainted."""
        old_cursor, old_span = self.cursor, self.selected_span
        self.cursor, self.anchor = cursor, anchor
        new_span = self.selected_span
        repaint: list[Range] = []
        if old_cursor != cursor:
            repaint += [(old_cursor, old_cursor + 1), (cursor, cursor + 1)]
        if old_span != new_span:
            if old_span and new_span:
                # Only the stretches between the old and new edges changed.
                repaint.append((min(old_span[0], new_span[0]), max(old_span[0], new_span[0]) + 1))
                repaint.append((min(old_span[1], new_span[1]), max(old_span[1], new_span[1]) + 1))
            else:
                span = old_span or new_span
                assert span is not None
                repaint.append((span[0], span[1] + 1))
        return Moved(cursor, new_span, old_cursor != cursor, tuple(repaint))

    def place(self, pos: int, extend: bool) -> Moved:
        """Move the cursor to ``pos``; with ``extend`` the selection follows it, else it goes
        (and visual mode ends)."""
        pos = self.snap(pos)
        if extend:
            anchor = self.cursor if self.anchor is None else self.anchor
        else:
            anchor = None
            self.visual = False
        return self.set(pos, anchor)

    def select(self, start: int, end: int) -> Moved:
        """Select ``[start, end)``; the cursor goes to ``end``."""
        self.goal_x = None
        return self.set(self.snap(end), self.snap(start))

    def clear(self) -> Moved:
        """Drop the selection and leave visual mode."""
        self.visual = False
        return self.set(self.cursor, None)

    def toggle_visual(self) -> Moved:
        if self.visual:
            return self.clear()
        self.visual = True
        return self.set(self.cursor, self.cursor)


def text_motion(name: str, text: str, segments: Segments) -> Callable[[int], int]:
    """The motion ``name`` (one of ``TEXT_MOTIONS``) as a function of the cursor."""
    motions: dict[str, Callable[[int], int]] = {
        "left": lambda c: prev_grapheme(text, c),
        "right": lambda c: next_grapheme(text, c),
        "word_next": segments.next_word,
        "word_prev": segments.prev_word,
        "word_end": segments.word_end,
        "sentence_next": segments.next_sentence,
        "sentence_prev": segments.prev_sentence,
        "paragraph_next": segments.next_paragraph,
        "paragraph_prev": segments.prev_paragraph,
        "top": lambda c: 0,
        "bottom": lambda c: len(text),
    }
    return motions[name]
