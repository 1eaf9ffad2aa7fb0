"""What each part of the store may use of the others.

`Store` (db/store.py) is put together from one mixin per concern; a mixin calls methods that
another defines. Every mixin derives from `StoreBase`, which declares that shared surface for the
type check only: at run time it adds nothing, and each name is defined once, in its own part.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .models import Change, Label, Span


class StoreBase:
    conn: sqlite3.Connection
    path: str | None
    read_only: bool
    _labels: dict[str, Label] | None

    if TYPE_CHECKING:
        def __init__(self, conn: sqlite3.Connection, path: str | None = None) -> None: ...
        # connection.py
        def _write(self) -> AbstractContextManager[sqlite3.Connection]: ...
        # label_set.py
        def labels(self) -> list[Label]: ...
        def label(self, name: str) -> Label: ...
        def _label_map(self) -> dict[str, Label]: ...
        # articles.py
        def status_of(self, article_id: int, annotator: str) -> str: ...
        def max_article_id(self) -> int: ...
        # imports.py
        def recover_imports(self) -> int: ...
        # tagging.py
        def spans(
            self, article_id: int, annotator: str | Iterable[str] | None = None
        ) -> list[Span]: ...
        def _check_range(self, conn, article_id: int, start: int, end: int) -> None: ...
        def _overlapping(self, conn, article_id, annotator, layer, start, end) -> list[Span]: ...
        def _commit_change(
            self, conn, article_id, annotator, session_id, removed, added_rows
        ) -> Change: ...
        # teams.py
        def has_assignments(self, annotator: str) -> bool: ...
