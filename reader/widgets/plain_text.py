"""Untrusted one-line text (titles, sources, snippets) made safe and fitted to a cell width.

Import sanitising already removes control characters from article text, but titles and sources
can come from other tools, older databases or a future importer: replacing whatever control
characters are left with visible symbols here keeps an escape sequence from ever reaching the
terminal (the mapping is `reader.text.visible`). Each character maps to exactly one character, so
offsets into the text (search marks) stay valid after `visible()`.
"""

from __future__ import annotations

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

from ..text.visible import one_line

ELLIPSIS = "…"


def visible(text: str | None) -> str:
    """Return `text` as one line with every control character replaced by a visible symbol,
    one character for one (newlines included, as ␤)."""
    return one_line(text)


def fit(text: str, width: int) -> str:
    """Cut or pad `text` to exactly `width` cells, ending a cut with an ellipsis.

    Widths are terminal cells, so a wide (CJK) character counts two; a wide character that
    would straddle the edge is replaced by padding rather than split. A control character still
    in `text` is drawn as its stand-in, as `visible` draws it (Rich counts a raw one as no cell,
    and the terminal would obey it).
    """
    if width <= 0:
        return ""
    text = one_line(text)
    if cell_len(text) <= width:
        return set_cell_size(text, width)
    return set_cell_size(text, width - 1) + ELLIPSIS


def fit_right(text: str, width: int) -> str:
    """Like `fit`, but right-aligned (for numbers)."""
    text = one_line(text)
    if cell_len(text) >= width:
        return fit(text, width)
    return " " * (width - cell_len(text)) + text


def fit_strip(strip: Strip, width: int, style: Style | None = None) -> Strip:
    """Crop `strip` to `width` cells with an ellipsis, or pad it with `style`."""
    if strip.cell_length <= width:
        return strip.adjust_cell_length(width, style)
    if width <= 0:
        return Strip.blank(0)
    cut = strip.crop(0, width - 1)
    last_style = None
    for segment in reversed(list(cut)):
        if segment.text:
            last_style = segment.style
            break
    return Strip.join([cut, Strip([Segment(ELLIPSIS, last_style or style)])]).adjust_cell_length(
        width, style
    )
