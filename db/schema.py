"""The schema, as an ordered list of migrations.

Each migration is applied once and recorded in `_sqlite_migrations` (sqlite-utils' Migrations
helper). A database that records a migration this code does not know was made by a newer version and
is refused rather than guessed at.

sqlite-utils is imported only when a migration has to run: importing it costs more than the rest
of opening the app (it pulls in click, dateutil and numpy when present), and an up-to-date database
only needs the list of applied names, which plain SQL reads.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlite_utils import Database
    from sqlite_utils.migrations import Migrations

MIGRATION_SET = "reader"
# Characters; a one-letter query word is matched whole (see fts_query). Schema 0003 kept lists
# for three characters too; 0005 dropped them (see there).
PREFIX_LENGTHS = "2"
MIGRATIONS_TABLE = "_sqlite_migrations"  # sqlite-utils' name for its record of applied migrations
STEPS: list[tuple[str, Callable[["Database"], None]]] = []


def _step(name: str):
    def register(fn):
        STEPS.append((name, fn))
        return fn

    return register


@_step("0001_initial")
def _initial(db: Database) -> None:
    db.execute(
        """
        CREATE TABLE articles (
            id INTEGER PRIMARY KEY,
            title TEXT NOT NULL,
            source TEXT,
            url TEXT,
            text TEXT NOT NULL,
            sha256 TEXT NOT NULL UNIQUE,      -- of the stored (sanitised) text: duplicates
            raw_sha256 TEXT,                  -- of the input as read, before decoding
            encoding TEXT,
            imported_at TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'new'
                CHECK (status IN ('new', 'in_progress', 'done')),
            meta TEXT NOT NULL DEFAULT '{}',
            words INTEGER NOT NULL DEFAULT 0,
            chars INTEGER NOT NULL DEFAULT 0
        )
        """
    )
    db.execute("CREATE INDEX articles_status ON articles(status)")
    db.execute(
        """
        CREATE TABLE labels (
            name TEXT PRIMARY KEY,
            key TEXT,
            colour TEXT NOT NULL,
            layer TEXT NOT NULL CHECK (layer IN ('segment', 'entity')),
            unit TEXT NOT NULL DEFAULT 'sentence',
            description TEXT NOT NULL DEFAULT '',
            position INTEGER NOT NULL DEFAULT 0
        )
        """
    )
    db.execute(
        """
        CREATE TABLE sessions (
            id INTEGER PRIMARY KEY,
            annotator TEXT NOT NULL,
            started_at TEXT NOT NULL,
            ended_at TEXT,
            spans_added INTEGER NOT NULL DEFAULT 0,
            spans_removed INTEGER NOT NULL DEFAULT 0,
            articles_touched INTEGER NOT NULL DEFAULT 0,
            articles_done INTEGER NOT NULL DEFAULT 0
        )
        """
    )
    db.execute(
        """
        CREATE TABLE annotations (
            -- AUTOINCREMENT: ids are never reused, so the undo history can put a span back.
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            label TEXT NOT NULL REFERENCES labels(name) ON UPDATE CASCADE,
            annotator TEXT NOT NULL,
            source TEXT NOT NULL DEFAULT 'manual'
                CHECK (source IN ('manual', 'imported', 'suggested')),
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            CHECK (start >= 0 AND "end" > start)
        )
        """
    )
    db.execute("CREATE INDEX annotations_article ON annotations(article_id, annotator, start)")
    db.execute("CREATE INDEX annotations_label ON annotations(label)")
    # The undo history: one row per edit, persisted so undo survives reopening an article.
    db.execute(
        """
        CREATE TABLE edits (
            id INTEGER PRIMARY KEY,
            article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            annotator TEXT NOT NULL,
            session_id INTEGER REFERENCES sessions(id),
            at TEXT NOT NULL,
            change TEXT NOT NULL,
            undone INTEGER NOT NULL DEFAULT 0
        )
        """
    )
    db.execute("CREATE INDEX edits_article ON edits(article_id, annotator, id)")
    # Where each annotator left off in each article.
    db.execute(
        """
        CREATE TABLE places (
            article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            annotator TEXT NOT NULL,
            cursor INTEGER NOT NULL DEFAULT 0,
            top INTEGER NOT NULL DEFAULT 0,
            visited_at TEXT NOT NULL,
            PRIMARY KEY (article_id, annotator)
        )
        """
    )
    db.table("articles").enable_fts(
        ["title", "text"], create_triggers=True, tokenize="unicode61 remove_diacritics 2"
    )
    # Readable from sqlite-utils or Datasette without knowing the offsets convention:
    # substr() counts characters, as our offsets do (1-based, hence the +1).
    db.execute(
        """
        CREATE VIEW spans_with_text AS
        SELECT
            annotations.id,
            annotations.article_id,
            articles.title AS article_title,
            annotations.label,
            labels.layer,
            annotations.start,
            annotations."end",
            substr(articles.text, annotations.start + 1, annotations."end" - annotations.start)
                AS text,
            annotations.annotator,
            annotations.source,
            annotations.created_at,
            annotations.updated_at
        FROM annotations
        JOIN articles ON articles.id = annotations.article_id
        LEFT JOIN labels ON labels.name = annotations.label
        """
    )


@_step("0002_library_sort_indexes")
def _sort_indexes(db: Database) -> None:
    # The library pages through 100,000 articles sorted by these columns: an index per sort
    # key turns each page into a range scan instead of a full sort.
    db.execute("CREATE INDEX articles_title ON articles(title COLLATE NOCASE, id)")
    db.execute("CREATE INDEX articles_source ON articles(source COLLATE NOCASE, id)")
    db.execute("CREATE INDEX articles_words ON articles(words, id)")


@_step("0003_search_prefix_index")
def _prefix_index(db: Database) -> None:
    # Search as you type ends in a short prefix ("co*"): without a prefix index FTS5 merges the
    # lists of every term that starts so, ~60 ms over 100,000 articles; with one it reads a
    # single list. The triggers that keep the index in step belong to `articles` and stay.
    db.execute("DROP TABLE articles_fts")
    db.execute(
        "CREATE VIRTUAL TABLE articles_fts USING FTS5 (title, text, "
        "tokenize='unicode61 remove_diacritics 2', prefix='2 3', content=articles)"
    )
    db.execute("INSERT INTO articles_fts (articles_fts) VALUES ('rebuild')")


@_step("0004_article_count")
def _article_count(db: Database) -> None:
    # The library counts the articles on every start and every two seconds (to notice imports
    # by other processes); count(*) reads an index entry per article, ~30 ms over 100,000 when
    # the file is not in the page cache. Triggers keep this one row exact in every transaction.
    db.execute("CREATE TABLE counts (name TEXT PRIMARY KEY, n INTEGER NOT NULL)")
    db.execute("INSERT INTO counts (name, n) VALUES ('articles', (SELECT count(*) FROM articles))")
    db.execute(
        "CREATE TRIGGER articles_count_ai AFTER INSERT ON articles BEGIN "
        "UPDATE counts SET n = n + 1 WHERE name = 'articles'; END"
    )
    db.execute(
        "CREATE TRIGGER articles_count_ad AFTER DELETE ON articles BEGIN "
        "UPDATE counts SET n = n - 1 WHERE name = 'articles'; END"
    )


@_step("0005_import_journal")
def _import_journal(db: Database) -> None:
    # A long import commits in batches so that other writers get the lock between them; each
    # article it writes carries its import's id, and `imports` lists the imports not finished.
    # An import that fails deletes its articles; one whose process died is rolled back the next
    # time the database is opened (see Store.import_articles).
    db.execute("ALTER TABLE articles ADD COLUMN import_id INTEGER")
    # An import indexes and counts each batch's articles in one statement each rather than a
    # trigger per row, which costs it about a third more; every other insert keeps the triggers.
    db.execute("DROP TRIGGER articles_ai")
    db.execute(
        'CREATE TRIGGER "articles_ai" AFTER INSERT ON "articles" WHEN new.import_id IS NULL BEGIN '
        'INSERT INTO "articles_fts" (rowid, "title", "text") '
        'VALUES (new.rowid, new."title", new."text"); END'
    )
    db.execute("DROP TRIGGER articles_count_ai")
    db.execute(
        "CREATE TRIGGER articles_count_ai AFTER INSERT ON articles WHEN new.import_id IS NULL "
        "BEGIN UPDATE counts SET n = n + 1 WHERE name = 'articles'; END"
    )
    # Three-character prefix lists made importing about a third slower for what they saved a
    # search: a three-letter prefix merges the few hundred terms that start so instead
    # (measured on 10,000 articles with a 120,000-word vocabulary: median 1.9 -> 2.3 ms, p90
    # 4.1 -> 6.8 ms). Two-letter prefixes, which match thousands of terms, keep their lists.
    db.execute("DROP TABLE articles_fts")
    db.execute(
        "CREATE VIRTUAL TABLE articles_fts USING FTS5 (title, text, "
        f"tokenize='unicode61 remove_diacritics 2', prefix='{PREFIX_LENGTHS}', content=articles)"
    )
    db.execute("INSERT INTO articles_fts (articles_fts) VALUES ('rebuild')")
    db.execute("CREATE INDEX articles_import ON articles(import_id) WHERE import_id IS NOT NULL")
    db.execute(
        """
        CREATE TABLE imports (
            id INTEGER PRIMARY KEY,          -- random, never reused: articles keep it
            lock TEXT,                       -- file name, beside the database, held while running
            host TEXT NOT NULL,
            pid INTEGER NOT NULL,
            started_at TEXT NOT NULL,
            annotations_seq INTEGER          -- sqlite_sequence of annotations when it started
        )
        """
    )


@_step("0006_annotator_status")
def _annotator_status(db: Database) -> None:
    # Each annotator has their own status per article: "done" by one is not done for all.
    # `done_session` is the session that marked it done, so a session counts an article done
    # once however often D is toggled. `articles.status` stays: the latest status anyone set,
    # what `Store.article(id)` without an annotator reports.
    db.execute(
        """
        CREATE TABLE annotator_status (
            article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            annotator TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('new', 'in_progress', 'done')),
            updated_at TEXT NOT NULL,
            done_session INTEGER,
            PRIMARY KEY (article_id, annotator)
        )
        """
    )
    db.execute("CREATE INDEX annotator_status_who ON annotator_status(annotator, status, article_id)")
    # What an older database holds: one status per article. Every annotator who left a trace on
    # an article (spans, a reading place, an edit in the undo history) gets the article's
    # status; "new" becomes "in progress" for one who has spans there.
    db.execute(
        """
        INSERT INTO annotator_status (article_id, annotator, status, updated_at)
        SELECT w.article_id, w.annotator,
            CASE WHEN a.status = 'new' AND EXISTS (
                SELECT 1 FROM annotations n
                WHERE n.article_id = w.article_id AND n.annotator = w.annotator
            ) THEN 'in_progress' ELSE a.status END,
            a.imported_at
        FROM (
            SELECT article_id, annotator FROM annotations
            UNION SELECT article_id, annotator FROM places
            UNION SELECT article_id, annotator FROM edits
        ) w JOIN articles a ON a.id = w.article_id
        """
    )


@_step("0007_assignments")
def _assignments(db: Database) -> None:
    # Who is to annotate which article (`reader assign`): an annotator with assignments works
    # through them in article order (`>` and the library's "assigned to me").
    db.execute(
        """
        CREATE TABLE assignments (
            article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            annotator TEXT NOT NULL,
            assigned_at TEXT NOT NULL,
            PRIMARY KEY (article_id, annotator)
        )
        """
    )
    db.execute("CREATE INDEX assignments_who ON assignments(annotator, article_id)")


@_step("0008_suggestions")
def _suggestions(db: Database) -> None:
    # Suggestions an annotator turned down: the same span and label is not suggested to them
    # again, and a rejected name counts against its text for the name matcher.
    db.execute(
        """
        CREATE TABLE suggestion_rejections (
            id INTEGER PRIMARY KEY,
            article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            annotator TEXT NOT NULL,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            label TEXT NOT NULL,
            text TEXT NOT NULL,              -- the rejected text, for the name matcher
            kind TEXT NOT NULL DEFAULT '',   -- which suggester made it
            at TEXT NOT NULL,
            UNIQUE (article_id, annotator, start, "end", label)
        )
        """
    )
    db.execute("CREATE INDEX suggestion_rejections_annotator ON suggestion_rejections(annotator, label)")
    # Spans another model proposed (reader import --suggestions): reviewed like the built-in
    # suggestions, never exported until accepted (then they are annotations, source 'suggested').
    db.execute(
        """
        CREATE TABLE suggestions (
            id INTEGER PRIMARY KEY,
            article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            label TEXT NOT NULL,
            score REAL NOT NULL DEFAULT 0.5,
            origin TEXT NOT NULL DEFAULT '',  -- the file (and line) it came from
            imported_at TEXT NOT NULL,
            CHECK (start >= 0 AND "end" > start),
            UNIQUE (article_id, start, "end", label)
        )
        """
    )


@_step("0009_fts_content_quoted")
def _fts_content_quoted(db: Database) -> None:
    # sqlite-utils (`sqlite-utils search`, Table.search, Datasette's search box) finds a table's
    # full-text index by its declaration naming the table as content="articles" or
    # content=[articles]; 0003 and 0005 wrote content=articles, so it reported the table "not
    # configured for full-text search". The declaration is rewritten with the name quoted and
    # everything else as it stands (columns, tokenizer, prefix lists). FTS5 keeps its settings
    # in the declaration, so the table is made anew and rebuilt from `articles`; the triggers
    # that keep it in step belong to `articles` and stay.
    row = db.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'articles_fts'"
    ).fetchone()
    if row is None:
        return
    declared = row[0]
    quoted = re.sub(r"\bcontent\s*=\s*'?articles'?(?=\s*[,)])", 'content="articles"', declared)
    if quoted == declared:
        return  # already quoted
    db.execute("DROP TABLE articles_fts")
    db.execute(quoted)
    db.execute("INSERT INTO articles_fts (articles_fts) VALUES ('rebuild')")


@_step("0010_review_decisions")
def _review_decisions(db: Database) -> None:
    # What a reviewer decided about each stretch in conflict (db/versions.py names it by its
    # signature), and which agreed spans were merged into gold already. The decision holds while
    # the gold edit it made (edit_id) is not undone; with no edit (nothing to change) it holds.
    db.execute(
        """
        CREATE TABLE review_decisions (
            article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            signature TEXT NOT NULL,
            choice TEXT NOT NULL,
            edit_id INTEGER,
            decided_at TEXT NOT NULL,
            PRIMARY KEY (article_id, signature)
        )
        """
    )


@_step("0011_write_path_indexes")
def _write_path_indexes(db: Database) -> None:
    # What each tag key's commit reads, on a long article with many spans:
    # - the spans it overlaps: `start < end` bounds the index scan on one side only, and each
    #   entry scanned was looked up in the table for its end; with the end in the index the
    #   rows are read only for the spans that overlap;
    # - the redo chain it ends: the undone edits were found among all the article's edits; a
    #   partial index holds only the undone ones, which are few;
    # - sqlite-utils' update trigger reindexed the whole text on any update of the row, so the
    #   first tag of an article (its status leaves "new") or marking it done reindexed all of
    #   it; it now fires only when the title or the text changes, the columns the index holds.
    db.execute("DROP INDEX annotations_article")
    db.execute('CREATE INDEX annotations_article ON annotations(article_id, annotator, start, "end")')
    db.execute("CREATE INDEX edits_undone ON edits(article_id, annotator) WHERE undone = 1")
    db.execute("DROP TRIGGER IF EXISTS articles_au")
    db.execute(
        'CREATE TRIGGER "articles_au" AFTER UPDATE OF "title", "text" ON "articles" BEGIN '
        'INSERT INTO "articles_fts" ("articles_fts", rowid, "title", "text") '
        "VALUES('delete', old.rowid, old.\"title\", old.\"text\"); "
        'INSERT INTO "articles_fts" (rowid, "title", "text") '
        'VALUES (new.rowid, new."title", new."text"); END'
    )


KNOWN = [name for name, _ in STEPS]


def applied(conn: sqlite3.Connection) -> list[str]:
    """Names of the migrations this database records, in the order they ran."""
    exists = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (MIGRATIONS_TABLE,)
    ).fetchone()
    if not exists:
        return []
    return [
        row[0]
        for row in conn.execute(
            f"SELECT name FROM {MIGRATIONS_TABLE} WHERE migration_set = ? ORDER BY rowid",
            (MIGRATION_SET,),
        )
    ]


def migrations() -> Migrations:
    """The steps as sqlite-utils Migrations, ready to apply."""
    from sqlite_utils.migrations import Migrations

    out = Migrations(MIGRATION_SET)
    for name, fn in STEPS:
        out(name=name)(fn)
    return out


def apply(conn: sqlite3.Connection, *, stop_before: str | None = None) -> None:
    """Run the migrations `conn` has not had yet (up to `stop_before`, for tests of upgrades)."""
    from sqlite_utils import Database

    migrations().apply(Database(conn), stop_before=stop_before)
