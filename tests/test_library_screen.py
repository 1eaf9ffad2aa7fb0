"""The library screen driven through Pilot: opening, searching, filtering, sorting, returning."""

from __future__ import annotations

import asyncio
import hashlib
import time
from datetime import datetime, timedelta, timezone

import pytest
from rich.cells import cell_len
from textual.app import App
from textual.screen import Screen
from textual.widgets import Static

from db import NewArticle, Store
from reader.commands import ReaderCommands
from reader.screens.library import LibraryScreen
from reader.widgets.hit_list import HitList
from reader.widgets.library_table import LibraryTable, progress_bar
from reader.widgets.plain_text import fit, visible
from reader.widgets.session_header import SessionHeader, session_figures, session_line

SIZE = (110, 30)

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend():
    return "asyncio"


class ArticleStandIn(Screen):
    """What the app pushes for an article; here just something to return from."""

    def __init__(self, article_id: int):
        super().__init__()
        self.article_id = article_id


class LibraryApp(App):
    """The attributes and calls of the real app that the library uses, recorded."""

    COMMANDS = App.COMMANDS | {ReaderCommands}

    def __init__(self, store: Store, *, annotator: str = "ann", clock=None):
        super().__init__()
        self.store = store
        self.annotator = annotator
        self.session_id = store.start_session(annotator)
        self.opened: list[int] = []
        self.exported = 0
        self.clock = clock

    def on_mount(self) -> None:
        self.push_screen(LibraryScreen(clock=self.clock))

    def open_article(self, article_id: int) -> None:
        self.opened.append(article_id)
        self.push_screen(ArticleStandIn(article_id))

    def action_next_unfinished(self) -> None:
        next_id = self.store.next_unfinished(annotator=self.annotator)
        if next_id is not None:
            self.open_article(next_id)

    def action_export(self) -> None:
        self.exported += 1

    def action_toggle_span_list(self) -> None:
        pass


TITLES = [
    ("Council backs budget after long night", "Gazette", "The council voted on the budget at midnight."),
    ("Fraud trial ends in guilty verdict", "Courier", "The jury returned a verdict of guilty."),
    ("Hospital waiting lists grow again", "Herald", "Waiting lists at the hospital grew in spring."),
    ("Offshore wind auction draws bids", "Gazette", "Seven bids arrived for the wind auction."),
    ("Relegation fight goes to the wire", "Sport Daily", "The club's budget cannot cover relegation."),
    ("Chipmaker announces layoffs", "Tech Wire", "A chipmaker will cut four hundred jobs."),
    ("Rail freight corridor approved", "Courier", "The freight corridor was approved by ministers."),
    ("Budget row splits coalition", "Herald", "A row over the budget split the coalition."),
]


@pytest.fixture
def library(store):
    """A store with the eight articles above plus 22 numbered ones; some done, some started."""
    articles = [NewArticle(title, text, source=source) for title, source, text in TITLES]
    articles += [
        NewArticle(f"Filler story {i:02d}", f"Nothing much happened on day {i}.", source="Wire")
        for i in range(22)
    ]
    ids = store.add_articles(articles).ids
    for article_id in ids[3:6]:
        store.set_status(article_id, "done", annotator="ann")
    store.tag(ids[6], 0, 10, "fact", "ann")  # in progress now
    return store, list(ids)


async def settle(pilot, until=lambda: True, timeout: float = 3.0) -> None:
    """Let timers, workers and messages run until `until()` holds."""
    deadline = time.monotonic() + timeout
    await pilot.pause()
    while not until():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.02)
        await pilot.pause()


def table_of(app) -> LibraryTable:
    return app.screen.query_one(LibraryTable)


def visible_titles(table: LibraryTable) -> list[str]:
    return [table.row(i).title for i in range(table.total)]


async def test_enter_opens_the_article_under_the_cursor(library):
    store, ids = library
    app = LibraryApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("down", "j", "k", "j", "enter")
        assert app.opened == [ids[2]]


async def test_click_moves_the_cursor_and_a_second_click_opens(library):
    store, ids = library
    app = LibraryApp(store)
    async with app.run_test(size=SIZE) as pilot:
        table = table_of(app)
        # Content line 0 is the header, so line 4 is the fourth article.
        await pilot.click(LibraryTable, offset=(10, 4))
        assert table.cursor == 3
        assert app.opened == []
        await pilot.click(LibraryTable, offset=(10, 4))
        assert app.opened == [ids[3]]


async def test_search_as_you_type_shows_ranked_hits_and_opens_one(library):
    store, ids = library
    app = LibraryApp(store)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        await pilot.press("slash")
        assert screen.search_box.has_focus
        await pilot.press(*"budget")
        hits = screen.query_one(HitList)
        # Hits for a part of the word may show first, while the last search is still running.
        await settle(pilot, lambda: hits.display and screen.shown_query == "budget")
        titles = {hit.title for hit in hits.hits}
        assert titles == {TITLES[0][0], TITLES[4][0], TITLES[7][0]}
        assert not table_of(app).display
        # Matched words are marked within the snippet.
        for hit in hits.hits:
            assert any(hit.snippet[a:b].lower() == "budget" for a, b in hit.marks)
        # down moves the hit cursor from the search box; enter opens that hit.
        await pilot.press("down", "enter")
        assert app.opened == [hits.hits[1].article_id]


async def test_a_common_word_says_how_its_hits_were_ranked(store, monkeypatch):
    import db.search

    monkeypatch.setattr(db.search, "SEARCH_WINDOW", 55)
    store.add_articles([NewArticle(f"Day {i}", f"The council met on day {i}.") for i in range(60)])
    app = LibraryApp(store)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        await pilot.press("slash", *"council")
        await settle(pilot, lambda: screen.hits.display and screen.shown_query == "council")
        status = str(screen.query_one("#status", Static).render())
        assert "50+ hits for 'council', best first among the newest 55 articles" in status
        # A word in only a few articles is ranked over the whole library, and says nothing more.
        await pilot.press(*" day 7")
        await settle(pilot, lambda: screen.shown_query == "council day 7")
        status = str(screen.query_one("#status", Static).render())
        assert status.endswith("1 hit for 'council day 7', best first")


async def test_escape_leaves_the_search_for_the_full_list(library):
    store, ids = library
    app = LibraryApp(store)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        await pilot.press("down", "down", "slash", *"wind")
        await settle(pilot, lambda: screen.hits.display)
        await pilot.press("escape")
        assert screen.search_box.value == ""
        assert table_of(app).display and table_of(app).has_focus
        assert not screen.hits.display
        assert table_of(app).cursor == 2


async def test_a_query_the_index_rejects_shows_a_message_not_a_crash(library):
    store, _ = library
    app = LibraryApp(store)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        await pilot.press("slash", *'"unclosed')
        status = screen.query_one("#status", Static)
        await settle(pilot, lambda: screen.search_error is not None and screen.shown_query == '"unclosed')
        assert status.has_class("error")
        assert "unclosed" in str(status.render())
        assert screen.hits.hits == []
        # Fixing the query clears the message.
        await pilot.press("end", '"')
        await settle(pilot, lambda: screen.search_error is None and screen.hits.hits == [])
        assert not status.has_class("error")


async def test_typing_fast_runs_one_search(library):
    store, _ = library
    app = LibraryApp(store)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        box = screen.search_box
        box.focus()
        for prefix in ("c", "co", "cou", "coun", "counc"):
            box.value = prefix
        await settle(pilot, lambda: screen.hits.display)
        await pilot.pause(0.2)
        assert screen.searches_run == 1
        assert [hit.title for hit in screen.hits.hits] == [TITLES[0][0]]


async def test_filter_by_status_cycles_all_new_in_progress_done(library):
    store, ids = library
    app = LibraryApp(store)
    async with app.run_test(size=SIZE) as pilot:
        table = table_of(app)
        seen = []
        for _ in range(4):
            await pilot.press("t")
            statuses = {table.row(i).status for i in range(table.total)}
            seen.append((table.view.status, table.total, statuses))
        assert seen[0] == ("new", 26, {"new"})
        assert seen[1] == ("in_progress", 1, {"in_progress"})
        assert seen[2] == ("done", 3, {"done"})
        assert seen[3][:2] == (None, 30)
        status = app.screen.query_one("#status", Static)
        assert "showing all" in str(status.render())


async def test_sort_cycles_columns_and_reverses(library):
    store, ids = library
    app = LibraryApp(store)
    async with app.run_test(size=SIZE) as pilot:
        table = table_of(app)
        assert [table.row(i).id for i in range(table.total)] == sorted(ids)
        await pilot.press("s")
        assert table.view.sort == "title"
        titles = visible_titles(table)
        assert titles == sorted(titles, key=str.casefold)
        await pilot.press("S")
        assert table.view.descending
        assert visible_titles(table) == titles[::-1]
        assert "sorted by title ↓" in str(app.screen.query_one("#status", Static).render())
        await pilot.press("s")  # source
        sources = [table.row(i).source for i in range(table.total)]
        assert sources == sorted(sources, key=str.casefold)


async def test_header_click_sorts_by_that_column(library):
    store, _ = library
    app = LibraryApp(store)
    async with app.run_test(size=SIZE) as pilot:
        table = table_of(app)
        # The words column sits just left of spans and progress at the right edge.
        width = table.scrollable_content_region.width
        await pilot.click(LibraryTable, offset=(width - 21, 0))
        assert table.view.sort == "words"
        await pilot.click(LibraryTable, offset=(width - 21, 0))
        assert table.view.descending


async def test_next_unfinished_opens_the_first_article_not_done(library):
    store, ids = library
    store.set_status(ids[0], "done", annotator="ann")
    app = LibraryApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        assert app.opened == [ids[1]]


async def test_returning_keeps_the_place_and_shows_new_counts(library):
    store, ids = library
    app = LibraryApp(store)
    async with app.run_test(size=(110, 12)) as pilot:
        table = table_of(app)
        for _ in range(15):
            await pilot.press("j")
        top = table.scroll_offset.y
        assert top > 0
        await pilot.press("enter")
        opened = app.opened[-1]
        assert opened == ids[15]
        assert table.row(15).spans == 0
        store.tag(opened, 0, 7, "fact", "ann", session_id=app.session_id)
        store.tag(opened, 8, 12, "opinion", "ann", session_id=app.session_id)
        app.pop_screen()
        await pilot.pause()
        assert table.cursor == 15
        assert table.scroll_offset.y == top
        row = table.row(15)
        assert (row.spans, row.own_spans, row.status) == (2, 2, "in_progress")
        assert row.progress > 0
        header = app.screen.query_one(SessionHeader)
        assert "2 spans" in str(header.render())


async def test_session_header_shows_the_session_totals(library):
    store, ids = library
    clock_offset = timedelta(hours=2)
    app = LibraryApp(store, clock=lambda: datetime.now(timezone.utc) + clock_offset)
    for i in range(4):
        store.tag(ids[10], i * 3, i * 3 + 2, "fact", "ann", session_id=app.session_id)
    store.set_status(ids[10], "done", annotator="ann", session_id=app.session_id)
    async with app.run_test(size=SIZE):
        text = str(app.screen.query_one(SessionHeader).render())
        assert "1 done" in text
        assert "4 spans" in text
        assert "2h 00m" in text
        assert "2 spans/h" in text


def test_session_figures_from_totals():
    start = datetime(2024, 5, 1, 9, 0, tzinfo=timezone.utc)
    totals = {
        "annotator": "ann",
        "started_at": start.isoformat(),
        "ended_at": None,
        "articles_done": 3,
        "spans_added": 45,
        "spans_removed": 5,
        "articles_touched": 4,
    }
    figures = session_figures(totals, start + timedelta(minutes=90))
    assert figures["rate"] == pytest.approx(30.0)
    assert figures["done"] == 3 and figures["spans"] == 45
    line = session_line(totals, start + timedelta(minutes=90)).plain
    assert "1h 30m" in line and "30 spans/h" in line and "5 removed" in line
    # Under a minute the pace is not shown.
    assert session_figures(totals, start + timedelta(seconds=20))["rate"] is None
    assert "— spans/h" in session_line(totals, start + timedelta(seconds=20)).plain


async def test_new_articles_appear_on_refresh_and_by_polling(library, monkeypatch):
    store, ids = library
    app = LibraryApp(store)
    monkeypatch.setattr(LibraryScreen, "POLL_SECONDS", 0.05)
    async with app.run_test(size=SIZE) as pilot:
        table = table_of(app)
        assert table.total == 30
        # Another process writes to the same database.
        other = Store.open(store.path)
        other.add_articles([NewArticle("Late arrival", "Written while the library was open.")])
        await settle(pilot, lambda: table.total == 31)
        assert table.row(30).title == "Late arrival"
        other.add_articles([NewArticle("Second arrival", "Another one.")])
        other.close()
        await pilot.press("r")
        assert table.total == 32


async def test_untrusted_titles_are_drawn_as_plain_text(store):
    hostile = "[bold]x[/] \x1b]0;pwn\x07 [@click=app.quit]y[/]"
    store.add_articles([NewArticle(hostile, "Body text.", source="\x1b[31mred")])
    app = LibraryApp(store)
    async with app.run_test(size=SIZE):
        table = table_of(app)
        line = table.render_line(1)
        text = line.text
        assert "[bold]x[/]" in text
        assert "␛]0;pwn␇" in text
        assert "[@click=app.quit]y[/]" in text
        assert "\x1b" not in text and "\x07" not in text
        assert "␛[31mred" in text
        assert not any(segment.style and segment.style.meta for segment in line)


def test_fit_cuts_by_cell_width_with_an_ellipsis():
    assert fit("short", 8) == "short   "
    cut = fit("日本語のタイトルです", 9)
    assert cell_len(cut) == 9 and cut.endswith("…")
    assert fit("abcdef", 4) == "abc…"
    assert visible("a\x1bb\nc\u202ed") == "a␛b␤c⇆d"  # the same stand-ins as the reading pane
    assert progress_bar(0.5, 4) == "██··"
    assert progress_bar(1.0, 3) == "███"


async def test_wide_titles_keep_the_columns_in_line(store):
    store.add_articles(
        [
            NewArticle("東京都議会が新しい予算案を可決しました" * 3, "本文です。", source="新聞"),
            NewArticle("Plain title", "Body."),
        ]
    )
    app = LibraryApp(store)
    async with app.run_test(size=SIZE):
        table = table_of(app)
        width = table.scrollable_content_region.width
        lines = [table.render_line(y) for y in range(3)]
        assert all(line.cell_length == width for line in lines)
        assert "…" in lines[1].text
        # The words column ends at the same cell on both rows.
        ends = [cell_len(line.text.rstrip()) for line in lines[1:]]
        assert ends[0] == ends[1]


async def test_command_palette_opens_an_article_by_title(library):
    store, ids = library
    app = LibraryApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p")
        await pilot.press(*"chipmaker")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await settle(pilot, lambda: app.opened)
        assert app.opened == [ids[5]]


def make_big_library(path, count: int) -> Store:
    """`count` short articles written straight into the table in one transaction."""
    store = Store.open(path)
    stamp = "2024-01-01T00:00:00+00:00"
    statuses = ("new", "in_progress", "done")
    rows = []
    for i in range(count):
        text = f"Article number {i} about topic {i % 97} and place {i % 13}."
        rows.append(
            (
                f"Story {i:06d}",
                f"source {i % 11}",
                text,
                hashlib.sha256(text.encode()).hexdigest(),
                stamp,
                statuses[i % 3],
                len(text.split()),
                len(text),
            )
        )
    with store.conn:
        store.conn.executemany(
            "INSERT INTO articles (title, source, text, sha256, imported_at, status, words, chars) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
    return store


async def check_big_library(path, count: int) -> dict:
    store = make_big_library(path, count)
    app = LibraryApp(store)
    started = time.perf_counter()
    async with app.run_test(size=SIZE) as pilot:
        table = table_of(app)
        first_paint = time.perf_counter() - started
        assert table.total == count
        assert table.row(0).title == "Story 000000"
        assert table.pages_fetched <= 2
        await pilot.press("G")
        assert table.cursor == count - 1
        assert table.scroll_offset.y == count + 1 - table.scrollable_content_region.height
        assert table.render_line(table.scrollable_content_region.height - 1).text.find(
            f"Story {count - 1:06d}"
        ) > 0
        await pilot.press("k", "k", "pageup")
        await pilot.press("g")
        assert table.cursor == 0 and table.scroll_offset.y == 0
        assert f"Story {0:06d}" in table.render_line(1).text
        # Only the pages on screen were ever read: first, last, and first again at most.
        assert table.pages_fetched <= 4
        cpu = time.process_time()
        presses = 40
        for _ in range(presses):
            await pilot.press("j")
        per_key = (time.process_time() - cpu) / presses
    store.close()
    return {"first_paint": first_paint, "cpu_per_key": per_key}


async def test_twenty_thousand_articles_scroll_to_the_end_and_back(tmp_path):
    await check_big_library(tmp_path / "big.db", 20_000)


@pytest.mark.slow
async def test_hundred_thousand_articles(tmp_path):
    figures = await check_big_library(tmp_path / "big.db", 100_000)
    print(f"\n100k: first paint {figures['first_paint'] * 1000:.0f} ms, "
          f"CPU per keypress {figures['cpu_per_key'] * 1000:.1f} ms")
    assert figures["first_paint"] < 3.0


async def test_command_palette_runs_the_app_commands(library):
    store, _ = library
    app = LibraryApp(store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p", *"export")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(pilot, lambda: app.exported == 1)
        await pilot.press("ctrl+p", *"search a")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(pilot, lambda: isinstance(app.screen, LibraryScreen))
        await settle(pilot, lambda: app.screen.search_box.has_focus)


async def test_command_palette_titles_are_not_markup(store):
    store.add_articles([NewArticle("[red]Alert[/red] [@click=app.quit]here[/]", "Body.")])
    app = LibraryApp(store)
    async with app.run_test(size=SIZE):
        provider = ReaderCommands(app.screen)
        await provider.startup()
        hits = [hit async for hit in provider.search("alert")]
        opens = [hit for hit in hits if hit.text.startswith("Open: ")]
        assert opens and opens[0].text == "Open: [red]Alert[/red] [@click=app.quit]here[/]"
        assert opens[0].prompt.plain == opens[0].text
        opens[0].command()
        assert app.opened == [1]


async def test_a_narrow_terminal_drops_the_source_and_still_fits(library):
    store, _ = library
    app = LibraryApp(store)
    async with app.run_test(size=(60, 20)):
        table = table_of(app)
        width = table.scrollable_content_region.width
        lines = [table.render_line(y) for y in range(5)]
        assert all(line.cell_length == width for line in lines)
        assert "source" not in lines[0].text
        assert "Gazette" not in lines[1].text
        assert lines[1].text.startswith(" ○ Council")


async def test_the_real_app_starts_on_the_library_and_returns_to_fresh_counts(library):
    from reader.app import ReaderApp
    from reader.config import Settings

    store, ids = library
    app = ReaderApp(store, annotator="ann", settings=Settings(), save_settings=False)
    async with app.run_test(size=SIZE) as pilot:
        assert isinstance(app.screen, LibraryScreen)
        assert table_of(app).row(0).own_spans == 0
        await pilot.press("enter")
        assert app.screen.article_id == ids[0]
        await pilot.press("1", "q")
        await settle(pilot, lambda: isinstance(app.screen, LibraryScreen))
        # The first return already reloads the list: the new span is counted.
        assert table_of(app).row(0).own_spans == 1
        # The same key on the same (one-sentence) text removes the tag again.
        await pilot.press("enter", "1", "q")
        await settle(pilot, lambda: isinstance(app.screen, LibraryScreen))
        assert table_of(app).row(0).own_spans == 0
