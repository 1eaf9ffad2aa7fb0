"""The article screen's span model, checked against plain scans of the same spans."""

import random

from db import Span

from reader.spanset import LONG_SPAN, SpanSet, order_key

LAYERS = {"fact": "segment", "opinion": "segment", "entity": "entity"}


def make(i, start, end, label="fact", annotator="ann"):
    return Span(i, 1, start, end, label, annotator)


def model(spans, in_order=False):
    return SpanSet(spans, layer_of=LAYERS.get, in_order=in_order)


def check(ss: SpanSet, spans: dict[int, Span]):
    values = list(spans.values())
    assert list(ss.ordered) == sorted(values, key=order_key)
    assert len(ss) == len(values) and set(ss) == set(spans)
    counts = {}
    for s in values:
        counts[s.label] = counts.get(s.label, 0) + 1
    assert ss.counts() == counts
    for annotator in ("ann", "bob"):
        for layer in ("segment", "entity"):
            own = [s for s in values if s.annotator == annotator and LAYERS.get(s.label) == layer]
            assert ss.covered(annotator, layer) == sum(s.end - s.start for s in own)
            expected = sorted(
                (s.start, s.end)
                for s in values
                if s.annotator == annotator and LAYERS.get(s.label, layer) == layer
            )
            assert list(ss.layer_spans(annotator, layer)) == expected
    for pos in range(0, 6000, 37):
        inside = [s for s in values if s.start <= pos < s.end]
        best = min(inside, key=lambda s: (s.end - s.start, s.id)) if inside else None
        assert ss.innermost_at(pos) == best
        after = [s.start for s in values if s.start > pos]
        before = [s.start for s in values if s.start < pos]
        assert ss.next_start(pos) == (min(after) if after else None)
        assert ss.prev_start(pos) == (max(before) if before else None)


def random_span(rng, i):
    start = rng.randrange(0, 5000)
    length = rng.choice([rng.randrange(1, 120), rng.randrange(LONG_SPAN, 3 * LONG_SPAN)])
    label = rng.choice(["fact", "opinion", "entity", "unknown"])
    return make(i, start, start + length, label, rng.choice(["ann", "bob"]))


def test_queries_match_plain_scans_through_random_changes():
    rng = random.Random(7)
    spans = {i: random_span(rng, i) for i in range(200)}
    ss = model(sorted(spans.values(), key=order_key), in_order=True)
    check(ss, spans)
    ss.layer_spans("ann", "segment")  # the per-layer lists now exist and must follow changes
    next_id = 200
    for _ in range(20):
        removed = rng.sample(list(spans.values()), 5)
        added = [random_span(rng, next_id + k) for k in range(6)]
        next_id += 6
        for s in removed:
            del spans[s.id]
        spans.update((s.id, s) for s in added)
        ss.apply(removed, added)
        check(ss, spans)


def test_an_unordered_input_is_sorted_and_a_re_added_id_replaces_the_old_span():
    ss = model([make(2, 50, 60), make(1, 10, 20, "opinion")])
    assert [s.id for s in ss.ordered] == [1, 2]
    ss.add(make(2, 5, 8, "entity"))
    assert [s.id for s in ss.ordered] == [2, 1]
    assert ss.counts() == {"opinion": 1, "entity": 1}
    assert ss.covered("ann", "segment") == 10


def test_is_a_read_only_mapping_by_id():
    ss = model([make(3, 0, 4)])
    assert ss == {3: make(3, 0, 4)} and 3 in ss and ss.get(4) is None
    assert model([]) == {} and not model([])
    assert ss.remove(99) is None
