"""The article screen: read, select and tag. Talks to the Store; the widgets only draw."""

from __future__ import annotations

import gc
import sqlite3
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult, CSSPathType
from textual.binding import Binding
from textual.containers import Horizontal
from textual.timer import Timer
from textual.widgets import Footer

from db import Change, Label, Span, StoreError
from db import rules
from db.store import check_title, now

from ..messages import WritesStopped, WritesWaiting
from ..pending import Provisional
from ..document import Document
from ..tagging import natural_unit, next_untagged, snap_selection
from ..text import names
from ..text.visible import visible
from ..widgets.article_view import ArticleView
from ..widgets.reading_pane import ReadingPane
from .title_prompt import TitlePrompt
from ..widgets.legend import Legend
from ..widgets.text_lines import TextLines
from ..widgets.span_list import SpanList, excerpt
from ..labels import digit_keys, key_name, label_binding_id
from ..styles import label_style
from .suggestions import SuggestingScreen
from ..writes import describe

# Seconds a key's write may run alone before the key paints, so its Python does not share the
# interpreter's lock with the paint; a slow disk's commit never holds the key up beyond it
# (reader/writes.py).
HEAD_START = 0.004
MIN_DESCRIPTION = 12  # cells of the status line's description kept before the figures go
PLACE_SAVE_DELAY = 1.0  # seconds of stillness before the reading place is written
# How often the open article is checked for changes made by another window or process.
WATCH_INTERVAL = 1.0


class ArticleScreen(SuggestingScreen):
    CSS_PATH: ClassVar[CSSPathType | None] = "article.tcss"
    HELP_GROUP = "Tagging"
    BINDINGS = [
        Binding("q", "back", "Library", id="article.back"),
        Binding("escape", "escape", "Cancel relabel", show=False, id="article.cancel"),
        Binding("u,ctrl+z", "undo", "Undo", id="article.undo"),
        Binding("ctrl+r,ctrl+y", "redo", "Redo", show=False, id="article.redo"),
        Binding("d,delete", "delete_span", "Delete", id="article.delete"),
        Binding("r", "relabel", "Relabel", show=False, id="article.relabel"),
        Binding("right_square_bracket", "next_span", "Next span", key_display="]", show=False, id="article.next-span"),
        Binding("left_square_bracket", "prev_span", "Prev span", key_display="[", show=False, id="article.prev-span"),
        Binding("D", "toggle_done", "Done", key_display="D", id="article.done"),
        Binding("greater_than_sign,ctrl+n", "app.next_unfinished", "Next", key_display=">", id="article.next-article"),
        Binding("A", "toggle_all_annotators", "All annotators", show=False, id="article.all-annotators"),
        Binding("tab", "next_name", "Next name", show=False, id="article.next-name"),
        Binding("shift+tab", "prev_name", "Previous name", show=False, id="article.prev-name"),
        Binding("asterisk", "tag_mentions", "Tag every mention of this entity", key_display="*",
                show=False, id="article.tag-mentions"),
        Binding("T", "retitle", "Change the title", show=False, id="article.retitle"),
        Binding("ctrl+l", "app.toggle_span_list", "Span list", show=False, id="article.span-list"),
    ]

    def __init__(self, article_id: int):
        super().__init__()
        self.article_id = article_id
        self._relabel_pending = False
        self._show_all = False
        self._note = ""
        self._last_entity: tuple[int, int, str] | None = None  # for `*` after the key moved on
        self._place_timer: Timer | None = None
        self._watch_timer: Timer | None = None
        # Writes: how many of this screen's are on their way, what the last one came to, and
        # whether what is shown must be read back from the database once they are all in.
        self._provisional = Provisional()
        self._in_flight = 0
        self._write_error: str | None = None
        self._committed = False  # has a write of this screen's come back committed?
        self._waiting = 0.0
        self._stale = False
        self._stopped: str | None = None
        self._seen_version: int | None = None

    def load(self, store, annotator: str) -> None:
        """Read the article, its labels, spans and reading place (before the screen is shown,
        so a database that cannot be read is reported instead of opening half a screen)."""
        self.annotator = annotator  # whose spans this screen edits (gold, in the review screen)
        article = store.article(self.article_id, annotator)
        self.labels: dict[str, Label] = {l.name: l for l in store.labels()}
        self._styles = {name: label_style(label) for name, label in self.labels.items()}
        self.document = Document(article, self.labels, annotator, self._read_spans(store),
                                 in_order=True)  # Store.spans returns text order
        cursor, top = store.place(self.article_id, annotator)
        self._start_place = (min(cursor, len(self.article.text)), min(top, len(self.article.text)))

    # -- building ------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        self._bind_label_keys()
        yield TextLines(id="article-header")
        with Horizontal(id="article-body"):
            yield ReadingPane(
                self.article.text,
                cursor=self._start_place[0],
                reading_width=self.ctx.settings.reading_width,
                id="reading-pane",
            )
            yield SpanList(id="span-list")
        yield from self.compose_below_text()
        yield Legend(list(self.labels.values()), id="legend")
        yield TextLines(id="status-line")
        yield Footer()

    def compose_below_text(self) -> ComposeResult:
        """Room for a panel between the text and the legend (the review screen's versions)."""
        return iter(())

    def _bind_label_keys(self) -> None:
        # Digits for the first nine labels, and every label's own key (as Textual names it), with
        # ids (label.NAME) so a [keymap] in config.toml can move them like any binding.
        digits = {label.name: d for d, label in digit_keys(list(self.labels.values())).items()}
        for label in self.labels.values():
            keys = [digits[label.name]] if label.name in digits else []
            named = key_name(label.key) if label.key else None
            if named:
                keys.append(named)
            for key in keys:
                self._bindings.key_to_bindings.setdefault(key, []).append(
                    Binding(key, f"tag({label.name!r})", f"Tag {visible(label.name, keep_newlines=False)}",
                            show=False, key_display=keys[0], id=label_binding_id(label))
                )

    def on_mount(self) -> None:
        view = self.view
        view.restore(*self._start_place)
        view.focus()
        self.apply_span_list_visibility()
        view.show_document(self.document, self._styles)
        self.query_one(SpanList).show_document(self.document, self.labels)
        self._update_header()
        self._update_status()
        self.call_after_refresh(self._freeze_gc)
        self._seen_version = self.ctx.store.data_version()
        self._watch_timer = self.set_interval(WATCH_INTERVAL, self._watch)

    def _freeze_gc(self) -> None:
        # The open article is tens of thousands of long-lived objects (spans, marks, rows): out
        # of the collector's generations while it is read, a full collection no longer scans
        # them all in the middle of a keypress. Unfrozen on leaving, so nothing outlives it.
        # The per-layer lists the first tag needs are built first, so they are frozen too.
        self.spans.layer_spans(self.annotator, "segment")
        gc.freeze()

    @property
    def view(self) -> ArticleView:
        return self.query_one(ReadingPane).view

    @property
    def article(self):
        return self.document.article

    @article.setter
    def article(self, article) -> None:
        self.document.article = article

    @property
    def spans(self):
        """The spans shown (the document's)."""
        return self.document.spans

    def _read_spans(self, store) -> list[Span]:
        return store.spans(self.article_id, self._whose(store, self.annotator))

    def _whose(self, store, annotator: str):
        """Whose spans are shown: the annotator's, or with A everyone's that blind mode allows."""
        if not self._show_all:
            return annotator
        return store.visible_annotators(self.article_id, annotator, self.ctx.settings.blind)

    def apply_span_list_visibility(self) -> None:
        self.query_one(SpanList).display = self.ctx.show_span_list

    # -- drawing -------------------------------------------------------------------------------

    def _update_header(self) -> None:
        a = self.article
        covered = self.spans.covered(self.annotator, "segment")
        progress = min(1.0, covered / max(1, len(a.text)))
        header = Text(no_wrap=True, overflow="ellipsis")
        header.append(visible(a.title, keep_newlines=False), style="bold")
        header.append("\n")
        details = [visible(a.source or "", keep_newlines=False) or "no source", a.status.replace("_", " ")]
        details.append(f"{progress:.0%} tagged by {self.annotator}")
        if self._show_all:
            if self.ctx.settings.blind and a.status != "done":
                details.append("blind: others' spans stay hidden until you mark it done")
            else:
                details.append("showing all annotators (read-only)")
        details.append(self.suggestion_note())
        header.append(" · ".join(details), style="dim")
        # Fixed heights (article.tcss): no layout pass, which would repaint the whole screen.
        self.query_one("#article-header", TextLines).update(header)

    def span_under_cursor(self) -> Span | None:
        # The innermost span: an entity sits inside a sentence-sized span.
        return self.spans.innermost_at(self.view.cursor)

    def on_resize(self) -> None:
        self._update_status()  # the status line fits what it shows to its width

    def _update_status(self, *, note: str | None = None) -> None:
        """Redraw the status line; a `note` stays until the cursor moves or another replaces it."""
        if note is not None:
            self._note = note
        note = self._note
        status = Text(no_wrap=True, overflow="ellipsis")
        span = self.span_under_cursor()
        if note:
            status.append(note, style="bold")
        elif span is not None:
            label = self.labels.get(span.label)
            status.append(f" {visible(span.label, keep_newlines=False)} ",
                          style=label_style(label) if label else "reverse")
            status.append(f" “{excerpt(self.article.text, span, 40)}”")
            if span.annotator != self.annotator:
                status.append(f" ({visible(span.annotator, keep_newlines=False)})", style="dim")
        elif self.suggestion_at_cursor() is not None:
            self.suggestion_status(status)
        else:
            status.append("no span here", style="dim")
        counts = self.spans.counts()
        # In label-set order, so the figures keep their places as they change.
        order = [name for name in self.labels if name in counts]
        order += [name for name in counts if name not in self.labels]
        summary = ", ".join(f"{counts[name]} {visible(name, keep_newlines=False)}" for name in order)
        total = len(self.spans)
        figures = Text(f"   {total} span{'' if total == 1 else 's'} ({summary or 'none'})", style="dim")
        save = Text("   ").append_text(self._save_state())
        line = self.query_one("#status-line", TextLines)
        # Whether the work is saved must always show, then the figures: when the line is too
        # long for the screen, what is said of the cursor gives way first, then the figures.
        width = line.content_size.width
        if width and status.cell_len + figures.cell_len + save.cell_len > width:
            if width - save.cell_len - figures.cell_len < MIN_DESCRIPTION:
                figures = Text()
            status.truncate(max(0, width - save.cell_len - figures.cell_len), overflow="ellipsis")
        status.append_text(figures)
        status.append_text(save)
        line.update(status)

    def _save_state(self) -> Text:
        """What the status line says of the writes: only a commit that returned is "saved"."""
        if self._stopped:
            return Text("WRITING STOPPED: see the notice", style="bold reverse red")
        if self._in_flight:
            if self._waiting:
                return Text(f"waiting for the database ({self._waiting:.0f} s, locked by another "
                            "process)…", style="bold yellow")
            return Text("saving…", style="yellow")
        if self._write_error:
            return Text(f"NOT SAVED: {self._write_error}", style="bold red")
        if self.ctx.store.read_only:
            return Text("read-only", style="bold")
        if self._committed:
            return Text("saved ✓", style="bold green")
        return Text("")

    # -- events --------------------------------------------------------------------------------

    @on(ArticleView.CursorMoved)
    def _cursor_moved(self, event: ArticleView.CursorMoved) -> None:
        self._update_status(note="")
        span = self.span_under_cursor()
        self.query_one(SpanList).highlight_span(span.id if span else None)
        if self._place_timer is not None:
            self._place_timer.stop()
        self._place_timer = self.set_timer(PLACE_SAVE_DELAY, self._on_still)

    @on(SpanList.Chosen)
    def _span_chosen(self, event: SpanList.Chosen) -> None:
        self.view.cursor = event.span.start
        self.view.focus()

    @on(WritesWaiting)
    def _writes_waiting(self, event: WritesWaiting) -> None:
        self._waiting = event.seconds
        self._update_status()

    @on(WritesStopped)
    def _writes_stopped(self, event: WritesStopped) -> None:
        self._stopped = event.reason
        self._update_status()

    def _on_still(self) -> None:
        """The cursor has rested a moment: save the reading place, and let the collector make
        its full pass now, over everything frozen since the last rest too, rather than in the
        middle of a keypress; what survives is frozen again."""
        self.save_place()
        gc.unfreeze()
        gc.collect()
        gc.freeze()

    def save_place(self) -> None:
        self._place_timer = None
        if self.ctx.store.read_only or self.ctx.writes is None:
            return
        view = self.view
        article_id, annotator = self.article_id, self.annotator
        cursor, top = view.cursor, view.top_offset
        # The reading place is a convenience: a write of it that fails is not worth a warning.
        self.ctx.writes.submit(
            lambda store: store.save_place(article_id, annotator, cursor, top),
            lambda result, error: None,
        )

    def on_screen_suspend(self) -> None:
        self.save_place()

    def on_unmount(self) -> None:
        for timer in (self._place_timer, self._watch_timer):
            if timer is not None:
                timer.stop()
        gc.unfreeze()

    # -- writing -------------------------------------------------------------------------------

    def _write(self, run, *, predicted: Change | None = None, on_done=None) -> None:
        """Commit `run(store)` on the write thread. A `predicted` change has been painted
        already; `on_done(change)` is called with what was committed."""
        if self.ctx.writes is None:
            return
        provisional = self._provisional

        def job(store):
            change = run(store)
            if predicted is not None and isinstance(change, Change):
                provisional.record(predicted, change)
            return change

        def done(result, error: BaseException | None) -> None:
            self._in_flight -= 1
            if not self.is_attached:
                return
            if error is not None:
                self._failed(error)
                if predicted is not None:
                    self._go_to_change(predicted)  # back to what was not saved
            else:
                self._write_error = None
                self._committed = True
                self.committed(result)
                if predicted is not None:
                    if provisional.matches(predicted, result):
                        self.document.swap(provisional.settle(predicted, result))
                    else:
                        self._stale = True
                elif on_done is not None:
                    on_done(result)
            if not self._in_flight and self._stale:
                self._reload()
            self._update_status()

        self._in_flight += 1
        self.ctx.writes.submit(job, done, head_start=HEAD_START)

    def committed(self, result) -> None:
        """A write of this screen's came back committed (a hook for screens built on this one)."""

    def _failed(self, error: BaseException) -> None:
        """A write did not commit: say so, and show what the database holds."""
        self._write_error = visible(describe(error), keep_newlines=False)
        self._stale = True
        if not getattr(error, "fatal", False):
            self.notify(visible(self._write_error), title="Not saved", severity="error", markup=False)

    def _reload(self) -> None:
        """Show what the database holds (after a failed write, or another window's change)."""
        self._stale = False
        store = self.ctx.store
        try:
            spans = self._read_spans(store)
            held = store.article(self.article_id, self.annotator)
        except (StoreError, sqlite3.Error) as exc:
            self._write_error = visible(describe(exc), keep_newlines=False)
            return
        self.article = self.article._replace(status=held.status, title=held.title)
        self.document.replace_spans(spans, in_order=True)
        self._update_header()
        self._seen_version = store.data_version()

    def _watch(self) -> None:
        """Another window or process may have changed this article: if so, show what it did."""
        if self._in_flight:
            return
        store = self.ctx.store
        try:
            version = store.data_version()
            if version == self._seen_version:
                return
            self._seen_version = version
            held = store.span_fingerprint(self.article_id, self._whose(store, self.annotator))
            status = store.status_of(self.article_id, self.annotator)
        except (StoreError, sqlite3.Error):
            return
        if held != self.spans.fingerprint() or status != self.article.status:
            self._reload()
            self._update_status(note="updated: this article was changed in another window")

    def _paint(self, change: Change, *, note: str = "") -> None:
        """Draw a change to the spans (painted ahead of its commit, or one that came back)."""
        self.document.apply(change)
        self.suggestions_changed(change)
        self._update_header()
        self._update_status(note=note)
        # Each change leaves long-lived objects (spans, drawn rows): frozen at once, so the
        # collector's full passes between keys do not scan more of them with every key. The
        # pass at the next rest (_on_still) takes in whatever of it became garbage.
        gc.freeze()

    def _guard_writes(self) -> bool:
        """True (with a note) when this screen must not change anything now."""
        if self._show_all:
            self.notify("Showing all annotators read-only: press A to edit your own spans.")
            return True
        if self.ctx.store.read_only:
            self._update_status(note="the database is read-only: nothing can be tagged")
            return True
        if self._stopped:
            self.notify(visible(self._stopped), title="Writing stopped", severity="error", markup=False)
            return True
        return False

    # -- actions -------------------------------------------------------------------------------

    def _plan_tag(self, start: int, end: int, name: str) -> rules.Plan:
        layer = self.labels[name].layer
        text = self.article.text
        existing = self.spans.overlapping(self.annotator, layer, start, end)
        return rules.plan_tag(existing, start, end, name, layer, source="manual", stamp=now(),
                              text_at=lambda a, b: text[a:b])

    def action_tag(self, name: str) -> None:
        label = self.labels[name]
        if self._relabel_pending:
            self._relabel_pending = False
            self._relabel(name)
            return
        if self._guard_writes():
            return
        view = self.view
        selection = view.selected_span
        if selection:
            target = snap_selection(self.document.segments, *selection, label.unit)
        else:
            target = natural_unit(self.document.segments, view.cursor, label.unit)
        if target is None:
            self.app.bell()
            return
        start, end = target
        plan = self._plan_tag(start, end, name)
        predicted = self._provisional.predict(self.article_id, plan, self.annotator, now())
        article_id, annotator, session_id = self.article_id, self.annotator, self.ctx.session_id
        if selection:
            view.clear_selection()
        note = ""
        if plan.toggled_off and label.layer == "entity":
            note = f"removed {name} “{excerpt(self.article.text, plan.removed[0], 40)}” (u undoes)"
        # Submitted before the paint, so the commit runs on the writer thread meanwhile.
        self._write(
            lambda store: store.tag(article_id, start, end, name, annotator, session_id=session_id),
            predicted=predicted,
        )
        self._paint(predicted, note=note)
        if label.layer == "entity" and predicted.added:
            self._last_entity = (start, end, name)
        if not selection and predicted.added:
            tagged = self.spans.layer_spans(self.annotator, label.layer)
            nxt = next_untagged(self.document.segments, start, label.unit, tagged)
            if nxt is not None:
                view.cursor = nxt
                self.call_after_refresh(self._look_ahead, nxt, label)

    def _look_ahead(self, pos: int, label: Label) -> None:
        """After the key's frame: where the same key pressed again would move the cursor, so
        the view can show it before that key comes."""
        if self.view.cursor != pos or not self.is_mounted:
            return
        tagged = self.spans.layer_spans(self.annotator, label.layer)
        after = next_untagged(self.document.segments, pos, label.unit, tagged)
        if after is not None:
            self.view.expect(after)

    def _relabel(self, name: str) -> None:
        span = self.span_under_cursor()
        if span is None:
            self._update_status(note="no span under the cursor to relabel")
            return
        if self._guard_writes():
            return
        layer = self.labels[name].layer
        text = self.article.text
        others = self.spans.overlapping(self.annotator, layer, span.start, span.end)
        plan = rules.plan_relabel(span, others, name, layer, text_at=lambda a, b: text[a:b])
        if not plan.removed:
            self._update_status()
            return
        predicted = self._provisional.predict(self.article_id, plan, self.annotator, now())
        self._paint(predicted)
        real, annotator, session_id = self._provisional.real_id, self.annotator, self.ctx.session_id
        span_id = span.id
        self._write(
            lambda store: store.relabel(real(span_id), name, annotator, session_id=session_id),
            predicted=predicted,
        )

    def _undo_or_redo(self, redo: bool) -> None:
        if self._guard_writes():
            return
        article_id, annotator, session_id = self.article_id, self.annotator, self.ctx.session_id

        def run(store):
            step = store.redo if redo else store.undo
            return step(article_id, annotator, session_id=session_id)

        def shown(change: Change | None) -> None:
            if not change:
                self._update_status(note=f"nothing to {'redo' if redo else 'undo'}")
                return
            if any(s.id not in self.spans for s in change.removed):
                self._stale = True  # what is shown has drifted from the database
                return
            self._paint(change)
            self._go_to_change(change)

        self._write(run, on_done=shown)
        self._update_status()

    def action_undo(self) -> None:
        if self.undo_rejection():
            return
        self._undo_or_redo(redo=False)

    def action_redo(self) -> None:
        self._undo_or_redo(redo=True)

    def _go_to_change(self, change: Change) -> None:
        spans = change.added or change.removed
        if spans:
            self.view.cursor = min(s.start for s in spans)

    def _span_to_delete(self) -> Span | None:
        """The span `d` deletes: an entity under the cursor, else the segment span there."""
        return self.spans.innermost_at(self.view.cursor)

    def action_delete_span(self) -> None:
        if self._guard_writes():
            return
        span = self._span_to_delete()
        if span is None:
            self._update_status(note="no span under the cursor to delete")
            return
        predicted = Change(self.article_id, (), (span,))
        what = f"deleted {span.label} “{excerpt(self.article.text, span, 40)}” (u undoes)"
        self._paint(predicted, note=visible(what, keep_newlines=False))
        real, annotator, session_id = self._provisional.real_id, self.annotator, self.ctx.session_id
        span_id = span.id
        self._write(
            lambda store: store.delete_span(real(span_id), annotator, session_id=session_id),
            predicted=predicted,
        )

    def action_relabel(self) -> None:
        if self._guard_writes():
            return
        span = self.span_under_cursor()
        if span is None:
            self._update_status(note="no span under the cursor to relabel")
            return
        self._relabel_pending = True
        what = visible(f"relabel {span.label} “{excerpt(self.article.text, span, 40)}”: "
                       "press the new label's key", keep_newlines=False)
        self._update_status(note=what)

    def _jump(self, forward: bool) -> None:
        pos = self.view.cursor
        target = self.spans.next_start(pos) if forward else self.spans.prev_start(pos)
        if target is None:
            self.app.bell()
            return
        self.view.cursor = target

    def _name_motion(self, forward: bool) -> None:
        view = self.view
        find = names.next_name if forward else names.prev_name
        target = find(self.article.text, view.cursor)
        if target is None:
            self.app.bell()
            self._update_status(note=f"no {'later' if forward else 'earlier'} name")
            return
        view.cursor = target

    def action_next_name(self) -> None:
        self._name_motion(True)

    def action_prev_name(self) -> None:
        self._name_motion(False)

    def action_tag_mentions(self) -> None:
        """Tag every other untagged mention of the entity under the cursor, as one change."""
        if self._guard_writes():
            return
        annotator = self.annotator
        span = self._entity_for_mentions()
        if span is None:
            self._update_status(note="put the cursor on a tagged name first: * tags its other mentions")
            return
        text = self.article.text
        tagged = self.spans.layer_spans(annotator, "entity")
        found = names.mentions(text, span.start, span.end, tagged)
        what = visible(f"“{excerpt(text, span, 40)}”", keep_newlines=False)
        if not found:
            self._update_status(note=f"no other untagged mention of {what}")
            return
        stamp = now()
        plan = rules.Plan((), tuple(rules.Remnant(s, e, span.label, "manual", stamp) for s, e in found))
        predicted = self._provisional.predict(self.article_id, plan, annotator, stamp)
        count = len(found)
        self._paint(predicted, note=f"tagged {count} more mention{'s' if count != 1 else ''} of "
                                    f"{what} as {visible(span.label, keep_newlines=False)} (u undoes all)")
        article_id, session_id, name = self.article_id, self.ctx.session_id, span.label
        self._write(
            lambda store: store.tag_many(article_id, found, name, annotator, session_id=session_id),
            predicted=predicted,
        )

    def _entity_for_mentions(self) -> Span | None:
        """The entity `*` spreads: the one under the cursor, else the one tagged last here (the
        entity key has moved the cursor on to the next name by then)."""
        def own_entity(span: Span | None) -> bool:
            label = self.labels.get(span.label) if span is not None else None
            return (span is not None and label is not None and label.layer == "entity"
                    and span.annotator == self.annotator)

        span = self.spans.innermost_at(self.view.cursor)
        if own_entity(span):
            return span
        last = self._last_entity
        if last is None:
            return None
        for span in self.spans.overlapping(self.annotator, "entity", last[0], last[1]):
            if (span.start, span.end, span.label) == last and own_entity(span):
                return span
        return None

    def action_retitle(self) -> None:
        if self._guard_writes():
            return

        def chosen(typed: str | None) -> None:
            if typed is None:
                return
            try:
                title = check_title(typed)
            except StoreError as exc:
                self._update_status(note=visible(f"title not changed: {exc}", keep_newlines=False))
                return
            if title == self.article.title:
                return
            self.article = self.article._replace(title=title)
            self._update_header()
            article_id = self.article_id
            self._write(lambda store: store.set_title(article_id, title),
                        on_done=lambda _: self._update_status(note="title changed"))

        self.app.push_screen(TitlePrompt(self.article.title), chosen)

    def action_next_span(self) -> None:
        self._jump(True)

    def action_prev_span(self) -> None:
        self._jump(False)

    def action_toggle_done(self) -> None:
        if self._guard_writes():
            return
        if self.article.status == "done":
            status = "in_progress" if self.spans else "new"
        else:
            status = "done"
        self.article = self.article._replace(status=status)
        self._update_header()
        article_id, session_id, annotator = self.article_id, self.ctx.session_id, self.annotator
        self._write(
            lambda store: store.set_status(
                article_id, status, annotator=annotator, session_id=session_id
            ),
            on_done=lambda _: self._update_status(note=f"marked {status.replace('_', ' ')}"),
        )
        self._update_status(note=f"marked {status.replace('_', ' ')}")

    def action_toggle_all_annotators(self) -> None:
        self._show_all = not self._show_all
        self._reload()
        self._update_status()

    def action_escape(self) -> None:
        # Escape only cancels; leaving the article is `q`, so a stray escape never loses the place.
        if self._relabel_pending:
            self._relabel_pending = False
            self._update_status()

    def action_back(self) -> None:
        self.save_place()
        self.app.pop_screen()
