"""Small pieces the store's modules share: timestamps, text hashes, span rows and the SQL
that picks an annotator's rows or status."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timezone

from .models import Span


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


def text_sha256(text: str) -> str:
    import hashlib  # on first use: its import costs start-up time
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _span(row: sqlite3.Row | tuple) -> Span:
    return Span(*row)

# An annotator's status for article `a` (parameter: the annotator); "new" when they have none.
_OWN_STATUS = (
    "coalesce((SELECT s.status FROM annotator_status s WHERE s.article_id = a.id "
    "AND s.annotator = ?), 'new')"
)

_SPAN_COLUMNS = 'id, article_id, start, "end", label, annotator, source, created_at, updated_at'


def _who(sql: str, params: list, annotator) -> tuple[str, list]:
    """Add the condition for one annotator (a str), several (an iterable) or all (None)."""
    if annotator is None:
        return sql, params
    if isinstance(annotator, str):
        return sql + " AND annotator = ?", params + [annotator]
    names = list(annotator)
    return sql + f" AND annotator IN ({','.join('?' for _ in names)})", params + names
