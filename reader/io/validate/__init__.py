"""Check a training-data file before training on it: every format reader writes.

A file that loads is not necessarily right: offsets counted in another unit, span texts that do
not match the slice, labels the project does not know, and overlapping spans all load fine and
then spoil training. :func:`validate_file` recognises what a file is (by its content, and its
name where the content cannot tell) and checks it against the label set in use:

- JSON Lines tasks (reader's ``jsonl``, Prodigy, doccano): the rules of ``reader import``, which
  reads these, with its own parser, so a file that validates imports; plus span texts and token
  indices. Offsets count the unit ``meta.offsets`` or a top-level ``offsets`` names.
- reader's ``sentences`` lines: each span's text against its context, the label.
- Label Studio JSON (an array, or one task per line): offsets, span texts, labels, overlaps.
- CoNLL IOB: two or more columns, tags ``O``/``B-X``/``I-X`` with ``X`` an entity label, no
  ``I-X`` that does not continue an ``X``.
- a spaCy ``DocBin`` (with the 'spacy' extra): labels of ``doc.ents`` and ``doc.spans``, overlaps.

The overlap rule is the store's: no two spans of one annotator overlap on one layer (entities
on theirs, fact/opinion/boilerplate on the segment layer).
"""


from __future__ import annotations

import json
from collections.abc import Mapping

from reader.io.validate.conll import TAG, validate_conll
from reader.io.validate.docbin import validate_docbin
from reader.io.validate.jsonl import line_kind, validate_jsonl
from reader.io.validate.labelstudio import validate_labelstudio
from reader.io.validate.report import ENTITY, KINDS, Problem, Report

__all__ = [
    "KINDS",
    "Problem",
    "Report",
    "detect",
    "validate_conll",
    "validate_docbin",
    "validate_file",
    "validate_jsonl",
    "validate_labelstudio",
]

_ZLIB_HEADS = (b"\x78\x01", b"\x78\x5e", b"\x78\x9c", b"\x78\xda")


def detect(head: bytes, name: str = "") -> str | None:
    """Return the kind of file whose first bytes are ``head``, or None if reader wrote no such."""
    lower = name.lower()
    if lower.endswith(".spacy") or head.startswith(_ZLIB_HEADS):
        return "spacy"
    text = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    lines_by_name = lower.endswith((".jsonl", ".ndjson"))
    if text.startswith(b"[") and not lines_by_name:
        return "labelstudio"
    if text.startswith(b"{") or lines_by_name:
        first = text.split(b"\n", 1)[0]
        try:
            task = json.loads(first)
        except ValueError:
            return "jsonl"  # a long first line cut off by the peek, or bad JSON: said per line
        return line_kind(task) or "jsonl"
    if lower.endswith((".conll", ".iob", ".iob2", ".bio")) or text.startswith(b"-DOCSTART-"):
        return "conll"
    try:
        sample = text.decode("utf-8", errors="strict")
    except UnicodeDecodeError:
        return None
    rows = [r.split() for r in sample.splitlines()[:-1] if r.strip()][:50]
    if rows and all(len(r) >= 2 and TAG.match(r[-1]) for r in rows):
        return "conll"
    return None


def validate_file(
    data: bytes, name: str, layers: Mapping[str, str], *, kind: str | None = None
) -> Report | None:
    """Check ``data`` (a file called ``name``) against the labels ``layers`` (name → layer).

    Returns None when the file is none of the formats reader reads or writes.
    """
    kind = kind or detect(data[:65536], name)
    if kind is None:
        return None
    if kind == "spacy":
        return validate_docbin(data, layers)
    if kind == "labelstudio":
        return validate_labelstudio(data, layers)
    if kind == "conll":
        return validate_conll(data.splitlines(), layers)
    report = Report(kind)
    report.problems = validate_jsonl(
        data.split(b"\n"),
        known_labels=set(layers),
        entity_labels={n for n, layer in layers.items() if layer == ENTITY},
        report=report,
    )
    return report
