"""Import: read and parse every input first, then store them in one transaction.

Parsing is pure (`reader.io.importers`); this module only joins it to the Store so that one
invocation is all-or-nothing: any problem in any file means nothing is written.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import BinaryIO

from db import AddResult, NewArticle, NewSpan, Store, StoreError

from .io.importers import ImportProblem, ParsedArticle, parse_paths
from .text.sanitize import SanitizeReport


@dataclass
class ImportSummary:
    imported: int = 0
    duplicates: int = 0
    spans: int = 0
    cleaned: SanitizeReport = field(default_factory=SanitizeReport)
    warnings: list[str] = field(default_factory=list)

    def line(self) -> str:
        parts = [
            f"imported {self.imported} article{'s' if self.imported != 1 else ''}",
            f"{self.duplicates} duplicate{'s' if self.duplicates != 1 else ''} skipped",
            f"{self.spans} span{'s' if self.spans != 1 else ''} imported",
        ]
        if self.cleaned.changed:
            parts.append(self.cleaned.summary())
        return "; ".join(parts)


def to_new_article(parsed: ParsedArticle) -> NewArticle:
    meta = dict(parsed.meta)
    return NewArticle(
        title=parsed.title,
        text=parsed.text,
        source=parsed.source,
        url=parsed.url,
        raw_sha256=parsed.raw_sha256,
        encoding=parsed.encoding,
        meta=meta,
        spans=[NewSpan(s.start, s.end, s.label, s.annotator) for s in parsed.spans],
        origin=parsed.origin,
        # Our own exports carry the status; a round trip keeps it.
        status=meta.get("status") if isinstance(meta.get("status"), str) else None,
    )


def import_paths(
    store: Store,
    paths: Iterable[str],
    *,
    main_only: bool = False,
    stdin: BinaryIO | None = None,
    on_input_done: Callable[[str], None] | None = None,
) -> ImportSummary:
    """Parse everything under `paths`, then add it to `store` in one transaction.

    Raises `ImportProblem` for bad input, including a span the store refuses; nothing has been
    written then.
    """
    known = {label.name for label in store.labels()}
    summary = ImportSummary()
    articles: list[NewArticle] = []
    parsed_all = parse_paths(
        list(paths),
        main_only=main_only,
        stdin=stdin,
        known_labels=known,
        on_input_done=on_input_done,
    )
    for parsed in parsed_all:
        articles.append(to_new_article(parsed))
        _add_report(summary, parsed)
    try:
        result: AddResult = store.add_articles(articles)
    except StoreError as exc:
        # add_articles refuses only spans (overlap, range, label): a fault of the input, not of
        # the database, so it is reported as bad input. Its message starts with the origin.
        origin, _, reason = str(exc).partition(": ")
        raise ImportProblem(origin, reason) from None
    summary.imported, summary.duplicates, summary.spans = (
        result.imported,
        result.duplicates,
        result.spans,
    )
    return summary


def _add_report(summary: ImportSummary, parsed: ParsedArticle) -> None:
    summary.cleaned.add(parsed.report)
    summary.warnings.extend(f"{parsed.origin}: {w}" for w in parsed.meta.get("import_warnings", []))
