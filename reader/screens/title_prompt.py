"""A one-line prompt to change an article's title by hand (the heuristic's guess can be wrong)."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from db.store import TITLE_MAX_CHARS


class TitlePrompt(ModalScreen[str | None]):
    """Dismisses with the typed title on Enter, or None on Escape."""

    CSS_PATH = "title_prompt.tcss"
    BINDINGS = [Binding("escape", "cancel", "Keep the title", id="title.cancel")]

    def __init__(self, title: str) -> None:
        super().__init__()
        self._title = title

    def compose(self) -> ComposeResult:
        with Vertical(id="title-dialog"):
            yield Static(Text("Title of this article (Enter saves, Escape keeps it)"), id="title-help")
            # An Input draws its value as plain text, never as markup.
            yield Input(self._title, max_length=TITLE_MAX_CHARS, id="title-input")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)
