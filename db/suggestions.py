"""The Store's side of suggestions: what they learn from, rejections, accepting, imported ones.

A mixin of `Store` (it uses the store's connection, write transactions and change log); it knows
nothing of how suggestions are made (that is `reader.suggest`, which `db` never imports).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import NamedTuple
from urllib.parse import urlsplit

from .base import StoreBase
from .common import now
from .errors import StoreError
from .models import Change


class Rejection(NamedTuple):
    id: int
    article_id: int
    start: int
    end: int
    label: str
    text: str
    kind: str


class StoredSuggestion(NamedTuple):
    id: int
    article_id: int
    start: int
    end: int
    label: str
    score: float
    origin: str


class LearningData(NamedTuple):
    """What the suggesters read: articles as (id, text, source, url), the annotator's spans by
    article as (start, end, label), and their rejections."""

    articles: list[tuple[int, str, str | None, str | None]]
    spans: dict[int, list[tuple[int, int, str]]]
    rejections: list[Rejection]


# Articles of the open article's site read besides those the annotator tagged.
SITE_ARTICLES = 300
# Unfinished articles (the newest) read to look for the most uncertain sentence.
UNFINISHED_ARTICLES = 2000


def _host(url: str | None) -> str | None:
    if not url:
        return None
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None
    return host.removeprefix("www.") if host else None


class SuggestionsMixin(StoreBase):
    """Methods of `Store` for suggestions (see db/store.py)."""

    # -- what suggestions learn from ---------------------------------------------------------

    def learning_data(
        self, annotator: str, *, article_id: int | None = None, all_articles: bool = False
    ) -> LearningData:
        """The annotator's spans in every article they tagged (where they have none, the spans
        imported with the article count as theirs), the texts of those articles, of
        `article_id` and of up to SITE_ARTICLES other articles of its site; with `all_articles`,
        of the newest UNFINISHED_ARTICLES articles not done as well."""
        conn = self.conn
        spans: dict[int, list[tuple[int, int, str]]] = {}
        for aid, s, e, label in conn.execute(
            'SELECT article_id, start, "end", label FROM annotations WHERE annotator = ? '
            "ORDER BY article_id, start",
            (annotator,),
        ):
            spans.setdefault(aid, []).append((s, e, label))
        imported: dict[int, dict[str, list]] = {}
        for aid, who, s, e, label in conn.execute(
            'SELECT article_id, annotator, start, "end", label FROM annotations '
            "WHERE source = 'imported' ORDER BY article_id, annotator, start"
        ):
            if aid not in spans:
                imported.setdefault(aid, {}).setdefault(who, []).append((s, e, label))
        for aid, by in imported.items():
            spans[aid] = by[sorted(by)[0]]
        wanted = set(spans)
        if all_articles:
            wanted |= {r[0] for r in conn.execute(
                "SELECT id FROM articles WHERE status != 'done' ORDER BY id DESC LIMIT ?",
                (UNFINISHED_ARTICLES,),
            )}
        elif article_id is not None:
            wanted.add(article_id)
            row = conn.execute(
                "SELECT source, url FROM articles WHERE id = ?", (article_id,)
            ).fetchone()
            if row is not None:
                source, url = row
                host = _host(url)
                same: list[int] = []
                if host:
                    for aid, other in conn.execute(
                        "SELECT id, url FROM articles WHERE url IS NOT NULL AND id != ? "
                        "ORDER BY id DESC", (article_id,)
                    ):
                        if _host(other) == host:
                            same.append(aid)
                            if len(same) >= SITE_ARTICLES:
                                break
                elif source:
                    same = [r[0] for r in conn.execute(
                        "SELECT id FROM articles WHERE source = ? AND id != ? AND url IS NULL "
                        "ORDER BY id DESC LIMIT ?", (source, article_id, SITE_ARTICLES),
                    )]
                wanted.update(same)
        articles = []
        ids = sorted(wanted)
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            articles += conn.execute(
                f"SELECT id, text, source, url FROM articles WHERE id IN ({','.join('?' * len(chunk))}) "
                "ORDER BY id",
                chunk,
            ).fetchall()
        present = {a[0] for a in articles}
        spans = {k: v for k, v in spans.items() if k in present}
        return LearningData(articles, spans, self.rejections(annotator))

    def own_tag_count(self, annotator: str) -> int:
        """How many spans the annotator has: a cheap signal that the classifier may retrain."""
        return self.conn.execute(
            "SELECT count(*) FROM annotations WHERE annotator = ?", (annotator,)
        ).fetchone()[0]

    # -- rejections --------------------------------------------------------------------------

    def rejections(self, annotator: str, article_id: int | None = None) -> list[Rejection]:
        sql = ('SELECT id, article_id, start, "end", label, text, kind FROM suggestion_rejections '
               "WHERE annotator = ?")
        params: list = [annotator]
        if article_id is not None:
            sql += " AND article_id = ?"
            params.append(article_id)
        return [Rejection(*r) for r in self.conn.execute(sql + " ORDER BY id", params)]

    def reject_suggestion(
        self, article_id: int, start: int, end: int, label: str, annotator: str, *, kind: str = ""
    ) -> int:
        """Remember that `annotator` turned down this suggestion; its id (to take it back)."""
        self.label(label)
        with self._write() as conn:
            self._check_range(conn, article_id, start, end)
            text = conn.execute(
                "SELECT substr(text, ?, ?) FROM articles WHERE id = ?",
                (start + 1, end - start, article_id),
            ).fetchone()[0]
            conn.execute(
                'INSERT INTO suggestion_rejections (article_id, annotator, start, "end", label, '
                "text, kind, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET at = excluded.at",
                (article_id, annotator, start, end, label, text, kind, now()),
            )
            row = conn.execute(
                'SELECT id FROM suggestion_rejections WHERE article_id = ? AND annotator = ? '
                'AND start = ? AND "end" = ? AND label = ?',
                (article_id, annotator, start, end, label),
            ).fetchone()
            if row is None:  # pragma: no cover - the insert above made it
                raise StoreError("the rejection was not stored")
            return row[0]

    def unreject_span(self, article_id: int, start: int, end: int, label: str, annotator: str) -> bool:
        """Take back the annotator's rejection of this span and label; whether there was one."""
        with self._write() as conn:
            return conn.execute(
                'DELETE FROM suggestion_rejections WHERE article_id = ? AND annotator = ? '
                'AND start = ? AND "end" = ? AND label = ?',
                (article_id, annotator, start, end, label),
            ).rowcount > 0

    def unreject(self, rejection_id: int, annotator: str) -> bool:
        """Take a rejection back (undo of a reject); whether there was one."""
        with self._write() as conn:
            return conn.execute(
                "DELETE FROM suggestion_rejections WHERE id = ? AND annotator = ?",
                (rejection_id, annotator),
            ).rowcount > 0

    # -- accepting ---------------------------------------------------------------------------

    def accept_suggestions(
        self,
        article_id: int,
        spans: Sequence[tuple[int, int, str]],
        annotator: str,
        *,
        session_id: int | None = None,
    ) -> Change:
        """Make suggestions the annotator's spans (source 'suggested'), as one change that one
        undo removes whole. A suggestion that overlaps one of the annotator's spans on its
        label's layer, or an earlier one of the list, is skipped; nothing else is touched.
        Every span is checked before anything is written; an empty change writes nothing."""
        layers = {s[2]: self.label(s[2]).layer for s in spans}
        with self._write() as conn:
            for start, end, _label in spans:
                self._check_range(conn, article_id, start, end)
            stamp = now()
            taken: dict[str, list[tuple[int, int]]] = {}
            added = []
            for start, end, label in sorted(set(spans)):
                layer = layers[label]
                mine = taken.setdefault(layer, [])
                if any(s < end and start < e for s, e in mine):
                    continue
                if self._overlapping(conn, article_id, annotator, layer, start, end):
                    continue
                mine.append((start, end))
                added.append((start, end, label, "suggested", stamp))
            if not added:
                return Change(article_id)
            return self._commit_change(conn, article_id, annotator, session_id, [], added)

    def accept_suggestion(
        self, article_id: int, start: int, end: int, label: str, annotator: str,
        *, session_id: int | None = None,
    ) -> Change:
        """One suggestion made a span (source 'suggested'); see `accept_suggestions`."""
        return self.accept_suggestions(article_id, [(start, end, label)], annotator,
                                       session_id=session_id)

    # -- suggestions another model made ------------------------------------------------------

    def add_suggestions(
        self, items: Iterable[tuple[int, int, int, str, float, str]]
    ) -> int:
        """Store (article id, start, end, label, score, origin) suggestions, all or nothing;
        the same span and label again replaces its score. How many were stored."""
        stamp = now()
        labels = {l.name for l in self.labels()}
        n = 0
        with self._write() as conn:
            for article_id, start, end, label, score, origin in items:
                if label not in labels:
                    raise StoreError(f"{origin}: unknown label {label!r}")
                self._check_range(conn, article_id, start, end)
                conn.execute(
                    'INSERT INTO suggestions (article_id, start, "end", label, score, origin, '
                    "imported_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET "
                    "score = excluded.score, origin = excluded.origin, imported_at = excluded.imported_at",
                    (article_id, start, end, label, float(score), origin, stamp),
                )
                n += 1
        return n

    def stored_suggestions(self, article_id: int | None = None) -> list[StoredSuggestion]:
        sql = 'SELECT id, article_id, start, "end", label, score, origin FROM suggestions'
        params: tuple = ()
        if article_id is not None:
            sql += " WHERE article_id = ?"
            params = (article_id,)
        return [StoredSuggestion(*r) for r in self.conn.execute(sql + " ORDER BY article_id, start", params)]
