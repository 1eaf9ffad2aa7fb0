"""`reader merge`: three databases made apart (different article ids) into one, a second merge
that changes nothing, conflicts, label sets, all or nothing; and a JSONL round trip that keeps
each record's annotator and status."""

import json
import sqlite3

import pytest
from click.testing import CliRunner

from db import Label, NewArticle, Store, StoreError, schema
from db.merge import LabelSetDiffers, MergeConflicts
from reader.cli import main

from conftest import LABELS

TEXTS = {
    "ferry": "The ferry left at dawn. Passengers said the crossing was rough. The captain agreed.",
    "fees": "Harbour fees rise in spring. Traders call the rise unfair. The board disagrees.",
    "quay": "A new quay opens next year. The board expects more cargo. Critics doubt it.",
    "quota": "Fishing quotas stay the same. Crews are relieved. Buyers are not.",
    "storm": "A storm closed the port for two days. Nobody was hurt.",
}


def _db(path, order, annotator, tags, done=(), session=True):
    """A database with the articles of `order` (so ids differ between databases) and
    `annotator`'s tags: {name: [(sentence index, label)]}; `done` names articles marked done."""
    store = Store.open(path)
    store.set_labels(LABELS)
    ids = dict(zip(order, store.add_articles(
        [NewArticle(name.title(), TEXTS[name], source=f"{name}.txt") for name in order]
    ).ids))
    sid = store.start_session(annotator) if session else None
    for name, marks in tags.items():
        text = TEXTS[name]
        bounds = _sentences(text)
        for index, label in marks:
            store.tag(ids[name], *bounds[index], label, annotator, session_id=sid)
    for name in done:
        store.set_status(ids[name], "done", annotator=annotator, session_id=sid)
    store.save_place(ids[order[0]], annotator, 3, 0)
    if sid:
        store.end_session(sid)
    store.close()
    return ids


def _sentences(text):
    out, start = [], 0
    for i, ch in enumerate(text):
        if ch == "." and (i + 1 == len(text) or text[i + 1] == " "):
            out.append((start, i + 1))
            start = i + 2
    return out


def _content(store):
    """Everything merged, by text hash rather than id."""
    sha = dict(store.conn.execute("SELECT id, sha256 FROM articles"))
    spans = sorted(
        (sha[a], w, s, e, l, src)
        for a, w, s, e, l, src in store.conn.execute(
            'SELECT article_id, annotator, start, "end", label, source FROM annotations'
        )
    )
    statuses = sorted(
        (sha[a], w, st) for a, w, st in store.conn.execute(
            "SELECT article_id, annotator, status FROM annotator_status"
        )
    )
    sessions = sorted(store.conn.execute(
        "SELECT annotator, started_at, articles_done FROM sessions"
    ).fetchall())
    articles = sorted(store.conn.execute(
        "SELECT sha256, title, source, meta FROM articles"
    ).fetchall())
    return articles, spans, statuses, sessions


def _dump(store):
    """Every row of every table, ids included: to see that a merge wrote nothing."""
    tables = ["articles", "annotations", "annotator_status", "sessions", "places",
              "assignments", "edits", "counts"]
    return {t: store.conn.execute(f"SELECT * FROM {t} ORDER BY 1, 2").fetchall() for t in tables}


@pytest.fixture
def three(tmp_path):
    a = tmp_path / "kim.db"
    b = tmp_path / "lee.db"
    c = tmp_path / "sam.db"
    _db(a, ["ferry", "fees", "quay"], "kim",
        {"ferry": [(0, "fact"), (1, "opinion")], "fees": [(0, "fact")]}, done=["ferry"])
    _db(b, ["quay", "quota", "ferry"], "lee",
        {"ferry": [(0, "fact"), (2, "fact")], "quota": [(1, "opinion")]}, done=["ferry", "quota"])
    _db(c, ["storm", "ferry"], "sam", {"storm": [(0, "fact")], "ferry": [(1, "opinion")]})
    return a, b, c


def test_three_databases_merge_and_merging_again_changes_nothing(tmp_path, three):
    team = Store.open(tmp_path / "team.db")
    team.set_labels(LABELS)
    report = team.merge([str(p) for p in three])
    assert report.articles_added == 5
    assert report.articles_matched == 3  # ferry and quay from lee, ferry from sam
    assert report.spans_added == 2 + 1 + 2 + 1 + 1 + 1
    assert report.sessions_added == 3
    assert not report.conflicts

    articles, spans, statuses, sessions = _content(team)
    assert {a[1] for a in articles} == {"Ferry", "Fees", "Quay", "Quota", "Storm"}
    assert {a[2] for a in articles} == {f"{n}.txt" for n in TEXTS}
    sha = {a[1].lower(): a[0] for a in articles}
    # Each annotator's spans are theirs, on the right article, whatever its id was there.
    ferry = [(w, TEXTS["ferry"][s:e], l) for h, w, s, e, l, _ in spans if h == sha["ferry"]]
    assert sorted(ferry) == sorted([
        ("kim", "The ferry left at dawn.", "fact"),
        ("kim", "Passengers said the crossing was rough.", "opinion"),
        ("lee", "The ferry left at dawn.", "fact"),
        ("lee", "The captain agreed.", "fact"),
        ("sam", "Passengers said the crossing was rough.", "opinion"),
    ])
    assert all(src == "manual" for *_, src in spans)
    assert (sha["ferry"], "kim", "done") in statuses
    assert (sha["ferry"], "lee", "done") in statuses
    assert (sha["ferry"], "sam", "in_progress") in statuses
    ferry_id = team.conn.execute("SELECT id FROM articles WHERE sha256 = ?", (sha["ferry"],)).fetchone()[0]
    assert team.article(ferry_id, "lee").status == "done"
    assert team.article(ferry_id, "sam").status == "in_progress"
    assert team.articles_done_by("lee") == {
        ferry_id, team.conn.execute("SELECT id FROM articles WHERE title = 'Quota'").fetchone()[0]
    }
    assert [s[0] for s in sessions] == ["kim", "lee", "sam"]
    assert [s[2] for s in sessions] == [1, 2, 0]
    # the search index and the count know the new articles
    assert [h.title for h in team.search("captain")] == ["Ferry"]
    assert team.count_articles() == 5

    before = _dump(team)
    again = team.merge([str(p) for p in three])
    assert not again.changed
    assert "nothing changed" in again.line()
    assert _dump(team) == before
    team.close()


def test_merge_into_one_of_the_three(three):
    a, b, c = three
    with Store.open(a) as kim:
        kim.set_labels(LABELS)
        kim.merge([str(b), str(c)])
        merged = _content(kim)
    # The same content as merging all three into an empty database.
    with Store.open(a.parent / "fresh.db") as fresh:
        fresh.set_labels(LABELS)
        fresh.merge([str(a), str(b), str(c)])
        assert _content(fresh)[1:3] == merged[1:3]


def test_conflicts_are_reported_and_nothing_is_written(tmp_path):
    a, b = tmp_path / "kim.db", tmp_path / "kim-laptop.db"
    _db(a, ["ferry", "fees"], "kim", {"ferry": [(0, "fact")], "fees": [(0, "fact")]})
    _db(b, ["fees", "ferry", "quay"], "kim",
        {"ferry": [(0, "opinion"), (1, "fact")], "fees": [(0, "fact")]}, done=["ferry"])
    store = Store.open(a)
    store.set_labels(LABELS)
    before = _dump(store)
    with pytest.raises(MergeConflicts) as caught:
        store.merge([str(b)])
    assert len(caught.value.conflicts) == 1
    conflict = caught.value.conflicts[0]
    assert (conflict.annotator, conflict.here, conflict.there) == ("kim", 1, 2)
    assert (conflict.only_here, conflict.only_there) == (1, 2)
    assert "1 conflict" in str(caught.value) and "--prefer" in str(caught.value)
    assert _dump(store) == before  # not even the new article "quay"

    kept = store.merge([str(b)], prefer="this")
    assert len(kept.conflicts) == 1 and kept.articles_added == 1
    ferry = store.conn.execute("SELECT id FROM articles WHERE title = 'Ferry'").fetchone()[0]
    assert [(s.label) for s in store.spans(ferry, "kim")] == ["fact"]
    assert store.article(ferry, "kim").status == "in_progress"  # goes with the side kept

    taken = store.merge([str(b)], prefer="other")
    assert taken.spans_replaced == 1 and taken.spans_added == 2
    assert [s.label for s in store.spans(ferry, "kim")] == ["opinion", "fact"]
    assert store.article(ferry, "kim").status == "done"
    assert store.conn.execute(
        "SELECT count(*) FROM edits WHERE article_id = ? AND annotator = 'kim'", (ferry,)
    ).fetchone() == (0,)
    assert not store.merge([str(b)], prefer="other").changed
    assert not store.merge([str(b)]).changed  # no conflict left
    store.close()


def test_a_different_label_set_is_refused_naming_the_difference(tmp_path):
    a, b = tmp_path / "kim.db", tmp_path / "lee.db"
    _db(a, ["ferry"], "kim", {"ferry": [(0, "fact")]})
    other = Store.open(b)
    other.set_labels(LABELS[:3] + [Label("person", "entity", None, "#123456")])
    other.close()
    store = Store.open(a)
    store.set_labels(LABELS)
    before = _dump(store)
    with pytest.raises(LabelSetDiffers) as caught:
        store.merge([str(b)])
    message = str(caught.value)
    assert "only in" in message and "person" in message
    assert "only here: entity" in message
    assert _dump(store) == before
    store.close()


def test_all_or_nothing_across_databases(tmp_path):
    a, b, c = tmp_path / "kim.db", tmp_path / "lee.db", tmp_path / "kim2.db"
    _db(a, ["ferry"], "kim", {"ferry": [(0, "fact")]})
    _db(b, ["quay"], "lee", {"quay": [(0, "fact")]})
    _db(c, ["ferry"], "kim", {"ferry": [(1, "fact")]})
    store = Store.open(a)
    store.set_labels(LABELS)
    before = _dump(store)
    with pytest.raises(MergeConflicts):
        store.merge([str(b), str(c)])  # lee's is fine, the second conflicts: neither lands
    assert _dump(store) == before
    (tmp_path / "junk.db").write_bytes(b"not a database at all" * 100)
    with pytest.raises(StoreError, match="not a reader database"):
        store.merge([str(b), str(tmp_path / "junk.db")])
    with pytest.raises(StoreError, match="is this database"):
        store.merge([str(a)])
    assert _dump(store) == before
    store.close()


def test_an_older_database_merges_without_being_changed(tmp_path):
    old = tmp_path / "old.db"
    conn = sqlite3.connect(old)
    schema.apply(conn, stop_before="0006_annotator_status")
    conn.executemany(
        "INSERT INTO labels (name, colour, layer) VALUES (?, '#888888', ?)",
        [(l.name, l.layer) for l in LABELS],
    )
    conn.execute(
        "INSERT INTO articles (title, text, sha256, imported_at, status) VALUES "
        "('Storm', ?, 'h', 'then', 'done')", (TEXTS["storm"],),
    )
    conn.execute(
        "INSERT INTO annotations (article_id, start, \"end\", label, annotator, created_at, "
        "updated_at) VALUES (1, 0, 5, 'fact', 'old', 'then', 'then')"
    )
    conn.commit()
    conn.close()
    raw = old.read_bytes()
    store = Store.open(tmp_path / "team.db")
    store.set_labels(LABELS)
    report = store.merge([str(old)])
    assert report.articles_added == 1 and report.spans_added == 1
    assert store.articles_done_by("old") == {1}
    assert old.read_bytes() == raw
    store.close()


def _cli(path, *args):
    return CliRunner().invoke(main, ["--db", str(path), *args])


def test_cli_merge_reports_and_refuses(tmp_path, three):
    team = tmp_path / "team.db"
    result = _cli(team, "merge", *map(str, three))
    assert result.exit_code == 0, result.output + result.stderr
    assert "5 articles added" in result.output
    again = _cli(team, "merge", *map(str, three))
    assert "nothing changed" in again.output
    clash = tmp_path / "kim2.db"
    _db(clash, ["ferry"], "kim", {"ferry": [(2, "opinion")]})
    refused = _cli(team, "merge", str(clash))
    assert refused.exit_code == 3
    assert "conflict: " in refused.stderr and "'kim'" in refused.stderr
    assert "--prefer" in refused.stderr
    taken = _cli(team, "merge", str(clash), "--prefer", "other")
    assert taken.exit_code == 0
    assert "1 conflict resolved by keeping the other's spans" in taken.output
    missing = _cli(team, "merge", str(tmp_path / "nope.db"))
    assert missing.exit_code == 3 and "no such database" in missing.stderr


def test_jsonl_round_trip_keeps_annotator_and_status(tmp_path, three):
    team = tmp_path / "team.db"
    assert _cli(team, "merge", *map(str, three)).exit_code == 0
    out = tmp_path / "all.jsonl"
    assert _cli(team, "export", str(out)).exit_code == 0
    lines = [json.loads(l) for l in out.read_text().splitlines()]
    statuses = {(l["meta"]["title"], l["meta"]["annotator"]): l["meta"]["status"] for l in lines}
    assert statuses[("Ferry", "lee")] == "done"
    assert statuses[("Ferry", "sam")] == "in_progress"
    back = tmp_path / "back.db"
    result = _cli(back, "import", str(out))
    assert result.exit_code == 0, result.stderr
    with Store.open(team) as a, Store.open(back) as b:
        _, spans_a, status_a, _ = _content(a)
        _, spans_b, status_b, _ = _content(b)
        assert [s[:5] for s in spans_a] == [s[:5] for s in spans_b]
        assert status_a == status_b
    # a record whose spans name no annotator takes meta.annotator's, and its status
    lone = tmp_path / "lone.jsonl"
    text = "The lighthouse was repainted. Visitors liked the new colour."
    lone.write_text(json.dumps({
        "text": text, "spans": [{"start": 0, "end": 29, "label": "fact"}],
        "meta": {"title": "Lighthouse", "annotator": "ola", "status": "done"},
    }) + "\n")
    assert _cli(back, "import", str(lone)).exit_code == 0
    with Store.open(back) as b:
        (light,) = b.conn.execute("SELECT id FROM articles WHERE title = 'Lighthouse'").fetchone()
        assert [s.annotator for s in b.spans(light)] == ["ola"]
        assert b.article(light, "ola").status == "done"
        assert b.articles_done_by("ola") == {light}
