"""One open article: its text, segments and the layers of spans drawn over it at once.

A plain model (no UI, no storage). The screen applies each ``Change`` to it once; the widgets
that draw the article (the text view, the span list) subscribe and are told what changed, so no
copy of a span is kept in step by hand. Layers:

- ``SPANS``: the spans shown (the annotator's own, or with every annotator's that may be seen),
  in a ``SpanSet``;
- ``SUGGESTIONS``: what the machine proposes, in text order. A suggestion never overlaps the
  annotator's own span of its layer: a tag over it drops it, and one that arrives over a tag
  is not kept.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from db import Article, Change, Label, Span

from .spanset import SpanSet
from .text.segment import Segments

SPANS = "spans"
SUGGESTIONS = "suggestions"


@dataclass(frozen=True, slots=True)
class Delta:
    """What changed in one layer: items removed and added, or (``reset``) the whole layer."""

    layer: str
    removed: tuple = ()
    added: tuple = ()
    reset: bool = False


Listener = Callable[[Delta], None]


def _suggestion_order(s: Any) -> tuple[int, int, str]:
    return (s.start, s.end, s.label)


class Document:
    """The open article as every widget draws it. ``annotator`` is whose spans are edited."""

    def __init__(
        self,
        article: Article,
        labels: Mapping[str, Label],
        annotator: str,
        spans: Iterable[Span] = (),
        *,
        in_order: bool = False,
    ):
        self.article = article
        self.labels = dict(labels)
        self.annotator = annotator
        self.segments = Segments(article.text)
        self.spans = self._span_set(spans, in_order)
        self._suggestions: list = []  # reader.suggest.Suggestion, in text order
        self._suggestion_starts: list[int] = []
        self._listeners: list[Listener] = []

    @property
    def text(self) -> str:
        return self.article.text

    def layer_of(self, label: str) -> str | None:
        found = self.labels.get(label)
        return found.layer if found is not None else None

    def _span_set(self, spans: Iterable[Span], in_order: bool) -> SpanSet:
        return SpanSet(spans, layer_of=self.layer_of, in_order=in_order)

    # -- listening -------------------------------------------------------------------------

    def subscribe(self, listener: Listener) -> None:
        if listener not in self._listeners:
            self._listeners.append(listener)

    def _emit(self, delta: Delta) -> None:
        if delta.reset or delta.removed or delta.added:
            for listener in self._listeners:
                listener(delta)

    # -- the spans -------------------------------------------------------------------------

    def apply(self, change: Change) -> list[Span]:
        """Apply a change to the spans (and the article's status); returns the spans it
        removed as they were held."""
        removed = [self.spans[s.id] for s in change.removed if s.id in self.spans]
        self.spans.apply(removed, change.added)
        if change.status:
            self.article = self.article._replace(status=change.status)
        elif change.added and self.article.status == "new":
            self.article = self.article._replace(status="in_progress")
        self._emit(Delta(SPANS, tuple(removed), tuple(change.added)))
        if change.added:
            self._drop_covered(change.added)
        return removed

    def swap(self, pairs: Iterable[tuple[Span, Span]]) -> None:
        """Put committed spans in place of the provisional ones painted ahead of the commit
        (a pair whose provisional span a later change has removed again is skipped)."""
        removed, added = [], []
        for old, new in pairs:
            if old.id in self.spans:
                self.spans.remove(old.id)
                self.spans.add(new)
                removed.append(old)
                added.append(new)
        self._emit(Delta(SPANS, tuple(removed), tuple(added)))

    def replace_spans(self, spans: Iterable[Span], *, in_order: bool = False) -> None:
        """Hold another set of spans wholesale (a reload, or another choice of annotators)."""
        self.spans = self._span_set(spans, in_order)
        self._emit(Delta(SPANS, reset=True))
        kept = self._without_covered(self._suggestions)
        if len(kept) != len(self._suggestions):
            self._set_suggestions(kept)

    def covers(self, start: int, end: int, label: str) -> bool:
        """Whether the annotator's own spans of this label's layer overlap ``[start, end)``."""
        layer = self.layer_of(label)
        return layer is not None and bool(self.spans.overlapping(self.annotator, layer, start, end))

    # -- suggestions -----------------------------------------------------------------------

    @property
    def suggestions(self) -> Sequence:
        """The suggestions waiting, in text order (the model's own list: do not change it)."""
        return self._suggestions

    def set_suggestions(self, found: Iterable) -> None:
        """Hold these suggestions, less those with a label the set lacks or over a tag."""
        self._set_suggestions(
            self._without_covered(s for s in found if s.label in self.labels)
        )

    def remove_suggestions(self, gone: Iterable) -> None:
        keys = {s.key for s in gone}
        self._set_suggestions([s for s in self._suggestions if s.key not in keys])

    def add_suggestion(self, suggestion) -> None:
        self.set_suggestions([*self._suggestions, suggestion])

    def suggestion_at(self, pos: int):
        """The innermost suggestion holding ``pos`` (a name inside a suggested sentence)."""
        here = [s for s in self._suggestions[: bisect_right(self._suggestion_starts, pos)]
                if s.end > pos]
        return min(here, key=lambda s: s.end - s.start) if here else None

    def next_suggestion_start(self, after: int) -> int | None:
        starts = self._suggestion_starts
        i = bisect_right(starts, after)
        return starts[i] if i < len(starts) else None

    def prev_suggestion_start(self, before: int) -> int | None:
        starts = self._suggestion_starts
        i = bisect_left(starts, before)
        return starts[i - 1] if i > 0 else None

    def _without_covered(self, found: Iterable) -> list:
        return [s for s in found if not self.covers(s.start, s.end, s.label)]

    def _drop_covered(self, added: Iterable[Span]) -> None:
        spans = [(s.start, s.end, self.layer_of(s.label)) for s in added
                 if s.annotator == self.annotator]
        if not spans or not self._suggestions:
            return
        kept = [
            s for s in self._suggestions
            if not any(a < s.end and s.start < b and layer == self.layer_of(s.label)
                       for a, b, layer in spans)
        ]
        if len(kept) != len(self._suggestions):
            self._set_suggestions(kept)

    def _set_suggestions(self, found: list) -> None:
        old = self._suggestions
        new = sorted(dict.fromkeys(found), key=_suggestion_order)
        self._suggestions = new
        self._suggestion_starts = [s.start for s in new]
        before, after = set(old), set(new)
        self._emit(Delta(SUGGESTIONS, tuple(before - after), tuple(after - before)))
