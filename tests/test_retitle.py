"""Fixing a title by hand: Store.set_title and `reader retitle`."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from db import NewArticle, Store, StoreError
from reader.cli import main

TEXT = "Independent reporting since 1998\nHarbour board approves night ferries\nThe vote was close.\n"


@pytest.fixture
def harbour(store):
    (article_id,) = store.add_articles([NewArticle("Independent reporting since 1998", TEXT)]).ids
    return article_id


def test_set_title_changes_the_title_and_the_search_index_but_not_the_text(store, harbour):
    assert store.count_articles(query="independent") == 1
    stored = store.set_title(harbour, "  Harbour board   approves night ferries ")
    assert stored == "Harbour board approves night ferries"
    article = store.article(harbour)
    assert article.title == stored and article.text == TEXT
    # The old title's words still match through the text; a word only the title had does not.
    store.set_title(harbour, "Ferries at midnight")
    assert store.count_articles(query="midnight") == 1
    store.set_title(harbour, "Night crossings")
    assert store.count_articles(query="midnight") == 0
    assert [h.article_id for h in store.search("crossings")] == [harbour]
    store.conn.execute("INSERT INTO articles_fts (articles_fts) VALUES ('integrity-check')")


@pytest.mark.parametrize(
    "title, reason",
    [
        ("", "empty"),
        ("   ", "empty"),
        ("Two\nlines", "one line"),
        ("Bell\x07 rings", "control"),
        ("\x1b]0;owned\x07Title", "control"),
        ("Right\u202eto left", "control or invisible"),
        ("x" * 201, "at most 200"),
        (None, "text"),
    ],
)
def test_set_title_refuses_what_is_not_one_printable_line(store, harbour, title, reason):
    with pytest.raises(StoreError, match=reason):
        store.set_title(harbour, title)
    assert store.article(harbour).title == "Independent reporting since 1998"


def test_set_title_on_a_missing_article(store):
    with pytest.raises(StoreError, match="no article with id 99"):
        store.set_title(99, "Anything")


def test_set_title_is_one_write_transaction(store, harbour):
    statements = []
    store.conn.set_trace_callback(statements.append)
    store.set_title(harbour, "Night ferries")
    store.conn.set_trace_callback(None)
    assert statements[0] == "BEGIN IMMEDIATE" and statements[-1] == "COMMIT"
    assert sum(s.startswith("BEGIN") for s in statements) == 1


@pytest.fixture
def cli(tmp_path):
    db = tmp_path / "cli.db"
    source = tmp_path / "page.txt"
    source.write_text(TEXT)

    def invoke(*args):
        return CliRunner().invoke(main, ["--db", str(db), *args])

    assert invoke("import", str(source)).exit_code == 0
    invoke.db = db
    return invoke


def test_retitle_command(cli):
    with Store.open(cli.db) as store:
        (article_id,) = [r.id for r in store.list_articles()]
        # The heuristic found the headline under the tagline already.
        assert store.article(article_id).title == "Harbour board approves night ferries"
    result = cli("retitle", str(article_id), "Night ferries approved")
    assert result.exit_code == 0, result.output
    assert result.output == f"article {article_id}: Harbour board approves night ferries -> Night ferries approved\n"
    listed = json.loads(cli("list", "--json").output)
    assert listed["title"] == "Night ferries approved"


@pytest.mark.parametrize("title", ["", "Two\nlines", "\x1b[2J\x1b]0;x\x07Cleared", "y" * 300])
def test_retitle_refuses_a_bad_title_in_one_line(cli, title):
    result = cli("retitle", "1", title)
    assert result.exit_code == 2
    assert result.output.startswith("reader: a title") and result.output.count("\n") == 1
    assert "\x1b" not in result.output
    assert json.loads(cli("list", "--json").output)["title"] == "Harbour board approves night ferries"


def test_retitle_a_missing_article(cli):
    result = cli("retitle", "42", "Whatever")
    assert result.exit_code == 3
    assert result.output == "reader: no article with id 42\n"


def test_retitle_help_has_an_example(cli):
    assert 'reader retitle 12 "' in cli("retitle", "--help").output
