"""Review: the article screen editing gold, with the versions of each conflict and keys to decide.

Opening an article for review puts every span all its annotators agree on into gold at once (one
change, undone with `u` like any other); the conflicts are then visited in text order. The store
holds the rules (db/review.py); this screen draws them and sends the decisions to the write thread.
"""

from __future__ import annotations

import sqlite3

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from db import Store, StoreError
from db.review import GOLD, ReviewItem
from db.versions import Comparison, Conflict, Triple, Version, overlap

from .context import UsesContext
from ..text.visible import visible
from ..widgets.span_list import excerpt
from ..writes import describe
from .article import ArticleScreen


def _one_line(text: str) -> str:
    return visible(text, keep_newlines=False)


class ReviewScreen(ArticleScreen):
    """Gold for one article: tag keys edit gold; the keys below decide the conflicts."""

    CSS_PATH = ["article.tcss", "review.tcss"]
    HELP_GROUP = "Review"
    BINDINGS = [
        Binding("right_square_bracket", "next_conflict", "Next conflict", key_display="]",
                id="review.next-conflict"),
        Binding("left_square_bracket", "prev_conflict", "Previous conflict", key_display="[",
                show=False, id="review.prev-conflict"),
        Binding("tab", "version(1)", "Next version", show=False, id="review.next-version"),
        Binding("shift+tab", "version(-1)", "Previous version", show=False,
                id="review.prev-version"),
        Binding("enter", "take", "Take version", id="review.take"),
        Binding("plus", "take_all", "Take all versions", key_display="+", show=False,
                id="review.take-all"),
        Binding("minus", "take_none", "Take none", key_display="-", show=False,
                id="review.take-none"),
        Binding("X", "take_annotator", "Take the rest from this annotator", show=False,
                id="review.take-annotator"),
    ]

    def load(self, store, annotator: str = GOLD) -> None:
        super().load(store, GOLD)
        self.suggestions_on = False  # gold is decided from people's tags, not a model's
        # Filled from the write thread once the screen is up (comparing thousands of spans
        # takes longer than a frame), and again after every committed change.
        self._comparison = Comparison((), (), ())
        self._conflicts: list[Conflict] = []
        self._compared = False
        self._go_after_read = False
        self._at = 0  # which open conflict the panel shows
        self._version = 0  # which of its versions is highlighted

    def compose_below_text(self) -> ComposeResult:
        yield Static(id="review-panel")

    def on_mount(self) -> None:
        super().on_mount()
        self._draw_panel()
        self._read_conflicts(then=self._first_compared)

    def _first_compared(self) -> None:
        self._go_to_conflict()
        comparison = self._comparison
        article_id, session_id = self.article_id, self.ctx.session_id
        if comparison.agreed and not self.ctx.store.read_only:
            self._write(
                lambda store: store.merge_agreed(article_id, comparison, session_id=session_id),
                on_done=self._merged,
            )

    # -- what is in conflict -------------------------------------------------------------------

    def _read_conflicts(self, then=None) -> None:
        """Compare the annotators again on the write thread (after what is queued there)."""
        if self.ctx.writes is None:
            return
        article_id = self.article_id

        def read(store):
            comparison = store.comparison(article_id)
            return comparison, store.open_conflicts(article_id, comparison)

        def shown(result, error) -> None:
            if not self.is_attached:
                return
            if error is not None:
                self._update_status(note=_one_line(f"cannot read the conflicts: {describe(error)}"))
                return
            before = self.conflict
            self._comparison, self._conflicts = result
            self._compared = True
            self._at = min(self._at, max(0, len(self._conflicts) - 1))
            if self.conflict != before:
                self._version = 0
            self._draw_panel()
            if self._go_after_read:
                self._go_after_read = False
                self._go_to_conflict()
            if then is not None:
                then()

        self.ctx.writes.submit(read, shown)

    @property
    def conflict(self) -> Conflict | None:
        return self._conflicts[self._at] if self._conflicts else None

    def committed(self, result) -> None:
        self._read_conflicts()

    def _merged(self, change) -> None:
        if change:
            self._paint(change, note=f"{len(change.added)} span{'s' if len(change.added) != 1 else ''} "
                                     "everyone agrees on put into gold (u undoes)")

    def _draw_panel(self) -> None:
        panel = self.query_one("#review-panel", Static)
        out = Text(no_wrap=True, overflow="ellipsis")
        who = ", ".join(self._comparison.annotators) or "nobody"
        conflict = self.conflict
        if not self._compared:
            out.append("comparing the annotators' versions…", style="dim")
            panel.update(out)
            return
        if conflict is None:
            out.append(f"Review of {_one_line(who)}: no conflict left to decide", style="bold")
            out.append("  (the tag keys still edit gold; D marks it done)", style="dim")
            panel.update(out)
            return
        out.append(f"Conflict {self._at + 1} of {len(self._conflicts)}", style="bold")
        out.append(f" · {conflict.layer} layer · ", style="dim")
        out.append(f"“{excerpt(self.article.text, conflict, 50)}”")
        out.append("   enter take · + all · - none · X rest from them", style="dim")
        for i, version in enumerate(conflict.versions):
            out.append("\n")
            out.append("▶ " if i == self._version else "  ", style="bold")
            out.append(_one_line(", ".join(version.annotators)), style="bold" if i == self._version else "")
            out.append(": ")
            out.append_text(self._describe(version))
        panel.update(out)

    def _describe(self, version: Version) -> Text:
        out = Text()
        if not version.spans:
            out.append("nothing here", style="dim italic")
            return out
        for k, (start, end, label) in enumerate(version.spans):
            if k:
                out.append("  ")
            style = self._styles.get(label, "reverse")
            out.append(f" {_one_line(label)} ", style=style)
            out.append(f" “{excerpt(self.article.text, _Stretch(start, end), 40)}”")
        return out

    def _go_to_conflict(self) -> None:
        conflict = self.conflict
        if conflict is not None:
            self.view.cursor = conflict.start

    # -- keys ----------------------------------------------------------------------------------

    def _step_conflict(self, step: int) -> None:
        if not self._conflicts:
            self.app.bell()
            return
        self._at = (self._at + step) % len(self._conflicts)
        self._version = 0
        self._draw_panel()
        self._go_to_conflict()

    def action_next_conflict(self) -> None:
        self._step_conflict(1)

    def action_prev_conflict(self) -> None:
        self._step_conflict(-1)

    def action_version(self, step: int) -> None:
        if (conflict := self._open_conflict()) is None:
            return
        self._version = (self._version + step) % len(conflict.versions)
        self._draw_panel()

    def _decide(self, decisions: list[tuple[Conflict, list[Triple], str]], what: str) -> None:
        if self._guard_writes():
            return
        # The store refuses these too; asked first, the refusal is a note rather than NOT SAVED.
        if any(overlap(spans) for _conflict, spans, _choice in decisions):
            self._update_status(note="those versions overlap on one layer: take one of them")
            return
        article_id, session_id = self.article_id, self.ctx.session_id
        self._write(
            lambda store: store.decide_all(article_id, decisions, session_id=session_id),
            on_done=lambda change: self._decided(change, what),
        )

    def _decided(self, change, what: str) -> None:
        if change:
            self._paint(change, note=f"took {what} (u undoes)")
        else:
            self._update_status(note=f"took {what}")
        self._go_after_read = True  # to the next open conflict, once the list is read again

    def _open_conflict(self) -> Conflict | None:
        """The conflict the keys act on; a bell when there is none."""
        conflict = self.conflict
        if conflict is None:
            self.app.bell()
        return conflict

    def action_take(self) -> None:
        if (conflict := self._open_conflict()) is None:
            return
        version = conflict.versions[self._version]
        choice = ",".join(version.annotators)
        self._decide([(conflict, list(version.spans), choice)],
                     _one_line(choice) if version.spans else "nothing")

    def action_take_all(self) -> None:
        if (conflict := self._open_conflict()) is None:
            return
        self._decide([(conflict, [t for v in conflict.versions for t in v.spans], "all")],
                     "every version")

    def action_take_none(self) -> None:
        if (conflict := self._open_conflict()) is None:
            return
        self._decide([(conflict, [], "none")], "nothing")

    def action_take_annotator(self) -> None:
        """Every conflict still open takes the highlighted annotator's version."""
        if (conflict := self._open_conflict()) is None:
            return
        annotator = conflict.versions[self._version].annotators[0]
        decisions = []
        for each in self._conflicts:
            version = each.version_of(annotator)
            if version is not None:
                decisions.append((each, list(version.spans), annotator))
        self._decide(decisions, f"{_one_line(annotator)}'s version of {len(decisions)} "
                                f"conflict{'s' if len(decisions) != 1 else ''}")


class _Stretch:
    """The start and end `excerpt` needs, for a stretch that is not a stored span."""

    def __init__(self, start: int, end: int) -> None:
        self.start, self.end = start, end


class ReviewList(UsesContext, ModalScreen[int | None]):
    """Articles two or more annotators have done, the most disagreement first."""

    CSS_PATH = "review.tcss"
    BINDINGS = [Binding("escape,q", "close", "Close", id="review-list.close")]

    def compose(self) -> ComposeResult:
        with Vertical(id="review-list-dialog"):
            yield Static(Text("Review: articles done by two or more annotators", style="bold"))
            yield Static("finding them…", id="review-list-note")
            yield OptionList(id="review-list")

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()
        self._gather(self.ctx.store.path)

    @work(thread=True, exclusive=True, exit_on_error=False)
    def _gather(self, path: str) -> None:
        # A connection of its own: the app's stays with the UI thread while this scans.
        try:
            store = Store.open(path, backup=False)
            try:
                items = store.review_queue()
            finally:
                store.close()
        except (StoreError, sqlite3.Error) as exc:
            self.app.call_from_thread(self._show_error, describe(exc))
            return
        self.app.call_from_thread(self._show, items)

    def _show_error(self, message: str) -> None:
        self.query_one("#review-list-note", Static).update(Text(_one_line(message), style="bold red"))

    def _show(self, items: list[ReviewItem]) -> None:
        note = self.query_one("#review-list-note", Static)
        if not items:
            note.update("No article has been done by two annotators yet (D marks one done).")
            return
        note.update(Text("enter reviews the article · escape closes", style="dim"))
        options = self.query_one(OptionList)
        for item in items:
            line = Text(no_wrap=True, overflow="ellipsis")
            left = f"{item.conflicts} to decide" if item.conflicts else "decided"
            line.append(f"{left:>14}  ", style="bold" if item.conflicts else "dim")
            line.append(f"{item.disagreement:4.0%} apart  ", style="dim")
            line.append(_one_line(item.title))
            line.append(f"  ({_one_line(', '.join(item.annotators))})", style="dim")
            options.add_option(Option(line, id=str(item.article_id)))
        options.highlighted = 0

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(int(event.option.id or 0))  # every option is made with its article id

    def action_close(self) -> None:
        self.dismiss(None)
