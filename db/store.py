"""The Store: the one way the app and the CLI read and write a reader database.

Every write runs in a `BEGIN IMMEDIATE` transaction: it takes the write lock before reading, so a
second process waits (busy timeout) instead of failing with "database is locked" halfway through a
read-then-write change. Each call commits before it returns, so whatever the caller shows as saved is
on disk.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sqlite3
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from .models import (
    LAYERS,
    STATUSES,
    AddResult,
    Article,
    ArticleRow,
    Change,
    Label,
    NewArticle,
    Span,
    SearchHit,
    SearchHits,
)
from . import rules, schema
from .review import ReviewMixin
from .suggestions import SuggestionsMixin

if TYPE_CHECKING:
    from sqlite_utils import Database

BUSY_TIMEOUT_MS = 5000
# An import commits after about this much text or this long holding the write lock, whichever
# comes first, so that other writers (the app saving a tag) wait a fraction of a second at most.
IMPORT_BATCH_BYTES = 1_000_000
IMPORT_BATCH_SECONDS = 0.2
# How many of the newest articles a search ranks first (see Store.search).
SEARCH_WINDOW = 2000
# Snippet delimiters: control characters never survive import sanitising, so they cannot clash.
_MARK_OPEN, _MARK_CLOSE = "\x02", "\x03"
_FTS_SYNTAX = re.compile(r'["*():^]|\b(AND|OR|NOT|NEAR)\b')


class StoreError(Exception):
    """A problem the user can act on; str() is one line."""


class NotADatabase(StoreError):
    pass


class NewerSchema(StoreError):
    pass


class LabelMismatch(StoreError):
    def __init__(self, missing: list[str]):
        self.missing = missing
        super().__init__(
            "the database has spans with label(s) "
            + ", ".join(repr(m) for m in missing)
            + " that the label set does not define; add them to the label file"
        )


class QueryError(StoreError):
    pass


class DatabaseDamaged(StoreError):
    """The database file is corrupt: SQLite says so, or two reads of one snapshot disagree."""

    def __init__(self, path: str | None):
        where = f" ({path})" if path else ""
        super().__init__(
            f"database file is damaged: run PRAGMA integrity_check / restore the backup{where}"
        )


# SQLite's result codes for a damaged file (sqlite3.SQLITE_CORRUPT and SQLITE_NOTADB).
_DAMAGE_CODES = {11, 26}


def is_damage(exc: BaseException) -> bool:
    """Whether ``exc`` is SQLite reporting a damaged database file (not a lock or a query)."""
    if not isinstance(exc, sqlite3.DatabaseError):
        return False
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in _DAMAGE_CODES
    return "malformed" in str(exc) or "not a database" in str(exc)


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _span(row: sqlite3.Row | tuple) -> Span:
    return Span(*row)


# An annotator's status for article `a` (parameter: the annotator); "new" when they have none.
_OWN_STATUS = (
    "coalesce((SELECT s.status FROM annotator_status s WHERE s.article_id = a.id "
    "AND s.annotator = ?), 'new')"
)

_SPAN_COLUMNS = 'id, article_id, start, "end", label, annotator, source, created_at, updated_at'


# SQLite result codes (primary): I/O error, cannot open, read-only.
_SQLITE_IOERR, _SQLITE_CANTOPEN, _SQLITE_READONLY = 10, 14, 8


def _prepare_path(path: str) -> bool:
    """Check the path and create its directory; True when the database can be written there,
    False when it exists but can only be read. Raises StoreError with the real reason."""
    target = Path(path).expanduser()
    if target.is_dir():
        raise StoreError(f"{target} is a directory, not a database file")
    parent = target.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        blocker = next((p for p in [parent, *parent.parents] if p.exists() and not p.is_dir()),
                       parent)
        raise StoreError(f"cannot create {target}: {blocker} is a file, not a directory") from None
    except PermissionError:
        raise StoreError(f"cannot create {target}: permission denied creating {parent}") from None
    except OSError as exc:
        raise StoreError(f"cannot create {target}: {exc.strerror}") from None
    if not target.exists():
        if not os.access(parent, os.W_OK | os.X_OK):
            raise StoreError(f"cannot create {target}: permission denied (directory {parent} "
                             "is not writable)")
        return True
    if not os.access(target, os.R_OK):
        raise StoreError(f"cannot open {target}: permission denied")
    # WAL needs the -wal and -shm files beside the database: an unwritable directory makes the
    # database read-only too, unless they are there and writable.
    wal_ok = all(os.access(f"{target}{suffix}", os.W_OK) for suffix in ("-wal", "-shm"))
    return os.access(target, os.W_OK) and (os.access(parent, os.W_OK | os.X_OK) or wal_ok)


def _connect(path: str, *, read_only: bool) -> sqlite3.Connection:
    kwargs = dict(timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
    if not read_only or path == ":memory:":
        return _probed(sqlite3.connect(path, **kwargs))
    from urllib.parse import quote

    uri = "file:" + quote(str(Path(path).expanduser().resolve())) + "?mode=ro"
    conn = sqlite3.connect(uri, uri=True, **kwargs)
    try:
        conn.execute("PRAGMA schema_version").fetchone()
        return conn
    except sqlite3.OperationalError as exc:
        conn.close()
        if (getattr(exc, "sqlite_errorcode", 0) or 0) & 0xFF != _SQLITE_READONLY:
            raise
    # A WAL database in a directory we cannot write: no -shm can be made, so read the file as
    # it is (no other process can be writing it there either, short of one with more rights).
    return _probed(sqlite3.connect(uri + "&immutable=1", uri=True, **kwargs))


def _probed(conn: sqlite3.Connection) -> sqlite3.Connection:
    """`conn`, once it has read the file's header (which is where a bad file shows), or closed."""
    try:
        conn.execute("PRAGMA schema_version").fetchone()
    except BaseException:
        conn.close()
        raise
    return conn


def _open_error(path: str, exc: sqlite3.DatabaseError) -> StoreError:
    """The real reason a database could not be opened, with its path, in one line."""
    code = (getattr(exc, "sqlite_errorcode", 0) or 0) & 0xFF
    if code == 26 or "not a database" in str(exc):  # SQLITE_NOTADB
        return NotADatabase(f"{path} is not a reader database ({exc})")
    if code == 11:  # SQLITE_CORRUPT
        return DatabaseDamaged(path)
    if code == _SQLITE_IOERR:
        return StoreError(f"cannot read {path}: I/O error ({exc})")
    if code == _SQLITE_CANTOPEN:
        return StoreError(f"cannot open {path}: {exc}")
    return StoreError(f"cannot open {path}: {exc}")


class Store(ReviewMixin, SuggestionsMixin):
    """A reader database. Use `Store.open(path)`."""

    def __init__(self, conn: sqlite3.Connection, path: str | None = None):
        self.conn = conn
        self.path = path
        self._labels: dict[str, Label] | None = None
        self._db: Database | None = None
        self.read_only = False

    @property
    def db(self) -> Database:
        """The same connection as a sqlite-utils Database, for ad-hoc queries and tools."""
        if self._db is None:
            from sqlite_utils import Database

            self._db = Database(self.conn)
        return self._db

    # -- opening -----------------------------------------------------------------------------

    @classmethod
    def open(
        cls,
        path: str | Path,
        *,
        backup: bool = True,
        on_upgrade: Callable[[str, str | None], None] | None = None,
        read_only: bool | None = None,
    ) -> "Store":
        """Open (creating if need be) the database at `path` and bring its schema up to date.

        Refuses a file that is not SQLite and a database made by a newer version of reader. Before
        migrating an existing database it writes a backup copy beside it and calls
        `on_upgrade(schema it has, backup path or None)`: on a large library the upgrade can
        take a while (rebuilding the search index), and the caller may want to say so.

        A file this process cannot write (or one in a directory it cannot write) opens read-only
        (`read_only` is then True): reading, searching and exporting work, writes are refused by
        SQLite and the app says so. `read_only=True` asks for that; False never falls back.
        Every problem with the path is a `StoreError` naming it and the real reason, in one line.
        """
        path = str(path)
        if path != ":memory:" and read_only is None:
            read_only = not _prepare_path(path)
        try:
            conn = _connect(path, read_only=bool(read_only))
        except sqlite3.DatabaseError as exc:
            raise _open_error(path, exc) from None
        store = cls(conn, path)
        store.read_only = bool(read_only)
        try:
            store._configure()
            store._migrate(backup=backup, on_upgrade=on_upgrade)
            if not store.read_only:
                store.recover_imports()  # a read-only store leaves the file exactly as it is
        except sqlite3.DatabaseError as exc:
            conn.close()
            if is_damage(exc) or (getattr(exc, "sqlite_errorcode", 0) or 0) & 0xFF in (10, 14):
                raise _open_error(path, exc) from None
            raise
        except Exception:
            conn.close()
            raise
        return store

    def _configure(self) -> None:
        self.conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        # SQLite leaves foreign keys off unless each connection asks.
        self.conn.execute("PRAGMA foreign_keys = ON")
        if self.read_only:
            self.conn.execute("PRAGMA schema_version").fetchone()  # open errors show up here
            return
        if self.path != ":memory:":
            self.conn.execute("PRAGMA journal_mode = WAL")
        # FULL: a commit survives power loss too, at ~0.16 ms per commit.
        self.conn.execute("PRAGMA synchronous = FULL")

    def _migrate(
        self, *, backup: bool, on_upgrade: Callable[[str, str | None], None] | None = None
    ) -> None:
        applied = schema.applied(self.conn)
        unknown = [name for name in applied if name not in schema.KNOWN]
        if unknown:
            raise NewerSchema(
                f"{self.path} was made by a newer version of reader (schema {unknown[-1]}); "
                "upgrade reader to open it"
            )
        if len(applied) == len(schema.KNOWN):
            return
        if self.read_only:
            what = f"uses an older schema ({applied[-1]})" if applied else "is empty"
            raise StoreError(f"{self.path} is read-only and {what}: open it once with write "
                             "access to bring it up to date")
        copy = None
        if applied and backup and self.path != ":memory:":
            copy = f"{self.path}.{applied[-1]}.bak"
            self.backup(copy)
        if applied and on_upgrade:
            on_upgrade(applied[-1], copy)
        with self._write():
            schema.apply(self.conn)

    def backup(self, target: str) -> None:
        dest = sqlite3.connect(target)
        try:
            self.conn.backup(dest)
        finally:
            dest.close()

    @property
    def schema_version(self) -> str:
        applied = schema.applied(self.conn)
        return applied[-1] if applied else ""

    def close(self) -> None:
        self.conn.close()

    def interrupt(self) -> None:
        """Stop the query running on this connection (from another thread)."""
        self.conn.interrupt()

    def data_version(self) -> int:
        """Changes when another connection commits: a cheap way to notice other processes."""
        return self.conn.execute("PRAGMA data_version").fetchone()[0]

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction that holds the write lock from its first statement."""
        if self.conn.in_transaction:
            yield self.conn
            return
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise
        else:
            self.conn.execute("COMMIT")

    # -- labels ------------------------------------------------------------------------------

    def labels(self) -> list[Label]:
        return list(self._label_map().values())

    def label(self, name: str) -> Label:
        try:
            return self._label_map()[name]
        except KeyError:
            raise StoreError(f"unknown label {name!r}") from None

    def _label_map(self) -> dict[str, Label]:
        if self._labels is None:
            rows = self.conn.execute(
                "SELECT name, layer, key, colour, unit, description FROM labels ORDER BY position, name"
            ).fetchall()
            self._labels = {row[0]: Label(*row) for row in rows}
        return self._labels

    def set_labels(self, labels: list[Label]) -> None:
        """Make `labels` the label set in use. Refuses (LabelMismatch) when stored spans use a
        label the new set does not have."""
        names = [label.name for label in labels]
        if len(set(names)) != len(names):
            raise StoreError("the label set names a label twice")
        for label in labels:
            if label.layer not in LAYERS:
                raise StoreError(f"label {label.name!r} has unknown layer {label.layer!r}")
        # Every command sets the label set on opening; when nothing changes, taking the write lock
        # would only make readers wait behind (and time out against) busy writers.
        if self._label_map() == {l.name: l for l in labels} and list(self._label_map()) == names:
            return
        if self.read_only:
            # Nothing can be written: the set is used for this run only, if the spans fit it.
            used = [r[0] for r in self.conn.execute("SELECT DISTINCT label FROM annotations")]
            missing = sorted(name for name in used if name not in names)
            if missing:
                raise LabelMismatch(missing)
            self._labels = {l.name: l for l in labels}
            return
        with self._write() as conn:
            used = [r[0] for r in conn.execute("SELECT DISTINCT label FROM annotations ORDER BY 1")]
            missing = [name for name in used if name not in names]
            if missing:
                raise LabelMismatch(missing)
            placeholders = ",".join("?" for _ in names)
            conn.execute(f"DELETE FROM labels WHERE name NOT IN ({placeholders})", names)
            conn.executemany(
                "INSERT INTO labels (name, key, colour, layer, unit, description, position) "
                "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(name) DO UPDATE SET key = excluded.key, "
                "colour = excluded.colour, layer = excluded.layer, unit = excluded.unit, "
                "description = excluded.description, position = excluded.position",
                [
                    (l.name, l.key, l.colour, l.layer, l.unit, l.description, i)
                    for i, l in enumerate(labels)
                ],
            )
        self._labels = None

    # -- articles ----------------------------------------------------------------------------

    def add_articles(
        self, articles: Iterable[NewArticle], *, annotator: str = "imported"
    ) -> AddResult:
        """Store new articles and their imported spans, all or nothing, in one transaction.

        Articles whose text is already stored (same sha256) are skipped as duplicates. A span that
        is out of range, has an unknown label or breaks a layer rule aborts the whole call with a
        StoreError naming the article's origin. For a long stream, `import_articles` keeps the
        same promise without holding the write lock throughout.
        """
        counts = [0, 0, 0]
        ids: list[int] = []
        labels = self._label_map()
        stamp = now()
        with self._write() as conn:
            # Texts added in this call: an export writes one line per annotator, so the same text
            # may come again with another annotator's spans, which join the first copy.
            batch: dict[str, tuple[int, set[str]]] = {}

            def earlier(digest: str):
                return batch.get(digest)

            for article in articles:
                self._add_one(conn, article, labels, annotator, stamp, None, earlier, batch, counts, ids)
        return AddResult(counts[0], counts[1], counts[2], tuple(ids))

    def import_articles(
        self,
        articles: Iterable[NewArticle],
        *,
        annotator: str = "imported",
        batch_bytes: int | None = None,
        batch_seconds: float | None = None,
        on_commit: Callable[[AddResult], None] | None = None,
    ) -> AddResult:
        """Store a stream of articles all or nothing, committing in short batches.

        `articles` is read lazily, outside the write lock: a batch (about `batch_bytes` of text,
        or what `batch_seconds` allows) is taken, written and committed, and other writers get
        the lock between batches, so a long import starves nobody. Every article written carries
        this import's id and the import is in the `imports` journal until it finishes: on any
        exception, from the stream (bad input) or the store (a span it refuses), and on
        KeyboardInterrupt, the articles it wrote are deleted again before the exception goes on.
        A process killed outright leaves its journal row, and the next `Store.open` rolls it back.
        Duplicates (same sha256) are found across batches and within the import as in
        `add_articles`. `on_commit` is called with the running totals after each batch. The
        batch limits default to IMPORT_BATCH_BYTES and IMPORT_BATCH_SECONDS.
        """
        from . import import_journal as journal

        batch_bytes = batch_bytes or IMPORT_BATCH_BYTES
        batch_seconds = batch_seconds or IMPORT_BATCH_SECONDS
        labels = self._label_map()
        import_id = journal.new_import_id()
        lock = journal.ImportLock(self.path or ":memory:", import_id)
        locked = self.path != ":memory:" and lock.acquire()
        counts = [0, 0, 0]
        ids: list[int] = []
        with self._write() as conn:
            seq = journal.annotations_seq(conn)
            conn.execute(
                "INSERT INTO imports (id, lock, host, pid, started_at, annotations_seq) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (import_id, lock.name if locked else None, journal.hostname(), os.getpid(), now(), seq),
            )

        def earlier(digest: str):
            row = self.conn.execute(
                "SELECT id, import_id FROM articles WHERE sha256 = ?", (digest,)
            ).fetchone()
            if row is None:
                return None
            if row[1] != import_id:
                return False
            who = {r[0] for r in self.conn.execute(
                "SELECT DISTINCT annotator FROM annotations WHERE article_id = ?", (row[0],)
            )}
            return row[0], who

        try:
            stream = iter(articles)
            finished = False
            while not finished:
                # Parse (and hold in memory) one batch before taking the lock.
                batch: list[NewArticle] = []
                size = 0
                for article in stream:
                    batch.append(article)
                    size += len(article.text)
                    if size >= batch_bytes:
                        break
                else:
                    finished = True
                if not batch:
                    break
                stamp = now()
                began = time.monotonic()
                pending = iter(batch)
                while True:
                    with self._write() as conn:
                        indexed: list[tuple[int, str, str]] = []
                        for article in pending:
                            self._add_one(
                                conn, article, labels, annotator, stamp, import_id, earlier,
                                None, counts, ids, indexed,
                            )
                            if time.monotonic() - began > batch_seconds:
                                break
                        else:
                            self._index_imported(conn, indexed)
                            break
                        self._index_imported(conn, indexed)
                    began = time.monotonic()
                del batch, pending
                if on_commit is not None:
                    on_commit(AddResult(counts[0], counts[1], counts[2], ()))
            with self._write() as conn:
                gone = conn.execute("DELETE FROM imports WHERE id = ?", (import_id,)).rowcount == 0
            if gone:
                raise StoreError("this import was rolled back by another process; import again")
        except BaseException:
            try:
                journal.delete_import_rows(self.conn, import_id, seq)
            finally:
                lock.release()
            raise
        lock.release()
        return AddResult(counts[0], counts[1], counts[2], tuple(ids))

    def recover_imports(self) -> int:
        """Roll back the imports whose process died before finishing; how many there were."""
        from . import import_journal as journal

        try:
            rows = self.conn.execute(
                "SELECT id, lock, host, pid, annotations_seq FROM imports"
            ).fetchall()
        except sqlite3.OperationalError:
            return 0
        done = 0
        for import_id, lock, host, pid, seq in rows:
            if self.path == ":memory:" or journal.owner_is_alive(self.path, lock, host, pid):
                continue
            try:
                journal.delete_import_rows(self.conn, import_id, seq)
            except sqlite3.OperationalError:
                # Locked past the busy timeout, or a read-only file: the journal row stays and
                # the next open tries again.
                continue
            done += 1
        return done

    @staticmethod
    def _index_imported(conn, indexed: list[tuple[int, str, str]]) -> None:
        # What the insert triggers do for other writes (schema 0005), a batch at a time.
        if indexed:
            conn.executemany(
                "INSERT INTO articles_fts (rowid, title, text) VALUES (?, ?, ?)", indexed
            )
            conn.execute("UPDATE counts SET n = n + ? WHERE name = 'articles'", (len(indexed),))

    def _add_one(
        self, conn, article, labels, annotator, stamp, import_id, earlier, batch, counts, ids,
        indexed=None,
    ) -> None:
        digest = text_sha256(article.text)
        spans = sorted(article.spans, key=lambda s: (s.start, s.end, s.label))
        first = earlier(digest)
        if first:
            article_id, annotators = first
            who = {s.annotator or annotator for s in spans}
            if not spans or who & annotators:
                counts[1] += 1
                return
            _check_import_spans(article, spans, labels)
            annotators |= who
            counts[2] += self._insert_imported(conn, article_id, spans, annotator, stamp)
            self._import_status(conn, article_id, who, article.status, stamp)
            return
        if first is False or (
            first is None
            and batch is not None
            and conn.execute("SELECT 1 FROM articles WHERE sha256 = ?", (digest,)).fetchone()
        ):
            counts[1] += 1
            return
        _check_import_spans(article, spans, labels)
        status = article.status if article.status in STATUSES else None
        cur = conn.execute(
            "INSERT INTO articles (title, source, url, text, sha256, raw_sha256, encoding, "
            "imported_at, status, meta, words, chars, import_id) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                article.title,
                article.source,
                article.url,
                article.text,
                digest,
                article.raw_sha256,
                article.encoding,
                stamp,
                status or ("in_progress" if spans else "new"),
                json.dumps(article.meta, ensure_ascii=False),
                len(article.text.split()),
                len(article.text),
                import_id,
            ),
        )
        article_id = cur.lastrowid
        ids.append(article_id)
        if indexed is not None:
            indexed.append((article_id, article.title, article.text))
        if batch is not None:
            batch[digest] = (article_id, {s.annotator or annotator for s in spans})
        counts[2] += self._insert_imported(conn, article_id, spans, annotator, stamp)
        self._import_status(conn, article_id, {s.annotator or annotator for s in spans},
                            article.status, stamp)
        counts[0] += 1

    @staticmethod
    def _import_status(conn, article_id: int, who: set[str], status, stamp: str) -> None:
        # Each annotator whose spans came in gets the record's status (our own JSONL carries
        # it, meta.status), else "in progress".
        if not who:
            return
        if status not in STATUSES:
            status = "in_progress"
        conn.executemany(
            "INSERT OR IGNORE INTO annotator_status (article_id, annotator, status, updated_at) "
            "VALUES (?, ?, ?, ?)",
            [(article_id, name, status, stamp) for name in sorted(who)],
        )

    @staticmethod
    def _insert_imported(conn, article_id: int, spans, annotator: str, stamp: str) -> int:
        if not spans:
            return 0
        conn.executemany(
            'INSERT INTO annotations (article_id, start, "end", label, annotator, source, '
            "created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'imported', ?, ?)",
            [(article_id, s.start, s.end, s.label, s.annotator or annotator, stamp, stamp) for s in spans],
        )
        return len(spans)

    def set_title(self, article_id: int, title: str) -> str:
        """Give an article a new title, in one write transaction; the search index follows (the
        update trigger re-indexes the row). Returns the title as stored: one line, surrounding
        and repeated whitespace collapsed. Refuses (StoreError) an empty title, one longer than
        TITLE_MAX_CHARS, and one with control, format or unassigned characters."""
        title = check_title(title)
        with self._write() as conn:
            cur = conn.execute("UPDATE articles SET title = ? WHERE id = ?", (title, article_id))
            if cur.rowcount == 0:
                raise StoreError(f"no article with id {article_id}")
        return title

    def article(self, article_id: int, annotator: str | None = None) -> Article:
        """The article; its `status` is `annotator`'s own (see `status_of`), or with no
        annotator the article's, the latest status anyone set."""
        row = self.conn.execute(
            "SELECT id, title, text, source, url, sha256, raw_sha256, encoding, imported_at, status, "
            "meta, words FROM articles WHERE id = ?",
            (article_id,),
        ).fetchone()
        if row is None:
            raise StoreError(f"no article with id {article_id}")
        values = list(row)
        values[10] = json.loads(values[10] or "{}")
        if annotator is not None:
            values[9] = self.status_of(article_id, annotator)
        return Article(*values)

    def status_of(self, article_id: int, annotator: str) -> str:
        """`annotator`'s status for the article: "new" until they tag or mark it."""
        row = self.conn.execute(
            "SELECT status FROM annotator_status WHERE article_id = ? AND annotator = ?",
            (article_id, annotator),
        ).fetchone()
        return row[0] if row else "new"

    def articles_done_by(self, annotator: str) -> set[int]:
        """The ids of the articles `annotator` has marked done."""
        return {
            r[0]
            for r in self.conn.execute(
                "SELECT article_id FROM annotator_status WHERE annotator = ? AND status = 'done'",
                (annotator,),
            )
        }

    def _article_filter(
        self,
        status: str | None,
        query: str | None,
        annotator: str | None = None,
        assigned: bool = False,
    ) -> tuple[str, list]:
        """WHERE clause and parameters over `articles a`. With an annotator, `status` is theirs
        and `assigned` keeps only the articles assigned to them."""
        where, params = [], []
        if status:
            if status not in STATUSES:
                raise StoreError(f"unknown status {status!r} (use one of {', '.join(STATUSES)})")
            if annotator is None:
                where.append("a.status = ?")
                params.append(status)
            else:
                where.append(f"{_OWN_STATUS} = ?")
                params += [annotator, status]
        if assigned:
            where.append(
                "a.id IN (SELECT article_id FROM assignments WHERE annotator = ?)"
            )
            params.append(annotator or "")
        if query:
            where.append("a.id IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?)")
            params.append(fts_query(query))
        return (" WHERE " + " AND ".join(where) if where else ""), params

    def count_articles(
        self,
        *,
        status: str | None = None,
        query: str | None = None,
        annotator: str | None = None,
        assigned: bool = False,
    ) -> int:
        """How many articles pass the filters (`status` is `annotator`'s own when given)."""
        if not status and not query and not assigned:
            # Kept by triggers (schema 0004): one row, however large the library.
            return self.conn.execute("SELECT n FROM counts WHERE name = 'articles'").fetchone()[0]
        clause, params = self._article_filter(status, query, annotator, assigned)
        with _fts_errors(query):
            return self.conn.execute(f"SELECT count(*) FROM articles a{clause}", params).fetchone()[0]

    _SORTS = {
        "id": "a.id",
        "title": "a.title COLLATE NOCASE",
        "source": "a.source COLLATE NOCASE",
        "words": "a.words",
        "status": "status",
        "spans": "spans",
        "progress": "progress",
    }

    def list_articles(
        self,
        *,
        annotator: str = "",
        status: str | None = None,
        query: str | None = None,
        sort: str = "id",
        descending: bool = False,
        limit: int | None = None,
        offset: int = 0,
        assigned: bool = False,
    ) -> list[ArticleRow]:
        """A page of the library. Counts are computed only for the rows returned (unless sorting
        by a count), so a page costs the same with 100 or 100,000 articles. Status (shown and
        filtered) and progress are `annotator`'s own (with none, the article's status);
        `assigned` keeps only their queue."""
        if sort not in self._SORTS:
            raise StoreError(f"cannot sort by {sort!r} (use one of {', '.join(self._SORTS)})")
        clause, params = self._article_filter(status, query, annotator or None, assigned)
        order = f"{self._SORTS[sort]} {'DESC' if descending else 'ASC'}, a.id"
        # No annotator: the article's own status, the latest anyone set.
        own = (
            "coalesce((SELECT s.status FROM annotator_status s "
            "WHERE s.article_id = a.id AND s.annotator = :annotator), 'new')"
            if annotator else "a.status"
        )
        sql = f"""
            SELECT a.id, a.title, a.source, {own} AS status,
                a.words, a.chars,
                (SELECT count(*) FROM annotations n WHERE n.article_id = a.id) AS spans,
                (SELECT count(*) FROM annotations n
                    WHERE n.article_id = a.id AND n.annotator = :annotator) AS own,
                (SELECT coalesce(sum(n."end" - n.start), 0) * 1.0 / max(a.chars, 1)
                    FROM annotations n JOIN labels l ON l.name = n.label
                    WHERE n.article_id = a.id AND n.annotator = :annotator
                    AND l.layer = 'segment') AS progress
            FROM articles a{clause}
            ORDER BY {order}
            LIMIT :limit OFFSET :offset
        """
        # Positional filter params and named ones cannot mix: name them.
        named = {"annotator": annotator, "limit": -1 if limit is None else limit, "offset": offset}
        for i, value in enumerate(params):
            sql = sql.replace("?", f":f{i}", 1)
            named[f"f{i}"] = value
        with _fts_errors(query):
            rows = self.conn.execute(sql, named).fetchall()
        return [
            ArticleRow(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], min(1.0, r[8])) for r in rows
        ]

    def search(
        self, query: str, *, limit: int = 20, snippet_words: int = 12, window: int | None = None
    ) -> SearchHits:
        """Full-text search over titles and text, best first, with the matching words in context.

        Ranking (bm25) costs about a microsecond per matching article, so a word found in all of
        100,000 articles would take over 100 ms to order. So the newest `window` articles
        (SEARCH_WINDOW by default) are ranked first, an index range; only when they hold fewer
        than `limit` matches, which a common word never does, is the whole library ranked.
        `within` on the result says which it was. Scores use whole-index statistics, so the
        order inside the window is the order a full ranking gives.
        """
        fts = fts_query(query)
        if not fts:
            return SearchHits()
        window = SEARCH_WINDOW if window is None else window
        sql = (
            "SELECT a.id, a.title, snippet(articles_fts, -1, ?, ?, '…', ?) FROM articles_fts "
            "JOIN articles a ON a.id = articles_fts.rowid "
            "WHERE articles_fts MATCH ? AND articles_fts.rowid > ? ORDER BY rank LIMIT ?"
        )
        newest = self.max_article_id()
        floor = max(0, newest - window)
        with _fts_errors(query):
            rows = self.conn.execute(
                sql, (_MARK_OPEN, _MARK_CLOSE, snippet_words, fts, floor, limit)
            ).fetchall()
            if floor and len(rows) < limit:
                rows = self.conn.execute(
                    sql, (_MARK_OPEN, _MARK_CLOSE, snippet_words, fts, 0, limit)
                ).fetchall()
                floor = 0
        return SearchHits(
            (SearchHit(r[0], r[1], *_split_marks(r[2])) for r in rows), window if floor else None
        )

    def set_status(
        self, article_id: int, status: str, *, annotator: str, session_id: int | None = None
    ) -> None:
        """Set `annotator`'s status for the article (and the article's own, the latest set).

        A session counts an article done once, however often it is marked and unmarked: the
        status row remembers which session marked it done, and the session's count is the
        number of its articles that are done now.
        """
        if status not in STATUSES:
            raise StoreError(f"unknown status {status!r} (use one of {', '.join(STATUSES)})")
        with self._write() as conn:
            exists = conn.execute("SELECT 1 FROM articles WHERE id = ?", (article_id,)).fetchone()
            if exists is None:
                raise StoreError(f"no article with id {article_id}")
            before = conn.execute(
                "SELECT status, done_session FROM annotator_status "
                "WHERE article_id = ? AND annotator = ?",
                (article_id, annotator),
            ).fetchone()
            if status != "done":
                done_session = None
            elif before is not None and before[0] == "done":
                done_session = before[1]
            else:
                done_session = session_id
            conn.execute(
                "INSERT INTO annotator_status (article_id, annotator, status, updated_at, "
                "done_session) VALUES (?, ?, ?, ?, ?) ON CONFLICT(article_id, annotator) DO "
                "UPDATE SET status = excluded.status, updated_at = excluded.updated_at, "
                "done_session = excluded.done_session",
                (article_id, annotator, status, now(), done_session),
            )
            conn.execute("UPDATE articles SET status = ? WHERE id = ?", (status, article_id))
            if session_id:
                conn.execute(
                    "UPDATE sessions SET articles_done = (SELECT count(*) FROM annotator_status "
                    "WHERE done_session = ? AND status = 'done') WHERE id = ?",
                    (session_id, session_id),
                )

    def next_unfinished(
        self, after: int | None = None, *, annotator: str | None = None
    ) -> int | None:
        """The next article (by id, wrapping round) that is not done: by the article's own
        status, or with an annotator by theirs, among the articles assigned to them when they
        have any assignments."""
        if annotator is None:
            base = "SELECT id FROM articles WHERE status != 'done'"
            params: list = []
        else:
            base = (
                "SELECT a.id FROM articles a WHERE NOT EXISTS (SELECT 1 FROM annotator_status s "
                "WHERE s.article_id = a.id AND s.annotator = ? AND s.status = 'done')"
            )
            params = [annotator]
            if self.has_assignments(annotator):
                base += " AND a.id IN (SELECT article_id FROM assignments WHERE annotator = ?)"
                params.append(annotator)
        row = self.conn.execute(
            f"{base} AND id > ? ORDER BY id LIMIT 1", params + [after or 0]
        ).fetchone()
        if row is None and after:
            row = self.conn.execute(
                f"{base} AND id <= ? ORDER BY id LIMIT 1", params + [after]
            ).fetchone()
        return row[0] if row else None

    def max_article_id(self) -> int:
        return self.conn.execute("SELECT coalesce(max(id), 0) FROM articles").fetchone()[0]

    # -- spans -------------------------------------------------------------------------------

    def spans(
        self, article_id: int, annotator: str | Iterable[str] | None = None
    ) -> list[Span]:
        """The article's spans in text order; one annotator's, several's, or everyone's."""
        sql = f"SELECT {_SPAN_COLUMNS} FROM annotations WHERE article_id = ?"
        params: list = [article_id]
        sql, params = _who(sql, params, annotator)
        sql += ' ORDER BY start, "end", label, id'
        return [_span(r) for r in self.conn.execute(sql, params)]

    def visible_annotators(
        self, article_id: int, annotator: str, blind: bool
    ) -> list[str] | None:
        """Whose spans `annotator` may see on the article when showing everyone's: None (all)
        unless `blind` is set and they have not marked it done, then only their own."""
        if not blind or self.status_of(article_id, annotator) == "done":
            return None
        return [annotator]

    # -- assignments -------------------------------------------------------------------------

    def has_assignments(self, annotator: str) -> bool:
        return self.conn.execute(
            "SELECT 1 FROM assignments WHERE annotator = ? LIMIT 1", (annotator,)
        ).fetchone() is not None

    def assigned_to(self, annotator: str) -> list[int]:
        """The ids of the articles assigned to `annotator`, in order."""
        return [
            r[0]
            for r in self.conn.execute(
                "SELECT article_id FROM assignments WHERE annotator = ? ORDER BY article_id",
                (annotator,),
            )
        ]

    def assignments(self) -> dict[int, list[str]]:
        """Every assignment: article id -> annotators, sorted."""
        out: dict[int, list[str]] = {}
        for article_id, who in self.conn.execute(
            "SELECT article_id, annotator FROM assignments ORDER BY article_id, annotator"
        ):
            out.setdefault(article_id, []).append(who)
        return out

    def assign(
        self,
        annotators: list[str],
        per_article: int,
        *,
        status: str | None = None,
        seed: int = 0,
    ) -> dict[str, int]:
        """Spread articles over `annotators` so each gets `per_article` of them, balanced.

        Articles (all, or those whose own status is `status`) are taken in an order shuffled by
        `seed`; each that still lacks annotators gets the least loaded ones (load counts the
        assignments already stored, so running again adds nothing; ties go by a seeded order).
        One transaction. Returns how many assignments each annotator got in this call.
        """
        import random

        names = list(dict.fromkeys(a.strip() for a in annotators if a.strip()))
        if not names:
            raise StoreError("name at least one annotator")
        if not 1 <= per_article <= len(names):
            raise StoreError(
                f"--per-article must be between 1 and the number of annotators ({len(names)})"
            )
        if status is not None and status not in STATUSES:
            raise StoreError(f"unknown status {status!r} (use one of {', '.join(STATUSES)})")
        rng = random.Random(seed)
        added = {name: 0 for name in names}
        stamp = now()
        with self._write() as conn:
            sql, params = "SELECT id FROM articles", []
            if status is not None:
                sql += " WHERE status = ?"
                params.append(status)
            ids = [r[0] for r in conn.execute(sql + " ORDER BY id", params)]
            rng.shuffle(ids)
            have = self.assignments()
            load = {name: 0 for name in names}
            for who_list in have.values():
                for who in who_list:
                    if who in load:
                        load[who] += 1
            tie = {name: rng.random() for name in names}
            rows = []
            for article_id in ids:
                already = have.get(article_id, [])
                need = per_article - sum(1 for w in already if w in load)
                if need <= 0:
                    continue
                free = sorted(
                    (n for n in names if n not in already), key=lambda n: (load[n], tie[n])
                )
                for name in free[:need]:
                    load[name] += 1
                    added[name] += 1
                    rows.append((article_id, name, stamp))
            conn.executemany(
                "INSERT INTO assignments (article_id, annotator, assigned_at) VALUES (?, ?, ?)",
                rows,
            )
        return added

    def annotators(self, article_id: int | None = None) -> list[str]:
        sql = "SELECT DISTINCT annotator FROM annotations"
        params: tuple = ()
        if article_id is not None:
            sql += " WHERE article_id = ?"
            params = (article_id,)
        return [r[0] for r in self.conn.execute(sql + " ORDER BY 1", params)]

    def tag(
        self,
        article_id: int,
        start: int,
        end: int,
        label: str,
        annotator: str,
        *,
        session_id: int | None = None,
        source: str = "manual",
    ) -> Change:
        """Tag text[start:end] with `label` for `annotator`, applying the layer rules.

        Segment layer: each character has at most one label, so the overlapped parts of other
        spans are cut away (what is left of them stays, split if need be). Entity layer: entities
        never overlap, so overlapping entities are replaced. The same span with the same label
        again removes it (a toggle).
        """
        layer = self.label(label).layer
        with self._write() as conn:
            self._check_range(conn, article_id, start, end)
            existing = self._overlapping(conn, article_id, annotator, layer, start, end)
            plan = rules.plan_tag(
                existing, start, end, label, layer, source=source, stamp=now(),
                text_at=self._text_reader(conn, article_id),
            )
            return self._commit_change(
                conn, article_id, annotator, session_id, plan.removed, plan.added
            )

    def tag_many(
        self,
        article_id: int,
        spans: list[tuple[int, int]],
        label: str,
        annotator: str,
        *,
        session_id: int | None = None,
    ) -> Change:
        """Tag several spans with `label` as one change, which one undo removes whole.

        Nothing is replaced and nothing toggled: a span that overlaps one of the annotator's
        spans on the label's layer, or an earlier span of the list, is skipped. Every span is
        checked against the text before anything is written. An empty change (nothing left to
        tag) writes nothing.
        """
        layer = self.label(label).layer
        with self._write() as conn:
            for start, end in spans:
                self._check_range(conn, article_id, start, end)
            stamp = now()
            taken: list[tuple[int, int]] = []
            added = []
            for start, end in sorted(set(spans)):
                if any(s < end and start < e for s, e in taken):
                    continue
                if self._overlapping(conn, article_id, annotator, layer, start, end):
                    continue
                taken.append((start, end))
                added.append((start, end, label, "manual", stamp))
            if not added:
                return Change(article_id)
            return self._commit_change(conn, article_id, annotator, session_id, [], added)

    @staticmethod
    def _text_reader(conn, article_id: int) -> rules.TextAt:
        """text[a:b] of one article, read a slice at a time (substr counts characters)."""

        def text_at(a: int, b: int) -> str:
            return conn.execute(
                "SELECT substr(text, ?, ?) FROM articles WHERE id = ?", (a + 1, b - a, article_id)
            ).fetchone()[0]

        return text_at

    def delete_span(
        self, span_id: int, annotator: str, *, session_id: int | None = None
    ) -> Change:
        with self._write() as conn:
            span = self._own_span(conn, span_id, annotator)
            return self._commit_change(conn, span.article_id, annotator, session_id, [span], [])

    def relabel(
        self, span_id: int, label: str, annotator: str, *, session_id: int | None = None
    ) -> Change:
        """Give a span another label (on the new label's layer, with its rules)."""
        layer = self.label(label).layer
        with self._write() as conn:
            span = self._own_span(conn, span_id, annotator)
            others = self._overlapping(
                conn, span.article_id, annotator, layer, span.start, span.end
            )
            plan = rules.plan_relabel(
                span, others, label, layer, text_at=self._text_reader(conn, span.article_id)
            )
            if not plan.removed:
                return Change(span.article_id)
            return self._commit_change(
                conn, span.article_id, annotator, session_id, plan.removed, plan.added
            )

    def undo(
        self, article_id: int, annotator: str, *, session_id: int | None = None
    ) -> Change | None:
        """Undo the annotator's latest edit on the article, if any. Survives reopening.

        With `session_id`, an edit that another session made while this one was open (the
        same annotator in another window) is not undone: that window undoes its own.
        """
        return self._step(article_id, annotator, session_id, redo=False)

    def redo(
        self, article_id: int, annotator: str, *, session_id: int | None = None
    ) -> Change | None:
        return self._step(article_id, annotator, session_id, redo=True)

    def _step(self, article_id: int, annotator: str, session_id: int | None, *, redo: bool):
        order = "ASC" if redo else "DESC"
        with self._write() as conn:
            row = conn.execute(
                "SELECT id, change, session_id, at FROM edits WHERE article_id = ? AND annotator = ? "
                f"AND undone = ? ORDER BY id {order} LIMIT 1",
                (article_id, annotator, 1 if redo else 0),
            ).fetchone()
            if row is None:
                return None
            if session_id is not None and row[2] not in (None, session_id):
                started = conn.execute(
                    "SELECT started_at FROM sessions WHERE id = ?", (session_id,)
                ).fetchone()
                if started is not None and row[3] >= started[0]:
                    raise StoreError(
                        f"the last change here was made in another window (session {row[2]}): "
                        f"{'redo' if redo else 'undo'} it there"
                    )
            change = _decode_change(article_id, row[1])
            if not redo:
                change = change.inverse()
            self._apply(conn, change)
            conn.execute("UPDATE edits SET undone = ? WHERE id = ?", (0 if redo else 1, row[0]))
            return change

    def span_fingerprint(self, article_id: int, annotator: str | None = None) -> tuple:
        """A cheap summary of an article's spans that changes with any edit to them (every
        edit gives the spans it adds new ids): to notice another window's changes."""
        sql = 'SELECT count(*), total(id), total("end") FROM annotations WHERE article_id = ?'
        params: list = [article_id]
        sql, params = _who(sql, params, annotator)
        n, ids, ends = self.conn.execute(sql, params).fetchone()
        return (n, int(ids), int(ends))

    def _check_range(self, conn, article_id: int, start: int, end: int) -> None:
        row = conn.execute("SELECT chars FROM articles WHERE id = ?", (article_id,)).fetchone()
        if row is None:
            raise StoreError(f"no article with id {article_id}")
        if not (0 <= start < end <= row[0]):
            raise StoreError(f"span {start}–{end} is outside the text (0–{row[0]})")

    def _overlapping(self, conn, article_id, annotator, layer, start, end) -> list[Span]:
        cols = ", ".join(f"n.{c.strip()}" for c in _SPAN_COLUMNS.split(","))
        rows = conn.execute(
            f"SELECT {cols} FROM annotations n JOIN labels l ON l.name = n.label "
            'WHERE n.article_id = ? AND n.annotator = ? AND l.layer = ? AND n.start < ? AND n."end" > ? '
            "ORDER BY n.start",
            (article_id, annotator, layer, end, start),
        ).fetchall()
        return [_span(r) for r in rows]

    def _own_span(self, conn, span_id: int, annotator: str) -> Span:
        row = conn.execute(
            f"SELECT {_SPAN_COLUMNS} FROM annotations WHERE id = ?", (span_id,)
        ).fetchone()
        if row is None:
            raise StoreError(f"no span with id {span_id}")
        span = _span(row)
        if span.annotator != annotator:
            raise StoreError(f"span {span_id} belongs to {span.annotator}, not {annotator}")
        return span

    def _commit_change(self, conn, article_id, annotator, session_id, removed, added_rows) -> Change:
        stamp = now()
        conn.executemany("DELETE FROM annotations WHERE id = ?", [(s.id,) for s in removed])
        added = []
        for start, end, label, source, created in added_rows:
            cur = conn.execute(
                'INSERT INTO annotations (article_id, start, "end", label, annotator, source, '
                "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (article_id, start, end, label, annotator, source, created, stamp),
            )
            added.append(
                Span(cur.lastrowid, article_id, start, end, label, annotator, source, created, stamp)
            )
        change = Change(article_id, tuple(added), tuple(removed))
        # A new edit ends the redo chain.
        conn.execute(
            "DELETE FROM edits WHERE article_id = ? AND annotator = ? AND undone = 1",
            (article_id, annotator),
        )
        conn.execute(
            "INSERT INTO edits (article_id, annotator, session_id, at, change) VALUES (?, ?, ?, ?, ?)",
            (article_id, annotator, session_id, stamp, _encode_change(change)),
        )
        status = conn.execute("SELECT status FROM articles WHERE id = ?", (article_id,)).fetchone()[0]
        if status == "new" and added:
            conn.execute("UPDATE articles SET status = 'in_progress' WHERE id = ?", (article_id,))
        # The change reports the annotator's own status, which their first span moves on.
        if added:
            conn.execute(
                "INSERT INTO annotator_status (article_id, annotator, status, updated_at) "
                "VALUES (?, ?, 'in_progress', ?) ON CONFLICT(article_id, annotator) DO UPDATE "
                "SET status = 'in_progress', updated_at = excluded.updated_at "
                "WHERE annotator_status.status = 'new'",
                (article_id, annotator, stamp),
            )
        return Change(article_id, change.added, change.removed, self.status_of(article_id, annotator))

    def _apply(self, conn, change: Change) -> None:
        conn.executemany("DELETE FROM annotations WHERE id = ?", [(s.id,) for s in change.removed])
        conn.executemany(
            'INSERT INTO annotations (id, article_id, start, "end", label, annotator, source, '
            "created_at, updated_at) VALUES (:id, :article_id, :start, :end, :label, :annotator, "
            ":source, :created_at, :updated_at)",
            [s.row() for s in change.added],
        )

    # -- places and sessions -----------------------------------------------------------------

    def save_place(self, article_id: int, annotator: str, cursor: int, top: int) -> None:
        with self._write() as conn:
            conn.execute(
                "INSERT INTO places (article_id, annotator, cursor, top, visited_at) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT(article_id, annotator) DO UPDATE SET "
                "cursor = excluded.cursor, top = excluded.top, visited_at = excluded.visited_at",
                (article_id, annotator, cursor, top, now()),
            )

    def place(self, article_id: int, annotator: str) -> tuple[int, int]:
        row = self.conn.execute(
            "SELECT cursor, top FROM places WHERE article_id = ? AND annotator = ?",
            (article_id, annotator),
        ).fetchone()
        return (row[0], row[1]) if row else (0, 0)

    def start_session(self, annotator: str) -> int:
        if self.read_only:
            return 0  # nothing is recorded in a read-only database
        with self._write() as conn:
            return conn.execute(
                "INSERT INTO sessions (annotator, started_at) VALUES (?, ?)", (annotator, now())
            ).lastrowid

    def session_totals(self, session_id: int) -> dict:
        """Spans added and removed, articles touched and done, and times, for one session."""
        added = removed = 0
        touched = set()
        for article_id, raw in self.conn.execute(
            "SELECT article_id, change FROM edits WHERE session_id = ? AND undone = 0", (session_id,)
        ):
            change = json.loads(raw)
            added += len(change["added"])
            removed += len(change["removed"])
            touched.add(article_id)
        row = self.conn.execute(
            "SELECT annotator, started_at, ended_at, articles_done FROM sessions WHERE id = ?",
            (session_id,),
        ).fetchone()
        if row is None:
            raise StoreError(f"no session with id {session_id}")
        return {
            "annotator": row[0],
            "started_at": row[1],
            "ended_at": row[2],
            "articles_done": row[3],
            "spans_added": added,
            "spans_removed": removed,
            "articles_touched": len(touched),
        }

    def end_session(self, session_id: int) -> None:
        if self.read_only:
            return
        totals = self.session_totals(session_id)
        with self._write() as conn:
            conn.execute(
                "UPDATE sessions SET ended_at = ?, spans_added = ?, spans_removed = ?, "
                "articles_touched = ? WHERE id = ?",
                (
                    now(),
                    totals["spans_added"],
                    totals["spans_removed"],
                    totals["articles_touched"],
                    session_id,
                ),
            )

    # -- export ------------------------------------------------------------------------------

    def count_export_groups(self, *, sources: Iterable[str] | None = None) -> int:
        """How many (article, annotator) records an export writes: a progress total."""
        clause, params = _export_filter(None, None, None, None, sources)
        return self.conn.execute(
            "SELECT count(*) FROM (SELECT DISTINCT n.article_id, n.annotator FROM annotations n"
            f"{clause})",
            params,
        ).fetchone()[0]

    def export_groups(
        self,
        *,
        statuses: Iterable[str] | None = None,
        labels: Iterable[str] | None = None,
        annotator: str | None = None,
        since: str | None = None,
        sources: Iterable[str] | None = None,
        on_orphans: Callable[[int, str, int], None] | None = None,
    ) -> Iterator[tuple[dict, str, list[tuple[int, int, str, str]]]]:
        """Yield `(article, annotator, spans)` for every article and annotator with spans that
        pass the filters, in article order; spans are `(start, end, label, layer)`, sorted.

        Two ordered scans merged in step (articles, spans), so memory stays flat for a million
        spans: one article's text at a time. Spans whose article is gone (deleted where foreign
        keys were off; `PRAGMA foreign_key_check` lists them) are left out, and
        `on_orphans(article_id, annotator, count)` hears of each group of them. A damaged file
        raises `DatabaseDamaged`.
        """
        clause, params = _export_filter(statuses, labels, annotator, since, sources)
        # One read transaction: both scans see the same snapshot while other processes write.
        own_transaction = not self.conn.in_transaction
        if own_transaction:
            self.conn.execute("BEGIN")
        try:
            yield from self._export_scan(clause, params, on_orphans)
        except sqlite3.DatabaseError as exc:
            if is_damage(exc):
                raise DatabaseDamaged(self.path) from None
            raise
        finally:
            # A reader that stops early closes the generator later, perhaps after the store.
            try:
                if own_transaction and self.conn.in_transaction:
                    self.conn.execute("COMMIT")
            except sqlite3.ProgrammingError:
                pass

    def export_shas(
        self,
        *,
        statuses: Iterable[str] | None = None,
        labels: Iterable[str] | None = None,
        annotator: str | None = None,
        since: str | None = None,
        sources: Iterable[str] | None = None,
    ) -> list[str]:
        """The sha256 of every article `export_groups` yields with these filters (for a split)."""
        clause, params = _export_filter(statuses, labels, annotator, since, sources)
        return [
            row[0]
            for row in self.conn.execute(
                "SELECT sha256 FROM articles WHERE id IN "
                f"(SELECT DISTINCT n.article_id FROM annotations n{clause})",
                params,
            )
        ]

    def _export_scan(self, clause: str, params: list, on_orphans):
        # The layer comes from the label table, read once in this snapshot: looking it up per
        # span in Python is cheaper than a JOIN per span row.
        layers = dict(self.conn.execute("SELECT name, layer FROM labels"))
        groups = self.conn.execute(
            "SELECT n.article_id, n.annotator, count(*), (SELECT s.status FROM annotator_status s "
            "WHERE s.article_id = n.article_id AND s.annotator = n.annotator) "
            f"FROM annotations n{clause} "
            "GROUP BY n.article_id, n.annotator ORDER BY n.article_id, n.annotator",
            params,
        )
        # Ordered only as far as the (article_id, annotator, start) index goes: sorting the
        # rest (end, label) in SQLite builds a temporary B-tree over every span, which costs
        # more than sorting each group's tuples below. Each group is then one fetchmany.
        spans = self.conn.execute(
            f'SELECT n.start, n."end", n.label FROM annotations n{clause} '
            "ORDER BY n.article_id, n.annotator, n.start",
            params,
        )
        articles = self.conn.execute(
            "SELECT id, title, source, url, sha256, status, text FROM articles "
            f"WHERE id IN (SELECT DISTINCT n.article_id FROM annotations n{clause}) ORDER BY id",
            params,
        )
        columns = ("id", "title", "source", "url", "sha256", "status", "text")
        article: dict | None = None
        for article_id, who, count, own in groups:
            rows = spans.fetchmany(count)
            if len(rows) != count:
                raise DatabaseDamaged(self.path)  # the index and the table disagree
            # Tuples sort by (start, end, label); str order is code point order, which is the
            # byte order of SQLite's BINARY collation on UTF-8, so this is the ORDER BY it saves.
            rows.sort()
            while article is None or article["id"] < article_id:
                row = next(articles, None)
                if row is None:
                    break
                article = dict(zip(columns, row))
            if article is None or article["id"] != article_id:
                if self.conn.execute("SELECT 1 FROM articles WHERE id = ?", (article_id,)).fetchone():
                    raise DatabaseDamaged(self.path)  # there, but the ordered scan missed it
                if on_orphans is not None:
                    on_orphans(article_id, who, count)
                continue
            # Each record carries its annotator's own status.
            record = article if own in (None, article["status"]) else {**article, "status": own}
            yield record, who, [(start, end, label, layers[label]) for start, end, label in rows]

    # -- merging -----------------------------------------------------------------------------

    def merge(self, paths: Iterable[str], *, prefer: str | None = None):
        """Merge other reader databases into this one, all or nothing (see db/merge.py)."""
        from .merge import merge

        return merge(self, paths, prefer=prefer)

    # -- teams -------------------------------------------------------------------------------

    def team_annotators(self) -> list[str]:
        """Everyone with a span or a place anywhere, in name order."""
        return [
            row[0]
            for row in self.conn.execute(
                "SELECT annotator FROM annotations UNION SELECT annotator FROM places ORDER BY 1"
            )
        ]

    def spans_by_article(
        self, article_ids: Iterable[int], annotators: Iterable[str], *, texts: bool = True
    ) -> Iterator[tuple[int, str, str, dict[str, list[tuple[int, int, str]]]]]:
        """Yield `(article id, title, text, {annotator: [(start, end, label), ...]})` for each of
        `article_ids` in id order, with the spans of `annotators` (each sorted; an annotator
        without spans there has an empty list), read in one snapshot by two ordered scans.
        With `texts` False the text is left unread and given as ''."""
        ids = sorted(set(article_ids))
        who = list(dict.fromkeys(annotators))
        if not ids or not who:
            return
        own_transaction = not self.conn.in_transaction
        if own_transaction:
            self.conn.execute("BEGIN")
        try:
            self.conn.execute("CREATE TEMP TABLE IF NOT EXISTS _wanted_articles (id INTEGER PRIMARY KEY)")
            self.conn.execute("DELETE FROM _wanted_articles")
            self.conn.executemany("INSERT INTO _wanted_articles (id) VALUES (?)", [(i,) for i in ids])
            marks = ",".join("?" for _ in who)
            spans = self.conn.execute(
                'SELECT n.article_id, n.annotator, n.start, n."end", n.label FROM annotations n '
                f"JOIN _wanted_articles w ON w.id = n.article_id WHERE n.annotator IN ({marks}) "
                "ORDER BY n.article_id",
                who,
            )
            text_column = "a.text" if texts else "''"
            texts = self.conn.execute(
                f"SELECT a.id, a.title, {text_column} FROM articles a "
                "JOIN _wanted_articles w ON w.id = a.id ORDER BY a.id"
            )
            pending = next(spans, None)
            for article_id, title, text in texts:
                found: dict[str, list[tuple[int, int, str]]] = {name: [] for name in who}
                while pending is not None and pending[0] <= article_id:
                    if pending[0] == article_id:
                        found[pending[1]].append((pending[2], pending[3], pending[4]))
                    pending = next(spans, None)
                for value in found.values():
                    value.sort()
                yield article_id, title, text, found
        finally:
            try:
                if own_transaction and self.conn.in_transaction:
                    self.conn.execute("COMMIT")
            except sqlite3.ProgrammingError:
                pass

    # -- statistics --------------------------------------------------------------------------

    def stats(self) -> dict:
        """Articles by status, spans by label and by annotator."""
        by_status = {s: 0 for s in STATUSES}
        by_status.update(dict(self.conn.execute("SELECT status, count(*) FROM articles GROUP BY 1")))
        by_label = Counter(dict(self.conn.execute("SELECT label, count(*) FROM annotations GROUP BY 1")))
        by_annotator = dict(
            self.conn.execute("SELECT annotator, count(*) FROM annotations GROUP BY 1 ORDER BY 1")
        )
        return {
            "articles": sum(by_status.values()),
            "by_status": by_status,
            "spans": sum(by_label.values()),
            "by_label": {l.name: by_label.get(l.name, 0) for l in self.labels()}
            | {k: v for k, v in by_label.items() if k not in self._label_map()},
            "by_annotator": by_annotator,
        }


# -- helpers ---------------------------------------------------------------------------------

TITLE_MAX_CHARS = 200


def check_title(title: object) -> str:
    """A title as typed by someone, made one clean line, or StoreError saying what is wrong."""
    import unicodedata

    if not isinstance(title, str):
        raise StoreError("a title must be text")
    if "\n" in title.strip() or "\r" in title.strip():
        raise StoreError("a title must be one line")
    bad = [c for c in title if unicodedata.category(c) in ("Cc", "Cf", "Cs", "Co", "Cn")
           and c not in "\t\n\r\u200d"]
    if bad:
        raise StoreError(
            f"a title cannot hold control or invisible characters (U+{ord(bad[0]):04X})"
        )
    clean = " ".join(title.split())
    if not clean:
        raise StoreError("a title cannot be empty")
    if len(clean) > TITLE_MAX_CHARS:
        raise StoreError(f"a title can be at most {TITLE_MAX_CHARS} characters ({len(clean)} given)")
    return clean



def _who(sql: str, params: list, annotator) -> tuple[str, list]:
    """Add the condition for one annotator (a str), several (an iterable) or all (None)."""
    if annotator is None:
        return sql, params
    if isinstance(annotator, str):
        return sql + " AND annotator = ?", params + [annotator]
    names = list(annotator)
    return sql + f" AND annotator IN ({','.join('?' for _ in names)})", params + names


def _export_filter(statuses, labels, annotator, since, sources=None) -> tuple[str, list]:
    """The WHERE clause (on annotations as `n`) and its parameters for an export's filters."""
    where, params = [], []
    if sources:
        sources = list(sources)
        where.append(f"n.source IN ({','.join('?' for _ in sources)})")
        params += sources
    if labels:
        labels = list(labels)
        where.append(f"n.label IN ({','.join('?' for _ in labels)})")
        params += labels
    if annotator:
        where.append("n.annotator = ?")
        params.append(annotator)
    if since:
        where.append("n.updated_at >= ?")
        params.append(since)
    if statuses:
        statuses = list(statuses)
        # The status of each annotator's own work (the article's, for spans that have none:
        # written by something other than the Store).
        where.append(
            "coalesce((SELECT s.status FROM annotator_status s WHERE s.article_id = n.article_id "
            "AND s.annotator = n.annotator), (SELECT a.status FROM articles a "
            f"WHERE a.id = n.article_id)) IN ({','.join('?' for _ in statuses)})"
        )
        params += statuses
    return (" WHERE " + " AND ".join(where)) if where else "", params


def _check_import_spans(article: NewArticle, spans, labels: dict[str, Label]) -> None:
    where = article.origin or repr(article.title)
    last_end: dict[tuple[str, str], int] = {}
    for s in spans:
        if s.label not in labels:
            known = ", ".join(labels) or "none"
            raise StoreError(f"{where}: unknown label {s.label!r} (known: {known})")
        if not (0 <= s.start < s.end <= len(article.text)):
            raise StoreError(
                f"{where}: span {s.start}–{s.end} is outside the text (0–{len(article.text)})"
            )
        key = (s.annotator or "", labels[s.label].layer)
        if s.start < last_end.get(key, 0):
            raise StoreError(
                f"{where}: span {s.start}–{s.end} ({s.label}) overlaps another on the "
                f"{key[1]} layer"
            )
        last_end[key] = max(last_end.get(key, 0), s.end)


def _encode_change(change: Change) -> str:
    return json.dumps(
        {"added": [s.row() for s in change.added], "removed": [s.row() for s in change.removed]},
        ensure_ascii=False,
    )


def _decode_change(article_id: int, raw: str) -> Change:
    data = json.loads(raw)
    return Change(
        article_id,
        tuple(Span(**row) for row in data["added"]),
        tuple(Span(**row) for row in data["removed"]),
    )


def fts_query(query: str) -> str:
    """Turn what a person types into an FTS5 query.

    Plain words are quoted (so `U.S.` or `O'Neill` are not syntax errors) and the last one matches
    as a prefix, for search as you type, once it has two characters: the index keeps lists for
    two-character prefixes (longer ones match few terms each), and a one-letter prefix would
    merge the lists of a good part of the vocabulary. A query that uses FTS5 syntax itself (quotes, `*`, AND, OR, NOT,
    NEAR, column filters) is passed through as written.
    """
    query = query.strip()
    if not query or _FTS_SYNTAX.search(query):
        return query
    words = query.split()
    terms = ['"' + term.replace('"', '""') + '"' for term in words]
    if len(words[-1]) >= 2:
        terms[-1] += "*"
    return " ".join(terms)


@contextmanager
def _fts_errors(query: str | None):
    try:
        yield
    except sqlite3.OperationalError as exc:
        message = str(exc)
        # Anything but lock and I/O trouble here is the index rejecting the query's syntax.
        if query and not any(w in message for w in ("locked", "disk", "I/O", "busy")):
            raise QueryError(f"cannot search for {query!r}: {message}") from None
        raise


def _split_marks(snippet: str) -> tuple[str, tuple[tuple[int, int], ...]]:
    out, marks, start = [], [], None
    pos = 0
    for ch in snippet:
        if ch == _MARK_OPEN:
            start = pos
        elif ch == _MARK_CLOSE:
            if start is not None:
                marks.append((start, pos))
            start = None
        else:
            out.append(ch)
            pos += 1
    return "".join(out), tuple(marks)
