"""What a label key tags: the selection snapped to words, or the label's natural unit at the cursor.

Plain functions over a `Segments` object and offsets; no UI and no storage.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence

from .text import names
from .text.segment import Segments, words

Span = tuple[int, int]
# Trimmed from the ends of a word-sized (entity) selection; sentence-sized ones keep their
# punctuation, because a sentence's full stop and quotes belong to it.
_NON_SPACE = re.compile(r"\S")
_EDGE_PUNCTUATION = " \t\n\u00a0.,;:!?\"'“”‘’«»()[]{}<>—–-…*•·|/"


def snap_selection(segments: Segments, start: int, end: int, unit: str) -> Span | None:
    """Snap a selection outward to whole words, then trim surrounding whitespace (and, for
    word-sized labels, surrounding punctuation). None when nothing is left.

    A word-sized (entity) selection may end inside a word at a hyphen or before a possessive
    ("Berlin" of "Berlin-based", "Merkel" of "Merkel's"); inside a part it snaps out to that
    part, and a trailing possessive is dropped."""
    text = segments.text
    start, end = max(0, min(start, end)), min(len(text), max(start, end))
    if start == end:
        return None
    if unit == "word":
        start, end = names.snap_to_parts(text, start, end)
    else:
        for w_start, w_end in words(text, max(0, start - 64), min(len(text), end + 64)):
            if w_start < start < w_end:
                start = w_start
            if w_start < end < w_end:
                end = w_end
    if unit == "word":
        while start < end and text[start] in _EDGE_PUNCTUATION:
            start += 1
        while end > start and text[end - 1] in _EDGE_PUNCTUATION:
            end -= 1
        if end - start > 2 and text[end - 1] in "sS" and text[end - 2] in "'’":
            end -= 2
        while end > start and text[end - 1] in _EDGE_PUNCTUATION:
            end -= 1
    return _trim_blank(text, (start, end))


def natural_unit(
    segments: Segments, pos: int, unit: str, tagged: Sequence[Span] = ()
) -> Span | None:
    """The unit a label tags when nothing is selected: the sentence, the paragraph, or, for
    word-sized labels, the name at the cursor (see `reader.text.names`), else the word or the
    part of a hyphenated or possessive word under it.

    `tagged` (the layer's spans, sorted) keeps a name out of entities the cursor is not in: a
    name split by hand stays split when the key is pressed on one of its parts.
    """
    if unit == "sentence":
        return segments.sentence_at(pos)
    if unit == "paragraph":
        paragraph = segments.paragraph_at(pos)
        if paragraph is None or "\n" not in segments.text[paragraph[0] : paragraph[1]]:
            return paragraph
        for span in paragraph_units(segments, paragraph):
            if span[0] <= pos <= span[1]:
                return span
        return paragraph
    text = segments.text
    found = names.name_at(text, pos) or names.word_part_at(text, pos)
    if found is None or not tagged:
        return found
    start, end = found
    j = bisect.bisect_right(tagged, start, key=_end)
    while j < len(tagged) and tagged[j][0] < end:
        t_start, t_end = tagged[j]
        if t_start <= pos < t_end:
            return found  # inside an entity: the key acts on that entity
        if t_end <= pos:
            start = max(start, t_end)
        else:
            end = min(end, t_start)
        j += 1
    while start < end and text[start] in _EDGE_PUNCTUATION:
        start += 1
    while end > start and text[end - 1] in _EDGE_PUNCTUATION:
        end -= 1
    return (start, end) if start < end else found


def _trim_blank(text: str, span: Span) -> Span | None:
    start, end = span
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if start < end else None


def paragraph_units(segments: Segments, span: Span) -> list[Span]:
    """A paragraph-sized label's units in one paragraph: the paragraph itself, or its lines when
    it has several (a headline over a byline, a block of share buttons: page cruft comes in
    lines)."""
    text = segments.text
    start, end = span
    if "\n" not in text[start:end]:
        return [span]
    units, line_start = [], start
    while line_start < end:
        line_end = text.find("\n", line_start, end)
        line_end = end if line_end == -1 else line_end
        trimmed = _trim_blank(text, (line_start, line_end))
        if trimmed:
            units.append(trimmed)
        line_start = line_end + 1
    return units


def _units_after(segments: Segments, pos: int, unit: str):
    """Sentence or paragraph units starting after `pos`, in text order."""
    if unit == "paragraph":
        for paragraph in segments.paragraphs_after(pos):
            for span in paragraph_units(segments, paragraph):
                if span[0] > pos:
                    yield span
        return
    if unit == "sentence":
        for p_start, p_end in segments.paragraphs_after(pos):
            for span in segments.sentences_in(p_start, p_end):
                if span[0] > pos:
                    yield span


def _end(span: Span) -> int:
    return span[1]


def next_untagged(
    segments: Segments, pos: int, unit: str, tagged: Sequence[Span]
) -> int | None:
    """Start of the next unit after `pos` that overlaps no span in `tagged`.

    `tagged` are one layer's spans in text order; a layer's spans never overlap, so their ends are
    sorted too and one bisection finds the only candidate. For word-sized labels the units are
    the name candidates, so one key walks from name to name.
    """
    text = segments.text
    if unit == "word":
        return names.next_name(text, pos, tagged)
    while True:
        for start, end in _units_after(segments, pos, unit):
            # Bisect on the ends in place: copying them out would cost a pass over every span.
            j = bisect.bisect_right(tagged, start, key=_end)
            if j == len(tagged) or tagged[j][0] >= end:
                return start
            # Every unit starting inside a run of tagged spans (with only whitespace between
            # them) overlaps it: jump past the run rather than segment each of its sentences.
            k = j
            while k + 1 < len(tagged) and not _NON_SPACE.search(text, tagged[k][1], tagged[k + 1][0]):
                k += 1
            if tagged[k][1] - 1 > start:
                pos = tagged[k][1] - 1
                break
        else:
            return None
