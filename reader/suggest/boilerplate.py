"""Boilerplate suggestions: page cruft, learnt per site and from rules.

A line (trimmed; consecutive suggested lines of one paragraph are joined) is suggested when
- the annotator tagged the same line boilerplate in another article of the same site, where
  "the same" ignores case, punctuation, numbers and month names ("Updated 3 May 2026" matches
  "Updated 14 June 2026");
- it repeats in other articles of the site and was never tagged as anything else there;
- a rule for common page cruft matches it (subscribe and newsletter prompts, paywall and
  "continue reading" text, copyright lines, reading time, image credits, share rows, stray
  single-letter buttons, "comments are closed", author bios).
"""

from __future__ import annotations

import re
import threading
from collections import Counter, OrderedDict, defaultdict

from reader.text.segment import lines, paragraphs

from .model import Corpus, Doc, Suggestion

TAGGED_SCORE = 0.95
RULE_SCORE = 0.7
REPEAT_MIN = 2  # other articles of the site that hold the line
MAX_LINE = 400  # longer lines are prose, not cruft

_MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december|"
    "jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec|"
    "monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tue|wed|thu|fri|sat|sun"
)
_NUMBER = re.compile(r"\d+(?:[.,:]\d+)*")
_MONTH = re.compile(rf"\b(?:{_MONTHS})\b")
_PUNCT = re.compile(r"[^\w]+")

RULES: list[tuple[str, re.Pattern]] = [
    (name, re.compile(pattern, re.IGNORECASE))
    for name, pattern in [
        ("subscribe", r"^(?:subscribe|sign up|sign-up|join)\b.{0,80}$|\bnewsletter\b|"
                      r"\bsubscribe (?:now|today|for|to)\b|\bsubscribers? only\b"),
        ("paywall", r"\bcontinue reading\b|^read more\b.{0,40}$|\bread more\W*$|\balready a (?:subscriber|member)\b|"
                    r"\bunlock (?:this|full|unlimited)\b|\bfree articles? (?:left|remaining)\b|"
                    r"^log ?in\b|\bto keep reading\b"),
        ("copyright", r"^(?:©|\(c\)|copyright\b)|\ball rights reserved\b"),
        ("reading time", r"^\d+\s*(?:min|minute)s?\s*(?:read|reading)\b|^reading time\b"),
        ("credit", r"^(?:photo|photograph|image|picture|illustration|video)s?\s*(?:credit)?\s*[:/]|"
                   r"^(?:photo|image|picture)\s+by\b|\b(?:getty images|reuters|ap photo|pa media|"
                   r"shutterstock|afp)\s*$"),
        ("share", r"^(?:share(?: this(?: article| story)?)?|tweet|email|print|copy link|"
                  r"facebook|twitter|whatsapp|linkedin|reddit)(?:\s*[|/·•,]\s*(?:share|tweet|email|"
                  r"print|copy link|facebook|twitter|whatsapp|linkedin|reddit|x))*\s*$"),
        ("button", r"^\W*\w\W*$"),
        ("comments", r"\bcomments? (?:are|is) (?:closed|disabled)\b|^\d*\s*comments?\s*$|"
                     r"^(?:leave|add|post) a comment\b"),
        ("bio", r"^(?:\w+ ){1,3}(?:is|was) (?:a|an|the) (?:\w+ ){0,3}"
                r"(?:reporter|correspondent|editor|writer|columnist|journalist)\b.{0,160}$"),
        ("related", r"^(?:related|more on this story|most read|recommended|you may also like|"
                    r"advertisement|sponsored|trending)\s*:?\s*$"),
        ("updated", r"^(?:published|updated|last updated|posted)\s*[:]?\s*(?:on\s+)?"
                    r"[\w ,.:]{0,40}\d{1,4}[\w ,.:]{0,30}$"),
    ]
]


def normalise(line: str) -> str:
    """A line as compared across articles: case, punctuation, numbers and months set aside."""
    low = line.lower()
    low = _NUMBER.sub(" 0 ", low)
    low = _MONTH.sub(" m ", low)
    return " ".join(_PUNCT.sub(" ", low).split())


def _lines(text: str) -> list[tuple[int, int]]:
    out = []
    for s, e in lines(text):
        seg = text[s:e]
        stripped = seg.strip()
        if not stripped:
            continue
        lead = len(seg) - len(seg.lstrip())
        out.append((s + lead, s + lead + len(stripped)))
    return out


_NORMALISED: "OrderedDict[tuple[int, int, int], dict[str, tuple[int, int]]]" = OrderedDict()
_NORMALISED_KEPT = 4000
_normalised_lock = threading.Lock()


def _normalised_lines(doc: Doc) -> dict[str, tuple[int, int]]:
    """Normalised line -> its first (start, end) in the article, kept for the next call."""
    key = (doc.id, len(doc.text), hash(doc.text))
    with _normalised_lock:
        hit = _NORMALISED.get(key)
        if hit is not None:
            _NORMALISED.move_to_end(key)
            return hit
    found: dict[str, tuple[int, int]] = {}
    for s, e in _lines(doc.text):
        found.setdefault(normalise(doc.text[s:e]), (s, e))
    with _normalised_lock:
        _NORMALISED[key] = found
        while len(_NORMALISED) > _NORMALISED_KEPT:
            _NORMALISED.popitem(last=False)
    return found


def _inside(spans: list[tuple[int, int]], s: int, e: int) -> bool:
    return any(a <= s and e <= b for a, b in spans)


class SiteMemory:
    """Per site: which normalised lines were tagged boilerplate, tagged otherwise, or seen."""

    def __init__(self) -> None:
        self.seen: dict[str | None, Counter[str]] = defaultdict(Counter)
        self.tagged: dict[str | None, Counter[str]] = defaultdict(Counter)
        self.other: dict[str | None, Counter[str]] = defaultdict(Counter)
        self.where: dict[tuple[str | None, str], int] = {}

    @classmethod
    def build(cls, corpus: Corpus, site: str | None, exclude: int | None = None) -> "SiteMemory":
        mem = cls()
        bp = corpus.boilerplate_label
        others = set(corpus.segment_labels) - {bp}
        if site is None:
            return mem
        for doc in corpus.docs.values():
            if doc.id == exclude or doc.site != site:
                continue
            bps = doc.covered({bp}) if bp else []
            rest = doc.covered(others)
            for norm, (s, e) in _normalised_lines(doc).items():
                if not norm:
                    continue
                mem.seen[site][norm] += 1
                if _inside(bps, s, e):
                    mem.tagged[site][norm] += 1
                    mem.where.setdefault((site, norm), doc.id)
                elif any(a < e and s < b for a, b in rest):
                    mem.other[site][norm] += 1
        return mem


def suggest_boilerplate(
    corpus: Corpus,
    doc: Doc,
    memory: SiteMemory | None = None,
    *,
    learnt: bool = True,
    rules: bool = True,
) -> list[Suggestion]:
    """Boilerplate suggestions for `doc`, not overlapping its segment spans."""
    bp = corpus.boilerplate_label
    if bp is None:
        return []
    mem = memory if memory is not None else SiteMemory.build(corpus, doc.site, exclude=doc.id)
    taken = doc.covered(set(corpus.segment_labels))
    site = doc.site
    picked: list[Suggestion] = []
    for s, e in _lines(doc.text):
        if e - s > MAX_LINE or any(a < e and s < b for a, b in taken):
            continue
        line = doc.text[s:e]
        norm = normalise(line)
        hit: Suggestion | None = None
        if learnt and norm and site is not None:
            tagged = mem.tagged[site][norm]
            other = mem.other[site][norm]
            if tagged:
                score = TAGGED_SCORE * tagged / (tagged + other)
                where = mem.where[(site, norm)]
                hit = Suggestion(s, e, bp, round(score, 3), "boilerplate",
                                 f"tagged boilerplate in article {where} of {site}")
            elif not other and mem.seen[site][norm] >= REPEAT_MIN and len(norm) > 1:
                n = mem.seen[site][norm]
                score = min(0.85, 0.5 + 0.1 * n)
                hit = Suggestion(s, e, bp, round(score, 3), "repeat",
                                 f"repeats in {n} other articles of {site}")
        if hit is None and rules:
            for name, pattern in RULES:
                if pattern.search(line):
                    if name == "bio" and len(line) > 200:
                        continue
                    hit = Suggestion(s, e, bp, RULE_SCORE, "rule", f"rule: {name}")
                    break
        if hit is not None:
            picked.append(hit)
    return _join(doc.text, picked)


def _join(text: str, picked: list[Suggestion]) -> list[Suggestion]:
    """Join suggested lines that follow each other within one paragraph into one span."""
    if len(picked) < 2:
        return picked
    paras = paragraphs(text)
    out: list[Suggestion] = []

    def para_of(pos: int) -> int:
        for i, (a, b) in enumerate(paras):
            if a <= pos < b:
                return i
        return -1

    for sug in picked:
        if out:
            last = out[-1]
            between = text[last.end : sug.start]
            if between.count("\n") == 1 and not between.strip() and para_of(last.start) == para_of(sug.start):
                out[-1] = Suggestion(last.start, sug.end, last.label, min(last.score, sug.score),
                                     last.kind, last.reason)
                continue
        out.append(sug)
    return out
