"""Check a JSONL export (the ``jsonl`` format, or any Prodigy-style file) before training on it.

A file that loads is not necessarily right: offsets counted in another unit, span texts that do
not match the slice, labels the project does not know, and overlapping entities all load fine and
then spoil training. :func:`validate_jsonl` finds them and says where.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from reader.text.offsets import OffsetMap


@dataclass(frozen=True)
class Problem:
    """One problem: the 1-based line number it is on, and what is wrong."""

    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def validate_jsonl(
    lines: Iterable[str | bytes],
    known_labels: Collection[str] | None = None,
    entity_labels: Collection[str] = (),
) -> list[Problem]:
    """Return the problems found in the JSONL ``lines`` (an open file will do), in line order.

    Every non-blank line must be a JSON object with a ``text`` string; its ``spans`` (if any) must
    have integer offsets with ``0 <= start < end <= len(text)``, a ``text`` (where given) equal to
    the slice, a label in ``known_labels`` (unless that is None), ``token_start``/``token_end``
    (where given) naming tokens with the same edges, and no two spans with a label in
    ``entity_labels`` may overlap. Offsets are code points, unless the line's ``meta.offsets``
    says ``"utf16"`` or ``"utf8"`` (as this project's exports do when asked for those units).
    Blank lines are ignored.
    """
    problems: list[Problem] = []
    entity_labels = frozenset(entity_labels)
    for number, raw in enumerate(lines, start=1):
        if isinstance(raw, bytes):
            try:
                raw = raw.decode("utf-8")
            except UnicodeDecodeError as error:
                problems.append(Problem(number, f"not UTF-8: {error.reason} at byte {error.start}"))
                continue
        if not raw.strip():
            continue
        problems.extend(Problem(number, m) for m in _check_line(raw, known_labels, entity_labels))
    return problems


def _check_line(
    raw: str, known_labels: Collection[str] | None, entity_labels: frozenset[str]
) -> list[str]:
    try:
        task = json.loads(raw)
    except json.JSONDecodeError as error:
        return [f"not valid JSON: {error.msg} at column {error.colno}"]
    if not isinstance(task, dict):
        return [f"a line must be a JSON object, not {type(task).__name__}"]
    text = task.get("text")
    if not isinstance(text, str):
        return ['no "text" string']
    spans = task.get("spans", [])
    if not isinstance(spans, list):
        return ['"spans" must be a list']

    meta = task.get("meta")
    unit = meta.get("offsets", "codepoint") if isinstance(meta, dict) else "codepoint"
    if unit not in ("codepoint", "utf16", "utf8"):
        return [f"unknown offset unit {unit!r} in meta.offsets"]
    offsets = OffsetMap(text)
    length = offsets.length(unit)
    tokens = task.get("tokens")
    tokens = tokens if isinstance(tokens, list) else None

    messages: list[str] = []
    entities: list[tuple[int, int, int, str]] = []  # code point start, end, span number, label
    for n, span in enumerate(spans, start=1):
        where = f"span {n}"
        if not isinstance(span, dict):
            messages.append(f"{where}: must be an object")
            continue
        start, end, label = span.get("start"), span.get("end"), span.get("label")
        if not isinstance(label, str):
            messages.append(f"{where}: no label string")
        elif known_labels is not None and label not in known_labels:
            messages.append(f"{where}: unknown label {label!r}")
        if not (_is_int(start) and _is_int(end)):
            messages.append(f"{where}: start and end must be integers, not {start!r} and {end!r}")
            continue
        if start < 0:
            messages.append(f"{where}: start {start} is negative")
            continue
        if start >= end:
            messages.append(f"{where}: start {start} is not before end {end}")
            continue
        if end > length:
            messages.append(f"{where}: end {end} is past the end of the text ({length})")
            continue
        try:
            cp_start = offsets.to_codepoint(start, unit)
            cp_end = offsets.to_codepoint(end, unit)
        except ValueError as error:
            messages.append(f"{where}: {error}")
            continue
        given = span.get("text")
        if given is not None and given != text[cp_start:cp_end]:
            messages.append(
                f"{where}: text {given!r} differs from the text at {start}-{end} "
                f"({text[cp_start:cp_end]!r})"
            )
        if tokens is not None and ("token_start" in span or "token_end" in span):
            messages.extend(f"{where}: {m}" for m in _check_tokens(span, tokens, start, end))
        if isinstance(label, str) and label in entity_labels:
            entities.append((cp_start, cp_end, n, label))

    entities.sort()
    reach = None  # the entity reaching furthest so far
    for entity in entities:
        if reach is not None and entity[0] < reach[1]:
            messages.append(
                f"span {entity[2]} ({entity[3]} {entity[0]}-{entity[1]}) overlaps "
                f"span {reach[2]} ({reach[3]} {reach[0]}-{reach[1]})"
            )
        if reach is None or entity[1] > reach[1]:
            reach = entity
    return messages


def _check_tokens(span: dict, tokens: list, start: int, end: int) -> list[str]:
    first, last = span.get("token_start"), span.get("token_end")
    if not (_is_int(first) and _is_int(last)) or not 0 <= first <= last < len(tokens):
        return [f"token_start {first!r} and token_end {last!r} do not name tokens in order"]
    head, tail = tokens[first], tokens[last]
    if not (isinstance(head, dict) and isinstance(tail, dict)):
        return ["tokens must be objects"]
    if head.get("start") != start or tail.get("end") != end:
        return [
            f"tokens {first}-{last} span {head.get('start')}-{tail.get('end')}, "
            f"not {start}-{end}"
        ]
    return []
