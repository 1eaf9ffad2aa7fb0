"""How labels look on a terminal: Rich styles from label colours (the app and `reader show`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rich.color import Color
from rich.style import Style
from rich.text import Text

from db import Label, Span

from .text.visible import visible


# A background colour for the segment layer, an underlined colour for entities.


def _readable_on(colour: Color) -> str:
    r, g, b = colour.get_truecolor()
    # Relative luminance (sRGB weights): dark text on light backgrounds and the reverse.
    return "#000000" if (0.2126 * r + 0.7152 * g + 0.0722 * b) > 140 else "#ffffff"


def label_style(label: Label) -> Style:
    colour = Color.parse(label.colour)
    if label.layer == "entity":
        return Style(color=colour, bold=True, underline=True)
    return Style(bgcolor=colour, color=_readable_on(colour))


def styled_text(text: str, spans: Sequence[Span], labels: Mapping[str, Label]) -> Text:
    """Rich `Text` (never markup) with segment spans as background and entities underlined."""
    out = Text(visible(text))
    for s in spans:
        label = labels.get(s.label) or Label(s.label)
        out.stylize(label_style(label), s.start, s.end)
    return out
