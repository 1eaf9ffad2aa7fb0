"""Full-text search: what a person types made an FTS5 query, ranked hits with the matching
words marked."""

from __future__ import annotations

import re
import sqlite3
from contextlib import contextmanager

from .base import StoreBase
from .errors import QueryError
from .models import SearchHit, SearchHits

# How many of the newest articles a search ranks first (see Store.search).
SEARCH_WINDOW = 2000

# Snippet delimiters: control characters never survive import sanitising, so they cannot clash.
_MARK_OPEN, _MARK_CLOSE = "\x02", "\x03"

_FTS_SYNTAX = re.compile(r'["*():^]|\b(AND|OR|NOT|NEAR)\b')


class SearchMixin(StoreBase):
    """Mixed into Store."""

    def search(
        self, query: str, *, limit: int = 20, snippet_words: int = 12, window: int | None = None
    ) -> SearchHits:
        """Full-text search over titles and text, best first, with the matching words in context.

        Ranking (bm25) costs about a microsecond per matching article, so a word found in all of
        100,000 articles would take over 100 ms to order. So the newest `window` articles
        (SEARCH_WINDOW by default) are ranked first, an index range; only when they hold fewer
        than `limit` matches, which a common word never does, is the whole library ranked.
        `within` on the result says which it was. Scores use whole-index statistics, so the
        order inside the window is the order a full ranking gives.
        """
        fts = fts_query(query)
        if not fts:
            return SearchHits()
        window = SEARCH_WINDOW if window is None else window
        sql = (
            "SELECT a.id, a.title, snippet(articles_fts, -1, ?, ?, '…', ?) FROM articles_fts "
            "JOIN articles a ON a.id = articles_fts.rowid "
            "WHERE articles_fts MATCH ? AND articles_fts.rowid > ? ORDER BY rank LIMIT ?"
        )
        newest = self.max_article_id()
        floor = max(0, newest - window)
        with _fts_errors(query):
            rows = self.conn.execute(
                sql, (_MARK_OPEN, _MARK_CLOSE, snippet_words, fts, floor, limit)
            ).fetchall()
            if floor and len(rows) < limit:
                rows = self.conn.execute(
                    sql, (_MARK_OPEN, _MARK_CLOSE, snippet_words, fts, 0, limit)
                ).fetchall()
                floor = 0
        return SearchHits(
            (SearchHit(r[0], r[1], *_split_marks(r[2])) for r in rows), window if floor else None
        )


def fts_query(query: str) -> str:
    """Turn what a person types into an FTS5 query.

    Plain words are quoted (so `U.S.` or `O'Neill` are not syntax errors) and the last one matches
    as a prefix, for search as you type, once it has two characters: the index keeps lists for
    two-character prefixes (longer ones match few terms each), and a one-letter prefix would
    merge the lists of a good part of the vocabulary. A query that uses FTS5 syntax itself (quotes, `*`, AND, OR, NOT,
    NEAR, column filters) is passed through as written.
    """
    query = query.strip()
    if not query or _FTS_SYNTAX.search(query):
        return query
    words = query.split()
    terms = ['"' + term.replace('"', '""') + '"' for term in words]
    if len(words[-1]) >= 2:
        terms[-1] += "*"
    return " ".join(terms)


@contextmanager
def _fts_errors(query: str | None):
    try:
        yield
    except sqlite3.OperationalError as exc:
        message = str(exc)
        # Anything but lock and I/O trouble here is the index rejecting the query's syntax.
        if query and not any(w in message for w in ("locked", "disk", "I/O", "busy")):
            raise QueryError(f"cannot search for {query!r}: {message}") from None
        raise


def _split_marks(snippet: str) -> tuple[str, tuple[tuple[int, int], ...]]:
    out, marks, start = [], [], None
    pos = 0
    for ch in snippet:
        if ch == _MARK_OPEN:
            start = pos
        elif ch == _MARK_CLOSE:
            if start is not None:
                marks.append((start, pos))
            start = None
        else:
            out.append(ch)
            pos += 1
    return "".join(out), tuple(marks)
