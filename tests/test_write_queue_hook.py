"""WriteQueue.on_commit: called once per write that committed, on the writer thread, before
the result is handed back; never for a write that failed."""

from __future__ import annotations

import threading

from db import NewArticle, Store, StoreError
from reader.writes import WriteQueue


def test_on_commit_sees_each_committed_write_and_no_failed_one(tmp_path):
    path = tmp_path / "r.db"
    store = Store.open(path)
    store.add_articles([NewArticle("One", "First text here.")])
    delivered: list = []
    seen: list[tuple[str, int]] = []
    writes = WriteQueue(store, deliver=lambda fn: fn())
    writes.on_commit = lambda: seen.append((threading.current_thread().name, len(delivered)))

    def fail(s):
        raise StoreError("refused")

    writes.submit(lambda s: s.set_title(1, "Renamed"), lambda r, e: delivered.append(e))
    writes.submit(fail, lambda r, e: delivered.append(e))
    writes.submit(lambda s: s.set_status(1, "done", annotator="ann"), lambda r, e: delivered.append(e))
    writes.close()
    assert [type(e).__name__ if e else None for e in delivered] == [None, "StoreError", None]
    # Twice, on the writer thread, each time before that write's result was delivered.
    assert seen == [("reader-writes", 0), ("reader-writes", 2)]
    assert store.conn.execute("SELECT title, status FROM articles").fetchone() == ("Renamed", "done")
    store.close()
