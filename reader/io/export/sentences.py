"""One JSONL line per segment-layer span, for training a text classifier (fact, opinion, ...).

    {"text": "...", "label": "fact", "article_id": 7, "start": 120, "end": 188,
     "annotator": "ann", "context": "...", "context_start": 95}

``context`` is the text of the sentences the span touches plus ``context_sentences`` sentences
on each side (sentences from :func:`reader.text.segment.sentences`), so a model can see what
surrounds a short span. Every line has the same keys with the same types and no nulls, which is
what ``datasets.load_dataset("json", ...)`` and pandas need to infer one schema. Offsets are
code points unless ``offsets`` says otherwise (then every line names the unit in an ``offsets``
key); ``context`` starts at ``context_start``.
Entity-layer spans are not part of this format.
"""

from __future__ import annotations

import json
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from typing import TextIO

from reader.io.export.common import converter, inside
from reader.io.export.records import SEGMENT, ExportRecord, ExportSummary
from reader.text.offsets import check_unit
from reader.text.segment import sentences

_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def context_bounds(
    bounds: list[tuple[int, int]], start: int, end: int, extra: int = 1
) -> tuple[int, int]:
    """Return the edges of the sentences ``[start, end)`` touches, plus ``extra`` on each side.

    ``bounds`` are the text's sentence spans in order. The result always covers the span.
    """
    return _Context(bounds).around(start, end, extra)


class _Context:
    """Sentence edges of one text, for finding the context of many spans."""

    def __init__(self, bounds: list[tuple[int, int]]):
        self.bounds = bounds
        self.starts = [s for s, _ in bounds]
        self.ends = [e for _, e in bounds]

    def around(self, start: int, end: int, extra: int) -> tuple[int, int]:
        first = bisect_right(self.ends, start)  # first sentence ending after start
        last = bisect_left(self.starts, end) - 1  # last sentence starting before end
        # A span in the whitespace between sentences touches none (first == last + 1); the
        # widening below then reaches its neighbours.
        first = max(first - extra, 0)
        last = min(last + extra, len(self.bounds) - 1)
        if first > last:
            return start, end
        return min(self.bounds[first][0], start), max(self.bounds[last][1], end)


def write(
    records: Iterable[ExportRecord],
    out: TextIO,
    *,
    offsets: str = "codepoint",
    context_sentences: int = 1,
) -> ExportSummary:
    """Write each segment-layer span of ``records`` to ``out`` as a JSONL line; return a summary."""
    check_unit(offsets)
    if context_sentences < 0:
        raise ValueError("context_sentences must be 0 or more")
    summary = ExportSummary("sentences")
    encode = _ENCODER.encode
    for record in records:
        summary.articles += 1
        text = record.text
        segments = list(inside(record, summary, (s for s in record.spans if s.layer == SEGMENT)))
        if not segments:
            continue
        context = _Context(sentences(text))
        conv = converter(text, offsets)
        lines = []
        for span in segments:
            cstart, cend = context.around(span.start, span.end, context_sentences)
            line = {
                "text": text[span.start : span.end],
                "label": span.label,
                "article_id": record.article_id,
                "start": conv(span.start),
                "end": conv(span.end),
                "annotator": record.annotator,
                "context": text[cstart:cend],
                "context_start": conv(cstart),
            }
            if offsets != "codepoint":
                line["offsets"] = offsets
            lines.append(encode(line))
            summary.spans[span.label] += 1
        out.write("\n".join(lines) + "\n")
        summary.items += len(lines)
    return summary
