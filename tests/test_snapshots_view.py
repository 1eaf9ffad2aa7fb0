"""Snapshots of the article view: overlapping spans, selection, find matches and the cursor drawn
together, and hostile text drawn inert. Update with ``pytest --snapshot-update`` after a deliberate
change, and look at the SVGs before committing them."""

from __future__ import annotations

from rich.style import Style
from textual.app import App, ComposeResult

from reader.widgets.article_view import ArticleView, SpanMark
from reader.widgets.reading_pane import FindBar, ReadingPane

TEXT = (
    "Council backs £4.2m budget\n\n"
    "The council voted 31–12 on Tuesday. Mr. Boris Johnson said it was “a disgrace”, and the "
    "leader of the opposition, Jane Smith, called the plan reckless. Officials in 東京 and "
    "families 👨\u200d👩\u200d👧 alike will feel the effects.\n\n"
    "Subscribe to our newsletter\x1b[2J [bold]now[/]"
)


class SnapshotApp(App):
    def compose(self) -> ComposeResult:
        yield ReadingPane(TEXT, cursor=TEXT.index("Jane"), reading_width=60)

    def on_mount(self) -> None:
        view = self.query_one(ArticleView)
        view.focus()
        fact = TEXT.index("The council")
        opinion = TEXT.index("Mr. Boris")
        view.set_spans([
            SpanMark(fact, TEXT.index("Mr. Boris") - 1, "segment", Style(bgcolor="#1b5e20"), 1),
            SpanMark(opinion, TEXT.index("Officials") - 1, "segment", Style(bgcolor="#7f1d1d"), 2),
            # Overlaps both segments.
            SpanMark(TEXT.index("Tuesday"), TEXT.index("Boris") + 5, "segment",
                     Style(bgcolor="#4a148c"), 3),
            SpanMark(TEXT.index("Boris"), TEXT.index("Boris") + 13, "entity",
                     Style(color="#64b5f6"), 4),
            SpanMark(TEXT.index("Jane"), TEXT.index("Jane") + 10, "entity",
                     Style(color="#ffb74d"), 5),
            SpanMark(TEXT.index("Subscribe"), len(TEXT), "segment", Style(bgcolor="#424242"), 6),
        ])
        view.find("the")
        view.select(TEXT.index("called"), TEXT.index("reckless") + 8)
        # The find input's blinking cursor would make snapshots flaky.
        self.query_one(FindBar).input.cursor_blink = False


def test_spans_selection_find_and_cursor(snap_compare):
    assert snap_compare(SnapshotApp(), terminal_size=(100, 30))


def test_find_bar_open(snap_compare):
    assert snap_compare(SnapshotApp(), press=["slash", "z", "z"], terminal_size=(100, 30))
