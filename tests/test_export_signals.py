"""Signals during a real `reader export`: the temporary file goes with the process, and one left
by a process that was killed outright is removed by the next export."""

import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from db import NewArticle, Store
from reader.io.atomic import remove_stale_temps, temp_name
from reader.labels import default_label_file, load_labels

APP = [sys.executable, "-c", "from reader.cli import main; main()"]
ARTICLES, SPANS_EACH = 3_000, 100


@pytest.fixture(scope="module")
def big_db(tmp_path_factory):
    """A database whose export takes long enough (a second or more) to be interrupted."""
    path = tmp_path_factory.mktemp("signals") / "big.db"
    words = "the port authority said on monday that shipping volumes rose again".split()
    with Store.open(path) as store:
        store.set_labels(load_labels(default_label_file()))
        texts = [
            " ".join(words[(i + k) % len(words)] for k in range(SPANS_EACH * 2)) + f" {i}."
            for i in range(ARTICLES)
        ]
        ids = store.add_articles([NewArticle(f"Port report {i}", t) for i, t in enumerate(texts)]).ids
    conn = sqlite3.connect(path)
    with conn:
        conn.executemany(
            'INSERT INTO annotations (article_id, start, "end", label, annotator, created_at, '
            "updated_at) VALUES (?, ?, ?, 'fact', 'kim', '2026-01-01', '2026-01-01')",
            ((a, k * 10, k * 10 + 5) for a in ids for k in range(SPANS_EACH)),
        )
    conn.close()
    return path


def temps(directory):
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".tmp"))


def start_export(db, out):
    proc = subprocess.Popen(
        [*APP, "--db", str(db), "export", str(out)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=out.parent,
    )
    temp = out.parent / temp_name(out.name, proc.pid)
    deadline = time.monotonic() + 60
    # Wait until the export is under way: its temporary file exists and has data in it.
    while not (temp.exists() and temp.stat().st_size > 0):
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the export never started writing"
        time.sleep(0.005)
    return proc, temp


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT])
def test_signal_removes_the_temporary_file(big_db, tmp_path, signum):
    out = tmp_path / "data.jsonl"
    out.write_text("the earlier export\n", encoding="utf-8")
    proc, temp = start_export(big_db, out)
    proc.send_signal(signum)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 128 + signum, err
    assert err.decode().strip() == (
        f"reader: export stopped by {signal.Signals(signum).name}, nothing written"
    )
    assert temps(tmp_path) == []
    assert out.read_text(encoding="utf-8") == "the earlier export\n"


def test_next_export_removes_what_a_killed_one_left(big_db, tmp_path):
    out = tmp_path / "data.jsonl"
    proc, temp = start_export(big_db, out)
    proc.kill()
    proc.communicate(timeout=60)
    assert temps(tmp_path) == [temp.name]  # SIGKILL cannot be caught: the file is left...
    assert temp.name == f".data.jsonl.reader-export-{proc.pid}.tmp"  # ...named for what made it
    done = subprocess.run([*APP, "--db", str(big_db), "export", str(out)],
                          capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert temps(tmp_path) == []  # ...and the next export in that directory removes it
    assert out.read_bytes().count(b"\n") == ARTICLES


def test_stale_cleaning_spares_live_processes_and_other_files(tmp_path):
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True).stdout.strip()
    stale = tmp_path / temp_name("a.jsonl", int(gone))
    stale_second = tmp_path / temp_name("b.jsonl", int(gone), 2)
    mine = tmp_path / temp_name("a.jsonl")
    alive = tmp_path / temp_name("c.jsonl", os.getppid())
    other = tmp_path / ".a.jsonl.1234abcd.tmp"  # not named by reader: not reader's to remove
    for p in (stale, stale_second, mine, alive, other):
        p.write_text("x", encoding="utf-8")
    assert sorted(remove_stale_temps(tmp_path)) == sorted([stale.name, stale_second.name])
    assert sorted(temps(tmp_path)) == sorted([mine.name, alive.name, other.name])
