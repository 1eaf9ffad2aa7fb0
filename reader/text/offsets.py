"""Offsets in three units: code points, UTF-16 code units and UTF-8 bytes.

The store counts Python ``str`` indices (code points). Other tools count differently: doccano's
browser front end and older Label Studio count UTF-16 code units (a character outside the Basic
Multilingual Plane, such as most emoji, is two units), and byte-oriented tools count UTF-8 bytes.

Converting many offsets of one text is the common case (every span of an article), so the work is
done once per text in :class:`OffsetMap` and each conversion is then a bisection plus, for UTF-8,
the encoding of at most one short chunk.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from typing import Literal

Unit = Literal["codepoint", "utf16", "utf8"]
UNITS: tuple[str, ...] = ("codepoint", "utf16", "utf8")

# The standard library's re: this module is on every export's path, and importing regex is not free.
_ASTRAL = re.compile(r"[\U00010000-\U0010FFFF]")
# UTF-8 checkpoints every _CHUNK code points: a conversion encodes at most one chunk's prefix.
_CHUNK = 256


def _unknown(unit: str) -> str:
    return f"unknown offset unit {unit!r}: use one of {', '.join(UNITS)}"


def check_unit(unit: str) -> str:
    """Return ``unit`` if it names a known offset unit, else raise ``ValueError``."""
    if unit not in UNITS:
        raise ValueError(_unknown(unit))
    return unit


class OffsetMap:
    """Convert offsets of one text between code points, UTF-16 code units and UTF-8 bytes.

    Build it once per text and convert as many offsets as needed. Offsets are positions
    *between* characters, from 0 to the length of the text in that unit. Converting an
    offset that falls inside a character (between the two halves of a surrogate pair, or
    inside a multi-byte UTF-8 sequence) raises ``ValueError``.
    """

    __slots__ = ("text", "_astral", "_astral16", "_ascii", "_marks", "_data")

    def __init__(self, text: str):
        self.text = text
        self._ascii = text.isascii()
        # Code point positions of characters that take two UTF-16 units. They are rare even in
        # emoji-heavy text, so a sorted list and bisection beat a per-character table.
        self._astral: list[int] = (
            [] if self._ascii else [m.start() for m in _ASTRAL.finditer(text)]
        )
        # The same characters' positions counted in UTF-16 units.
        self._astral16 = [pos + k for k, pos in enumerate(self._astral)]
        self._marks: list[int] | None = None  # UTF-8 byte offset of every _CHUNK-th code point
        self._data: bytes | None = None  # the UTF-8 encoding, for conversions back

    def _utf8_marks(self) -> list[int]:
        if self._marks is None:
            text, marks, total = self.text, [0], 0
            for base in range(0, len(text), _CHUNK):
                total += len(text[base : base + _CHUNK].encode("utf-8", "surrogatepass"))
                marks.append(total)
            self._marks = marks
        return self._marks

    def _check_codepoint(self, i: int) -> None:
        if not 0 <= i <= len(self.text):
            raise ValueError(f"offset {i} is outside the text (0..{len(self.text)})")

    def to_utf16(self, i: int) -> int:
        """Return the UTF-16 code unit offset of code point offset ``i``."""
        self._check_codepoint(i)
        if not self._astral:
            return i
        return i + bisect_left(self._astral, i)

    def to_utf8(self, i: int) -> int:
        """Return the UTF-8 byte offset of code point offset ``i``."""
        self._check_codepoint(i)
        if self._ascii:
            return i
        marks = self._utf8_marks()
        k = i // _CHUNK
        base = k * _CHUNK
        return marks[k] + len(self.text[base:i].encode("utf-8", "surrogatepass"))

    def from_utf16(self, u: int) -> int:
        """Return the code point offset of UTF-16 code unit offset ``u``."""
        if not self._astral:
            self._check_codepoint(u)
            return u
        n = bisect_left(self._astral16, u)  # astral characters starting before u
        if n and self._astral16[n - 1] + 1 == u:
            raise ValueError(f"UTF-16 offset {u} falls inside a surrogate pair")
        i = u - n
        if not 0 <= i <= len(self.text):
            raise ValueError(f"UTF-16 offset {u} is outside the text")
        return i

    def from_utf8(self, b: int) -> int:
        """Return the code point offset of UTF-8 byte offset ``b``."""
        if self._ascii:
            self._check_codepoint(b)
            return b
        marks = self._utf8_marks()
        if not 0 <= b <= marks[-1]:
            raise ValueError(f"UTF-8 offset {b} is outside the text (0..{marks[-1]})")
        if b == marks[-1]:
            return len(self.text)  # the last mark is the end of the text, not a chunk start
        k = bisect_right(marks, b) - 1
        if self._data is None:
            self._data = self.text.encode("utf-8", "surrogatepass")
        try:
            tail = self._data[marks[k] : b].decode("utf-8", "surrogatepass")
        except UnicodeDecodeError:
            raise ValueError(f"UTF-8 offset {b} falls inside a character") from None
        return k * _CHUNK + len(tail)

    def convert(self, i: int, unit: str) -> int:
        """Return code point offset ``i`` counted in ``unit``."""
        if unit == "codepoint":
            self._check_codepoint(i)
            return i
        if unit == "utf16":
            return self.to_utf16(i)
        if unit == "utf8":
            return self.to_utf8(i)
        raise ValueError(_unknown(unit))

    def to_codepoint(self, offset: int, unit: str) -> int:
        """Return the code point offset of ``offset`` counted in ``unit``."""
        if unit == "codepoint":
            self._check_codepoint(offset)
            return offset
        if unit == "utf16":
            return self.from_utf16(offset)
        if unit == "utf8":
            return self.from_utf8(offset)
        raise ValueError(_unknown(unit))

    def length(self, unit: str) -> int:
        """Return the length of the whole text counted in ``unit``."""
        return self.convert(len(self.text), unit)


def convert_offset(text: str, i: int, unit: str) -> int:
    """Return code point offset ``i`` of ``text`` counted in ``unit`` (one-off conversion)."""
    return OffsetMap(text).convert(i, unit)


def to_codepoint(text: str, offset: int, unit: str) -> int:
    """Return the code point offset of ``offset`` of ``text`` counted in ``unit``."""
    return OffsetMap(text).to_codepoint(offset, unit)
