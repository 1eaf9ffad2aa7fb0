"""doccano sequence-labelling JSONL: ``{"text": ..., "label": [[start, end, label], ...], ...}``.

Offsets default to UTF-16 code units, because doccano's browser front end counts them: with
code points every span after an emoji would show shifted in doccano. For text without
characters outside the Basic Multilingual Plane the two are identical. Pass
``offsets="codepoint"`` for other consumers of this shape.

Both layers go into ``label`` (doccano shows overlapping spans when the project allows them).
The article's details are written as top-level keys, which doccano keeps as the example's
metadata on import: ``article_id`` (not ``id``, which doccano uses for its own example ids),
``title``, ``source``, ``url``, ``sha256``, ``status`` and ``annotator``, and ``offsets``, the
unit the offsets count (``utf16``, ``codepoint`` or ``utf8``), which ``reader import`` and
``reader validate`` read back.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TextIO

from reader.io.export.common import converter, encode_basestring, inside
from reader.io.export.records import ExportRecord, ExportSummary
from reader.text.offsets import check_unit

_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def write(records: Iterable[ExportRecord], out: TextIO, *, offsets: str = "utf16") -> ExportSummary:
    """Write ``records`` to ``out`` as doccano JSONL, one line per record; return a summary."""
    check_unit(offsets)
    summary = ExportSummary("doccano")
    labels: dict[str, str] = {}
    for record in records:
        summary.articles += 1
        conv = converter(record.text, offsets)
        parts = []
        for span in inside(record, summary):
            summary.spans[span.label] += 1
            lab = labels.get(span.label)
            if lab is None:
                lab = labels[span.label] = encode_basestring(span.label)
            parts.append(f"[{conv(span.start)},{conv(span.end)},{lab}]")
        details = _ENCODER.encode(
            {
                "article_id": record.article_id,
                "title": record.title,
                "source": record.source,
                "url": record.url,
                "sha256": record.sha256,
                "status": record.status,
                "annotator": record.annotator,
                "offsets": offsets,
            }
        )
        # details is a JSON object; splice its members in after text and label.
        out.write(
            f'{{"text":{encode_basestring(record.text)},"label":[{",".join(parts)}],{details[1:]}\n'
        )
        summary.items += 1
    return summary
