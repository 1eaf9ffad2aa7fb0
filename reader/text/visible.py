"""Make text that is not the project's own safe to print or draw: one table of stand-ins.

Every string that did not come from this code (article text, titles, sources, file names, label
names and descriptions, settings values, database contents, messages that quote any of them)
passes through `visible` before it reaches the terminal, in the CLI and in the app. Import
sanitising removes controls from article text, but a database edited with other tools, a label
file or a file name may still hold some.

Each character that must not reach the terminal, or that would draw nothing, becomes ONE visible
character one cell wide, so offsets and columns still line up:

- C0 controls become their Control Pictures (ESC → ␛), DEL → ␡; the newline is kept unless the
  caller wants one line (then ␤);
- C1 controls (the 8-bit CSI, OSC… introducers) and lone surrogates → U+FFFD;
- bidirectional embeddings, overrides, isolates and marks → ⇆ (shown, not obeyed: a terminal that
  honoured them would reorder what is seen while offsets stay in logical order);
- other invisible format characters → ¤; line and paragraph separators → ↵ and ¶.

The article view uses the same table (`reader.wrap`), so a character looks the same in the
reading pane, the span list, the library and the CLI.
"""

from __future__ import annotations

import json

# code point → stand-in; every value is one code point and one terminal cell.
TABLE: dict[int, str] = {i: chr(0x2400 + i) for i in range(0x20) if i != 0x0A}  # ␀…␟
TABLE[0x7F] = "\u2421"  # ␡
TABLE.update({i: "\ufffd" for i in range(0x80, 0xA0)})  # C1 (8-bit CSI, OSC…): �
# Lone surrogates (from surrogateescape decoding) cannot be encoded for the terminal at all.
TABLE.update({i: "\ufffd" for i in range(0xD800, 0xE000)})
BIDI_SYMBOL = "\u21c6"  # ⇆
BIDI_CONTROLS = (0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A))
TABLE.update({i: BIDI_SYMBOL for i in BIDI_CONTROLS})
# Other invisible format characters that form a cluster of their own: the cursor can stop on
# them, so they need a cell.
FORMAT_SYMBOL = "\u00a4"  # ¤
TABLE.update(
    {i: FORMAT_SYMBOL for i in (0x180E, 0x200B, 0x2060, 0x2061, 0x2062, 0x2063, 0x2064, 0xFEFF,
                                0xFFF9, 0xFFFA, 0xFFFB, *range(0x206A, 0x2070))}
)
TABLE[0x2028] = "\u21b5"  # ↵ line separator
TABLE[0x2029] = "\u00b6"  # ¶ paragraph separator
NEWLINE_SYMBOL = "\u2424"  # ␤

_ONE_LINE = {**TABLE, 0x0A: NEWLINE_SYMBOL}
# For JSON output: the characters json.dumps(ensure_ascii=False) leaves raw (DEL, C1, bidi,
# format, separators, lone surrogates) written as \\u escapes, so the data stays exact and the terminal sees none of them.
_JSON_ESCAPES = {cp: f"\\u{cp:04x}" for cp in TABLE if cp >= 0x7F}


def visible(text: str | None, *, keep_newlines: bool = True) -> str:
    """`text` with every control character replaced by a visible one-cell stand-in."""
    return (text or "").translate(TABLE if keep_newlines else _ONE_LINE)


def one_line(text: str | None) -> str:
    """`visible(text, keep_newlines=False)`: for names, titles and messages shown on one line."""
    return (text or "").translate(_ONE_LINE)


def is_plain(text: str) -> bool:
    """True when `visible` would leave `text` on one line unchanged."""
    return text.translate(_ONE_LINE) == text


def json_line(obj) -> str:
    """`obj` as one line of JSON that is safe to print: exact data, no raw control character."""
    return json.dumps(obj, ensure_ascii=False).translate(_JSON_ESCAPES)
