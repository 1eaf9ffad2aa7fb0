"""Merge other reader databases into this one (`reader merge`): a team on several machines.

Articles are matched by the sha256 of their text, so databases whose article ids differ merge
correctly; an article this database lacks comes with its metadata. For each article and annotator:

- spans this database lacks come over with their annotator, source and times;
- the same spans in both: nothing to do;
- different spans under the same annotator name: a *conflict*. Without `prefer` the merge stops
  and reports every conflict with counts, writing nothing; `prefer="this"` keeps this database's
  spans, `prefer="other"` replaces them with the other's (and drops this annotator's undo
  history on that article, which names the spans replaced).

Per-annotator statuses come along (when both have one and the spans agree, the later change
wins; in a conflict, the status goes with the side kept), and so do sessions (matched by
annotator and start time), reading places and assignments. The label sets must be the same
(names and layers), or the merge is refused with the difference named. Everything happens in one
write transaction: all the databases merge, or none does. Merging again changes nothing.

The other databases are only read. One made by an older reader is upgraded in a temporary copy.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from . import schema
from .store import NewerSchema, NotADatabase, StoreError

if TYPE_CHECKING:
    from .store import Store

PREFER = ("this", "other")


@dataclass
class Conflict:
    source: str
    article_id: int  # here
    title: str
    annotator: str
    here: int  # spans
    there: int
    only_here: int
    only_there: int

    def line(self) -> str:
        return (
            f"{self.source}: article {self.article_id} ({self.title[:40]!r}), annotator "
            f"{self.annotator!r}: {self.here} spans here, {self.there} there "
            f"({self.only_here} only here, {self.only_there} only there)"
        )


@dataclass
class MergeReport:
    sources: list[str] = field(default_factory=list)
    articles_added: int = 0
    articles_matched: int = 0
    spans_added: int = 0
    spans_replaced: int = 0  # this database's spans dropped for the other's (prefer="other")
    statuses: int = 0  # per-annotator statuses added or changed
    sessions_added: int = 0
    places_added: int = 0
    assignments_added: int = 0
    conflicts: list[Conflict] = field(default_factory=list)
    prefer: str | None = None

    @property
    def changed(self) -> bool:
        return any((self.articles_added, self.spans_added, self.spans_replaced, self.statuses,
                    self.sessions_added, self.places_added, self.assignments_added))

    def line(self) -> str:
        parts = [
            f"{self.articles_added} article{'s' if self.articles_added != 1 else ''} added",
            f"{self.articles_matched} matched",
            f"{self.spans_added} span{'s' if self.spans_added != 1 else ''} added",
            f"{self.statuses} status{'es' if self.statuses != 1 else ''}",
            f"{self.sessions_added} session{'s' if self.sessions_added != 1 else ''}",
        ]
        if self.assignments_added:
            parts.append(f"{self.assignments_added} assignments")
        if self.conflicts:
            kept = "this database's" if self.prefer == "this" else "the other's"
            parts.append(
                f"{len(self.conflicts)} conflict{'s' if len(self.conflicts) != 1 else ''} "
                f"resolved by keeping {kept} spans"
            )
        if not self.changed:
            parts.append("nothing changed")
        return "; ".join(parts)


class MergeConflicts(StoreError):
    """The same annotator has different spans on an article in two databases."""

    def __init__(self, conflicts: list[Conflict]):
        self.conflicts = conflicts
        pairs = len(conflicts)
        here = sum(c.only_here for c in conflicts)
        there = sum(c.only_there for c in conflicts)
        super().__init__(
            f"{pairs} conflict{'s' if pairs != 1 else ''}: the same annotator has different "
            f"spans on an article in two databases ({here} spans only here, {there} only "
            "there); nothing merged: choose a side with --prefer this or --prefer other"
        )


class LabelSetDiffers(StoreError):
    pass


def _label_difference(here: dict[str, str], there: dict[str, str], name: str) -> str | None:
    only_here = sorted(set(here) - set(there))
    only_there = sorted(set(there) - set(here))
    layers = sorted(n for n in set(here) & set(there) if here[n] != there[n])
    if not (only_here or only_there or layers):
        return None
    parts = []
    if only_there:
        parts.append(f"only in {name}: {', '.join(only_there)}")
    if only_here:
        parts.append(f"only here: {', '.join(only_here)}")
    for n in layers:
        parts.append(f"{n} is a {here[n]} label here, a {there[n]} label in {name}")
    return f"{name} has another label set ({'; '.join(parts)}); nothing merged"


class _Source:
    """One other database, opened read-only (an upgraded temporary copy if it is older)."""

    def __init__(self, path: str, store_path: str | None):
        self.name = path
        self._tmp: str | None = None
        if not Path(path).is_file():
            raise StoreError(f"{path}: no such database file")
        if store_path and store_path != ":memory:" and Path(store_path).exists():
            if os.path.samefile(path, store_path):
                raise StoreError(f"{path} is this database: nothing to merge")
        try:
            conn = sqlite3.connect(f"file:{Path(path).resolve()}?mode=ro", uri=True)
            applied = schema.applied(conn)
        except sqlite3.DatabaseError as exc:
            raise NotADatabase(f"{path} is not a reader database ({exc})") from None
        if not applied:
            conn.close()
            raise NotADatabase(f"{path} is not a reader database")
        unknown = [n for n in applied if n not in schema.KNOWN]
        if unknown:
            conn.close()
            raise NewerSchema(f"{path} was made by a newer version of reader (schema {unknown[-1]})")
        if len(applied) < len(schema.KNOWN):
            # Older: upgrade a copy, never the file itself.
            self._tmp = tempfile.mkdtemp(prefix="reader-merge-")
            copy = os.path.join(self._tmp, "copy.db")
            dest = sqlite3.connect(copy)
            conn.backup(dest)
            conn.close()
            dest.execute("PRAGMA foreign_keys = OFF")
            schema.apply(dest)
            dest.commit()
            conn = dest
        self.conn = conn

    def close(self) -> None:
        self.conn.close()
        if self._tmp:
            shutil.rmtree(self._tmp, ignore_errors=True)


def merge(store: "Store", paths: Iterable[str], *, prefer: str | None = None) -> MergeReport:
    """Merge the databases at `paths` into `store`, all or nothing (see the module's doc)."""
    if prefer is not None and prefer not in PREFER:
        raise StoreError(f"prefer must be one of {', '.join(PREFER)}")
    paths = list(paths)
    if not paths:
        raise StoreError("name at least one database to merge")
    report = MergeReport(sources=paths, prefer=prefer)
    sources: list[_Source] = []
    try:
        for path in paths:
            sources.append(_Source(path, store.path))
        here_labels = {l.name: l.layer for l in store.labels()}
        for source in sources:
            there = dict(source.conn.execute("SELECT name, layer FROM labels"))
            problem = _label_difference(here_labels, there, source.name)
            if problem:
                raise LabelSetDiffers(problem)
        with store._write() as conn:
            for source in sources:
                _merge_one(conn, source, report, prefer)
            if report.conflicts and prefer is None:
                raise MergeConflicts(report.conflicts)
    finally:
        for source in sources:
            source.close()
    return report


_ARTICLE_COLUMNS = (
    "title, source, url, text, sha256, raw_sha256, encoding, imported_at, status, meta, words, chars"
)


def _merge_one(conn: sqlite3.Connection, source: _Source, report: MergeReport, prefer) -> None:
    other = source.conn
    ours = dict(conn.execute("SELECT sha256, id FROM articles"))
    # Articles of an import still running (or died) there are not finished: left out.
    unfinished = "import_id IS NOT NULL AND import_id IN (SELECT id FROM imports)"
    id_map: dict[int, int] = {}
    titles: dict[int, str] = {}
    for other_id, digest in other.execute(
        f"SELECT id, sha256 FROM articles WHERE NOT ({unfinished}) ORDER BY id"
    ):
        if digest in ours:
            id_map[other_id] = ours[digest]
            report.articles_matched += 1
    missing = other.execute(
        f"SELECT id, {_ARTICLE_COLUMNS} FROM articles WHERE NOT ({unfinished}) ORDER BY id"
    )
    placeholders = ",".join("?" for _ in _ARTICLE_COLUMNS.split(","))
    for row in missing:
        if row[0] in id_map or row[5] in ours:
            continue
        new_id = conn.execute(
            f"INSERT INTO articles ({_ARTICLE_COLUMNS}) VALUES ({placeholders})", row[1:]
        ).lastrowid
        assert new_id is not None  # an INSERT always sets it
        id_map[row[0]] = ours[row[5]] = new_id
        titles[new_id] = row[1]
        report.articles_added += 1

    # Sessions: the same session is the same annotator starting at the same moment.
    known = {(a, s): i for i, a, s in conn.execute("SELECT id, annotator, started_at FROM sessions")}
    session_map: dict[int, int] = {}
    for row in other.execute(
        "SELECT id, annotator, started_at, ended_at, spans_added, spans_removed, "
        "articles_touched, articles_done FROM sessions ORDER BY id"
    ):
        started = (row[1], row[2])
        if started in known:
            session_map[row[0]] = known[started]
            continue
        cur = conn.execute(
            "INSERT INTO sessions (annotator, started_at, ended_at, spans_added, spans_removed, "
            "articles_touched, articles_done) VALUES (?, ?, ?, ?, ?, ?, ?)",
            row[1:],
        )
        assert cur.lastrowid is not None
        session_map[row[0]] = known[started] = cur.lastrowid
        report.sessions_added += 1

    # Spans, a group (article, annotator) at a time, in the order of the index there.
    have = {
        (a, w): n
        for a, w, n in conn.execute(
            "SELECT article_id, annotator, count(*) FROM annotations GROUP BY 1, 2"
        )
    }
    sides: dict[tuple[int, str], str] = {}  # groups in conflict: the side kept
    rows: list[tuple] = []  # spans to add, inserted at the end in index order
    group: list[tuple] = []
    key: tuple[int, str] | None = None

    def flush() -> None:
        if key is None or not group:
            return
        article_id, who = key
        theirs = {(g[0], g[1], g[2]) for g in group}
        if key in have:
            mine = {
                tuple(r)
                for r in conn.execute(
                    'SELECT start, "end", label FROM annotations WHERE article_id = ? '
                    "AND annotator = ?",
                    key,
                )
            }
            if mine == theirs:
                return
            title = titles.get(article_id) or conn.execute(
                "SELECT title FROM articles WHERE id = ?", (article_id,)
            ).fetchone()[0]
            report.conflicts.append(
                Conflict(source.name, article_id, title, who, len(mine), len(theirs),
                         len(mine - theirs), len(theirs - mine))
            )
            sides[key] = prefer or "this"
            if prefer != "other":
                return
            report.spans_replaced += conn.execute(
                "DELETE FROM annotations WHERE article_id = ? AND annotator = ?", key
            ).rowcount
            # The undo history there names the spans just replaced.
            conn.execute("DELETE FROM edits WHERE article_id = ? AND annotator = ?", key)
        rows.extend((article_id, who, g[0], g[1], g[2], g[3], g[4], g[5]) for g in group)
        have[key] = len(group)
        report.spans_added += len(group)

    for row in other.execute(
        'SELECT article_id, annotator, start, "end", label, source, created_at, updated_at '
        "FROM annotations ORDER BY article_id, annotator, start"
    ):
        mapped = id_map.get(row[0])
        if mapped is None:
            continue  # an unfinished import's, or an orphan
        this_key = (mapped, row[1])
        if this_key != key:
            flush()
            key, group = this_key, []
        group.append(row[2:])
    flush()
    # In the order of the (article, annotator, start) index: the ids of a second database's
    # articles map to ids here in another order, and B-tree inserts in key order cost about
    # half as much as scattered ones.
    rows.sort()
    conn.executemany(
        'INSERT INTO annotations (article_id, annotator, start, "end", label, source, '
        "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    rows.clear()  # the spans are in; free the list before the statuses are read

    # Per-annotator statuses.
    statuses = {
        (a, w): (st, at)
        for a, w, st, at in conn.execute(
            "SELECT article_id, annotator, status, updated_at FROM annotator_status"
        )
    }
    changes = []
    for article_id, who, status, updated_at, done_session in other.execute(
        "SELECT article_id, annotator, status, updated_at, done_session FROM annotator_status"
    ):
        mapped = id_map.get(article_id)
        if mapped is None:
            continue
        done_session = session_map.get(done_session) if done_session is not None else None
        mine = statuses.get((mapped, who))
        if mine is not None:
            if mine[0] == status:
                continue
            side = sides.get((mapped, who))
            if side == "this" or (side is None and mine[1] >= updated_at):
                continue
        changes.append((mapped, who, status, updated_at, done_session))
    conn.executemany(
        "INSERT INTO annotator_status (article_id, annotator, status, updated_at, done_session) "
        "VALUES (?, ?, ?, ?, ?) ON CONFLICT(article_id, annotator) DO UPDATE SET "
        "status = excluded.status, updated_at = excluded.updated_at, "
        "done_session = excluded.done_session",
        changes,
    )
    report.statuses += len(changes)

    for article_id, who, cursor, top, visited_at in other.execute(
        "SELECT article_id, annotator, cursor, top, visited_at FROM places"
    ):
        mapped = id_map.get(article_id)
        if mapped is not None:
            report.places_added += conn.execute(
                "INSERT OR IGNORE INTO places (article_id, annotator, cursor, top, visited_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (mapped, who, cursor, top, visited_at),
            ).rowcount
    for article_id, who, assigned_at in other.execute(
        "SELECT article_id, annotator, assigned_at FROM assignments"
    ):
        mapped = id_map.get(article_id)
        if mapped is not None:
            report.assignments_added += conn.execute(
                "INSERT OR IGNORE INTO assignments (article_id, annotator, assigned_at) "
                "VALUES (?, ?, ?)",
                (mapped, who, assigned_at),
            ).rowcount
