"""Property tests: the span operations keep the layer rules and undo/redo exactly, and offsets map to
screen cells and back exactly for any text."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from db import NewArticle, NewSpan, Store, StoreError
from reader.text.sanitize import sanitize
from reader.text.segment import grapheme_bounds
from reader.wrap import wrap_text
from conftest import LABELS

ANNOTATORS = ("ann", "bob")
LAYER = {l.name: l.layer for l in LABELS}
NAMES = [l.name for l in LABELS]

# Letters, spaces and newlines: enough whitespace that cuts land next to it and get trimmed.
TEXTS = st.text(alphabet="ab \n", min_size=1, max_size=40).filter(lambda t: t.strip())


def _op(text_len: int):
    rng = st.tuples(st.integers(0, text_len - 1), st.integers(1, text_len)).map(
        lambda p: (min(p), max(p) if max(p) > min(p) else min(p) + 1)
    )
    who = st.sampled_from(ANNOTATORS)
    label = st.sampled_from(NAMES)
    pick = st.integers(0, 1000)  # which existing span, modulo how many there are
    return st.one_of(
        st.tuples(st.just("tag"), who, label, rng),
        st.tuples(st.just("retag"), who, label, pick),
        st.tuples(st.just("delete"), who, pick),
        st.tuples(st.just("relabel"), who, label, pick),
        st.tuples(st.just("undo"), who),
        st.tuples(st.just("redo"), who),
    )


@st.composite
def scenarios(draw):
    text = draw(TEXTS)
    ops = draw(st.lists(_op(len(text)), min_size=1, max_size=25))
    return text, ops


def _state(store: Store, article_id: int) -> list[tuple]:
    return sorted((s.id, s.start, s.end, s.label, s.annotator) for s in store.spans(article_id))


def _check_layers(store: Store, article_id: int, text: str) -> None:
    for who in ANNOTATORS:
        for layer in ("segment", "entity"):
            spans = sorted(
                (s.start, s.end) for s in store.spans(article_id, who) if LAYER[s.label] == layer
            )
            for start, end in spans:
                assert 0 <= start < end <= len(text)
            for (_, e1), (s2, _) in zip(spans, spans[1:]):
                assert e1 <= s2, (who, layer, spans)


def _run(store: Store, article_id: int, op: tuple) -> None:
    kind, who = op[0], op[1]
    own = store.spans(article_id, who)
    if kind == "tag":
        _, _, label, (start, end) = op
        store.tag(article_id, start, end, label, who)
    elif kind == "retag" and own:
        span = own[op[3] % len(own)]
        store.tag(article_id, span.start, span.end, op[2], who)
    elif kind == "delete" and own:
        store.delete_span(own[op[2] % len(own)].id, who)
    elif kind == "relabel" and own:
        store.relabel(own[op[3] % len(own)].id, op[2], who)
    elif kind == "undo":
        store.undo(article_id, who)
    elif kind == "redo":
        store.redo(article_id, who)


@pytest.fixture(scope="module")
def prop_store(tmp_path_factory):
    store = Store.open(tmp_path_factory.mktemp("props") / "props.db")
    store.set_labels(LABELS)
    yield store
    store.close()


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(scenarios())
def test_span_operations_keep_layer_rules_and_undo_exactly(prop_store, scenario):
    text, ops = scenario
    store = prop_store
    # A fresh article per example (text made unique) so histories do not mix; it starts with one
    # imported span per annotator, which the edits may cut, relabel or delete.
    text = text + f"\n{store.max_article_id()}"
    imported = [NewSpan(0, 1, "fact", "ann"), NewSpan(0, 1, "entity", "bob")]
    article_id = store.add_articles([NewArticle("t", text, spans=imported)]).ids[0]
    start_state = _state(store, article_id)
    for op in ops:
        try:
            _run(store, article_id, op)
        except StoreError as exc:  # pragma: no cover - a refusal here is a failure
            pytest.fail(f"{op}: {exc}")
        _check_layers(store, article_id, text)
    end_state = _state(store, article_id)

    undone = {who: 0 for who in ANNOTATORS}
    for who in ANNOTATORS:
        while store.undo(article_id, who) is not None:
            undone[who] += 1
            _check_layers(store, article_id, text)
    assert _state(store, article_id) == start_state
    for who in ANNOTATORS:
        for _ in range(undone[who]):
            assert store.redo(article_id, who) is not None
            _check_layers(store, article_id, text)
    assert _state(store, article_id) == end_state


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80), st.integers(1, 30), st.booleans())
def test_offsets_map_to_cells_and_back(raw, width, clean):
    text = sanitize(raw).text if clean else raw
    wrapped = wrap_text(text, width)
    previous = None
    for offset in grapheme_bounds(text):
        row, x = wrapped.offset_to_cell(offset)
        assert 0 <= row < len(wrapped)
        assert wrapped.cell_to_offset(row, x) == offset, (text, width, offset, row, x)
        # Screen positions run in text order, one cell per cluster at least.
        if previous is not None:
            assert (row, x) > previous
        previous = (row, x)
