"""What the article view draws over the text: one mark per span or suggestion, an index that
finds a row's marks by bisection, and the marks a document's layers make.

Marks are derived: the ``Document`` holds the spans, and ``DocumentMarks`` turns each of its
changes into the marks to add and remove, so the view never keeps spans of its own in step.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache
from typing import Any, NamedTuple

from rich.style import Style

from ..document import SPANS, SUGGESTIONS, Delta, Document
from ..spanset import LONG_SPAN

class SpanMark(NamedTuple):
    """A span to draw: ``layer`` is ``"segment"`` (drawn as a background), ``"entity"``
    (underlined, bold, in the style's colour) or ``"suggestion"`` (underlined, in italics).

    A named tuple rather than a frozen dataclass: an article's thousands of marks are built when
    it opens, and a tuple is several times cheaper to make.
    """

    start: int
    end: int
    layer: str
    style: Style
    id: int | None = None


@lru_cache(maxsize=1024)
def _draw_style(layer: str, style: Style) -> Style:
    """The style a span adds to its text: segments colour the background and entities the text,
    so a segment and the entities inside it stay readable together."""
    if layer == "entity":
        return Style(color=style.color or style.bgcolor, bold=True, underline=True)
    if layer == "suggestion":  # proposed, not tagged: underlined in the label's colour
        return Style(color=style.bgcolor or style.color, underline=True, italic=True)
    return Style(bgcolor=style.bgcolor or style.color)


def _draw_order(mark: SpanMark) -> tuple[int, int, int, int]:
    # Segments under entities; an outer span first so an inner one shows on top of it; the id
    # last, so two spans over the same text always draw the same way.
    return (mark.layer == "entity", mark.start, -mark.end, -1 if mark.id is None else mark.id)


class SpanIndex:
    """Spans sorted by start offset, for finding those overlapping a row without a full scan.

    Kept up to date by ``add`` and ``remove``, so one tag costs a bisection, not a rebuild.
    """

    def __init__(self, marks: Iterable[SpanMark] = ()):
        short: list[SpanMark] = []
        long: list[SpanMark] = []
        for mark in marks:
            if mark.end > mark.start:
                (long if mark.end - mark.start > LONG_SPAN else short).append(mark)
        short.sort(key=lambda m: m.start)
        long.sort(key=lambda m: m.start)
        self._short = short
        self._short_starts = [m.start for m in short]
        self._long = long
        self._long_starts = [m.start for m in long]

    def _lists(self, mark: SpanMark) -> tuple[list[SpanMark], list[int]]:
        if mark.end - mark.start > LONG_SPAN:
            return self._long, self._long_starts
        return self._short, self._short_starts

    def add(self, mark: SpanMark) -> None:
        marks, starts = self._lists(mark)
        i = bisect_right(starts, mark.start)
        starts.insert(i, mark.start)
        marks.insert(i, mark)

    def remove(self, mark: SpanMark) -> None:
        marks, starts = self._lists(mark)
        i = bisect_left(starts, mark.start)
        while i < len(marks) and starts[i] == mark.start:
            if marks[i] == mark:
                del marks[i], starts[i]
                return
            i += 1

    def overlapping(self, start: int, end: int) -> list[SpanMark]:
        """Spans with any offset in ``[start, end)``, in drawing order."""
        lo = bisect_left(self._short_starts, start - LONG_SPAN)
        hi = bisect_left(self._short_starts, end)
        found = [m for m in self._short[lo:hi] if m.end > start]
        hi = bisect_left(self._long_starts, end)
        found.extend(m for m in self._long[:hi] if m.end > start)
        found.sort(key=_draw_order)
        return found


class DocumentMarks:
    """The marks of a document's layers, kept by what each was made from, so a ``Delta`` says
    which marks go and which come. Suggestions are drawn only while ``suggestions_shown``."""

    def __init__(self, document: Document, styles: Mapping[str, Style]):
        self.document = document
        self.styles = styles
        self.suggestions_shown = True
        self._spans: dict[int, SpanMark] = {}
        self._suggestions: dict[tuple, SpanMark] = {}

    def _span_mark(self, span) -> SpanMark | None:
        layer = self.document.layer_of(span.label)
        if layer is None:
            return None
        return SpanMark(span.start, span.end, layer, self.styles[span.label], span.id)

    def _suggestion_mark(self, s) -> SpanMark | None:
        style = self.styles.get(s.label)
        return None if style is None else SpanMark(s.start, s.end, "suggestion", style, None)

    def all(self) -> list[SpanMark]:
        """Every mark, made afresh from the document."""
        self._spans = {}
        for s in self.document.spans.ordered:
            mark = self._span_mark(s)
            if mark is not None:
                self._spans[s.id] = mark
        self._suggestions = {}
        if self.suggestions_shown:
            for s in self.document.suggestions:
                mark = self._suggestion_mark(s)
                if mark is not None:
                    self._suggestions[s.key] = mark
        return [*self._spans.values(), *self._suggestions.values()]

    def change(self, delta: Delta) -> tuple[list[SpanMark], list[SpanMark]] | None:
        """``(added, removed)`` marks for one delta, or None when every mark must be redrawn."""
        if delta.reset:
            return None
        held: dict[Any, SpanMark]
        key: Callable[[Any], Any]
        make: Callable[[Any], SpanMark | None]
        if delta.layer == SPANS:
            held, key, make = self._spans, (lambda s: s.id), self._span_mark
        elif delta.layer == SUGGESTIONS:
            if not self.suggestions_shown:
                return [], []
            held, key, make = self._suggestions, (lambda s: s.key), self._suggestion_mark
        else:
            return [], []
        removed = [held.pop(key(s)) for s in delta.removed if key(s) in held]
        added = []
        for s in delta.added:
            mark = make(s)
            if mark is not None:
                held[key(s)] = mark
                added.append(mark)
        return added, removed
