"""The errors the Store raises: each is a problem the user can act on, in one line."""

from __future__ import annotations

import sqlite3


class StoreError(Exception):
    """A problem the user can act on; str() is one line."""


class NotADatabase(StoreError):
    pass


class NewerSchema(StoreError):
    pass


class LabelMismatch(StoreError):
    def __init__(self, missing: list[str]):
        self.missing = missing
        super().__init__(
            "the database has spans with label(s) "
            + ", ".join(repr(m) for m in missing)
            + " that the label set does not define; add them to the label file"
        )


class QueryError(StoreError):
    pass


class DatabaseDamaged(StoreError):
    """The database file is corrupt: SQLite says so, or two reads of one snapshot disagree."""

    def __init__(self, path: str | None):
        where = f" ({path})" if path else ""
        super().__init__(
            f"database file is damaged: run PRAGMA integrity_check / restore the backup{where}"
        )

# SQLite's result codes for a damaged file (sqlite3.SQLITE_CORRUPT and SQLITE_NOTADB).
_DAMAGE_CODES = {11, 26}


def is_damage(exc: BaseException) -> bool:
    """Whether ``exc`` is SQLite reporting a damaged database file (not a lock or a query)."""
    if not isinstance(exc, sqlite3.DatabaseError):
        return False
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in _DAMAGE_CODES
    return "malformed" in str(exc) or "not a database" in str(exc)
