"""Checks every span-bearing format shares: offsets in a declared unit, span texts, labels, and
the store's overlap rule."""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass

from reader.io.validate.report import ENTITY, is_int
from reader.text.offsets import UNITS, OffsetMap


def unit_of(task: dict) -> tuple[str, list[str]]:
    """The offset unit a task declares (``meta.offsets`` or a top-level ``offsets``), and the
    problem with it if it names no unit."""
    meta = task.get("meta")
    unit = meta.get("offsets") if isinstance(meta, dict) else None
    where = "meta.offsets"
    if unit is None:
        unit, where = task.get("offsets", "codepoint"), "offsets"
    if unit not in UNITS:
        return "codepoint", [f"unknown offset unit {unit!r} in {where}"]
    return unit, []


@dataclass(frozen=True)
class Checked:
    """A span that passed :func:`check_span`, for the overlap check."""

    start: int  # code points
    end: int
    number: int
    label: str
    annotator: object


def check_span(
    where: str,
    text: str,
    offsets: OffsetMap,
    unit: str,
    start,
    end,
    label,
    given,
    known_labels: Collection[str] | None,
    messages: list[str],
) -> tuple[int, int] | None:
    """Check one span; return its code point offsets, or None when they are unusable."""
    if not isinstance(label, str):
        messages.append(f"{where}: no label string")
    elif known_labels is not None and label not in known_labels:
        messages.append(f"{where}: unknown label {label!r}")
    if not (is_int(start) and is_int(end)):
        messages.append(f"{where}: start and end must be integers, not {start!r} and {end!r}")
        return None
    length = offsets.length(unit)
    if start < 0:
        messages.append(f"{where}: start {start} is negative")
        return None
    if start >= end:
        messages.append(f"{where}: start {start} is not before end {end}")
        return None
    if end > length:
        messages.append(f"{where}: end {end} is past the end of the text ({length})")
        return None
    try:
        cp_start = offsets.to_codepoint(start, unit)
        cp_end = offsets.to_codepoint(end, unit)
    except ValueError as error:
        messages.append(f"{where}: {error}")
        return None
    if given is not None and given != text[cp_start:cp_end]:
        messages.append(
            f"{where}: text {given!r} differs from the text at {start}-{end} "
            f"({text[cp_start:cp_end]!r})"
        )
    if not isinstance(label, str):
        return None
    return cp_start, cp_end


def overlaps(
    spans: list[Checked], known_labels: Collection[str] | None, entity_labels: frozenset[str]
) -> list[str]:
    """The store's rule: no two spans of one annotator overlap on one layer."""
    messages = []
    reach: dict[tuple[str, str], Checked] = {}  # per annotator and layer, the span reaching furthest
    for span in sorted(spans, key=lambda s: (s.start, s.end, s.number)):
        if span.label in entity_labels:
            layer = ENTITY
        elif known_labels is not None and span.label in known_labels:
            layer = "segment"
        else:
            continue  # a layer we cannot know: an unknown label, already reported
        key = (json.dumps(span.annotator), layer)
        before = reach.get(key)
        if before is not None and span.start < before.end:
            messages.append(
                f"span {span.number} ({span.label} {span.start}-{span.end}) overlaps "
                f"span {before.number} ({before.label} {before.start}-{before.end})"
            )
        if before is None or span.end > before.end:
            reach[key] = span
    return messages
