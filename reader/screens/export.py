"""The export dialog: pick a format and a file, watch the progress, read the summary."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, ProgressBar, Select, Static

from db import Store
from db.store import DatabaseDamaged, is_damage

from .context import UsesContext
from ..exporting import ExportRequest, run_export, summary_line
from ..io.export import FORMATS
from ..text.visible import visible

def _failure(exc: Exception, db_path: str | None) -> str:
    if is_damage(exc):
        exc = DatabaseDamaged(db_path)
    return f"Export failed, nothing written: {visible(str(exc), keep_newlines=False)}"


ALL_SOURCES = "all"
SOURCES = [
    ("every span", ALL_SOURCES),
    ("tagged by hand (manual)", "manual"),
    ("imported with the articles (imported)", "imported"),
    ("accepted suggestions (suggested)", "suggested"),
]
OFFSETS = [("code points", "codepoint"), ("UTF-16 (doccano)", "utf16"), ("UTF-8 bytes", "utf8")]


class ExportScreen(UsesContext, ModalScreen[str | None]):
    """Runs the same export as `reader export`, in a worker so the app stays responsive."""

    CSS_PATH = "export.tcss"
    BINDINGS = [Binding("escape", "close", "Close", id="export.close")]

    def compose(self) -> ComposeResult:
        with Vertical(id="export-dialog"):
            yield Static(Text("Export training data", style="bold"), id="export-title")
            yield Label("Format")
            yield Select(
                [(f"{name}: {fmt.description}", name) for name, fmt in FORMATS.items()],
                value="jsonl",
                allow_blank=False,
                id="export-format",
            )
            yield Label("File")
            yield Input(str(Path.cwd() / "annotations.jsonl"), id="export-path")
            with Horizontal(id="export-options"):
                yield Select(OFFSETS, value="codepoint", allow_blank=False, id="export-offsets")
                yield Checkbox("Prodigy tokens", id="export-tokens")
            yield Label("Spans from")
            yield Select(SOURCES, value=ALL_SOURCES, allow_blank=False, id="export-source")
            yield ProgressBar(id="export-progress", show_eta=False)
            yield Static(id="export-result")
            with Horizontal(id="export-buttons"):
                yield Button("Export", variant="primary", id="export-run")
                yield Button("Close", id="export-close")

    def on_mount(self) -> None:
        self.query_one("#export-progress", ProgressBar).display = False
        self._sync_options("jsonl")

    @on(Select.Changed, "#export-format")
    def _format_changed(self, event: Select.Changed) -> None:
        name = str(event.value)
        self._sync_options(name)
        path_input = self.query_one("#export-path", Input)
        path = Path(path_input.value)
        path_input.value = str(path.with_suffix(FORMATS[name].extension))

    def _sync_options(self, name: str) -> None:
        takes = FORMATS[name].options
        offsets = self.query_one("#export-offsets", Select)
        offsets.disabled = "offsets" not in takes
        if name == "doccano":
            offsets.value = "utf16"
        self.query_one("#export-tokens", Checkbox).disabled = "tokens" not in takes

    def request(self) -> ExportRequest:
        name = str(self.query_one("#export-format", Select).value)
        takes = FORMATS[name].options
        options: dict = {}
        if "offsets" in takes:
            options["offsets"] = str(self.query_one("#export-offsets", Select).value)
        if "tokens" in takes and self.query_one("#export-tokens", Checkbox).value:
            options["tokens"] = True
        source = str(self.query_one("#export-source", Select).value)
        return ExportRequest(
            out=self.query_one("#export-path", Input).value.strip(),
            format=name,
            sources=() if source == ALL_SOURCES else (source,),
            options=options,
        )

    @on(Button.Pressed, "#export-run")
    @on(Input.Submitted, "#export-path")
    def _start(self) -> None:
        request = self.request()
        if not request.out:
            self._show("Choose a file to write.", error=True)
            return
        try:
            total = self.ctx.store.count_export_groups(sources=request.sources or None)
        except sqlite3.DatabaseError as exc:
            self._show(_failure(exc, self.ctx.store.path), error=True)
            return
        progress = self.query_one("#export-progress", ProgressBar)
        progress.display = True
        progress.update(total=total, progress=0)
        self.query_one("#export-run", Button).disabled = True
        self._show("Exporting…")
        self._export(request, str(self.ctx.store.path))

    @work(thread=True, exclusive=True)
    def _export(self, request: ExportRequest, db_path: str) -> None:
        store = None
        try:
            # A connection of its own: SQLite connections are not to be shared across threads.
            store = Store.open(db_path)
            tick = lambda _record: self.app.call_from_thread(self._advance)  # noqa: E731
            summary, paths = run_export(store, request, on_record=tick)
        except Exception as exc:  # shown to the user; the file is left as it was
            self.app.call_from_thread(self._finished, _failure(exc, db_path), True)
        else:
            self.app.call_from_thread(self._finished, summary_line(summary, paths), False)
        finally:
            if store is not None:
                store.close()

    def _advance(self) -> None:
        self.query_one("#export-progress", ProgressBar).advance(1)

    def _finished(self, message: str, error: bool) -> None:
        self.query_one("#export-run", Button).disabled = False
        self._show(message, error=error)
        if not error:
            self.notify(visible(message), title="Export done", markup=False)

    def _show(self, message: str, *, error: bool = False) -> None:
        self.query_one("#export-result", Static).update(
            Text(visible(message), style="bold red" if error else "")
        )

    @on(Button.Pressed, "#export-close")
    def action_close(self) -> None:
        self.dismiss(None)
