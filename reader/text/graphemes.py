"""Extended grapheme clusters: what a reader sees as one character.

The cursor must never stop inside a cluster, or a family emoji, a flag or an accented letter
written with a combining mark would be cut in two. Offsets are Python ``str`` indices.
"""

from __future__ import annotations

import regex

_CLUSTER = regex.compile(r"\X")
# How far back to look for a position that is certainly a cluster boundary before scanning
# forward; a real cluster is rarely longer than a few dozen code points.
_LOOKBACK = 64


def grapheme_bounds(text: str, start: int = 0, end: int | None = None) -> list[int]:
    """Return the sorted boundary offsets of the grapheme clusters in ``text[start:end]``.

    Offsets are absolute and include ``start`` and ``end``. The slice is segmented as if it
    were the whole text.
    """
    end = len(text) if end is None else min(end, len(text))
    start = max(0, min(start, end))
    bounds = [start]
    bounds.extend(m.end() for m in _CLUSTER.finditer(text, start, end))
    return bounds


def _safe_start(text: str, pos: int) -> int:
    """Return an offset <= pos that is surely a cluster boundary of the whole text.

    The start of the text and the position after a line feed always are. So is the position
    before a character that no rule joins to what precedes it (an ordinary letter, digit,
    space or punctuation mark, or a control), unless the character before it is a Prepend mark.
    """
    floor = max(0, pos - _LOOKBACK)
    nl = text.rfind("\n", floor, pos)
    if nl != -1:
        floor = nl + 1
    for i in range(min(pos, len(text) - 1), floor, -1):
        if _starts_cluster(text[i]) and not _is_prepend(text[i - 1]):
            return i
    if floor == 0 or text[floor - 1] == "\n":
        return floor
    # No anchor nearby (a long run of combining marks, say): fall back to the line start,
    # which is exact, at the cost of scanning the line.
    return text.rfind("\n", 0, floor) + 1


# Characters before which there is always a boundary (given no Prepend mark before them):
# grapheme break property Other or Control, except emoji (joined by ZWJ) and the Indic
# consonants that conjunct rules join to a preceding virama.
_ANCHOR = regex.compile(
    r"(?!\p{Extended_Pictographic}|\p{InCB=Consonant})[\p{GCB=Other}\p{GCB=Control}]"
)
_PREPEND = regex.compile(r"\p{Grapheme_Cluster_Break=Prepend}")


def _starts_cluster(ch: str) -> bool:
    if ch < "\x80":
        return ch not in "\r\n"
    return _ANCHOR.match(ch) is not None


def _is_prepend(ch: str) -> bool:
    return ch >= "\x80" and _PREPEND.match(ch) is not None


def is_boundary(text: str, pos: int) -> bool:
    """Whether ``pos`` is a grapheme cluster boundary of ``text`` (cheap for ordinary text)."""
    if pos <= 0 or pos >= len(text):
        return True
    if _starts_cluster(text[pos]) and not _is_prepend(text[pos - 1]):
        return True
    return prev_grapheme(text, next_grapheme(text, pos)) == pos


def next_grapheme(text: str, pos: int) -> int:
    """Return the offset just after the grapheme cluster at ``pos`` (``len(text)`` at the end).

    When ``pos`` falls inside a cluster the end of that cluster is returned.
    """
    n = len(text)
    if pos >= n:
        return n
    pos = max(0, pos)
    i = _safe_start(text, pos)
    for m in _CLUSTER.finditer(text, i):
        if m.end() > pos:
            return m.end()
    return n


def prev_grapheme(text: str, pos: int) -> int:
    """Return the start of the grapheme cluster before ``pos`` (0 at the start).

    When ``pos`` falls inside a cluster the start of that cluster is returned.
    """
    pos = min(pos, len(text))
    if pos <= 0:
        return 0
    i = _safe_start(text, pos - 1)
    last = i
    for m in _CLUSTER.finditer(text, i):
        if m.end() >= pos:
            return m.start()
        last = m.end()
    return last
