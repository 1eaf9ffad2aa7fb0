"""Make untrusted article text safe to store and show in a terminal, keeping track of offsets.

Escape sequences in stored text reach the terminal unchanged through Rich and Textual (window
titles, clipboard writes, hyperlinks, screen clears), so text is cleaned once, at import, and all
offsets refer to the cleaned text. In one left-to-right pass:

- every newline form (CRLF, lone CR, U+2028, U+2029, NEL, VT, FF) becomes ``\\n``;
- terminal escape sequences are removed whole: CSI, OSC, DCS/SOS/PM/APC strings, two-character
  ESC sequences (and charset designations), and their 8-bit C1 forms;
- every other C0/C1 control and DEL is removed (``\\n`` stays);
- bidi embedding, override and isolate controls and the direction marks are removed;
- each TAB becomes one space, so offsets do not move;
- lone surrogates (possible in JSON) become U+FFFD, so the text can be encoded.

Zero-width joiners, variation selectors and combining marks are text and stay.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field

__all__ = ["SanitizeReport", "Sanitized", "sanitize"]

# The body of an OSC/DCS/SOS/PM/APC string: anything up to its terminator. A string left
# unterminated stops at the next newline or control character, so one stray introducer cannot
# swallow the rest of an article.
_STRING_BODY = r"[^\x00-\x1f\x7f-\x9f\u2028\u2029]*"
_STRING_END = r"(?:\x07|\x1b\\|\x9c)?"

_PATTERN = re.compile(
    "|".join(
        [
            r"(?P<crlf>\r\n)",
            r"(?P<newline>[\r\x0b\x0c\x85\u2028\u2029])",
            # CSI: parameters 0x30–0x3F, intermediates 0x20–0x2F, final 0x40–0x7E. A sequence
            # cut short by a non-matching character is still removed as far as it went.
            r"(?P<csi>(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?)",
            rf"(?P<string>(?:\x1b[\]P^_X]|[\x90\x98\x9d\x9e\x9f]){_STRING_BODY}{_STRING_END})",
            # Other ESC sequences: optional intermediates, then one final character.
            r"(?P<esc>\x1b[ -/]*[0-~])",
            r"(?P<control>[\x00-\x08\x0e-\x1f\x7f-\x9f])",
            r"(?P<bidi>[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c])",
            r"(?P<tab>\t)",
            r"(?P<surrogate>[\ud800-\udfff])",
        ]
    )
)

# Every character that starts one of the alternatives above.
_SPECIAL = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff]"
)


@dataclass
class SanitizeReport:
    """How many things sanitising changed."""

    escape_sequences: int = 0
    control_characters: int = 0
    bidi_controls: int = 0
    tabs: int = 0
    newlines: int = 0
    surrogates: int = 0

    @property
    def changed(self) -> bool:
        """True when the text was changed at all."""
        return any(
            (
                self.escape_sequences,
                self.control_characters,
                self.bidi_controls,
                self.tabs,
                self.newlines,
                self.surrogates,
            )
        )

    def add(self, other: SanitizeReport) -> None:
        """Add the counts of `other` to this report (for totals over many articles)."""
        self.escape_sequences += other.escape_sequences
        self.control_characters += other.control_characters
        self.bidi_controls += other.bidi_controls
        self.tabs += other.tabs
        self.newlines += other.newlines
        self.surrogates += other.surrogates

    def summary(self) -> str:
        """A short human sentence, e.g. "removed 3 escape sequences, 2 control characters"."""
        removed = [
            _count(self.escape_sequences, "escape sequence"),
            _count(self.control_characters, "control character"),
            _count(self.bidi_controls, "bidi control"),
        ]
        replaced = [
            _count(self.tabs, "tab"),
            _count(self.surrogates, "invalid surrogate"),
        ]
        parts = []
        if any(removed):
            parts.append("removed " + ", ".join(p for p in removed if p))
        if any(replaced):
            parts.append("replaced " + ", ".join(p for p in replaced if p))
        if self.newlines:
            parts.append("normalised " + _count(self.newlines, "newline"))
        return "; ".join(parts) if parts else "no changes"


def _count(n: int, noun: str) -> str:
    if not n:
        return ""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


@dataclass
class Sanitized:
    """The cleaned text, what was changed, and the offset map from the raw text onto it."""

    text: str
    report: SanitizeReport
    # Each length-changing edit as (raw start, raw end, length in text), in order; everything
    # between edits is copied one to one. Kept sparse: most articles need none or a few.
    _edits: list[tuple[int, int, int]] = field(default_factory=list, repr=False)
    _starts: list[int] = field(default_factory=list, repr=False)
    _shift: list[int] = field(default_factory=list, repr=False)
    raw_length: int = 0

    def map_offset(self, offset: int) -> int | None:
        """Map an offset of the raw text onto the text; None when it falls inside an edit."""
        if offset < 0 or offset > self.raw_length:
            return None
        i = bisect_right(self._starts, offset) - 1
        if i < 0:
            return offset
        start, end, _ = self._edits[i]
        if start < offset < end:
            return None
        # Offsets at or after an edit's end move back by every shortening up to and including it;
        # an offset exactly at its start only by those before it.
        shift = self._shift[i] if offset >= end else (self._shift[i - 1] if i else 0)
        return offset - shift

    def map_span(self, start: int, end: int) -> tuple[int, int] | None:
        """Move the raw span [start, end) onto the text.

        Removed characters at the edges or inside the span simply drop out of it. Returns None when
        a boundary falls inside a removed sequence or a CRLF pair (the span would no longer cover
        the same characters), or when nothing of the span is left.
        """
        if start > end:
            return None
        new_start = self.map_offset(start)
        new_end = self.map_offset(end)
        if new_start is None or new_end is None or new_start >= new_end:
            return None
        return new_start, new_end


def sanitize(raw: str) -> Sanitized:
    """Clean `raw` by the rules in the module docstring, keeping an offset map."""
    report = SanitizeReport()
    pieces: list[str] = []
    edits: list[tuple[int, int, int]] = []
    last = 0
    # Scanning for a single character class is several times faster than scanning with the full
    # alternation; the full pattern is only tried where something needs changing.
    for hit in _SPECIAL.finditer(raw):
        if hit.start() < last:
            continue  # inside a sequence already removed
        match = _PATTERN.match(raw, hit.start())
        assert match is not None  # every character of _SPECIAL starts some alternative
        kind = match.lastgroup
        start, end = match.span()
        pieces.append(raw[last:start])
        last = end
        if kind == "crlf":
            report.newlines += 1
            pieces.append("\n")
            edits.append((start, end, 1))
        elif kind == "newline":
            report.newlines += 1
            pieces.append("\n")
        elif kind == "tab":
            report.tabs += 1
            pieces.append(" ")
        elif kind == "surrogate":
            report.surrogates += 1
            pieces.append("\ufffd")
        else:
            if kind == "control":
                report.control_characters += 1
            elif kind == "bidi":
                report.bidi_controls += 1
            else:
                report.escape_sequences += 1
            edits.append((start, end, 0))
    pieces.append(raw[last:])

    starts = [edit[0] for edit in edits]
    shift: list[int] = []
    total = 0
    for start, end, kept in edits:
        total += end - start - kept
        shift.append(total)
    return Sanitized("".join(pieces), report, edits, starts, shift, len(raw))
