"""The journal of unfinished imports, and how to tell whether the process running one is alive.

An import commits in batches; until it finishes, its row in `imports` says that every article
carrying its id may still have to go. The process running it holds an exclusive lock on a small
file beside the database; the operating system drops that lock when the process dies, however it
dies (SIGKILL included), so whoever opens the database next can tell a dead import from a running
one and roll the dead one back.
"""

from __future__ import annotations

import os
import secrets
import socket
import sqlite3

try:
    import fcntl
except ImportError:  # not on Windows; there a missing lock file falls back to the pid
    fcntl = None  # type: ignore[assignment]

ROLLBACK_BATCH = 500  # articles deleted per transaction when rolling back


def new_import_id() -> int:
    # Random rather than AUTOINCREMENT: articles keep their import's id after it finishes, so an
    # id must never come back, and a sequence row would change the database even for an import
    # that ends up writing nothing.
    return secrets.randbits(62) + 1


class ImportLock:
    """An exclusive lock on `<database>-import-<id>.lock`, held while the import runs."""

    def __init__(self, db_path: str, import_id: int) -> None:
        self.name = f"{os.path.basename(db_path)}-import-{import_id:x}.lock"
        self.path = os.path.join(os.path.dirname(os.path.abspath(db_path)), self.name)
        self.fd: int | None = None

    def acquire(self) -> bool:
        """Take the lock; False when the file cannot be made (a read-only directory)."""
        if fcntl is None:
            return False
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError:
            return False
        fcntl.flock(fd, fcntl.LOCK_EX)
        self.fd = fd
        return True

    def release(self) -> None:
        if self.fd is not None:
            try:
                os.unlink(self.path)
            except OSError:
                pass
            os.close(self.fd)
            self.fd = None


def owner_is_alive(db_path: str, lock: str | None, host: str, pid: int) -> bool:
    """Whether the process that started an import may still be running it."""
    if lock and fcntl is not None:
        path = os.path.join(os.path.dirname(os.path.abspath(db_path)), lock)
        try:
            fd = os.open(path, os.O_RDWR)
        except FileNotFoundError:
            pass  # removed, or never made: ask about the pid below
        except OSError:
            return True
        else:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                return True  # held: the import is running
            finally:
                os.close(fd)
            try:
                os.unlink(path)
            except OSError:
                pass
            return False
    if host != socket.gethostname():
        return True  # another machine's process: we cannot tell, so leave it alone
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def delete_import_rows(conn: sqlite3.Connection, import_id: int, annotations_seq: int | None) -> None:
    """Delete every article an import wrote (their spans go with them), a batch per transaction,
    then its journal row. Safe to repeat after an interruption: each step only deletes."""
    while True:
        conn.execute("BEGIN IMMEDIATE")
        try:
            cur = conn.execute(
                "DELETE FROM articles WHERE id IN "
                "(SELECT id FROM articles WHERE import_id = ? LIMIT ?)",
                (import_id, ROLLBACK_BATCH),
            )
            done = cur.rowcount < ROLLBACK_BATCH
            if done:
                # Span ids the import used are free again (nothing refers to them), so the
                # sequence goes back, unless another writer has used higher ones meanwhile.
                if annotations_seq is not None:
                    conn.execute(
                        "UPDATE sqlite_sequence SET seq = max(?, "
                        "(SELECT coalesce(max(id), 0) FROM annotations)) WHERE name = 'annotations'",
                        (annotations_seq,),
                    )
                else:
                    conn.execute(
                        "DELETE FROM sqlite_sequence WHERE name = 'annotations' "
                        "AND NOT EXISTS (SELECT 1 FROM annotations)"
                    )
                conn.execute("DELETE FROM imports WHERE id = ?", (import_id,))
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        if done:
            return


def annotations_seq(conn: sqlite3.Connection) -> int | None:
    row = conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'annotations'").fetchone()
    return row[0] if row else None


def hostname() -> str:
    return socket.gethostname()
