"""The Textual application: a thin shell that holds the store and moves between screens."""

from __future__ import annotations

import asyncio
import contextvars
import gc
import signal
import sqlite3

from textual.app import App
from textual.binding import Binding
from textual.screen import Screen

from db import Store, StoreError

from .config import Settings, save_setting
from .io.atomic import remove_live_temps
from .messages import WritesStopped, WritesWaiting
from .text.visible import visible
from .writes import WriteQueue, describe

# Seconds after start-up at which the name finder's word lists are read.
WARM_AFTER = 0.5


def _commands():
    # Imported when the palette first opens: startup needs none of it.
    from .commands import ReaderCommands

    return ReaderCommands


class ReaderApp(App):
    """Read articles and tag spans. Screens do the work; the app holds what they share."""

    TITLE = "reader"
    CSS_PATH = "app.tcss"
    COMMANDS = App.COMMANDS | {_commands}
    BINDINGS = [
        Binding("question_mark,f1", "help", "Help", key_display="?", id="app.help"),
        Binding("ctrl+q", "quit", "Quit", show=False, priority=True, id="app.quit"),
    ]

    def __init__(
        self,
        store: Store,
        *,
        annotator: str,
        settings: Settings | None = None,
        session_id: int | None = None,
        save_settings: bool = True,
    ):
        super().__init__()
        self.store = store
        self.annotator = annotator
        self.settings = settings or Settings()
        self.session_id = session_id if session_id is not None else store.start_session(annotator)
        self._save_settings = save_settings
        self.show_span_list = True
        self.writes: WriteQueue | None = None

    def get_default_screen(self) -> Screen:
        # The library is the bottom of the stack itself, rather than pushed over an empty screen
        # that would be built and laid out first.
        from .screens.library import LibraryScreen

        return LibraryScreen()

    def on_mount(self) -> None:
        if not gc.isenabled():
            self.call_after_refresh(_collect_from_now_on)
        if self.settings.theme in self.available_themes:
            self.theme = self.settings.theme
        if self.settings.keymap:
            self._apply_keymap(self.settings.keymap)
        if self.store.read_only:
            self.notify(visible(f"{self.store.path} is read-only: browse, search and export "
                                "work; nothing can be tagged", keep_newlines=False),
                        title="Read-only", timeout=10, markup=False)
        loop = asyncio.get_running_loop()
        # Results come back in the app's context: handlers reach the app through it.
        context = contextvars.copy_context()
        self.writes = WriteQueue(
            self.store,
            deliver=lambda fn: loop.call_soon_threadsafe(fn, context=context),
            on_wait=lambda seconds: self.screen.post_message(WritesWaiting(seconds)),
            on_stop=self._writes_stopped,
        )
        # Closing the terminal (SIGHUP) or a plain `kill` (SIGTERM): leave as on ctrl+q, so the
        # terminal is restored, pending writes commit and the session is closed.
        for signum in (signal.SIGTERM, signal.SIGHUP):
            try:
                loop.add_signal_handler(signum, self.exit)
            except (NotImplementedError, RuntimeError, ValueError):
                pass  # not the main thread, or no signals here
        # The name finder's word lists take a moment to read: read them off the UI thread once
        # the first screen is up (a thread importing and parsing while it is drawn would hold
        # the interpreter), so the first entity key or name motion does not wait for them.
        self.set_timer(WARM_AFTER, lambda: self.run_worker(
            _warm_names, thread=True, group="warm", exit_on_error=False))

    def _apply_keymap(self, keymap: dict[str, str]) -> None:
        from .keymap import binding_ids, reader_node_classes, unknown_ids

        unknown = unknown_ids(keymap, binding_ids([type(self), *reader_node_classes()],
                                                  self.store.labels()))
        if unknown:
            names = visible(", ".join(unknown), keep_newlines=False)
            self.notify(f"config.toml [keymap]: no binding has the id {names} (the README lists "
                        "them); the rest applies", title="Keymap", severity="warning", timeout=15)
        self.set_keymap({k: v for k, v in keymap.items() if k not in unknown})

    def _writes_stopped(self, reason: str) -> None:
        self.notify(visible(reason, keep_newlines=False), title="Writing stopped", severity="error",
                    timeout=3600, markup=False)
        self.screen.post_message(WritesStopped(reason))

    async def writes_settled(self) -> None:
        """Wait until every write submitted so far has committed (or failed) and been shown."""
        while self.writes is not None and self.writes.pending:
            await asyncio.sleep(0.002)

    def watch_theme(self, theme: str) -> None:
        # The choice is remembered for the next run, where the config directory can be written.
        if self._save_settings and theme != self.settings.theme:
            self.settings.theme = theme
            try:
                save_setting("theme", theme)
            except OSError as exc:
                self.notify(visible(f"theme {theme} is used for this run but not remembered: "
                                    f"{exc.filename or ''}: {exc.strerror or exc}",
                                    keep_newlines=False), title="Settings not saved",
                            severity="warning", markup=False)

    # -- actions the screens and the command palette share ------------------------------------

    def open_article(self, article_id: int, *, review: bool = False) -> None:
        from .screens.article import ArticleScreen
        from .screens.review import ReviewScreen

        screen = ReviewScreen(article_id) if review else ArticleScreen(article_id)
        try:
            screen.load(self.store, self.annotator)
        except (StoreError, sqlite3.Error) as exc:
            self.notify(visible(describe(exc)), title="Cannot open the article", severity="error",
                        markup=False)
            return
        if isinstance(self.screen, ArticleScreen):
            self.pop_screen()
        self.push_screen(screen)

    def current_article_id(self) -> int | None:
        from .screens.article import ArticleScreen

        screen = self.screen
        return screen.article_id if isinstance(screen, ArticleScreen) else None

    def action_next_unfinished(self) -> None:
        next_id = self.store.next_unfinished(self.current_article_id(), annotator=self.annotator)
        if next_id is None:
            self.notify("Every article is done.", title="Nothing left")
            return
        self.open_article(next_id)

    def action_toggle_span_list(self) -> None:
        self.show_span_list = not self.show_span_list
        from .screens.article import ArticleScreen

        if isinstance(self.screen, ArticleScreen):
            self.screen.apply_span_list_visibility()

    def action_review(self) -> None:
        from .screens.review import ReviewList

        def chosen(article_id: int | None) -> None:
            if article_id is not None:
                self.open_article(article_id, review=True)

        self.push_screen(ReviewList(), chosen)

    def action_export(self) -> None:
        from .screens.export import ExportScreen

        self.push_screen(ExportScreen())

    def action_help(self) -> None:
        from .screens.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            self.pop_screen()
            return
        self.push_screen(HelpScreen(self.screen, self.store.labels()))

    def end_session(self) -> None:
        if self.writes is not None:
            self.writes.close()
            stopped = self.writes.stopped
            self.writes = None
            if stopped:
                return  # the path no longer names the file this run wrote to
        try:
            self.store.end_session(self.session_id)
        except (StoreError, sqlite3.Error):
            pass  # a locked or damaged database at exit: the spans are committed already


def run_app(store: Store, *, annotator: str, settings: Settings) -> None:
    app = ReaderApp(store, annotator=annotator, settings=settings)
    try:
        app.run()
    finally:
        app.end_session()
        # An export still running in the dialog when the app was quit or signalled: its temporary
        # file goes (the target keeps what it held), as `reader export` does on a signal.
        remove_live_temps()


def _warm_names() -> None:
    from .text import names  # with the sentence splitter it needs: not at start-up

    names.warm()


def _collect_from_now_on() -> None:
    # What start-up made lives as long as the app: kept out of every later collection.
    gc.freeze()
    gc.enable()
