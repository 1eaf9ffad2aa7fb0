"""Writes from the app, off the key path: one thread commits them in order on its own connection.

A key hands its write here and paints its change; the screen says "saving…" until the commit
returns and "saved ✓" only after it. The key gives the write a head start of a few
milliseconds at most (`submit`): to reach its commit, and to finish it while the disk has been
quick. The thread:

- waits out a locked database (another process importing or tagging) and says so, rather than
  failing; it gives up only after `LOCK_PATIENCE` seconds, and then the write is reported failed;
- reports any other SQLite error (a full disk, an I/O error, a damaged file) as a failed write,
  which the screen answers by showing what the database holds; the app keeps running;
- before each write and after each commit, checks that the database path still names the file it
  has open (device and inode of the file and of its `-wal`): a file deleted, moved or replaced
  under the app, or a `-wal` deleted, stops all writing. What the connection still holds is then
  checkpointed into the file it has open and copied to a recovery file beside the path, so no
  committed work is lost and no write lands in another process's file.

No Textual here: results are handed back through `deliver`, which the app points at its event
loop (`loop.call_soon_threadsafe`).
"""

from __future__ import annotations

import os
import queue
import sqlite3
import threading
import time
from functools import partial
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from db import Store, StoreError

# Seconds a write waits for another process's lock before it is reported as failed.
LOCK_PATIENCE = 120.0
# The writer's own busy timeout: short, so it can report how long it has been waiting.
LOCK_POLL_MS = 200
WAIT_REPORT_AFTER = 0.5  # seconds of waiting before the screen is told
# SQLite copies the write-ahead log back into the database every 1,000 pages, inside whichever
# commit crosses the line, and that key's commit then waits for the copy as well. The writer
# copies it itself once the writes have rested this long (seconds), or after this many commits
# in a run without rest.
CHECKPOINT_AFTER_REST = 0.5
CHECKPOINT_EVERY = 500
# A key with a head start also waits, within it, for its commit while commits take under this
# (seconds); after two slower ones in a row it waits only for the write to reach its commit,
# and tries again after this many writes.
QUICK_COMMIT = 0.002
RETRY_QUICK_AFTER = 8

DAMAGED = "database file is damaged: run PRAGMA integrity_check / restore the backup"


class WriteFailed(Exception):
    """A write that did not commit; str() is one line for the status line."""

    def __init__(self, message: str, *, fatal: bool = False):
        super().__init__(message)
        self.fatal = fatal  # writing has stopped for the rest of the run


def is_lock_error(exc: BaseException) -> bool:
    message = str(exc).lower()
    return isinstance(exc, sqlite3.OperationalError) and ("locked" in message or "busy" in message)


def describe(exc: BaseException) -> str:
    """One line for a write that failed with `exc`."""
    if isinstance(exc, WriteFailed | StoreError):
        return str(exc)
    message = str(exc)
    lowered = message.lower()
    if "malformed" in lowered or "not a database" in lowered or "disk image" in lowered:
        return DAMAGED
    if "full" in lowered:
        return "the disk is full: free some space; this change is not saved"
    if "readonly" in lowered or "read-only" in lowered:
        return "the database is read-only: this change is not saved"
    if "i/o" in lowered or "disk i/o" in lowered:
        return f"the disk reported an I/O error ({message}); this change is not saved"
    return f"database error: {message}"


@dataclass
class _Job:
    run: Callable[[Store], Any]
    done: Callable[[Any, BaseException | None], None]
    # Set when the job has done all but its commit (or has ended without one).
    at_commit: threading.Event = field(default_factory=threading.Event)
    ended: threading.Event = field(default_factory=threading.Event)  # committed or failed


@dataclass(frozen=True)
class FileIdentity:
    """Which file a path named when it was opened: its device and inode, and its `-wal`'s."""

    db: tuple[int, int] | None
    wal: tuple[int, int] | None


def _identity(path: str) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_dev, st.st_ino)


class WriteQueue:
    """Runs store writes in order on a thread with its own connection.

    `submit(run, done)`: `run(store)` is called on the thread; `done(result, error)` is then
    called through `deliver`, in submission order. `on_wait(seconds)` is delivered while a write
    waits for a lock; `on_stop(message)` once, when writing stops for good.

    `on_commit`, when set, is called on the writer thread right after each write has committed,
    before its result is handed back; it lets a measurement see when the disk had the change.
    """

    on_commit: Callable[[], None] | None = None

    def __init__(
        self,
        store: Store,
        *,
        deliver: Callable[[Callable[[], None]], object],
        on_wait: Callable[[float], object] | None = None,
        on_stop: Callable[[str], None] | None = None,
    ):
        self.path = store.path or ""  # "" (or ":memory:"): no file, so writes run in place
        self._deliver = deliver
        self._on_wait = on_wait
        self._on_stop = on_stop
        self.stopped: str | None = None
        self.pending = 0  # submitted and not yet delivered (counted on the submitting thread)
        self._slow_left = 0  # writes until a head start waits for a commit again
        self._slow_seen = 0  # slow commits in a row among those waited for
        self._queue: queue.Queue[_Job | None] = queue.Queue()
        self._inline = not self.path or self.path == ":memory:"
        if self._inline:
            # An in-memory database has no second connection: writes run in place.
            self.store = store
            self._thread = None
            return
        self.store = Store.open(self.path, backup=False)
        self.store.conn.execute(f"PRAGMA busy_timeout = {LOCK_POLL_MS}")
        self.store.conn.execute("PRAGMA wal_autocheckpoint = 0")
        self._opened = self._current_identity()
        self._thread = threading.Thread(target=self._work, name="reader-writes", daemon=True)
        self._thread.start()

    # -- on the app's thread --------------------------------------------------------------------

    def submit(
        self,
        run: Callable[[Store], Any],
        done: Callable[[Any, BaseException | None], None],
        *,
        head_start: float = 0.0,
    ) -> None:
        """Queue `run`. With a `head_start`, wait up to that many seconds in all for the write
        to reach its commit, and for the commit too while the disk has been answering within
        `QUICK_COMMIT`. The writer's Python then runs without sharing the interpreter's lock
        with the caller's, and its commit returns without waiting for the caller to let go of
        that lock. A slow disk is never waited for beyond one such try."""
        self.pending += 1
        job = _Job(run, done)
        if self._inline:
            self._deliver(lambda: self._finish(job, *self._execute(job)))
            return
        self._queue.put(job)
        if head_start:
            deadline = time.perf_counter() + head_start
            if job.at_commit.wait(head_start):
                self._wait_if_quick(job, deadline)

    def _wait_if_quick(self, job: _Job, deadline: float) -> None:
        if self._slow_left:
            self._slow_left -= 1
            return
        began = time.perf_counter()
        if job.ended.wait(max(0.0, deadline - began)) and time.perf_counter() - began <= QUICK_COMMIT:
            self._slow_seen = 0
            return
        # One slow commit is not a slow disk: growing the log, a checkpoint, a busy machine.
        self._slow_seen += 1
        if self._slow_seen >= 2:
            self._slow_seen = 0
            self._slow_left = RETRY_QUICK_AFTER

    def _finish(self, job: _Job, result: Any, error: BaseException | None) -> None:
        self.pending -= 1
        job.done(result, error)

    def close(self, timeout: float = 10.0) -> None:
        """Let the writes already submitted commit, then close the connection."""
        if self._thread is None:
            return
        self._queue.put(None)
        self._thread.join(timeout)
        if not self._thread.is_alive():
            self.store.close()
        self._thread = None

    # -- on the writer thread -------------------------------------------------------------------

    def _work(self) -> None:
        unchecked = 0  # commits since the last checkpoint
        while True:
            try:
                job = self._queue.get(timeout=CHECKPOINT_AFTER_REST if unchecked else None)
            except queue.Empty:
                self._checkpoint()
                unchecked = 0
                continue
            if job is None:
                return
            self.store.before_commit = job.at_commit.set
            try:
                result, error = self._execute(job)
            finally:
                job.at_commit.set()
                job.ended.set()
            try:
                self._deliver(partial(self._finish, job, result, error))
            except RuntimeError:
                pass  # the app's loop has closed: nobody is left to tell
            unchecked += 1
            if unchecked >= CHECKPOINT_EVERY:
                self._checkpoint()
                unchecked = 0

    def _checkpoint(self) -> None:
        if self.stopped:
            return
        try:
            # PASSIVE: copies what no reader still needs and never waits for another process.
            self.store.conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        except sqlite3.Error:
            pass  # a damaged or vanished file: the next write reports it

    def _execute(self, job: _Job) -> tuple[Any, BaseException | None]:
        if self.stopped:
            return None, WriteFailed(self.stopped, fatal=True)
        started = time.monotonic()
        reported = False
        while True:
            moved = self._moved()
            if moved:
                return None, self._stop(moved)
            try:
                result = job.run(self.store)
            except StoreError as exc:
                return None, exc
            except sqlite3.Error as exc:
                if self.store.conn.in_transaction:
                    try:
                        self.store.conn.execute("ROLLBACK")
                    except sqlite3.Error:
                        pass
                waited = time.monotonic() - started
                if is_lock_error(exc) and waited < LOCK_PATIENCE:
                    if waited >= WAIT_REPORT_AFTER and self._on_wait is not None:
                        reported = True
                        self._tell(self._on_wait, waited)
                    time.sleep(0.05)
                    continue
                if is_lock_error(exc):
                    return None, WriteFailed(
                        f"the database stayed locked by another process for {LOCK_PATIENCE:.0f} s; "
                        "this change is not saved"
                    )
                return None, WriteFailed(describe(exc))
            if self.on_commit is not None:
                self.on_commit()
            if reported and self._on_wait is not None:
                self._tell(self._on_wait, 0.0)
            moved = self._moved()
            if moved:
                return None, self._stop(moved)
            return result, None

    def _tell(self, fn: Callable, *args) -> None:
        try:
            self._deliver(lambda: fn(*args))
        except RuntimeError:
            pass

    def _current_identity(self) -> FileIdentity:
        return FileIdentity(_identity(self.path), _identity(self.path + "-wal"))

    def _moved(self) -> str | None:
        """Why the path no longer names the file this connection has open, or None."""
        now = self._current_identity()
        if now.db is None:
            return f"the database file {self.path} was deleted or moved away"
        if now.db != self._opened.db:
            return f"the database file {self.path} was replaced by another file"
        if self._opened.wal is None:
            # The -wal appears with the first write of the first connection: learn it then.
            self._opened = FileIdentity(self._opened.db, now.wal)
        elif now.wal != self._opened.wal:
            return f"the database's journal {self.path}-wal was deleted or replaced"
        return None

    def _stop(self, why: str) -> WriteFailed:
        """Stop writing for good: keep what this connection holds, and say where it is."""
        recovered = self._recover()
        where = (
            f"everything saved so far is in {recovered}" if recovered
            else "no recovery copy could be written"
        )
        self.stopped = f"{why}: writing has stopped; {where}. Quit (ctrl+q) and reopen the right file"
        if self._on_stop is not None:
            self._tell(self._on_stop, self.stopped)
        return WriteFailed(self.stopped, fatal=True)

    def _recover(self) -> str | None:
        conn = self.store.conn
        try:
            # Into the file this connection has open, and the -wal emptied, so nothing of ours is
            # later replayed into whatever file now has the name.
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.Error:
            pass
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        name = Path(self.path).name + f".recovered-{stamp}.db"
        for folder in (Path(self.path).parent, Path.home(), Path("/tmp")):
            target = folder / name
            try:
                self.store.backup(str(target))
            except (sqlite3.Error, OSError):
                continue
            return str(target)
        return None
