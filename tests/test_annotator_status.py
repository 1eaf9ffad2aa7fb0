"""Each annotator's own status per article: the migration from one status per article, the
Store's reads and writes, and "done" counted once per session however often D is pressed."""

import sqlite3

import pytest

from db import NewArticle, Store, schema
from reader.app import ReaderApp
from reader.config import Settings
from reader.screens.article import ArticleScreen
from reader.widgets.session_header import SessionHeader

from conftest import LABELS

TEXTS = [
    "The ferry left at dawn. Passengers said the crossing was rough.",
    "Harbour fees rise in spring. Traders call the rise unfair.",
    "A new quay opens next year. The board expects more cargo.",
    "Fishing quotas stay the same. Crews are relieved.",
]


def _old_database(path) -> None:
    """A database as reader left it before schema 0006: one status per article."""
    conn = sqlite3.connect(path)
    schema.apply(conn, stop_before="0006_annotator_status")
    conn.executemany(
        "INSERT INTO labels (name, colour, layer) VALUES (?, '#888888', ?)",
        [(l.name, l.layer) for l in LABELS],
    )
    for i, (text, status) in enumerate(zip(TEXTS, ["done", "in_progress", "new", "new"]), 1):
        conn.execute(
            "INSERT INTO articles (title, text, sha256, imported_at, status) VALUES (?, ?, ?, ?, ?)",
            (f"Article {i}", text, f"sha{i}", "2025-01-0{i}T00:00:00", status),
        )
    span = ("INSERT INTO annotations (article_id, start, \"end\", label, annotator, created_at, "
            "updated_at) VALUES (?, 0, 5, 'fact', ?, 'then', 'then')")
    conn.execute(span, (1, "ann"))
    conn.execute(span, (1, "bob"))
    conn.execute(span, (2, "ann"))
    # Article 3 is still "new" though bob has a span there (an import); cat only read it.
    conn.execute(span, (3, "bob"))
    conn.execute(
        "INSERT INTO places (article_id, annotator, cursor, top, visited_at) "
        "VALUES (3, 'cat', 4, 0, 'then')"
    )
    conn.commit()
    conn.close()


def test_migration_gives_each_annotator_the_articles_status(tmp_path):
    path = tmp_path / "old.db"
    _old_database(path)
    store = Store.open(path)
    rows = store.conn.execute(
        "SELECT article_id, annotator, status FROM annotator_status ORDER BY 1, 2"
    ).fetchall()
    assert rows == [
        (1, "ann", "done"),
        (1, "bob", "done"),
        (2, "ann", "in_progress"),
        (3, "bob", "in_progress"),  # new, but with spans: in progress
        (3, "cat", "new"),
    ]
    assert store.articles_done_by("ann") == {1}
    assert store.articles_done_by("bob") == {1}
    assert store.articles_done_by("cat") == set()
    assert store.article(1, "ann").status == "done"
    assert store.article(4, "ann").status == "new"  # nobody touched it
    assert store.article(2).status == "in_progress"  # the article's own status is kept
    store.close()


def test_status_is_per_annotator(store):
    ids = store.add_articles([NewArticle(f"A{i}", t) for i, t in enumerate(TEXTS)]).ids
    store.set_status(ids[0], "done", annotator="ann")
    assert store.article(ids[0], "ann").status == "done"
    assert store.article(ids[0], "bob").status == "new"
    assert store.article(ids[0]).status == "done"  # the latest anyone set
    store.tag(ids[1], 0, 5, "fact", "bob")
    assert store.article(ids[1], "bob").status == "in_progress"
    assert store.article(ids[1], "ann").status == "new"
    assert store.articles_done_by("ann") == {ids[0]}
    assert store.articles_done_by("bob") == set()
    assert [r.status for r in store.list_articles(annotator="bob")] == [
        "new", "in_progress", "new", "new"
    ]
    assert [r.id for r in store.list_articles(annotator="ann", status="done")] == [ids[0]]
    assert store.count_articles(annotator="ann", status="new") == 3
    assert store.count_articles(annotator="bob", status="new") == 3
    assert store.count_articles(annotator="bob", status="done") == 0
    # next unfinished follows the annotator's own status
    assert store.next_unfinished(None, annotator="ann") == ids[1]
    assert store.next_unfinished(None, annotator="bob") == ids[0]
    with pytest.raises(Exception, match="no article"):
        store.set_status(999, "done", annotator="ann")


def test_done_counts_once_per_session_in_the_store(store):
    ids = store.add_articles([NewArticle(f"A{i}", t) for i, t in enumerate(TEXTS)]).ids
    session = store.start_session("ann")
    for status in ["done", "in_progress", "done", "in_progress", "done"]:
        store.set_status(ids[0], status, annotator="ann", session_id=session)
    assert store.session_totals(session)["articles_done"] == 1
    store.set_status(ids[1], "done", annotator="ann", session_id=session)
    assert store.session_totals(session)["articles_done"] == 2
    store.set_status(ids[1], "new", annotator="ann", session_id=session)
    assert store.session_totals(session)["articles_done"] == 1
    # another annotator's done is theirs, counted in their own session
    other = store.start_session("bob")
    store.set_status(ids[0], "done", annotator="bob", session_id=other)
    assert store.session_totals(other)["articles_done"] == 1
    assert store.session_totals(session)["articles_done"] == 1


pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend():
    return "asyncio"


async def _press(pilot, *keys):
    await pilot.press(*keys)
    await pilot.app.writes_settled()
    await pilot.pause()


@pytest.mark.parametrize(
    "keys, done",
    [
        (["1", "D", "D", "D", "q"], 1),
        (["1", "D", "D", "q"], 0),
        (["D", "D", "D", "D", "D", "q"], 1),
    ],
)
async def test_done_key_toggled_counts_once(store, keys, done):
    ids = store.add_articles([NewArticle("Ferry", TEXTS[0])]).ids
    app = ReaderApp(store, annotator="ann", settings=Settings(), save_settings=False)
    async with app.run_test(size=(110, 30)) as pilot:
        app.open_article(ids[0])
        await pilot.pause()
        assert isinstance(app.screen, ArticleScreen)
        await _press(pilot, *keys)
        assert not isinstance(app.screen, ArticleScreen)
        header = str(app.screen.query_one(SessionHeader).render())
        touched = 1 if "1" in keys else 0
        assert f"{done} done · {touched} touched" in header
        row = store.conn.execute(
            "SELECT articles_done FROM sessions WHERE id = ?", (app.session_id,)
        ).fetchone()
        assert row == (done,)
        assert store.article(ids[0], "ann").status == ("done" if done else "in_progress")
        assert store.article(ids[0], "bob").status == "new"


def test_export_carries_and_filters_by_each_annotators_status(store):
    ids = store.add_articles([NewArticle("Ferry", TEXTS[0])]).ids
    store.tag(ids[0], 0, 23, "fact", "kim")
    store.tag(ids[0], 0, 23, "opinion", "lee")
    store.set_status(ids[0], "done", annotator="kim")
    groups = [(a["status"], who) for a, who, _ in store.export_groups()]
    assert groups == [("done", "kim"), ("in_progress", "lee")]
    assert [who for _, who, _ in store.export_groups(statuses=["done"])] == ["kim"]
    assert [who for _, who, _ in store.export_groups(statuses=["in_progress"])] == ["lee"]
