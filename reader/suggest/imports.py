"""`reader import --suggestions`: spans another model wrote, kept as suggestions, not as tags.

Each JSONL line is a task in any shape `reader import` reads (Prodigy's `{"text", "spans"}`, our
own export, doccano). The article is found by its text (after the same sanitising an import
does); an article not yet stored is imported, without spans. The spans become suggestions for
every annotator, reviewed like the built-in ones: accepted ones become spans with source
`suggested`, and they are never exported until then. A span's `score`, when the task gives one
(Prodigy's model recipes write it), is kept; otherwise it is 0.5. All or nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

DEFAULT_SCORE = 0.5


@dataclass
class SuggestionImport:
    suggestions: int = 0
    articles_added: int = 0
    articles_matched: int = 0

    def line(self) -> str:
        return (
            f"imported {self.suggestions} suggestion{'s' if self.suggestions != 1 else ''} "
            f"for {self.articles_matched + self.articles_added} article"
            f"{'s' if self.articles_matched + self.articles_added != 1 else ''} "
            f"({self.articles_added} new)"
        )


def _scores(raw_line: str) -> dict[tuple[int, int, str], float]:
    """(start, end, label) -> score, from the spans of one raw task line, where given."""
    try:
        task = json.loads(raw_line)
    except ValueError:
        return {}
    out = {}
    for span in task.get("spans") or [] if isinstance(task, dict) else []:
        if isinstance(span, dict) and isinstance(span.get("score"), (int, float)):
            try:
                out[(int(span["start"]), int(span["end"]), str(span["label"]))] = float(span["score"])
            except (KeyError, TypeError, ValueError):
                continue
    return out


def import_suggestions(store, paths: Iterable[str], *, stdin=None) -> SuggestionImport:
    from db.store import text_sha256

    from reader.importing import to_new_article
    from reader.io.importers import parse_paths
    from reader.io.problem import ImportProblem

    known = {label.name for label in store.labels()}
    result = SuggestionImport()
    parsed_all = list(parse_paths(list(paths), stdin=stdin, known_labels=known))
    raw_scores: dict[str, dict] = {}
    for parsed in parsed_all:
        path, _, line = parsed.origin.rpartition(":")
        if path and line.isdigit() and path not in raw_scores:
            try:
                with open(path, encoding="utf-8", errors="replace") as handle:
                    raw_scores[path] = {i: _scores(l) for i, l in enumerate(handle, 1)}
            except OSError:
                raw_scores[path] = {}
    with store._write() as conn:
        for parsed in parsed_all:
            if not parsed.spans:
                continue
            digest = text_sha256(parsed.text)
            row = conn.execute("SELECT id FROM articles WHERE sha256 = ?", (digest,)).fetchone()
            if row is None:
                article = to_new_article(parsed)
                article.spans = []
                ids = store.add_articles([article]).ids
                article_id = ids[0]
                result.articles_added += 1
            else:
                article_id = row[0]
                result.articles_matched += 1
            path, _, line = parsed.origin.rpartition(":")
            scores = raw_scores.get(path, {}).get(int(line), {}) if line.isdigit() else {}
            items = []
            for s in parsed.spans:
                if s.label not in known:
                    raise ImportProblem(parsed.origin, f"unknown label {s.label!r}")
                score = scores.get((s.start, s.end, s.label), DEFAULT_SCORE)
                items.append((article_id, s.start, s.end, s.label, max(0.0, min(1.0, score)),
                              parsed.origin))
            result.suggestions += store.add_suggestions(items)
    return result
