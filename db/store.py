"""The Store: the one way the app and the CLI read and write a reader database.

Every write runs in a `BEGIN IMMEDIATE` transaction: it takes the write lock before reading, so a
second process waits (busy timeout) instead of failing with "database is locked" halfway through a
read-then-write change. Each call commits before it returns, so whatever the caller shows as saved is
on disk.

The API is split by concern into mixins (connection, label_set, imports, articles, search, tagging,
places, export_scan, teams, review, suggestions); this module puts them together and keeps the names
other modules import from `db.store`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from typing import TYPE_CHECKING

from .articles import TITLE_MAX_CHARS, ArticlesMixin, check_title
from .common import now, text_sha256
from .connection import BUSY_TIMEOUT_MS, ConnectionMixin, _open_error
from .errors import (
    DatabaseDamaged,
    LabelMismatch,
    NewerSchema,
    NotADatabase,
    QueryError,
    StoreError,
    is_damage,
)
from .export_scan import ExportMixin
from .imports import IMPORT_BATCH_BYTES, IMPORT_BATCH_SECONDS, ImportsMixin
from .label_set import LabelSetMixin
from .models import Label
from .places import PlacesMixin
from .review import ReviewMixin
from .search import SEARCH_WINDOW, SearchMixin, fts_query
from .suggestions import SuggestionsMixin
from .tagging import TaggingMixin
from .teams import TeamsMixin

if TYPE_CHECKING:
    from sqlite_utils import Database

__all__ = [
    "BUSY_TIMEOUT_MS", "DatabaseDamaged", "IMPORT_BATCH_BYTES", "IMPORT_BATCH_SECONDS",
    "LabelMismatch", "NewerSchema", "NotADatabase", "QueryError", "SEARCH_WINDOW", "Store",
    "StoreError", "TITLE_MAX_CHARS", "_open_error", "check_title", "fts_query", "is_damage", "now",
    "text_sha256",
]


class Store(
    ConnectionMixin, LabelSetMixin, ImportsMixin, ArticlesMixin, SearchMixin, TaggingMixin,
    PlacesMixin, ExportMixin, TeamsMixin, ReviewMixin, SuggestionsMixin,
):
    """A reader database. Use `Store.open(path)`."""

    def __init__(self, conn: sqlite3.Connection, path: str | None = None):
        self.conn = conn
        self.path = path
        self._labels: dict[str, Label] | None = None
        self._db: Database | None = None
        self.read_only = False

    @property
    def db(self) -> Database:
        """The same connection as a sqlite-utils Database, for ad-hoc queries and tools."""
        if self._db is None:
            from sqlite_utils import Database

            self._db = Database(self.conn)
        return self._db

    def merge(self, paths: Iterable[str], *, prefer: str | None = None):
        """Merge other reader databases into this one, all or nothing (see db/merge.py)."""
        from .merge import merge

        return merge(self, paths, prefer=prefer)
