"""Teams: who annotates what (assignments), who there is, whose spans one may see, and
everyone's spans article by article."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator

from .base import StoreBase
from .common import now
from .errors import StoreError
from .models import STATUSES


class TeamsMixin(StoreBase):
    """Mixed into Store."""

    def visible_annotators(
        self, article_id: int, annotator: str, blind: bool
    ) -> list[str] | None:
        """Whose spans `annotator` may see on the article when showing everyone's: None (all)
        unless `blind` is set and they have not marked it done, then only their own."""
        if not blind or self.status_of(article_id, annotator) == "done":
            return None
        return [annotator]

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
            articles = self.conn.execute(
                f"SELECT a.id, a.title, {text_column} FROM articles a "
                "JOIN _wanted_articles w ON w.id = a.id ORDER BY a.id"
            )
            pending = next(spans, None)
            for article_id, title, text in articles:
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
