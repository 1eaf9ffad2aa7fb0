"""The layer rules: what tagging or relabelling does to the spans already there.

Pure functions over spans and a way to read the text near a cut, shared by the Store (which
applies them inside its write transaction, to what the database holds) and the app (which
applies them to the open article at once, to paint a change before its commit returns).

Segment layer: each character has at most one label, so the overlapped parts of other spans are
cut away and what is left of them stays (split if need be), trimmed of whitespace at the cut.
Entity layer: entities never overlap, so overlapping entities are replaced.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import NamedTuple

from .models import Span

# Whitespace at a cut is looked for this far from it; a remnant is never trimmed further.
_TRIM_REACH = 64

TextAt = Callable[[int, int], str]
"""Reads text[start:end] of the article being changed."""


class Remnant(NamedTuple):
    """A span to add: what is left of a cut span, or the new span itself."""

    start: int
    end: int
    label: str
    source: str
    created_at: str


class Plan(NamedTuple):
    """What one tag or relabel does: the spans it removes and the spans it adds."""

    removed: tuple[Span, ...]
    added: tuple[Remnant, ...]
    toggled_off: bool = False


def remnants(span: Span, start: int, end: int, text_at: TextAt) -> list[Remnant]:
    """What is left of `span` outside [start, end), trimmed of whitespace at the cut."""
    out = []
    if span.start < start:
        lo = max(span.start, start - _TRIM_REACH)
        tail = text_at(lo, start)
        cut = start - (len(tail) - len(tail.rstrip()))
        if cut > span.start:
            out.append(Remnant(span.start, cut, span.label, span.source, span.created_at))
    if span.end > end:
        head = text_at(end, min(span.end, end + _TRIM_REACH))
        cut = end + (len(head) - len(head.lstrip()))
        if cut < span.end:
            out.append(Remnant(cut, span.end, span.label, span.source, span.created_at))
    return out


def plan_tag(
    existing: Sequence[Span],
    start: int,
    end: int,
    label: str,
    layer: str,
    *,
    source: str,
    stamp: str,
    text_at: TextAt,
) -> Plan:
    """Tag [start, end) with `label`; `existing` are the annotator's spans on `layer` that
    overlap it. The same span with the same label again removes it (a toggle)."""
    same = [s for s in existing if (s.start, s.end, s.label) == (start, end, label)]
    if same:
        return Plan(tuple(same), (), toggled_off=True)
    added: list[Remnant] = []
    if layer == "segment":
        for s in existing:
            added += remnants(s, start, end, text_at)
    added.append(Remnant(start, end, label, source, stamp))
    return Plan(tuple(existing), tuple(added))


def plan_relabel(
    span: Span, others: Sequence[Span], label: str, layer: str, *, text_at: TextAt
) -> Plan:
    """Give `span` another label; `others` are the spans on the new label's layer that overlap
    it (the span itself may be among them)."""
    if span.label == label:
        return Plan((), ())
    cut = [s for s in others if s.id != span.id]
    added: list[Remnant] = []
    if layer == "segment":
        for s in cut:
            added += remnants(s, span.start, span.end, text_at)
    added.append(Remnant(span.start, span.end, label, span.source, span.created_at))
    return Plan((span, *cut), tuple(added))
