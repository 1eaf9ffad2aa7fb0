import json

import pytest

from db import NewArticle
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
