"""Articles: reading one, pages and counts of the library, titles and statuses, statistics."""

from __future__ import annotations

import json
from collections import Counter

from .base import StoreBase
from .common import _OWN_STATUS, now
from .errors import StoreError
from .models import STATUSES, Article, ArticleRow
from .search import _fts_errors, fts_query


class ArticlesMixin(StoreBase):
    """Mixed into Store."""

    def set_title(self, article_id: int, title: str) -> str:
        """Give an article a new title, in one write transaction; the search index follows (the
        update trigger re-indexes the row). Returns the title as stored: one line, surrounding
        and repeated whitespace collapsed. Refuses (StoreError) an empty title, one longer than
        TITLE_MAX_CHARS, and one with control, format or unassigned characters."""
        title = check_title(title)
        with self._write() as conn:
            cur = conn.execute("UPDATE articles SET title = ? WHERE id = ?", (title, article_id))
            if cur.rowcount == 0:
                raise StoreError(f"no article with id {article_id}")
        return title

    def article(self, article_id: int, annotator: str | None = None) -> Article:
        """The article; its `status` is `annotator`'s own (see `status_of`), or with no
        annotator the article's, the latest status anyone set."""
        row = self.conn.execute(
            "SELECT id, title, text, source, url, sha256, raw_sha256, encoding, imported_at, status, "
            "meta, words FROM articles WHERE id = ?",
            (article_id,),
        ).fetchone()
        if row is None:
            raise StoreError(f"no article with id {article_id}")
        values = list(row)
        values[10] = json.loads(values[10] or "{}")
        if annotator is not None:
            values[9] = self.status_of(article_id, annotator)
        return Article(*values)

    def status_of(self, article_id: int, annotator: str) -> str:
        """`annotator`'s status for the article: "new" until they tag or mark it."""
        row = self.conn.execute(
            "SELECT status FROM annotator_status WHERE article_id = ? AND annotator = ?",
            (article_id, annotator),
        ).fetchone()
        return row[0] if row else "new"

    def articles_done_by(self, annotator: str) -> set[int]:
        """The ids of the articles `annotator` has marked done."""
        return {
            r[0]
            for r in self.conn.execute(
                "SELECT article_id FROM annotator_status WHERE annotator = ? AND status = 'done'",
                (annotator,),
            )
        }

    def _article_filter(
        self,
        status: str | None,
        query: str | None,
        annotator: str | None = None,
        assigned: bool = False,
    ) -> tuple[str, list]:
        """WHERE clause and parameters over `articles a`. With an annotator, `status` is theirs
        and `assigned` keeps only the articles assigned to them."""
        where, params = [], []
        if status:
            if status not in STATUSES:
                raise StoreError(f"unknown status {status!r} (use one of {', '.join(STATUSES)})")
            if annotator is None:
                where.append("a.status = ?")
                params.append(status)
            else:
                where.append(f"{_OWN_STATUS} = ?")
                params += [annotator, status]
        if assigned:
            where.append(
                "a.id IN (SELECT article_id FROM assignments WHERE annotator = ?)"
            )
            params.append(annotator or "")
        if query:
            where.append("a.id IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?)")
            params.append(fts_query(query))
        return (" WHERE " + " AND ".join(where) if where else ""), params

    def count_articles(
        self,
        *,
        status: str | None = None,
        query: str | None = None,
        annotator: str | None = None,
        assigned: bool = False,
    ) -> int:
        """How many articles pass the filters (`status` is `annotator`'s own when given)."""
        if not status and not query and not assigned:
            # Kept by triggers (schema 0004): one row, however large the library.
            return self.conn.execute("SELECT n FROM counts WHERE name = 'articles'").fetchone()[0]
        clause, params = self._article_filter(status, query, annotator, assigned)
        with _fts_errors(query):
            return self.conn.execute(f"SELECT count(*) FROM articles a{clause}", params).fetchone()[0]

    _SORTS = {
        "id": "a.id",
        "title": "a.title COLLATE NOCASE",
        "source": "a.source COLLATE NOCASE",
        "words": "a.words",
        "status": "status",
        "spans": "spans",
        "progress": "progress",
    }

    def list_articles(
        self,
        *,
        annotator: str = "",
        status: str | None = None,
        query: str | None = None,
        sort: str = "id",
        descending: bool = False,
        limit: int | None = None,
        offset: int = 0,
        assigned: bool = False,
    ) -> list[ArticleRow]:
        """A page of the library. Counts are computed only for the rows returned (unless sorting
        by a count), so a page costs the same with 100 or 100,000 articles. Status (shown and
        filtered) and progress are `annotator`'s own (with none, the article's status);
        `assigned` keeps only their queue."""
        if sort not in self._SORTS:
            raise StoreError(f"cannot sort by {sort!r} (use one of {', '.join(self._SORTS)})")
        clause, params = self._article_filter(status, query, annotator or None, assigned)
        order = f"{self._SORTS[sort]} {'DESC' if descending else 'ASC'}, a.id"
        # No annotator: the article's own status, the latest anyone set.
        own = (
            "coalesce((SELECT s.status FROM annotator_status s "
            "WHERE s.article_id = a.id AND s.annotator = :annotator), 'new')"
            if annotator else "a.status"
        )
        sql = f"""
            SELECT a.id, a.title, a.source, {own} AS status,
                a.words, a.chars,
                (SELECT count(*) FROM annotations n WHERE n.article_id = a.id) AS spans,
                (SELECT count(*) FROM annotations n
                    WHERE n.article_id = a.id AND n.annotator = :annotator) AS own,
                (SELECT coalesce(sum(n."end" - n.start), 0) * 1.0 / max(a.chars, 1)
                    FROM annotations n JOIN labels l ON l.name = n.label
                    WHERE n.article_id = a.id AND n.annotator = :annotator
                    AND l.layer = 'segment') AS progress
            FROM articles a{clause}
            ORDER BY {order}
            LIMIT :limit OFFSET :offset
        """
        # Positional filter params and named ones cannot mix: name them.
        named = {"annotator": annotator, "limit": -1 if limit is None else limit, "offset": offset}
        for i, value in enumerate(params):
            sql = sql.replace("?", f":f{i}", 1)
            named[f"f{i}"] = value
        with _fts_errors(query):
            rows = self.conn.execute(sql, named).fetchall()
        return [
            ArticleRow(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], min(1.0, r[8])) for r in rows
        ]

    def set_status(
        self, article_id: int, status: str, *, annotator: str, session_id: int | None = None
    ) -> None:
        """Set `annotator`'s status for the article (and the article's own, the latest set).

        A session counts an article done once, however often it is marked and unmarked: the
        status row remembers which session marked it done, and the session's count is the
        number of its articles that are done now.
        """
        if status not in STATUSES:
            raise StoreError(f"unknown status {status!r} (use one of {', '.join(STATUSES)})")
        with self._write() as conn:
            exists = conn.execute("SELECT 1 FROM articles WHERE id = ?", (article_id,)).fetchone()
            if exists is None:
                raise StoreError(f"no article with id {article_id}")
            before = conn.execute(
                "SELECT status, done_session FROM annotator_status "
                "WHERE article_id = ? AND annotator = ?",
                (article_id, annotator),
            ).fetchone()
            if status != "done":
                done_session = None
            elif before is not None and before[0] == "done":
                done_session = before[1]
            else:
                done_session = session_id
            conn.execute(
                "INSERT INTO annotator_status (article_id, annotator, status, updated_at, "
                "done_session) VALUES (?, ?, ?, ?, ?) ON CONFLICT(article_id, annotator) DO "
                "UPDATE SET status = excluded.status, updated_at = excluded.updated_at, "
                "done_session = excluded.done_session",
                (article_id, annotator, status, now(), done_session),
            )
            conn.execute("UPDATE articles SET status = ? WHERE id = ?", (status, article_id))
            if session_id:
                conn.execute(
                    "UPDATE sessions SET articles_done = (SELECT count(*) FROM annotator_status "
                    "WHERE done_session = ? AND status = 'done') WHERE id = ?",
                    (session_id, session_id),
                )

    def next_unfinished(
        self, after: int | None = None, *, annotator: str | None = None
    ) -> int | None:
        """The next article (by id, wrapping round) that is not done: by the article's own
        status, or with an annotator by theirs, among the articles assigned to them when they
        have any assignments."""
        if annotator is None:
            base = "SELECT id FROM articles WHERE status != 'done'"
            params: list = []
        else:
            base = (
                "SELECT a.id FROM articles a WHERE NOT EXISTS (SELECT 1 FROM annotator_status s "
                "WHERE s.article_id = a.id AND s.annotator = ? AND s.status = 'done')"
            )
            params = [annotator]
            if self.has_assignments(annotator):
                base += " AND a.id IN (SELECT article_id FROM assignments WHERE annotator = ?)"
                params.append(annotator)
        row = self.conn.execute(
            f"{base} AND id > ? ORDER BY id LIMIT 1", params + [after or 0]
        ).fetchone()
        if row is None and after:
            row = self.conn.execute(
                f"{base} AND id <= ? ORDER BY id LIMIT 1", params + [after]
            ).fetchone()
        return row[0] if row else None

    def max_article_id(self) -> int:
        return self.conn.execute("SELECT coalesce(max(id), 0) FROM articles").fetchone()[0]

    def stats(self) -> dict:
        """Articles by status, spans by label and by annotator."""
        by_status = {s: 0 for s in STATUSES}
        by_status.update(dict(self.conn.execute("SELECT status, count(*) FROM articles GROUP BY 1")))
        by_label = Counter(dict(self.conn.execute("SELECT label, count(*) FROM annotations GROUP BY 1")))
        by_annotator = dict(
            self.conn.execute("SELECT annotator, count(*) FROM annotations GROUP BY 1 ORDER BY 1")
        )
        return {
            "articles": sum(by_status.values()),
            "by_status": by_status,
            "spans": sum(by_label.values()),
            "by_label": {l.name: by_label.get(l.name, 0) for l in self.labels()}
            | {k: v for k, v in by_label.items() if k not in self._label_map()},
            "by_annotator": by_annotator,
        }


TITLE_MAX_CHARS = 200


def check_title(title: object) -> str:
    """A title as typed by someone, made one clean line, or StoreError saying what is wrong."""
    import unicodedata

    if not isinstance(title, str):
        raise StoreError("a title must be text")
    if "\n" in title.strip() or "\r" in title.strip():
        raise StoreError("a title must be one line")
    bad = [c for c in title if unicodedata.category(c) in ("Cc", "Cf", "Cs", "Co", "Cn")
           and c not in "\t\n\r\u200d"]
    if bad:
        raise StoreError(
            f"a title cannot hold control or invisible characters (U+{ord(bad[0]):04X})"
        )
    clean = " ".join(title.split())
    if not clean:
        raise StoreError("a title cannot be empty")
    if len(clean) > TITLE_MAX_CHARS:
        raise StoreError(f"a title can be at most {TITLE_MAX_CHARS} characters ({len(clean)} given)")
    return clean
