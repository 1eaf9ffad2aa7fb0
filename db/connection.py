"""Opening a database: checking the path, connecting (read-only when it must), the settings
every connection gets, migrations with a backup first, and the write transaction."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from .base import StoreBase
from . import schema
from .errors import DatabaseDamaged, NewerSchema, NotADatabase, StoreError, is_damage

if TYPE_CHECKING:
    from .store import Store

BUSY_TIMEOUT_MS = 5000

# SQLite result codes (primary): I/O error, cannot open, read-only.
_SQLITE_IOERR, _SQLITE_CANTOPEN, _SQLITE_READONLY = 10, 14, 8


def _prepare_path(path: str) -> bool:
    """Check the path and create its directory; True when the database can be written there,
    False when it exists but can only be read. Raises StoreError with the real reason."""
    target = Path(path).expanduser()
    if target.is_dir():
        raise StoreError(f"{target} is a directory, not a database file")
    parent = target.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        blocker = next((p for p in [parent, *parent.parents] if p.exists() and not p.is_dir()),
                       parent)
        raise StoreError(f"cannot create {target}: {blocker} is a file, not a directory") from None
    except PermissionError:
        raise StoreError(f"cannot create {target}: permission denied creating {parent}") from None
    except OSError as exc:
        raise StoreError(f"cannot create {target}: {exc.strerror}") from None
    if not target.exists():
        if not os.access(parent, os.W_OK | os.X_OK):
            raise StoreError(f"cannot create {target}: permission denied (directory {parent} "
                             "is not writable)")
        return True
    if not os.access(target, os.R_OK):
        raise StoreError(f"cannot open {target}: permission denied")
    # WAL needs the -wal and -shm files beside the database: an unwritable directory makes the
    # database read-only too, unless they are there and writable.
    wal_ok = all(os.access(f"{target}{suffix}", os.W_OK) for suffix in ("-wal", "-shm"))
    return os.access(target, os.W_OK) and (os.access(parent, os.W_OK | os.X_OK) or wal_ok)


def _connect(path: str, *, read_only: bool) -> sqlite3.Connection:
    kwargs: dict[str, Any] = dict(timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
    if not read_only or path == ":memory:":
        return _probed(sqlite3.connect(path, **kwargs))
    from urllib.parse import quote

    uri = "file:" + quote(str(Path(path).expanduser().resolve())) + "?mode=ro"
    conn = sqlite3.connect(uri, uri=True, **kwargs)
    try:
        conn.execute("PRAGMA schema_version").fetchone()
        return conn
    except sqlite3.OperationalError as exc:
        conn.close()
        if (getattr(exc, "sqlite_errorcode", 0) or 0) & 0xFF != _SQLITE_READONLY:
            raise
    # A WAL database in a directory we cannot write: no -shm can be made, so read the file as
    # it is (no other process can be writing it there either, short of one with more rights).
    return _probed(sqlite3.connect(uri + "&immutable=1", uri=True, **kwargs))


def _probed(conn: sqlite3.Connection) -> sqlite3.Connection:
    """`conn`, once it has read the file's header (which is where a bad file shows), or closed."""
    try:
        conn.execute("PRAGMA schema_version").fetchone()
    except BaseException:
        conn.close()
        raise
    return conn


def _open_error(path: str, exc: sqlite3.DatabaseError) -> StoreError:
    """The real reason a database could not be opened, with its path, in one line."""
    code = (getattr(exc, "sqlite_errorcode", 0) or 0) & 0xFF
    if code == 26 or "not a database" in str(exc):  # SQLITE_NOTADB
        return NotADatabase(f"{path} is not a reader database ({exc})")
    if code == 11:  # SQLITE_CORRUPT
        return DatabaseDamaged(path)
    if code == _SQLITE_IOERR:
        return StoreError(f"cannot read {path}: I/O error ({exc})")
    if code == _SQLITE_CANTOPEN:
        return StoreError(f"cannot open {path}: {exc}")
    return StoreError(f"cannot open {path}: {exc}")


class ConnectionMixin(StoreBase):
    """Mixed into Store: opening, closing and the write transaction."""

    # Called when a write transaction has done its work and is about to commit: the commit is
    # the part that waits for the disk, and a caller on another thread may want to know that
    # the rest is over.
    before_commit: Callable[[], None] | None = None

    @classmethod
    def open(
        cls,
        path: str | Path,
        *,
        backup: bool = True,
        on_upgrade: Callable[[str, str | None], None] | None = None,
        read_only: bool | None = None,
    ) -> "Store":
        """Open (creating if need be) the database at `path` and bring its schema up to date.

        Refuses a file that is not SQLite and a database made by a newer version of reader. Before
        migrating an existing database it writes a backup copy beside it and calls
        `on_upgrade(schema it has, backup path or None)`: on a large library the upgrade can
        take a while (rebuilding the search index), and the caller may want to say so.

        A file this process cannot write (or one in a directory it cannot write) opens read-only
        (`read_only` is then True): reading, searching and exporting work, writes are refused by
        SQLite and the app says so. `read_only=True` asks for that; False never falls back.
        Every problem with the path is a `StoreError` naming it and the real reason, in one line.
        """
        path = str(path)
        if path != ":memory:" and read_only is None:
            read_only = not _prepare_path(path)
        try:
            conn = _connect(path, read_only=bool(read_only))
        except sqlite3.DatabaseError as exc:
            raise _open_error(path, exc) from None
        store = cast("Store", cls(conn, path))
        store.read_only = bool(read_only)
        try:
            store._configure()
            store._migrate(backup=backup, on_upgrade=on_upgrade)
            if not store.read_only:
                store.recover_imports()  # a read-only store leaves the file exactly as it is
        except sqlite3.DatabaseError as exc:
            conn.close()
            if is_damage(exc) or (getattr(exc, "sqlite_errorcode", 0) or 0) & 0xFF in (10, 14):
                raise _open_error(path, exc) from None
            raise
        except Exception:
            conn.close()
            raise
        return store

    def _configure(self) -> None:
        self.conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        # SQLite leaves foreign keys off unless each connection asks.
        self.conn.execute("PRAGMA foreign_keys = ON")
        if self.read_only:
            self.conn.execute("PRAGMA schema_version").fetchone()  # open errors show up here
            return
        if self.path != ":memory:":
            self.conn.execute("PRAGMA journal_mode = WAL")
        # FULL: a commit survives power loss too, at ~0.16 ms per commit.
        self.conn.execute("PRAGMA synchronous = FULL")

    def _migrate(
        self, *, backup: bool, on_upgrade: Callable[[str, str | None], None] | None = None
    ) -> None:
        applied = schema.applied(self.conn)
        unknown = [name for name in applied if name not in schema.KNOWN]
        if unknown:
            raise NewerSchema(
                f"{self.path} was made by a newer version of reader (schema {unknown[-1]}); "
                "upgrade reader to open it"
            )
        if len(applied) == len(schema.KNOWN):
            return
        if self.read_only:
            what = f"uses an older schema ({applied[-1]})" if applied else "is empty"
            raise StoreError(f"{self.path} is read-only and {what}: open it once with write "
                             "access to bring it up to date")
        copy = None
        if applied and backup and self.path != ":memory:":
            copy = f"{self.path}.{applied[-1]}.bak"
            self.backup(copy)
        if applied and on_upgrade:
            on_upgrade(applied[-1], copy)
        with self._write():
            schema.apply(self.conn)

    def backup(self, target: str) -> None:
        dest = sqlite3.connect(target)
        try:
            self.conn.backup(dest)
        finally:
            dest.close()

    @property
    def schema_version(self) -> str:
        applied = schema.applied(self.conn)
        return applied[-1] if applied else ""

    def close(self) -> None:
        self.conn.close()

    def interrupt(self) -> None:
        """Stop the query running on this connection (from another thread)."""
        self.conn.interrupt()

    def data_version(self) -> int:
        """Changes when another connection commits: a cheap way to notice other processes."""
        return self.conn.execute("PRAGMA data_version").fetchone()[0]

    def __enter__(self) -> "Store":
        return cast("Store", self)

    def __exit__(self, *exc) -> None:
        self.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction that holds the write lock from its first statement."""
        if self.conn.in_transaction:
            yield self.conn
            return
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise
        else:
            if self.before_commit is not None:
                self.before_commit()
            self.conn.execute("COMMIT")
