"""The spans of one open article, kept sorted with the figures the article screen shows.

A plain model (no UI, no storage): the screen applies each ``Change`` from the Store to it, and
every question asked per keypress (the span under the cursor, the next span start, label counts,
how much of the text one annotator has tagged, one layer's spans in order) is answered by
bisection or from a maintained figure, never by scanning or sorting all spans.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right, insort
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence

from db import Span

# Spans longer than this are kept in a short side list and checked one by one; all others are
# found by bisecting start offsets within this distance of the position asked about.
LONG_SPAN = 2048


def order_key(span: Span) -> tuple[int, int, str, int]:
    """Text order, as the Store returns spans: start, end, label, id."""
    return (span.start, span.end, span.label, span.id)


def _start(span: Span) -> int:
    return span.start


class SpanSet(Mapping[int, Span]):
    """Spans by id (a read-only mapping, iterated in text order), with label counts, coverage
    and per-layer interval lists.

    ``layer_of`` maps a label name to its layer ("segment", "entity"), or None for a label the
    label set does not know.
    """

    def __init__(
        self,
        spans: Iterable[Span] = (),
        layer_of: Callable[[str], str | None] = lambda _: None,
        *,
        in_order: bool = False,
    ):
        """``in_order``: the spans already come in text order (as ``Store.spans`` returns
        them), so opening a long article skips a sort."""
        self._layer_of = layer_of
        by_id = {s.id: s for s in spans}
        order = list(by_id.values())
        if not in_order:
            order.sort(key=order_key)
        self._by_id = by_id
        self._order = order
        self._long = [s for s in order if s.end - s.start > LONG_SPAN]
        self._counts: dict[str, int] = {}
        self._covered: dict[tuple[str, str | None], int] = {}
        counts, covered = self._counts, self._covered
        for s in order:
            counts[s.label] = counts.get(s.label, 0) + 1
            key = (s.annotator, layer_of(s.label))
            covered[key] = covered.get(key, 0) + (s.end - s.start)
        # (annotator, layer) -> that layer's (start, end) in text order, for next_untagged;
        # built on first use (the first tag), not on opening.
        self._layers: dict[tuple[str, str | None], list[tuple[int, int]]] | None = None

    def _layer_lists(self) -> dict[tuple[str, str | None], list[tuple[int, int]]]:
        if self._layers is None:
            layers: dict[tuple[str, str | None], list[tuple[int, int]]] = {}
            layer_of = self._layer_of
            for s in self._order:
                layers.setdefault((s.annotator, layer_of(s.label)), []).append((s.start, s.end))
            for intervals in layers.values():
                intervals.sort()
            self._layers = layers
        return self._layers

    # -- reading ---------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._by_id)

    def __iter__(self) -> Iterator[int]:
        return (s.id for s in self._order)

    def __contains__(self, span_id: object) -> bool:
        return span_id in self._by_id

    def __getitem__(self, span_id: int) -> Span:
        return self._by_id[span_id]

    def get(self, span_id: int, default: Span | None = None) -> Span | None:  # type: ignore
        return self._by_id.get(span_id, default)

    def values(self) -> Sequence[Span]:  # type: ignore[override]
        """All spans in text order (the model's own list: do not change it)."""
        return self._order

    @property
    def ordered(self) -> Sequence[Span]:
        """All spans in text order (the model's own list: do not change it)."""
        return self._order

    def fingerprint(self) -> tuple[int, int, int]:
        """The same summary as ``Store.span_fingerprint`` of the spans held here."""
        return (len(self._order), sum(s.id for s in self._order), sum(s.end for s in self._order))

    def counts(self) -> dict[str, int]:
        """Spans per label (labels with none are absent)."""
        return dict(self._counts)

    def covered(self, annotator: str, layer: str) -> int:
        """Characters covered by one annotator's spans of one layer (a layer's spans do not
        overlap, so this is the sum of their lengths)."""
        return self._covered.get((annotator, layer), 0)

    def layer_spans(self, annotator: str, layer: str) -> Sequence[tuple[int, int]]:
        """One annotator's ``(start, end)`` of one layer in text order; spans whose label is
        unknown count in every layer, as the label set cannot say where they belong."""
        layers = self._layer_lists()
        known = layers.get((annotator, layer), [])
        unknown = layers.get((annotator, None))
        if not unknown or layer is None:
            return known
        return sorted(known + unknown)

    def innermost_at(self, pos: int) -> Span | None:
        """The shortest span with ``start <= pos < end`` (ties: the lowest id), or None."""
        order = self._order
        hi = bisect_right(order, pos, key=_start)
        lo = bisect_left(order, pos - LONG_SPAN, 0, hi, key=_start)
        best: Span | None = None
        for s in order[lo:hi]:
            if s.end > pos and (
                best is None or (s.end - s.start, s.id) < (best.end - best.start, best.id)
            ):
                best = s
        for s in self._long:
            if s.start <= pos < s.end and (
                best is None or (s.end - s.start, s.id) < (best.end - best.start, best.id)
            ):
                best = s
        return best

    def overlapping(self, annotator: str, layer: str, start: int, end: int) -> list[Span]:
        """One annotator's spans of one layer with any offset in ``[start, end)``, in text
        order: what a tag there would cut or replace."""
        order, layer_of = self._order, self._layer_of
        hi = bisect_left(order, end, key=_start)
        lo = bisect_left(order, start - LONG_SPAN, 0, hi, key=_start)
        found = [s for s in order[lo:hi] if s.end > start]
        found += [s for s in self._long if s.start < start - LONG_SPAN and s.end > start]
        found = [s for s in found if s.annotator == annotator and layer_of(s.label) == layer]
        found.sort(key=order_key)
        return found

    def next_start(self, pos: int) -> int | None:
        """The first span start after ``pos``."""
        i = bisect_right(self._order, pos, key=_start)
        return self._order[i].start if i < len(self._order) else None

    def prev_start(self, pos: int) -> int | None:
        """The last span start before ``pos``."""
        i = bisect_left(self._order, pos, key=_start)
        return self._order[i - 1].start if i > 0 else None

    # -- changing --------------------------------------------------------------------------

    def add(self, span: Span) -> None:
        if span.id in self._by_id:
            self.remove(span.id)
        self._by_id[span.id] = span
        insort(self._order, span, key=order_key)
        if span.end - span.start > LONG_SPAN:
            self._long.append(span)
        self._counts[span.label] = self._counts.get(span.label, 0) + 1
        key = (span.annotator, self._layer_of(span.label))
        self._covered[key] = self._covered.get(key, 0) + (span.end - span.start)
        if self._layers is not None:
            insort(self._layers.setdefault(key, []), (span.start, span.end))

    def remove(self, span_id: int) -> Span | None:
        span = self._by_id.pop(span_id, None)
        if span is None:
            return None
        order = self._order
        del order[bisect_left(order, order_key(span), key=order_key)]
        if span.end - span.start > LONG_SPAN:
            self._long.remove(span)
        n = self._counts[span.label] - 1
        if n:
            self._counts[span.label] = n
        else:
            del self._counts[span.label]
        key = (span.annotator, self._layer_of(span.label))
        self._covered[key] -= span.end - span.start
        if self._layers is not None:
            intervals = self._layers[key]
            del intervals[bisect_left(intervals, (span.start, span.end))]
        return span

    def apply(self, removed: Iterable[Span], added: Iterable[Span]) -> None:
        """Apply a Store change: removals first, as a change may remove and re-add an id."""
        for s in removed:
            self.remove(s.id)
        for s in added:
            self.add(s)
