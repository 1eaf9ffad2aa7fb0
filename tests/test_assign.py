"""Assignment: balanced, the same for the same seed, idempotent; queues for `>`, the library and
`reader list --assigned`; blind mode hides others' spans until the article is done."""

from collections import Counter

import pytest
from click.testing import CliRunner

from db import NewArticle, StoreError
from reader.app import ReaderApp
from reader.cli import main
from reader.config import Settings
from reader.screens.article import ArticleScreen
from reader.widgets.library_table import LibraryTable


def _articles(store, n):
    return list(store.add_articles(
        [NewArticle(f"Story {i}", f"Day {i}: the harbour board met. Nobody spoke for long.")
         for i in range(n)]
    ).ids)


def test_assign_is_balanced_and_each_article_gets_distinct_annotators(store):
    ids = _articles(store, 25)
    added = store.assign(["kim", "lee", "sam"], 2, seed=1)
    assert sum(added.values()) == 50
    assert max(added.values()) - min(added.values()) <= 1
    table = store.assignments()
    assert sorted(table) == ids
    assert all(len(set(who)) == 2 for who in table.values())
    pairs = Counter(tuple(who) for who in table.values())
    assert len(pairs) == 3  # every pair of annotators shares some articles


def test_assign_is_deterministic_for_a_seed_and_idempotent(store, tmp_path):
    from db import Store

    from conftest import LABELS

    ids = _articles(store, 30)
    store.assign(["kim", "lee", "sam"], 2, seed=5)
    first = store.assignments()
    assert store.assign(["kim", "lee", "sam"], 2, seed=5) == {"kim": 0, "lee": 0, "sam": 0}
    assert store.assign(["kim", "lee", "sam"], 2, seed=99) == {"kim": 0, "lee": 0, "sam": 0}
    assert store.assignments() == first

    other = Store.open(tmp_path / "other.db")
    other.set_labels(LABELS)
    _articles(other, 30)
    other.assign(["kim", "lee", "sam"], 2, seed=5)
    assert other.assignments() == first  # same articles, same seed: same spread
    third = Store.open(tmp_path / "third.db")
    third.set_labels(LABELS)
    _articles(third, 30)
    third.assign(["kim", "lee", "sam"], 2, seed=6)
    assert third.assignments() != first
    other.close()
    third.close()

    # New articles later: only they are assigned, and the loads stay balanced.
    more = _articles_more(store, 4)
    added = store.assign(["kim", "lee", "sam"], 2, seed=5)
    assert sum(added.values()) == 8
    assert sorted(store.assignments()) == ids + more
    loads = Counter(w for who in store.assignments().values() for w in who)
    assert max(loads.values()) - min(loads.values()) <= 1


def _articles_more(store, n):
    return list(store.add_articles(
        [NewArticle(f"Late {i}", f"Late {i}: the ferry was late again today.") for i in range(n)]
    ).ids)


def test_assign_status_filter_and_bad_counts(store):
    ids = _articles(store, 6)
    store.set_status(ids[0], "done", annotator="kim")
    store.assign(["kim", "lee"], 1, status="new")
    assert sorted(store.assignments()) == ids[1:]
    with pytest.raises(StoreError, match="between 1 and"):
        store.assign(["kim", "lee"], 3)
    with pytest.raises(StoreError, match="between 1 and"):
        store.assign(["kim"], 0)


def test_next_unfinished_follows_the_queue(store):
    ids = _articles(store, 6)
    store.conn.executemany(
        "INSERT INTO assignments (article_id, annotator, assigned_at) VALUES (?, 'kim', 'now')",
        [(ids[1],), (ids[4],)],
    )
    store.conn.commit()
    assert store.next_unfinished(None, annotator="kim") == ids[1]
    assert store.next_unfinished(ids[1], annotator="kim") == ids[4]
    store.set_status(ids[4], "done", annotator="kim")
    assert store.next_unfinished(ids[1], annotator="kim") == ids[1]
    store.set_status(ids[1], "done", annotator="kim")
    assert store.next_unfinished(ids[1], annotator="kim") is None
    # someone with no assignments works through everything
    assert store.next_unfinished(None, annotator="lee") == ids[0]


def _cli(path, *args):
    return CliRunner().invoke(main, ["--db", str(path), *args], catch_exceptions=False)


def test_cli_assign_and_list_assigned(tmp_path):
    path = tmp_path / "team.db"
    docs = tmp_path / "docs"
    docs.mkdir()
    for i in range(9):
        (docs / f"{i}.txt").write_text(f"Report {i}\n\nThe quay was busy on day {i}.\n")
    assert _cli(path, "import", str(docs)).exit_code == 0
    result = _cli(path, "assign", "--annotators", "kim,lee,sam", "--per-article", "2", "--seed", "3")
    assert result.exit_code == 0, result.output
    assert "assigned 18 articles" in result.output
    again = _cli(path, "assign", "--annotators", "kim,lee,sam", "--per-article", "2", "--seed", "3")
    assert "assigned 0 articles" in again.output
    listed = _cli(path, "--annotator", "kim", "list", "--assigned", "--json")
    assert len(listed.output.splitlines()) == 6
    everything = _cli(path, "--annotator", "kim", "list", "--json")
    assert len(everything.output.splitlines()) == 9
    bad = CliRunner().invoke(main, ["--db", str(path), "assign", "--annotators", "kim", "--per-article", "2"])
    assert bad.exit_code == 2
    assert "between 1 and" in bad.output
    twice = CliRunner().invoke(main, ["--db", str(path), "assign", "--annotators", "kim,kim"])
    assert twice.exit_code == 2


def test_cli_list_status_is_the_annotators_own(tmp_path):
    path = tmp_path / "team.db"
    docs = tmp_path / "docs"
    docs.mkdir()
    for i in range(3):
        (docs / f"{i}.txt").write_text(f"Report {i}\n\nThe quay was busy on day {i}.\n")
    _cli(path, "import", str(docs))
    from db import Store

    with Store.open(path) as store:
        first = store.list_articles()[0].id
        store.set_status(first, "done", annotator="kim")
    kim = _cli(path, "--annotator", "kim", "list", "--status", "done", "--json")
    lee = _cli(path, "--annotator", "lee", "list", "--status", "done", "--json")
    assert len(kim.output.splitlines()) == 1
    assert lee.output == ""



@pytest.fixture
def anyio_backend():
    return "asyncio"


async def _press(pilot, *keys):
    await pilot.press(*keys)
    await pilot.app.writes_settled()
    await pilot.pause()


def _shown_annotators(app):
    return sorted({span.annotator for span in app.screen.spans.values()})


@pytest.mark.anyio
@pytest.mark.parametrize("blind", [True, False])
async def test_blind_mode_hides_others_until_done(store, blind):
    (article_id,) = _articles(store, 1)
    store.tag(article_id, 0, 6, "fact", "bob")
    store.tag(article_id, 0, 6, "opinion", "ann")
    app = ReaderApp(store, annotator="ann", settings=Settings(blind=blind), save_settings=False)
    async with app.run_test(size=(110, 30)) as pilot:
        app.open_article(article_id)
        await pilot.pause()
        assert isinstance(app.screen, ArticleScreen)
        await _press(pilot, "A")
        assert _shown_annotators(app) == (["ann"] if blind else ["ann", "bob"])
        header = str(app.screen.query_one("#article-header").render())
        assert ("others' spans stay hidden" in header) == blind
        await _press(pilot, "A", "D")
        assert store.article(article_id, "ann").status == "done"
        await _press(pilot, "A")
        assert _shown_annotators(app) == ["ann", "bob"]


@pytest.mark.anyio
async def test_library_filter_assigned_to_me(store):
    ids = _articles(store, 5)
    store.conn.executemany(
        "INSERT INTO assignments (article_id, annotator, assigned_at) VALUES (?, ?, 'now')",
        [(ids[1], "ann"), (ids[3], "ann"), (ids[0], "bob")],
    )
    store.conn.commit()
    app = ReaderApp(store, annotator="ann", settings=Settings(), save_settings=False)
    async with app.run_test(size=(110, 30)) as pilot:
        table = app.screen.query_one(LibraryTable)
        assert table.total == 5
        await _press(pilot, "a")
        assert table.total == 2
        assert [table.row(i).id for i in range(2)] == [ids[1], ids[3]]
        assert "assigned to me" in str(app.screen.query_one("#status").render())
        await _press(pilot, "n")  # next unfinished follows the queue
        assert isinstance(app.screen, ArticleScreen)
        assert app.screen.article_id == ids[1]
        await _press(pilot, "D", "q")
        await _press(pilot, "t", "t", "t")  # own status: done
        assert [table.row(i).id for i in range(table.total)] == [ids[1]]
        await _press(pilot, "a")
        assert table.total == 1
