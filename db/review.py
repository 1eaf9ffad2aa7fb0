"""Review and adjudication: the spans every annotator agrees on go into gold, a reviewer decides the
rest, and the decisions are kept (see db/versions.py for how agreement and conflicts are found).

Gold is the reserved annotator `gold`: its spans are ordinary spans, exported with
`reader export --annotator gold`, and edited with the ordinary keys in the review screen.
"""

from __future__ import annotations

from dataclasses import dataclass

from .base import StoreBase
from .common import now
from .errors import StoreError
from .models import Change, Span
from .versions import (
    Comparison, Conflict, Triple, agreed_signature, compare, disagreement, overlap,
)

GOLD = "gold"


@dataclass(frozen=True)
class ReviewItem:
    article_id: int
    title: str
    annotators: tuple[str, ...]
    conflicts: int  # still to decide
    disagreement: float  # share of compared spans in conflict


class ReviewMixin(StoreBase):
    """Mixed into Store."""

    def done_annotators(self, article_id: int) -> list[str]:
        """The annotators (gold aside) who have marked the article done."""
        rows = self.conn.execute(
            "SELECT annotator FROM annotator_status WHERE article_id = ? AND status = 'done' "
            "AND annotator != ? ORDER BY annotator",
            (article_id, GOLD),
        )
        return [r[0] for r in rows]

    def comparison(self, article_id: int, annotators: list[str] | None = None) -> Comparison:
        who = self.done_annotators(article_id) if annotators is None else annotators
        labels = self._label_map()

        def layer_of(name: str) -> str | None:
            label = labels.get(name)
            return label.layer if label else None

        return compare(self.spans(article_id), who, layer_of)

    def decided(self, article_id: int) -> set[str]:
        """Signatures of the decisions that hold: made with no edit, or by one not undone."""
        rows = self.conn.execute(
            "SELECT d.signature FROM review_decisions d LEFT JOIN edits e ON e.id = d.edit_id "
            "WHERE d.article_id = ? AND (d.edit_id IS NULL OR e.undone = 0)",
            (article_id,),
        )
        return {r[0] for r in rows}

    def open_conflicts(self, article_id: int, comparison: Comparison) -> list[Conflict]:
        held = self.decided(article_id)
        return [c for c in comparison.conflicts if c.signature not in held]

    def review_queue(self, *, minimum: int = 2) -> list[ReviewItem]:
        """Articles at least `minimum` annotators have done, the most disagreement first."""
        items = []
        rows = self.conn.execute("SELECT id, title FROM articles ORDER BY id").fetchall()
        for article_id, title in rows:
            who = self.done_annotators(article_id)
            if len(who) < minimum:
                continue
            comparison = self.comparison(article_id, who)
            open_count = len(self.open_conflicts(article_id, comparison))
            items.append(ReviewItem(article_id, title, tuple(who), open_count, disagreement(comparison)))
        items.sort(key=lambda i: (-(i.conflicts > 0), -i.disagreement, i.article_id))
        return items

    def merge_agreed(self, article_id: int, comparison: Comparison, *,
                     session_id: int | None = None) -> Change:
        """Put every agreed span into gold, as one change, unless it was merged before (and not
        undone) or gold already has a span there on that layer (the reviewer's edit stands)."""
        held = self.decided(article_id)
        with self._write() as conn:
            gold = self.spans(article_id, GOLD)
            layers = {l.name: l.layer for l in self.labels()}
            added, signatures = [], []
            stamp = now()
            for layer, (start, end, label) in comparison.agreed:
                signature = agreed_signature(layer, (start, end, label))
                if signature in held:
                    continue
                if any(layers.get(g.label) == layer and g.start < end and start < g.end for g in gold):
                    continue
                added.append((start, end, label, "manual", stamp))
                signatures.append(signature)
            if not added:
                return Change(article_id)
            change = self._commit_change(conn, article_id, GOLD, session_id, [], added)
            self._record(conn, article_id, signatures, "agreed", stamp)
            return change

    def decide(self, article_id: int, conflict: Conflict, spans: list[Triple], choice: str, *,
               session_id: int | None = None) -> Change:
        """Make gold's spans in the conflict's stretch exactly `spans` (one version, several, or
        none), as one undoable change, and remember the decision."""
        return self.decide_all(article_id, [(conflict, spans, choice)], session_id=session_id)

    def decide_all(self, article_id: int, decisions: list[tuple[Conflict, list[Triple], str]], *,
                   session_id: int | None = None) -> Change:
        """Several decisions as one change (one undo): "the rest from this annotator"."""
        layers = {l.name: l.layer for l in self.labels()}
        for conflict, spans, _choice in decisions:
            if overlap(spans):
                raise StoreError("those versions overlap on one layer: take one of them")
            if any(layers.get(label) != conflict.layer for _, _, label in spans):
                raise StoreError("a chosen span is not on the conflict's layer")
        with self._write() as conn:
            removed: dict[int, Span] = {}
            wanted: set[Triple] = set()
            for conflict, spans, _choice in decisions:
                self._check_range(conn, article_id, conflict.start, conflict.end)
                stretches = [(conflict.start, conflict.end)] + [(s, e) for s, e, _ in spans]
                for start, end in stretches:
                    for span in self._overlapping(conn, article_id, GOLD, conflict.layer, start, end):
                        removed[span.id] = span
                wanted.update(spans)
            stamp = now()
            keep = {(s.start, s.end, s.label) for s in removed.values()} & wanted
            gone = [s for s in removed.values() if (s.start, s.end, s.label) not in keep]
            added = [(s, e, label, "manual", stamp) for s, e, label in sorted(wanted - keep)]
            change = Change(article_id)
            if gone or added:
                change = self._commit_change(conn, article_id, GOLD, session_id, gone, added)
            for conflict, _spans, choice in decisions:
                self._record(conn, article_id, [conflict.signature], choice, stamp,
                             edited=bool(change))
            return change

    @staticmethod
    def _record(conn, article_id: int, signatures: list[str], choice: str, stamp: str, *,
                edited: bool = True) -> None:
        edit_id = None
        if edited:
            edit_id = conn.execute(
                "SELECT max(id) FROM edits WHERE article_id = ? AND annotator = ?", (article_id, GOLD)
            ).fetchone()[0]
        conn.executemany(
            "INSERT OR REPLACE INTO review_decisions (article_id, signature, choice, edit_id, "
            "decided_at) VALUES (?, ?, ?, ?, ?)",
            [(article_id, sig, choice, edit_id, stamp) for sig in signatures],
        )
