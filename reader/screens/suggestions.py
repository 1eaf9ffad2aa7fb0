"""Suggestions on the article screen: drawn apart from tags, accepted or rejected with a key.

`SuggestingScreen` is the base of the article screen: its keys, its actions and the background
work. Suggestions are read and computed off the key path: the database reads go to the write
thread (which owns a connection) and the suggesters run in a Textual thread worker; the result
is painted when it arrives, and a key never waits for it. The fact/opinion classifier is
retrained every few tags, in a process of its own (`reader.suggest.classify.Retrainer`), and
the suggestions are computed again once the keys pause after it is done.

Accepting makes a span with source `suggested` (one undoable change, like a tag); accepting
every suggestion of one label is one change too. A rejection is stored, so the same suggestion
does not come back; undo takes back the rejections made since the last change to the spans.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on
from textual.binding import Binding
from textual.screen import Screen
from textual.timer import Timer

from db import Change, rules
from db.store import now

from ..messages import ModelRetrained, SuggestionsReady, UncertainFound
from .context import UsesContext
from ..text.visible import visible
from ..widgets.article_view import ArticleView

if TYPE_CHECKING:
    from db import Article, Label

    from ..document import Document
    from ..pending import Provisional
    from ..spanset import SpanSet

# After a change, suggestions are computed again once the keys have paused this long (every key
# starts the wait again).
RECOMPUTE_DELAY = 0.4
# Longer articles open with suggestions off (S turns them on): their suggesters run for seconds,
# in a thread that shares the interpreter with the keys.
AUTO_MAX_CHARS = 100_000


# Workers and the training thread hand results over with post_message, which is thread-safe and
# never waits: a thread blocked on the event loop (call_from_thread) would hang a quitting app.


def _trainer(app, labels):
    """The app's classifier retrainer (one per run, shared by every article opened)."""
    from ..suggest import classify

    trainer = getattr(app, "_suggestion_trainer", None)
    if trainer is None or trainer.labels != list(labels):

        def trained(_model, _seconds) -> None:
            screen = app.screen_stack[-1] if app.screen_stack else None
            if isinstance(screen, SuggestingScreen):
                screen.post_message(ModelRetrained())

        trainer = classify.Retrainer(labels, on_trained=trained)
        app._suggestion_trainer = trainer
    return trainer


class SuggestingScreen(UsesContext, Screen):
    """Keys and background work for suggestions; the article screen builds on it."""

    BINDINGS = [
        Binding("a,enter", "accept_suggestion", "Accept", show=False, id="suggest.accept"),
        Binding("X", "reject_suggestion", "Reject", key_display="X", show=False, id="suggest.reject"),
        Binding("ctrl+a", "accept_all_suggestions", "Accept all of label", show=False,
                id="suggest.accept-all"),
        Binding("apostrophe", "next_suggestion", "Next suggestion", key_display="'", show=False,
                id="suggest.next"),
        Binding("quotation_mark", "prev_suggestion", "Previous suggestion", key_display='"',
                show=False, id="suggest.prev"),
        Binding("S", "toggle_suggestions", "Suggestions", key_display="S", id="suggest.toggle"),
        Binding("M", "most_uncertain", "Most uncertain sentence", key_display="M", show=False,
                id="suggest.most-uncertain"),
    ]

    if TYPE_CHECKING:  # what the article screen built on this one provides
        article_id: int
        annotator: str
        document: Document
        labels: dict[str, Label]
        _provisional: Provisional
        _start_place: tuple[int, int]

        @property
        def article(self) -> Article: ...
        @property
        def spans(self) -> SpanSet: ...
        @property
        def view(self) -> ArticleView: ...
        def _update_header(self) -> None: ...
        def _update_status(self, *, note: str | None = None) -> None: ...
        def _guard_writes(self) -> bool: ...
        def _paint(self, change: Change, *, note: str = "") -> None: ...
        def _write(self, run: Callable[[Any], Any], *, predicted: Change | None = None,
                   on_done: Callable[[Any], None] | None = None) -> None: ...

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.suggestions_on = True
        self.suggestions_ready = False  # computed at least once for what is shown
        self._suggestion_gen = 0
        self._suggestion_timer: Timer | None = None
        self._rejected: list = []  # rejections since the last change to the spans, for undo
        self._suggest_base: dict | None = None  # what the suggesters learn from, read once

    # -- computing -----------------------------------------------------------------------------

    def on_mount(self) -> None:
        if len(self.article.text) > AUTO_MAX_CHARS:
            self.suggestions_on = False
            self.view.show_suggestions(False)
            self._update_header()
        self.refresh_suggestions()

    @property
    def suggestions(self) -> Sequence:
        """The suggestions waiting (reader.suggest.Suggestion), in text order."""
        return self.document.suggestions

    def on_unmount(self) -> None:
        if self._suggestion_timer is not None:
            self._suggestion_timer.stop()
        self._suggestion_gen += 1  # whatever is still computing is for a screen gone

    def refresh_suggestions(self) -> None:
        """Compute the suggestions again, in the background.

        The first time, what they learn from is read on the write thread (the annotator's tags
        across the collection, the site's articles, rejections, imported suggestions), and the
        name gazetteer and the site's boilerplate memory are built from the other articles;
        afterwards only this article changes (its spans are the screen's own), so each
        recompute reuses them and costs only this article's suggesters."""
        self._suggestion_timer = None
        if not self.suggestions_on or self.ctx.writes is None or not self.is_attached:
            return
        self._suggestion_gen += 1
        gen = self._suggestion_gen
        self.suggestions_ready = False
        if self._suggest_base is not None:
            own = self._own_spans()
            count = self._suggest_base["count"] + len(own) - self._suggest_base["own_at_read"]
            self.run_worker(lambda: self._compute(gen, own, count), thread=True,
                            group="suggestions", exclusive=True, exit_on_error=False)
            return
        article_id, annotator = self.article_id, self.annotator

        def read(store):
            from ..suggest.collect import imported_for, load_corpus

            return (load_corpus(store, annotator, article_id), imported_for(store, article_id),
                    store.own_tag_count(annotator))

        def got(result, error) -> None:
            if error is not None or gen != self._suggestion_gen or not self.is_attached:
                return
            corpus, imported, count = result
            self._suggest_base = {"corpus": corpus, "imported": imported, "count": count,
                                  "own_at_read": len(corpus.docs[article_id].spans)}
            own = self._own_spans()
            count += len(own) - self._suggest_base["own_at_read"]
            self.run_worker(lambda: self._compute(gen, own, count), thread=True,
                            group="suggestions", exclusive=True, exit_on_error=False)

        self.ctx.writes.submit(read, got)

    def _own_spans(self) -> list[tuple[int, int, str]]:
        annotator = self.annotator
        return [(s.start, s.end, s.label) for s in self.spans.ordered if s.annotator == annotator]

    def _compute(self, gen: int, own: list, count: int) -> None:
        """In a worker thread: every suggester, then hand the result to the screen."""
        from ..suggest import classify
        from ..suggest.boilerplate import SiteMemory
        from ..suggest.engine import suggest_article
        from ..suggest.model import Doc
        from ..suggest.names import Gazetteer

        base = self._suggest_base
        assert base is not None  # read before the first compute
        corpus = base["corpus"]
        doc = corpus.docs[self.article_id]
        corpus.docs[self.article_id] = Doc(doc.id, doc.text, doc.site, own)
        if "gazetteer" not in base:
            base["gazetteer"] = Gazetteer.build(corpus, exclude=self.article_id)
            base["memory"] = SiteMemory.build(corpus, doc.site, exclude=self.article_id)
        trainer = _trainer(self.app, corpus.sentence_labels)
        trainer.maybe_retrain(classify.Examples(corpus), count)
        found = suggest_article(corpus, self.article_id, model=trainer.current,
                                imported=base["imported"], gazetteer=base["gazetteer"],
                                memory=base["memory"])
        if gen == self._suggestion_gen:
            self.post_message(SuggestionsReady(gen, found))

    @on(SuggestionsReady)
    def _ready(self, message: SuggestionsReady) -> None:
        self._suggestions_arrived(message.gen, message.found)

    @on(ModelRetrained)
    def _retrained(self, _message: ModelRetrained) -> None:
        # Like a change: once the keys have paused (a new model predicts every sentence again).
        if self.suggestions_on:
            self._restart_suggestion_timer()

    def _suggestions_arrived(self, gen: int, found: list) -> None:
        if gen != self._suggestion_gen or not self.is_attached:
            return
        self.document.set_suggestions(found)  # spans made since the read was taken win
        self.suggestions_ready = True
        self._update_header()
        self._update_status()

    def suggestions_changed(self, change: Change) -> None:
        """The spans changed (the document has dropped the suggestions the change covers):
        compute again in a moment."""
        self._rejected.clear()  # undo now belongs to this change
        if not self.suggestions_on:
            self._suggestion_timer_stop()
            return
        self._restart_suggestion_timer()

    def _restart_suggestion_timer(self) -> None:
        if self._suggestion_timer is not None:
            self._suggestion_timer.stop()
        self._suggestion_timer = self.set_timer(RECOMPUTE_DELAY, self.refresh_suggestions)

    @on(ArticleView.CursorMoved)
    def _put_off_recompute(self, _event: ArticleView.CursorMoved) -> None:
        # A move puts off a recompute that is waiting as a change does: it runs once the keys
        # have paused, and a worker never takes the interpreter from a run of keys.
        if self._suggestion_timer is not None:
            self._restart_suggestion_timer()

    def _suggestion_timer_stop(self) -> None:
        if self._suggestion_timer is not None:
            self._suggestion_timer.stop()
            self._suggestion_timer = None

    # -- drawing -------------------------------------------------------------------------------

    def suggestion_note(self) -> str:
        """For the header: how many suggestions are waiting."""
        if not self.suggestions_on:
            if len(self.article.text) > AUTO_MAX_CHARS and not self.suggestions_ready:
                return "suggestions off for a long article (S computes them)"
            return "suggestions off (S)"
        if not self.suggestions_ready and not self.suggestions:
            return "suggesting…"
        n = len(self.suggestions)
        return f"{n} suggestion{'' if n == 1 else 's'} waiting"

    def suggestion_at_cursor(self):
        if not self.suggestions_on:
            return None
        return self.document.suggestion_at(self.view.cursor)

    def suggestion_status(self, status: Text) -> None:
        s = self.suggestion_at_cursor()
        if s is None:
            return
        status.append(f" suggested {visible(s.label, keep_newlines=False)} {s.score:.2f} ",
                      style="italic reverse")
        status.append(f" {visible(s.reason, keep_newlines=False)}; a accepts, X rejects",
                      style="italic")

    # -- actions -------------------------------------------------------------------------------

    def _accept(self, chosen: list, note: str) -> None:
        if not chosen or self._guard_writes():
            return
        stamp = now()
        plan = rules.Plan((), tuple(rules.Remnant(s.start, s.end, s.label, "suggested", stamp)
                                    for s in chosen))
        predicted = self._provisional.predict(self.article_id, plan, self.annotator, stamp)
        self.document.remove_suggestions(chosen)
        self._paint(predicted, note=visible(note, keep_newlines=False))
        article_id, annotator, session_id = self.article_id, self.annotator, self.ctx.session_id
        keys = [s.key for s in chosen]
        self._write(
            lambda store: store.accept_suggestions(article_id, keys, annotator, session_id=session_id),
            predicted=predicted,
        )

    def action_accept_suggestion(self) -> None:
        s = self.suggestion_at_cursor()
        if s is None:
            self._update_status(note="no suggestion under the cursor (' goes to the next)")
            return
        text = self.article.text[s.start:s.end]
        short = text if len(text) <= 40 else text[:39] + "…"
        self._accept([s], f"accepted {s.label} “{short}” (u undoes)")
        self._go_next_suggestion(s.start)

    def action_accept_all_suggestions(self) -> None:
        s = self.suggestion_at_cursor()
        if s is None:
            self._update_status(note="put the cursor on a suggestion: every one of its label is accepted")
            return
        chosen = [x for x in self.suggestions if x.label == s.label]
        self._accept(chosen, f"accepted {len(chosen)} {s.label} suggestion"
                             f"{'' if len(chosen) == 1 else 's'} (u undoes)")

    def action_reject_suggestion(self) -> None:
        s = self.suggestion_at_cursor()
        if s is None:
            self._update_status(note="no suggestion under the cursor")
            return
        if self._guard_writes():
            return
        self.document.remove_suggestions([s])
        self._rejected.append(s)
        self._remember_rejection(s, True)
        self._update_header()
        article_id, annotator = self.article_id, self.annotator
        self._write(
            lambda store: store.reject_suggestion(article_id, s.start, s.end, s.label, annotator,
                                                  kind=s.kind),
            on_done=lambda _rid: None,
        )
        self._update_status(note=visible(f"rejected {s.label} suggestion: it will not be made again",
                                         keep_newlines=False))
        self._go_next_suggestion(s.start)

    def _remember_rejection(self, s, rejected: bool) -> None:
        base = self._suggest_base
        if base is None:
            return
        corpus = base["corpus"]
        key = (self.article_id, s.start, s.end, s.label)
        text = (s.label, self.article.text[s.start:s.end])
        if rejected:
            corpus.rejected.add(key)
            corpus.rejected_texts[text] += 1
        else:
            corpus.rejected.discard(key)
            corpus.rejected_texts[text] -= 1

    def undo_rejection(self) -> bool:
        """Undo the latest rejection when nothing has changed the spans since; whether it did."""
        if not self._rejected or self._guard_writes():
            return False
        s = self._rejected.pop()
        self._remember_rejection(s, False)
        article_id, annotator = self.article_id, self.annotator
        self._write(
            lambda store: store.unreject_span(article_id, s.start, s.end, s.label, annotator),
            on_done=lambda _found: None,
        )
        self.document.add_suggestion(s)
        self._update_header()
        self.view.cursor = s.start
        self._update_status(note=visible(f"rejection of the {s.label} suggestion undone",
                                         keep_newlines=False))
        return True

    def _go_next_suggestion(self, after: int) -> None:
        nxt = self.document.next_suggestion_start(after)
        if nxt is not None:
            self.view.cursor = nxt

    def action_next_suggestion(self) -> None:
        nxt = self.document.next_suggestion_start(self.view.cursor)
        if nxt is None or not self.suggestions_on:
            self.app.bell()
            return
        self.view.cursor = nxt

    def action_prev_suggestion(self) -> None:
        prv = self.document.prev_suggestion_start(self.view.cursor)
        if prv is None or not self.suggestions_on:
            self.app.bell()
            return
        self.view.cursor = prv

    def action_toggle_suggestions(self) -> None:
        self.suggestions_on = not self.suggestions_on
        self.view.show_suggestions(self.suggestions_on)
        if self.suggestions_on:
            self.refresh_suggestions()
        self._update_header()
        self._update_status(note=f"suggestions {'on' if self.suggestions_on else 'off'}")

    def action_most_uncertain(self) -> None:
        """Go to the untagged sentence, across the collection, the classifier is least sure of."""
        if self.ctx.writes is None:
            return
        annotator = self.annotator

        def read(store):
            from ..suggest.collect import load_corpus

            return load_corpus(store, annotator, all_articles=True), store.own_tag_count(annotator)

        def got(result, error) -> None:
            if error is not None or not self.is_attached:
                return
            self.run_worker(lambda: self._find_uncertain(*result), thread=True, group="uncertain",
                            exclusive=True, exit_on_error=False)

        self._update_status(note="looking for the sentence the model is least sure of…")
        self.ctx.writes.submit(read, got)

    def _find_uncertain(self, corpus, count: int) -> None:
        from ..suggest import classify

        trainer = _trainer(self.app, corpus.sentence_labels)
        trainer.maybe_retrain(classify.Examples(corpus), count)
        rows = classify.most_uncertain(corpus, trainer.current, limit=1)
        self.post_message(UncertainFound(rows))

    @on(UncertainFound)
    def _go_uncertain(self, message: UncertainFound) -> None:
        rows = message.rows
        if not self.is_attached:
            return
        if not rows:
            self._update_status(note="no untagged sentence left to ask about")
            return
        article_id, start, _end, uncertainty = rows[0]
        note = f"the model is least sure of this sentence (uncertainty {uncertainty:.2f})"
        if article_id == self.article_id:
            self.view.cursor = start
            self._update_status(note=note)
            return
        self.ctx.open_article(article_id)
        screen = self.app.screen
        if isinstance(screen, SuggestingScreen) and screen.article_id == article_id:
            screen._start_place = (start, start)
