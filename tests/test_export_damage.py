"""Exports from a database that was changed behind reader's back: spans whose article was
deleted with foreign keys off, and a file with bytes overwritten."""

import json
import shutil
import sqlite3
import subprocess
import sys

import pytest
from click.testing import CliRunner

from db import NewArticle, Store
from reader.cli import main
from reader.labels import default_label_file, load_labels

APP = [sys.executable, "-c", "from reader.cli import main; main()"]
DAMAGED = "reader: database file is damaged: run PRAGMA integrity_check / restore the backup"


def run(db, *args):
    return CliRunner().invoke(main, ["--db", str(db), *args], catch_exceptions=False)


def build(path, n, words=40):
    with Store.open(path) as store:
        store.set_labels(load_labels(default_label_file()))
        texts = [
            f"Report {i} from the valley. " + " ".join(f"word{(i * 7 + k) % 997}" for k in range(words))
            for i in range(n)
        ]
        ids = store.add_articles([NewArticle(f"Valley report {i}", t) for i, t in enumerate(texts)]).ids
        for article, text in zip(ids, texts):
            store.tag(article, 0, text.index(" from"), "fact", "kim")
            store.tag(article, text.index("valley"), text.index("valley") + 6, "entity", "kim")
    return ids


def test_orphaned_spans_are_skipped_and_counted(tmp_path):
    db = tmp_path / "orphans.db"
    ids = build(db, 5)
    conn = sqlite3.connect(db)  # foreign keys off, as in the sqlite3 shell
    with conn:
        conn.execute("DELETE FROM articles WHERE id IN (?, ?)", (ids[1], ids[4]))
    orphans = conn.execute("PRAGMA foreign_key_check(annotations)").fetchall()
    conn.close()
    assert len(orphans) == 4  # two spans each, still there

    out = tmp_path / "out.jsonl"
    result = run(db, "export", str(out))
    assert result.exit_code == 0, result.output
    assert "exported 3 records (6 spans" in result.output
    assert "skipped 4 spans (4 whose article is missing: PRAGMA foreign_key_check lists them)" in (
        result.output
    )
    exported = [json.loads(line)["meta"]["id"] for line in out.read_text().splitlines()]
    assert exported == [ids[0], ids[2], ids[3]]

    # Every part of a split sees them too, and they are counted once.
    result = run(db, "export", str(tmp_path / "s.jsonl"), "--split", "a=0.5,b=0.5")
    assert result.exit_code == 0, result.output
    assert "skipped 4 spans (4 whose article" in result.output

    for fmt in ("doccano", "labelstudio", "conll", "sentences"):
        result = run(db, "export", str(tmp_path / f"o.{fmt}"), "--format", fmt)
        assert result.exit_code == 0, (fmt, result.output)
        assert "4 whose article is missing" in result.output


def page_size(db):
    conn = sqlite3.connect(db)
    size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    return size


def pages_of(db, table):
    conn = sqlite3.connect(db)
    try:
        return [row[0] for row in conn.execute("SELECT pageno FROM dbstat WHERE name = ?", (table,))]
    except sqlite3.OperationalError:
        return []  # SQLite built without the dbstat table
    finally:
        conn.close()


def overwrite(db, page, size, data=b"\xff\x13\x37" * 6):
    """Overwrite the start of ``page`` (1-based), where its b-tree header lies."""
    with open(db, "r+b") as handle:
        handle.seek((page - 1) * size + (100 if page == 1 else 0))
        handle.write(data)


@pytest.fixture(scope="module")
def clean_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("damage") / "clean.db"
    build(path, 300, words=120)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("PRAGMA journal_mode=DELETE")  # one file, no -wal beside it to keep in step
    conn.close()
    return path


def test_damaged_page_is_one_line_and_exit_3(clean_db, tmp_path):
    db = tmp_path / "damaged.db"
    shutil.copy(clean_db, db)
    size = page_size(db)
    leaves = pages_of(db, "articles")
    page = leaves[len(leaves) // 2] if leaves else (db.stat().st_size // size) // 2
    overwrite(db, page, size)
    out = tmp_path / "out.jsonl"
    done = subprocess.run([*APP, "--db", str(db), "export", str(out)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 3, done.stderr
    assert done.stderr.splitlines() == [f"{DAMAGED} ({db})"]
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir() if p.suffix == ".tmp"] == []


@pytest.mark.slow
def test_no_overwritten_page_gives_a_traceback(clean_db, tmp_path):
    """Whatever page is hit, export either works or says in one line that the file is damaged."""
    size = page_size(clean_db)
    total = clean_db.stat().st_size // size
    outcomes = set()
    for page in range(2, total + 1, max(1, total // 40)):
        db = tmp_path / f"hit{page}.db"
        shutil.copy(clean_db, db)
        overwrite(db, page, size)
        result = run(db, "export", str(tmp_path / f"hit{page}.jsonl"))
        outcomes.add(result.exit_code)
        assert result.exit_code in (0, 3), (page, result.output)
        if result.exit_code == 3:
            assert result.output.strip().splitlines() in (
                [f"{DAMAGED} ({db})"],
                # Damage the open itself trips on is reported as what it is.
                [line for line in result.output.strip().splitlines() if "reader database" in line],
            ), (page, result.output)
        db.unlink()
    assert 3 in outcomes
