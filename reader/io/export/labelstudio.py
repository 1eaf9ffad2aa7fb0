"""Label Studio tasks with their annotations, ready for Label Studio's import.

Label Studio imports a JSON array of tasks, so that is the default; it is written one task at a
time, never held whole in memory. ``json_lines=True`` writes one task per line instead (Label
Studio also imports ``.jsonl``, and line-oriented tools prefer it).

One task per article: consecutive records of the same article (one per annotator) become the
annotations of one task, so pass records ordered by article to compare annotators inside Label
Studio. Each result has a short id derived from the article, annotator, offsets and label, so
the same data exported twice gives the same ids. ``completed_by`` is left out: it must name a
user of the receiving Label Studio, which it fills in with the importing user; the annotators'
names are kept in the task's ``meta.annotators``, in the order of ``annotations``.

The labelling config these tasks fit::

    <View>
      <Labels name="label" toName="text"> <Label value="fact"/> ... </Labels>
      <Text name="text" value="$text"/>
    </View>

Offsets are code points, as current Label Studio counts them; ``offsets="utf16"`` suits older
releases that counted UTF-16 code units.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterable, Iterator
from itertools import groupby
from typing import TextIO

from reader.io.export.common import converter, inside
from reader.io.export.records import ExportRecord, ExportSpan, ExportSummary
from reader.text.offsets import check_unit

_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def result_id(article_id: int, annotator: str | None, span: ExportSpan) -> str:
    """Return a stable 10-character id for one span's result."""
    key = f"{article_id}\x1f{annotator or ''}\x1f{span.start}\x1f{span.end}\x1f{span.label}"
    digest = hashlib.blake2b(key.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii")[:10]


def task(
    records: list[ExportRecord],
    summary: ExportSummary,
    *,
    offsets: str = "codepoint",
    from_name: str = "label",
    to_name: str = "text",
) -> dict:
    """Return the Label Studio task for ``records``: one article, one annotation per record."""
    first = records[0]
    text = first.text
    conv = converter(text, offsets)
    annotations = []
    for record in records:
        results = []
        for span in inside(record, summary):
            summary.spans[span.label] += 1
            results.append(
                {
                    "id": result_id(record.article_id, record.annotator, span),
                    "from_name": from_name,
                    "to_name": to_name,
                    "type": "labels",
                    "origin": "manual",
                    "value": {
                        "start": conv(span.start),
                        "end": conv(span.end),
                        "text": text[span.start : span.end],
                        "labels": [span.label],
                    },
                }
            )
        annotations.append({"result": results, "was_cancelled": False, "ground_truth": False})
    task_meta = {
        "article_id": first.article_id,
        "sha256": first.sha256,
        "status": first.status,
        "annotators": [r.annotator for r in records],
    }
    if offsets != "codepoint":
        task_meta["offsets"] = offsets
    return {
        "id": first.article_id,
        "data": {"text": text, "title": first.title, "source": first.source, "url": first.url},
        "meta": task_meta,
        "annotations": annotations,
    }


def _by_article(
    records: Iterable[ExportRecord], summary: ExportSummary
) -> Iterator[list[ExportRecord]]:
    for _, group in groupby(records, key=lambda r: r.article_id):
        batch = list(group)
        summary.articles += len(batch)
        yield batch


def write(
    records: Iterable[ExportRecord],
    out: TextIO,
    *,
    offsets: str = "codepoint",
    json_lines: bool = False,
    from_name: str = "label",
    to_name: str = "text",
) -> ExportSummary:
    """Write ``records`` to ``out`` as Label Studio tasks; return what was written."""
    check_unit(offsets)
    summary = ExportSummary("labelstudio")
    encode = _ENCODER.encode
    sep = "\n" if json_lines else ",\n"
    if not json_lines:
        out.write("[")
    for n, batch in enumerate(_by_article(records, summary)):
        item = encode(task(batch, summary, offsets=offsets, from_name=from_name, to_name=to_name))
        out.write((sep if n else "") + item)
        summary.items += 1
    if json_lines:
        if summary.items:
            out.write("\n")
    else:
        out.write("]\n")
    return summary
