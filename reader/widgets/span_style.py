"""How labels look: background colours for the segment layer, underlined colour for entities."""

from __future__ import annotations

from rich.color import Color
from rich.style import Style

from db import Label


def _readable_on(colour: Color) -> str:
    r, g, b = colour.get_truecolor()
    # Relative luminance (sRGB weights): dark text on light backgrounds and the reverse.
    return "#000000" if (0.2126 * r + 0.7152 * g + 0.0722 * b) > 140 else "#ffffff"


def label_style(label: Label) -> Style:
    colour = Color.parse(label.colour)
    if label.layer == "entity":
        return Style(color=colour, bold=True, underline=True)
    return Style(bgcolor=colour, color=_readable_on(colour))


def swatch_style(label: Label) -> Style:
    """The style of a legend swatch: always a filled block in the label's colour."""
    return Style(bgcolor=Color.parse(label.colour), color=_readable_on(Color.parse(label.colour)))
