"""Soft wrapping of article text into screen rows, and the mapping between offsets and cells.

Pure functions and one immutable class: no Textual here, so the rules can be tested alone. Cells
are measured with Rich's ``cell_len``, the measure Textual draws by, so a row is never wider on
screen than it was wrapped for; that is why it is not in ``reader.text``, which imports no Rich.

Rules:
- The text's own ``\\n`` are hard breaks; every line gives at least one row, so a blank line is a
  blank row. Rows never contain the ``\\n``.
- A line longer than the width breaks after the last space that fits; one space may hang past the
  width (it is drawn in the column just after it), so a row never starts with the space that
  ended the previous one. A word longer than the width breaks between grapheme clusters.
- Every grapheme cluster takes at least one cell. Characters that must not reach the terminal or
  that draw nothing are shown as visible stand-ins (see ``display_grapheme``); the stand-ins are
  for display only, offsets always count the stored text.
- Offsets in ``[starts[r], starts[r + 1])`` belong to row ``r``; the position of a hard break (the
  ``\\n`` itself, or the end of the text) belongs to the last row of its line and is drawn one
  cell after the row's text.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate

import regex
from rich.cells import cell_len, get_character_cell_size

from reader.text.segment import grapheme_bounds
from reader.text.visible import BIDI_SYMBOL, FORMAT_SYMBOL, TABLE  # noqa: F401 (re-exported)

# Stand-ins for characters that must never reach the terminal or that draw nothing: the project's
# one table (all one code point and one cell wide).
CONTROL_TABLE: dict[int, str] = TABLE

# A mark with nothing to sit on (after a line break or a control) is drawn on a dotted circle,
# the usual convention in type specimens.
DOTTED_CIRCLE = "\u25cc"
_ZWJ = "\u200d"

# Characters that are one cell, one cluster on their own, and never join a neighbour: a line made
# only of these wraps by plain string arithmetic (the fast path that keeps a 1 MB article fast).
_SIMPLE_RANGES = ((0x20, 0x7E), (0xA0, 0x52F), (0x2010, 0x205E), (0x20A0, 0x20C0))
_OTHER = regex.compile(r"\p{Grapheme_Cluster_Break=Other}")
SIMPLE_CHARS = frozenset(
    ch
    for lo, hi in _SIMPLE_RANGES
    for ch in map(chr, range(lo, hi + 1))
    if ord(ch) not in CONTROL_TABLE and get_character_cell_size(ch) == 1 and _OTHER.match(ch)
)
_is_simple = SIMPLE_CHARS.issuperset


@lru_cache(maxsize=16384)
def display_grapheme(cluster: str) -> tuple[str, int]:
    """Return ``(shown, cells)`` for one grapheme cluster of the stored text.

    Controls become visible pictures; a trailing zero-width joiner that joins nothing is dropped
    (it would make a terminal swallow the next character); a cluster that would take no cell is
    drawn on a dotted circle. ``cells`` is always at least 1.
    """
    shown = cluster.translate(CONTROL_TABLE).rstrip(_ZWJ)
    if not shown:
        return FORMAT_SYMBOL, 1
    cells = cell_len(shown)
    if cells == 0:
        shown = DOTTED_CIRCLE + shown
        cells = cell_len(shown)
    return shown, max(cells, 1)


def _wrap_simple(line: str, base: int, width: int, starts: list[int], ends: list[int]) -> None:
    """Wrap a line whose every character is one cell and one cluster."""
    n = len(line)
    pos = 0
    while n - pos > width:
        limit = pos + width
        if line[limit] == " ":
            end = limit + 1  # the space just past the width hangs
        else:
            space = line.rfind(" ", pos, limit)
            end = space + 1 if space >= pos else limit
        starts.append(base + pos)
        ends.append(base + end)
        pos = end
    if pos < n or n == 0:
        starts.append(base + pos)
        ends.append(base + n)


class _CharWidths(dict):
    """Code point → one-character string whose ordinal is the cell width; filled on demand so
    ``str.translate`` can measure a whole line in C."""

    def __missing__(self, cp: int) -> str:
        width = chr(display_grapheme(chr(cp))[1])
        self[cp] = width
        return width


_CHAR_WIDTHS = _CharWidths()
# A character that may join its neighbour into one cluster; a line without any is one cluster per
# code point and can be measured without segmenting it.
_JOINING = regex.compile(
    r"[\r\p{GCB=Extend}\p{GCB=ZWJ}\p{GCB=SpacingMark}\p{GCB=Prepend}\p{GCB=Regional_Indicator}"
    r"\p{GCB=L}\p{GCB=V}\p{GCB=T}\p{GCB=LV}\p{GCB=LVT}]"
)


def _wrap_measured(
    text: str,
    bounds: list[int] | range,
    widths: bytes,
    width: int,
    starts: list[int],
    ends: list[int],
) -> None:
    """Wrap one line given its cluster boundaries and each cluster's width.

    ``bounds`` has one more entry than ``widths``; clusters are ``text[bounds[i]:bounds[i + 1]]``.
    """
    count = len(widths)
    if count == 0:
        starts.append(bounds[0])
        ends.append(bounds[0])
        return
    cum = list(accumulate(widths, initial=0))  # cum[k]: cells before cluster k
    i = 0
    while i < count:
        # The largest j with clusters i..j-1 within the width.
        j = bisect_right(cum, cum[i] + width, i) - 1
        if j >= count:
            stop = count
        elif _is_space(text, bounds, j):
            stop = j + 1  # the space just past the width hangs
        else:
            stop = 0
            for k in range(j - 1, i - 1, -1):
                if _is_space(text, bounds, k):
                    stop = k + 1
                    break
            if stop == 0:
                stop = max(j, i + 1)  # a cluster wider than the whole row still takes a row
        starts.append(bounds[i])
        ends.append(bounds[stop])
        i = stop


def _is_space(text: str, bounds: list[int] | range, k: int) -> bool:
    return text[bounds[k]] == " " and bounds[k + 1] - bounds[k] == 1


def _wrap_line(
    text: str, start: int, end: int, width: int, starts: list[int], ends: list[int]
) -> None:
    """Wrap a line that has characters other than plain one-cell ones."""
    line = text[start:end]
    if _JOINING.search(line) is None:
        bounds: list[int] | range = range(start, end + 1)
        widths = line.translate(_CHAR_WIDTHS).encode("latin-1")
    else:
        bounds = grapheme_bounds(text, start, end)
        widths = bytes(
            min(display_grapheme(text[a:b])[1], 255) for a, b in zip(bounds, bounds[1:])
        )
    _wrap_measured(text, bounds, widths, width, starts, ends)


@dataclass(frozen=True)
class Cell:
    """One grapheme cluster of a row: its offsets, column, width and what is drawn for it."""

    start: int
    end: int
    x: int
    width: int
    shown: str


class WrappedText:
    """A text cut into rows at a width; maps offsets to cells and back.

    Build with ``wrap_text`` (or ``wrap_window``). Rows are ``(starts[r], ends[r])``, end
    exclusive. ``exact`` is None when every row is real; a window's rows are real only for
    offsets in ``exact``, the rest are evenly spaced estimates that only give the scroll bar its
    size.
    """

    def __init__(
        self,
        text: str,
        width: int,
        starts: list[int],
        ends: list[int],
        simple: bytearray,
        exact: tuple[int, int] | None = None,
    ):
        self.text = text
        self.width = width
        self.starts = starts
        self.ends = ends
        self._simple = simple
        self.exact = exact
        self._cells_cache: dict[int, list[Cell]] = {}

    def __len__(self) -> int:
        return len(self.starts)

    def row_span(self, row: int) -> tuple[int, int]:
        """The ``(start, end)`` offsets of a row's text."""
        return self.starts[row], self.ends[row]

    def row_of(self, offset: int) -> int:
        """The row that shows ``offset`` (a soft-break offset starts the next row)."""
        return max(0, bisect_right(self.starts, offset) - 1)

    def rows_of(self, start: int, end: int) -> range:
        """The rows touched by the offsets ``[start, end)`` (at least the row of ``start``)."""
        first = self.row_of(start)
        last = self.row_of(max(start, end - 1))
        return range(first, last + 1)

    def is_simple(self, row: int) -> bool:
        """True when every character of the row is one cell and one cluster."""
        return bool(self._simple[row])

    def ends_line(self, row: int) -> bool:
        """True when the row ends at a hard break (``\\n`` or the end of the text)."""
        end = self.ends[row]
        return end >= len(self.text) or self.text[end] == "\n"

    def cells(self, row: int) -> list[Cell]:
        """The row's clusters with their columns, left to right."""
        cached = self._cells_cache.get(row)
        if cached is not None:
            return cached
        start, end = self.starts[row], self.ends[row]
        text = self.text
        out: list[Cell] = []
        if self._simple[row]:
            out = [Cell(i, i + 1, i - start, 1, text[i]) for i in range(start, end)]
        else:
            bounds = grapheme_bounds(text, start, end)
            x = 0
            for a, b in zip(bounds, bounds[1:]):
                shown, width = display_grapheme(text[a:b])
                out.append(Cell(a, b, x, width, shown))
                x += width
        if len(self._cells_cache) > 256:
            self._cells_cache.clear()
        self._cells_cache[row] = out
        return out

    def row_cells(self, row: int) -> int:
        """How many cells the row's text takes (the hard-break position is not counted)."""
        if self._simple[row]:
            return self.ends[row] - self.starts[row]
        cells = self.cells(row)
        return cells[-1].x + cells[-1].width if cells else 0

    def shown(self, start: int, end: int) -> str:
        """What is drawn for ``text[start:end]``, a run of whole clusters inside one row."""
        if start >= end:
            return ""
        row = self.row_of(start)
        if self._simple[row]:
            return self.text[start:end]
        return "".join(c.shown for c in self.cells(row) if start <= c.start < end)

    def last_position(self, row: int) -> int:
        """The rightmost cursor position of a row: its hard break, or its last cluster."""
        if self.ends_line(row):
            return self.ends[row]
        if self._simple[row]:
            return self.ends[row] - 1
        return self.cells(row)[-1].start

    def offset_to_cell(self, offset: int) -> tuple[int, int]:
        """Return ``(row, x)`` of the cell that shows ``offset``.

        An offset inside a cluster maps to the cluster's cell; a hard break maps to the cell just
        after its row's text.
        """
        offset = max(0, min(offset, len(self.text)))
        row = self.row_of(offset)
        start, end = self.starts[row], self.ends[row]
        if offset >= end:
            return row, self.row_cells(row)
        if self._simple[row]:
            return row, offset - start
        for cell in self.cells(row):
            if offset < cell.end:
                return row, cell.x
        return row, self.row_cells(row)  # pragma: no cover - offset < end always hits a cell

    def cell_to_offset(self, row: int, x: int) -> int:
        """Return the offset shown at ``(row, x)``; columns past the text give the row's last
        position, rows past the ends are clamped."""
        row = max(0, min(row, len(self.starts) - 1))
        start, end = self.starts[row], self.ends[row]
        x = max(0, x)
        if self._simple[row]:
            return start + x if x < end - start else self.last_position(row)
        for cell in self.cells(row):
            if x < cell.x + cell.width:
                return cell.start
        return self.last_position(row)


def _wrap_hard_line(
    text: str, pos: int, line_end: int, width: int, starts: list[int], ends: list[int],
    simple: bytearray,
) -> None:
    line = text[pos:line_end]
    before = len(starts)
    if _is_simple(line):
        _wrap_simple(line, pos, width, starts, ends)
        simple.extend(b"\x01" * (len(starts) - before))
    else:
        _wrap_line(text, pos, line_end, width, starts, ends)
        simple.extend(b"\x00" * (len(starts) - before))


def wrap_text(text: str, width: int) -> WrappedText:
    """Cut ``text`` into rows of at most ``width`` cells (plus one hanging space)."""
    width = max(1, width)
    starts: list[int] = []
    ends: list[int] = []
    simple = bytearray()
    pos = 0
    n = len(text)
    while True:
        nl = text.find("\n", pos)
        line_end = n if nl == -1 else nl
        _wrap_hard_line(text, pos, line_end, width, starts, ends, simple)
        if nl == -1:
            break
        pos = nl + 1
    return WrappedText(text, width, starts, ends, simple)


# A window is only worth it for long texts, and only while it stays small.
WINDOW_MIN_TEXT = 64 * 1024
WINDOW_MAX = 32 * 1024


def _estimated_rows(start: int, stop: int, count: int, last_end: int) -> tuple[list[int], list[int]]:
    """``count`` evenly spaced stand-in rows over ``[start, stop)``."""
    count = max(1, min(count, stop - start))
    starts = [start + i * (stop - start) // count for i in range(count)]
    ends = starts[1:]
    ends.append(last_end)
    return starts, ends


def wrap_window(text: str, width: int, first: int, last: int, context: int) -> WrappedText | None:
    """Real rows only around ``[first, last]``, estimated rows elsewhere; None when a whole wrap
    is as cheap (a short text) or the window would not be small.

    The window runs from ``context`` hard lines before the line of ``first`` to ``context`` rows
    after the line of ``last``, and always starts and ends at hard lines, so its rows are the same
    as a whole wrap's. It lets a long article paint its first screen before the rest is wrapped.
    """
    n = len(text)
    if n < WINDOW_MIN_TEXT:
        return None
    width = max(1, width)
    first, last = max(0, min(first, n)), max(0, min(last, n))
    a = text.rfind("\n", 0, first) + 1
    for _ in range(context):
        if a == 0:
            break
        a = text.rfind("\n", 0, a - 1) + 1
    starts: list[int] = []
    ends: list[int] = []
    simple = bytearray()
    pos, target, at_end = a, None, False
    while True:
        if pos - a > WINDOW_MAX:
            return None
        nl = text.find("\n", pos)
        line_end = n if nl == -1 else nl
        _wrap_hard_line(text, pos, line_end, width, starts, ends, simple)
        if target is None and line_end >= last:
            target = len(starts) + context
        if nl == -1:
            at_end = True
            break
        pos = nl + 1
        if target is not None and len(starts) >= target:
            break
    b = n if at_end else pos
    rate = len(starts) / max(1, b - a)  # rows per character, to estimate the rest
    if a > 0:
        pre_starts, pre_ends = _estimated_rows(0, a, round(a * rate), a - 1)
        starts = pre_starts + starts
        ends = pre_ends + ends
        simple = bytearray(b"\x01" * len(pre_starts)) + simple
    if not at_end:
        post_starts, post_ends = _estimated_rows(b, n + 1, round((n - b) * rate), n)
        starts.extend(post_starts)
        ends.extend(post_ends)
        simple.extend(b"\x01" * len(post_starts))
    # The end of the text is a position too: a window reaching it is exact up to it.
    return WrappedText(text, width, starts, ends, simple, exact=(a, n + 1 if at_end else b))
