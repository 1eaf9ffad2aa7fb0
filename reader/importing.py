"""Import: parse the inputs as they are read and store them as they come, all or nothing.

Parsing is pure (`reader.io.importers`) and lazy: one article is parsed at a time, so memory does
not grow with the input. `Store.import_articles` commits in short batches and deletes what this
import wrote if anything goes wrong, so one invocation is still all or nothing: any problem in
any file, an interrupt (Ctrl-C), SIGTERM or SIGHUP means nothing is left written.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import BinaryIO

from db import NewArticle, NewSpan, Store, StoreError

from .io.importers import parse_paths
from .io.parsed import ParsedArticle
from .io.problem import ImportProblem
from .text.sanitize import SanitizeReport


class ImportInterrupted(Exception):
    """The import was stopped by a signal; nothing of it is left in the database."""

    def __init__(self, signum: int) -> None:
        self.signum = signum
        super().__init__(f"interrupted by {signal.Signals(signum).name}; nothing was imported")


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
    who = meta.get("annotator") if isinstance(meta.get("annotator"), str) else None
    return NewArticle(
        title=parsed.title,
        text=parsed.text,
        source=parsed.source,
        url=parsed.url,
        raw_sha256=parsed.raw_sha256,
        encoding=parsed.encoding,
        meta=meta,
        # Our JSONL names the record's annotator in meta.annotator: spans without one are theirs.
        spans=[NewSpan(s.start, s.end, s.label, s.annotator or who) for s in parsed.spans],
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
    """Parse everything under `paths` and add it to `store` as it is read, all or nothing.

    Raises `ImportProblem` for bad input, including a span the store refuses, and
    `ImportInterrupted` on SIGTERM or SIGHUP; nothing has been written then.
    """
    known = {label.name for label in store.labels()}
    summary = ImportSummary()
    parsed_all = parse_paths(
        list(paths),
        main_only=main_only,
        stdin=stdin,
        known_labels=known,
        on_input_done=on_input_done,
    )

    def articles() -> Iterator[NewArticle]:
        for parsed in parsed_all:
            _add_report(summary, parsed)
            yield to_new_article(parsed)

    try:
        with _signals_interrupt():
            result = store.import_articles(articles())
    except StoreError as exc:
        # The store refuses only spans (overlap, range, label) here: a fault of the input, not
        # of the database, so it is reported as bad input. Its message starts with the origin.
        origin, _, reason = str(exc).partition(": ")
        raise ImportProblem(origin, reason) from None
    summary.imported, summary.duplicates, summary.spans = (
        result.imported,
        result.duplicates,
        result.spans,
    )
    return summary


@contextmanager
def _signals_interrupt():
    """Turn SIGTERM and SIGHUP into an exception while importing, so the rollback runs; their
    default action would end the process on the spot."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum, _frame):
        raise ImportInterrupted(signum)

    previous = {}
    for signum in (signal.SIGTERM, getattr(signal, "SIGHUP", None)):
        if signum is not None:
            previous[signum] = signal.signal(signum, stop)
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _add_report(summary: ImportSummary, parsed: ParsedArticle) -> None:
    summary.cleaned.add(parsed.report)
    summary.warnings.extend(f"{parsed.origin}: {w}" for w in parsed.meta.get("import_warnings", []))
