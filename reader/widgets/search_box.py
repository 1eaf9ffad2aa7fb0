"""The one-line search box of the library.

Typing goes into the box; the arrow and page keys move the cursor in the hit list below it, as
in a fuzzy finder, so the hands need not leave the box to choose a hit.
"""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import Input


class SearchBox(Input):
    """A search field that reports escape and hit-list moves to its screen."""

    HELP_GROUP = "Search box"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Back to the list", show=True, id="search.cancel"),
        Binding("down", "move(1)", "Next hit", show=False, id="search.next"),
        Binding("up", "move(-1)", "Previous hit", show=False, id="search.previous"),
        Binding("pagedown", "move(10)", "Ten hits down", show=False, id="search.ten-down"),
        Binding("pageup", "move(-10)", "Ten hits up", show=False, id="search.ten-up"),
    ]

    DEFAULT_CSS = """
    SearchBox {
        border: none;
        height: 1;
        padding: 0 1;
    }
    """

    class Cancelled(Message):
        """Escape: leave the search and go back to the full list."""

    class Move(Message):
        """Move the hit cursor by `delta` hits."""

        def __init__(self, delta: int) -> None:
            self.delta = delta
            super().__init__()

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("placeholder", "/ search titles and text")
        kwargs.setdefault("compact", True)
        super().__init__(**kwargs)

    def action_cancel(self) -> None:
        self.post_message(self.Cancelled())

    def action_move(self, delta: int) -> None:
        self.post_message(self.Move(delta))
