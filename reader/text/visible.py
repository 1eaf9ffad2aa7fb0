"""Make stray control characters visible instead of letting them reach the terminal.

Import sanitising removes them, but a database edited with other tools may still hold some. Each
becomes one visible character (Unicode Control Pictures), so offsets and columns still line up.
"""

from __future__ import annotations

_TABLE = {i: 0x2400 + i for i in range(0x20) if i != 0x0A}  # C0 → ␀…␟, newline kept
_TABLE[0x7F] = 0x2421  # DEL → ␡
_TABLE.update({i: 0xFFFD for i in range(0x80, 0xA0)})  # C1 has no pictures: the replacement char
_TABLE.update({cp: 0xFFFD for cp in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))})  # bidi


def visible(text: str, *, keep_newlines: bool = True) -> str:
    """`text` with every control character replaced by a visible one-cell stand-in."""
    out = text.translate(_TABLE)
    if not keep_newlines:
        out = out.replace("\n", "\u2424")  # ␤
    return out
