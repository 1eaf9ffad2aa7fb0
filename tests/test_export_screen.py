import json

import pytest

from db import NewArticle, NewSpan
from reader.app import ReaderApp
from reader.config import Settings
from reader.screens.export import ExportScreen

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend():
    return "asyncio"


async def test_export_from_the_app_writes_the_file_and_a_summary(store, tmp_path):
    text = "Apple hired Tim Cook in 1998. It was a good call."
    (aid,) = store.add_articles([NewArticle("Apple", text)]).ids
    store.tag(aid, 0, 5, "entity", "ann")
    store.tag(aid, 0, 29, "fact", "ann")
    app = ReaderApp(store, annotator="ann", settings=Settings(), save_settings=False)
    out = tmp_path / "from-app.jsonl"
    async with app.run_test(size=(110, 36)) as pilot:
        app.action_export()
        await pilot.pause()
        assert isinstance(app.screen, ExportScreen)
        path = app.screen.query_one("#export-path")
        path.value = str(out)
        await pilot.click("#export-run")
        await app.workers.wait_for_complete()
        await pilot.pause()
        result = str(app.screen.query_one("#export-result").render())
        assert "exported 1 record (2 spans: entity 1, fact 1)" in result
        progress = app.screen.query_one("#export-progress")
        assert progress.progress == progress.total == 1
    line = json.loads(out.read_text(encoding="utf-8"))
    assert [(s["text"], s["label"]) for s in line["spans"]] == [("Apple", "entity"), (text[:29], "fact")]


async def test_export_error_is_shown_and_nothing_written(store, tmp_path):
    (aid,) = store.add_articles([NewArticle("A", "Some text here.")]).ids
    store.tag(aid, 0, 4, "fact", "ann")
    app = ReaderApp(store, annotator="ann", settings=Settings(), save_settings=False)
    async with app.run_test(size=(110, 36)) as pilot:
        app.action_export()
        await pilot.pause()
        app.screen.query_one("#export-path").value = str(tmp_path / "missing" / "dir" / "x.jsonl")
        await pilot.click("#export-run")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "Export failed, nothing written" in str(app.screen.query_one("#export-result").render())
    assert not (tmp_path / "missing").exists()


def _sources_fixture(store):
    text = "Ines Duarte opened the harbour office. Traders called it overdue."
    (aid,) = store.add_articles(
        [NewArticle("Harbour", text, spans=[NewSpan(0, 11, "entity", "ann")])]
    ).ids
    store.tag(aid, 0, 38, "fact", "ann")
    store.tag(aid, 39, len(text), "opinion", "ann")
    # Suggestions come from the suggestion engine; here the row is marked as one by hand.
    with store.conn:
        store.conn.execute("UPDATE annotations SET source = 'suggested' WHERE label = 'opinion'")
    return text


async def test_export_dialog_filters_by_source(store, tmp_path):
    _sources_fixture(store)
    app = ReaderApp(store, annotator="ann", settings=Settings(), save_settings=False)
    out = tmp_path / "manual.jsonl"
    async with app.run_test(size=(110, 40)) as pilot:
        app.action_export()
        await pilot.pause()
        app.screen.query_one("#export-path").value = str(out)
        await pilot.click("#export-source")
        await pilot.pause()
        # The list opens on "every span"; two steps down is "imported".
        await pilot.press("down", "down", "enter")
        await pilot.pause()
        assert app.screen.query_one("#export-source").value == "imported"
        await pilot.click("#export-run")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "exported 1 record (1 span: entity 1)" in str(
            app.screen.query_one("#export-result").render()
        )
        progress = app.screen.query_one("#export-progress")
        assert progress.progress == progress.total == 1
    line = json.loads(out.read_text(encoding="utf-8"))
    assert [(s["text"], s["label"]) for s in line["spans"]] == [("Ines Duarte", "entity")]


async def test_export_dialog_on_a_damaged_file_says_so_in_one_line(tmp_path):
    import sqlite3

    from db import Store
    from reader.labels import default_label_file, load_labels

    path = tmp_path / "damaged.db"
    store = Store.open(path)
    store.set_labels(load_labels(default_label_file()))
    texts = [f"Valley report {i}. " + " ".join(f"w{(i * 7 + k) % 991}" for k in range(150))
             for i in range(200)]
    ids = store.add_articles([NewArticle(f"R{i}", t) for i, t in enumerate(texts)]).ids
    for article in ids:
        store.tag(article, 0, 6, "fact", "ann")
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    probe = sqlite3.connect(path)
    size = probe.execute("PRAGMA page_size").fetchone()[0]
    pages = [r[0] for r in probe.execute("SELECT pageno FROM dbstat WHERE name = 'articles'")]
    probe.close()
    if not pages:
        pytest.skip("SQLite without the dbstat table")
    with open(path, "r+b") as handle:  # a few bytes overwritten in the middle of the table
        handle.seek((pages[len(pages) // 2] - 1) * size)
        handle.write(b"\xff\x13\x37" * 6)
    app = ReaderApp(store, annotator="ann", settings=Settings(), save_settings=False)
    out = tmp_path / "out.jsonl"
    try:
        async with app.run_test(size=(110, 40)) as pilot:
            app.action_export()
            await pilot.pause()
            app.screen.query_one("#export-path").value = str(out)
            await pilot.click("#export-run")
            await app.workers.wait_for_complete()
            await pilot.pause()
            shown = str(app.screen.query_one("#export-result").render())
            assert shown == (
                "Export failed, nothing written: database file is damaged: run PRAGMA "
                f"integrity_check / restore the backup ({path})"
            )
            assert app.is_running  # the app carries on
    finally:
        store.close()
    assert not out.exists()
