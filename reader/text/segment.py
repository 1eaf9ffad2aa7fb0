"""Words, sentences, paragraphs and lines of an article text, as offset spans.

Every span is ``(start, end)`` in Python ``str`` indices, end exclusive, into the text given.
Scraped news breaks lines where sentences end (headlines, bylines, captions, buttons), so a line
break is always a sentence boundary; within a line pysbd finds the boundaries and a few fixes
correct its usual mistakes with titles, initials and quotes.
"""

from __future__ import annotations

import re
import time
from bisect import bisect_left, bisect_right
from functools import cached_property

import pysbd
import regex

from reader.text.graphemes import grapheme_bounds, is_boundary, next_grapheme, prev_grapheme

__all__ = [
    "Span",
    "Segments",
    "grapheme_bounds",
    "is_boundary",
    "next_grapheme",
    "prev_grapheme",
    "words",
    "sentences",
    "paragraphs",
    "lines",
]

Span = tuple[int, int]

# --------------------------------------------------------------------------------------------
# Words

_LETTER = r"[\p{L}\p{N}](?<![\p{Han}\p{Hiragana}\p{Katakana}])"
_LETTER_CONT = r"(?:[\p{L}\p{M}\p{N}\u200c\u200d](?<![\p{Han}\p{Hiragana}\p{Katakana}]))"
_HYPHEN = r"[-\u2010\u2011]"
_URL_CHARS = r"""[^\s<>"“”‘’«»]"""
_TLD = (
    r"(?:co\.uk|org\.uk|gov\.uk|ac\.uk|com|org|net|gov|edu|int|mil|info|news|io"
    r"|uk|eu|de|fr|ie|au|ca|us|nz|in)"
)

_WORD = regex.compile(
    rf"""
    # never start inside a grapheme cluster (a skin tone or accent after punctuation)
    (?![\p{{GCB=Extend}}\p{{GCB=ZWJ}}\p{{GCB=SpacingMark}}])
    (?:
        # URL; trailing punctuation is trimmed afterwards
        (?:https?://|www\.){_URL_CHARS}+
      | # e-mail address
        [\p{{L}}\p{{N}}._%+-]+@[\p{{L}}\p{{N}}-]+(?:\.[\p{{L}}\p{{N}}-]+)+
      | # bare domain name: bbc.co.uk, example.com/path
        (?<![\p{{L}}\p{{N}}@.])[\p{{L}}\p{{N}}-]+(?:\.[\p{{L}}\p{{N}}-]+)*\.{_TLD}
        (?![\p{{L}}\p{{N}}])(?:/{_URL_CHARS}*)?
      | # dotted acronym of single letters, maybe with a hyphenated suffix: U.S., a.m., U.S.-led
        (?<![\p{{L}}\p{{N}}.])\p{{L}}(?:\.\p{{L}}(?!\p{{L}}))+\.?
        (?:{_HYPHEN}{_LETTER}{_LETTER_CONT}*)*
      | # number with currency, separators, decimals, time, %, unit: US$4.2m, 10:42, 10,000-strong
        (?<![\p{{L}}\p{{N}}])(?:\p{{Lu}}{{0,3}}\p{{Sc}})?\p{{N}}+(?:[.,:/]\p{{N}}+)*
        (?:[%‰\p{{Sc}}]|[\p{{L}}\p{{M}}]+)?(?:{_HYPHEN}{_LETTER}{_LETTER_CONT}*)*
      | # one emoji: a whole cluster (ZWJ sequence, flag, skin tone)
        (?=\p{{Emoji_Presentation}}|\p{{Regional_Indicator}}
            |\p{{Extended_Pictographic}}[\ufe0f\u200d\p{{Emoji_Modifier}}])\X
      | # CJK has no spaces: each ideograph is a word, and each run of kana
        \p{{Han}}
      | [\p{{Hiragana}}\u30fc]+
      | [\p{{Katakana}}\u30fc]+
      | # letter run joined by apostrophes, hyphens and ampersands: Jong-un, O’Neill’s, AT&T
        [#@]?{_LETTER}{_LETTER_CONT}*(?:['’&\-\u2010\u2011]{_LETTER}{_LETTER_CONT}*)*
    )
    # never end a word inside a grapheme cluster
    [\p{{GCB=Extend}}\p{{GCB=ZWJ}}\p{{GCB=SpacingMark}}]*
    """,
    regex.VERBOSE,
)
_URL_TRAILING = ".,;:!?'\"’”)]}"
_BRACKETS = {")": "(", "]": "[", "}": "{"}
_URL_LIKE = re.compile(r"[/@]|^www\.")


def _trim_url(text: str, start: int, end: int) -> int:
    """Return the end of a URL-like word without its trailing sentence punctuation."""
    while end > start and text[end - 1] in _URL_TRAILING:
        ch = text[end - 1]
        # Keep a closing bracket that closes one opened inside the URL (Wikipedia links).
        if ch in _BRACKETS and text.count(_BRACKETS[ch], start, end) >= text.count(ch, start, end):
            break
        end -= 1
    return end


def words(text: str, start: int = 0, end: int | None = None) -> list[Span]:
    """Return the word spans in ``text[start:end]``.

    A word is a letter run (with combining marks, inner apostrophes and hyphens), a number with
    its currency, separators and unit, a dotted acronym, a URL, an e-mail address, one emoji
    sequence, or one CJK ideograph / kana run. Punctuation alone is not a word; en and em dashes
    separate words.
    """
    end = len(text) if end is None else min(end, len(text))
    spans = []
    for m in _WORD.finditer(text, max(0, start), end):
        s, e = m.span()
        if text[e - 1] in _URL_TRAILING and _URL_LIKE.search(m.group()):
            e = _trim_url(text, s, e)
        spans.append((s, e))
    return spans


# --------------------------------------------------------------------------------------------
# Lines and paragraphs

_BLANK_LINES = re.compile(r"\n(?:[^\S\n]*\n)+")
_NON_SPACE = re.compile(r"\S")


def _trim(text: str, start: int, end: int) -> Span:
    """Shrink ``[start, end)`` past the whitespace at both ends (empty span if all blank)."""
    m = _NON_SPACE.search(text, start, end)
    if m is None:
        return (start, start)
    start = m.start()
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end)


def lines(text: str) -> list[Span]:
    """Return the hard lines of ``text``, split on ``\\n`` as ``str.split`` does, without it."""
    spans = []
    start = 0
    while True:
        nl = text.find("\n", start)
        if nl == -1:
            spans.append((start, len(text)))
            return spans
        spans.append((start, nl))
        start = nl + 1


def paragraphs(text: str) -> list[Span]:
    """Return the blocks of ``text`` separated by blank lines, trimmed of surrounding whitespace."""
    spans = []
    start = 0
    for m in _BLANK_LINES.finditer(text):
        s, e = _trim(text, start, m.start())
        if e > s:
            spans.append((s, e))
        start = m.end()
    s, e = _trim(text, start, len(text))
    if e > s:
        spans.append((s, e))
    return spans


# --------------------------------------------------------------------------------------------
# Sentences

# pysbd's cost grows with the square of the input length; longer lines use the regex fallback.
LONG_LINE = 2000

_segmenter: pysbd.Segmenter | None = None


def _pysbd() -> pysbd.Segmenter:
    global _segmenter
    if _segmenter is None:
        _segmenter = pysbd.Segmenter(language="en", clean=False, char_span=True)
    return _segmenter


_CLOSERS = "’”\"'»)]"
# Always closing; a straight quote only when followed by space, the end or another closer.
_CLOSE_ALWAYS = "’”»)]"
_ENDERS = ".!?…。！？"

# Candidate boundaries pysbd misses: after a full stop plus closing quote, before a capital.
_QUOTE_CUT = regex.compile(r"""[.!?…]+[’”"'»)\]]+\s+(?=[‘“"'«(\[]*[\p{Lu}\p{N}])""")
# CJK full stops need no space after them.
_CJK_CUT = regex.compile(r"""[。！？]+[」』）”’"']*\s*""")
# A dotted acronym ends a sentence when a common sentence opener follows: “…in the U.S. They”.
_ACRONYM_CUT = regex.compile(
    r"(?<![\p{L}\p{N}.])\p{L}(?:\.\p{L})+\.\s+"
    r"(?=(?:The|He|She|It|They|We|I|But|And|This|That|There|Its|His|Her|Their)\b)"
)
# The fallback for long lines: after sentence punctuation and any closers, before a capital.
# Also used beside pysbd, which never cuts inside a quotation (“It is over. We are going
# home,” she said.), after an ellipsis, or before a sentence that starts with digits.
_FALLBACK_CUT = regex.compile(r"""[.!?…]+[’”"'»)\]]*\s+(?=[‘“"'«(\[]*[\p{Lu}\p{N}])""")
# Scraped text glues sentences: “…at the port.Officials said”. A full stop after a lower-case
# word of two letters or more, straight before a capitalised word, is a boundary.
_GLUED_CUT = regex.compile(r"(?<=[\p{Ll}\p{N}][\p{Ll}][.!?])(?=\p{Lu}(?:\p{Ll}|\s))")

# Titles before a name: never the end of a sentence.
_TITLES = (
    "Mr|Mrs|Ms|Mx|Dr|Prof|Sen|Rep|Gov|Pres|Gen|Lt|Col|Maj|Capt|Cpt|Sgt|Cpl|Pte|Cmdr|Adm|Brig"
    "|Rev|Revd|Fr|Hon|Rt|St|Mt|Ft|Messrs|Mme|Mlle|Supt|Insp|Det|Cllr|Sr|Sra"
)
_TITLE_END = regex.compile(rf"(?<![\p{{L}}\p{{N}}.])(?:{_TITLES})\.$")
# Never at a sentence end, whatever follows.
_ALWAYS_JOIN_END = regex.compile(
    r"(?<![\p{L}\p{N}.])(?:vs|v|viz|cf|approx|Approx|ca|e\.g|i\.e|Fig|fig|Figs|Vol|vol)\.$"
)
# Join before a number: No. 10, p. 4, pp. 12-14, Nov. 2023.
_NUMBER_ABBR_END = regex.compile(
    r"(?<![\p{L}\p{N}.])(?:No|Nos|no|nos|p|pp|Para|para|Sec|sec"
    r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\.$"
)
# May end a sentence; join only when the next part starts in lower case or with a digit.
_SOFT_ABBR_END = regex.compile(
    r"(?<![\p{L}\p{N}.])(?:Inc|Ltd|Co|Corp|plc|Plc|Jr|Sr|Bros|Dept|Univ|Assn|est|etc|al"
    r"|\p{L}(?:\.\p{L})+)\.$"
)
_ACRONYM_END = regex.compile(r"(?<![\p{L}\p{N}.])\p{L}(?:\.\p{L})+\.$")
_CLOCK_END = regex.compile(r"(?<![\p{L}\p{N}.])[ap]\.m\.$")
# What continues a time after a.m./p.m.: a zone (EST, GMT, CEST), a day, "Eastern", "Kyiv time".
_CLOCK_CONTINUES = regex.compile(
    r"(?:[A-Z]{2,5}\b(?![’'])|(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday"
    r"|Eastern|Pacific|Central|Mountain|Atlantic)\b|(?:\p{Lu}\p{L}+\s){1,2}time\b)"
)
_SUFFIX_END = regex.compile(r"(?<![\p{L}\p{N}.])(?:Jr|Sr)\.$")
_FIRST_WORD = regex.compile(r"""[‘“"'«(\[]*([\p{L}]+)""")
_INITIAL_END = regex.compile(r"(?<![\p{L}\p{N}.’'])\p{Lu}\.$")
_STARTS_LOWER = regex.compile(r"""[‘“"'«(\[]*\p{Ll}""")
_STARTS_UPPER_WORD = regex.compile(r"\p{Lu}")
_STARTS_DIGIT = regex.compile(r"""[‘“"'«(\[]*\p{N}""")
_HAS_ALNUM = regex.compile(r"[\p{L}\p{N}]")
_QUESTION_END = regex.compile(r"""(?:[?!…]|\.\.\.|[.!?…][’”"'»)\]]+)$""")


# Words that open sentences: after "Jr." one of these starts a new sentence, any other
# capitalised word goes on with the name ("Martin Luther King Jr. Day").
_SENTENCE_OPENERS = frozenset(
    """The A An In On At By For From To With But And Or So As If When While After Before Since
    Then There This That These Those He She It They We You I His Her Its Their Our My Your
    Yesterday Today Tomorrow Meanwhile However Last Next""".split()
)
# Titles before a name, as words (a full stop after one never ends a sentence).
TITLE_WORDS = frozenset(_TITLES.split("|"))


def _pysbd_cuts(text: str, start: int, end: int) -> list[int]:
    """Return the sentence starts pysbd finds in ``text[start:end]``, as offsets into ``text``.

    pysbd's own ``char_span`` offsets can land on the wrong copy of a repeated sentence, so
    each sentence is looked up again in order, from where the previous one ended. Its
    processor is called directly: `Segmenter.segment` then looks every sentence up itself with a
    regular expression made from its text, and those one-off patterns push pysbd's own out of
    the `re` module's cache, which more than doubled the time of a line.
    """
    chunk = text[start:end]
    try:
        found = _pysbd().processor(chunk).process() if chunk else []
    except Exception:  # pysbd is heuristic code; a crash must not lose the article
        return _regex_cuts(text, start, end)
    cuts = []
    pos = 0
    for piece in found:
        sent = piece.strip()
        if not sent:
            continue
        at = chunk.find(sent, pos)
        if at == -1:
            continue  # not verbatim: the next sentence found marks the boundary instead
        pos = at + len(sent)
        if at > 0:
            cuts.append(start + at)
    return cuts


def _regex_cuts(text: str, start: int, end: int) -> list[int]:
    """Candidate sentence starts without pysbd: after sentence punctuation, before a capital.

    A dotted acronym other than a.m./p.m. before a capital (“the U.S. Treasury”) is left to
    ``_ACRONYM_CUT``.
    """
    cuts = []
    for m in _FALLBACK_CUT.finditer(text, start, end):
        acronym = _ACRONYM_END.search(text, max(start, m.start() - 12), m.start() + 1)
        if acronym is None or acronym.group() in ("a.m.", "p.m."):
            cuts.append(m.end())
    return cuts


def _closes(text: str, i: int, end: int) -> bool:
    """Whether the quote or bracket at ``i`` closes what comes before it."""
    ch = text[i]
    if ch in _CLOSE_ALWAYS:
        return True
    if ch in "\"'":
        return i + 1 >= end or text[i + 1].isspace() or text[i + 1] in _CLOSERS
    return False


def _normalise_cut(text: str, cut: int, start: int, end: int) -> int:
    """Move a cut to the start of the next sentence proper.

    Skips whitespace, and when the cut sits before the closing quotes of the previous sentence
    (‘…she said.’ Next), moves them to where they belong: the previous sentence.
    """
    while cut < end and text[cut].isspace():
        cut += 1
    back = cut - 1
    while back > start and text[back].isspace():
        back -= 1
    if back >= start and (text[back] in _ENDERS or text[back] in _CLOSERS):
        moved = False
        while cut < end and _closes(text, cut, end):
            cut += 1
            moved = True
        if moved:
            while cut < end and text[cut].isspace():
                cut += 1
    return cut


def _keep_cut(left: str, right: str) -> bool:
    """Decide whether a candidate boundary between ``left`` and ``right`` is a sentence end."""
    spaced = left[-1:].isspace()
    left = left.rstrip()
    if not _HAS_ALNUM.search(left) or not _HAS_ALNUM.search(right):
        return False  # a lone bullet, quote or dash belongs to its neighbour
    if _TITLE_END.search(left) or _ALWAYS_JOIN_END.search(left):
        return False
    lower = _STARTS_LOWER.match(right) is not None
    digit = _STARTS_DIGIT.match(right) is not None
    if digit and _NUMBER_ABBR_END.search(left):
        return False
    if (lower or digit) and _SOFT_ABBR_END.search(left):
        return False
    if _CLOCK_END.search(left) and _CLOCK_CONTINUES.match(right):
        return False  # 9 a.m. EST, 4 p.m. Kyiv time
    if _SUFFIX_END.search(left):
        first = _FIRST_WORD.match(right)
        if first and first.group(1) not in _SENTENCE_OPENERS:
            return False  # Martin Luther King Jr. Day
    if _INITIAL_END.search(left) and _STARTS_UPPER_WORD.match(right):
        return False  # J. K. Rowling, George W. Bush
    if lower and _QUESTION_END.search(left):
        return False  # “Why now?” she asked; he paused… then spoke
    if not spaced and left[-1:] == "." and left[-2:-1].isdigit() and right[:1].isdigit():
        return False  # a decimal split in two
    return True


def _align(text: str, start: int, end: int) -> Span:
    """Move both ends of a span forward to grapheme cluster boundaries.

    A cut may fall before a combining mark or emoji modifier; the mark stays with what it
    modifies (the end moves over it) and so never starts the next span.
    """
    if not is_boundary(text, start):
        start = next_grapheme(text, start)
    if not is_boundary(text, end):
        end = next_grapheme(text, end)
    return (start, max(start, end))


def _tidy(text: str, start: int, end: int) -> Span:
    """Trim a span of whitespace and align it to grapheme clusters, until both hold."""
    span = _trim(text, start, end)
    while span[1] > span[0]:
        again = _trim(text, *_align(text, *span))
        if again == span:
            break
        span = again
    return span


def _line_sentences(text: str, start: int, end: int) -> list[Span]:
    """Sentence spans of one line ``text[start:end]`` (no line break inside)."""
    start, end = _trim(text, start, end)
    if end <= start:
        return []
    raw = _regex_cuts(text, start, end)
    if end - start <= LONG_LINE:
        raw.extend(_pysbd_cuts(text, start, end))
        raw.extend(m.end() for m in _QUOTE_CUT.finditer(text, start, end))
    raw.extend(m.end() for m in _GLUED_CUT.finditer(text, start, end))
    raw.extend(m.end() for m in _CJK_CUT.finditer(text, start, end))
    raw.extend(m.end() for m in _ACRONYM_CUT.finditer(text, start, end))
    cuts = sorted({_normalise_cut(text, c, start, end) for c in raw})
    cuts = [c for c in cuts if start < c < end]
    spans = []
    prev = start
    for k, cut in enumerate(cuts):
        following = cuts[k + 1] if k + 1 < len(cuts) else end
        if _keep_cut(text[prev:cut], text[cut:following]):
            s, e = _tidy(text, prev, cut)
            if e > s:
                spans.append((s, e))
            prev = cut
    s, e = _tidy(text, prev, end)
    if e > s:
        spans.append((s, e))
    return spans


def sentences(text: str, start: int = 0, end: int | None = None) -> list[Span]:
    """Return the sentence spans in ``text[start:end]``.

    Every line break ends a sentence. Spans are trimmed of surrounding whitespace.
    """
    end = len(text) if end is None else min(end, len(text))
    spans: list[Span] = []
    pos = max(0, start)
    while pos <= end:
        nl = text.find("\n", pos, end)
        line_end = end if nl == -1 else nl
        spans.extend(_line_sentences(text, pos, line_end))
        if nl == -1:
            break
        pos = nl + 1
    return spans


# --------------------------------------------------------------------------------------------
# Lazy segmentation of one article, for cursor motion

# Whitespace bounds words, so a word search needs only the whitespace-delimited stretch around
# the cursor; capped so that a megabyte without a space cannot stall a key press.
_MAX_CHUNK = 1000
_SPACE = regex.compile(r"\s")
_SPACE_BACK = regex.compile(r"(?r)\s")



class Segments:
    """Lazy, cached segmentation of one article text, for cursor motion.

    Paragraphs and line starts are found on first use; sentences are computed one line at
    a time on demand (they never cross a line break) and cached; words are found in the stretch
    of text around the cursor each time, which is cheap.
    """

    def __init__(self, text: str):
        self.text = text
        self._sentence_cache: dict[int, list[Span]] = {}

    # Found on first use, not when built: opening a long article paints before it needs them.

    @cached_property
    def _paragraphs(self) -> list[Span]:
        return paragraphs(self.text)

    @cached_property
    def _para_starts(self) -> list[int]:
        return [s for s, _ in self._paragraphs]

    @cached_property
    def _para_ends(self) -> list[int]:
        return [e for _, e in self._paragraphs]

    @cached_property
    def _newlines(self) -> list[int]:
        return [m.start() for m in re.finditer("\n", self.text)]

    # -- lines -----------------------------------------------------------------------------

    def _line_index(self, pos: int) -> int:
        return bisect_left(self._newlines, pos)

    def _line_span(self, index: int) -> Span:
        start = self._newlines[index - 1] + 1 if index > 0 else 0
        end = self._newlines[index] if index < len(self._newlines) else len(self.text)
        return (start, end)

    def line_at(self, pos: int) -> Span:
        """Return the hard line containing ``pos`` (a ``\\n`` belongs to the line it ends)."""
        return self._line_span(self._line_index(self._clamp(pos)))

    def _clamp(self, pos: int) -> int:
        return max(0, min(pos, len(self.text)))

    # -- paragraphs ------------------------------------------------------------------------

    def paragraphs(self) -> list[Span]:
        """Return all paragraph spans (see :func:`paragraphs`)."""
        return list(self._paragraphs)

    def paragraphs_after(self, pos: int) -> list[Span]:
        """Return the paragraphs ending after ``pos``, in text order."""
        return self._paragraphs[bisect_right(self._para_ends, pos) :]

    def paragraph_at(self, pos: int) -> Span | None:
        """Return the paragraph containing ``pos`` (its end counts as inside), or the nearest
        following one when ``pos`` is in the gap between two, or None after the last."""
        i = bisect_left(self._para_ends, pos)
        return self._paragraphs[i] if i < len(self._paragraphs) else None

    def next_paragraph(self, pos: int) -> int:
        """Return the start of the first paragraph after ``pos`` (``len(text)`` if none)."""
        i = bisect_right(self._para_starts, pos)
        return self._para_starts[i] if i < len(self._para_starts) else len(self.text)

    def prev_paragraph(self, pos: int) -> int:
        """Return the start of the last paragraph starting before ``pos`` (0 if none)."""
        i = bisect_left(self._para_starts, pos) - 1
        return self._para_starts[i] if i >= 0 else 0

    # -- sentences -------------------------------------------------------------------------

    def _sentences_of_line(self, index: int) -> list[Span]:
        spans = self._sentence_cache.get(index)
        if spans is None:
            start, end = self._line_span(index)
            spans = _line_sentences(self.text, start, end)
            self._sentence_cache[index] = spans
        return spans

    def prepare_sentences(self, start: int, end: int, deadline: float | None = None) -> bool:
        """Segment the lines overlapping ``[start, end)`` now (in idle time), so that the next
        motion or tag there finds them cached instead of waiting for the segmenter.

        Stops before a line once ``time.perf_counter()`` has passed ``deadline``; returns True
        when every line is done.
        """
        start, end = self._clamp(start), self._clamp(end)
        cache = self._sentence_cache
        last = min(self._line_index(end), len(self._newlines))
        for i in range(self._line_index(start), last + 1):
            if i not in cache:
                if deadline is not None and time.perf_counter() >= deadline:
                    return False
                self._sentences_of_line(i)
        return True

    def sentences_in(self, start: int, end: int) -> list[Span]:
        """Return the sentences overlapping ``[start, end)`` (containing ``start`` if empty)."""
        start, end = self._clamp(start), self._clamp(end)
        end = max(end, start + 1)
        found: list[tuple[int, int]] = []
        for i in range(self._line_index(start), self._line_index(end) + 1):
            if i > len(self._newlines):
                break
            found.extend(s for s in self._sentences_of_line(i) if s[0] < end and s[1] > start)
        return found

    def sentence_at(self, pos: int) -> Span | None:
        """Return the sentence containing ``pos``, else the one ending at ``pos``, else the next
        one in the same paragraph, else None."""
        pos = self._clamp(pos)
        i = self._line_index(pos)
        ending_here = None
        for s in self._sentences_of_line(i):
            if s[0] <= pos < s[1]:
                return s
            if s[1] == pos:
                ending_here = s
            elif s[0] > pos:
                return ending_here or s
        if ending_here:
            return ending_here
        para = self.paragraph_at(pos)
        if para is None:
            return None
        for j in range(i + 1, self._line_index(para[1]) + 1):
            found = self._sentences_of_line(j)
            if found:
                return found[0]
        return None

    def next_sentence(self, pos: int) -> int:
        """Return the start of the first sentence starting after ``pos`` (``len(text)`` if none)."""
        pos = self._clamp(pos)
        for i in range(self._line_index(pos), len(self._newlines) + 1):
            for s, _ in self._sentences_of_line(i):
                if s > pos:
                    return s
        return len(self.text)

    def prev_sentence(self, pos: int) -> int:
        """Return the start of the sentence containing ``pos`` when ``pos`` is past that start,
        else of the sentence before (0 if none)."""
        pos = self._clamp(pos)
        for i in range(self._line_index(pos), -1, -1):
            for s, _ in reversed(self._sentences_of_line(i)):
                if s < pos:
                    return s
        return 0

    # -- words -----------------------------------------------------------------------------

    def _words_near(self, lo: int, hi: int) -> tuple[list[Span], int, int]:
        """Words of the whitespace-bounded stretch covering ``[lo, hi]``, and its bounds."""
        text = self.text
        lo, hi = self._clamp(lo), self._clamp(hi)
        m = _SPACE_BACK.search(text, max(0, lo - _MAX_CHUNK), lo)
        lo = m.end() if m else max(0, lo - _MAX_CHUNK)
        m = _SPACE.search(text, hi, min(len(text), hi + _MAX_CHUNK))
        hi = m.start() if m else min(len(text), hi + _MAX_CHUNK)
        if 0 < lo < len(text) and not text[lo - 1].isspace():
            lo = prev_grapheme(text, next_grapheme(text, lo))  # a capped stretch: whole clusters
        return words(text, lo, hi), lo, hi

    def word_at(self, pos: int) -> Span | None:
        """Return the word containing ``pos``, else the word ending at ``pos``, else None."""
        pos = self._clamp(pos)
        found, _, _ = self._words_near(pos, pos)
        ending_here = None
        for s, e in found:
            if s <= pos < e:
                return (s, e)
            if e == pos:
                ending_here = (s, e)
        return ending_here

    def next_word(self, pos: int) -> int:
        """Return the start of the first word starting after ``pos`` (``len(text)`` if none)."""
        pos = self._clamp(pos)
        reach = 256
        while True:
            found, _, hi = self._words_near(pos, pos + reach)
            for s, _ in found:
                if s > pos:
                    return s
            if hi >= len(self.text):
                return len(self.text)
            reach = hi - pos + reach

    def prev_word(self, pos: int) -> int:
        """Return the start of the last word starting before ``pos`` (0 if none)."""
        pos = self._clamp(pos)
        reach = 256
        while True:
            found, lo, _ = self._words_near(pos - reach, pos)
            starts = [s for s, _ in found if s < pos]
            if starts:
                return starts[-1]
            if lo <= 0:
                return 0
            reach = pos - lo + reach

    def word_end(self, pos: int) -> int:
        """Return the end (exclusive) of the first word ending after ``pos``: the end of the word
        under the cursor, or of the next word when the cursor is at a word's end or between
        words (``len(text)`` if none)."""
        pos = self._clamp(pos)
        reach = 256
        while True:
            found, _, hi = self._words_near(pos, pos + reach)
            for _, e in found:
                if e > pos:
                    return e
            if hi >= len(self.text):
                return len(self.text)
            reach = hi - pos + reach
