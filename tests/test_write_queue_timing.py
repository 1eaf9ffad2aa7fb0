"""When the writer thread does its work: a key's write runs ahead of the key's paint up to its
commit, and through it while commits are quick, and the write-ahead log is copied into the database file when
the writes rest rather than inside a key's commit."""

from __future__ import annotations

import shutil
import sqlite3
import threading
import time

from db import NewArticle, Store
from reader import writes as writes_module
from reader.writes import WriteQueue


def _store(tmp_path):
    store = Store.open(tmp_path / "r.db")
    store.add_articles([NewArticle(f"Article {i}", f"Text of article {i}.") for i in range(5)])
    return store


def test_a_head_start_lets_the_write_reach_its_commit_before_submit_returns(tmp_path):
    store = _store(tmp_path)
    writes = WriteQueue(store, deliver=lambda fn: fn())
    reached: list[bool] = []

    def run(s):
        reached.append("started")
        s.set_title(1, "Renamed")

    commits: list[float] = []
    writes.on_commit = lambda: commits.append(time.monotonic())
    writes.submit(run, lambda r, e: None, head_start=10.0)
    # The write had started (and done all but its commit) by the time the caller went on.
    assert reached == ["started"]
    assert _until(lambda: commits)
    writes.close()
    assert store.article(1).title == "Renamed"
    store.close()


def test_a_head_start_never_waits_for_a_write_that_is_held_up(tmp_path):
    store = _store(tmp_path)
    writes = WriteQueue(store, deliver=lambda fn: fn())
    release = threading.Event()
    done: list = []

    def held(s):
        release.wait(10)  # as a write waiting for another process's lock, or a slow disk
        s.set_title(1, "Late")

    writes.submit(held, lambda r, e: done.append(e), head_start=0.05)
    assert done == []  # submit came back while the write was still held
    release.set()
    writes.close()
    assert done == [None] and store.article(1).title == "Late"
    store.close()


def test_a_head_start_waits_for_quick_commits_and_stops_waiting_for_slow_ones(tmp_path, monkeypatch):
    monkeypatch.setattr(writes_module, "RETRY_QUICK_AFTER", 2)
    store = _store(tmp_path)
    writes = WriteQueue(store, deliver=lambda fn: fn())
    finished: list[int] = []
    slow = {"seconds": 0.0}

    def run(s, n):
        s.set_title(1, f"Title {n}")  # reaches its commit, and commits
        time.sleep(slow["seconds"])  # the rest of a commit on a slow disk, as the caller sees it
        finished.append(n)

    def submit(n):
        writes.submit(lambda s: run(s, n), lambda r, e: None, head_start=5.0)
        return list(finished)

    # Quick: the caller goes on with the write committed.
    assert submit(0) == [0]
    slow["seconds"] = 0.2
    # One slow commit is waited for; after two in a row the caller stops waiting for commits.
    assert submit(1) == [0, 1]
    assert submit(2) == [0, 1, 2]
    assert submit(3) == [0, 1, 2]
    assert _until(lambda: finished[-1:] == [3])
    assert submit(4) == [0, 1, 2, 3]
    assert _until(lambda: finished[-1:] == [4])
    # ...and tries again after RETRY_QUICK_AFTER writes.
    slow["seconds"] = 0.0
    assert submit(5) == [0, 1, 2, 3, 4, 5]
    writes.close()
    assert store.article(1).title == "Title 5"
    store.close()


def _file_alone(path, tmp_path) -> sqlite3.Connection:
    """The database file without its write-ahead log: what has been checkpointed into it."""
    copy = tmp_path / "alone.db"
    for suffix in ("", "-wal", "-shm"):
        (tmp_path / f"alone.db{suffix}").unlink(missing_ok=True)
    shutil.copy(path, copy)
    return sqlite3.connect(copy)


def _titles_in_file(path, tmp_path) -> list[str]:
    conn = _file_alone(path, tmp_path)
    try:
        return [r[0] for r in conn.execute("SELECT title FROM articles ORDER BY id")]
    finally:
        conn.close()


def _until(check, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.02)
    return False


def test_the_log_is_checkpointed_once_the_writes_rest(tmp_path, monkeypatch):
    monkeypatch.setattr(writes_module, "CHECKPOINT_AFTER_REST", 0.2)
    store = _store(tmp_path)
    writes = WriteQueue(store, deliver=lambda fn: fn())
    # Commits never copy the log back themselves on the writer's connection.
    assert writes.store.conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 0
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the file holds the import
    delivered: list = []
    for i in range(1, 4):
        writes.submit(lambda s, i=i: s.set_title(i, f"Retitled {i}"), lambda r, e: delivered.append(e))
    assert _until(lambda: len(delivered) == 3)
    assert _until(lambda: _titles_in_file(store.path, tmp_path)[:3] == [f"Retitled {i}" for i in range(1, 4)])
    writes.close()
    store.close()


def test_a_long_run_of_writes_is_checkpointed_without_a_rest(tmp_path, monkeypatch):
    monkeypatch.setattr(writes_module, "CHECKPOINT_AFTER_REST", 60.0)
    monkeypatch.setattr(writes_module, "CHECKPOINT_EVERY", 3)
    store = _store(tmp_path)
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    writes = WriteQueue(store, deliver=lambda fn: fn())
    for i in range(1, 4):
        writes.submit(lambda s, i=i: s.set_title(i, f"Retitled {i}"), lambda r, e: None)
    # No rest of a minute came, yet the third commit was followed by a checkpoint.
    assert _until(lambda: _titles_in_file(store.path, tmp_path)[:3] == [f"Retitled {i}" for i in range(1, 4)])
    writes.close()
    store.close()
