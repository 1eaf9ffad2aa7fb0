"""Suggestions in the article screen: real keys, then the database and the screen."""

from __future__ import annotations

import asyncio

import pytest

from db import NewArticle
from reader.app import ReaderApp
from reader.config import Settings
from reader.screens.article import ArticleScreen
from suggest_collection import make_collection

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend():
    return "asyncio"


@pytest.fixture
def ids(store):
    made = make_collection(10)
    ids = store.add_articles(NewArticle(m.title, m.text, source=m.site, url=m.url) for m in made).ids
    for aid, m in zip(ids[:4], made[:4]):
        for s, e, label in m.spans:
            store.tag(aid, s, e, label, "ann")
    return list(ids)


async def settle(pilot) -> ArticleScreen:
    """Wait (by events, not by time) until the writes are in and suggestions are shown."""
    app = pilot.app
    for _ in range(400):
        await app.writes_settled()
        await pilot.pause()
        screen = app.screen
        trainer = getattr(app, "_suggestion_trainer", None)
        if (screen.suggestions_ready and screen._suggestion_timer is None
                and not (trainer and trainer.busy) and not app.workers._workers):
            return screen
        await asyncio.sleep(0.02)
    raise AssertionError("suggestions never settled")


async def open_at(pilot, article_id) -> ArticleScreen:
    pilot.app.open_article(article_id)
    await pilot.pause()
    assert isinstance(pilot.app.screen, ArticleScreen)
    return await settle(pilot)


def make_app(store):
    return ReaderApp(store, annotator="ann", settings=Settings(), save_settings=False)


async def test_suggestions_are_drawn_apart_and_counted_in_the_header(store, ids):
    app = make_app(store)
    async with app.run_test(size=(110, 34)) as pilot:
        screen = await open_at(pilot, ids[6])
        n = len(screen.suggestions)
        assert n > 10
        header = str(screen.query_one("#article-header").render())
        assert f"{n} suggestions waiting" in header
        marks = [m for m in screen.view.spans if m.layer == "suggestion"]
        assert len(marks) == n
        assert store.spans(ids[6], "ann") == []  # nothing is a tag until accepted
        await pilot.press("S")
        await pilot.pause()
        assert not [m for m in screen.view.spans if m.layer == "suggestion"]
        assert "suggestions off" in str(screen.query_one("#article-header").render())
        await pilot.press("S")
        screen = await settle(pilot)
        assert len([m for m in screen.view.spans if m.layer == "suggestion"]) == n


async def test_accept_with_a_key_makes_a_suggested_span_and_undo_removes_it(store, ids):
    app = make_app(store)
    async with app.run_test(size=(110, 34)) as pilot:
        screen = await open_at(pilot, ids[6])
        name = next(s for s in screen.suggestions if s.kind == "name")
        screen.view.cursor = name.start
        await pilot.pause()
        assert "suggested entity" in str(screen.query_one("#status-line").render())
        await pilot.press("a")
        screen = await settle(pilot)
        spans = store.spans(ids[6], "ann")
        assert [(s.start, s.end, s.label, s.source) for s in spans] == [
            (name.start, name.end, "entity", "suggested")]
        assert name.key not in {s.key for s in screen.suggestions}
        assert screen.view.cursor > name.start  # on to the next suggestion
        await pilot.press("u")
        screen = await settle(pilot)
        assert store.spans(ids[6], "ann") == []
        assert name.key in {s.key for s in screen.suggestions}
        # enter accepts too
        screen.view.cursor = name.start
        await pilot.press("enter")
        await settle(pilot)
        assert [s.source for s in store.spans(ids[6], "ann")] == ["suggested"]


async def test_reject_is_stored_and_the_suggestion_does_not_return(store, ids):
    app = make_app(store)
    async with app.run_test(size=(110, 34)) as pilot:
        screen = await open_at(pilot, ids[6])
        victim = next(s for s in screen.suggestions if s.label == "boilerplate")
        screen.view.cursor = victim.start
        await pilot.press("X")
        screen = await settle(pilot)
        assert [(r.start, r.end, r.label) for r in store.rejections("ann")] == [victim.key]
        assert victim.key not in {s.key for s in screen.suggestions}
        assert store.spans(ids[6], "ann") == []
        await pilot.press("q")
        await pilot.pause()
        screen = await open_at(pilot, ids[6])
        assert victim.key not in {s.key for s in screen.suggestions}


async def test_undo_takes_back_a_rejection_then_the_edit_before_it(store, ids):
    app = make_app(store)
    async with app.run_test(size=(110, 34)) as pilot:
        screen = await open_at(pilot, ids[6])
        name = next(s for s in screen.suggestions if s.kind == "name")
        screen.view.cursor = name.start
        await pilot.press("a")
        screen = await settle(pilot)
        victim = next(s for s in screen.suggestions if s.label == "boilerplate")
        screen.view.cursor = victim.start
        await pilot.press("X")
        screen = await settle(pilot)
        assert len(store.rejections("ann")) == 1
        await pilot.press("u")
        screen = await settle(pilot)
        assert store.rejections("ann") == []
        assert victim.key in {s.key for s in screen.suggestions}
        assert len(store.spans(ids[6], "ann")) == 1  # the accept is still there
        await pilot.press("u")
        await settle(pilot)
        assert store.spans(ids[6], "ann") == []


async def test_accept_all_of_one_label_is_one_undoable_change(store, ids):
    app = make_app(store)
    async with app.run_test(size=(110, 34)) as pilot:
        screen = await open_at(pilot, ids[7])
        names = [s for s in screen.suggestions if s.label == "entity"]
        assert len(names) >= 5
        screen.view.cursor = names[2].start
        await pilot.press("ctrl+a")
        screen = await settle(pilot)
        spans = store.spans(ids[7], "ann")
        assert {(s.start, s.end) for s in spans} == {(s.start, s.end) for s in names}
        assert {s.source for s in spans} == {"suggested"}
        assert not [s for s in screen.suggestions if s.label == "entity"]
        assert [s for s in screen.suggestions if s.label == "boilerplate"]  # other labels stay
        await pilot.press("u")
        await settle(pilot)
        assert store.spans(ids[7], "ann") == []


async def test_next_and_previous_suggestion_keys_move_the_cursor(store, ids):
    app = make_app(store)
    async with app.run_test(size=(110, 34)) as pilot:
        screen = await open_at(pilot, ids[6])
        starts = sorted({s.start for s in screen.suggestions})
        screen.view.cursor = 0
        await pilot.pause()
        first = starts[0] if starts[0] > 0 else starts[1]
        await pilot.press("apostrophe")
        assert screen.view.cursor == first
        await pilot.press("apostrophe")
        assert screen.view.cursor == next(s for s in starts if s > first)
        await pilot.press("quotation_mark")
        assert screen.view.cursor == first


async def test_accepted_suggestions_are_exported_only_once_accepted(store, ids):

    app = make_app(store)
    async with app.run_test(size=(110, 34)) as pilot:
        screen = await open_at(pilot, ids[8])
        name = next(s for s in screen.suggestions if s.kind == "name")
        before = {a["id"] for a, _who, _spans in store.export_groups()}
        assert ids[8] not in before
        screen.view.cursor = name.start
        await pilot.press("a")
        await settle(pilot)
    groups = [(a["id"], spans) for a, _who, spans in store.export_groups(sources=["suggested"])]
    assert groups == [(ids[8], [(name.start, name.end, "entity", "entity")])]


async def test_most_uncertain_key_goes_to_the_least_sure_untagged_sentence(store, ids):
    from reader.suggest import classify
    from reader.suggest.collect import load_corpus

    app = make_app(store)
    async with app.run_test(size=(110, 34)) as pilot:
        await open_at(pilot, ids[0])
        corpus = load_corpus(store, "ann", all_articles=True)
        best = classify.most_uncertain(corpus, app._suggestion_trainer.current, limit=1)[0]
        assert best[0] != ids[0]  # article 1 is tagged through
        await pilot.press("M")
        for _ in range(400):
            screen = await settle(pilot)
            if screen.article_id == best[0]:
                break
        assert screen.article_id == best[0]
        assert screen.view.cursor == best[1]


async def test_a_long_article_opens_with_suggestions_off_until_asked(store, ids, monkeypatch):
    from reader.screens import suggestions

    monkeypatch.setattr(suggestions, "AUTO_MAX_CHARS", 500)
    app = make_app(store)
    async with app.run_test(size=(110, 34)) as pilot:
        app.open_article(ids[6])
        await pilot.pause()
        await app.writes_settled()
        screen = app.screen
        assert not screen.suggestions_on and screen.suggestions == []
        assert "suggestions off for a long article" in str(screen.query_one("#article-header").render())
        await pilot.press("S")
        screen = await settle(pilot)
        assert screen.suggestions_on and len(screen.suggestions) > 10


async def test_quitting_while_suggestions_are_computed_does_not_wait_on_them(store, ids):
    app = make_app(store)
    async with app.run_test(size=(110, 34)) as pilot:
        app.open_article(ids[6])
        await pilot.pause()
        await pilot.press("1")  # a change: a recompute is on its way as the app quits
        await pilot.press("ctrl+q")
    assert app.return_code in (0, None)
    assert len(store.spans(ids[6], "ann")) == 1  # the tag was saved before quitting


async def test_a_recompute_waits_while_keys_arrive_and_comes_once_they_stop(store, ids, monkeypatch):
    from reader.screens import suggestions

    app = make_app(store)
    async with app.run_test(size=(110, 34)) as pilot:
        screen = await open_at(pilot, ids[6])
        monkeypatch.setattr(suggestions, "RECOMPUTE_DELAY", 3600.0)  # only the keys' pause counts
        computed = []
        refresh = screen.refresh_suggestions

        def counted() -> None:
            computed.append(screen._suggestion_gen)
            refresh()

        monkeypatch.setattr(screen, "refresh_suggestions", counted)
        await pilot.press("1")  # a change: a recompute is due once the keys pause
        await pilot.pause()
        waiting = screen._suggestion_timer
        assert waiting is not None
        for _ in range(3):  # moves put it off again, each time
            await pilot.press("l")
            await pilot.pause()
            assert screen._suggestion_timer is not None and screen._suggestion_timer is not waiting
            waiting = screen._suggestion_timer
        assert computed == []
        monkeypatch.setattr(suggestions, "RECOMPUTE_DELAY", 0.01)
        await pilot.press("l")  # the last key; then they stop
        screen = await settle(pilot)
        assert computed  # computed again after the pause
        tagged = store.spans(ids[6], "ann")
        assert len(tagged) == 1
        start, end = tagged[0].start, tagged[0].end
        layer = screen.labels[tagged[0].label].layer
        assert screen.suggestions  # and none on the tag's layer where the tag now is
        assert not [s for s in screen.suggestions if s.start < end and start < s.end
                    and screen.labels[s.label].layer == layer]
