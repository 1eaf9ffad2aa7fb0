"""The records an export reads from the store: grouping, span order, layers and filters."""

import random

import pytest

from db import Label, NewArticle, NewSpan, Store
from reader.exporting import ExportRequest, records
from reader.io.export import ENTITY, SEGMENT, ExportSpan

LABELS = [Label("fact", SEGMENT), Label("opinion", SEGMENT), Label("PERSON", ENTITY),
          Label("Örg", ENTITY)]
LAYER = {label.name: label.layer for label in LABELS}


@pytest.fixture
def store(tmp_path):
    with Store.open(tmp_path / "records.db") as store:
        store.set_labels(LABELS)
        yield store


def _spans(rng, text, annotator):
    """Spans that keep the layer rules, many sharing a start."""
    out = []
    for layer in (SEGMENT, ENTITY):
        names = [l.name for l in LABELS if l.layer == layer]
        pos = 0
        while pos < len(text) - 2:
            start = pos + rng.randrange(3)
            end = min(len(text), start + rng.randrange(1, 9))
            if start >= end:
                break
            out.append(NewSpan(start, end, rng.choice(names), annotator))
            pos = end
    return out


def _add(store, title, text, spans, status="in_progress"):
    """Store an article and its spans in exactly the order given (add_articles would sort them)."""
    (article_id,) = store.add_articles([NewArticle(title, text, status=status)]).ids
    with store.conn:
        store.conn.executemany(
            'INSERT INTO annotations (article_id, start, "end", label, annotator, created_at, '
            "updated_at) VALUES (?, ?, ?, ?, ?, '2026-01-01', '2026-01-01')",
            [(article_id, s.start, s.end, s.label, s.annotator) for s in spans],
        )
    return article_id


def _expected(store, where="", params=()):
    """What the store's export scan should give, the slow way: one fully ordered query."""
    rows = store.conn.execute(
        'SELECT n.article_id, n.annotator, n.start, n."end", n.label, l.layer FROM annotations n '
        f"JOIN labels l ON l.name = n.label {where} "
        'ORDER BY n.article_id, n.annotator, n.start, n."end", n.label',
        params,
    ).fetchall()
    groups = {}
    for article_id, who, start, end, label, layer in rows:
        groups.setdefault((article_id, who), []).append(ExportSpan(start, end, label, layer))
    return groups


def _got(store, **request):
    return {(r.article_id, r.annotator): r.spans for r in records(store, ExportRequest("x", **request))}


def test_records_match_a_fully_ordered_query(store):
    rng = random.Random(5)
    for i in range(30):
        text = f"Article {i}: " + " ".join(rng.choice(["Lee", "said", "Łódź", "🇬🇧", "it"])
                                            for _ in range(rng.randrange(0, 40)))
        spans = [s for who in rng.sample(["kim", "lee", "ana"], rng.randrange(0, 4))
                 for s in _spans(rng, text, who)]
        rng.shuffle(spans)
        _add(store, f"T{i}", text, spans, rng.choice(["new", "done"]))
    expected = _expected(store)
    got = _got(store)
    assert got == expected
    assert list(got) == list(expected)  # article order, then annotator
    assert all(type(s) is ExportSpan for spans in got.values() for s in spans)
    assert any(a.start == b.start for spans in got.values() for a, b in zip(spans, spans[1:]))

    assert _got(store, labels=("PERSON", "fact")) == _expected(
        store, "WHERE n.label IN ('PERSON', 'fact')")
    assert _got(store, annotator="lee") == _expected(store, "WHERE n.annotator = 'lee'")
    assert _got(store, statuses=("done",)) == _expected(
        store, "JOIN articles a ON a.id = n.article_id WHERE a.status = 'done'")


def test_ties_on_start_sort_by_end_then_label(store):
    text = "Kim Lee spoke."
    # Stored in the opposite order: the scan must not rely on insertion order.
    spans = [NewSpan(0, 14, "fact", "kim"), NewSpan(0, 7, "fact", "lee"),
             NewSpan(0, 7, "PERSON", "lee"), NewSpan(0, 3, "Örg", "kim")]
    article_id = _add(store, "t", text, spans)
    got = list(records(store, ExportRequest("x")))
    assert [(r.article_id, r.annotator) for r in got] == [(article_id, "kim"), (article_id, "lee")]
    assert got[0].spans == [ExportSpan(0, 3, "Örg", ENTITY), ExportSpan(0, 14, "fact", SEGMENT)]
    # "PERSON" < "fact": code point order, as SQLite compares labels.
    assert got[1].spans == [ExportSpan(0, 7, "PERSON", ENTITY), ExportSpan(0, 7, "fact", SEGMENT)]
    assert got[0].text == text and got[0].title == "t"


def test_articles_without_matching_spans_are_left_out(store):
    ids = store.add_articles([
        NewArticle("none", "No spans here."),
        NewArticle("some", "Kim spoke.", spans=[NewSpan(0, 3, "PERSON", "kim")]),
        NewArticle("facts", "A fact.", spans=[NewSpan(0, 7, "fact", "kim")]),
    ]).ids
    assert [r.article_id for r in records(store, ExportRequest("x"))] == [ids[1], ids[2]]
    only = list(records(store, ExportRequest("x", labels=("fact",))))
    assert [(r.article_id, r.title, r.spans) for r in only] == [
        (ids[2], "facts", [ExportSpan(0, 7, "fact", SEGMENT)])
    ]
