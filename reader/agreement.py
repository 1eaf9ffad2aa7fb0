"""Inter-annotator agreement: span F1, Cohen's kappa and Krippendorff's alpha.

Pure: plain data in, plain data out (no UI, no database). `compute` takes the articles every
compared annotator has finished, each with the annotators' spans, and reports:

- span level, for each pair and each label (and all labels pooled): exact F1, 2|A∩B| / (|A|+|B|)
  over (start, end, label), and overlap F1, the same with a match being two spans of the same
  label that share at least one character, paired one to one, greedily, largest shared length
  first (ties: earlier start in A, then in B);
- token level, per layer (each label of the layer, or "none"): Cohen's kappa for each pair and
  Krippendorff's alpha (nominal) over all annotators, plus each label alone (it / not it);
- sentence level: alpha over the sentences, each valued by the sentence-unit label (fact,
  opinion in the default set) covering its middle character, else "other";
- counts of units, spans, tokens and sentences, warnings, and, on request, a score per article.

Tokens are runs of non-whitespace; a token carries the label of the span that covers its middle
character. Counting them needs no token list: an annotator's label is constant between two
consecutive span edges (of any annotator), so each article is cut at those edges and the tokens
of each piece are counted in C (a regular expression over the text), which keeps the whole
computation near the cost of reading the spans.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from itertools import combinations

NONE = "none"
OTHER = "other"
MIN_UNITS = 20
OVERALL = "overall"
MATCHING_RULE = (
    "overlap match: same label and at least one shared character; one to one, greedily by "
    "largest shared length (ties: earlier start)"
)

SpanTuple = tuple[int, int, str]


# -- the coefficients --------------------------------------------------------------------------


def cohen_kappa(pairs: Mapping[tuple[str, str], float]) -> float | None:
    """Cohen's kappa from counts of (value by A, value by B); None when chance agreement is
    total (both gave one and the same value throughout) or there is nothing to compare."""
    total = sum(pairs.values())
    if total <= 0:
        return None
    observed = sum(n for (a, b), n in pairs.items() if a == b) / total
    left: dict[str, float] = defaultdict(float)
    right: dict[str, float] = defaultdict(float)
    for (a, b), n in pairs.items():
        left[a] += n
        right[b] += n
    expected = sum(left[c] * right[c] for c in left) / (total * total)
    if expected >= 1.0:
        return None
    return (observed - expected) / (1.0 - expected)


def krippendorff_alpha(units: Mapping[tuple, float] | Iterable[Sequence]) -> float | None:
    """Krippendorff's alpha for nominal data, missing values allowed.

    `units` is either a sequence of units (each the values the coders gave it, None where a
    coder gave none) or a mapping from such a tuple of values to how many units have exactly
    those values. Units with fewer than two values are not pairable and are left out. None when
    alpha is undefined: fewer than two pairable values, or only one value ever used (no
    disagreement is possible, and none is expected).
    """
    items = units.items() if isinstance(units, Mapping) else ((tuple(u), 1) for u in units)
    coincidence: dict[tuple, float] = defaultdict(float)
    for values, weight in items:
        present = Counter(v for v in values if v is not None)
        m = sum(present.values())
        if m < 2 or not weight:
            continue
        share = weight / (m - 1)
        for a, na in present.items():
            for b, nb in present.items():
                pairs = na * (nb - 1) if a == b else na * nb
                if pairs:
                    coincidence[a, b] += pairs * share
    marginal: dict[str, float] = defaultdict(float)
    for (a, _b), n in coincidence.items():
        marginal[a] += n
    n = sum(marginal.values())
    if n <= 1:
        return None
    observed = sum(v for (a, b), v in coincidence.items() if a != b)
    squares = sum(v * v for v in marginal.values())
    expected = n * n - squares  # sum over c != k of n_c n_k
    if expected <= 0:
        return None
    return 1.0 - (n - 1) * observed / expected


def f1(matches: int, size_a: int, size_b: int) -> float | None:
    """2 matches / (|A| + |B|); None when neither has anything."""
    total = size_a + size_b
    return 2 * matches / total if total else None


def overlap_matches(a: Sequence[SpanTuple], b: Sequence[SpanTuple]) -> int:
    """How many one-to-one overlap matches the two span lists of one article have.

    Same label, at least one character in common; candidates are taken greedily, largest
    shared length first (ties: earlier start in `a`, then in `b`)."""
    by_label_a: dict[str, list[tuple[int, int]]] = defaultdict(list)
    by_label_b: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for s, e, label in a:
        by_label_a[label].append((s, e))
    for s, e, label in b:
        by_label_b[label].append((s, e))
    total = 0
    for label, left in by_label_a.items():
        right = by_label_b.get(label)
        if right:
            total += _greedy(sorted(left), sorted(right))
    return total


def _greedy(left: list[tuple[int, int]], right: list[tuple[int, int]]) -> int:
    candidates = []
    # One annotator's spans of one label normally never overlap, but imported data may nest
    # them; the running maximum of the right ends lets each left span skip the right spans
    # that all end before it starts, whatever their order.
    reach = []
    top = 0
    for _rs, re_ in right:
        top = max(top, re_)
        reach.append(top)
    j0 = 0
    for i, (s, e) in enumerate(left):
        while j0 < len(right) and reach[j0] <= s:
            j0 += 1
        for j in range(j0, len(right)):
            rs, re_ = right[j]
            if rs >= e:
                break
            shared = min(e, re_) - max(s, rs)
            if shared > 0:
                candidates.append((-shared, s, rs, i, j))
    if not candidates:
        return 0
    candidates.sort()
    used_l: set[int] = set()
    used_r: set[int] = set()
    for _shared, _s, _rs, i, j in candidates:
        if i not in used_l and j not in used_r:
            used_l.add(i)
            used_r.add(j)
    return len(used_l)


# -- token and sentence values ------------------------------------------------------------------


def _straddler(text: str, x: int) -> int:
    """1 when a token runs across `x` and its middle character is at or after `x`, else 0."""
    if x <= 0 or x >= len(text) or text[x - 1].isspace() or text[x].isspace():
        return 0
    s = x - 1
    while s > 0 and not text[s - 1].isspace():
        s -= 1
    e = x + 1
    while e < len(text) and not text[e].isspace():
        e += 1
    return 1 if (s + e - 1) // 2 >= x else 0


def tokens_below(text: str, points: Iterable[int]) -> dict[int, int]:
    """For each offset, how many tokens have their middle character before it.

    Tokens are what `str.split()` finds; each piece between two points is split in C, and the
    token a point falls inside (if any) is given to the side its middle character is on."""
    out: dict[int, int] = {}
    count = 0
    prev = 0
    inside = False  # whether `prev` cuts a token (its piece then starts with a token's tail)
    n = len(text)
    for x in sorted(set(points)):
        if x > prev:
            count += len(text[prev:x].split()) - inside
        inside = 0 < x < n and not text[x - 1].isspace() and not text[x].isspace()
        out[x] = count - _straddler(text, x) if inside else count
        prev = x
    return out


def _label_runs(
    points: Sequence[int], spans_by_annotator: Sequence[Sequence[SpanTuple]]
) -> list[tuple]:
    """The tuple of labels (NONE where no span) at each of `points`, sorted, for every
    annotator; each annotator's spans must be sorted and must not overlap."""
    columns = []
    for spans in spans_by_annotator:
        column = []
        c = 0
        n = len(spans)
        for x in points:
            while c < n and spans[c][1] <= x:
                c += 1
            column.append(spans[c][2] if c < n and spans[c][0] <= x else NONE)
        columns.append(column)
    return list(zip(*columns))


def token_counts(
    text: str, spans_by_annotator: Sequence[Sequence[SpanTuple]],
    below: Mapping[int, int] | None = None,
) -> Counter:
    """Counts of tokens by the tuple of labels the annotators gave them (NONE for no span).

    The spans of each annotator must not overlap one another (one layer's spans). `below` may
    carry `tokens_below` for a superset of the span edges (to split the text once for all
    layers)."""
    cuts = {0, len(text)}
    for spans in spans_by_annotator:
        for s, e, _label in spans:
            cuts.add(s)
            cuts.add(e)
    points = sorted(c for c in cuts if 0 <= c <= len(text))
    if below is None:
        below = tokens_below(text, points)
    lists = [sorted(spans) for spans in spans_by_annotator]
    keys = _label_runs(points, lists)
    out: Counter = Counter()
    for i in range(len(points) - 1):
        n = below[points[i + 1]] - below[points[i]]
        if n > 0:
            out[keys[i]] += n
    return out


def sentence_values(
    sentences: Sequence[tuple[int, int]],
    spans_by_annotator: Sequence[Sequence[SpanTuple]],
    wanted: set[str],
) -> Counter:
    """Counts of sentences by the tuple of values the annotators gave them: the label in
    `wanted` of the span covering the sentence's middle character, else OTHER."""
    out: Counter = Counter()
    lists = [sorted(spans) for spans in spans_by_annotator]
    starts = [[s for s, _e, _l in spans] for spans in lists]
    for s, e in sentences:
        mid = (s + e - 1) // 2
        key = []
        for spans, begin in zip(lists, starts):
            k = bisect_right(begin, mid) - 1
            value = OTHER
            if k >= 0 and spans[k][1] > mid and spans[k][2] in wanted:
                value = spans[k][2]
            key.append(value)
        out[tuple(key)] += 1
    return out


# -- the report ---------------------------------------------------------------------------------


@dataclass
class Unit:
    """One article every compared annotator has finished, with their spans."""

    article_id: int
    text: str
    spans: Mapping[str, Sequence[SpanTuple]]
    title: str = ""


@dataclass
class PairScores:
    a: str
    b: str
    exact: dict[str, float | None]  # label or OVERALL -> F1
    overlap: dict[str, float | None]
    kappa: dict[str, float | None]  # layer -> kappa
    kappa_by_label: dict[str, float | None]
    exact_matches: dict[str, int]
    overlap_matches: dict[str, int]


@dataclass
class ArticleScore:
    article_id: int
    title: str
    spans: int
    exact: float | None
    overlap: float | None
    alpha: dict[str, float | None]  # layer -> alpha on this article

    @property
    def sort_key(self) -> tuple:
        # Nothing to compare counts as agreed; an undefined alpha means one value throughout.
        first = 1.0 if self.overlap is None else self.overlap
        rest = [1.0 if v is None else v for v in self.alpha.values()]
        return (first, *rest, self.article_id)


@dataclass
class Report:
    annotators: list[str]
    labels: list[str]
    units: int
    spans: dict[str, dict[str, int]]  # annotator -> label -> count, in the units
    tokens: dict[str, int]  # layer -> tokens compared
    sentences: int | None
    pairs: list[PairScores]
    alpha: dict[str, float | None]  # layer -> alpha
    alpha_by_label: dict[str, float | None]  # label alone, token level
    sentence_alpha: dict[str, float | None] | None  # OVERALL and each sentence-unit label
    warnings: list[str] = field(default_factory=list)
    articles: list[ArticleScore] | None = None
    focus: str | None = None
    matching: str = MATCHING_RULE

    def to_dict(self) -> dict:
        out = asdict(self)
        if self.articles is None:
            out["articles"] = None
        return out


def _binary(counts: Mapping[tuple, int], label: str) -> Counter:
    out: Counter = Counter()
    for key, n in counts.items():
        out[tuple(v == label for v in key)] += n
    return out


def _pair_counts(counts: Mapping[tuple, int], i: int, j: int) -> Counter:
    out: Counter = Counter()
    for key, n in counts.items():
        out[key[i], key[j]] += n
    return out


def compute(
    units: Iterable[Unit],
    annotators: Sequence[str],
    labels: Sequence,
    *,
    sentences: Callable[[str], Sequence[tuple[int, int]]] | None = None,
    per_article: bool = False,
    focus: str | None = None,
    min_units: int = MIN_UNITS,
    tokens_level: bool = True,
) -> Report:
    """Agreement among `annotators` over `units`.

    `labels` are the label set (objects with `name`, `layer` and `unit`); `sentences` splits a
    text into sentence spans (None: no sentence level); `tokens_level` False leaves out the
    token level (kappa, alpha), for a quick span-level summary. `focus` names one label: the
    article scores are then that label's (span F1 on it, token alpha of it against the rest).
    """
    annotators = list(annotators)
    if len(annotators) < 2:
        raise ValueError("agreement needs at least two annotators")
    layer_of = {label.name: label.layer for label in labels}
    names = [label.name for label in labels]
    layers = [layer for layer in ("segment", "entity") if layer in layer_of.values()]
    if not tokens_level:
        layers = []  # span level only (quick): no token counts, kappa or alpha
    sentence_labels = {
        label.name for label in labels if label.layer == "segment" and label.unit == "sentence"
    }
    if focus is not None and focus not in layer_of:
        raise ValueError(f"unknown label {focus!r}")
    pairs = list(combinations(range(len(annotators)), 2))

    span_counts: dict[str, Counter[str]] = {a: Counter() for a in annotators}
    exact: dict[tuple[int, int], Counter[str]] = {p: Counter() for p in pairs}
    overlap: dict[tuple[int, int], Counter[str]] = {p: Counter() for p in pairs}
    tokens: dict[str, Counter] = {layer: Counter() for layer in layers}
    sentence_counts: Counter | None = Counter() if sentences and sentence_labels else None
    split = sentences if sentence_counts is not None else None
    scores: list[ArticleScore] = []
    n_units = 0
    for unit in units:
        n_units += 1
        spans = [list(unit.spans.get(a, ())) for a in annotators]
        if focus is not None:
            scored = [[s for s in one if s[2] == focus] for one in spans]
        for a, one in zip(annotators, spans):
            span_counts[a].update(label for _s, _e, label in one)
        by_label = [_group(one) for one in spans]
        article_exact = article_overlap = article_size = 0
        for p in pairs:
            i, j = p
            right_labels = by_label[j]
            for label, (left, left_apart) in by_label[i].items():
                found = right_labels.get(label)
                if not found:
                    continue
                right, right_apart = found
                shared = left & right
                m = len(shared)
                if left_apart and right_apart:
                    # Spans that do not overlap their own kind: an exact match is a pair no
                    # other candidate touches, so greedy takes it; only the rest need matching.
                    o = m
                    if m < len(left) and m < len(right):
                        o += _greedy(sorted(left - shared), sorted(right - shared))
                else:
                    o = _greedy(sorted(left), sorted(right))
                if m:
                    exact[p][label] += m
                if o:
                    overlap[p][label] += o
                if per_article and (focus is None or label == focus):
                    article_exact += m
                    article_overlap += o
            if per_article:
                if focus is None:
                    article_size += len(spans[i]) + len(spans[j])
                else:
                    article_size += len(scored[i]) + len(scored[j])
        article_alpha: dict[str, float | None] = {}
        below = tokens_below(unit.text, _edges(unit.text, spans)) if layers else {}
        for layer in layers:
            on_layer = [[s for s in one if layer_of.get(s[2]) == layer] for one in spans]
            counts = token_counts(unit.text, on_layer, below)
            tokens[layer].update(counts)
            if per_article and (focus is None or layer_of[focus] == layer):
                article_alpha[layer] = krippendorff_alpha(
                    counts if focus is None else _binary(counts, focus)
                )
        if sentence_counts is not None:
            on_segment = [[s for s in one if layer_of.get(s[2]) == "segment"] for one in spans]
            sentence_counts.update(
                sentence_values(split(unit.text) if split else (), on_segment, sentence_labels)
            )
        if per_article:
            scores.append(
                ArticleScore(
                    unit.article_id,
                    unit.title,
                    sum(len(one) for one in (spans if focus is None else scored)),
                    f1(article_exact, article_size, 0) if article_size else None,
                    f1(article_overlap, article_size, 0) if article_size else None,
                    article_alpha,
                )
            )

    pair_scores = []
    for p in pairs:
        i, j = p
        a, b = annotators[i], annotators[j]
        ex: dict[str, float | None] = {}
        ov: dict[str, float | None] = {}
        for label in names:
            ex[label] = f1(exact[p][label], span_counts[a][label], span_counts[b][label])
            ov[label] = f1(overlap[p][label], span_counts[a][label], span_counts[b][label])
        size_a, size_b = sum(span_counts[a].values()), sum(span_counts[b].values())
        ex[OVERALL] = f1(sum(exact[p].values()), size_a, size_b)
        ov[OVERALL] = f1(sum(overlap[p].values()), size_a, size_b)
        kappa = {layer: cohen_kappa(_pair_counts(tokens[layer], i, j)) for layer in layers}
        kappa_by_label = {
            label: cohen_kappa(_binary_pair(tokens[layer_of[label]], label, i, j))
            for label in names
            if layer_of[label] in tokens
        }
        pair_scores.append(
            PairScores(a, b, ex, ov, kappa, kappa_by_label, dict(exact[p]), dict(overlap[p]))
        )

    alpha = {layer: krippendorff_alpha(tokens[layer]) for layer in layers}
    alpha_by_label = {
        label: krippendorff_alpha(_binary(tokens[layer_of[label]], label))
        for label in names
        if layer_of[label] in tokens
    }
    sentence_alpha = None
    n_sentences = None
    if sentence_counts is not None:
        n_sentences = sum(sentence_counts.values())
        sentence_alpha = {OVERALL: krippendorff_alpha(sentence_counts)}
        for label in names:
            if label in sentence_labels:
                sentence_alpha[label] = krippendorff_alpha(_binary(sentence_counts, label))

    warnings = []
    if n_units < min_units:
        warnings.append(
            f"only {n_units} article{'s' if n_units != 1 else ''} done by all of "
            f"{', '.join(annotators)}: agreement on fewer than {min_units} is unreliable"
        )
    if per_article:
        scores.sort(key=lambda s: s.sort_key)
    return Report(
        annotators=annotators,
        labels=names,
        units=n_units,
        spans={a: {label: span_counts[a][label] for label in names} for a in annotators},
        tokens={layer: sum(tokens[layer].values()) for layer in layers},
        sentences=n_sentences,
        pairs=pair_scores,
        alpha=alpha,
        alpha_by_label=alpha_by_label,
        sentence_alpha=sentence_alpha,
        warnings=warnings,
        articles=scores if per_article else None,
        focus=focus,
    )


def _binary_pair(counts: Mapping[tuple, int], label: str, i: int, j: int) -> Counter:
    out: Counter = Counter()
    for key, n in counts.items():
        out[key[i] == label, key[j] == label] += n
    return out


def _group(spans: Sequence[SpanTuple]) -> dict[str, tuple[set[tuple[int, int]], bool]]:
    """label -> (its spans as (start, end), whether none of them overlap another)."""
    lists: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for s, e, label in spans:
        lists[label].append((s, e))
    out = {}
    for label, items in lists.items():
        items.sort()
        apart = all(items[k][1] <= items[k + 1][0] for k in range(len(items) - 1))
        out[label] = (set(items), apart and len(set(items)) == len(items))
    return out


def _edges(text: str, spans_by_annotator: Sequence[Sequence[SpanTuple]]) -> set[int]:
    edges = {0, len(text)}
    for spans in spans_by_annotator:
        for s, e, _label in spans:
            edges.add(s)
            edges.add(e)
    return edges
