import sqlite3
import subprocess
import sys
import threading

import pytest

from db import (
    Label,
    LabelMismatch,
    NewArticle,
    NewerSchema,
    NewSpan,
    NotADatabase,
    QueryError,
    Store,
    StoreError,
)
from db import schema
from db.store import fts_query


def rows(store, article_id, annotator="ann"):
    return [(s.start, s.end, s.label) for s in store.spans(article_id, annotator)]


# -- opening ---------------------------------------------------------------------------------


def test_connection_settings(store):
    assert store.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 1000
    assert store.schema_version == schema.KNOWN[-1]


def test_opening_an_up_to_date_database_does_not_import_sqlite_utils(tmp_path):
    # Importing sqlite-utils costs more than the rest of starting the app; only migrating needs it.
    path = tmp_path / "ready.db"
    Store.open(path).close()
    code = (
        "import sys; from db import Store; s = Store.open(sys.argv[1]); s.search('x'); "
        "s.list_articles(limit=5); s.close(); print('sqlite_utils' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True,
                         check=True, cwd=tmp_path)
    assert out.stdout.strip() == "False"


def test_refuses_a_file_that_is_not_sqlite(tmp_path):
    path = tmp_path / "notes.db"
    path.write_bytes(b"this is not a database at all, just some text" * 20)
    with pytest.raises(NotADatabase, match="not a reader database"):
        Store.open(path)
    assert path.read_bytes().startswith(b"this is not a database")


def test_refuses_a_newer_schema(tmp_path):
    path = tmp_path / "new.db"
    Store.open(path).close()
    conn = sqlite3.connect(path)
    conn.execute(
        "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
        "VALUES ('reader', '0099_from_the_future', 'later')"
    )
    conn.commit()
    conn.close()
    with pytest.raises(NewerSchema, match="newer version"):
        Store.open(path)


def test_reopening_keeps_data_and_does_not_migrate_again(tmp_path, store):
    store.add_articles([NewArticle("T", "Some text here.")])
    path = store.path
    store.close()
    again = Store.open(path)
    assert again.count_articles() == 1
    assert not list(tmp_path.glob("*.bak"))
    again.close()


def test_foreign_keys_are_enforced(store, article_id):
    with pytest.raises(sqlite3.IntegrityError):
        with store._write() as conn:
            conn.execute(
                "INSERT INTO annotations (article_id, start, \"end\", label, annotator, created_at, updated_at) "
                "VALUES (?, 0, 1, 'no-such-label', 'a', 'x', 'x')",
                (article_id,),
            )
    assert store.spans(article_id) == []


# -- articles --------------------------------------------------------------------------------


def test_add_articles_skips_duplicates(store):
    first = store.add_articles([NewArticle("A", "Alpha text."), NewArticle("B", "Beta text.")])
    assert (first.imported, first.duplicates) == (2, 0)
    again = store.add_articles([NewArticle("A again", "Alpha text."), NewArticle("C", "Gamma.")])
    assert (again.imported, again.duplicates) == (1, 1)
    assert store.count_articles() == 3


def test_add_articles_is_all_or_nothing(store):
    good = NewArticle("Good", "A good article.")
    bad = NewArticle("Bad", "Short.", spans=[NewSpan(0, 99, "fact")], origin="bad.jsonl:2")
    with pytest.raises(StoreError, match=r"bad.jsonl:2: span 0–99 is outside the text"):
        store.add_articles([good, bad])
    assert store.count_articles() == 0


def test_imported_spans_unknown_label_and_overlap_are_refused(store):
    with pytest.raises(StoreError, match="unknown label 'ORG'"):
        store.add_articles([NewArticle("T", "Apple hired Tim.", spans=[NewSpan(0, 5, "ORG")])])
    overlapping = [NewSpan(0, 10, "entity"), NewSpan(6, 15, "entity")]
    with pytest.raises(StoreError, match="overlaps another on the entity layer"):
        store.add_articles([NewArticle("T", "Apple hired Tim.", spans=overlapping)])
    assert store.count_articles() == 0


def test_imported_spans_are_stored_with_source_and_status(store):
    result = store.add_articles(
        [NewArticle("T", "Apple hired Tim Cook.", spans=[NewSpan(0, 5, "entity", "kim")])]
    )
    (span,) = store.spans(result.ids[0])
    assert (span.start, span.end, span.label, span.annotator, span.source) == (
        0, 5, "entity", "kim", "imported",
    )
    assert store.article(result.ids[0]).status == "in_progress"


def test_article_fields(store, article_id):
    article = store.article(article_id)
    assert article.title == "Council backs £4.2m budget"
    assert article.status == "new"
    assert article.words == len(article.text.split())
    assert len(article.sha256) == 64
    with pytest.raises(StoreError, match="no article with id 999"):
        store.article(999)


def test_view_joins_span_text(store, article_id):
    text = store.article(article_id).text
    start = text.index("Boris")
    store.tag(article_id, start, start + len("Boris Johnson"), "entity", "ann")
    row = store.db.execute("SELECT text, article_title, layer FROM spans_with_text").fetchone()
    assert row == ("Boris Johnson", "Council backs £4.2m budget", "entity")


def test_view_counts_characters_not_bytes(store):
    text = "👨‍👩‍👧 Zoë met José in Łódź."
    (aid,) = store.add_articles([NewArticle("T", text)]).ids
    start = text.index("José")
    store.tag(aid, start, start + 4, "entity", "ann")
    assert store.db.execute("SELECT text FROM spans_with_text").fetchone()[0] == "José"


# -- layer rules ----------------------------------------------------------------------------


def test_segment_layer_replaces_the_overlapping_part(store, article_id):
    store.tag(article_id, 0, 40, "fact", "ann")
    store.tag(article_id, 10, 20, "opinion", "ann")
    assert rows(store, article_id) == [(0, 10, "fact"), (10, 20, "opinion"), (20, 40, "fact")]


def test_segment_layer_covering_tag_removes_the_inner_spans(store, article_id):
    store.tag(article_id, 5, 10, "fact", "ann")
    store.tag(article_id, 12, 20, "opinion", "ann")
    store.tag(article_id, 0, 30, "boilerplate", "ann")
    assert rows(store, article_id) == [(0, 30, "boilerplate")]


def test_entities_nest_inside_segment_spans_but_never_overlap(store, article_id):
    store.tag(article_id, 0, 40, "fact", "ann")
    store.tag(article_id, 5, 12, "entity", "ann")
    store.tag(article_id, 10, 15, "entity", "ann")
    assert rows(store, article_id) == [(0, 40, "fact"), (10, 15, "entity")]


def test_same_span_same_label_toggles_off(store, article_id):
    store.tag(article_id, 3, 9, "fact", "ann")
    change = store.tag(article_id, 3, 9, "fact", "ann")
    assert [(s.start, s.end) for s in change.removed] == [(3, 9)]
    assert change.added == ()
    assert rows(store, article_id) == []


def test_annotators_are_kept_apart(store, article_id):
    store.tag(article_id, 0, 10, "fact", "ann")
    store.tag(article_id, 5, 15, "opinion", "bob")
    assert rows(store, article_id, "ann") == [(0, 10, "fact")]
    assert rows(store, article_id, "bob") == [(5, 15, "opinion")]
    span = store.spans(article_id, "bob")[0]
    with pytest.raises(StoreError, match="belongs to bob"):
        store.delete_span(span.id, "ann")


def test_tag_outside_text_and_unknown_label(store, article_id):
    with pytest.raises(StoreError, match="outside the text"):
        store.tag(article_id, 5, 10_000, "fact", "ann")
    with pytest.raises(StoreError, match="unknown label"):
        store.tag(article_id, 0, 5, "sarcasm", "ann")


def test_first_span_marks_article_in_progress(store, article_id):
    change = store.tag(article_id, 0, 5, "fact", "ann")
    assert change.status == "in_progress"
    assert store.article(article_id).status == "in_progress"


def test_relabel_moves_between_layers(store, article_id):
    store.tag(article_id, 0, 20, "fact", "ann")
    entity = store.tag(article_id, 4, 8, "entity", "ann").added[0]
    store.relabel(entity.id, "opinion", "ann")
    assert rows(store, article_id) == [(0, 4, "fact"), (4, 8, "opinion"), (8, 20, "fact")]


def test_delete_span(store, article_id):
    span = store.tag(article_id, 0, 5, "fact", "ann").added[0]
    store.delete_span(span.id, "ann")
    assert rows(store, article_id) == []


# -- undo and redo --------------------------------------------------------------------------


def test_undo_and_redo_walk_the_history(store, article_id):
    store.tag(article_id, 0, 40, "fact", "ann")
    store.tag(article_id, 10, 20, "opinion", "ann")
    store.tag(article_id, 12, 16, "entity", "ann")
    states = [rows(store, article_id)]
    while store.undo(article_id, "ann"):
        states.append(rows(store, article_id))
    assert states[-1] == []
    assert states[1] == [(0, 10, "fact"), (10, 20, "opinion"), (20, 40, "fact")]
    assert states[2] == [(0, 40, "fact")]
    while store.redo(article_id, "ann"):
        pass
    assert rows(store, article_id) == states[0]


def test_undo_survives_reopening(tmp_path, store, article_id):
    store.tag(article_id, 0, 10, "fact", "ann")
    store.tag(article_id, 0, 10, "opinion", "ann")
    path = store.path
    store.close()
    reopened = Store.open(path)
    reopened.undo(article_id, "ann")
    assert rows(reopened, article_id) == [(0, 10, "fact")]
    reopened.close()


def test_new_edit_ends_the_redo_chain(store, article_id):
    store.tag(article_id, 0, 10, "fact", "ann")
    store.undo(article_id, "ann")
    store.tag(article_id, 20, 30, "opinion", "ann")
    assert store.redo(article_id, "ann") is None
    assert rows(store, article_id) == [(20, 30, "opinion")]


def test_undo_is_per_annotator_and_ids_are_not_reused(store, article_id):
    a = store.tag(article_id, 0, 10, "fact", "ann").added[0]
    store.delete_span(a.id, "ann")
    b = store.tag(article_id, 0, 10, "fact", "bob").added[0]
    assert b.id != a.id
    store.undo(article_id, "ann")  # puts ann's span back with its old id
    assert rows(store, article_id, "ann") == [(0, 10, "fact")]
    assert rows(store, article_id, "bob") == [(0, 10, "fact")]


# -- labels ---------------------------------------------------------------------------------


def test_label_set_missing_a_used_label_is_refused(store, article_id):
    store.tag(article_id, 0, 5, "opinion", "ann")
    with pytest.raises(LabelMismatch, match="'opinion'"):
        store.set_labels([Label("fact", "segment")])
    assert [l.name for l in store.labels()] == ["fact", "opinion", "boilerplate", "entity"]


def test_label_set_can_change_unused_labels(store):
    store.set_labels([Label("claim", "segment", "c"), Label("entity", "entity")])
    assert [(l.name, l.layer) for l in store.labels()] == [("claim", "segment"), ("entity", "entity")]


# -- search and listing ---------------------------------------------------------------------


@pytest.fixture
def library(store):
    store.add_articles(
        [
            NewArticle("Council budget", "The council approved the budget on Tuesday.", source="Ledger"),
            NewArticle("Fraud trial", "A jury at Leeds Crown Court returned its verdict.", source="Post"),
            NewArticle("Wind auction", "The U.S. firm won the offshore wind auction.", source="Ledger"),
        ]
    )
    return store


def test_search_ranks_and_marks_matches(library):
    hits = library.search("verdict")
    assert [h.title for h in hits] == ["Fraud trial"]
    start, end = hits[0].marks[0]
    assert hits[0].snippet[start:end] == "verdict"


def test_search_as_you_type_matches_prefix_and_odd_words(library):
    assert [h.title for h in library.search("aucti")] == ["Wind auction"]
    assert [h.title for h in library.search("U.S.")] == ["Wind auction"]


def test_search_with_bad_syntax_is_a_clear_error(library):
    with pytest.raises(QueryError, match="cannot search for"):
        library.search('"unclosed')


def test_fts_query():
    assert fts_query("boris jo") == '"boris" "jo"*'
    assert fts_query('"exact phrase"') == '"exact phrase"'
    assert fts_query("   ") == ""
    # A single letter is a whole word, not a prefix of half the vocabulary.
    assert fts_query("boris j") == '"boris" "j"'
    assert fts_query("a") == '"a"'


def test_search_ranks_the_newest_articles_first_when_a_word_is_common(store):
    # Article 1 says "budget" most often, so it ranks first over the whole library.
    texts = ["Budget budget budget budget, the budget."] + [
        f"Item {i}: the budget and other business, minutes of meeting {i}." for i in range(1, 30)
    ]
    store.add_articles([NewArticle(f"A{i}", t) for i, t in enumerate(texts)])
    everything = store.search("budget", limit=5)
    assert everything[0].article_id == 1 and everything.within is None
    # The newest ten articles hold a page of matches: only they are ranked.
    newest = store.search("budget", limit=5, window=10)
    assert newest.within == 10
    assert all(h.article_id > 20 for h in newest)
    # Within the window the order is the full ranking's order.
    full = [h.article_id for h in store.search("budget", limit=30) if h.article_id > 20]
    assert [h.article_id for h in newest] == full[:5]
    # Fewer matches among them than a page: the whole library is ranked.
    wider = store.search("budget", limit=15, window=10)
    assert wider.within is None and wider[0].article_id == 1 and len(wider) == 15


def test_fts_stays_in_step_with_inserts(library):
    library.add_articles([NewArticle("Late news", "Zanzibar appears late.")])
    assert [h.title for h in library.search("zanzibar")] == ["Late news"]


def test_list_articles_filters_sorts_and_pages(library):
    first = library.list_articles().pop(0)
    library.tag(first.id, 0, 10, "fact", "ann")
    library.set_status(first.id, "done", annotator="ann")
    assert [r.title for r in library.list_articles(status="done")] == ["Council budget"]
    by_title = [r.title for r in library.list_articles(sort="title")]
    assert by_title == ["Council budget", "Fraud trial", "Wind auction"]
    assert [r.title for r in library.list_articles(sort="title", descending=True, limit=1)] == [
        "Wind auction"
    ]
    assert [r.title for r in library.list_articles(sort="title", limit=1, offset=1)] == ["Fraud trial"]
    assert [r.title for r in library.list_articles(query="ledger OR jury")] == ["Fraud trial"]
    row = library.list_articles(annotator="ann", limit=1)[0]
    assert (row.spans, row.own_spans) == (1, 1)
    assert row.progress == pytest.approx(10 / row.chars)
    assert library.count_articles(status="new") == 2


def test_next_unfinished_wraps_round(library):
    ids = [r.id for r in library.list_articles()]
    library.set_status(ids[1], "done", annotator="ann")
    assert library.next_unfinished(ids[0]) == ids[2]
    assert library.next_unfinished(ids[2]) == ids[0]
    for i in ids:
        library.set_status(i, "done", annotator="ann")
    assert library.next_unfinished(ids[0]) is None


def test_stats(library):
    aid = library.list_articles()[0].id
    library.tag(aid, 0, 5, "fact", "ann")
    library.tag(aid, 0, 3, "entity", "bob")
    stats = library.stats()
    assert stats["articles"] == 3
    assert stats["by_status"] == {"new": 2, "in_progress": 1, "done": 0}
    assert stats["by_label"] == {"fact": 1, "opinion": 0, "boilerplate": 0, "entity": 1}
    assert stats["by_annotator"] == {"ann": 1, "bob": 1}


# -- places and sessions --------------------------------------------------------------------


def test_place_is_remembered(store, article_id):
    assert store.place(article_id, "ann") == (0, 0)
    store.save_place(article_id, "ann", 42, 7)
    store.save_place(article_id, "ann", 50, 9)
    assert store.place(article_id, "ann") == (50, 9)
    assert store.place(article_id, "bob") == (0, 0)


def test_session_totals(store, article_id):
    session = store.start_session("ann")
    store.tag(article_id, 0, 10, "fact", "ann", session_id=session)
    store.tag(article_id, 5, 10, "opinion", "ann", session_id=session)
    store.set_status(article_id, "done", annotator="ann", session_id=session)
    store.end_session(session)
    row = store.db.execute(
        "SELECT spans_added, spans_removed, articles_touched, articles_done, ended_at FROM sessions"
    ).fetchone()
    assert row[:4] == (3, 1, 1, 1)
    assert row[4] is not None


# -- two writers ----------------------------------------------------------------------------


def test_two_connections_writing_at_once_both_succeed(tmp_path, store, article_id):
    other = Store.open(store.path)
    errors = []

    def write(s, who, n):
        try:
            for i in range(n):
                s.tag(article_id, i, i + 1, "entity", who)
        except Exception as exc:  # pragma: no cover - the assertion below reports it
            errors.append(exc)

    threads = [
        threading.Thread(target=write, args=(store, "ann", 60)),
        threading.Thread(target=write, args=(other, "bob", 60)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    other.close()
    assert errors == []
    assert len(store.spans(article_id, "ann")) == 60
    assert len(store.spans(article_id, "bob")) == 60


def _old_database(path, stop_before: str) -> None:
    """A database as an older reader left it: migrated up to `stop_before`, one article in it."""
    from db import schema

    conn = sqlite3.connect(path)
    schema.apply(conn, stop_before=stop_before)
    conn.execute(
        "INSERT INTO articles (title, text, sha256, imported_at) "
        "VALUES ('Old', 'Old councillors met.', 'x', 'then')"
    )
    conn.commit()
    conn.close()


def test_older_database_is_backed_up_and_migrated(tmp_path):
    path = tmp_path / "old.db"
    _old_database(path, "0002_library_sort_indexes")
    upgraded = Store.open(path)
    assert upgraded.schema_version == schema.KNOWN[-1]
    assert upgraded.article(1).title == "Old"
    backup = tmp_path / "old.db.0001_initial.bak"
    assert backup.exists()
    copy = sqlite3.connect(backup)
    assert copy.execute("SELECT title FROM articles").fetchall() == [("Old",)]
    names = [r[0] for r in copy.execute("SELECT name FROM _sqlite_migrations")]
    assert names == ["0001_initial"]
    copy.close()
    upgraded.close()


def test_prefix_index_migration_reindexes_existing_articles(tmp_path):
    path = tmp_path / "old.db"
    _old_database(path, "0003_search_prefix_index")
    store = Store.open(path)
    sql = store.conn.execute("SELECT sql FROM sqlite_master WHERE name = 'articles_fts'").fetchone()[0]
    assert f"prefix='{schema.PREFIX_LENGTHS}'" in sql
    # Found through the rebuilt index, and articles added later are indexed by the old triggers.
    assert [h.article_id for h in store.search("counc")] == [1]
    store.add_articles([NewArticle("New", "A council vote.")])
    assert sorted(h.article_id for h in store.search("coun")) == [1, 2]
    assert store.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    store.close()


def test_article_count_migration_counts_existing_articles_and_stays_exact(tmp_path):
    path = tmp_path / "old.db"
    _old_database(path, "0004_article_count")
    store = Store.open(path)
    assert store.count_articles() == 1
    store.add_articles([NewArticle(f"N{i}", f"News item number {i}.") for i in range(5)])
    assert store.count_articles() == 6
    # Also when rows go another way than through the Store, and when a write is rolled back.
    store.conn.execute("DELETE FROM articles WHERE title IN ('N0', 'N1')")
    store.conn.commit()
    with pytest.raises(StoreError):
        store.add_articles([NewArticle("Good", "Fine text."), NewArticle("Bad", "x", spans=[NewSpan(0, 9, "fact")])])
    real = store.conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    assert store.count_articles() == real == 4
    store.close()


def test_data_version_changes_when_another_connection_writes(store):
    other = Store.open(store.path)
    before = store.data_version()
    other.add_articles([NewArticle("X", "Written elsewhere.")])
    assert store.data_version() != before
    other.close()


def test_write_path_migration_keeps_search_and_stops_reindexing_on_status(tmp_path):
    path = tmp_path / "old.db"
    _old_database(path, "0011_write_path_indexes")
    store = Store.open(path)
    conn = store.conn
    # A change of status (the first tag of an article, marking it done) writes one row: the
    # full-text index of the text is not deleted and written again.
    before = conn.total_changes
    conn.execute("UPDATE articles SET status = 'done' WHERE id = 1")
    assert conn.total_changes - before == 1
    # A new title is still what search finds, and the old one is gone from the index.
    conn.execute("UPDATE articles SET title = 'Harbour' WHERE id = 1")
    conn.commit()
    assert [h.article_id for h in store.search("harbour")] == [1]
    conn.execute("UPDATE articles SET title = 'Quay' WHERE id = 1")
    conn.commit()
    assert store.search("harbour") == []
    assert [h.article_id for h in store.search("quay")] == [1]
    conn.execute("INSERT INTO articles_fts (articles_fts) VALUES ('integrity-check')")
    # The overlap query of each tag reads the span's end from the index itself.
    columns = [r[2] for r in conn.execute("PRAGMA index_info(annotations_article)")]
    assert columns == ["article_id", "annotator", "start", "end"]
    store.close()


def test_first_span_moves_the_article_on_without_touching_its_search_entry(store):
    (article_id,) = store.add_articles([NewArticle("Ferry", "The ferry sailed late. Nobody minded.")]).ids
    assert store.article(article_id).status == "new"
    store.tag(article_id, 0, 22, "fact", "ann")
    assert store.article(article_id).status == "in_progress"
    assert [h.article_id for h in store.search("ferry")] == [article_id]
    store.conn.execute("INSERT INTO articles_fts (articles_fts) VALUES ('integrity-check')")
