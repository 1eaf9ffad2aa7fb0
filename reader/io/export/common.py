"""Pieces the export formats share: span checks, token alignment and offset units."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING
from json.encoder import encode_basestring  # the C encoder json.dumps uses with ensure_ascii=False

from reader.io.export.records import (
    ENTITY,
    ENTITY_OVERLAP,
    NOT_ON_TOKENS,
    OUTSIDE_TEXT,
    ExportRecord,
    ExportSpan,
    ExportSummary,
)
from reader.text.offsets import OffsetMap, check_unit

if TYPE_CHECKING:
    from reader.text.tokens import TokenIndex

MISALIGNED = ("skip", "expand")

__all__ = [
    "MISALIGNED",
    "check_misaligned",
    "converter",
    "encode_basestring",
    "inside",
    "token_spans",
]


def check_misaligned(value: str) -> str:
    """Return ``value`` if it is a known way of treating spans off token edges."""
    if value not in MISALIGNED:
        raise ValueError(f"misaligned must be one of {', '.join(MISALIGNED)}, not {value!r}")
    return value


def converter(text: str, unit: str) -> Callable[[int], int]:
    """Return a function turning code point offsets of ``text`` into ``unit`` offsets."""
    check_unit(unit)
    if unit == "codepoint":
        return int
    offsets = OffsetMap(text)
    return offsets.to_utf16 if unit == "utf16" else offsets.to_utf8


def inside(
    record: ExportRecord, summary: ExportSummary, spans: Iterable[ExportSpan] | None = None
) -> Iterator[ExportSpan]:
    """Yield the spans of ``record`` that lie inside its text; count the others as skipped.

    The store never holds such spans, but an export must not write offsets a reader of the
    file would trip over, so it checks rather than trusts.
    """
    n = len(record.text)
    for span in record.spans if spans is None else spans:
        if 0 <= span.start < span.end <= n:
            yield span
        else:
            summary.skip(record, span, OUTSIDE_TEXT)


def token_spans(
    record: ExportRecord,
    spans: Iterable[ExportSpan],
    index: TokenIndex,
    summary: ExportSummary,
    misaligned: str,
    reason: str = NOT_ON_TOKENS,
) -> list[tuple[ExportSpan, int, int]]:
    """Return ``(span, token_start, token_end)`` for each span, ``token_end`` inclusive.

    A span whose edges are not token edges is either left out (``misaligned="skip"``) or moved
    outward to the edges of the tokens it overlaps (``"expand"``); both are counted in
    ``summary`` under ``reason``, never done silently. Moving spans can make two entities
    overlap; the later one is then left out. The result stays sorted by offsets.
    """
    out: list[tuple[ExportSpan, int, int]] = []
    moved = False
    for span in spans:
        ids = index.aligned(span.start, span.end)
        if ids is None:
            covering = index.covering(span.start, span.end) if misaligned == "expand" else None
            if covering is None:
                summary.skip(record, span, reason)
                continue
            summary.snap(record, span, reason)
            first, last = covering
            span = span._replace(start=index.bounds[first][0], end=index.bounds[last][1])
            ids = covering
            moved = True
        out.append((span, ids[0], ids[1]))
    if moved:
        out.sort(key=lambda item: (item[0].start, item[0].end, item[0].label))
        kept, entity_end = [], -1
        for item in out:
            span = item[0]
            if span.layer == ENTITY:
                if span.start < entity_end:
                    summary.skip(record, span, ENTITY_OVERLAP)
                    continue
                entity_end = span.end
            kept.append(item)
        out = kept
    return out
