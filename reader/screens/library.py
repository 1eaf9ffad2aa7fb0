"""The library: every article with its status and progress, search as you type, session totals.

Keys (see also the help screen, `?`):
    enter       open the article under the cursor (or the chosen search hit)
    / escape    into the search box / back to the full list
    n           open the next article that still needs work
    s S         sort by the next column / reverse the order
    t           show all, new, in progress or done articles (your own status)
    a           only the articles assigned to you, or all again
    i           statistics: progress, pace, labels and agreement per annotator
    r F5        look for new articles now (the list also checks every 2 seconds)

Full-text search runs in a worker thread on a second connection to the same database, so a
query that matches much of a large library (a one-letter prefix can take over a second) never
blocks typing; a newer query interrupts the one still running.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime, timezone

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Input, Static

import db

from .context import UsesContext
from ..text.plural import counted
from ..widgets.hit_list import HitList
from ..widgets.library_table import LibraryTable, View
from ..widgets.plain_text import visible
from ..widgets.search_box import SearchBox
from ..widgets.session_header import SessionHeader


class LibraryScreen(UsesContext, Screen):
    """All articles, a search box, and the session's totals."""

    CSS_PATH = "library.tcss"
    AUTO_FOCUS = "LibraryTable"
    HELP_GROUP = "Library"

    BINDINGS = [
        Binding("slash", "search", "Search", show=True, id="library.search"),
        Binding("n", "app.next_unfinished", "Next to do", show=True, id="library.next-unfinished"),
        Binding("r,f5", "refresh", "Refresh", show=False, id="library.refresh"),
        Binding("R", "app.review", "Review", show=True, id="library.review"),
        Binding("i", "statistics", "Statistics", show=False, id="library.statistics"),
        # ? and F1 are the app's own binding, the same on every screen.
        Binding("q", "app.quit", "Quit", show=True, id="library.quit"),
        Binding("escape", "leave_search", "Back to the list", show=False, id="library.leave-search"),
    ]

    POLL_SECONDS = 2.0
    SESSION_SECONDS = 30.0
    DEBOUNCE_SECONDS = 0.1
    HIT_LIMIT = 50

    def __init__(
        self,
        *,
        clock: Callable[[], datetime] | None = None,
        name: str | None = None,
        id: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id)
        self.clock = clock or (lambda: datetime.now(timezone.utc))
        self.query_text = ""
        self.search_error: str | None = None
        # What the hits on screen answer (typing may have moved on) and how they were ranked.
        self.shown_query = ""
        self.ranked_within: int | None = None
        self.searches_run = 0
        self._generation = 0
        self._debounce: Timer | None = None
        self._search_lock = threading.Lock()
        self._search_store: db.Store | None = None
        self._library_stamp: tuple[int, int] | None = None
        self._shown_once = False
        self._closed = False

    def compose(self) -> ComposeResult:
        yield SessionHeader(id="session")
        yield SearchBox(id="search")
        yield Static(id="status", markup=False)
        yield LibraryTable(self._fetch, self._count, id="articles")
        yield HitList(id="hits")
        yield Footer()

    @property
    def table(self) -> LibraryTable:
        return self.query_one("#articles", LibraryTable)

    @property
    def hits(self) -> HitList:
        return self.query_one("#hits", HitList)

    @property
    def search_box(self) -> SearchBox:
        return self.query_one("#search", SearchBox)

    # -- the Store, for the table ----------------------------------------------------------

    def _fetch(self, view: View, offset: int, limit: int) -> list[db.ArticleRow]:
        return self.ctx.store.list_articles(
            annotator=self.ctx.annotator,
            status=view.status,
            assigned=view.assigned,
            sort=view.sort,
            descending=view.descending,
            limit=limit,
            offset=offset,
        )

    def _count(self, view: View) -> int:
        return self.ctx.store.count_articles(
            status=view.status, annotator=self.ctx.annotator, assigned=view.assigned
        )

    # -- life cycle ------------------------------------------------------------------------

    def on_mount(self) -> None:
        self.hits.display = False
        self._library_stamp = self._stamp()
        self._show_session()
        self.set_interval(self.POLL_SECONDS, self._poll)
        self.set_interval(self.SESSION_SECONDS, self._show_session)

    def on_unmount(self) -> None:
        self._closed = True
        if self._search_store is not None:
            self._search_store.interrupt()
            with self._search_lock:
                self._search_store.close()
            self._search_store = None

    def on_screen_resume(self) -> None:
        # Back from an article: same place in the list, fresh counts.
        if self._shown_once:
            self.action_refresh()
        self._shown_once = True

    def _stamp(self) -> tuple[int, int]:
        store = self.ctx.store
        return store.max_article_id(), store.count_articles()

    def _poll(self) -> None:
        """Pick up articles another process added (or removed) since the last look."""
        if not self.is_current:
            return
        stamp = self._stamp()
        if stamp != self._library_stamp:
            self._library_stamp = stamp
            self.table.reload()

    def _show_session(self) -> None:
        try:
            totals = self.ctx.store.session_totals(self.ctx.session_id)
        except db.StoreError:
            return
        self.query_one(SessionHeader).show(totals, self.clock())

    # -- actions ---------------------------------------------------------------------------

    def action_search(self) -> None:
        self.search_box.focus()

    def action_refresh(self) -> None:
        self._library_stamp = self._stamp()
        self.table.reload()
        self._show_session()
        if self.query_text:
            self._start_search()

    def action_statistics(self) -> None:
        from .stats import StatsScreen

        self.app.push_screen(StatsScreen())

    def action_leave_search(self) -> None:
        if self.query_text or self.search_box.has_focus:
            self.search_box.value = ""
            self._set_query("")
            self.table.focus()

    # -- the list --------------------------------------------------------------------------

    @on(LibraryTable.Chosen)
    @on(HitList.Chosen)
    def _open(self, event: LibraryTable.Chosen | HitList.Chosen) -> None:
        event.stop()
        self.ctx.open_article(event.article_id)

    @on(LibraryTable.ViewChanged)
    def _view_changed(self, event: LibraryTable.ViewChanged) -> None:
        if not self.query_text:
            self._show_status()

    def _show_status(self) -> None:
        status = self.query_one("#status", Static)
        status.remove_class("error")
        if self.search_error:
            status.add_class("error")
            status.update(Text(visible(self.search_error)))
        elif self.query_text:
            count = len(self.hits.hits)
            more = "+" if count >= self.HIT_LIMIT else ""
            noun = "hit" if count == 1 and not more else "hits"
            line = f"{count}{more} {noun} for {visible(self.shown_query)!r}, best first"
            within = self.ranked_within
            if within:
                # A common word: Store.search ranked only the newest articles; say so.
                line += f" among the newest {within:,} articles"
            status.update(Text(line))
        else:
            table = self.table
            status.update(Text(f"{counted(table.total, 'article')} · {table.view.describe()}"))

    # -- search ----------------------------------------------------------------------------

    @on(Input.Changed, "#search")
    def _typed(self, event: Input.Changed) -> None:
        self._set_query(event.value)

    @on(Input.Submitted, "#search")
    def _submitted(self, event: Input.Submitted) -> None:
        if self.query_text and self.hits.current is not None:
            self.hits.action_open()
        elif not self.query_text:
            self.table.focus()

    @on(SearchBox.Cancelled)
    def _cancelled(self) -> None:
        self.action_leave_search()

    @on(SearchBox.Move)
    def _move_hit(self, event: SearchBox.Move) -> None:
        if self.query_text:
            self.hits.move_cursor(self.hits.cursor + event.delta)
        else:
            self.table.move_cursor(self.table.cursor + event.delta)

    def _set_query(self, value: str) -> None:
        if self._debounce is not None:
            self._debounce.stop()
            self._debounce = None
        self.query_text = value.strip()
        if not self.query_text:
            self._generation += 1  # drop the answer of any search still running
            self.search_error = None
            self.hits.show([])
            self.hits.display = False
            self.table.display = True
            self._show_status()
            return
        # Wait for a pause in the typing, so each keypress does not cost a query.
        self._debounce = self.set_timer(self.DEBOUNCE_SECONDS, self._start_search)

    def _start_search(self) -> None:
        self._debounce = None
        self._generation += 1
        if self._search_store is not None:
            # Stop a slow query still running for older input; its answer would be dropped.
            self._search_store.interrupt()
        self._search(self.query_text, self._generation)

    @work(thread=True, exclusive=True, group="search", exit_on_error=False)
    def _search(self, query: str, generation: int) -> None:
        with self._search_lock:
            if generation != self._generation or self._closed:
                return
            try:
                hits, error = self._searcher().search(query, limit=self.HIT_LIMIT), None
            except db.QueryError as exc:
                hits, error = db.SearchHits(), str(exc)
            self.searches_run += 1
        if generation == self._generation and self.is_attached:
            self.app.call_from_thread(self._show_hits, generation, query, hits, error)

    def _searcher(self) -> db.Store:
        """A second connection for the search thread; the app's own stays with the app."""
        if self._search_store is None:
            path = self.ctx.store.path
            if not path or path == ":memory:":
                # Nothing to share a connection with: search on the app's (tests only).
                return self.ctx.store
            self._search_store = db.Store.open(path, backup=False)
        return self._search_store

    def _show_hits(
        self, generation: int, query: str, hits: db.SearchHits, error: str | None
    ) -> None:
        if generation != self._generation or not self.query_text:
            return
        self.search_error = error
        self.shown_query, self.ranked_within = query, hits.within
        self.hits.show(hits)
        self.table.display = False
        self.hits.display = True
        self._show_status()
