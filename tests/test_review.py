"""Review: agreed spans go into gold, conflicts are decided once, decisions hold until new
annotations change the stretch, and undo takes a decision back."""

import json

import pytest
from click.testing import CliRunner

from db import NewArticle, StoreError
from db.review import GOLD
from db.versions import compare
from reader.cli import main

TEXT = (
    "Tram line opens in Leeds.\n\n"
    "The mayor, Ruth Okafor, called it overdue. Fares start at two pounds. "
    "Critics say the route misses the poorest districts."
)


def at(phrase: str) -> tuple[int, int]:
    start = TEXT.index(phrase)
    return start, start + len(phrase)


@pytest.fixture
def article(store):
    (article_id,) = store.add_articles([NewArticle("Tram line", TEXT)]).ids
    # ann and bea agree on the headline fact and on "Leeds"; they differ on the rest.
    for who in ("ann", "bea"):
        store.tag(article_id, *at("Tram line opens in Leeds."), "fact", who)
        store.tag(article_id, *at("Leeds"), "entity", who)
        store.tag(article_id, *at("Fares start at two pounds."), "fact", who)
    store.tag(article_id, *at("The mayor, Ruth Okafor, called it overdue."), "fact", "ann")
    store.tag(article_id, *at("The mayor, Ruth Okafor, called it overdue."), "opinion", "bea")
    store.tag(article_id, *at("Ruth Okafor"), "entity", "ann")
    store.tag(article_id, *at("Critics say the route misses the poorest districts."), "opinion", "bea")
    for who in ("ann", "bea"):
        store.set_status(article_id, "done", annotator=who)
    return article_id


def gold(store, article_id):
    return sorted((TEXT[s.start : s.end], s.label) for s in store.spans(article_id, GOLD))


def test_compare_finds_agreement_and_groups_versions(store, article):
    comparison = store.comparison(article)
    assert comparison.annotators == ("ann", "bea")
    assert sorted((TEXT[s:e], label) for _layer, (s, e, label) in comparison.agreed) == [
        ("Fares start at two pounds.", "fact"), ("Leeds", "entity"),
        ("Tram line opens in Leeds.", "fact"),
    ]
    stretches = [(TEXT[c.start : c.end], c.layer) for c in comparison.conflicts]
    assert stretches == [
        ("The mayor, Ruth Okafor, called it overdue.", "segment"),
        ("Ruth Okafor", "entity"),
        ("Critics say the route misses the poorest districts.", "segment"),
    ]
    critics = comparison.conflicts[2]
    # bea tagged it, ann tagged nothing there: two versions, the empty one included.
    assert sorted((v.annotators, len(v.spans)) for v in critics.versions) == [(("ann",), 0), (("bea",), 1)]


def test_a_third_annotator_who_agrees_groups_with_the_same_version(store, article):
    for span in store.spans(article, "bea"):
        store.tag(article, span.start, span.end, span.label, "cy")
    comparison = compare(store.spans(article), ["ann", "bea", "cy"],
                         lambda name: store.label(name).layer)
    critics = comparison.conflicts[-1]
    assert critics.versions[0].annotators == ("bea", "cy")  # the most common version first


def test_agreed_spans_are_merged_once_and_a_reviewers_removal_stands(store, article):
    comparison = store.comparison(article)
    change = store.merge_agreed(article, comparison)
    assert len(change.added) == 3
    assert gold(store, article) == [("Fares start at two pounds.", "fact"), ("Leeds", "entity"),
                                    ("Tram line opens in Leeds.", "fact")]
    assert not store.merge_agreed(article, comparison)  # again: nothing
    leeds = next(s for s in store.spans(article, GOLD) if s.label == "entity")
    store.delete_span(leeds.id, GOLD)
    assert not store.merge_agreed(article, store.comparison(article))
    assert ("Leeds", "entity") not in gold(store, article)


def test_undoing_the_merge_lets_it_happen_again(store, article):
    store.merge_agreed(article, store.comparison(article))
    store.undo(article, GOLD)
    assert gold(store, article) == []
    assert len(store.merge_agreed(article, store.comparison(article)).added) == 3


def test_a_decision_holds_and_undo_takes_it_back(store, article):
    comparison = store.comparison(article)
    mayor = comparison.conflicts[0]
    bea = mayor.version_of("bea")
    store.decide(article, mayor, list(bea.spans), "bea")
    assert gold(store, article) == [("The mayor, Ruth Okafor, called it overdue.", "opinion")]
    assert mayor not in store.open_conflicts(article, store.comparison(article))
    # Taking the other version replaces gold's spans in that stretch.
    store.decide(article, mayor, list(mayor.version_of("ann").spans), "ann")
    assert gold(store, article) == [("The mayor, Ruth Okafor, called it overdue.", "fact")]
    store.undo(article, GOLD)
    assert gold(store, article) == [("The mayor, Ruth Okafor, called it overdue.", "opinion")]
    store.undo(article, GOLD)
    assert gold(store, article) == []
    assert mayor in store.open_conflicts(article, store.comparison(article))


def test_none_is_a_decision_too(store, article):
    critics = store.comparison(article).conflicts[-1]
    assert not store.decide(article, critics, [], "none")  # gold had nothing there: no edit
    assert critics not in store.open_conflicts(article, store.comparison(article))


def test_overlapping_versions_cannot_both_be_taken(store, article):
    mayor = store.comparison(article).conflicts[0]
    both = [t for v in mayor.versions for t in v.spans]
    with pytest.raises(StoreError, match="overlap"):
        store.decide(article, mayor, both, "both")
    assert gold(store, article) == []


def test_new_annotations_bring_back_only_the_stretch_they_change(store, article):
    comparison = store.comparison(article)
    for conflict in comparison.conflicts:
        store.decide(article, conflict, list(conflict.versions[0].spans), "first")
    assert store.open_conflicts(article, store.comparison(article)) == []
    before = gold(store, article)
    # ann comes back and tags the critics' sentence too, as a fact.
    store.tag(article, *at("Critics say the route misses the poorest districts."), "fact", "ann")
    again = store.open_conflicts(article, store.comparison(article))
    assert [TEXT[c.start : c.end] for c in again] == [
        "Critics say the route misses the poorest districts."
    ]
    assert gold(store, article) == before  # earlier decisions are kept


def test_review_queue_puts_the_most_disagreement_first(store, article):
    (calm,) = store.add_articles([NewArticle("Calm", "All agree here. Nothing else.")]).ids
    for who in ("ann", "bea"):
        store.tag(calm, 0, 15, "fact", who)
    for who in ("ann", "bea"):
        store.set_status(calm, "done", annotator=who)
    (solo,) = store.add_articles([NewArticle("Solo", "Only one person read this.")]).ids
    store.tag(solo, 0, 26, "fact", "ann")
    store.set_status(solo, "done", annotator="ann")
    queue = store.review_queue()
    assert [item.article_id for item in queue] == [article, calm]  # solo has one annotator
    assert queue[0].conflicts == 3 and queue[1].conflicts == 0


def test_gold_exports_with_annotator_gold(store, article, tmp_path):
    for conflict in store.comparison(article).conflicts:
        store.decide(article, conflict, list(conflict.version_of("bea").spans), "bea")
    store.merge_agreed(article, store.comparison(article))
    out = tmp_path / "gold.jsonl"
    result = CliRunner().invoke(main, ["--db", str(store.path), "export", str(out), "--annotator", GOLD])
    assert result.exit_code == 0, result.output
    (record,) = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert {s["annotator"] for s in record["spans"]} == {GOLD}
    assert sorted((s["text"], s["label"]) for s in record["spans"]) == gold(store, article)


# -- the review screen, with real keys ------------------------------------------------------


@pytest.fixture
def anyio_backend():
    return "asyncio"


async def _settle(pilot):
    await pilot.app.writes_settled()
    await pilot.pause()


def _panel(app) -> str:
    return str(app.screen.query_one("#review-panel").render())


@pytest.mark.anyio
async def test_review_screen_merges_agreement_and_decides_with_keys(store, article):
    from reader.app import ReaderApp
    from reader.config import Settings
    from reader.screens.review import ReviewList, ReviewScreen

    app = ReaderApp(store, annotator="rev", settings=Settings(), save_settings=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("R")
        await pilot.pause()
        assert isinstance(app.screen, ReviewList)
        for _ in range(50):  # the list is gathered by a worker
            await pilot.pause(0.05)
            if app.screen.query_one("#review-list").option_count:
                break
        await pilot.press("enter")
        await _settle(pilot)
        assert isinstance(app.screen, ReviewScreen)
        # What both agree on is in gold at once.
        assert gold(store, article) == [("Fares start at two pounds.", "fact"), ("Leeds", "entity"),
                                        ("Tram line opens in Leeds.", "fact")]
        panel = _panel(app)
        assert "Conflict 1 of 3" in panel and "ann" in panel and "bea" in panel
        assert app.screen.view.cursor == at("The mayor")[0]
        # The first version is highlighted; tab moves to the next, enter takes it.
        first = app.screen.conflict.versions[0].annotators
        await pilot.press("tab", "enter")
        await _settle(pilot)
        second = [v for v in store.comparison(article).conflicts[0].versions if v.annotators != first][0]
        assert ("The mayor, Ruth Okafor, called it overdue.",
                second.spans[0][2]) in gold(store, article)
        assert "Conflict 1 of 2" in _panel(app)  # the decided one left the list
        await pilot.press("minus")  # "Ruth Okafor": nobody's version, gold gets nothing there
        await _settle(pilot)
        assert ("Ruth Okafor", "entity") not in gold(store, article)
        assert "Conflict 1 of 1" in _panel(app)
        await pilot.press("u")  # "none" made no edit here, so u undoes the edit before it
        await _settle(pilot)
        # u undid the last gold edit, the mayor's sentence; that conflict is open again.
        assert ("The mayor, Ruth Okafor, called it overdue.",
                second.spans[0][2]) not in gold(store, article)
        assert "Conflict 1 of 2" in _panel(app)
        # An ordinary tag key edits gold too.
        app.screen.view.cursor = at("Critics")[0]
        await pilot.press("2")
        await _settle(pilot)
        assert ("Critics say the route misses the poorest districts.", "opinion") in gold(store, article)
        assert store.spans(article, "rev") == []  # the reviewer's own name tags nothing here
