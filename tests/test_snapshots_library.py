"""Snapshots of the library, its search results and the help screen, at a fixed terminal size.

Update them after a deliberate change with `pytest tests/test_snapshots_library.py --snapshot-update`
and look at the SVGs before committing.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from textual.app import App

from db import NewArticle, Store
from reader.app import ReaderApp
from reader.screens.library import LibraryScreen
from reader.widgets.session_header import parse_time

SIZE = (100, 28)

ARTICLES = [
    ("Council backs budget after long night", "Gazette", "The council voted on the budget at midnight."),
    ("Fraud trial ends in guilty verdict", "Courier", "The jury returned a verdict of guilty."),
    ("Hospital waiting lists grow again", "Herald", "Waiting lists at the hospital grew in spring."),
    ("Offshore wind auction draws bids", "Gazette", "Seven bids arrived for the wind auction."),
    ("Relegation fight goes to the wire", "Sport Daily", "The club's budget cannot cover relegation."),
    ("東京都議会が新しい予算案を可決しました、審議は深夜まで続いた", "新聞", "予算案は可決された。"),
    ("[bold]Not bold[/] \x1b]0;title\x07 and a very long headline that will not fit", None, "Text."),
    ("Budget row splits coalition", "Herald", "A row over the budget split the coalition."),
]


class LibraryApp(App):
    # Help is the app's binding and action, as in ReaderApp.
    BINDINGS = ReaderApp.BINDINGS
    action_help = ReaderApp.action_help

    def __init__(self, store: Store):
        super().__init__()
        self.store = store
        self.annotator = "ann"
        self.session_id = store.start_session("ann")
        started = parse_time(store.session_totals(self.session_id)["started_at"])
        # A fixed moment, so the time spent reads the same on every run.
        self.clock = lambda: started + timedelta(minutes=75)

    def on_mount(self) -> None:
        self.push_screen(LibraryScreen(clock=self.clock))

    def open_article(self, article_id: int) -> None:
        pass

    def action_next_unfinished(self) -> None:
        pass


def make_app(store: Store) -> LibraryApp:
    ids = store.add_articles([NewArticle(t, x, source=s) for t, s, x in ARTICLES]).ids
    app = LibraryApp(store)
    store.set_status(ids[1], "done", annotator="ann", session_id=app.session_id)
    store.tag(ids[2], 0, 20, "fact", "ann", session_id=app.session_id)
    store.tag(ids[2], 21, 30, "opinion", "ann", session_id=app.session_id)
    store.tag(ids[4], 0, 8, "fact", "someone else")
    return app


def test_library_snapshot(store, snap_compare):
    assert snap_compare(make_app(store), press=["j", "j"], terminal_size=SIZE)


def test_library_filtered_and_sorted_snapshot(store, snap_compare):
    assert snap_compare(make_app(store), press=["t", "s", "S"], terminal_size=SIZE)


def test_search_results_snapshot(store, snap_compare):
    async def search(pilot):
        screen = pilot.app.screen
        screen.search_box.cursor_blink = False
        await pilot.press("slash", *"budget")
        for _ in range(100):
            if screen.hits.display and screen.hits.hits:
                break
            await asyncio.sleep(0.02)
        await pilot.pause()

    assert snap_compare(make_app(store), run_before=search, terminal_size=SIZE)


def test_help_snapshot(store, snap_compare):
    assert snap_compare(make_app(store), press=["question_mark"], terminal_size=(100, 50))
