"""A reader database works with sqlite-utils' own full-text search, as the README says."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys

import sqlite_utils

from db import NewArticle, Store, schema


def _cli_search(path, query: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-m", "sqlite_utils", "search", str(path), "articles", query, "-c", "title"],
        capture_output=True, text=True,
    )
    assert done.returncode == 0, done.stderr
    return [row["title"] for row in json.loads(done.stdout)]


def test_sqlite_utils_search_finds_articles_and_follows_edits(tmp_path):
    path = tmp_path / "r.db"
    store = Store.open(path)
    store.add_articles([
        NewArticle("Harbour vote", "The harbour board approved the dredging contract."),
        NewArticle("School roof", "Parents criticised the delayed school roof repair."),
    ])
    assert sqlite_utils.Database(str(path))["articles"].detect_fts() == "articles_fts"
    assert _cli_search(path, "dredging") == ["Harbour vote"]
    assert _cli_search(path, "sch*") == ["School roof"]
    # The triggers keep the index in step with inserts, updates and deletes.
    store.conn.execute("UPDATE articles SET text = 'Parents welcomed the new gymnasium.' "
                       "WHERE title = 'School roof'")
    store.conn.execute("DELETE FROM articles WHERE title = 'Harbour vote'")
    store.conn.commit()
    store.add_articles([NewArticle("Dredging again", "A second dredging contract was signed.")])
    assert _cli_search(path, "dredging") == ["Dredging again"]
    assert _cli_search(path, "gymnasium") == ["School roof"]
    assert _cli_search(path, "repair") == []
    # Our own search, prefix lists and all, is unchanged.
    assert [h.title for h in store.search("gy")] == ["School roof"]
    store.conn.execute("INSERT INTO articles_fts (articles_fts) VALUES ('integrity-check')")
    store.close()


def test_table_search_of_the_python_api(tmp_path):
    path = tmp_path / "r.db"
    store = Store.open(path)
    store.add_articles([NewArticle("Budget", "The council budget was delayed again.")])
    store.close()
    rows = list(sqlite_utils.Database(str(path))["articles"].search("council", columns=["title"]))
    assert rows == [{"title": "Budget"}]


def test_older_database_gets_an_index_sqlite_utils_finds(tmp_path):
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    schema.apply(conn, stop_before="0009_fts_content_quoted")
    conn.execute("INSERT INTO articles (title, text, sha256, imported_at) "
                 "VALUES ('Old', 'Old councillors met.', 'x', 'then')")
    conn.commit()
    declared = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'articles_fts'").fetchone()[0]
    conn.close()
    assert 'content="articles"' not in declared
    assert sqlite_utils.Database(str(path))["articles"].detect_fts() is None

    store = Store.open(path)
    sql = store.conn.execute("SELECT sql FROM sqlite_master WHERE name = 'articles_fts'").fetchone()[0]
    assert 'content="articles"' in sql
    assert f"prefix='{schema.PREFIX_LENGTHS}'" in sql and "remove_diacritics 2" in sql
    # The old article is in the rebuilt index, and the triggers of 0005 still index new ones
    # (and leave an import's batches to the import).
    assert [h.article_id for h in store.search("councillors")] == [1]
    store.add_articles([NewArticle("New", "Councillors met again.")])
    assert sorted(h.article_id for h in store.search("co")) == [1, 2]
    triggers = {r[0] for r in store.conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    assert {"articles_ai", "articles_ad", "articles_au"} <= triggers
    store.conn.execute("INSERT INTO articles_fts (articles_fts) VALUES ('integrity-check')")
    store.close()
    assert sorted(_cli_search(path, "councillors")) == ["New", "Old"]
