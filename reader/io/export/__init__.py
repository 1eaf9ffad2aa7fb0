"""Export tagged articles as training data, one module per format.

The exporters are pure: the caller reads the store and hands over :class:`ExportRecord` objects
(one per article and annotator, spans sorted), plus an open stream, text or binary as the format's
``binary`` flag says; :func:`reader.io.atomic.atomic_write` gives one that replaces the target
only when the export finished. Every writer returns an :class:`ExportSummary`.

    fmt = get_format("jsonl")
    with atomic_write(path, binary=fmt.binary) as out:
        summary = export("jsonl", records, out, tokens=True)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from importlib import import_module
from typing import IO

from reader.io.export.records import (
    ENTITY,
    SEGMENT,
    ExportRecord,
    ExportSpan,
    ExportSummary,
    SkippedSpan,
)

__all__ = [
    "ENTITY",
    "FORMATS",
    "SEGMENT",
    "ExportFormat",
    "ExportRecord",
    "ExportSpan",
    "ExportSummary",
    "SkippedSpan",
    "export",
    "get_format",
]


@dataclass(frozen=True)
class ExportFormat:
    """One export format: its writer and what a caller needs to know to use it."""

    name: str
    module: str  # the module in this package whose write() writes the format
    extension: str  # the usual file name ending, with its dot
    binary: bool  # the writer wants a binary stream, not a text one
    options: frozenset[str]  # keyword arguments the writer takes
    description: str

    @property
    def write(self) -> Callable[..., ExportSummary]:
        # Imported when first used: an export in one format does not pay for the others'
        # imports (the sentence segmenter, the tokenizer), which cost more than a small export.
        return import_module(f"{__name__}.{self.module}").write


FORMATS: dict[str, ExportFormat] = {
    f.name: f
    for f in [
        ExportFormat(
            "jsonl", "jsonl", ".jsonl", True,
            frozenset({"offsets", "tokens", "misaligned"}),
            "Prodigy-style tasks: text, spans with their text and annotator, meta",
        ),
        ExportFormat(
            "doccano", "doccano", ".jsonl", False, frozenset({"offsets"}),
            "doccano sequence labelling: text and [start, end, label] (UTF-16 offsets by default)",
        ),
        ExportFormat(
            "labelstudio", "labelstudio", ".json", False,
            frozenset({"offsets", "json_lines", "from_name", "to_name"}),
            "Label Studio tasks with one annotation per annotator (a JSON array)",
        ),
        ExportFormat(
            "spacy", "spacy_docbin", ".spacy", True, frozenset({"spans_key", "lang"}),
            "spaCy DocBin: entities as doc.ents, segments as doc.spans[spans_key]",
        ),
        ExportFormat(
            "conll", "conll", ".conll", False, frozenset({"misaligned"}),
            "CoNLL IOB of the entity layer, one token per line",
        ),
        ExportFormat(
            "sentences", "sentences", ".jsonl", False,
            frozenset({"offsets", "context_sentences"}),
            "one line per segment span with its label and surrounding sentences",
        ),
    ]
}


def get_format(name: str) -> ExportFormat:
    """Return the format called ``name``; raise ``ValueError`` naming the known ones if none is."""
    try:
        return FORMATS[name]
    except KeyError:
        raise ValueError(
            f"unknown export format {name!r}: use one of {', '.join(FORMATS)}"
        ) from None


def export(name: str, records: Iterable[ExportRecord], out: IO, **options) -> ExportSummary:
    """Write ``records`` to ``out`` in format ``name`` and return the summary.

    Options the format does not take raise ``ValueError`` instead of being ignored, so that
    asking for, say, tokens in a format without them is not silently lost.
    """
    fmt = get_format(name)
    unknown = sorted(set(options) - fmt.options)
    if unknown:
        takes = ", ".join(sorted(fmt.options)) or "none"
        raise ValueError(
            f"the {name} format does not take {', '.join(unknown)} (it takes: {takes})"
        )
    return fmt.write(records, out, **options)
