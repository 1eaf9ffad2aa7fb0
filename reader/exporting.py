"""Export: read the store, hand records to a pure exporter, write the file(s) atomically.

Used by `reader export` and by the app's export screen, so both write the same bytes.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any
from contextlib import ExitStack
from dataclasses import dataclass, field
from functools import partial

from db import Store

from .io.atomic import atomic_write, is_stdout
from .io.export import ExportRecord, ExportSpan, ExportSummary, export, get_format
from .text.plural import counted

# Spans left in the store after their article was deleted with foreign keys off.
ORPHANED = "whose article is missing: PRAGMA foreign_key_check lists them"


@dataclass
class ExportRequest:
    out: str
    format: str = "jsonl"
    statuses: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()
    annotator: str | None = None
    since: str | None = None
    sources: tuple[str, ...] = ()  # where spans came from: manual, imported, suggested
    split: str | None = None
    seed: int = 0
    options: dict = field(default_factory=dict)


# The store's (start, end, label, layer) tuples as ExportSpans, without a Python call per span.
_as_span = partial(tuple.__new__, ExportSpan)


def _filters(request: ExportRequest) -> dict:
    return {
        "statuses": request.statuses or None,
        "labels": request.labels or None,
        "annotator": request.annotator,
        "since": request.since,
        "sources": request.sources or None,
    }


def records(
    store: Store,
    request: ExportRequest,
    on_record: Callable[[ExportRecord], None] | None = None,
    on_orphans: Callable[[int, str, int], None] | None = None,
) -> Iterator[ExportRecord]:
    """One record per article and annotator, spans sorted, filtered as the request says.

    Spans whose article is missing are not records; ``on_orphans`` hears of them.
    """
    groups = store.export_groups(**_filters(request), on_orphans=on_orphans)
    for article, annotator, spans in groups:
        record = ExportRecord(
            article_id=article["id"],
            title=article["title"],
            source=article["source"],
            url=article["url"],
            sha256=article["sha256"],
            status=article["status"],
            text=article["text"],
            annotator=annotator,
            spans=list(map(_as_span, spans)),
        )
        if on_record:
            on_record(record)
        yield record


def run_export(
    store: Store,
    request: ExportRequest,
    on_record: Callable[[ExportRecord], None] | None = None,
) -> tuple[ExportSummary, list[str]]:
    """Write the export; return its summary and the paths written.

    With a split, one file per part, each filled by its own pass over the store. Every file is
    written beside its target and renamed into place only when all of them are complete, so a
    failure leaves earlier files as they were. A part that no article falls into gets no file
    (an empty file breaks loaders such as ``datasets``); the summary says so.
    """
    fmt = get_format(request.format)
    summary = ExportSummary(request.format)
    if request.split is not None:
        from .io import split as splitting

        parts = splitting.parse_split(request.split)
        counts = splitting.split_counts(store.export_shas(**_filters(request)), parts, request.seed)
        paths = {name: str(splitting.part_path(request.out, name)) for name in parts}
        targets = {name: path for name, path in paths.items() if counts[name]}
        summary.notes.append(
            "split: " + ", ".join(f"{name} {counts[name]}" for name in parts) + " articles"
        )
        empty = [name for name in parts if not counts[name]]
        if empty:
            summary.notes.append(
                f"no article fell in {' or '.join(empty)}, so no file was written for "
                f"{'them' if len(empty) > 1 else 'it'}"
                + "".join(
                    f" (the earlier {paths[name]} is left as it was)"
                    for name in empty
                    if os.path.lexists(paths[name])
                )
            )
    else:
        parts, targets = None, {"": request.out}
    _refuse_the_database(store, targets.values())
    orphans: Counter[str] = Counter()

    def count_orphans(_article_id: int, _annotator: str, n: int) -> None:
        orphans[ORPHANED] += n

    with ExitStack() as stack:
        for i, (name, path) in enumerate(targets.items()):
            out = stack.enter_context(atomic_write(path, binary=fmt.binary))
            # Each part is a pass over the same snapshot: count what it leaves out once.
            stream: Iterator[Any] = records(store, request, on_record,
                                            count_orphans if i == 0 else None)
            if parts is not None:
                stream = splitting.select(stream, parts, request.seed, name)
            summary.merge(export(request.format, stream, out, **request.options))
    summary.skipped.update(orphans)
    return summary, list(targets.values())


def _refuse_the_database(store: Store, paths) -> None:
    """Raise ``ValueError`` when a target is the database file (or its journal) itself."""
    if not store.path or store.path == ":memory:":
        return
    db_file = os.path.realpath(store.path)
    own = {db_file} | {db_file + suffix for suffix in ("-wal", "-shm", "-journal")}
    for path in paths:
        if not is_stdout(path) and os.path.realpath(path) in own:
            raise ValueError(f"{path} is the database itself; export to another file")


def summary_line(summary: ExportSummary, paths: list[str]) -> str:
    per_label = ", ".join(f"{label} {n}" for label, n in sorted(summary.spans.items())) or "none"
    line = (
        f"exported {summary.articles} record{'s' if summary.articles != 1 else ''} "
        f"({summary.total_spans} span{'s' if summary.total_spans != 1 else ''}: {per_label})"
    )
    if summary.skipped:
        reasons = ", ".join(f"{n} {why}" for why, n in summary.skipped.items())
        line += f"; skipped {counted(summary.total_skipped, 'span')} ({reasons})"
    if summary.snapped:
        reasons = ", ".join(f"{n} {why}" for why, n in summary.snapped.items())
        line += f"; snapped to tokens: {reasons}"
    if not paths:
        line += "; no file written"
    elif not (len(paths) == 1 and is_stdout(paths[0])):
        line += " to " + ", ".join(paths)
    for note in summary.notes:
        line += f"; {note}"
    return line
