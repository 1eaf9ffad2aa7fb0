"""Agreement measures against independent implementations and hand-worked cases.

The oracles: Krippendorff's own worked example (2011, nominal, missing values: alpha 0.743),
nltk's AnnotationTask, scikit-learn's cohen_kappa_score and the `krippendorff` package (GPL, used
here only as a test oracle), fed token and sentence values found by a plain per-token loop.
"""

from __future__ import annotations

import math
import random
import re

import krippendorff
import numpy as np
import pytest
from nltk.metrics.agreement import AnnotationTask
from sklearn.metrics import cohen_kappa_score

from db import Label
from reader import agreement
from reader.agreement import Unit, cohen_kappa, compute, krippendorff_alpha, token_counts

LABELS = [
    Label("fact", "segment", None, "#000000", "sentence"),
    Label("opinion", "segment", None, "#000000", "sentence"),
    Label("boilerplate", "segment", None, "#000000", "paragraph"),
    Label("entity", "entity", None, "#000000", "word"),
]
LAYER = {l.name: l.layer for l in LABELS}

# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", the nominal example:
# four observers, twelve units, values 1-5, "." where an observer gave none.
N = None
WORKED = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, N, N, N],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, N, 3],
    [N, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, N],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, N],
]


def oracle_alpha(rows) -> float:
    data = np.array([[np.nan if v is None else v for v in row] for row in rows], dtype=float)
    return krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")


def nltk_task(rows) -> AnnotationTask:
    triples = [
        (f"c{c}", f"u{u}", str(v)) for c, row in enumerate(rows) for u, v in enumerate(row)
        if v is not None
    ]
    return AnnotationTask(data=triples)


def test_krippendorffs_worked_example_gives_0743():
    units = list(zip(*WORKED))
    value = krippendorff_alpha(units)
    assert round(value, 3) == 0.743
    assert value == pytest.approx(oracle_alpha(WORKED), abs=1e-12)
    assert value == pytest.approx(nltk_task(WORKED).alpha(), abs=1e-12)


def test_alpha_takes_counted_units_as_repeated_units():
    units = list(zip(*WORKED))
    counted = {}
    for u in units:
        counted[u] = counted.get(u, 0) + 1
    assert krippendorff_alpha(counted) == pytest.approx(krippendorff_alpha(units))
    doubled = {u: 2 * n for u, n in counted.items()}
    assert krippendorff_alpha(doubled) == pytest.approx(oracle_alpha([row * 2 for row in WORKED]))


@pytest.mark.parametrize("seed", range(8))
def test_alpha_matches_nltk_and_krippendorff_with_missing_values(seed):
    rng = random.Random(seed)
    coders, units = rng.randrange(2, 6), rng.randrange(5, 60)
    values = "abcd"[: rng.randrange(2, 5)]
    truth = [rng.choice(values) for _ in range(units)]
    rows = [
        [
            None if rng.random() < 0.2 else (t if rng.random() < 0.7 else rng.choice(values))
            for t in truth
        ]
        for _ in range(coders)
    ]
    ours = krippendorff_alpha(list(zip(*rows)))
    numeric = [[None if v is None else values.index(v) for v in row] for row in rows]
    assert ours == pytest.approx(oracle_alpha(numeric), abs=1e-9)
    # nltk counts a unit with a single value in its totals; give it only pairable units.
    pairable = [u for u in range(units) if sum(row[u] is not None for row in rows) >= 2]
    trimmed = [[row[u] for u in pairable] for row in rows]
    assert ours == pytest.approx(nltk_task(trimmed).alpha(), abs=1e-9)


def test_alpha_undefined_without_variation_or_pairs():
    assert krippendorff_alpha([("a", "a"), ("a", "a")]) is None
    assert krippendorff_alpha([("a", None), (None, "b")]) is None
    assert krippendorff_alpha([]) is None
    assert krippendorff_alpha([("a", "a"), ("b", "b")]) == 1.0


@pytest.mark.parametrize("seed", range(8))
def test_kappa_matches_scikit_learn_and_nltk(seed):
    rng = random.Random(100 + seed)
    values = ["none", "fact", "opinion", "boilerplate"][: rng.randrange(2, 5)]
    a = [rng.choice(values) for _ in range(rng.randrange(10, 300))]
    b = [x if rng.random() < 0.6 else rng.choice(values) for x in a]
    pairs = {}
    for x, y in zip(a, b):
        pairs[x, y] = pairs.get((x, y), 0) + 1
    ours = cohen_kappa(pairs)
    assert ours == pytest.approx(cohen_kappa_score(a, b), abs=1e-12)
    assert ours == pytest.approx(nltk_task([a, b]).kappa(), abs=1e-12)


def test_kappa_undefined_when_both_use_one_value():
    assert cohen_kappa({("none", "none"): 10}) is None
    assert cohen_kappa({}) is None
    assert cohen_kappa({("a", "a"): 5, ("b", "b"): 5}) == 1.0


# -- token and sentence values against a plain loop ---------------------------------------------


def plain_token_labels(text, spans):
    """Each whitespace-separated token's label: the span covering its middle character."""
    out = []
    for m in re.finditer(r"\S+", text):
        mid = (m.start() + m.end() - 1) // 2
        hits = [label for s, e, label in spans if s <= mid < e]
        out.append(hits[0] if hits else "none")
    return out


def random_text(rng):
    words = ["The", "council", "met", "(BBC)", "“We", "said,”", "£4.2m", "on", "Monday.", "x"]
    lines = []
    for _ in range(rng.randrange(1, 5)):
        lines.append(" ".join(rng.choice(words) for _ in range(rng.randrange(0, 25))))
    return ("\n" if rng.random() < 0.5 else "\n\n  ").join(lines) + (" " if rng.random() < 0.3 else "")


def random_spans(rng, text, labels, cover=0.6):
    """Non-overlapping spans at random character offsets (mid-token edges included)."""
    out, pos = [], 0
    while pos < len(text):
        start = pos + rng.randrange(0, 12)
        end = start + rng.randrange(1, 30)
        if end > len(text):
            break
        if rng.random() < cover:
            out.append((start, end, rng.choice(labels)))
        pos = end + rng.randrange(0, 3)
    return out


@pytest.mark.parametrize("seed", range(40))
def test_token_counts_match_a_loop_over_tokens(seed):
    rng = random.Random(seed)
    text = random_text(rng)
    spans = [random_spans(rng, text, ["fact", "opinion"]) for _ in range(3)]
    counts = token_counts(text, spans)
    expected = {}
    for key in zip(*(plain_token_labels(text, s) for s in spans)):
        expected[key] = expected.get(key, 0) + 1
    assert dict(counts) == expected


def make_units(seed, annotators=("ann", "bo", "cy"), n=12):
    rng = random.Random(seed)
    units = []
    for i in range(n):
        text = random_text(rng)
        base = random_spans(rng, text, ["fact", "opinion", "boilerplate"], 0.8)
        ents = random_spans(rng, text, ["entity"], 0.3)
        spans = {}
        for a in annotators:
            seg = [s for s in base if rng.random() < 0.8]
            seg += [s for s in random_spans(rng, text, ["fact", "opinion"], 0.2)
                    if not any(s[0] < t[1] and t[0] < s[1] for t in seg)]
            ent = [s for s in ents if rng.random() < 0.7]
            spans[a] = sorted(seg + ent)
        units.append(Unit(i + 1, text, spans, f"article {i + 1}"))
    return units


@pytest.mark.parametrize("seed", range(6))
def test_token_kappa_and_alpha_match_the_oracles(seed):
    annotators = ["ann", "bo", "cy"]
    units = make_units(seed, annotators)
    report = compute(units, annotators, LABELS)
    for layer in ("segment", "entity"):
        per = {a: [] for a in annotators}
        for unit in units:
            for a in annotators:
                per[a] += plain_token_labels(
                    unit.text, [s for s in unit.spans[a] if LAYER[s[2]] == layer]
                )
        assert report.tokens[layer] == len(per["ann"])
        for pair in report.pairs:
            expected = cohen_kappa_score(per[pair.a], per[pair.b])
            assert pair.kappa[layer] == pytest.approx(expected, abs=1e-9)
        categories = sorted({v for row in per.values() for v in row})
        numeric = [[categories.index(v) for v in per[a]] for a in annotators]
        assert report.alpha[layer] == pytest.approx(oracle_alpha(numeric), abs=1e-9)
        for label in (l.name for l in LABELS if l.layer == layer):
            binary = [[int(v == label) for v in per[a]] for a in annotators]
            if len({v for row in binary for v in row}) > 1:
                assert report.alpha_by_label[label] == pytest.approx(oracle_alpha(binary), abs=1e-9)
                for pair in report.pairs:
                    i, j = annotators.index(pair.a), annotators.index(pair.b)
                    assert pair.kappa_by_label[label] == pytest.approx(
                        cohen_kappa_score(binary[i], binary[j]), abs=1e-9
                    )


def test_sentence_alpha_matches_the_oracle():
    from reader.text.segment import sentences

    annotators = ["ann", "bo"]
    units = make_units(3, annotators, n=15)
    report = compute(units, annotators, LABELS, sentences=sentences)
    rows = {a: [] for a in annotators}
    for unit in units:
        for s, e in sentences(unit.text):
            mid = (s + e - 1) // 2
            for a in annotators:
                hit = [l for x, y, l in unit.spans[a] if x <= mid < y and LAYER[l] == "segment"]
                rows[a].append(hit[0] if hit and hit[0] in ("fact", "opinion") else "other")
    assert report.sentences == len(rows["ann"])
    cats = ["fact", "opinion", "other"]
    numeric = [[cats.index(v) for v in rows[a]] for a in annotators]
    assert report.sentence_alpha["overall"] == pytest.approx(oracle_alpha(numeric), abs=1e-9)
    for label in ("fact", "opinion"):
        binary = [[int(v == label) for v in rows[a]] for a in annotators]
        assert report.sentence_alpha[label] == pytest.approx(oracle_alpha(binary), abs=1e-9)
    assert "boilerplate" not in report.sentence_alpha


# -- span F1 on hand-worked cases ---------------------------------------------------------------


TEXT = "One two three four five six seven eight nine ten eleven twelve thirteen fourteen."


def test_exact_and_overlap_f1_by_hand():
    a = [(0, 7, "fact"), (8, 18, "opinion"), (19, 27, "fact"), (28, 33, "entity")]
    b = [(0, 7, "fact"), (8, 13, "opinion"), (19, 27, "opinion"), (28, 33, "entity"), (40, 44, "fact")]
    report = compute([Unit(1, TEXT, {"a": a, "b": b})], ["a", "b"], LABELS, min_units=1)
    pair = report.pairs[0]
    # exact: fact (0,7) and entity (28,33) are shared; |A| = 4, |B| = 5
    assert pair.exact["overall"] == pytest.approx(2 * 2 / 9)
    assert pair.exact["fact"] == pytest.approx(2 * 1 / (2 + 2))
    assert pair.exact["opinion"] == 0.0
    assert pair.exact["entity"] == 1.0
    assert pair.exact["boilerplate"] is None
    # overlap adds opinion (8,18)~(8,13); fact (19,27) is opinion for b: no match
    assert pair.overlap["overall"] == pytest.approx(2 * 3 / 9)
    assert pair.overlap["opinion"] == pytest.approx(2 * 1 / (1 + 2))
    assert report.warnings == []


def test_overlap_pairs_one_to_one_by_largest_overlap():
    # b's long span overlaps both of a's; it pairs with the one it shares most with (16 > 5),
    # and the other of a's finds b's short span.
    a = [(0, 10, "fact"), (12, 30, "fact")]
    b = [(5, 28, "fact"), (0, 4, "fact")]
    assert agreement.overlap_matches(a, b) == 2
    assert agreement.overlap_matches(a, b[:1]) == 1
    # Greedy, not a maximum matching: (10, 30) takes (5, 28) (18 shared), and (0, 10), which
    # could have had it, is left without; (28, 32) overlaps only the span already taken.
    assert agreement.overlap_matches([(0, 10, "fact"), (10, 30, "fact")],
                                     [(5, 28, "fact"), (28, 32, "fact")]) == 1
    # Labels must agree.
    assert agreement.overlap_matches([(0, 10, "fact")], [(0, 10, "opinion")]) == 0
    # Touching is not overlapping.
    assert agreement.overlap_matches([(0, 10, "fact")], [(10, 20, "fact")]) == 0


def test_greedy_takes_largest_overlap_first():
    # a1 overlaps b1 by 8 and b2 by 2; a2 overlaps b2 by 3. Largest first pairs a1-b1, a2-b2.
    a = [(0, 10, "fact"), (12, 20, "fact")]
    b = [(2, 10, "fact"), (10, 15, "fact")]
    report = compute([Unit(1, "x" * 40, {"a": a, "b": b})], ["a", "b"], LABELS, min_units=1)
    assert report.pairs[0].overlap_matches == {"fact": 2}


def test_identical_annotators_agree_perfectly():
    units = make_units(7, ["ann"], n=10)
    twins = [Unit(u.article_id, u.text, {"ann": u.spans["ann"], "bo": u.spans["ann"]}) for u in units]
    report = compute(twins, ["ann", "bo"], LABELS)
    pair = report.pairs[0]
    assert pair.exact["overall"] == 1.0 and pair.overlap["overall"] == 1.0
    assert pair.kappa["segment"] == pytest.approx(1.0)
    assert report.alpha["segment"] == pytest.approx(1.0)
    assert report.alpha["entity"] == pytest.approx(1.0)


def test_warning_below_twenty_units_and_none_at_twenty():
    units = make_units(1, ["a", "b"], n=20)
    assert compute(units[:19], ["a", "b"], LABELS).warnings
    assert "19 articles" in compute(units[:19], ["a", "b"], LABELS).warnings[0]
    assert compute(units, ["a", "b"], LABELS).warnings == []


def test_per_article_scores_least_agreed_first():
    good = Unit(1, TEXT, {"a": [(0, 7, "fact")], "b": [(0, 7, "fact")]}, "agreed")
    bad = Unit(2, TEXT, {"a": [(0, 7, "fact")], "b": [(0, 7, "opinion")]}, "disputed")
    half = Unit(3, TEXT, {"a": [(0, 7, "fact"), (8, 13, "fact")], "b": [(0, 7, "fact")]}, "half")
    report = compute([good, bad, half], ["a", "b"], LABELS, per_article=True)
    assert [s.article_id for s in report.articles] == [2, 3, 1]
    assert report.articles[0].overlap == 0.0
    assert report.articles[1].exact == pytest.approx(2 / 3)
    assert report.articles[2].alpha["segment"] == pytest.approx(1.0)


def test_focus_label_scores_articles_on_that_label():
    one = Unit(1, TEXT, {"a": [(0, 7, "fact"), (8, 13, "opinion")], "b": [(0, 7, "fact")]})
    two = Unit(2, TEXT, {"a": [(0, 7, "fact")], "b": [(0, 7, "opinion")]})
    report = compute([one, two], ["a", "b"], LABELS, per_article=True, focus="opinion")
    assert [s.overlap for s in report.articles] == [0.0, 0.0]
    assert [s.spans for s in sorted(report.articles, key=lambda s: s.article_id)] == [1, 1]
    assert set(report.articles[0].alpha) == {"segment"}
    with pytest.raises(ValueError):
        compute([one], ["a", "b"], LABELS, focus="nope")


def test_needs_two_annotators():
    with pytest.raises(ValueError):
        compute([], ["a"], LABELS)


def test_nothing_shared_gives_undefined_figures_not_errors():
    report = compute([], ["a", "b"], LABELS)
    assert report.units == 0 and report.pairs[0].exact["overall"] is None
    assert report.alpha["segment"] is None
    assert not math.isnan(report.pairs[0].kappa["segment"] or 0.0)


def test_nested_spans_of_one_label_use_the_plain_greedy_matching():
    # Imported data may nest two spans of one label; exact matches are then not taken first.
    a = [(0, 20, "fact"), (5, 10, "fact")]
    b = [(5, 10, "fact"), (0, 4, "fact")]
    report = compute([Unit(1, "y" * 30, {"a": a, "b": b})], ["a", "b"], LABELS, min_units=1)
    # candidates: a(5,10)-b(5,10) 5, a(0,20)-b(5,10) 5, a(0,20)-b(0,4) 4: ties by earlier start
    # in a take a(0,20)-b(5,10) first, then a(5,10) finds nothing and b(0,4) nothing.
    assert agreement.overlap_matches(a, b) == 1
    assert report.pairs[0].overlap_matches == {"fact": 1}
    assert report.pairs[0].exact_matches == {"fact": 1}
