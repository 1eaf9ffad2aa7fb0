"""Segmentation: graphemes, words, sentences, paragraphs, lines and cursor motions."""

from __future__ import annotations

import random
import tomllib
from pathlib import Path

import pytest
from pysbd.utils import TextSpan

import reader.text.segment as segment
from reader.text.names import name_at, names_in
from reader.text.segment import (
    Segments,
    grapheme_bounds,
    is_boundary,
    lines,
    next_grapheme,
    paragraphs,
    prev_grapheme,
    sentences,
    words,
)

CASES = tomllib.loads((Path(__file__).parent / "data" / "segment_cases.toml").read_text("utf-8"))


def texts(text: str, spans: list[tuple[int, int]]) -> list[str]:
    return [text[s:e] for s, e in spans]


def by_note(kind: str):
    return pytest.mark.parametrize("case", CASES[kind], ids=[c["note"] for c in CASES[kind]])


# ---------------------------------------------------------------------------------------------
# Table-driven cases


def test_the_table_is_big_enough():
    assert len(CASES["sentences"]) + len(CASES["words"]) >= 80


@by_note("sentences")
def test_sentences(case):
    assert texts(case["text"], sentences(case["text"])) == case["expect"]


@by_note("sentences")
def test_sentences_with_the_long_line_fallback(case, monkeypatch):
    monkeypatch.setattr(segment, "LONG_LINE", 0)
    assert texts(case["text"], sentences(case["text"])) == case["expect"]


@by_note("words")
def test_words(case):
    assert texts(case["text"], words(case["text"])) == case["expect"]


@by_note("words")
def test_words_never_split_a_grapheme(case):
    text = case["text"]
    bounds = set(grapheme_bounds(text))
    for s, e in words(text):
        assert s in bounds and e in bounds


@by_note("sentences")
def test_sentence_spans_are_trimmed_ordered_and_within_one_line(case):
    text = case["text"]
    spans = sentences(text)
    for s, e in spans:
        assert e > s
        assert not text[s].isspace() and not text[e - 1].isspace()
        assert "\n" not in text[s:e]
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:]))


# ---------------------------------------------------------------------------------------------
# Sentences: offsets and long lines


def test_repeated_sentences_get_their_own_offsets():
    text = "It rained. It rained. It rained."
    assert sentences(text) == [(0, 10), (11, 21), (22, 32)]


def test_misplaced_pysbd_offsets_are_recomputed(monkeypatch):
    class Liar:
        """Returns the right sentences, all claiming to start at offset 0."""

        def segment(self, chunk):
            parts = ["Go on. ", "Go on. ", "Stop."]
            return [TextSpan(p, 0, len(p)) for p in parts]

    monkeypatch.setattr(segment, "_pysbd", lambda: Liar())
    assert sentences("Go on. Go on. Stop.") == [(0, 6), (7, 13), (14, 19)]


def test_sentences_survive_a_pysbd_crash(monkeypatch):
    class Broken:
        def segment(self, chunk):
            raise IndexError("boom")

    monkeypatch.setattr(segment, "_pysbd", lambda: Broken())
    text = "Mr. Hill left. Ms. Ode stayed."
    assert texts(text, sentences(text)) == ["Mr. Hill left.", "Ms. Ode stayed."]


def test_long_line_skips_pysbd_and_still_splits_correctly(monkeypatch):
    unit = (
        "Mr. Ray met Dr. Oni at No. 10 at 9 a.m. on Friday. ‘We lost.’ "
        "The U.S. Treasury said 3.5%. "
    )
    text = unit * 40
    assert len(text) > segment.LONG_LINE
    calls = []
    real = segment._pysbd_cuts
    monkeypatch.setattr(segment, "_pysbd_cuts", lambda *a: calls.append(a) or real(*a))
    got = texts(text, sentences(text))
    assert calls == []
    assert got == [
        "Mr. Ray met Dr. Oni at No. 10 at 9 a.m. on Friday.",
        "‘We lost.’",
        "The U.S. Treasury said 3.5%.",
    ] * 40


def test_sentences_of_a_slice_use_absolute_offsets():
    text = "Skip this. Take this one. And this.\nNot this."
    start = text.index("Take")
    end = text.index("\n")
    assert texts(text, sentences(text, start, end)) == ["Take this one.", "And this."]
    assert sentences(text, start, end)[0][0] == start


# ---------------------------------------------------------------------------------------------
# Lines and paragraphs


def test_lines_split_on_newline_only():
    text = "a\n\nb\u2028c\n"
    assert lines(text) == [(0, 1), (2, 2), (3, 6), (7, 7)]


def test_paragraphs_are_blocks_between_blank_lines_trimmed():
    text = "\n\n  Title\n\nFirst line one.\nLine two.\n \t\nLast para.  \n\n\n"
    assert texts(text, paragraphs(text)) == ["Title", "First line one.\nLine two.", "Last para."]


def test_paragraphs_of_blank_text():
    assert paragraphs("") == []
    assert paragraphs(" \n\n \t\n") == []


# ---------------------------------------------------------------------------------------------
# Graphemes

CLUSTERS = "a👨\u200d👩\u200d👧b🇬🇧e\u0301中文"


def test_grapheme_bounds():
    assert grapheme_bounds(CLUSTERS) == [0, 1, 6, 7, 9, 11, 12, 13]
    assert grapheme_bounds(CLUSTERS, 6, 11) == [6, 7, 9, 11]
    assert grapheme_bounds("") == [0]


def test_stepping_forward_over_clusters():
    stops = [0]
    while stops[-1] < len(CLUSTERS):
        stops.append(next_grapheme(CLUSTERS, stops[-1]))
    assert stops == [0, 1, 6, 7, 9, 11, 12, 13]
    assert next_grapheme(CLUSTERS, len(CLUSTERS)) == len(CLUSTERS)


def test_stepping_backward_over_clusters():
    stops = [len(CLUSTERS)]
    while stops[-1] > 0:
        stops.append(prev_grapheme(CLUSTERS, stops[-1]))
    assert stops == [13, 12, 11, 9, 7, 6, 1, 0]
    assert prev_grapheme(CLUSTERS, 0) == 0


def test_stepping_from_inside_a_cluster():
    # offset 3 is the woman inside the family sequence (1..6); 10 is the combining accent
    assert next_grapheme(CLUSTERS, 3) == 6
    assert prev_grapheme(CLUSTERS, 3) == 1
    assert next_grapheme(CLUSTERS, 10) == 11
    assert prev_grapheme(CLUSTERS, 10) == 9


def test_grapheme_steps_agree_with_whole_text_bounds():
    rng = random.Random(5)
    pieces = ["a", " ", "\n", "\r\n", "e\u0301", "\u0301", "👨", "\u200d", "👩", "🇬", "🇧",
              "中", "क", "्", "ष", "\u0600", "\ufe0f", "🏽", "각", "ᄀ", "ᅡ"]
    for _ in range(300):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 120)))
        bounds = grapheme_bounds(text)
        for pos in range(len(text) + 1):
            after = [b for b in bounds if b > pos]
            before = [b for b in bounds if b < pos]
            assert next_grapheme(text, pos) == (after[0] if after else len(text))
            assert prev_grapheme(text, pos) == (before[-1] if before else 0)
            assert is_boundary(text, pos) == (pos in bounds)


# ---------------------------------------------------------------------------------------------
# Segments: motions with exact offsets

T = (
    "Mr. Smith met O’Neill at 10:42.\nHe left — quickly.\n\n"
    "“Why now?” she asked. The U.S.-led talks ended."
)


@pytest.fixture
def seg():
    return Segments(T)


def test_next_word(seg):
    assert seg.next_word(0) == T.index("Smith")
    assert seg.next_word(T.index("Smith")) == T.index("met")
    assert seg.next_word(T.index("O’Neill") + 2) == T.index("at 10")
    assert seg.next_word(T.index("10:42")) == T.index("He")
    assert seg.next_word(T.index("left")) == T.index("quickly")
    assert seg.next_word(T.index("ended")) == len(T)


def test_prev_word(seg):
    assert seg.prev_word(T.index("Smith") + 2) == T.index("Smith")
    assert seg.prev_word(T.index("Smith")) == 0
    assert seg.prev_word(T.index("He")) == T.index("10:42")
    assert seg.prev_word(T.index("“Why")) == T.index("quickly")
    assert seg.prev_word(0) == 0


def test_word_end(seg):
    assert seg.word_end(0) == 2
    assert seg.word_end(2) == T.index("Smith") + 5
    assert seg.word_end(T.index("10:42")) == T.index("10:42") + 5
    assert seg.word_end(T.index("U.S.-led")) == T.index("U.S.-led") + 8
    assert seg.word_end(len(T)) == len(T)


def test_word_at(seg):
    i = T.index("U.S.-led")
    assert seg.word_at(i + 3) == (i, i + 8)
    q = T.index("quickly")
    assert seg.word_at(q + 7) == (q, q + 7)  # just after the word
    assert seg.word_at(T.index("—")) is None
    assert seg.word_at(T.index("O’Neill") + 1) == (T.index("O’Neill"), T.index("O’Neill") + 7)


def test_sentence_motions(seg):
    he, why, the = T.index("He"), T.index("“Why"), T.index("The U.S.")
    assert seg.next_sentence(0) == he
    assert seg.next_sentence(he) == why
    assert seg.next_sentence(why) == the
    assert seg.next_sentence(the) == len(T)
    assert seg.prev_sentence(the + 5) == the
    assert seg.prev_sentence(the) == why
    assert seg.prev_sentence(why) == he
    assert seg.prev_sentence(3) == 0
    assert seg.prev_sentence(0) == 0


def test_sentence_at(seg):
    why = T.index("“Why")
    asked = T.index("asked.") + len("asked.")
    assert seg.sentence_at(T.index("she")) == (why, asked)
    assert seg.sentence_at(asked) == (why, asked)  # just after the full stop
    assert seg.sentence_at(T.index("\n\n") + 1) == (why, asked)  # in the gap: the next one
    assert seg.sentence_at(len(T)) == (T.index("The U.S."), len(T))


def test_paragraph_motions(seg):
    second = T.index("“Why")
    assert seg.paragraphs() == [(0, T.index("\n\n")), (second, len(T))]
    assert seg.next_paragraph(0) == second
    assert seg.next_paragraph(second) == len(T)
    assert seg.prev_paragraph(len(T)) == second
    assert seg.prev_paragraph(second) == 0
    assert seg.paragraph_at(T.index("\n\n") + 1) == (second, len(T))
    assert seg.paragraph_at(3) == (0, T.index("\n\n"))


def test_line_at(seg):
    start = T.index("He")
    assert seg.line_at(T.index("left")) == (start, T.index("\n", start))
    assert seg.line_at(T.index("\n")) == (0, T.index("\n"))  # a newline belongs to its line
    assert seg.line_at(T.index("\n\n") + 1) == (T.index("\n\n") + 1, T.index("\n\n") + 1)


def test_motions_clamp(seg):
    assert seg.next_word(-5) == T.index("Smith")
    assert seg.next_word(len(T) + 10) == len(T)
    assert seg.prev_sentence(len(T) + 10) == T.index("The U.S.")
    assert seg.next_paragraph(-1) == 0


def test_sentences_in(seg):
    why = T.index("“Why")
    got = texts(T, seg.sentences_in(why, len(T)))
    assert got == ["“Why now?” she asked.", "The U.S.-led talks ended."]
    assert texts(T, seg.sentences_in(T.index("left"), T.index("left"))) == ["He left — quickly."]
    assert seg.sentences_in(0, len(T)) == sentences(T)


def test_word_motions_over_emoji_and_cjk():
    text = "Hi 👨\u200d👩\u200d👧 there 🇬🇧 東京"
    seg = Segments(text)
    family, flag = text.index("👨"), text.index("🇬")
    assert seg.next_word(0) == family
    assert seg.word_end(family) == family + 5
    assert seg.next_word(family) == text.index("there")
    assert seg.word_at(flag + 1) == (flag, flag + 2)
    assert seg.next_word(flag) == text.index("東")
    assert seg.next_word(text.index("東")) == text.index("京")
    assert seg.prev_word(len(text)) == text.index("京")


def test_walking_by_word_and_sentence_visits_every_start():
    text = "\n\n".join(c["text"] for c in CASES["sentences"][:30])
    seg = Segments(text)
    word_starts = [s for s, _ in words(text)]
    pos, seen = 0, []
    while (pos := seg.next_word(pos)) < len(text):
        seen.append(pos)
    assert [word_starts[0]] + seen == word_starts
    sentence_starts = [s for s, _ in sentences(text)]
    pos, seen = len(text), []
    while (pos := seg.prev_sentence(pos)) > 0:
        seen.append(pos)
    assert seen[::-1] == sentence_starts[1:]


def test_segments_computes_sentences_lazily(monkeypatch):
    calls = []
    real = segment._line_sentences
    monkeypatch.setattr(segment, "_line_sentences", lambda *a: calls.append(a[1]) or real(*a))
    text = "\n\n".join(f"Paragraph {i} starts. It ends." for i in range(500))
    seg = Segments(text)
    assert calls == []
    pos = text.index("Paragraph 250")
    assert seg.sentence_at(pos + 3) == (pos, pos + len("Paragraph 250 starts."))
    assert calls == [pos]
    seg.sentence_at(pos + 25)
    assert calls == [pos]  # cached


def test_word_at_in_a_megabyte_without_spaces():
    text = "x" * 1_000_000
    seg = Segments(text)
    s, e = seg.word_at(500_000)
    assert s <= 500_000 < e
    assert e - s <= 2 * segment._MAX_CHUNK + 1


# ---------------------------------------------------------------------------------------------
# Capitalised runs (one-key entity tagging)

# ---------------------------------------------------------------------------------------------
# Invariants on hostile mixtures

HOSTILE = [
    "a", "Mr.", " ", "\n", "\n\n", ".", "?", "’", "‘", '"', "e\u0301", "\u0301", "👨\u200d👩",
    "🇬", "🏽", "\ufe0f", "中", "U.S.", "3.5", "£", "—", "-", "http://x.com/a)", "(", "\t",
    "\u00a0", "A", "The", "of", "x@y.com", "…", "。",
]


def test_invariants_on_random_mixtures():
    rng = random.Random(11)
    for _ in range(150):
        text = "".join(rng.choice(HOSTILE) for _ in range(rng.randint(0, 50)))
        n = len(text)
        bounds = set(grapheme_bounds(text))
        seg = Segments(text)
        spans = sentences(text)
        assert seg.sentences_in(0, n) == spans
        for s, e in spans:
            assert not text[s].isspace() and not text[e - 1].isspace() and "\n" not in text[s:e]
            assert s in bounds and e in bounds
        ws = words(text)
        assert all(s in bounds and e in bounds for s, e in ws)
        assert all(a[1] <= b[0] for a, b in zip(ws, ws[1:]))
        for pos in range(n + 1):
            assert pos < seg.next_word(pos) or seg.next_word(pos) == n
            assert seg.prev_word(pos) < pos or seg.prev_word(pos) == 0
            assert pos < seg.word_end(pos) or seg.word_end(pos) == n
            assert pos < seg.next_sentence(pos) or seg.next_sentence(pos) == n
            assert seg.prev_sentence(pos) < pos or seg.prev_sentence(pos) == 0
            name = name_at(text, pos)
            if name:
                assert name[0] <= pos <= name[1] and "\n" not in text[name[0] : name[1]]
                assert name[0] in bounds and name[1] in bounds
        assert all(a[1] <= b[0] for a, b in zip(names_in(text), names_in(text)[1:]))
