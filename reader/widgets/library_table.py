"""The list of articles: a Line-API view that loads rows page by page as they scroll into view.

A `DataTable` builds every row up front, which is far too slow with 100,000 articles. This widget
asks its data source only for the count and for the pages of rows that are on screen, keeps a few
pages and rendered lines in small caches, and repaints only the rows that change when the cursor
moves. It knows nothing of SQL: the screen hands it two callables over the Store.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from db.models import STATUSES
from db import ArticleRow

from .plain_text import fit, fit_right, visible

SORTS = ("id", "title", "source", "words", "spans", "progress", "status")
STATUS_FILTERS: tuple[str | None, ...] = (None, *STATUSES)
STATUS_NAMES = {None: "all", "new": "new", "in_progress": "in progress", "done": "done"}
STATUS_SYMBOLS = {"new": "○", "in_progress": "◐", "done": "●"}
SORT_NAMES = {
    "id": "added",
    "title": "title",
    "source": "source",
    "words": "words",
    "spans": "spans",
    "progress": "my progress",
    "status": "status",
}

PAGE_SIZE = 64  # rows read at a time: a screenful or two, so a cold first page is a few ms
MAX_PAGES = 16
MAX_STRIPS = 512
BAR_CELLS = 5


@dataclass(frozen=True)
class View:
    """Which articles the list shows and in what order."""

    sort: str = "id"
    descending: bool = False
    status: str | None = None
    assigned: bool = False  # only the articles assigned to the annotator

    def describe(self) -> str:
        arrow = "↓" if self.descending else "↑"
        mine = " assigned to me" if self.assigned else ""
        return (
            f"showing {STATUS_NAMES[self.status]}{mine} · "
            f"sorted by {SORT_NAMES[self.sort]} {arrow}"
        )


# fetch(view, offset, limit) -> rows; count(view) -> number of rows
Fetch = Callable[[View, int, int], list[ArticleRow]]
Count = Callable[[View], int]


@dataclass(frozen=True)
class Column:
    name: str  # a sort key, so a click on the header sorts by it
    title: str
    width: int
    right: bool = False


@lru_cache(maxsize=16)
def layout(width: int) -> tuple[Column, ...]:
    """The columns for a view `width` cells wide; the title takes what the others leave."""
    wide = width >= 100
    fixed = [
        Column("status", "status", 13 if wide else 1),
        Column("title", "title", 0),
        Column("source", "source", 18 if wide else 12),
        Column("words", "words", 7, right=True),
        Column("spans", "spans", 6, right=True),
        Column("progress", "mine", BAR_CELLS + 5),
    ]
    if width < 70:
        fixed = [c for c in fixed if c.name != "source"]
    gaps = len(fixed) + 1  # one space before each column and at the right edge
    title_width = max(8, width - gaps - sum(c.width for c in fixed))
    return tuple(replace(c, width=title_width) if c.name == "title" else c for c in fixed)


def progress_bar(progress: float, cells: int = BAR_CELLS) -> str:
    """A bar of `cells` cells in eighths, for a fraction between 0 and 1."""
    eighths = round(max(0.0, min(1.0, progress)) * cells * 8)
    full, part = divmod(eighths, 8)
    bar = "█" * full + (" ▏▎▍▌▋▊▉"[part] if part else "")
    return bar.ljust(cells, "·")


class LibraryTable(ScrollView, can_focus=True, inherit_bindings=False):
    """Every article, one per line, with a header line that stays put."""

    HELP_GROUP = "Article list"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open", "Open", show=True, id="library.open"),
        Binding("down,j", "cursor_down", "Down", show=False, id="library.down"),
        Binding("up,k", "cursor_up", "Up", show=False, id="library.up"),
        Binding("pagedown,ctrl+f,space", "page_down", "Page down", show=False, id="library.page-down"),
        Binding("pageup,ctrl+b", "page_up", "Page up", show=False, id="library.page-up"),
        Binding("home,g", "first", "First article", show=False, id="library.first"),
        Binding("end,G", "last", "Last article", show=False, id="library.last"),
        Binding("s", "cycle_sort", "Sort", show=True, id="library.sort"),
        Binding("S", "reverse_sort", "Reverse sort", show=False, id="library.reverse-sort"),
        Binding("t", "cycle_status", "Filter", show=True, id="library.filter"),
        Binding("a", "toggle_assigned", "Assigned to me", show=False, id="library.assigned"),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "library-table--header",
        "library-table--cursor",
        "library-table--dim",
        "library-table--new",
        "library-table--in_progress",
        "library-table--done",
        "library-table--bar",
    }

    DEFAULT_CSS = """
    LibraryTable {
        height: 1fr;
        overflow-x: hidden;
        overflow-y: auto;
        background: $surface;
        color: $foreground;
        & > .library-table--header { text-style: bold; background: $panel; color: $foreground; }
        & > .library-table--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
        &:focus > .library-table--cursor {
            background: $block-cursor-background;
            color: $block-cursor-foreground;
            text-style: $block-cursor-text-style;
        }
        & > .library-table--dim { color: $text-muted; }
        & > .library-table--new { color: $text-muted; }
        & > .library-table--in_progress { color: $warning; }
        & > .library-table--done { color: $success; }
        & > .library-table--bar { color: $accent; }
    }
    """

    @dataclass
    class Chosen(Message):
        """The reader chose an article to open."""

        article_id: int

    class ViewChanged(Message):
        """The sort order, the filter or the number of rows changed."""

        def __init__(self, view: View, total: int) -> None:
            self.view = view
            self.total = total
            super().__init__()

    def __init__(
        self,
        fetch: Fetch,
        count: Count,
        *,
        view: View = View(),
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._fetch = fetch
        self._count = count
        self.view = view
        self.total = 0
        self.cursor = 0
        self.pages_fetched = 0
        self._pages: OrderedDict[int, list[ArticleRow]] = OrderedDict()
        self._strips: OrderedDict[tuple, Strip] = OrderedDict()
        self._palette: dict[str, Style] = {}

    # -- data ------------------------------------------------------------------------------

    def on_mount(self) -> None:
        self.reload()

    def reload(self) -> None:
        """Forget cached rows and count again, keeping the cursor and scroll where they are."""
        self._pages.clear()
        self._strips.clear()
        self.total = self._count(self.view)
        self.virtual_size = Size(self.size.width, self.total + 1)
        self.cursor = max(0, min(self.cursor, self.total - 1))
        self.refresh()
        self.post_message(self.ViewChanged(self.view, self.total))

    def set_view(self, view: View) -> None:
        """Show another sort order or filter, from the top."""
        self.view = view
        self.cursor = 0
        self.scroll_to(y=0, animate=False)
        self.reload()

    def row(self, index: int) -> ArticleRow | None:
        """The article at `index` in the current order, loading its page if need be."""
        if not 0 <= index < self.total:
            return None
        page_number, within = divmod(index, PAGE_SIZE)
        page = self._pages.get(page_number)
        if page is None:
            page = self._fetch(self.view, page_number * PAGE_SIZE, PAGE_SIZE)
            self.pages_fetched += 1
            self._pages[page_number] = page
            if len(self._pages) > MAX_PAGES:
                self._pages.popitem(last=False)
        else:
            self._pages.move_to_end(page_number)
        return page[within] if within < len(page) else None

    @property
    def current(self) -> ArticleRow | None:
        """The article under the cursor."""
        return self.row(self.cursor)

    # -- cursor ----------------------------------------------------------------------------

    @property
    def page_rows(self) -> int:
        """How many article rows fit under the header."""
        return max(1, self.scrollable_content_region.height - 1)

    def move_cursor(self, index: int) -> None:
        """Put the cursor on row `index` (clamped) and scroll it into view."""
        if self.total == 0:
            return
        index = max(0, min(index, self.total - 1))
        old, self.cursor = self.cursor, index
        self.refresh_line(old + 1)
        self.refresh_line(index + 1)
        top = round(self.scroll_offset.y)
        if index < top:
            self.scroll_to(y=index, animate=False)
        elif index >= top + self.page_rows:
            self.scroll_to(y=index - self.page_rows + 1, animate=False)

    def action_cursor_down(self) -> None:
        self.move_cursor(self.cursor + 1)

    def action_cursor_up(self) -> None:
        self.move_cursor(self.cursor - 1)

    def action_page_down(self) -> None:
        step = max(1, self.page_rows - 1)
        self.scroll_to(y=round(self.scroll_offset.y) + step, animate=False)
        self.move_cursor(self.cursor + step)

    def action_page_up(self) -> None:
        step = max(1, self.page_rows - 1)
        self.scroll_to(y=max(0, round(self.scroll_offset.y) - step), animate=False)
        self.move_cursor(self.cursor - step)

    def action_first(self) -> None:
        self.move_cursor(0)

    def action_last(self) -> None:
        self.move_cursor(self.total - 1)

    def action_open(self) -> None:
        row = self.current
        if row is not None:
            self.post_message(self.Chosen(row.id))

    def action_cycle_sort(self) -> None:
        following = SORTS[(SORTS.index(self.view.sort) + 1) % len(SORTS)]
        self.set_view(replace(self.view, sort=following, descending=False))

    def action_reverse_sort(self) -> None:
        self.set_view(replace(self.view, descending=not self.view.descending))

    def action_cycle_status(self) -> None:
        following = STATUS_FILTERS[(STATUS_FILTERS.index(self.view.status) + 1) % len(STATUS_FILTERS)]
        self.set_view(replace(self.view, status=following))

    def action_toggle_assigned(self) -> None:
        self.set_view(replace(self.view, assigned=not self.view.assigned))

    # -- mouse -----------------------------------------------------------------------------

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        if offset.y == 0:
            self._click_header(offset.x)
            return
        index = round(self.scroll_offset.y) + offset.y - 1
        if index >= self.total:
            return
        # A click on the row already under the cursor opens it; so does a double click, whose
        # first click has just put the cursor there.
        if index == self.cursor:
            self.action_open()
        else:
            self.move_cursor(index)

    def _click_header(self, x: int) -> None:
        left = 1
        for column in layout(self.scrollable_content_region.width):
            if left <= x < left + column.width:
                if column.name == self.view.sort:
                    self.action_reverse_sort()
                else:
                    self.set_view(replace(self.view, sort=column.name, descending=False))
                return
            left += column.width + 1

    # -- drawing ---------------------------------------------------------------------------

    def notify_style_update(self) -> None:
        # Theme or focus changed: colours must be looked up again.
        self._strips.clear()
        self._palette.clear()
        super().notify_style_update()

    def on_resize(self) -> None:
        self._strips.clear()
        self.virtual_size = Size(self.size.width, self.total + 1)

    def _style(self, name: str) -> Style:
        """The widget's style with component `name` on top ("base" for the widget's own)."""
        style = self._palette.get(name)
        if style is None:
            base = self.rich_style
            style = base if name == "base" else base + self.get_component_rich_style(f"library-table--{name}")
            self._palette[name] = style
        return style

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        if y == 0:
            return self._header(width)
        index = round(self.scroll_offset.y) + y - 1
        if index >= self.total:
            return Strip.blank(width, self._style("base"))
        key = (index, index == self.cursor and self.has_focus, index == self.cursor, width)
        strip = self._strips.get(key)
        if strip is None:
            strip = self._row_strip(index, width)
            self._strips[key] = strip
            if len(self._strips) > MAX_STRIPS:
                self._strips.popitem(last=False)
        return strip

    def _header(self, width: int) -> Strip:
        style = self._style("header")
        cells = [" "]
        for column in layout(width):
            title = column.title
            if column.name == self.view.sort:
                title += " ↓" if self.view.descending else " ↑"
            if column.width == 1:
                title = "▾" if column.name == self.view.sort else " "
            cells.append(fit_right(title, column.width) if column.right else fit(title, column.width))
            cells.append(" ")
        return Strip([Segment("".join(cells), style)]).adjust_cell_length(width, style)

    def _row_strip(self, index: int, width: int) -> Strip:
        row = self.row(index)
        base = self._style("base")
        if row is None:
            return Strip.blank(width, base)
        dim = self._style("dim")
        segments = [Segment(" ", base)]
        for column in layout(width):
            w = column.width
            if column.name == "status":
                symbol = STATUS_SYMBOLS.get(row.status, "?")
                word = STATUS_NAMES.get(row.status, visible(row.status))
                text = fit(symbol if w == 1 else f"{symbol} {word}", w)
                status_style = row.status if row.status in STATUS_SYMBOLS else "dim"
                segments.append(Segment(text, self._style(status_style)))
            elif column.name == "title":
                segments.append(Segment(fit(visible(row.title) or "(untitled)", w), base))
            elif column.name == "source":
                segments.append(Segment(fit(visible(row.source) or "—", w), dim))
            elif column.name == "words":
                segments.append(Segment(fit_right(f"{row.words:,}", w), base))
            elif column.name == "spans":
                segments.append(Segment(fit_right(f"{row.spans:,}", w), base if row.spans else dim))
            elif column.name == "progress":
                if row.own_spans:
                    bar = progress_bar(row.progress)
                    percent = f"{round(row.progress * 100):>3}%"
                    segments.append(Segment(bar, self._style("bar")))
                    segments.append(Segment(fit(" " + percent, w - BAR_CELLS), base))
                else:
                    segments.append(Segment(fit("·" * BAR_CELLS, w), dim))
            segments.append(Segment(" ", base))
        if index == self.cursor:
            # The cursor's colours win over the columns' own.
            segments = list(Segment.apply_style(segments, post_style=self._style("cursor")))
        return Strip(segments).adjust_cell_length(width, base)
