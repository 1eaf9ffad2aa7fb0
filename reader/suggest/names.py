"""Name suggestions: names tagged elsewhere in the collection, and the name finder's candidates.

A gazetteer of the annotator's own entity spans (their text, with the label they got) is matched
at whole-word mentions. As INCEpTION's string matcher does, each text is scored by relative
frequency: how often it was tagged, against how often it was seen untagged in articles the
annotator has tagged, or rejected as a suggestion. The name finder's candidates
(`reader.text.names.names_in`) that the gazetteer does not cover come with a lower score.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections import Counter, OrderedDict, defaultdict
from collections.abc import Sequence

from reader.text import names as finder

from .model import Corpus, Doc, Suggestion

FINDER_SCORE = 0.3
FINDER_DOCS = 100
# A text left untagged more often than this share of its sightings is not suggested.
MIN_SCORE = 0.5
_HYPHENS = "-\u2010\u2011"
_CHUNK = 400  # alternatives per compiled pattern


_CANDIDATES: "OrderedDict[tuple[int, int, int], list[tuple[int, int]]]" = OrderedDict()
_CANDIDATES_KEPT = 4000
_candidates_lock = threading.Lock()


def candidates(doc: Doc) -> list[tuple[int, int]]:
    """The name finder's candidates in an article's text, kept for the next call (a text's
    candidates never change; the cache is keyed by article, length and hash of the text)."""
    key = (doc.id, len(doc.text), hash(doc.text))
    with _candidates_lock:
        hit = _CANDIDATES.get(key)
        if hit is not None:
            _CANDIDATES.move_to_end(key)
            return hit
    found = finder.names_in(doc.text)
    with _candidates_lock:
        _CANDIDATES[key] = found
        while len(_CANDIDATES) > _CANDIDATES_KEPT:
            _CANDIDATES.popitem(last=False)
    return found


def _whole_word(text: str, s: int, e: int) -> bool:
    before = text[s - 1] if s else " "
    if before.isalnum() or before == "_" or before in _HYPHENS:
        return False
    if e < len(text):
        after = text[e]
        if after.isalnum() or after == "_" or unicodedata.combining(after):
            return False
        if after in _HYPHENS and e + 1 < len(text) and text[e + 1].isupper():
            return False
    if s > 1 and text[s - 1] in "'’" and text[s - 2].isalpha():
        return False
    return True


class Gazetteer:
    """Texts the annotator tagged as names, with counts, matched at whole-word mentions."""

    def __init__(self) -> None:
        self.tagged: Counter[str] = Counter()
        self.labels: dict[str, Counter[str]] = defaultdict(Counter)
        self.untagged: Counter[str] = Counter()
        self.rejected: Counter[str] = Counter()
        self.where: dict[str, int] = {}
        self.finder_untagged: Counter[str] = Counter()
        self._patterns: list[re.Pattern] | None = None

    @classmethod
    def build(cls, corpus: Corpus, exclude: int | None = None) -> "Gazetteer":
        gaz = cls()
        entity = set(corpus.entity_labels)
        docs = [d for d in corpus.tagged_docs() if d.id != exclude]
        for doc in docs:
            for s, e, label in doc.spans:
                if label in entity:
                    t = doc.text[s:e]
                    if t.strip():
                        gaz.tagged[t] += 1
                        gaz.labels[t][label] += 1
                        gaz.where.setdefault(t, doc.id)
        for (label, t), n in corpus.rejected_texts.items():
            if label in entity:
                gaz.rejected[t] += n
        # Mentions left untagged in articles the annotator has tagged names in, and the name
        # finder's candidates left untagged there (the newest FINDER_DOCS such articles).
        with_names = [d for d in docs if d.covered(entity)]
        for doc in with_names:
            ents = doc.covered(entity)
            if gaz.tagged:
                for s, e, t in gaz.matches(doc.text):
                    if not any(a < e and s < b for a, b in ents):
                        gaz.untagged[t] += 1
        for doc in sorted(with_names, key=lambda d: -d.id)[:FINDER_DOCS]:
            ents = doc.covered(entity)
            for s, e in candidates(doc):
                if not any(a < e and s < b for a, b in ents):
                    gaz.finder_untagged[doc.text[s:e]] += 1
        return gaz

    def _compiled(self) -> list[re.Pattern]:
        if self._patterns is None:
            texts = sorted(self.tagged, key=lambda t: (-len(t), t))
            self._patterns = [
                re.compile("|".join(re.escape(t) for t in texts[i : i + _CHUNK]))
                for i in range(0, len(texts), _CHUNK)
            ]
        return self._patterns

    def matches(self, text: str) -> list[tuple[int, int, str]]:
        """Whole-word occurrences of gazetteer texts, longest first where they overlap."""
        found: list[tuple[int, int, str]] = []
        for pattern in self._compiled():
            for m in pattern.finditer(text):
                if _whole_word(text, m.start(), m.end()):
                    found.append((m.start(), m.end(), m.group()))
        if len(self._compiled()) > 1:
            found.sort(key=lambda x: (x[0], -(x[1] - x[0])))
            kept, last = [], -1
            for item in found:
                if item[0] >= last:
                    kept.append(item)
                    last = item[1]
            found = kept
        return found

    def score(self, t: str) -> float:
        n = self.tagged[t]
        return n / (n + self.untagged[t] + self.rejected[t]) if n else 0.0


def suggest_names(
    corpus: Corpus,
    doc: Doc,
    gazetteer: Gazetteer | None = None,
    *,
    finder_too: bool = True,
    cruft: Sequence[tuple[int, int]] = (),
) -> list[Suggestion]:
    """Name suggestions for `doc`, not overlapping its entity spans. The finder's candidates
    are left out inside `cruft` (boilerplate, tagged or suggested) and where the annotator
    left the same text untagged in an article they tagged names in."""
    entity = corpus.entity_labels
    if not entity:
        return []
    gaz = gazetteer if gazetteer is not None else Gazetteer.build(corpus, exclude=doc.id)
    taken = doc.covered(set(entity))
    out: list[Suggestion] = []

    def free(s: int, e: int) -> bool:
        return not any(a < e and s < b for a, b in taken)

    for s, e, t in gaz.matches(doc.text):
        score = gaz.score(t)
        if score < MIN_SCORE or not free(s, e):
            continue
        label = gaz.labels[t].most_common(1)[0][0]
        n = gaz.tagged[t]
        out.append(Suggestion(
            s, e, label, round(score, 3), "name",
            f"tagged {n} time{'s' if n != 1 else ''} elsewhere (article {gaz.where[t]})",
        ))
        taken.append((s, e))
    if finder_too:
        default = entity[0]
        for s, e in candidates(doc):
            t = doc.text[s:e]
            if not free(s, e) or gaz.rejected[t] or gaz.finder_untagged[t]:
                continue
            if any(a <= s and e <= b for a, b in cruft):
                continue
            out.append(Suggestion(s, e, default, FINDER_SCORE, "finder", "the name finder"))
            taken.append((s, e))
    out.sort()
    return out
