"""``ReadingPane``: an ``ArticleView`` with its find bar (``FindBar``, also here) wired up.

The view itself only knows matches (``find``, ``find_next``…); the bar only knows a query. The
pane joins them: ``/`` in the view opens the bar, enter searches and hands focus back to the text
(so ``n``/``N`` work at once), escape closes the bar.
"""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Input, Label

from reader.widgets.article_view import ArticleView


class FindBar(Horizontal):
    """A one-line find input with a status; hidden until ``open`` is called."""

    DEFAULT_CSS = """
    FindBar {
        dock: bottom;
        height: 1;
        display: none;
        background: $panel;
    }
    FindBar.-open {
        display: block;
    }
    FindBar > .find-bar--prompt {
        width: auto;
        padding: 0 1;
    }
    /* Input:focus brings back Textual's tall border, which would leave no row for the text. */
    FindBar > Input, FindBar > Input:focus {
        width: 1fr;
        height: 1;
        border: none;
        padding: 0;
    }
    FindBar > .find-bar--status {
        width: auto;
        padding: 0 1;
        color: $text-muted;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close find", show=False, id="find.close"),
    ]

    class Submitted(Message):
        """Enter was pressed in the bar."""

        def __init__(self, bar: FindBar, query: str) -> None:
            super().__init__()
            self.bar = bar
            self.query = query

        @property
        def control(self) -> FindBar:
            return self.bar

    class Closed(Message):
        """The bar was closed."""

        def __init__(self, bar: FindBar) -> None:
            super().__init__()
            self.bar = bar

        @property
        def control(self) -> FindBar:
            return self.bar

    def compose(self) -> ComposeResult:
        yield Label("Find:", classes="find-bar--prompt", markup=False)
        yield Input(placeholder="text to find", id="find-input", select_on_focus=True)
        yield Label("", classes="find-bar--status", markup=False)

    @property
    def is_open(self) -> bool:
        """True while the bar is shown."""
        return self.has_class("-open")

    @property
    def input(self) -> Input:
        """The query input."""
        return self.query_one(Input)

    def open(self, query: str = "") -> None:
        """Show the bar with ``query`` prefilled and focus its input."""
        self.add_class("-open")
        self.input.value = query
        self.show_status("")
        self.input.focus()

    def action_close(self) -> None:
        """Hide the bar."""
        self.remove_class("-open")
        self.post_message(self.Closed(self))

    def show_status(self, status: str) -> None:
        """Show a short status, such as “3/17” or “No match”."""
        self.query_one(".find-bar--status", Label).update(status)

    @on(Input.Submitted, "#find-input")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.post_message(self.Submitted(self, event.value))


class ReadingPane(Vertical):
    """An ``ArticleView`` with a ``FindBar`` docked under it."""

    DEFAULT_CSS = """
    ReadingPane {
        height: 1fr;
    }
    ReadingPane > ArticleView {
        height: 1fr;
    }
    """

    def __init__(
        self,
        text: str,
        *,
        cursor: int = 0,
        reading_width: int = 88,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._view = ArticleView(text, cursor=cursor, reading_width=reading_width)
        self._bar = FindBar()

    @property
    def view(self) -> ArticleView:
        """The article view."""
        return self._view

    @property
    def find_bar(self) -> FindBar:
        """The find bar."""
        return self._bar

    def compose(self) -> ComposeResult:
        yield self._view
        yield self._bar

    @on(ArticleView.FindRequested)
    def _open_bar(self, event: ArticleView.FindRequested) -> None:
        event.stop()
        self._bar.open(event.query)

    @on(FindBar.Submitted)
    def _search(self, event: FindBar.Submitted) -> None:
        event.stop()
        # Run the search from the view's own queue: a message is not bubbled past the widget
        # that sent it, and the screen should hear the view's FindStatus too.
        self._view.call_later(self._view.find, event.query)

    @on(FindBar.Closed)
    def _bar_closed(self, event: FindBar.Closed) -> None:
        event.stop()
        self._view.focus()

    @on(ArticleView.FindStatus)
    def _status(self, event: ArticleView.FindStatus) -> None:
        # Not stopped: the screen may want to show it too.
        if event.count:
            self._bar.show_status(f"{event.index}/{event.count}")
            if self._bar.is_open:
                # Found: hand the keys back to the text so n and N work at once.
                self._bar.remove_class("-open")
                self._view.focus()
        elif event.query:
            self._bar.show_status("No match")
        else:
            self._bar.show_status("")
