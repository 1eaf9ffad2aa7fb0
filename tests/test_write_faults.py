"""Writes that meet trouble: a locked database, a full disk, a file deleted or replaced under the
app, another window on the same article. The app keeps running, never says "saved" for a write
that did not commit, and shows what the database holds."""

from __future__ import annotations

import os
import sqlite3
import time

import pytest

from db import NewArticle, Store, StoreError
from reader.app import ReaderApp
from reader.config import Settings
from reader.screens.article import ArticleScreen

pytestmark = pytest.mark.anyio

TEXT = "First sentence here. Second one follows. Third closes it.\n\nA new paragraph starts."


@pytest.fixture
def anyio_backend():
    return "asyncio"


@pytest.fixture
def article(store):
    return store.add_articles([NewArticle("Faults", TEXT)]).ids[0]


def make_app(store):
    return ReaderApp(store, annotator="ann", settings=Settings(), save_settings=False)


def status(app) -> str:
    return str(app.screen.query_one("#status-line").render())


def stored(path, article_id) -> list[tuple[str, str]]:
    conn = sqlite3.connect(path)
    try:
        return [
            (TEXT[a:b], label)
            for a, b, label in conn.execute(
                'SELECT start, "end", label FROM annotations WHERE article_id = ? ORDER BY start',
                (article_id,),
            )
        ]
    finally:
        conn.close()


def shown(app) -> list[tuple[str, str]]:
    return [(TEXT[s.start : s.end], s.label) for s in app.screen.spans.values()]


async def open_article(pilot, app, article_id):
    app.open_article(article_id)
    await pilot.pause()
    assert isinstance(app.screen, ArticleScreen)
    return app.screen.view


async def settle(pilot):
    await pilot.app.writes_settled()
    await pilot.pause()


async def test_a_locked_database_is_waited_out_and_said_so(store, article):
    app = make_app(store)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_article(pilot, app, article)
        # Another process holds the write lock for a while (an import, say).
        other = sqlite3.connect(store.path, timeout=5, check_same_thread=False)
        other.execute("BEGIN IMMEDIATE")
        await pilot.press("1")
        assert shown(app) == [("First sentence here.", "fact")]  # painted at once
        await pilot.pause(1.2)
        assert "waiting for the database" in status(app)
        assert "saved ✓" not in status(app)
        assert stored(store.path, article) == []
        other.rollback()
        other.close()
        await settle(pilot)
        assert stored(store.path, article) == [("First sentence here.", "fact")]
        assert "saved ✓" in status(app)


async def test_a_full_disk_is_not_saved_and_the_screen_shows_the_database(store, article, monkeypatch):
    app = make_app(store)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_article(pilot, app, article)
        await pilot.press("1")
        await settle(pilot)
        assert stored(store.path, article) == [("First sentence here.", "fact")]
        writer = app.writes.store

        def full(*args, **kwargs):
            raise sqlite3.OperationalError("database or disk is full")

        monkeypatch.setattr(writer, "tag", full)
        await pilot.press("2")
        await settle(pilot)
        assert "NOT SAVED" in status(app) and "disk is full" in status(app)
        assert "saved ✓" not in status(app)
        assert stored(store.path, article) == [("First sentence here.", "fact")]
        assert shown(app) == stored(store.path, article)  # the painted tag is taken back
        # The app goes on: with room again, the next key saves.
        monkeypatch.undo()
        await pilot.press("2")
        await settle(pilot)
        assert stored(store.path, article) == [
            ("First sentence here.", "fact"),
            ("Second one follows.", "opinion"),
        ]
        assert "saved ✓" in status(app)


@pytest.mark.parametrize("how", ["deleted", "replaced", "wal deleted"])
async def test_a_file_gone_from_under_the_app_stops_writing_and_keeps_the_work(
    store, article, tmp_path, how
):
    path = store.path
    other = tmp_path / "other.db"
    if how == "replaced":
        with Store.open(other) as s:
            s.add_articles([NewArticle("Someone else's", "Their text, untouched.")])
    app = make_app(store)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_article(pilot, app, article)
        await pilot.press("1")
        await settle(pilot)
        assert "saved ✓" in status(app)
        if how == "deleted":
            os.unlink(path)
        elif how == "replaced":
            os.rename(other, path)
        else:
            os.unlink(path + "-wal")
        await pilot.press("2")
        await settle(pilot)
        line = status(app)
        assert "saved ✓" not in line and "WRITING STOPPED" in line
        reason = app.writes.stopped
        assert reason and "recovered" in reason
        recovered = reason.split("everything saved so far is in ")[1].split(". Quit")[0]
        assert stored(recovered, article) == [("First sentence here.", "fact")]
        # Nothing more is written anywhere, and the screen says why on each key.
        await pilot.press("3")
        await settle(pilot)
        assert "WRITING STOPPED" in status(app)
    if how == "replaced":
        conn = sqlite3.connect(path)
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT count(*) FROM annotations").fetchone()[0] == 0
        assert conn.execute("SELECT title FROM articles").fetchall() == [("Someone else's",)]
        conn.close()
    if how == "wal deleted":
        # The work was checkpointed into the file itself before writing stopped.
        assert stored(path, article) == [("First sentence here.", "fact")]


async def test_another_window_is_seen_and_its_changes_are_not_undone_here(store, article):
    app = make_app(store)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_article(pilot, app, article)
        await pilot.press("1")
        await settle(pilot)
        # The same annotator in a second window (its own connection and session).
        with Store.open(store.path) as window_b:
            session_b = window_b.start_session("ann")
            first = window_b.spans(article, "ann")[0]
            window_b.relabel(first.id, "opinion", "ann", session_id=session_b)
            await pilot.pause(1.3)  # the open article is checked about once a second
            assert shown(app) == [("First sentence here.", "opinion")]
            assert "another window" in status(app)
            await pilot.press("u")
            await settle(pilot)
            # B's relabel stays: undoing it is B's business.
            assert stored(store.path, article) == [("First sentence here.", "opinion")]
            assert "another window" in status(app)
            assert "NOT SAVED" in status(app)


def test_undo_keeps_to_changes_made_before_this_window_or_in_it(store, article):
    earlier = store.start_session("ann")
    store.tag(article, 0, 20, "fact", "ann", session_id=earlier)
    time.sleep(0.002)
    mine = store.start_session("ann")
    time.sleep(0.002)
    other = store.start_session("ann")
    store.tag(article, 21, 40, "fact", "ann", session_id=other)
    with pytest.raises(StoreError, match="another window"):
        store.undo(article, "ann", session_id=mine)
    assert store.undo(article, "ann", session_id=other)  # its own
    assert store.undo(article, "ann", session_id=mine)  # made before this window opened
    assert store.spans(article, "ann") == []


async def test_a_read_only_store_refuses_tags_without_writing(store, article):
    store.read_only = True
    app = make_app(store)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_article(pilot, app, article)
        await pilot.press("1")
        await settle(pilot)
        assert "read-only" in status(app)
        assert shown(app) == [] and stored(store.path, article) == []


async def test_quick_keys_settle_to_what_was_committed(store, article):
    app = make_app(store)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_article(pilot, app, article)
        # Tag, relabel and delete the same span before any commit is back.
        await pilot.press("1", "r", "2", "d", "1", "1")
        await settle(pilot)
        assert shown(app) == stored(store.path, article)
        assert all(s.id > 0 for s in app.screen.spans.values())
        assert "saved ✓" in status(app)
