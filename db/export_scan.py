"""Reading spans out for export: the filters, and the ordered scans that keep memory flat."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Iterator

from .base import StoreBase
from .errors import DatabaseDamaged, is_damage


class ExportMixin(StoreBase):
    """Mixed into Store."""

    def count_export_groups(self, *, sources: Iterable[str] | None = None) -> int:
        """How many (article, annotator) records an export writes: a progress total."""
        clause, params = _export_filter(None, None, None, None, sources)
        return self.conn.execute(
            "SELECT count(*) FROM (SELECT DISTINCT n.article_id, n.annotator FROM annotations n"
            f"{clause})",
            params,
        ).fetchone()[0]

    def export_groups(
        self,
        *,
        statuses: Iterable[str] | None = None,
        labels: Iterable[str] | None = None,
        annotator: str | None = None,
        since: str | None = None,
        sources: Iterable[str] | None = None,
        on_orphans: Callable[[int, str, int], None] | None = None,
    ) -> Iterator[tuple[dict, str, list[tuple[int, int, str, str]]]]:
        """Yield `(article, annotator, spans)` for every article and annotator with spans that
        pass the filters, in article order; spans are `(start, end, label, layer)`, sorted.

        Two ordered scans merged in step (articles, spans), so memory stays flat for a million
        spans: one article's text at a time. Spans whose article is gone (deleted where foreign
        keys were off; `PRAGMA foreign_key_check` lists them) are left out, and
        `on_orphans(article_id, annotator, count)` hears of each group of them. A damaged file
        raises `DatabaseDamaged`.
        """
        clause, params = _export_filter(statuses, labels, annotator, since, sources)
        # One read transaction: both scans see the same snapshot while other processes write.
        own_transaction = not self.conn.in_transaction
        if own_transaction:
            self.conn.execute("BEGIN")
        try:
            yield from self._export_scan(clause, params, on_orphans)
        except sqlite3.DatabaseError as exc:
            if is_damage(exc):
                raise DatabaseDamaged(self.path) from None
            raise
        finally:
            # A reader that stops early closes the generator later, perhaps after the store.
            try:
                if own_transaction and self.conn.in_transaction:
                    self.conn.execute("COMMIT")
            except sqlite3.ProgrammingError:
                pass

    def export_shas(
        self,
        *,
        statuses: Iterable[str] | None = None,
        labels: Iterable[str] | None = None,
        annotator: str | None = None,
        since: str | None = None,
        sources: Iterable[str] | None = None,
    ) -> list[str]:
        """The sha256 of every article `export_groups` yields with these filters (for a split)."""
        clause, params = _export_filter(statuses, labels, annotator, since, sources)
        return [
            row[0]
            for row in self.conn.execute(
                "SELECT sha256 FROM articles WHERE id IN "
                f"(SELECT DISTINCT n.article_id FROM annotations n{clause})",
                params,
            )
        ]

    def _export_scan(self, clause: str, params: list, on_orphans):
        # The layer comes from the label table, read once in this snapshot: looking it up per
        # span in Python is cheaper than a JOIN per span row.
        layers = dict(self.conn.execute("SELECT name, layer FROM labels"))
        groups = self.conn.execute(
            "SELECT n.article_id, n.annotator, count(*), (SELECT s.status FROM annotator_status s "
            "WHERE s.article_id = n.article_id AND s.annotator = n.annotator) "
            f"FROM annotations n{clause} "
            "GROUP BY n.article_id, n.annotator ORDER BY n.article_id, n.annotator",
            params,
        )
        # Ordered only as far as the (article_id, annotator, start) index goes: sorting the
        # rest (end, label) in SQLite builds a temporary B-tree over every span, which costs
        # more than sorting each group's tuples below. Each group is then one fetchmany.
        spans = self.conn.execute(
            f'SELECT n.start, n."end", n.label FROM annotations n{clause} '
            "ORDER BY n.article_id, n.annotator, n.start",
            params,
        )
        articles = self.conn.execute(
            "SELECT id, title, source, url, sha256, status, text FROM articles "
            f"WHERE id IN (SELECT DISTINCT n.article_id FROM annotations n{clause}) ORDER BY id",
            params,
        )
        columns = ("id", "title", "source", "url", "sha256", "status", "text")
        article: dict | None = None
        for article_id, who, count, own in groups:
            rows = spans.fetchmany(count)
            if len(rows) != count:
                raise DatabaseDamaged(self.path)  # the index and the table disagree
            # Tuples sort by (start, end, label); str order is code point order, which is the
            # byte order of SQLite's BINARY collation on UTF-8, so this is the ORDER BY it saves.
            rows.sort()
            while article is None or article["id"] < article_id:
                row = next(articles, None)
                if row is None:
                    break
                article = dict(zip(columns, row))
            if article is None or article["id"] != article_id:
                if self.conn.execute("SELECT 1 FROM articles WHERE id = ?", (article_id,)).fetchone():
                    raise DatabaseDamaged(self.path)  # there, but the ordered scan missed it
                if on_orphans is not None:
                    on_orphans(article_id, who, count)
                continue
            # Each record carries its annotator's own status.
            record = article if own in (None, article["status"]) else {**article, "status": own}
            yield record, who, [(start, end, label, layers[label]) for start, end, label in rows]


def _export_filter(statuses, labels, annotator, since, sources=None) -> tuple[str, list]:
    """The WHERE clause (on annotations as `n`) and its parameters for an export's filters."""
    where, params = [], []
    if sources:
        sources = list(sources)
        where.append(f"n.source IN ({','.join('?' for _ in sources)})")
        params += sources
    if labels:
        labels = list(labels)
        where.append(f"n.label IN ({','.join('?' for _ in labels)})")
        params += labels
    if annotator:
        where.append("n.annotator = ?")
        params.append(annotator)
    if since:
        where.append("n.updated_at >= ?")
        params.append(since)
    if statuses:
        statuses = list(statuses)
        # The status of each annotator's own work (the article's, for spans that have none:
        # written by something other than the Store).
        where.append(
            "coalesce((SELECT s.status FROM annotator_status s WHERE s.article_id = n.article_id "
            "AND s.annotator = n.annotator), (SELECT a.status FROM articles a "
            f"WHERE a.id = n.article_id)) IN ({','.join('?' for _ in statuses)})"
        )
        params += statuses
    return (" WHERE " + " AND ".join(where)) if where else "", params
