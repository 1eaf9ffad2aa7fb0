"""Adding articles: all at once in one transaction, or a long stream in short batches that
the import journal can roll back."""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Callable, Iterable

from .base import StoreBase
from .common import now, text_sha256
from .errors import StoreError
from .models import STATUSES, AddResult, Label, NewArticle

# An import commits after about this much text or this long holding the write lock, whichever
# comes first, so that other writers (the app saving a tag) wait a fraction of a second at most.
IMPORT_BATCH_BYTES = 1_000_000
IMPORT_BATCH_SECONDS = 0.2


class ImportsMixin(StoreBase):
    """Mixed into Store."""

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
            if not self.path or self.path == ":memory:" or journal.owner_is_alive(self.path, lock, host, pid):
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
