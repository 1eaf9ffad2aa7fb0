"""Tokens in the Prodigy/spaCy shape, covering every character that is not whitespace.

Tokens exist for export: Prodigy tasks carry a ``tokens`` list and give each span a
``token_start``/``token_end``, and CoNLL writes one token per line. A span is only usable there
when both of its edges are token edges, so tokens are built to put an edge wherever an
annotator's span can start or end:

- They refine the words the editor snaps selections to (:func:`reader.text.segment.words`):
  every word edge is a token edge, by construction, so every span snapped to words lies on
  tokens. The non-whitespace text between words (punctuation) is one token per grapheme
  cluster, except that a run of dots is one token (an ellipsis).
- Inside a word they split where spaCy's English tokenizer splits, so the spans that align here
  are, as far as possible, the ones that align in a spaCy ``Doc``, and a span over part of a word
  still aligns: hyphens are tokens of their own (``Jong`` ``-`` ``un``, ``U.S.`` ``-`` ``led``,
  ``10,000`` ``-`` ``strong``); the clitics ``'s 'm 'd 'll 're 've n't`` are split off
  (``O'Neill`` ``'s``, ``ca`` ``n't``) while an apostrophe inside a name stays; a leading currency
  sign or a trailing ``%`` stands alone (``£`` ``39bn``, ``50`` ``%``); a leading ``#`` or ``@``
  too.
- URLs, e-mail addresses and domain names stay whole, and so does every emoji sequence (a ZWJ
  family, a flag, a skin tone) and every letter with its combining marks.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass

import regex

from reader.text.segment import words


@dataclass(frozen=True, slots=True)
class Token:
    """A token: its text, code point offsets (end exclusive), index, and whether a space follows."""

    text: str
    start: int
    end: int
    id: int
    ws: bool

    def to_dict(self) -> dict:
        """Return the token as a Prodigy token dict."""
        return {
            "text": self.text, "start": self.start, "end": self.end, "id": self.id, "ws": self.ws,
        }


# Between words: a run of dots, or one grapheme cluster that does not start with whitespace.
_GAP = regex.compile(r"\.{2,}|(?!\s)\X")
# Inside a word, the pieces split off: hyphens; a leading #, @ or currency sign (with the
# letters of "US$"); a trailing % or currency sign after a digit; a clitic at the end.
_HYPHEN = regex.compile(r"[-\u2010\u2011]")
_LEAD = regex.compile(r"[#@]|\p{Lu}{0,3}\p{Sc}(?=\p{N})")
_TAIL = regex.compile(r"(?<=\p{N})[%\u2030\p{Sc}]$|(?i:n['\u2019]t|['\u2019](?:s|m|d|ll|re|ve))$")
_WHOLE = regex.compile(r"://|\w@|/|^www\.|\.[\p{L}]{2,}$")  # URL, e-mail, domain name
_SPACE = regex.compile(r"\s+")


def _gap(text: str, start: int, end: int, out: list[tuple[int, int]]) -> None:
    out.extend(m.span() for m in _GAP.finditer(text, start, end))


def _word(text: str, start: int, end: int, out: list[tuple[int, int]]) -> None:
    word = text[start:end]
    if _SPACE.search(word):  # words never hold whitespace; make sure of it
        _gap(text, start, end, out)
        return
    if _WHOLE.search(word):
        out.append((start, end))
        return
    pos = start
    for m in _HYPHEN.finditer(word):
        _part(text, pos, start + m.start(), out)
        out.append((start + m.start(), start + m.end()))
        pos = start + m.end()
    _part(text, pos, end, out)


def _part(text: str, start: int, end: int, out: list[tuple[int, int]]) -> None:
    if start >= end:
        return
    lead = _LEAD.match(text, start, end)
    if lead and lead.end() < end:
        out.append(lead.span())
        start = lead.end()
    tail = _TAIL.search(text, start, end)
    if tail and tail.start() > start:
        out.append((start, tail.start()))
        out.append((tail.start(), end))
    else:
        out.append((start, end))


def token_bounds(text: str) -> list[tuple[int, int]]:
    """Return the ``(start, end)`` code point offsets of the tokens of ``text``, in order.

    The same tokens as :func:`tokenize`, without building objects: exporters of long texts
    use this.
    """
    bounds: list[tuple[int, int]] = []
    append = bounds.append
    pos = 0
    for start, end in words(text):
        if start > pos and not text[pos:start].isspace():
            _gap(text, pos, start, bounds)
        if text[start:end].isalpha():
            append((start, end))  # the common case: a plain word is one token
        else:
            _word(text, start, end, bounds)
        pos = end
    if pos < len(text):
        _gap(text, pos, len(text), bounds)
    return bounds


def tokenize(text: str) -> list[Token]:
    """Split ``text`` into tokens covering every non-whitespace character, in order.

    Offsets are code points. ``ws`` is true when whitespace follows the token.
    """
    n = len(text)
    return [
        Token(text[s:e], s, e, i, e < n and text[e].isspace())
        for i, (s, e) in enumerate(token_bounds(text))
    ]


class TokenIndex:
    """Look up which tokens a character span starts and ends on.

    Built once per text from :func:`token_bounds` (or from :func:`tokenize`'s tokens); each
    lookup is a dict access, or a bisection for :meth:`covering`.
    """

    __slots__ = ("bounds", "_by_start", "_by_end", "_starts", "_ends")

    def __init__(self, tokens: list[tuple[int, int]] | list[Token]):
        bounds = [(t.start, t.end) if isinstance(t, Token) else t for t in tokens]
        self.bounds = bounds
        self._starts = [s for s, _ in bounds]
        self._ends = [e for _, e in bounds]
        self._by_start = {s: i for i, s in enumerate(self._starts)}
        self._by_end = {e: i for i, e in enumerate(self._ends)}

    def aligned(self, start: int, end: int) -> tuple[int, int] | None:
        """Return ``(token_start, token_end)``, if both edges are token edges; else None."""
        first = self._by_start.get(start)
        last = self._by_end.get(end)
        if first is None or last is None or first > last:
            return None
        return first, last

    def covering(self, start: int, end: int) -> tuple[int, int] | None:
        """Return the first and last token ids overlapping ``[start, end)``, or None if none do."""
        first = bisect_right(self._ends, start)  # first token ending after start
        last = bisect_left(self._starts, end) - 1  # last token starting before end
        if first > last:
            return None
        return first, last
