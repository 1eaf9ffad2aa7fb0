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
    text = _sources_fixture(store)
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
