"""Tagging through the real app: press keys, then assert the exact rows in the database."""

import pytest

from db import NewArticle
from reader.app import ReaderApp
from reader.config import Settings
from reader.screens.article import ArticleScreen

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend():
    return "asyncio"


TEXT = (
    "Council backs budget\n"
    "By Ann Lee\n\n"
    "The council voted on Tuesday. Mr. Boris Johnson said it was “a disgrace”. Nobody agreed.\n\n"
    "Subscribe to our newsletter"
)
EMOJI = "👨‍👩‍👧 Zoë met 東京 officials. Cafe\u0301 prices rose."


def make_app(store):
    return ReaderApp(store, annotator="ann", settings=Settings(), save_settings=False)


def rows(store, article_id, annotator="ann"):
    return [(store.article(article_id).text[s.start : s.end], s.label) for s in store.spans(article_id, annotator)]


async def press(pilot, *keys):
    """Press keys, then wait for the writes they made to commit and be shown."""
    await pilot.press(*keys)
    await pilot.app.writes_settled()
    await pilot.pause()


async def open_article(pilot, app, article_id):
    app.open_article(article_id)
    await pilot.pause()
    assert isinstance(app.screen, ArticleScreen)
    return app.screen.view


@pytest.fixture
def ids(store):
    return store.add_articles([NewArticle("Council backs budget", TEXT), NewArticle("Emoji", EMOJI)]).ids


async def test_label_key_tags_sentence_and_moves_on(store, ids):
    app = make_app(store)
    async with app.run_test(size=(110, 34)) as pilot:
        view = await open_article(pilot, app, ids[0])
        assert view.cursor == 0
        await press(pilot, "1")
        assert rows(store, ids[0]) == [("Council backs budget", "fact")]
        assert view.cursor == TEXT.index("By Ann Lee")
        await press(pilot, "x")  # boilerplate by letter key: the byline paragraph
        assert rows(store, ids[0])[-1] == ("By Ann Lee", "boilerplate")
        assert view.cursor == TEXT.index("The council")
        await press(pilot, "1", "2")
        assert rows(store, ids[0])[-2:] == [
            ("The council voted on Tuesday.", "fact"),
            ("Mr. Boris Johnson said it was “a disgrace”.", "opinion"),
        ]
        assert view.cursor == TEXT.index("Nobody")
        assert store.article(ids[0]).status == "in_progress"
        status = str(app.screen.query_one("#status-line").render())
        assert "saved" in status


async def test_selection_is_snapped_to_words_and_replaces_part_of_a_span(store, ids):
    app = make_app(store)
    async with app.run_test(size=(110, 34)) as pilot:
        view = await open_article(pilot, app, ids[0])
        view.cursor = TEXT.index("The council")
        await press(pilot, "1")  # fact over the whole sentence
        view.cursor = TEXT.index("ouncil voted")
        await press(pilot, "v", "w", "l", "l")  # visual mode: from inside "council" into "voted"
        await press(pilot, "2")
        assert rows(store, ids[0]) == [
            ("The", "fact"),
            ("council voted", "opinion"),
            ("on Tuesday.", "fact"),
        ]
        assert view.selected_span is None


async def test_entity_inside_fact_and_toggle(store, ids):
    app = make_app(store)
    async with app.run_test(size=(110, 34)) as pilot:
        view = await open_article(pilot, app, ids[0])
        view.cursor = TEXT.index("Mr. Boris")
        await press(pilot, "1")
        view.cursor = TEXT.index("Johnson")
        await press(pilot, "4")
        assert rows(store, ids[0]) == [
            ("Mr. Boris Johnson said it was “a disgrace”.", "fact"),
            ("Boris Johnson", "entity"),
        ]
        view.cursor = TEXT.index("Boris")
        await press(pilot, "c")  # the same entity again: toggled off
        assert rows(store, ids[0]) == [("Mr. Boris Johnson said it was “a disgrace”.", "fact")]


async def test_delete_relabel_undo_redo_across_reopening(store, ids):
    app = make_app(store)
    async with app.run_test(size=(110, 34)) as pilot:
        view = await open_article(pilot, app, ids[0])
        view.cursor = TEXT.index("The council")
        await press(pilot, "1")
        view.cursor = TEXT.index("voted")
        await press(pilot, "r", "2")
        assert rows(store, ids[0]) == [("The council voted on Tuesday.", "opinion")]
        await press(pilot, "d")
        assert rows(store, ids[0]) == []
        await press(pilot, "q")
        await pilot.pause()
        assert not isinstance(app.screen, ArticleScreen)
        view = await open_article(pilot, app, ids[0])
        assert view.cursor == TEXT.index("voted")  # the place was remembered
        await press(pilot, "u")
        assert rows(store, ids[0]) == [("The council voted on Tuesday.", "opinion")]
        await press(pilot, "u")
        assert rows(store, ids[0]) == [("The council voted on Tuesday.", "fact")]
        await press(pilot, "ctrl+r")
        assert rows(store, ids[0]) == [("The council voted on Tuesday.", "opinion")]


async def test_offsets_with_emoji_combining_marks_and_wide_characters(store, ids):
    app = make_app(store)
    async with app.run_test(size=(110, 34)) as pilot:
        view = await open_article(pilot, app, ids[1])
        view.cursor = EMOJI.index("Zoë")
        await press(pilot, "4")
        view.cursor = EMOJI.index("東京")
        await press(pilot, "shift+right", "shift+right", "4")  # CJK has no spaces: select it
        view.cursor = EMOJI.index("Cafe")
        await press(pilot, "1")
        spans = store.spans(ids[1], "ann")
        got = [(s.start, s.end, s.label) for s in spans]
        zoe, tokyo, cafe = EMOJI.index("Zoë"), EMOJI.index("東京"), EMOJI.index("Cafe")
        assert got == [
            (zoe, zoe + 3, "entity"),
            (tokyo, tokyo + 2, "entity"),
            (cafe, len(EMOJI), "fact"),
        ]
        assert EMOJI[cafe : len(EMOJI)] == "Cafe\u0301 prices rose."


async def test_mark_done_and_next_article(store, ids):
    app = make_app(store)
    async with app.run_test(size=(110, 34)) as pilot:
        await open_article(pilot, app, ids[0])
        await press(pilot, "D")
        assert store.article(ids[0]).status == "done"
        await press(pilot, "greater_than_sign")
        await pilot.pause()
        assert app.screen.article_id == ids[1]


async def test_all_annotators_view_is_read_only(store, ids):
    store.tag(ids[0], 0, 7, "fact", "bob")
    app = make_app(store)
    async with app.run_test(size=(110, 34)) as pilot:
        screen_view = await open_article(pilot, app, ids[0])
        assert app.screen.spans == {}
        await press(pilot, "A")
        assert [s.annotator for s in app.screen.spans.values()] == ["bob"]
        screen_view.cursor = TEXT.index("The council")
        await press(pilot, "1")
        assert rows(store, ids[0]) == []
        assert len(store.spans(ids[0], "bob")) == 1


LONG = "\n\n".join(
    f"Paragraph {p} opens here. The council met on day {p} and voted. Nobody agreed at all."
    for p in range(1200)
)


async def test_long_article_opens_at_its_place_and_tags_update_everything_in_place(store):
    from reader.widgets.span_list import SpanList

    (article_id,) = store.add_articles([NewArticle("Long", LONG)]).ids
    spans = [store.tag(article_id, i * 90, i * 90 + 10, "fact", "ann") for i in range(0, 1000, 3)]
    assert all(spans)
    top = LONG.index("Paragraph 600 ")
    cursor = LONG.index("The council", LONG.index("Paragraph 602 "))
    store.save_place(article_id, "ann", cursor, top)
    app = make_app(store)
    async with app.run_test(size=(110, 34)) as pilot:
        app.open_article(article_id)
        await pilot.pause()
        screen = app.screen
        view = screen.view
        await pilot.pause()
        # The whole text is wrapped by now, and the place is where it was left.
        assert view.wrapped.exact is None and len(view.wrapped) > 3000
        assert view.top_offset == top and view.cursor == cursor
        assert view.render_line(0).text.strip().startswith("Paragraph 600 opens here.")
        day = "The council met on day 602 and voted."
        before = len(store.spans(article_id, "ann"))
        await press(pilot, "1")
        assert (day, "fact") in rows(store, article_id)
        assert len(store.spans(article_id, "ann")) == before + 1
        assert view.cursor == LONG.index("Nobody", cursor)
        await pilot.pause(0.1)  # the list follows a moment later
        listed = screen.query_one(SpanList).spans
        assert listed == store.spans(article_id, "ann")  # inserted in text order, not rebuilt
        assert any(m.start == cursor and m.layer == "segment" for m in view.spans)
        status = str(screen.query_one("#status-line").render())
        assert f"{before + 1} spans ({before + 1} fact)" in status and "saved" in status
        await press(pilot, "u")
        assert len(store.spans(article_id, "ann")) == before
        await pilot.pause(0.1)
        assert screen.query_one(SpanList).spans == store.spans(article_id, "ann")
        assert not any(m.start == cursor for m in view.spans)
        assert len(screen.spans) == before


async def test_long_article_first_paint_shows_real_rows_around_the_place(store):
    (article_id,) = store.add_articles([NewArticle("Long", LONG)]).ids
    top = LONG.index("Paragraph 900 ")
    store.save_place(article_id, "ann", LONG.index("Paragraph 903 "), top)
    app = make_app(store)
    async with app.run_test(size=(110, 34)) as pilot:
        await pilot.pause()
        painted = []
        from reader.widgets.article_view import ArticleView

        original = ArticleView.render_line

        def spy(self, y):
            strip = original(self, y)
            if self._wrapped is not None and self._wrapped.exact is not None:
                painted.append(strip.text.strip())
            return strip

        ArticleView.render_line = spy
        try:
            app.open_article(article_id)
            await pilot.pause()
            await pilot.pause()
        finally:
            ArticleView.render_line = original
        # The first screen came from the window: real text from the saved place down.
        assert painted and painted[0].startswith("Paragraph 900 opens here.")
        view = app.screen.view
        assert view.wrapped.exact is None
        assert view.top_offset == top and view.cursor == LONG.index("Paragraph 903 ")
        # Motions far from the window work on the whole wrap.
        await press(pilot, "G")
        assert view.cursor == len(LONG)
        await press(pilot, "g")
        assert view.cursor == 0


async def test_view_and_span_list_draw_the_one_document(store, ids):
    """Tags, an undo and a relabel reach the text view and the span list from the screen's one
    document: both show exactly its spans, with the ids the database gave them."""
    from reader.widgets.span_list import SpanList

    app = make_app(store)
    async with app.run_test(size=(110, 34)) as pilot:
        view = await open_article(pilot, app, ids[0])
        screen = app.screen
        span_list = screen.query_one(SpanList)
        await press(pilot, "1", "x", "1", "2", "u")
        view.cursor = TEXT.index("Council")
        await press(pilot, "r", "2")  # relabel the headline as opinion
        await pilot.pause(0.2)  # the span list follows a moment later
        held = {s.id for s in store.spans(ids[0], "ann")}
        assert set(screen.document.spans) == held and len(held) == 3
        assert {m.id for m in view.spans if m.layer != "suggestion"} == held
        assert [s.id for s in span_list.spans] == [s.id for s in store.spans(ids[0], "ann")]
        labels = {(TEXT[s.start:s.end], s.label) for s in span_list.spans}
        assert ("Council backs budget", "opinion") in labels


@pytest.mark.parametrize("width", [70, 40])
async def test_the_save_state_shows_however_long_the_status_line(store, width):
    text = "Der Gemeinderat hat am Dienstag beschlossen, die alte Brücke zu reparieren. " * 3
    (article_id,) = store.add_articles([NewArticle("Brücke", text.strip())]).ids
    app = make_app(store)
    async with app.run_test(size=(width, 30)) as pilot:
        await open_article(pilot, app, article_id)
        await press(pilot, "1", "2", "left", "left")  # back on the opinion: a long excerpt
        line = str(app.screen.query_one("#status-line").render()).rstrip()
        assert line.endswith("saved ✓"), line
        assert len(line) <= width - 2  # the line's padding
        assert "“Der Gemeinderat" in line and "…" in line
        # The figures stay while there is room for them and a little of the description.
        assert ("2 spans (1 fact, 1 opinion)" in line) == (width == 70), line


@pytest.mark.parametrize("run", [5, 40])
async def test_the_view_shows_where_the_next_tag_key_goes_while_the_keys_rest(store, run):
    """After a tag key, the sentence the same key would go to next is brought into view before
    that key comes, when the cursor can stay in view too; past a longer tagged run it is not."""
    (article_id,) = store.add_articles([NewArticle("Long", LONG)]).ids
    tagged_from = LONG.index("Paragraph 6 ")
    tagged_to = LONG.index(f"Paragraph {6 + run} ")
    for offset in range(tagged_from, tagged_to):
        if offset == 0 or LONG[offset - 2 : offset] in ("\n\n", ". "):
            store.tag(article_id, offset, LONG.index(".", offset) + 1, "fact", "ann")
    cursor = LONG.index("The council", LONG.index("Paragraph 5 "))
    store.save_place(article_id, "ann", cursor, 0)
    app = make_app(store)
    async with app.run_test(size=(110, 34)) as pilot:
        view = await open_article(pilot, app, article_id)
        await pilot.pause(0.1)
        height = view.scrollable_content_region.height
        assert int(view.scroll_offset.y) == 0 and view.wrapped.row_of(cursor) < height
        await press(pilot, "1")  # tags day 5's sentence, onto "Nobody agreed" of paragraph 5
        await pilot.pause(0.1)
        assert view.cursor == LONG.index("Nobody", cursor)
        after_run = LONG.index("Paragraph", tagged_to)
        top, row = int(view.scroll_offset.y), view.wrapped.row_of(view.cursor)
        assert top <= row < top + height
        if run == 5:
            assert top > 0 and top <= view.wrapped.row_of(after_run) < top + height
            await press(pilot, "1")
            assert view.cursor == after_run and int(view.scroll_offset.y) == top  # no scroll
        else:
            assert top == 0  # the cursor would leave the view: the next key scrolls
            await press(pilot, "1")
            assert view.cursor == after_run
            top = int(view.scroll_offset.y)
            assert top > 0 and top <= view.wrapped.row_of(after_run) < top + height
