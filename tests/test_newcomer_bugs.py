"""What got in a newcomer's way: the find bar hid what was typed, the palette listed the theme
twice, q did nothing in the library, ? and F1 were bound in two places, "1 spans"."""

from __future__ import annotations

import pytest

from db import NewArticle
from reader.app import ReaderApp
from reader.config import Settings
from reader.screens.article import ArticleScreen
from reader.screens.help import HelpScreen
from reader.screens.library import LibraryScreen
from reader.text.plural import counted
from reader.widgets.session_header import session_line

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend():
    return "asyncio"


def _rows(app) -> list[str]:
    return ["".join(seg.text for seg in strip) for strip in app.screen._compositor.render_strips()]


def _app(store):
    return ReaderApp(store, annotator="ann", settings=Settings(), save_settings=False)


async def test_find_bar_shows_what_is_typed(store):
    aid = store.add_articles([NewArticle("T", "The council met. The mayor spoke at length.")]).ids[0]
    app = _app(store)
    async with app.run_test(size=(90, 20)) as pilot:
        app.open_article(aid)
        await pilot.pause()
        await pilot.press("slash", *"mayor")
        await pilot.pause()
        bar = [row for row in _rows(app) if "Find:" in row]
        assert bar and "Find: mayor" in bar[0], bar
        assert "▔" not in bar[0]
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen.view.cursor == "The council met. The ".__len__()


async def test_palette_lists_the_theme_once(store):
    app = _app(store)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("ctrl+p", *"theme")
        await pilot.pause(0.5)
        from textual.command import CommandList

        options = app.screen.query_one(CommandList)
        prompts = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        themes = [p for p in prompts if "theme" in p.lower()]
        assert len(themes) == 1, prompts


async def test_q_quits_from_the_library_and_its_footer_says_so(store):
    store.add_articles([NewArticle("One", "Some text.")])
    app = _app(store)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, LibraryScreen)
        for _ in range(50):  # the footer fills in after the first frame, later on a busy machine
            footer = _rows(app)[-1]
            if footer.strip():
                break
            await pilot.pause(0.05)
        assert "q Quit" in footer.replace("  ", " ") or ("q" in footer and "Quit" in footer), footer
        # In the search box q is a letter, not the quit key.
        await pilot.press("slash", "q")
        await pilot.pause()
        assert app.is_running and app.screen.search_box.value == "q"
        await pilot.press("escape", "q")
        await pilot.pause()
    assert not app.is_running


@pytest.mark.parametrize("key", ["question_mark", "f1"])
async def test_help_key_is_one_binding_that_toggles_on_every_screen(store, key):
    aid = store.add_articles([NewArticle("One", "Some text.")]).ids[0]
    app = _app(store)
    async with app.run_test(size=(100, 40)) as pilot:
        for screen_type in (LibraryScreen, ArticleScreen):
            if screen_type is ArticleScreen:
                app.open_article(aid)
                await pilot.pause()
            assert isinstance(app.screen, screen_type)
            await pilot.press(key)
            await pilot.pause()
            assert isinstance(app.screen, HelpScreen)
            await pilot.press(key)
            await pilot.pause()
            assert isinstance(app.screen, screen_type)
    # Bound in one place only: the app.
    assert not any("help" in str(b.action) for b in LibraryScreen.BINDINGS)
    assert not any("help" in str(b.action) for b in ArticleScreen.BINDINGS)


def test_counts_are_singular_for_one():
    assert counted(1, "span") == "1 span" and counted(2, "span") == "2 spans"
    assert counted(1_200, "article") == "1,200 articles"
    from datetime import datetime, timezone

    now = datetime(2026, 1, 1, 12, tzinfo=timezone.utc)
    totals = {"annotator": "ann", "started_at": "2026-01-01T11:00:00+00:00", "ended_at": None,
              "articles_done": 0, "spans_added": 1, "spans_removed": 0, "articles_touched": 1}
    line = session_line(totals, now).plain
    assert "· 1 span ·" in line  # (the rate keeps its unit, spans/h)


# -- global options after the command ---------------------------------------------------------


def test_global_options_work_after_the_command_and_every_help_has_examples(tmp_path):
    from click.testing import CliRunner

    from db import Store
    from reader.cli import main

    story = tmp_path / "story.txt"
    story.write_text("The harbour board met on Tuesday.\n", encoding="utf-8")
    work = tmp_path / "work.db"
    runner = CliRunner()
    result = runner.invoke(main, ["import", "--db", str(work), str(story)])
    assert result.exit_code == 0, result.output
    with Store.open(work) as opened:
        assert opened.count_articles() == 1
    listed = runner.invoke(main, ["list", "--db", str(work)])
    assert listed.exit_code == 0 and "harbour board" in listed.output
    labels = tmp_path / "labels.toml"
    labels.write_text('[[label]]\nname = "claim"\nkey = "c"\n', encoding="utf-8")
    shown = runner.invoke(main, ["labels", "--db", str(tmp_path / "other.db"), "--labels", str(labels)])
    assert shown.exit_code == 0 and "claim" in shown.output and str(labels) in shown.output
    # After the command wins over before it.
    both = runner.invoke(main, ["--db", str(tmp_path / "none.db"), "list", "--db", str(work)])
    assert "harbour board" in both.output
    for name, command in main.commands.items():
        text = runner.invoke(main, [name, "--help"]).output
        assert "Example" in text and f"reader {name}" in text, name
        assert "--db" in text, name


def test_validate_judges_labels_by_the_set_in_use_given_after_the_command(tmp_path):
    from click.testing import CliRunner

    from reader.cli import main

    task = tmp_path / "doccano.jsonl"
    task.write_text('{"text": "Somebody went home.", "label": [[0, 8, "person"]]}\n', encoding="utf-8")
    runner = CliRunner()
    db = str(tmp_path / "r.db")
    refused = runner.invoke(main, ["validate", "--db", db, str(task)])
    assert refused.exit_code == 1 and "unknown label 'person'" in refused.output
    labels = tmp_path / "labels.toml"
    labels.write_text('[[label]]\nname = "person"\nlayer = "entity"\n', encoding="utf-8")
    other = str(tmp_path / "other.db")
    ok = runner.invoke(main, ["validate", "--db", other, "--labels", str(labels), str(task)])
    assert ok.exit_code == 0, ok.output
    imported = runner.invoke(main, ["import", "--db", other, "--labels", str(labels), str(task)])
    assert imported.exit_code == 0 and "1 span imported" in imported.output
