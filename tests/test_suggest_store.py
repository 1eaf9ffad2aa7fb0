"""Suggestions through the store and the CLI: rejections remembered, accepting as one undoable
change with source 'suggested', imported machine suggestions kept apart from tags."""

from __future__ import annotations

import json
import sqlite3

import pytest
from click.testing import CliRunner

from db import NewArticle, NewSpan, Store, schema
from reader.cli import main
from reader.suggest.collect import load_corpus, suggestions_for
from suggest_collection import make_collection


def _fill(store: Store, n: int = 10, tagged: int = 4, annotator: str = "ann") -> list[int]:
    made = make_collection(n)
    ids = store.add_articles(
        NewArticle(m.title, m.text, source=m.site, url=m.url) for m in made
    ).ids
    for aid, m in zip(ids[:tagged], made[:tagged]):
        for s, e, label in m.spans:
            # Through the public API, as the app tags: one span at a time.
            store.tag(aid, s, e, label, annotator)
    return list(ids)


@pytest.fixture
def filled(store):
    return _fill(store)


def test_schema_has_the_suggestion_tables(store):
    assert store.schema_version == schema.KNOWN[-1]
    tables = {r[0] for r in store.conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"suggestion_rejections", "suggestions"} <= tables


def test_an_older_database_gains_the_tables(tmp_path):
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    schema.apply(conn, stop_before="0008_suggestions")
    conn.execute("INSERT INTO articles (title, text, sha256, imported_at) VALUES ('Old', 'Old text.', 'x', 'then')")
    conn.commit()
    conn.close()
    with Store.open(path) as store:
        assert store.schema_version == schema.KNOWN[-1]
        assert store.rejections("ann") == []
        assert store.article(1).title == "Old"


def test_learning_data_reads_own_tags_and_the_sites_articles(store, filled):
    corpus = load_corpus(store, "ann", filled[6])
    assert {d.id for d in corpus.tagged_docs()} == set(filled[:4])
    # Article 7 is from the first site: the other first-site articles are read too.
    site = corpus.docs[filled[6]].site
    assert {d.id for d in corpus.docs.values() if d.site == site} >= {filled[0], filled[2], filled[4], filled[8]}
    assert load_corpus(store, "bob", filled[6]).tagged_docs() == []


def test_spans_imported_with_an_article_count_for_learning(store):
    m = make_collection(2)[0]
    store.add_articles([NewArticle(m.title, m.text, source=m.site, url=m.url,
                                   spans=[NewSpan(s, e, l) for s, e, l in m.spans])])
    corpus = load_corpus(store, "ann")
    assert [sorted(d.spans) for d in corpus.tagged_docs()] == [sorted(m.spans)]


def test_reject_is_remembered_across_reopening(store, filled, tmp_path):
    aid = filled[6]
    found = suggestions_for(store, "ann", aid)
    victim = next(s for s in found if s.kind == "name")
    rid = store.reject_suggestion(aid, victim.start, victim.end, victim.label, "ann", kind=victim.kind)
    assert victim.key not in {s.key for s in suggestions_for(store, "ann", aid)}
    store.close()
    with Store.open(tmp_path / "test.db") as again:
        assert victim.key not in {s.key for s in suggestions_for(again, "ann", aid)}
        assert [r.text for r in again.rejections("ann", aid)] == [again.article(aid).text[victim.start:victim.end]]
        # Other annotators are not affected; taking the rejection back brings it back.
        assert again.rejections("ann2") == []
        assert again.unreject(rid, "ann")
        assert victim.key in {s.key for s in suggestions_for(again, "ann", aid)}


def test_rejecting_twice_keeps_one_row_and_bad_spans_are_refused(store, filled):
    aid = filled[6]
    a = store.reject_suggestion(aid, 0, 4, "entity", "ann")
    b = store.reject_suggestion(aid, 0, 4, "entity", "ann")
    assert a == b and len(store.rejections("ann")) == 1
    from db import StoreError

    with pytest.raises(StoreError):
        store.reject_suggestion(aid, 0, 10**7, "entity", "ann")
    with pytest.raises(StoreError):
        store.reject_suggestion(aid, 0, 4, "nonsense", "ann")
    assert len(store.rejections("ann")) == 1


def test_accept_makes_one_undoable_span_with_source_suggested(store, filled):
    aid = filled[6]
    sug = next(s for s in suggestions_for(store, "ann", aid) if s.kind == "name")
    before = store.spans(aid, "ann")
    change = store.accept_suggestion(aid, sug.start, sug.end, sug.label, "ann")
    assert len(change.added) == 1 and not change.removed
    span = change.added[0]
    assert (span.start, span.end, span.label, span.source) == (sug.start, sug.end, sug.label, "suggested")
    assert store.spans(aid, "ann") == before + [span]
    assert sug.key not in {s.key for s in suggestions_for(store, "ann", aid)}
    # Accepting again changes nothing (no toggle off).
    assert not store.accept_suggestion(aid, sug.start, sug.end, sug.label, "ann")
    undone = store.undo(aid, "ann")
    assert undone.removed == (span,)
    assert store.spans(aid, "ann") == before
    store.redo(aid, "ann")
    assert [s.source for s in store.spans(aid, "ann")] == ["suggested"]


def test_accept_all_of_one_label_is_one_change(store, filled):
    aid = filled[7]
    names = [s for s in suggestions_for(store, "ann", aid) if s.label == "entity"]
    assert len(names) >= 5
    change = store.accept_suggestions(aid, [(s.start, s.end, s.label) for s in names], "ann")
    assert len(change.added) == len(names)
    assert {s.source for s in store.spans(aid, "ann")} == {"suggested"}
    assert store.conn.execute("SELECT count(*) FROM edits WHERE article_id = ?", (aid,)).fetchone()[0] == 1
    store.undo(aid, "ann")
    assert store.spans(aid, "ann") == []


def test_accepted_suggestions_count_as_tags_for_learning(store, filled):
    aid = filled[6]
    sugs = suggestions_for(store, "ann", aid)
    store.accept_suggestions(aid, [s.key for s in sugs], "ann")
    assert aid in {d.id for d in load_corpus(store, "ann").tagged_docs()}


def test_imported_suggestions_are_not_tags_and_not_exported(store, filled):
    aid = filled[8]
    text = store.article(aid).text
    at = text.index("Comments are closed.")
    assert store.add_suggestions([(aid, at, at + 20, "boilerplate", 0.9, "model.jsonl:1")]) == 1
    assert store.spans(aid) == []
    assert list(store.export_groups()) and all(a["id"] != aid for a, _who, _spans in store.export_groups())
    found = suggestions_for(store, "ann", aid)
    hit = [s for s in found if (s.start, s.end) == (at, at + 20)]
    assert hit and hit[0].label == "boilerplate"


# -- the command line --------------------------------------------------------------------------


@pytest.fixture
def cli(tmp_path):
    db = tmp_path / "cli.db"
    with Store.open(db) as store:
        from reader.labels import default_label_file, load_labels

        store.set_labels(load_labels(default_label_file()))
        ids = _fill(store)

    def invoke(*args, input=None):
        return CliRunner().invoke(main, ["--db", str(db), "--annotator", "ann", *args], input=input,
                                  catch_exceptions=False)

    invoke.db, invoke.ids = db, ids
    return invoke


def test_cli_suggest_prints_scored_suggestions(cli):
    out = cli("suggest", str(cli.ids[6]))
    assert out.exit_code == 0, out.output
    lines = out.output.splitlines()
    assert any(" entity " in l and "tagged" in l for l in lines)
    assert any(" boilerplate " in l for l in lines)
    rows = [json.loads(l) for l in cli("suggest", str(cli.ids[6]), "--json", "--label", "entity").output.splitlines()]
    assert rows and {r["label"] for r in rows} == {"entity"}
    assert all(0 < r["score"] <= 1 and r["reason"] for r in rows)


def test_cli_suggest_eval_prints_figures(cli):
    out = cli("suggest", "--eval")
    assert out.exit_code == 0, out.output
    assert "names: tagged elsewhere" in out.output and "boilerplate: rules only" in out.output
    assert "sentences: classifier" in out.output and "precision" in out.output
    rows = [json.loads(l) for l in cli("suggest", "--eval", "--json").output.splitlines()]
    names = next(r for r in rows if r["suggester"] == "names: tagged elsewhere")
    assert names["precision"] >= 0.9 and names["recall"] >= 0.9


def test_cli_suggest_errors(cli):
    out = cli("suggest", "99999")
    assert out.exit_code == 3 and "no article" in out.output
    out = cli("suggest", "--label", "nope")
    assert out.exit_code == 2
    assert cli("suggest", "--help").exit_code == 0 and "Examples:" in cli("suggest", "--help").output
    out = CliRunner().invoke(main, ["--db", str(cli.db), "--annotator", "nobody", "suggest", "--eval"])
    assert out.exit_code == 2 and "nothing to measure" in out.output


def test_cli_uncertain_lists_untagged_sentences(cli):
    out = cli("suggest", "--uncertain", "4", "--json")
    rows = [json.loads(l) for l in out.output.splitlines()]
    assert len(rows) == 4 and all(r["article"] not in cli.ids[:4] for r in rows)


def test_cli_import_suggestions_keeps_spans_apart(cli, tmp_path):
    made = make_collection(12)
    new = made[11]  # not in the database yet (10 were imported)
    old = made[5]
    path = tmp_path / "pred.jsonl"
    with path.open("w", encoding="utf-8") as f:
        for m in (old, new):
            spans = [{"start": s, "end": e, "label": l, "score": 0.8} for s, e, l in m.spans[:4]]
            f.write(json.dumps({"text": m.text, "spans": spans}) + "\n")
    out = cli("import", "--suggestions", str(path))
    assert out.exit_code == 0, out.output
    assert "imported 8 suggestions for 2 articles (1 new)" in out.output
    with Store.open(cli.db) as store:
        assert store.count_articles() == 11
        stored = store.stored_suggestions()
        assert len(stored) == 8 and {s.score for s in stored} == {0.8}
        assert store.conn.execute("SELECT count(*) FROM annotations WHERE article_id IN (?, ?)",
                                  (cli.ids[5], store.max_article_id())).fetchone()[0] == 0
    # A bad file: nothing stored.
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"text": new.text, "spans": [{"start": 0, "end": 4, "label": "entity"}]})
                   + "\n{not json\n", encoding="utf-8")
    out = cli("import", "--suggestions", str(bad))
    assert out.exit_code == 1
    with Store.open(cli.db) as store:
        assert len(store.stored_suggestions()) == 8
