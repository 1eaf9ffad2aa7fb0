"""Changes shown before their commit returns, and how they are squared with what was committed.

A label key paints its change at once, with provisional (negative) ids for the spans it adds;
the commit, on the write thread, gives them their real ids. Later writes may already name a
provisional span (delete it, relabel it), so the thread records each real id as soon as the
commit returns (`record`), and the app swaps its provisional spans for the committed ones when the
result reaches it (`settle`). A commit that did something other than what was painted (another
window changed the same spans) is reported, and the app then reloads what the database holds.

Pure: no UI, no SQL.
"""

from __future__ import annotations

from db import Change, Span
from db.rules import Plan



def _key(span: Span) -> tuple[int, int, str]:
    return (span.start, span.end, span.label)


class Provisional:
    def __init__(self) -> None:
        self._next_id = -1
        self._real: dict[int, int] = {}  # provisional id -> committed id

    def predict(self, article_id: int, plan: Plan, annotator: str, stamp: str) -> Change:
        """The change `plan` makes, as the app paints it before the commit."""
        added = []
        for r in plan.added:
            added.append(
                Span(self._next_id, article_id, r.start, r.end, r.label, annotator, r.source,
                     r.created_at, stamp)
            )
            self._next_id -= 1
        return Change(article_id, tuple(added), tuple(plan.removed))

    def real_id(self, span_id: int) -> int:
        """The committed id of a span (itself when it was never provisional)."""
        return self._real.get(span_id, span_id)

    def record(self, predicted: Change, actual: Change) -> None:
        """On the write thread, right after the commit: remember the ids it gave."""
        if self.matches(predicted, actual):
            for p, r in zip(sorted(predicted.added, key=_key), sorted(actual.added, key=_key)):
                self._real[p.id] = r.id

    def matches(self, predicted: Change, actual: Change | None) -> bool:
        """Did the commit do what was painted (the same spans, whatever their ids)?"""
        if actual is None:
            return False
        if sorted(map(_key, predicted.added)) != sorted(map(_key, actual.added)):
            return False
        return sorted(self.real_id(s.id) for s in predicted.removed) == sorted(
            s.id for s in actual.removed
        )

    def settle(self, predicted: Change, actual: Change) -> list[tuple[Span, Span]]:
        """The (provisional, committed) pairs of spans, to swap where the provisional ones are
        still held. Call only when `matches` is true."""
        return list(zip(sorted(predicted.added, key=_key), sorted(actual.added, key=_key)))
