"""Spans and their edits: tagging under the layer rules, deleting, relabelling, and undo and
redo through the change log each edit writes."""

from __future__ import annotations

import json
from collections.abc import Iterable

from .base import StoreBase
from . import rules
from .common import _SPAN_COLUMNS, _span, _who, now
from .errors import StoreError
from .models import Change, Span


class TaggingMixin(StoreBase):
    """Mixed into Store."""

    def spans(
        self, article_id: int, annotator: str | Iterable[str] | None = None
    ) -> list[Span]:
        """The article's spans in text order; one annotator's, several's, or everyone's."""
        sql = f"SELECT {_SPAN_COLUMNS} FROM annotations WHERE article_id = ?"
        params: list = [article_id]
        sql, params = _who(sql, params, annotator)
        sql += ' ORDER BY start, "end", label, id'
        return [_span(r) for r in self.conn.execute(sql, params)]

    def span_fingerprint(self, article_id: int, annotator: str | None = None) -> tuple:
        """A cheap summary of an article's spans that changes with any edit to them (every
        edit gives the spans it adds new ids): to notice another window's changes."""
        sql = 'SELECT count(*), total(id), total("end") FROM annotations WHERE article_id = ?'
        params: list = [article_id]
        sql, params = _who(sql, params, annotator)
        n, ids, ends = self.conn.execute(sql, params).fetchone()
        return (n, int(ids), int(ends))

    def tag(
        self,
        article_id: int,
        start: int,
        end: int,
        label: str,
        annotator: str,
        *,
        session_id: int | None = None,
        source: str = "manual",
    ) -> Change:
        """Tag text[start:end] with `label` for `annotator`, applying the layer rules.

        Segment layer: each character has at most one label, so the overlapped parts of other
        spans are cut away (what is left of them stays, split if need be). Entity layer: entities
        never overlap, so overlapping entities are replaced. The same span with the same label
        again removes it (a toggle).
        """
        layer = self.label(label).layer
        with self._write() as conn:
            self._check_range(conn, article_id, start, end)
            existing = self._overlapping(conn, article_id, annotator, layer, start, end)
            plan = rules.plan_tag(
                existing, start, end, label, layer, source=source, stamp=now(),
                text_at=self._text_reader(conn, article_id),
            )
            return self._commit_change(
                conn, article_id, annotator, session_id, plan.removed, plan.added
            )

    def tag_many(
        self,
        article_id: int,
        spans: list[tuple[int, int]],
        label: str,
        annotator: str,
        *,
        session_id: int | None = None,
    ) -> Change:
        """Tag several spans with `label` as one change, which one undo removes whole.

        Nothing is replaced and nothing toggled: a span that overlaps one of the annotator's
        spans on the label's layer, or an earlier span of the list, is skipped. Every span is
        checked against the text before anything is written. An empty change (nothing left to
        tag) writes nothing.
        """
        layer = self.label(label).layer
        with self._write() as conn:
            for start, end in spans:
                self._check_range(conn, article_id, start, end)
            stamp = now()
            taken: list[tuple[int, int]] = []
            added = []
            for start, end in sorted(set(spans)):
                if any(s < end and start < e for s, e in taken):
                    continue
                if self._overlapping(conn, article_id, annotator, layer, start, end):
                    continue
                taken.append((start, end))
                added.append((start, end, label, "manual", stamp))
            if not added:
                return Change(article_id)
            return self._commit_change(conn, article_id, annotator, session_id, [], added)

    @staticmethod
    def _text_reader(conn, article_id: int) -> rules.TextAt:
        """text[a:b] of one article, read a slice at a time (substr counts characters)."""

        def text_at(a: int, b: int) -> str:
            return conn.execute(
                "SELECT substr(text, ?, ?) FROM articles WHERE id = ?", (a + 1, b - a, article_id)
            ).fetchone()[0]

        return text_at

    def delete_span(
        self, span_id: int, annotator: str, *, session_id: int | None = None
    ) -> Change:
        with self._write() as conn:
            span = self._own_span(conn, span_id, annotator)
            return self._commit_change(conn, span.article_id, annotator, session_id, [span], [])

    def relabel(
        self, span_id: int, label: str, annotator: str, *, session_id: int | None = None
    ) -> Change:
        """Give a span another label (on the new label's layer, with its rules)."""
        layer = self.label(label).layer
        with self._write() as conn:
            span = self._own_span(conn, span_id, annotator)
            others = self._overlapping(
                conn, span.article_id, annotator, layer, span.start, span.end
            )
            plan = rules.plan_relabel(
                span, others, label, layer, text_at=self._text_reader(conn, span.article_id)
            )
            if not plan.removed:
                return Change(span.article_id)
            return self._commit_change(
                conn, span.article_id, annotator, session_id, plan.removed, plan.added
            )

    def undo(
        self, article_id: int, annotator: str, *, session_id: int | None = None
    ) -> Change | None:
        """Undo the annotator's latest edit on the article, if any. Survives reopening.

        With `session_id`, an edit that another session made while this one was open (the
        same annotator in another window) is not undone: that window undoes its own.
        """
        return self._step(article_id, annotator, session_id, redo=False)

    def redo(
        self, article_id: int, annotator: str, *, session_id: int | None = None
    ) -> Change | None:
        return self._step(article_id, annotator, session_id, redo=True)

    def _step(self, article_id: int, annotator: str, session_id: int | None, *, redo: bool):
        order = "ASC" if redo else "DESC"
        with self._write() as conn:
            row = conn.execute(
                "SELECT id, change, session_id, at FROM edits WHERE article_id = ? AND annotator = ? "
                f"AND undone = ? ORDER BY id {order} LIMIT 1",
                (article_id, annotator, 1 if redo else 0),
            ).fetchone()
            if row is None:
                return None
            if session_id is not None and row[2] not in (None, session_id):
                started = conn.execute(
                    "SELECT started_at FROM sessions WHERE id = ?", (session_id,)
                ).fetchone()
                if started is not None and row[3] >= started[0]:
                    raise StoreError(
                        f"the last change here was made in another window (session {row[2]}): "
                        f"{'redo' if redo else 'undo'} it there"
                    )
            change = _decode_change(article_id, row[1])
            if not redo:
                change = change.inverse()
            self._apply(conn, change)
            conn.execute("UPDATE edits SET undone = ? WHERE id = ?", (0 if redo else 1, row[0]))
            return change

    def _check_range(self, conn, article_id: int, start: int, end: int) -> None:
        row = conn.execute("SELECT chars FROM articles WHERE id = ?", (article_id,)).fetchone()
        if row is None:
            raise StoreError(f"no article with id {article_id}")
        if not (0 <= start < end <= row[0]):
            raise StoreError(f"span {start}–{end} is outside the text (0–{row[0]})")

    def _overlapping(self, conn, article_id, annotator, layer, start, end) -> list[Span]:
        cols = ", ".join(f"n.{c.strip()}" for c in _SPAN_COLUMNS.split(","))
        rows = conn.execute(
            f"SELECT {cols} FROM annotations n JOIN labels l ON l.name = n.label "
            'WHERE n.article_id = ? AND n.annotator = ? AND l.layer = ? AND n.start < ? AND n."end" > ? '
            "ORDER BY n.start",
            (article_id, annotator, layer, end, start),
        ).fetchall()
        return [_span(r) for r in rows]

    def _own_span(self, conn, span_id: int, annotator: str) -> Span:
        row = conn.execute(
            f"SELECT {_SPAN_COLUMNS} FROM annotations WHERE id = ?", (span_id,)
        ).fetchone()
        if row is None:
            raise StoreError(f"no span with id {span_id}")
        span = _span(row)
        if span.annotator != annotator:
            raise StoreError(f"span {span_id} belongs to {span.annotator}, not {annotator}")
        return span

    def _commit_change(self, conn, article_id, annotator, session_id, removed, added_rows) -> Change:
        stamp = now()
        conn.executemany("DELETE FROM annotations WHERE id = ?", [(s.id,) for s in removed])
        added = []
        for start, end, label, source, created in added_rows:
            cur = conn.execute(
                'INSERT INTO annotations (article_id, start, "end", label, annotator, source, '
                "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (article_id, start, end, label, annotator, source, created, stamp),
            )
            added.append(
                Span(cur.lastrowid, article_id, start, end, label, annotator, source, created, stamp)
            )
        change = Change(article_id, tuple(added), tuple(removed))
        # A new edit ends the redo chain.
        conn.execute(
            "DELETE FROM edits WHERE article_id = ? AND annotator = ? AND undone = 1",
            (article_id, annotator),
        )
        conn.execute(
            "INSERT INTO edits (article_id, annotator, session_id, at, change) VALUES (?, ?, ?, ?, ?)",
            (article_id, annotator, session_id, stamp, _encode_change(change)),
        )
        # The change reports the annotator's own status, which their first span moves on.
        if added:
            conn.execute(
                "UPDATE articles SET status = 'in_progress' WHERE id = ? AND status = 'new'",
                (article_id,),
            )
            conn.execute(
                "INSERT INTO annotator_status (article_id, annotator, status, updated_at) "
                "VALUES (?, ?, 'in_progress', ?) ON CONFLICT(article_id, annotator) DO UPDATE "
                "SET status = 'in_progress', updated_at = excluded.updated_at "
                "WHERE annotator_status.status = 'new'",
                (article_id, annotator, stamp),
            )
        return Change(article_id, change.added, change.removed, self.status_of(article_id, annotator))

    def _apply(self, conn, change: Change) -> None:
        conn.executemany("DELETE FROM annotations WHERE id = ?", [(s.id,) for s in change.removed])
        conn.executemany(
            'INSERT INTO annotations (id, article_id, start, "end", label, annotator, source, '
            "created_at, updated_at) VALUES (:id, :article_id, :start, :end, :label, :annotator, "
            ":source, :created_at, :updated_at)",
            [s.row() for s in change.added],
        )


def _encode_change(change: Change) -> str:
    return json.dumps(
        {"added": [s.row() for s in change.added], "removed": [s.row() for s in change.removed]},
        ensure_ascii=False,
    )


def _decode_change(article_id: int, raw: str) -> Change:
    data = json.loads(raw)
    return Change(
        article_id,
        tuple(Span(**row) for row in data["added"]),
        tuple(Span(**row) for row in data["removed"]),
    )
