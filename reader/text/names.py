"""Names in news text: what the entity key tags, and where the next name is.

A name is a run of capitalised words on one line, with lowercase joiners between them ("Bank of
England", "Charles de Gaulle Airport"), without what is not part of a name in the common NER
conventions: a possessive ("Merkel's"), a title, role or nationality adjective before it
("French President Emmanuel Macron" is "Emmanuel Macron"), a word capitalised only because it
opens a sentence ("After", "Both", "Charity"), the rest of a hyphenated compound ("Berlin-based").
A lone capitalised word that opens a sentence and is an ordinary word ("However", "Photo", a
weekday) is not a name.

Which words are ordinary comes from Brill's part-of-speech lexicon (case-sensitive, from the
Brown corpus and the Penn Treebank) and the small gazetteer that TextBlob ships; both are read as
data files on first use (:func:`warm` loads them ahead of time), never by importing TextBlob.
Titles, roles, weekdays and months are short closed lists written here.

All spans are ``(start, end)`` Python ``str`` offsets, end exclusive. Names never cross a line
break, so each line (a long line: each stretch of about two thousand characters) is read on its
own and its names cached per text: a motion reads only the lines it passes.
"""

from __future__ import annotations

import bisect
import importlib.util
import re
import threading
import unicodedata
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path

from reader.text.segment import TITLE_WORDS as _TITLE_WORDS
from reader.text.segment import words

__all__ = [
    "name_at",
    "names_in",
    "next_name",
    "prev_name",
    "mentions",
    "word_part_at",
    "snap_to_parts",
    "warm",
]

Span = tuple[int, int]

# --------------------------------------------------------------------------------------------
# Word lists

_lock = threading.Lock()
_lexicon: dict[str, str] | None = None
_gazetteer: frozenset[str] | None = None


def textblob_data_dir() -> Path | None:
    """TextBlob's English data folder (lexicons, gazetteer), or None when it is not installed."""
    # find_spec locates the package without running its __init__ (which would import nltk).
    try:
        spec = importlib.util.find_spec("textblob")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "en"


def warm() -> None:
    """Load the word lists now (from a worker), so the first key press does not wait."""
    global _lexicon, _gazetteer
    if _lexicon is not None:
        return
    with _lock:
        if _lexicon is not None:
            return
        lexicon: dict[str, str] = {}
        names: set[str] = set()
        folder = textblob_data_dir()
        if folder is not None:
            try:
                for line in (folder / "en-lexicon.txt").read_text("utf-8").splitlines():
                    word, _, tag = line.partition(" ")
                    if tag and not word.startswith(";;;"):
                        lexicon[word] = tag.strip()
                for line in (folder / "en-entities.txt").read_text("utf-8").splitlines():
                    entry = line.rsplit(" ", 1)
                    if len(entry) == 2 and entry[1] in ("LOC", "ORG", "PERS"):
                        names.update(w for w in entry[0].split() if w[:1].isupper())
            except OSError:
                pass  # the rules below still work, on the closed lists alone
        _lexicon = lexicon
        # Words of the gazetteer's names, less those the lexicon knows as other words ("The").
        _gazetteer = frozenset(
            w for w in names if lexicon.get(w, "NNP") in _PROPER and w not in _FUNCTION_WORDS
        )


def _tag(word: str) -> str | None:
    if _lexicon is None:
        warm()
    return _lexicon.get(word)  # type: ignore[union-attr]


# Tags that say nothing against a name: proper nouns, foreign words, list markers, symbols.
_PROPER = ("NNP", "NNPS", "FW", "LS", "SYM")

# Closed classes: words that open sentences and are never names (backs up the lexicon).
_FUNCTION_WORDS = frozenset(
    """The A An In On At By For From To With Without But And Or Nor So As If When While After
    Before Since Then There This That These Those He She It They We You I His Her Its Their Our
    My Your Despite Both Although Though Because Under Over Among Amid Between During Unlike
    Following Ahead Against Until Once Every Each Some Many Most All No Not Only Even Also Still
    Why What Who How Where Here Now However Meanwhile Yesterday Today Tomorrow Last Next Earlier
    Later Instead Thanks According Asked Speaking Photo Photograph Image Video""".split()
)
_WEEKDAYS = frozenset("Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split())
_MONTHS = frozenset(
    "January February March April May June July August September October November December"
    " Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec".split()
)
# A title or role before a person's name; "General" only after another role word.
_ROLES = frozenset(
    """Mr Mrs Ms Mx Dr Prof Professor Sir Dame Lord Lady Sen Senator Rep Representative Gov
    Governor Gen Lt Col Colonel Maj Capt Captain Sgt Sergeant Cpl Rev Reverend Revd Father Sister
    Insp Inspector Supt Superintendent Det Detective Constable Officer Cllr Councillor President
    Minister Chancellor Secretary Secretary-General Mayor King Queen Prince Princess Pope Emperor
    Empress Sultan Emir Sheikh Judge Justice Ambassador Commissioner Chairman Chairwoman
    Chairperson Chair Chief Executive CEO Director Manager Coach Spokesman Spokeswoman
    Spokesperson Archbishop Bishop Cardinal Rabbi Imam Speaker Leader Congressman Congresswoman
    Congressmember MP MEP Premier Admiral Lieutenant Attorney Editor Correspondent Reporter
    Analyst Economist Founder Co-founder Striker Midfielder Defender Goalkeeper Captain
    Vice-President Vice-Chancellor Dean Governor-General Presenter Anchor Author Prosecutor
    Lawyer Barrister Solicitor Co-leader Counsel""".split()
)
# Words that qualify a role ("Foreign Minister", "Deputy Mayor", "Republican Senator").
_QUALIFIERS = frozenset(
    """Prime Foreign Finance Defence Defense Interior Home Health Deputy Vice Acting Interim
    Former Senior State Trade Economy Economic Energy Culture Education Environment Transport
    Justice Labour Executive Managing Opposition Majority Minority Supreme Grand Crown Presiding
    Assistant Associate Police Fire Army Navy Air Force Agriculture Treasury Housing Immigration
    Security National European Shadow Central Chief Junior General Party Cabinet Climate Digital
    Commerce Industry Science Sports Sport Foreign Affairs Development Communications Women
    Republican Democratic Democrat Conservative Liberal Green Independent Federal Regional
    County City Club Team Head Lead Senior Special Permanent UN First""".split()
)
# A role before one of these names an office, not a person: "Justice Department".
_ORG_HEADS = frozenset(
    """Department Ministry Office Court Council Committee Party Service Agency Bank Fund
    Commission House Palace Street Prize Cup League Union Group Hospital University College
    School Institute Foundation Trust Association Authority Board Company Corporation Motors
    Airlines Airways Bureau Centre Center Club Council Assembly Parliament Senate Square Road
    Avenue Station Airport Museum Gallery Theatre Theater Stadium Park Bridge Forum Award
    Awards Review Times Post Journal Press News Network Channel Cathedral Church Mosque Abbey
    Republic Kingdom States Islands Isle Province Region District Territory Society
    Academy Order Federation Confederation Chamber Guild Alliance Conference Festival Institute
    Organisation Organization Council Agency Programme Program Forces Army Navy Force Police
    Cross Hall Place Gardens Market Exchange Inn Tower Castle Bay Lake River Valley Panel
    Convention Centre Center""".split()
)
_SUFFIXES = frozenset("Jr Sr".split())
# Letters after a name, not part of it: "Alan Merriweather KC".
_POSTNOMINALS = frozenset("KC QC MP MEP MSP MS AM MBE OBE CBE KBE DBE FRS PhD".split())
# Words in a headline that title case leaves in lower case.
_SMALL_WORDS = frozenset(
    "a an the and or nor but of in on at to for by with as from into over vs v via per up".split()
)
# Lowercase words inside long names; "the" never starts a bridge ("Geneva the Swiss city").
_CONNECTORS = frozenset(
    "of the de del della der den di da du van von la le al bin ibn y upon dos das des e ter ten"
    " zu af el".split()
)
_PARTICLES = frozenset("al el ad ibn bin abu de di da du la le van von".split())
# Lower-case parts between capitalised ones of a hyphenated place name: Hay-on-Wye.
# Prefixes written with a capital only because they open a sentence: "Co-chairs of the".
_PREFIXES = frozenset(
    "co ex anti pro non pre post self mid multi semi sub inter over under counter cross"
    " re neo pan quasi ultra".split()
)
_HYPHEN_JOINERS = _PARTICLES | frozenset("on upon under in by sur sous en am an im of the et".split())
# A possessive inside a name, before one of these: "King's College", "St Paul's Cathedral".
_POSSESSIVE_HEADS = frozenset(
    "College Cathedral Hospital Church School Park Square Cross Road Street Bay Island Inn"
    " Lane Hill Green Court Abbey Chapel University".split()
)
# A lower-case part after a hyphen that is an English word ends the name (Berlin-based); a
# short one that is not one of these is a syllable of a given name (Heung-min, Jae-in).
_SHORT_SUFFIXES = frozenset("led run era day set fed won age old new war pro".split())
_AGENT_END = re.compile(r"(?:ist|er|or|ian|ant|ent|eer|ess)$")
_DEMONYM_END = re.compile(r"(?:an|ian|ean|ese|ish|i|ch|sh|ss|ek|ai|ic)$")
_HYPHENS = "-\u2010\u2011"
_APOSTROPHES = "'’"
_OPENERS = "‘“\"'«([{"
_BULLETS = "•*·-–—|>"
_SENTENCE_END = ".!?…:"


def _weekday_or_month(word: str) -> bool:
    return word in _WEEKDAYS or word in _MONTHS


def _ordinary(word: str) -> bool:
    """Whether a capitalised word is an ordinary word by the lexicon (not a proper noun)."""
    if word in _FUNCTION_WORDS or _weekday_or_month(word):
        return True
    tag = _tag(word)
    if tag is not None:
        return tag not in _PROPER
    lower = _tag(word.lower())
    return lower is not None and lower not in _PROPER


def _common_lower(word: str) -> bool:
    """Whether the word in lower case is an ordinary English word ("photo", "police")."""
    lower = word.lower()
    if lower == word or word.isupper() and len(word) > 1:
        return False  # an acronym: PA, UN
    for form in (lower, lower[:-1] if lower.endswith("s") else None):
        tag = _tag(form) if form else None
        if tag is not None and tag not in _PROPER:
            return True
    return False


def _plural_people(word: str) -> bool:
    """Whether the word is a nationality whose plural names people: American(s), Kenyan(s)."""
    return _tag(word + "s") == "NNPS" and _DEMONYM_END.search(word) is not None and (
        word not in (_gazetteer or ())
    )


def _demonym(word: str) -> bool:
    tag = _tag(word)
    if tag is not None and tag.startswith("JJ") or _plural_people(word):
        return True
    return (tag is None or tag in _PROPER) and _DEMONYM_END.search(word) is not None and (
        word not in (_gazetteer or ())
    )


# --------------------------------------------------------------------------------------------
# Per-text cache

_BLOCK = 2000
_LONG_LINE = 2 * _BLOCK


# Evidence from the text itself is read from the stretch around the line being read: all of an
# ordinary article, and a bounded window of a very long one, so that no key press reads a
# megabyte.
_EVIDENCE = 32768


class _TextState:
    __slots__ = ("text", "blocks", "evidence", "window")

    def __init__(self, text: str):
        self.text = text
        self.blocks: dict[int, list[Span]] = {}
        self.evidence: dict[tuple[str, int], bool] = {}
        self.window = (0, len(text), 0)

    def look_near(self, pos: int) -> None:
        """Take evidence from the stretch of text around ``pos`` from now on."""
        chunk = pos // _EVIDENCE
        lo = max(0, (chunk - 1) * _EVIDENCE)
        hi = min(len(self.text), (chunk + 2) * _EVIDENCE)
        self.window = (lo, hi, chunk if len(self.text) > 3 * _EVIDENCE else 0)


_states: OrderedDict[int, _TextState] = OrderedDict()


def _state(text: str) -> _TextState:
    key = id(text)
    state = _states.get(key)
    if state is None or state.text is not text:
        state = _TextState(text)
        _states[key] = state
        while len(_states) > 8:
            _states.popitem(last=False)
    else:
        _states.move_to_end(key)
    return state


def _seen_inside_sentence(state: _TextState, word: str) -> bool:
    """Whether the text has ``word`` capitalised after a lower-case word or a comma: evidence
    that it is a name wherever it opens a sentence."""
    lo, hi, chunk = state.window
    found = state.evidence.get((word, chunk))
    if found is None:
        text = state.text
        found = False
        at = lo
        while True:
            at = text.find(word, at, hi)
            if at == -1:
                break
            start, at = at, at + len(word)
            if start == 0 or text[start - 1] not in " \u00a0" or at < len(text) and (
                text[at].isalnum() or text[at] == "_"
            ):
                continue
            if _title_case_line(text, start - 1):
                continue
            follow = text[at : at + 2]
            if follow[:1] == " " and follow[1:2].isupper():
                continue  # inside a longer name ("the Patients Association"): no evidence
            i = start - 2
            if i >= 0 and text[i] in ",;":
                found = True
                break
            j = i
            while j >= 0 and j > i - 40 and not text[j].isspace():
                j -= 1
            prev = text[j + 1 : i + 1].lstrip(_OPENERS).rstrip("’”\"')]»")
            if prev[-1:] in _SENTENCE_END:
                continue
            if prev[:1].islower() or prev[:1].isdigit():
                found = True
                break
            # After another word of a name ("Condoleezza Rice"), not after a title-case word.
            if prev[:1].isupper() and prev.isalpha() and _tag(prev.lower()) is None and not _ordinary(prev):
                found = True
                break
        state.evidence[(word, chunk)] = found
    return found


def _title_case_line(text: str, pos: int) -> bool:
    """A cheap look at the line around ``pos``: a headline in title case (no lower-case word
    longer than four letters) says nothing about which of its words are names."""
    lo = text.rfind("\n", max(0, pos - 300), pos) + 1 or max(0, pos - 300)
    hi = text.find("\n", pos, pos + 300)
    hi = min(len(text), pos + 300) if hi == -1 else hi
    line = text[lo:hi].split()
    if len(line) < 4:
        return False
    return not any(w[:1].islower() and len(w) > 4 for w in line)


# --------------------------------------------------------------------------------------------
# Blocks: a line, or a stretch of a long line cut at whitespace on a fixed grid


def _block(text: str, pos: int) -> Span:
    line_start = text.rfind("\n", 0, pos) + 1
    line_end = text.find("\n", pos)
    if line_end == -1:
        line_end = len(text)
    if line_end - line_start <= _LONG_LINE:
        return (line_start, line_end)
    k = (pos - line_start) // _BLOCK
    while True:
        lo = _grid_cut(text, line_start, line_end, k)
        hi = _grid_cut(text, line_start, line_end, k + 1)
        if pos < lo and k > 0:
            k -= 1
        elif pos >= hi and hi < line_end:
            k += 1
        else:
            return (lo, hi)


def _grid_cut(text: str, line_start: int, line_end: int, k: int) -> int:
    if k <= 0:
        return line_start
    at = line_start + k * _BLOCK
    if at >= line_end:
        return line_end
    m = re.compile(r"\s").search(text, at, line_end)
    return m.start() if m else line_end


def _block_names(state: _TextState, block: Span) -> list[Span]:
    found = state.blocks.get(block[0])
    if found is None:
        state.look_near(block[0])
        found = _find(state, block[0], block[1])
        state.blocks[block[0]] = found
    return found


# --------------------------------------------------------------------------------------------
# Tokens


class _Token:
    __slots__ = ("s", "e", "ps", "pe", "kind", "word", "start")

    def __init__(self, s: int, e: int, ps: int, pe: int, kind: str, word: str):
        self.s, self.e, self.ps, self.pe, self.kind, self.word = s, e, ps, pe, kind, word
        self.start = False

    @property
    def open_left(self) -> bool:
        return self.ps == self.s

    @property
    def open_right(self) -> bool:
        return self.pe == self.e


def _parts(text: str, s: int, e: int) -> list[Span]:
    """A word's parts: split at hyphens (which belong to no part) and before a possessive."""
    end = e
    possessive = None
    if e - s > 2 and text[e - 1] in "sS" and text[e - 2] in _APOSTROPHES:
        end = e - 2
        possessive = (e - 2, e)
    parts = []
    start = s
    for i in range(s, end):
        if text[i] in _HYPHENS:
            if i > start:
                parts.append((start, i))
            start = i + 1
    if end > start:
        parts.append((start, end))
    if possessive:
        parts.append(possessive)
    return parts


def _capital(ch: str) -> bool:
    return ch.isupper() or ch.istitle()


def _token(text: str, s: int, e: int) -> _Token:
    word = text[s:e]
    first = word[0]
    if not first.isalpha():
        return _Token(s, e, s, s, "other", word)
    if word in _CONNECTORS:
        return _Token(s, e, s, s, "connector", word)
    parts = _parts(text, s, e)
    if parts and parts[-1][0] == e - 2 and text[e - 2] in _APOSTROPHES:
        parts = parts[:-1]  # the possessive is never part of a name
    caps = [i for i, (a, _) in enumerate(parts) if _capital(text[a])]
    if not caps:
        return _Token(s, e, s, s, "other", word)
    i = caps[0]
    if i == 0 and len(parts) > 1 and text[parts[0][0] : parts[0][1]].lower() in _PREFIXES:
        return _Token(s, e, s, s, "other", word)  # "Co-chairs", "Anti-war" opening a sentence
    # Particles before the capital stay with the name (al-Assad); other prefixes do not
    # (anti-Macron).
    lo = 0 if all(text[a:b].lower() in _PARTICLES for a, b in parts[:i]) else i
    hi = i
    j = i + 1
    while j < len(parts):
        a, b = parts[j]
        piece = text[a:b]
        if _capital(piece[0]) or piece[0].isdigit():
            hi = j
        elif piece in _HYPHEN_JOINERS and any(_capital(text[c]) for c, _ in parts[j + 1 :]):
            pass
        elif hi == j - 1 and _syllable(piece):
            hi = j
        else:
            break
        j += 1
    ps, pe = parts[lo][0], parts[hi][1]
    return _Token(s, e, ps, pe, "cap", text[ps:pe])


def _syllable(piece: str) -> bool:
    """Whether a lower-case part after a hyphen continues a given name ("min" of Heung-min)."""
    return len(piece) <= 3 and piece not in _SHORT_SUFFIXES


def _is_acronym(word: str) -> bool:
    return len(word) >= 3 and word.endswith(".") and word[1] == "."


def _opens_sentence(text: str, tokens: list[_Token], k: int, line_start: int) -> bool:
    """Whether token k opens a sentence (or a line, a caption after a colon)."""
    i = tokens[k].s - 1
    while i >= line_start and (text[i].isspace() or text[i] in _OPENERS):
        i -= 1
    if i < line_start:
        return True
    ch = text[i]
    if ch in _BULLETS:
        j = i
        while j >= line_start and (text[j].isspace() or text[j] in _BULLETS):
            j -= 1
        if j < line_start or text[j] == ")" and j < i - 1:
            return True  # a bullet, or a dateline's dash: "LONDON (Reuters) - The"
        ch = text[j]
        i = j
    while i > line_start and text[i] in "’”\"')]»":
        i -= 1
        ch = text[i]
    if ch not in _SENTENCE_END:
        return False
    if ch == ".":
        prev = tokens[k - 1] if k > 0 else None
        if prev is not None and prev.e in (i, i + 1):
            w = text[prev.s : prev.e]
            if w in _TITLE_WORDS:
                return False
            if len(w) == 1 and w.isupper():
                return False  # an initial: J. K. Rowling
            if _is_acronym(w):
                return _ordinary(tokens[k].word) if tokens[k].kind == "cap" else True
    return True


def _joined(text: str, a: _Token, b: _Token) -> bool:
    """Whether tokens a and b (a before b) may sit in one name."""
    gap = text[a.e : b.s]
    if not gap:
        return False
    if gap.isspace():
        return len(gap) <= 3
    if gap.strip() == "&" and len(gap) <= 5:
        return True
    if gap[0] == "." and gap[1:].isspace() and len(gap) <= 3:
        w = text[a.s : a.e]
        return w in _TITLE_WORDS or (len(w) == 1 and w.isupper())
    return False


# --------------------------------------------------------------------------------------------
# The finder


def _headline_case(tokens: list[_Token]) -> bool:
    """Whether a line is written in title case, where capitals say nothing about names."""
    letters = [t for t in tokens if t.word[:1].isalpha()]
    if len(letters) < 4:
        return False
    small = sum(1 for t in letters if t.kind != "cap" and t.word in _SMALL_WORDS)
    caps = sum(1 for t in letters if t.kind == "cap")
    if caps + small < len(letters) or caps < 4:
        return False
    ordinary = [
        t for t in letters
        if t.kind == "cap"
        and len(t.word) > 1
        and t.word not in _FUNCTION_WORDS
        and not _weekday_or_month(t.word)
        and (_ordinary(t.word) or _common_lower(t.word))
    ]
    return len(ordinary) >= 2


def _find(state: _TextState, start: int, end: int) -> list[Span]:
    text = state.text
    found_words = words(text, start, end)
    tokens = [_token(text, s, e) for s, e in found_words]
    for a, b in zip(tokens, tokens[1:]):
        if (
            a.kind == "cap"
            and a.pe == a.e - 2
            and b.word in _POSSESSIVE_HEADS
            and text[a.e : b.s] == " "
        ):
            a.pe = a.e  # King's College London
            a.word = text[a.ps : a.pe]
    line_start = text.rfind("\n", 0, start) + 1
    for k, t in enumerate(tokens):
        if t.kind == "cap":
            t.start = _opens_sentence(text, tokens, k, line_start)
    headline = _headline_case(tokens)
    names: list[Span] = []
    k = 0
    n = len(tokens)
    while k < n:
        t = tokens[k]
        if t.kind != "cap":
            k += 1
            continue
        run = [k]
        i = k
        while tokens[i].open_right and i + 1 < n:
            j = i + 1
            bridge: list = []
            while (
                j < n
                and (
                    tokens[j].kind == "connector"
                    or not bridge
                    and tokens[j].word in ("for", "on")
                    and tokens[i].word in _ORG_HEADS
                )
                and len(bridge) < 3
                and _joined(text, tokens[j - 1], tokens[j])
                and not (not bridge and tokens[j].word == "the")
            ):
                bridge.append(j)
                j += 1
            if (
                j < n
                and tokens[j].kind == "cap"
                and tokens[j].open_left
                and not tokens[j].start
                and not (bridge and _weekday_or_month(tokens[j].word))
                and _joined(text, tokens[j - 1], tokens[j])
                and (bridge or j == i + 1)
            ):
                run.extend(bridge)
                run.append(j)
                i = j
            else:
                break
        k = i + 1
        for piece in _split_run(state, tokens, run, headline):
            while len(piece) > 1 and tokens[piece[-1]].word in _POSTNOMINALS:
                piece = _trim_connectors(tokens, piece[:-1])
            if not piece:
                continue
            first, last = tokens[piece[0]], tokens[piece[-1]]
            s, e = first.ps, last.pe
            if last.word in _SUFFIXES and e < len(text) and text[e] == ".":
                e += 1
            names.append((s, e))
    return names


def _trim_connectors(tokens: list[_Token], run: list[int]) -> list[int]:
    while run and tokens[run[0]].kind != "cap":
        run = run[1:]
    while run and tokens[run[-1]].kind != "cap":
        run = run[:-1]
    return run


def _split_run(state: _TextState, tokens: list[_Token], run: list[int], headline: bool):
    """The names in one run of capitalised words, as lists of token indices."""
    if headline and not _seen_inside_sentence(
        state, state.text[tokens[run[0]].ps : tokens[run[-1]].pe]
    ):
        # Each word is judged alone, as if it opened a sentence, unless the text has the whole
        # run inside a sentence elsewhere.
        piece: list[int] = []
        for i in run:
            t = tokens[i]
            if t.kind == "cap" and not (t.word.isupper() and len(t.word) > 1) and (
                _weekday_or_month(t.word)
                or (_ordinary(t.word) or _common_lower(t.word))
                and not _known_name(state, t.word)
            ):
                yield from _split_parts(state, tokens, _trim_connectors(tokens, piece), False)
                piece = []
            else:
                piece.append(i)
        yield from _split_parts(state, tokens, _trim_connectors(tokens, piece), False)
        return
    # A word capitalised because it opens the sentence ("After", "Both", "Charity").
    opens = tokens[run[0]].start
    if opens and len(run) > 1 and _opener(state, tokens, run):
        run = _trim_connectors(tokens, run[1:])
        opens = False
    yield from _split_parts(state, tokens, run, opens)


_CLOSED_TAGS = (
    "DT", "PDT", "IN", "CC", "CD", "PRP", "RB", "WDT", "WP", "WRB", "MD", "TO", "EX", "UH", "VB"
)


def _opener(state: _TextState, tokens: list[_Token], run: list[int]) -> bool:
    """Whether the first word of a run that opens a sentence is an ordinary word, not the
    start of the name: a function word or verb ("After", "Both", "Follow"), a word the text
    also has in lower case ("Chipmaker"), or a noun or adjective before a one-word name
    ("Charity Oxfam"; but "Natural Resources Wales", "Deutsche Bank")."""
    w = tokens[run[0]].word
    if _weekday_or_month(w) or w in _FUNCTION_WORDS:
        return True
    if _known_name(state, w):
        return False
    tag = _tag(w)
    if tag is None or tag in _PROPER:
        tag = _tag(w.lower()) or tag
    if tag is not None and tag.startswith(_CLOSED_TAGS):
        return True
    if _seen_lowercase(state, w):
        return True
    # A plural noun and "of" open a partitive: "Members of the Harbour Trust", "Residents of
    # Leith". (The rare plural-headed body, "Friends of the Earth", is lost to this.)
    if len(run) > 1 and tokens[run[1]].word == "of" and (_tag(w) or "").startswith("NNS") and (
        w not in _ORG_HEADS
    ):
        return True
    rest = [i for i in run[1:] if tokens[i].kind == "cap"]
    if tokens[rest[-1]].word in _ORG_HEADS or not (_ordinary(w) or _common_lower(w)):
        return False
    # A noun for what someone does before a person's name: "Novelist Ayesha Rahman".
    return len(rest) == 1 or _AGENT_END.search(w) is not None and _tag(w.lower()) == "NN"


def _split_parts(state: _TextState, tokens: list[_Token], run: list[int], opens: bool):
    for piece, piece_opens in _split_of(tokens, run, opens):
        yield from _split_roles(state, tokens, piece, piece_opens)


def _known_name(state: _TextState, word: str) -> bool:
    return word in (_gazetteer or ()) or _seen_inside_sentence(state, word)


def _seen_lowercase(state: _TextState, word: str) -> bool:
    """Whether the text also has the word in lower case: an ordinary word ("chipmaker")."""
    lower = word.lower()
    if lower == word or not lower.isalpha():
        return False
    lo, hi, chunk = state.window
    key = ("\0" + lower, chunk)
    found = state.evidence.get(key)
    if found is None:
        text = state.text
        found = False
        at = lo
        while not found:
            at = text.find(lower, at, hi)
            if at == -1:
                break
            start, at = at, at + len(lower)
            before = text[start - 1] if start else " "
            after = text[at] if at < len(text) else " "
            found = not (before.isalnum() or before in "'’-_") and not (
                after.isalnum() or after in "-_"
            )
        state.evidence[key] = found
    return found


def _split_roles(state: _TextState, tokens: list[_Token], run: list[int], opens: bool):
    if not run:
        return
    # The last role phrase (roles, qualifiers, "of") followed by a name: "Turkish Foreign
    # Minister Hakan Fidan", "Secretary of State Antony Blinken", "Bank of England Governor ...".
    cut = None
    i = len(run) - 2
    while i >= 0:
        t = tokens[run[i]]
        nxt = tokens[run[i + 1]]
        if (
            (_is_role(t, tokens, run, i) or _office_of(tokens, run, i))
            and nxt.kind == "cap"
            and not _is_role(nxt, tokens, run, i + 1)
            and nxt.word not in _QUALIFIERS
            and nxt.word not in _SUFFIXES
            and tokens[run[-1]].word not in _ORG_HEADS
        ):
            p = i
            while p > 0 and (
                _is_role(tokens[run[p - 1]], tokens, run, p - 1)
                or tokens[run[p - 1]].word in _QUALIFIERS
                or tokens[run[p - 1]].word == "of"
                and p - 2 >= 0
                and _is_role(tokens[run[p - 2]], tokens, run, p - 2)
            ):
                p -= 1
            cut = (p, i + 1)
            break
        i -= 1
    if cut is None:
        if _is_role(tokens[run[-1]], tokens, run, len(run) - 1):
            return  # a job title alone: "Chief Economics Correspondent"
        if _is_name(state, tokens, run, opens):
            yield run
        return
    prefix = _trim_connectors(tokens, run[: cut[0]])
    if prefix and not all(_demonym(tokens[j].word) for j in prefix if tokens[j].kind == "cap"):
        if _is_name(state, tokens, prefix, opens):
            yield prefix
    yield run[cut[1] :]


def _split_of(tokens: list[_Token], run: list[int], opens: bool):
    """Split a person from the body or place after "of": "Amy Klobuchar of Minnesota", "Ruth
    Daniels of the University of Bristol"; keep "Bank of England", "Democratic Republic of the
    Congo" (one word, or an organisation's head word, before the "of")."""
    for k, i in enumerate(run):
        if tokens[i].word != "of":
            continue
        left = _trim_connectors(tokens, run[:k])
        right = _trim_connectors(tokens, run[k + 1 :])
        if (
            len(left) >= 2
            and right
            and all(tokens[j].kind == "cap" for j in left)
            and tokens[left[-1]].word not in _ORG_HEADS
        ):
            yield left, opens
            yield from _split_of(tokens, right, False)
            return
        break
    yield run, opens


def _office_of(tokens: list[_Token], run: list[int], i: int) -> bool:
    """Whether token i ends a role with "of": "Secretary of State", "Minister of Defence"."""
    return (
        i >= 2
        and tokens[run[i]].word in _QUALIFIERS | _OFFICES
        and tokens[run[i - 1]].word == "of"
        and tokens[run[i - 2]].word in _ROLES
    )


_OFFICES = frozenset("Defence Defense Finance Justice Foreign Affairs State Health Education".split())


def _is_role(t: _Token, tokens: list[_Token], run: list[int], i: int) -> bool:
    if t.word in _ROLES:
        return True
    # "Attorney General", "Major General", "Secretary General"
    return t.word == "General" and i > 0 and tokens[run[i - 1]].word in _ROLES


def _is_name(state: _TextState, tokens: list[_Token], run: list[int], opens: bool) -> bool:
    if not run:
        return False
    if len(run) > 1:
        return True
    word = tokens[run[0]].word
    if _weekday_or_month(word) or word in _ROLES or word in _FUNCTION_WORDS:
        return False
    tag = _tag(word)
    if tag is not None and tag.startswith("JJ") or _plural_people(word):
        return False  # a nationality or other adjective: "the French government", "American"
    if (_tag(word) or _tag(word.lower()) or "").startswith("CD"):
        return False  # a number word: "Two scientists won"
    if opens:
        if word in _FUNCTION_WORDS:
            return False
        if (_ordinary(word) or _common_lower(word) or _seen_lowercase(state, word)) and not (
            _known_name(state, word)
        ):
            return False
        return True
    return True


# --------------------------------------------------------------------------------------------
# Public functions


def _clamp(text: str, pos: int) -> int:
    return max(0, min(pos, len(text)))


def names_in(text: str, start: int = 0, end: int | None = None) -> list[Span]:
    """Every name candidate overlapping ``text[start:end]``, in text order."""
    end = len(text) if end is None else min(end, len(text))
    start = _clamp(text, start)
    state = _state(text)
    out: list[Span] = []
    pos = start
    while pos <= end:
        block = _block(text, pos)
        out.extend(s for s in _block_names(state, block) if s[1] > start and s[0] < end)
        if block[1] >= end or block[1] >= len(text):
            break
        pos = block[1] + 1 if text[block[1] : block[1] + 1] == "\n" else block[1]
        if pos == block[0]:
            pos += 1
    return out


def name_at(text: str, pos: int) -> Span | None:
    """The name the entity key tags with the cursor at ``pos`` (on any letter of it, or just
    after its last), or None when no name is there."""
    pos = _clamp(text, pos)
    state = _state(text)
    candidates = _block_names(state, _block(text, pos))
    after = None
    for s, e in candidates:
        if s <= pos < e:
            return (s, e)
        if e == pos:
            after = (s, e)
    return after


def word_part_at(text: str, pos: int) -> Span | None:
    """The word at ``pos``, or the part of it under ``pos`` when hyphens or a possessive split
    it ("Berlin" in "Berlin-based", "Merkel" in "Merkel's"); None when no word is there."""
    pos = _clamp(text, pos)
    lo, hi = max(0, pos - 256), min(len(text), pos + 256)
    word = None
    for s, e in words(text, lo, hi):
        if s <= pos < e:
            word = (s, e)
            break
        if e == pos:
            word = (s, e)
    if word is None:
        return None
    parts = _parts(text, *word)
    for k, (s, e) in enumerate(parts):
        if s <= pos < e or e == pos:
            if text[s] in _APOSTROPHES and k > 0:
                return parts[k - 1]  # the cursor on the ’s: the name it belongs to
            return (s, e)
    return word


def _overlaps(tagged: Sequence[Span], span: Span) -> bool:
    j = bisect.bisect_right(tagged, span[0], key=lambda t: t[1])
    return j < len(tagged) and tagged[j][0] < span[1]


def next_name(text: str, pos: int, tagged: Sequence[Span] = ()) -> int | None:
    """Start of the first name starting after ``pos`` that overlaps no span in ``tagged`` (one
    layer's spans, sorted and not overlapping), or None. Reads only the lines it passes."""
    pos = _clamp(text, pos)
    state = _state(text)
    at = pos
    while at <= len(text):
        block = _block(text, at)
        for span in _block_names(state, block):
            if span[0] > pos and not _overlaps(tagged, span):
                return span[0]
        if block[1] >= len(text):
            return None
        at = block[1] + 1 if text[block[1]] == "\n" else block[1]
        if at <= block[0]:
            at = block[0] + 1
    return None


def prev_name(text: str, pos: int, tagged: Sequence[Span] = ()) -> int | None:
    """Start of the last name starting before ``pos`` that overlaps no span in ``tagged``, or
    None."""
    pos = _clamp(text, pos)
    state = _state(text)
    at = pos
    while True:
        block = _block(text, at)
        for span in reversed(_block_names(state, block)):
            if span[0] < pos and not _overlaps(tagged, span):
                return span[0]
        if block[0] <= 0:
            return None
        at = block[0] - 1


def mentions(text: str, start: int, end: int, tagged: Sequence[Span] = ()) -> list[Span]:
    """Every other whole-word occurrence of ``text[start:end]`` that overlaps no span in
    ``tagged``, in text order. A mention may carry a possessive or open a hyphenated compound
    ("Merkel's", "Berlin-based") but is never part of a longer capitalised word or name part
    ("Jean" in "Jean-Luc")."""
    needle = text[start:end]
    if not needle.strip():
        return []
    out = []
    at = 0
    while True:
        s = text.find(needle, at)
        if s == -1:
            break
        e = at = s + len(needle)
        before = text[s - 1] if s else " "
        if before.isalnum() or before in "_" + _HYPHENS or e < len(text) and (
            text[e].isalnum() or text[e] == "_" or unicodedata.combining(text[e])
        ):
            continue
        if (s, e) == (start, end):
            continue
        if e + 1 < len(text) and text[e] in _HYPHENS and _capital(text[e + 1]):
            continue
        if _capital(needle[0]) and s > 0 and text[s - 1] in _APOSTROPHES and s > 1 and text[s - 2].isalpha():
            continue  # O'Neill's "Neill"
        if not _overlaps(tagged, (s, e)):
            out.append((s, e))
    return out


def snap_to_parts(text: str, start: int, end: int) -> Span:
    """Snap a selection's ends that fall inside a word to the word's parts: an end at a hyphen
    or before a possessive stays there; one inside a part moves out to that part's edge (not
    to the whole word's)."""
    lo, hi = max(0, start - 64), min(len(text), end + 64)
    for s, e in words(text, lo, hi):
        if s < start < e:
            start = _part_edge(text, s, e, start, left=True)
        if s < end < e:
            end = _part_edge(text, s, e, end, left=False)
    return (start, end)


def _part_edge(text: str, s: int, e: int, at: int, left: bool) -> int:
    parts = _parts(text, s, e)
    for a, b in parts:
        if at in (a, b):
            return at
        if a < at < b:
            return a if left else b
    return at  # on a hyphen: a boundary already
