"""Where each annotator was in each article, and their working sessions."""

from __future__ import annotations

import json

from .base import StoreBase
from .common import now
from .errors import StoreError


class PlacesMixin(StoreBase):
    """Mixed into Store."""

    def save_place(self, article_id: int, annotator: str, cursor: int, top: int) -> None:
        with self._write() as conn:
            conn.execute(
                "INSERT INTO places (article_id, annotator, cursor, top, visited_at) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT(article_id, annotator) DO UPDATE SET "
                "cursor = excluded.cursor, top = excluded.top, visited_at = excluded.visited_at",
                (article_id, annotator, cursor, top, now()),
            )

    def place(self, article_id: int, annotator: str) -> tuple[int, int]:
        row = self.conn.execute(
            "SELECT cursor, top FROM places WHERE article_id = ? AND annotator = ?",
            (article_id, annotator),
        ).fetchone()
        return (row[0], row[1]) if row else (0, 0)

    def start_session(self, annotator: str) -> int:
        if self.read_only:
            return 0  # nothing is recorded in a read-only database
        with self._write() as conn:
            session_id = conn.execute(
                "INSERT INTO sessions (annotator, started_at) VALUES (?, ?)", (annotator, now())
            ).lastrowid
        assert session_id is not None  # an INSERT always sets it
        return session_id

    def session_totals(self, session_id: int) -> dict:
        """Spans added and removed, articles touched and done, and times, for one session."""
        added = removed = 0
        touched = set()
        for article_id, raw in self.conn.execute(
            "SELECT article_id, change FROM edits WHERE session_id = ? AND undone = 0", (session_id,)
        ):
            change = json.loads(raw)
            added += len(change["added"])
            removed += len(change["removed"])
            touched.add(article_id)
        row = self.conn.execute(
            "SELECT annotator, started_at, ended_at, articles_done FROM sessions WHERE id = ?",
            (session_id,),
        ).fetchone()
        if row is None:
            raise StoreError(f"no session with id {session_id}")
        return {
            "annotator": row[0],
            "started_at": row[1],
            "ended_at": row[2],
            "articles_done": row[3],
            "spans_added": added,
            "spans_removed": removed,
            "articles_touched": len(touched),
        }

    def end_session(self, session_id: int) -> None:
        if self.read_only:
            return
        totals = self.session_totals(session_id)
        with self._write() as conn:
            conn.execute(
                "UPDATE sessions SET ended_at = ?, spans_added = ?, spans_removed = ?, "
                "articles_touched = ? WHERE id = ?",
                (
                    now(),
                    totals["spans_added"],
                    totals["spans_removed"],
                    totals["articles_touched"],
                    session_id,
                ),
            )
