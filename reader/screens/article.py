"""The article screen: read, select and tag. Talks to the Store; the widgets only draw."""

from __future__ import annotations

import gc

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Static

from db import Change, Label, Span, StoreError

from ..spanset import SpanSet
from ..tagging import natural_unit, next_untagged, snap_selection
from ..text.visible import visible
from ..widgets.article_view import ArticleView, SpanMark
from ..widgets.find_bar import ReadingPane
from ..widgets.legend import Legend
from ..widgets.span_list import SpanList, excerpt
from ..labels import digit_keys, label_style

PLACE_SAVE_DELAY = 1.0  # seconds of stillness before the reading place is written
# The span list follows a change this much later: the tag's own frame then draws only the text,
# and a quick run of keys updates the list once.
SPAN_LIST_DELAY = 0.05


class ArticleScreen(Screen):
    CSS_PATH = "article.tcss"
    HELP_GROUP = "Tagging"
    BINDINGS = [
        Binding("q", "back", "Library"),
        Binding("escape", "escape", "Cancel relabel", show=False),
        Binding("u,ctrl+z", "undo", "Undo"),
        Binding("ctrl+r,ctrl+y", "redo", "Redo", show=False),
        Binding("d,delete", "delete_span", "Delete"),
        Binding("r", "relabel", "Relabel", show=False),
        Binding("right_square_bracket", "next_span", "Next span", key_display="]", show=False),
        Binding("left_square_bracket", "prev_span", "Prev span", key_display="[", show=False),
        Binding("D", "toggle_done", "Done", key_display="D"),
        Binding("greater_than_sign,ctrl+n", "app.next_unfinished", "Next", key_display=">"),
        Binding("A", "toggle_all_annotators", "All annotators", show=False),
        Binding("ctrl+l", "app.toggle_span_list", "Span list", show=False),
    ]

    def __init__(self, article_id: int):
        super().__init__()
        self.article_id = article_id
        self._relabel_pending = False
        self._show_all = False
        self._place_timer: Timer | None = None
        self._saved: bool | None = None  # did the last write reach the database?
        self._list_pending: list[tuple[list[Span], list[Span]]] = []
        self._list_timer: Timer | None = None

    # -- building ------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        store = self.app.store
        self.article = store.article(self.article_id)
        self.labels: dict[str, Label] = {l.name: l for l in store.labels()}
        self._styles = {name: label_style(label) for name, label in self.labels.items()}
        self._bind_label_keys()
        self.spans = SpanSet()
        self._marks: dict[int, SpanMark] = {}
        self._load_spans()
        cursor, top = store.place(self.article_id, self.app.annotator)
        self._start_place = (min(cursor, len(self.article.text)), min(top, len(self.article.text)))
        yield Static(id="article-header")
        with Horizontal(id="article-body"):
            yield ReadingPane(
                self.article.text,
                cursor=self._start_place[0],
                reading_width=self.app.settings.reading_width,
                id="reading-pane",
            )
            yield SpanList(id="span-list")
        yield Legend(list(self.labels.values()), id="legend")
        yield Static(id="status-line")
        yield Footer()

    def _bind_label_keys(self) -> None:
        for digit, label in digit_keys(list(self.labels.values())).items():
            keys = digit + (f",{label.key}" if label.key else "")
            self._bindings.bind(
                keys, f"tag({label.name!r})", f"Tag {label.name}", show=False, key_display=digit
            )

    def on_mount(self) -> None:
        view = self.view
        view.restore(*self._start_place)
        view.focus()
        self.apply_span_list_visibility()
        self._redraw_spans()
        self._refresh_list()
        self._update_header()
        self._update_status()
        self.call_after_refresh(self._freeze_gc)

    def _freeze_gc(self) -> None:
        # The open article is tens of thousands of long-lived objects (spans, marks, rows): out
        # of the collector's generations while it is read, a full collection no longer scans
        # them all in the middle of a keypress. Unfrozen on leaving, so nothing outlives it.
        # The per-layer lists the first tag needs are built first, so they are frozen too.
        self.spans.layer_spans(self.app.annotator, "segment")
        gc.freeze()

    @property
    def view(self) -> ArticleView:
        return self.query_one(ReadingPane).view

    def _load_spans(self) -> None:
        annotator = None if self._show_all else self.app.annotator
        labels = self.labels
        self.spans = SpanSet(
            self.app.store.spans(self.article_id, annotator),
            layer_of=lambda name: labels[name].layer if name in labels else None,
            in_order=True,  # Store.spans returns text order
        )

    def apply_span_list_visibility(self) -> None:
        self.query_one(SpanList).display = self.app.show_span_list

    # -- drawing -------------------------------------------------------------------------------

    def _mark(self, span: Span) -> SpanMark | None:
        label = self.labels.get(span.label)
        if label is None:
            return None
        return SpanMark(span.start, span.end, label.layer, self._styles[span.label], span.id)

    def _redraw_spans(self) -> None:
        """Draw every span afresh (on opening, or when the set shown changes wholesale)."""
        marks = {}
        for s in self.spans.ordered:
            mark = self._mark(s)
            if mark is not None:
                marks[s.id] = mark
        self._marks = marks
        self.view.set_spans(marks.values())

    def _refresh_list(self) -> None:
        self._list_pending.clear()
        self.query_one(SpanList).show_spans(self.article.text, self.spans.ordered, self.labels)

    def _flush_list(self) -> None:
        """Bring the span list up to date with the changes since it was last drawn."""
        self._list_timer = None
        span_list = self.query_one(SpanList)
        for removed, added in self._list_pending:
            span_list.update_spans(added=added, removed=removed)
        self._list_pending.clear()
        span = self.span_under_cursor()
        span_list.highlight_span(span.id if span else None)

    def _show_change(self, removed: list[Span], added: list[Span]) -> None:
        """Draw one change: only the marks and list rows it touches."""
        marks = self._marks
        old = [marks.pop(s.id) for s in removed if s.id in marks]
        new = []
        for s in added:
            mark = self._mark(s)
            if mark is not None:
                marks[s.id] = mark
                new.append(mark)
        self.view.update_spans(added=new, removed=old)
        self._list_pending.append((removed, added))
        if self._list_timer is None:
            self._list_timer = self.set_timer(SPAN_LIST_DELAY, self._flush_list)

    def _update_header(self) -> None:
        a = self.article
        covered = self.spans.covered(self.app.annotator, "segment")
        progress = min(1.0, covered / max(1, len(a.text)))
        header = Text(no_wrap=True, overflow="ellipsis")
        header.append(visible(a.title, keep_newlines=False), style="bold")
        header.append("\n")
        details = [visible(a.source or "", keep_newlines=False) or "no source", a.status.replace("_", " ")]
        details.append(f"{progress:.0%} tagged by {self.app.annotator}")
        if self._show_all:
            details.append("showing all annotators (read-only)")
        header.append(" · ".join(details), style="dim")
        # Fixed heights (article.tcss): no layout pass, which would repaint the whole screen.
        self.query_one("#article-header", Static).update(header, layout=False)

    def span_under_cursor(self) -> Span | None:
        # The innermost span: an entity sits inside a sentence-sized span.
        return self.spans.innermost_at(self.view.cursor)

    def _update_status(self, *, saved: bool | None = None, note: str = "") -> None:
        if saved is not None:
            self._saved = saved
        status = Text(no_wrap=True, overflow="ellipsis")
        span = self.span_under_cursor()
        if note:
            status.append(note, style="bold")
        elif span is not None:
            label = self.labels.get(span.label)
            status.append(f" {span.label} ", style=label_style(label) if label else "reverse")
            status.append(f" “{excerpt(self.article.text, span, 40)}”")
            if span.annotator != self.app.annotator:
                status.append(f" ({span.annotator})", style="dim")
        else:
            status.append("no span here", style="dim")
        counts = self.spans.counts()
        # In label-set order, so the figures keep their places as they change.
        names = [name for name in self.labels if name in counts]
        names += [name for name in counts if name not in self.labels]
        summary = ", ".join(f"{counts[name]} {name}" for name in names) or "no spans"
        status.append(f"   {len(self.spans)} spans ({summary})", style="dim")
        if self._saved:
            status.append("   saved ✓", style="bold green")
        elif self._saved is False:
            status.append("   NOT SAVED", style="bold red")
        self.query_one("#status-line", Static).update(status, layout=False)

    # -- events --------------------------------------------------------------------------------

    @on(ArticleView.CursorMoved)
    def _cursor_moved(self, event: ArticleView.CursorMoved) -> None:
        self._update_status()
        if not self._list_pending:  # else the list highlights once it is up to date
            span = self.span_under_cursor()
            self.query_one(SpanList).highlight_span(span.id if span else None)
        if self._place_timer is not None:
            self._place_timer.stop()
        self._place_timer = self.set_timer(PLACE_SAVE_DELAY, self._on_still)

    @on(SpanList.Chosen)
    def _span_chosen(self, event: SpanList.Chosen) -> None:
        self.view.cursor = event.span.start
        self.view.focus()

    def _on_still(self) -> None:
        """The cursor has rested a moment: save the reading place, and let the collector make
        its full pass now (and freeze what survives) rather than in the middle of a keypress."""
        self.save_place()
        gc.collect()
        gc.freeze()

    def save_place(self) -> None:
        self._place_timer = None
        view = self.view
        self.app.store.save_place(self.article_id, self.app.annotator, view.cursor, view.top_offset)

    def on_screen_suspend(self) -> None:
        self.save_place()

    def on_unmount(self) -> None:
        if self._place_timer is not None:
            self._place_timer.stop()
        if self._list_timer is not None:
            self._list_timer.stop()
        gc.unfreeze()

    # -- applying changes ----------------------------------------------------------------------

    def _apply(self, change: Change | None, *, note: str = "") -> None:
        if change is None:
            self._update_status(note=note)
            return
        removed = [self.spans[s.id] for s in change.removed if s.id in self.spans]
        self.spans.apply(removed, change.added)
        if change.status:
            self.article = self._with_status(change.status)
        self._show_change(removed, list(change.added))
        self._update_header()
        self._update_status(saved=True, note=note)

    def _with_status(self, status: str):
        return self.article._replace(status=status)

    def _guard_read_only(self) -> bool:
        if self._show_all:
            self.notify("Showing all annotators read-only: press A to edit your own spans.")
            return True
        return False

    def _store_call(self, fn, *args, **kwargs) -> Change | None:
        try:
            return fn(*args, **kwargs)
        except StoreError as exc:
            self._update_status(saved=False, note=str(exc))
            self.notify(str(exc), severity="error")
            return None

    # -- actions -------------------------------------------------------------------------------

    def action_tag(self, name: str) -> None:
        label = self.labels[name]
        if self._relabel_pending:
            self._relabel_pending = False
            span = self.span_under_cursor()
            if span is None:
                self._update_status(note="no span under the cursor to relabel")
                return
            self._apply(
                self._store_call(
                    self.app.store.relabel,
                    span.id,
                    name,
                    self.app.annotator,
                    session_id=self.app.session_id,
                )
            )
            return
        if self._guard_read_only():
            return
        view = self.view
        selection = view.selected_span
        if selection:
            target = snap_selection(view.segments, *selection, label.unit)
        else:
            target = natural_unit(view.segments, view.cursor, label.unit)
        if target is None:
            self.app.bell()
            return
        change = self._store_call(
            self.app.store.tag,
            self.article_id,
            target[0],
            target[1],
            name,
            self.app.annotator,
            session_id=self.app.session_id,
        )
        if change is None:
            return
        if selection:
            view.clear_selection()
        self._apply(change)
        if not selection and change.added:
            tagged = self.spans.layer_spans(self.app.annotator, label.layer)
            nxt = next_untagged(view.segments, target[0], label.unit, tagged)
            if nxt is not None:
                view.cursor = nxt

    def action_undo(self) -> None:
        if self._guard_read_only():
            return
        change = self.app.store.undo(self.article_id, self.app.annotator)
        self._apply(change, note="" if change else "nothing to undo")
        if change:
            self._go_to_change(change)

    def action_redo(self) -> None:
        if self._guard_read_only():
            return
        change = self.app.store.redo(self.article_id, self.app.annotator)
        self._apply(change, note="" if change else "nothing to redo")
        if change:
            self._go_to_change(change)

    def _go_to_change(self, change: Change) -> None:
        spans = change.added or change.removed
        if spans:
            self.view.cursor = min(s.start for s in spans)

    def action_delete_span(self) -> None:
        if self._guard_read_only():
            return
        span = self.span_under_cursor()
        if span is None:
            self._update_status(note="no span under the cursor")
            return
        self._apply(
            self._store_call(
                self.app.store.delete_span, span.id, self.app.annotator, session_id=self.app.session_id
            )
        )

    def action_relabel(self) -> None:
        if self._guard_read_only():
            return
        if self.span_under_cursor() is None:
            self._update_status(note="no span under the cursor to relabel")
            return
        self._relabel_pending = True
        self._update_status(note="relabel: press the new label's key")

    def _jump(self, forward: bool) -> None:
        pos = self.view.cursor
        target = self.spans.next_start(pos) if forward else self.spans.prev_start(pos)
        if target is None:
            self.app.bell()
            return
        self.view.cursor = target

    def action_next_span(self) -> None:
        self._jump(True)

    def action_prev_span(self) -> None:
        self._jump(False)

    def action_toggle_done(self) -> None:
        store = self.app.store
        if self.article.status == "done":
            status = "in_progress" if self.spans else "new"
        else:
            status = "done"
        store.set_status(self.article_id, status, session_id=self.app.session_id)
        self.article = self._with_status(status)
        self._update_header()
        self._update_status(saved=True, note=f"marked {status.replace('_', ' ')}")

    def action_toggle_all_annotators(self) -> None:
        self._show_all = not self._show_all
        self._load_spans()
        self._redraw_spans()
        self._refresh_list()
        self._update_header()
        self._update_status()

    def action_escape(self) -> None:
        # Escape only cancels; leaving the article is `q`, so a stray escape never loses the place.
        if self._relabel_pending:
            self._relabel_pending = False
            self._update_status()

    def action_back(self) -> None:
        self.save_place()
        self.app.pop_screen()
