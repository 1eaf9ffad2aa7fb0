"""Store.tag_many: several spans on one layer as one change, undone by one undo."""

from __future__ import annotations

import pytest

from db import Label, NewArticle, Store, StoreError

TEXT = "Berlin agreed. Berlin-based aides met Merkel in Berlin. Later Berlin paused.\n"


@pytest.fixture
def berlin(store):
    return store.add_articles([NewArticle("Berlin", TEXT)]).ids[0]


def starts(word):
    out, at = [], TEXT.find(word)
    while at != -1:
        out.append(at)
        at = TEXT.find(word, at + 1)
    return out


def spans_of(store, article_id, annotator="maya"):
    return [(s.start, s.end, s.label) for s in store.spans(article_id, annotator)]


def test_tags_every_span_as_one_change_that_one_undo_removes(store, berlin):
    every = [(s, s + 6) for s in starts("Berlin")]
    session = store.start_session("maya")
    change = store.tag_many(berlin, every, "entity", "maya", session_id=session)
    assert sorted((s.start, s.end) for s in change.added) == every
    assert change.status == "in_progress"
    assert spans_of(store, berlin) == [(s, e, "entity") for s, e in every]
    assert store.conn.execute("SELECT count(*) FROM edits").fetchone()[0] == 1
    assert store.session_totals(session)["spans_added"] == 4
    undone = store.undo(berlin, "maya")
    assert len(undone.removed) == 4
    assert spans_of(store, berlin) == []
    store.redo(berlin, "maya")
    assert len(spans_of(store, berlin)) == 4


def test_skips_spans_over_existing_entities_and_never_toggles(store, berlin):
    first, second, third, fourth = starts("Berlin")
    store.tag(berlin, first, first + 6, "entity", "maya")
    store.tag(berlin, third - 3, third + 6, "entity", "maya")  # "in Berlin"
    store.tag(berlin, second, second + 6, "entity", "ann")  # another annotator's: no obstacle
    change = store.tag_many(
        berlin, [(first, first + 6), (second, second + 6), (third, third + 6), (fourth, fourth + 6)],
        "entity", "maya",
    )
    assert sorted((s.start, s.end) for s in change.added) == [(second, second + 6), (fourth, fourth + 6)]
    assert not change.removed
    assert (first, first + 6, "entity") in spans_of(store, berlin)
    assert (third - 3, third + 6, "entity") in spans_of(store, berlin)


def test_spans_of_the_list_that_overlap_each_other_keep_the_first(store, berlin):
    first = starts("Berlin")[0]
    change = store.tag_many(berlin, [(first, first + 6), (first, first + 13), (first, first + 6)],
                            "entity", "maya")
    assert [(s.start, s.end) for s in change.added] == [(first, first + 6)]


def test_nothing_left_to_tag_writes_nothing(store, berlin):
    first = starts("Berlin")[0]
    store.tag(berlin, first, first + 6, "entity", "maya")
    edits = store.conn.execute("SELECT count(*) FROM edits").fetchone()[0]
    change = store.tag_many(berlin, [(first, first + 6)], "entity", "maya")
    assert not change
    assert store.tag_many(berlin, [], "entity", "maya") == change
    assert store.conn.execute("SELECT count(*) FROM edits").fetchone()[0] == edits
    # The earlier single tag is still the latest edit: undo removes it.
    assert store.undo(berlin, "maya").removed[0].start == first


def test_a_span_outside_the_text_writes_nothing(store, berlin):
    with pytest.raises(StoreError, match="outside the text"):
        store.tag_many(berlin, [(0, 6), (len(TEXT), len(TEXT) + 3)], "entity", "maya")
    assert spans_of(store, berlin) == []
    with pytest.raises(StoreError, match="unknown label"):
        store.tag_many(berlin, [(0, 6)], "person", "maya")


def test_entity_types_share_the_entity_layer(tmp_path):
    s = Store.open(tmp_path / "types.db")
    s.set_labels([
        Label("person", "entity", "p", "#1565c0", "word", "A person."),
        Label("place", "entity", "l", "#00838f", "word", "A place."),
    ])
    aid = s.add_articles([NewArticle("Berlin", TEXT)]).ids[0]
    merkel = TEXT.index("Merkel")
    s.tag(aid, merkel, merkel + 6, "person", "maya")
    every = [(b, b + 6) for b in starts("Berlin")] + [(merkel, merkel + 6)]
    change = s.tag_many(aid, every, "place", "maya")
    assert len(change.added) == 4
    assert spans_of(s, aid).count((merkel, merkel + 6, "person")) == 1
    s.close()
