"""CoNLL-style IOB for the entity layer: one ``token tag`` line per token.

    -DOCSTART- -X- O O

    Kim B-entity
    Jong I-entity
    ...

Each article starts with the document line spaCy's ``conll_ner_to_docs`` (``spacy convert -c
ner``) splits on, then a blank line; sentences (from :func:`reader.text.segment.sentences`) are
separated by blank lines. Tags are IOB2 (every entity starts with ``B-``) and keep the label
names as the store has them; whitespace inside a label would break the columns, so it becomes
``_``. A sentence break that would fall inside an entity is not written, so no entity is cut in
two. Tokens come from :func:`reader.text.tokens.token_bounds` and never contain whitespace.

Only the entity layer is written; an entity whose edges are not token edges is left out (or, with
``misaligned="expand"``, widened to its tokens) and counted in the summary either way.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from typing import TextIO

import regex

from reader.io.export.common import check_misaligned, inside, token_spans
from reader.io.export.records import ENTITY, ENTITY_OVERLAP, ExportRecord, ExportSummary
from reader.text.segment import sentences
from reader.text.tokens import TokenIndex, token_bounds

DOCSTART = "-DOCSTART- -X- O O"
_SPACE = regex.compile(r"\s+")


def tag_name(label: str) -> str:
    """Return ``label`` fit for a CoNLL column: whitespace runs become ``_``."""
    return _SPACE.sub("_", label)


def write(
    records: Iterable[ExportRecord], out: TextIO, *, misaligned: str = "skip"
) -> ExportSummary:
    """Write the entity layer of ``records`` to ``out`` as CoNLL IOB; return what was written."""
    check_misaligned(misaligned)
    summary = ExportSummary("conll")
    for record in records:
        summary.articles += 1
        text = record.text
        toks = token_bounds(text)
        tags = ["O"] * len(toks)
        entities = inside(record, summary, (s for s in record.spans if s.layer == ENTITY))
        for span, first, last in token_spans(
            record, entities, TokenIndex(toks), summary, misaligned
        ):
            if any(tag != "O" for tag in tags[first : last + 1]):
                summary.skip(record, span, ENTITY_OVERLAP)
                continue
            name = tag_name(span.label)
            tags[first] = "B-" + name
            for i in range(first + 1, last + 1):
                tags[i] = "I-" + name
            summary.spans[span.label] += 1
        starts = [s for s, _ in sentences(text)] if toks else []
        lines = [DOCSTART, ""]
        previous = None
        for (start, end), tag in zip(toks, tags):
            sentence = bisect_right(starts, start)
            if previous is not None and sentence != previous and not tag.startswith("I-"):
                lines.append("")
            previous = sentence
            lines.append(f"{text[start:end]} {tag}")
        if toks:
            lines.append("")
        out.write("\n".join(lines) + "\n")
        summary.items += 1
    return summary
