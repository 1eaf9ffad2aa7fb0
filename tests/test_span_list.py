"""The span list on its own: rows change in place, and what is on screen follows."""

import io
import re

import pytest
from rich.console import Console
from textual.app import App

from db import Label, Span
from reader.widgets.span_list import SpanList

pytestmark = pytest.mark.anyio

LABELS = {"fact": Label("fact", "segment", colour="#336699")}


@pytest.fixture
def anyio_backend():
    return "asyncio"


def span(i: int) -> Span:
    return Span(i, 1, 10 * i, 10 * i + 6, "fact", "ann")


class ListApp(App):
    def compose(self):
        yield SpanList()


def screen_text(app) -> str:
    """What the terminal shows: the compositor's lines, from each widget's cache of lines (a row
    that was never marked for repainting keeps what it showed before)."""
    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), record=True, legacy_windows=False)
    console.print(app.screen._compositor.render_update(full=True, screen_stack=app._background_screens))
    return console.export_text()


async def test_rows_added_while_the_list_is_scrolled_reach_the_screen():
    text = "".join(f"row{i:03d}    " for i in range(200))
    app = ListApp()
    async with app.run_test(size=(40, 12)) as pilot:
        spans_list = app.query_one(SpanList)
        spans_list.show_spans(text, [span(i) for i in range(0, 200, 2)], LABELS)
        await pilot.pause()
        spans_list.scroll_to(y=30, animate=False)
        await pilot.pause()
        assert "row060" in screen_text(app)
        # A new row inside the visible part moves every row below it down by one.
        spans_list.update_spans(added=[span(63)])
        await pilot.pause()
        shown = screen_text(app)
        assert "row063" in shown
        rows = re.findall(r"row\d{3}", shown)
        assert rows[:5] == ["row060", "row062", "row063", "row064", "row066"]
        assert len(rows) == len(set(rows))  # no row left behind where it was


async def test_a_row_relabelled_while_the_list_is_scrolled_is_repainted():
    text = "".join(f"row{i:03d}    " for i in range(200))
    labels = LABELS | {"opinion": Label("opinion", "segment", colour="#993366")}
    app = ListApp()
    async with app.run_test(size=(40, 12)) as pilot:
        spans_list = app.query_one(SpanList)
        spans_list.show_spans(text, [span(i) for i in range(0, 200, 2)], labels)
        await pilot.pause()
        spans_list.scroll_to(y=30, animate=False)
        await pilot.pause()
        assert "fact  row064" in screen_text(app)
        # Same number of rows, so nothing but the changed rows asks for a repaint.
        spans_list.update_spans(removed=[span(64)], added=[span(64)._replace(id=1000, label="opinion")])
        await pilot.pause()
        shown = screen_text(app)
        assert "opinion  row064" in shown and "fact  row064" not in shown
