"""Imports stream in batches and stay all or nothing: a late failure, a signal or a kill leaves the
database as it was, another process's small writes get through during a long import, and memory
does not grow with the input."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

import db.imports
from db import NewArticle, Store
from reader.importing import import_paths
from reader.io.problem import ImportProblem

sys.path.insert(0, os.path.dirname(__file__))
import zipf_corpus  # noqa: E402

READER = [sys.executable, "-c", "from reader.cli import main; main()"]


def dump(path) -> list[str]:
    """Every row of every table, except the full-text index's own storage: its segments record
    how the index was built, and a rollback leaves them merged differently while the index holds
    exactly the same entries (which `fts_consistent` checks)."""
    conn = sqlite3.connect(path)
    try:
        return [line for line in conn.iterdump() if "articles_fts" not in line]
    finally:
        conn.close()


def fts_consistent(store: Store) -> bool:
    # FTS5's own check: the index holds exactly the entries the articles table implies.
    store.conn.execute("INSERT INTO articles_fts (articles_fts) VALUES ('integrity-check')")
    return True


def write_articles(path: Path, count: int, *, seed: int = 3, size: int = 2000, bad_at: int | None = None):
    corpus = zipf_corpus.Corpus(seed, vocab_size=20_000)
    with open(path, "w", encoding="utf-8") as out:
        for i, line in enumerate(corpus.jsonl_lines(count, size)):
            if i == bad_at:
                out.write('{"text": "Half a record\n')
            else:
                out.write(line)


@pytest.fixture
def cli_store(store):
    """The store with the label set the `reader` command will install, so that running it
    changes nothing but what it imports."""
    from reader.labels import label_file, load_labels

    store.set_labels(load_labels(label_file(None, None)))
    return store


@pytest.fixture
def small_batches(monkeypatch):
    # Many batches from a few hundred articles, so every test crosses batch boundaries.
    monkeypatch.setattr(db.imports, "IMPORT_BATCH_BYTES", 20_000)


def test_a_bad_line_late_in_a_long_import_leaves_the_database_as_it_was(store, tmp_path, small_batches, article_id):
    store.tag(article_id, 0, 7, "fact", "ann")
    good, bad = tmp_path / "good.jsonl", tmp_path / "bad.jsonl"
    write_articles(good, 50, seed=1)
    import_paths(store, [str(good)])
    before = dump(store.path)
    commits = []
    original = store.import_articles

    def counting(articles, **kw):
        return original(articles, on_commit=commits.append, **kw)

    store.import_articles = counting
    write_articles(bad, 400, seed=2, bad_at=390)
    with pytest.raises(ImportProblem, match=r"bad\.jsonl:391"):
        import_paths(store, [str(bad)])
    # It really had committed batches before the bad line.
    assert len(commits) > 10 and commits[-1].imported > 300
    assert dump(store.path) == before
    assert fts_consistent(store)
    assert store.count_articles() == 51
    assert store.conn.execute("SELECT count(*) FROM imports").fetchone()[0] == 0
    assert not list(tmp_path.glob("*.lock"))


def test_a_span_refused_late_rolls_back_spans_and_their_ids(store, tmp_path, small_batches):
    lines = [
        json.dumps({"text": f"Report number {i} on the harbour.", "spans": [{"start": 0, "end": 6, "label": "fact"}]})
        for i in range(300)
    ]
    lines.append(json.dumps({"text": "The last one.", "spans": [{"start": 0, "end": 3, "label": "nonsense"}]}))
    path = tmp_path / "spans.jsonl"
    path.write_text("\n".join(lines) + "\n")
    before = dump(store.path)
    with pytest.raises(ImportProblem, match="unknown label 'nonsense'"):
        import_paths(store, [str(path)])
    # The span ids are handed out again from where they were: the sequence row is as before.
    assert dump(store.path) == before


def test_duplicates_are_found_within_an_import_and_across_its_batches(store, tmp_path, small_batches):
    path = tmp_path / "dups.jsonl"
    write_articles(path, 120, seed=5)
    lines = path.read_text().splitlines()
    # Each record again at the end (many batches later), and the first one right away.
    path.write_text("\n".join([lines[0]] + lines + lines) + "\n")
    summary = import_paths(store, [str(path)])
    assert (summary.imported, summary.duplicates) == (120, 121)
    again = import_paths(store, [str(path)])
    assert (again.imported, again.duplicates) == (0, 241)


def test_another_annotators_copy_joins_the_first_across_batches(store, tmp_path, small_batches):
    text = "The mayor opened the bridge. Crowds cheered."
    first = {"text": text, "spans": [{"start": 0, "end": 28, "label": "fact", "annotator": "ann"}]}
    second = {"text": text, "spans": [{"start": 29, "end": 44, "label": "opinion", "annotator": "bob"}]}
    filler = [{"text": f"Filler article {i}. " + "word " * 800} for i in range(40)]
    path = tmp_path / "two.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in [first, *filler, second, first]) + "\n")
    summary = import_paths(store, [str(path)])
    assert (summary.imported, summary.duplicates, summary.spans) == (41, 1, 2)
    (article_id,) = [r[0] for r in store.conn.execute("SELECT id FROM articles WHERE text = ?", (text,))]
    assert [(s.label, s.annotator) for s in store.spans(article_id, "bob")] == [("opinion", "bob")]


def test_articles_from_an_import_are_searchable_and_counted(store, tmp_path, small_batches):
    path = tmp_path / "a.jsonl"
    path.write_text(
        "\n".join(json.dumps({"text": f"Zanzibar ferry report {i}.\nMore words."}) for i in range(200)) + "\n"
    )
    import_paths(store, [str(path)])
    assert store.count_articles() == 200 == store.conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    assert store.count_articles(query="zanzibar") == 200
    assert store.count_articles(query="za") == 200  # the two-letter prefix list
    assert store.count_articles(query="zan") == 200
    assert fts_consistent(store)


def _spawn_import(db_path, data, **kw) -> subprocess.Popen:
    return subprocess.Popen(
        [*READER, "--db", str(db_path), "import", str(data)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw,
    )


def _wait_for_articles(db_path, at_least: int, proc, timeout: float = 60) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.communicate()
        conn = sqlite3.connect(db_path, timeout=10)
        try:
            n = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
        finally:
            conn.close()
        if n >= at_least:
            return n
        time.sleep(0.05)
    raise AssertionError("the import did not get going")


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP])
def test_a_signalled_import_removes_what_it_wrote(cli_store, tmp_path, signum):
    store = cli_store
    data = tmp_path / "big.jsonl"
    write_articles(data, 3000, size=5000)
    before = dump(store.path)
    proc = _spawn_import(store.path, data)
    _wait_for_articles(store.path, 200, proc)
    proc.send_signal(signum)
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 128 + signum
    assert "nothing was imported" in err and "Traceback" not in err
    assert dump(store.path) == before
    assert not list(tmp_path.glob("*.lock"))


def test_a_killed_import_is_rolled_back_when_the_database_is_next_opened(cli_store, tmp_path):
    store = cli_store
    data = tmp_path / "big.jsonl"
    write_articles(data, 3000, size=5000)
    store.add_articles([NewArticle("Kept", "An article from before.")])
    before = dump(store.path)
    proc = _spawn_import(store.path, data)
    _wait_for_articles(store.path, 300, proc)
    proc.kill()
    proc.wait()
    # What it committed is there until someone opens the database...
    assert len(dump(store.path)) > len(before)
    reopened = Store.open(store.path)
    try:
        assert dump(store.path) == before
        assert fts_consistent(reopened)
        assert reopened.count_articles() == 1
    finally:
        reopened.close()
    assert not list(tmp_path.glob("*.lock"))


def test_a_running_import_is_not_rolled_back_by_another_process_opening_the_database(cli_store, tmp_path):
    store = cli_store
    data = tmp_path / "big.jsonl"
    write_articles(data, 1500, size=5000)
    proc = _spawn_import(store.path, data)
    _wait_for_articles(store.path, 100, proc)
    Store.open(store.path).close()  # its recovery must see that the import is alive
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert "imported 1500 articles" in out
    assert store.count_articles() == 1500


def test_small_writes_get_through_while_a_long_import_runs(cli_store, tmp_path):
    store = cli_store
    (article_id,) = store.add_articles([NewArticle("Open", "Open in the app.")]).ids
    data = tmp_path / "big.jsonl"
    write_articles(data, 4000, size=5000)
    writer = Store.open(store.path)
    # Stricter than the app's five seconds: a write that waits more than one fails, and none may.
    writer.conn.execute("PRAGMA busy_timeout = 1000")
    proc = _spawn_import(store.path, data)
    waits, failures = [], 0
    try:
        _wait_for_articles(store.path, 50, proc)
        while proc.poll() is None:
            started = time.monotonic()
            try:
                writer.save_place(article_id, "ann", len(waits), 0)
            except sqlite3.OperationalError:
                failures += 1
            waits.append(time.monotonic() - started)
            time.sleep(0.02)
    finally:
        writer.close()
    out, err = proc.communicate()
    assert proc.returncode == 0, err
    assert "imported 4000 articles" in out
    assert len(waits) >= 5  # the import ran long enough to matter
    assert failures == 0


MEMORY_CHILD = """
import sys

def peak_mb():
    # VmHWM starts afresh at exec; getrusage's ru_maxrss keeps the parent's (pytest's) figure.
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) // 1024
sys.path.insert(0, {tests!r})
import zipf_corpus
from db import Store
from reader.importing import import_paths
import io, os, threading

count = int(sys.argv[1])
read_fd, write_fd = os.pipe()

def produce():
    with os.fdopen(write_fd, "w", encoding="utf-8") as out:
        out.writelines(zipf_corpus.Corpus(11).jsonl_lines(count, 5000))

threading.Thread(target=produce, daemon=True).start()
store = Store.open(sys.argv[2])
base = peak_mb()
with os.fdopen(read_fd, "rb") as stdin:
    summary = import_paths(store, ["-"], stdin=stdin)
peak = peak_mb()
print(summary.imported, base, peak)
"""


@pytest.mark.slow
def test_memory_stays_flat_for_100000_articles(tmp_path):
    """100,000 articles of 5 KB (about 560 MB of JSONL, generated on the fly into a pipe)."""
    code = MEMORY_CHILD.format(tests=os.path.dirname(__file__))
    out = subprocess.run(
        [sys.executable, "-c", code, "100000", str(tmp_path / "m.db")],
        capture_output=True, text=True, check=True,
    ).stdout.split()
    imported, _base_mb, peak_mb = map(int, out)
    assert imported == 100_000
    assert peak_mb <= 150, f"peak {peak_mb} MB"
