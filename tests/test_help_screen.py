"""The help screen: every key of the screen below it, the label guidelines, and closing it."""

from __future__ import annotations

import io

import pytest
from rich.console import Console
from textual.app import App
from textual.binding import Binding

from db import Label, NewArticle, Store
from reader.screens.help import HelpScreen, binding_groups, node_bindings
from reader.app import ReaderApp
from reader.screens.library import LibraryScreen
from reader.widgets.hit_list import HitList
from reader.widgets.library_table import LibraryTable
from reader.widgets.search_box import SearchBox

pytestmark = pytest.mark.anyio
SIZE = (110, 90)


@pytest.fixture
def anyio_backend():
    return "asyncio"


class LibraryApp(App):
    # Help is the app's binding and action, as in ReaderApp.
    BINDINGS = [Binding("ctrl+e", "export", "Export spans"), *ReaderApp.BINDINGS]
    action_help = ReaderApp.action_help

    def __init__(self, store: Store):
        super().__init__()
        self.store = store
        self.annotator = "ann"
        self.session_id = store.start_session("ann")
        self.opened: list[int] = []

    def on_mount(self) -> None:
        self.push_screen(LibraryScreen())

    def open_article(self, article_id: int) -> None:
        self.opened.append(article_id)

    def action_next_unfinished(self) -> None:
        self.opened.append(-1)

    def action_export(self) -> None:
        pass


def screen_text(app) -> str:
    """What the terminal shows, as plain text."""
    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), record=True, legacy_windows=False)
    console.print(app.screen._compositor.render_update(full=True, screen_stack=app._background_screens))
    return console.export_text()


@pytest.fixture
def app(store):
    store.add_articles([NewArticle("One", "First text."), NewArticle("Two", "Second text.")])
    return LibraryApp(store)


async def test_question_mark_lists_every_binding_of_the_library(app):
    async with app.run_test(size=SIZE) as pilot:
        library = app.screen
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        text = screen_text(app)
        expected = [
            *LibraryScreen.BINDINGS,
            *LibraryTable.BINDINGS,
            *SearchBox.BINDINGS,
            *HitList.BINDINGS,
            *LibraryApp.BINDINGS,
        ]
        for binding in expected:
            assert binding.description in text, binding.description
        titles = [title for title, _rows in app.screen.groups]
        assert titles[:2] == ["Library", "Article list"]
        assert {"Search box", "Search results", "Everywhere"} <= set(titles)
        # Each key of a multi-key binding is listed, not only the first.
        rows = dict(dict(app.screen.groups)["Article list"])
        assert rows["↓ j"] == "Down"
        assert rows["end G"] == "Last article"
        assert library is not app.screen


async def test_labels_are_listed_with_key_layer_and_guideline(app):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f1")
        text = screen_text(app)
        for label in app.store.labels():
            line = next(line for line in text.splitlines() if f" {label.name} " in line)
            assert label.key in line and label.layer in line and label.description in line


@pytest.mark.parametrize("key", ["escape", "q", "question_mark", "f1"])
async def test_help_closes_on_escape_q_question_mark_and_f1(app, key):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press(key)
        assert isinstance(app.screen, LibraryScreen)


async def test_label_text_is_not_markup(tmp_path):
    store = Store.open(tmp_path / "h.db")
    store.set_labels(
        [
            Label("claim", "segment", "1", "#ff0000", "sentence", "Say [bold]why[/] \x1b[2J"),
            Label("odd", "segment", "2", "not-a-colour", "sentence", "Broken colour."),
        ]
    )
    app = LibraryApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        text = screen_text(app)
        assert "Say [bold]why[/] ␛[2J" in text
        assert "??" in text  # the swatch of a colour that does not parse
    store.close()


async def test_remapped_keys_show_as_remapped(app):
    async with app.run_test(size=SIZE) as pilot:
        app.set_keymap({"library.next-unfinished": "u"})
        await pilot.pause()
        rows = dict(dict(binding_groups(app.screen))["Library"])
        assert rows["u"] == "Next to do"
        await pilot.press("u")
        assert app.opened == [-1]


async def test_help_can_be_given_the_screen_instead_of_groups(app):
    async with app.run_test(size=SIZE) as pilot:
        library = app.screen
        app.push_screen(HelpScreen(library, []))
        await pilot.pause()
        assert app.screen.groups == binding_groups(library)
        assert "No labels are set up." in screen_text(app)


async def test_node_bindings_join_the_keys_of_one_action(app):
    async with app.run_test(size=SIZE):
        table = app.screen.query_one(LibraryTable)
        rows = node_bindings(table)
        assert ("home g", "First article") in rows
        assert len(rows) == len(LibraryTable.BINDINGS)
