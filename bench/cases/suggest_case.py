"""Suggestions: how long they take, how good they are, and what they save.

On the constructed collection of tests/suggest_collection.py (two sites, a recurring cast of
names, fact and opinion sentences, each with the tags a careful annotator gives):
- time to compute every suggestion for one article (names, boilerplate, the classifier's
  sentence labels) with a third of the collection tagged, median over the untagged articles;
- time to retrain the fact/opinion classifier (held-out evaluation plus the refit) at 500,
  2,000 and 5,000 tagged sentences;
- precision and recall against the gold tags of the untagged articles: names tagged elsewhere,
  boilerplate of a site already seen, boilerplate with no tags at all (lines repeating across
  the site's pages, and the rules), and by the rules alone;
- keys per article for an annotator who knows the gold tags, without suggestions (a motion and a
  label key per span) and with them (per label: accept all, then fix each wrong one with a motion
  and delete, then tag what was missed as without).
Pure functions, no UI; and, through the app (bench/ui_child.py), key→frame p99 on an article of
that collection with suggestions on (recomputed in the background after every tag, and the
classifier retrained every few tags, while the next keys arrive) and off, runs taken in turn.
"""

from __future__ import annotations

import statistics
import sys
from statistics import median
import time
from pathlib import Path

from cases.common import Result

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests"))

from suggest_collection import make_collection  # noqa: E402

from reader.suggest import classify  # noqa: E402
from reader.suggest.boilerplate import suggest_boilerplate  # noqa: E402
from reader.suggest.engine import suggest_article  # noqa: E402
from reader.suggest.model import Corpus, Doc, LabelInfo  # noqa: E402
from reader.suggest.names import Gazetteer, suggest_names  # noqa: E402

LABELS = [
    LabelInfo("fact", "segment", "sentence"),
    LabelInfo("opinion", "segment", "sentence"),
    LabelInfo("boilerplate", "segment", "paragraph"),
    LabelInfo("entity", "entity", "word"),
]


def _corpus(n: int, tagged: int, seed: int = 11):
    made = make_collection(n, seed=seed)
    gold = {i + 1: Doc(i + 1, m.text, m.site, m.spans) for i, m in enumerate(made)}
    docs = {i: Doc(i, d.text, d.site, list(d.spans) if i <= tagged else []) for i, d in gold.items()}
    return Corpus(docs, LABELS), gold


def _pr(found: set, gold: set) -> tuple[float, float]:
    right = len(found & gold)
    return right / max(1, len(found)), right / max(1, len(gold))


def _keys(found, gold_spans) -> tuple[int, int]:
    """Keys without and with suggestions for one article (see the module's docstring)."""
    gold = set(gold_spans)
    without = 2 * len(gold)
    with_ = 0
    accepted = set()
    for label in {s.label for s in found}:
        mine = [s for s in found if s.label == label]
        if not any(s.key in gold for s in mine):
            continue
        with_ += 1  # accept all of this label
        for s in mine:
            if s.key in gold:
                accepted.add(s.key)
            else:
                with_ += 2  # go to it, delete it
    with_ += 2 * len(gold - accepted)
    return without, with_


def case_suggest(work: Path, quick: bool) -> list[Result]:
    n = 90 if quick else 300
    corpus, gold = _corpus(n, n // 3)
    model = classify.train_on(corpus)
    untagged = [i for i in corpus.docs if i > n // 3]
    times, keys_without, keys_with = [], 0, 0
    for i in untagged[: 30 if quick else 100]:
        t0 = time.perf_counter()
        found = suggest_article(corpus, i, model=model)
        times.append(time.perf_counter() - t0)
        a, b = _keys(found, gold[i].spans)
        keys_without += a
        keys_with += b
    per_article = statistics.median(times) * 1000
    results = [
        Result("suggest", f"{n} articles, a third tagged", per_article, "ms per article", None, None,
               "≤ 250 ms (in a worker)", per_article <= 250,
               note="names + boilerplate + classifier labels; median over untagged articles"),
    ]
    saved = 1 - keys_with / keys_without
    results.append(Result(
        "suggest", f"{len(times)} articles", 100 * saved, "% fewer keys", None, None, "≥ 50 %",
        saved >= 0.5, note=f"{keys_without} keys without, {keys_with} with; simulated annotator",
    ))
    # Quality against the gold tags of the untagged articles.
    gaz = Gazetteer.build(corpus)
    found_n, gold_n, found_b, gold_b, found_r, found_0 = set(), set(), set(), set(), set(), set()
    empty = Corpus({i: Doc(i, d.text, d.site, []) for i, d in corpus.docs.items()}, LABELS)
    for i in untagged:
        doc = corpus.docs[i]
        found_n |= {(i, *s.key) for s in suggest_names(corpus, doc, gaz, finder_too=False)}
        gold_n |= {(i, s, e, l) for s, e, l in gold[i].spans if l == "entity" and gaz.tagged[doc.text[s:e]]}
        found_b |= {(i, *s.key) for s in suggest_boilerplate(corpus, doc)}
        gold_b |= {(i, *g) for g in gold[i].spans if g[2] == "boilerplate"}
        found_0 |= {(i, *s.key) for s in suggest_boilerplate(empty, empty.docs[i])}
        found_r |= {(i, *s.key) for s in suggest_boilerplate(empty, empty.docs[i], learnt=False)}
    for what, found, wanted, p_target, r_target in (
        ("names tagged elsewhere", found_n, gold_n, 0.9, 0.9),
        ("boilerplate, site seen", found_b, gold_b, 0.9, 0.85),
        ("boilerplate, no tags", found_0, gold_b, 0.9, None),
        ("boilerplate, rules alone", found_r, gold_b, 0.9, None),
    ):
        p, r = _pr(found, wanted)
        results.append(Result(
            "suggest", what, 100 * p, "% precision", None, None, f"≥ {p_target:.0%}", p >= p_target,
            note=f"{len(found)} suggested, {len(wanted)} tagged"))
        results.append(Result(
            "suggest", what, 100 * r, "% recall", None, None,
            f"≥ {r_target:.0%}" if r_target else "reported", r_target is None or r >= r_target,
            note=f"{len(found & wanted)} exactly right"))
    # Retraining.
    big, _ = _corpus(420 if not quick else 170, 10**6, seed=12)
    texts, labels = classify.examples(big)
    for size in ((500, 2000) if quick else (500, 2000, 5000)):
        if len(texts) < size:
            continue
        t0 = time.perf_counter()
        m = classify.train(texts[:size], labels[:size], big.sentence_labels)
        took = time.perf_counter() - t0
        results.append(Result(
            "suggest", f"{size:,} tagged sentences", took, "s to retrain", None, None,
            "≤ 10 s (in the background)", took <= 10,
            note=f"{m.kind}; held-out macro-F1 {m.evaluation.macro_f1:.2f} (templated text: easy)"))
    return results


def _suggest_db(work: Path) -> tuple[Path, int]:
    """The collection in a database, the first third tagged by the bench annotator."""
    from db import NewArticle, NewSpan, Store
    from reader.labels import default_label_file, load_labels

    path = work / "suggest-keys.db"
    if path.exists():
        path.unlink()
    made = make_collection(60, seed=11)
    with Store.open(path) as store:
        store.set_labels(load_labels(default_label_file()))
        ids = store.add_articles(
            NewArticle(m.title, m.text, source=m.site, url=m.url,
                       spans=[NewSpan(s, e, l, "bench") for s, e, l in m.spans] if i < 20 else [])
            for i, m in enumerate(made)
        ).ids
    longest = max(range(20, 60), key=lambda i: len(made[i].text))
    return path, ids[longest]


def case_suggest_keys(work: Path, quick: bool) -> list[Result]:
    from cases.common import p99
    from cases.ui_cases import child

    reps = 20  # the tags move on a sentence each: more would run off the article's end
    runs: dict[str, list[float]] = {"on": [], "off": []}
    for _ in range(1 if quick else 4):
        for mode in ("on", "off"):
            path, article = _suggest_db(work)  # afresh: a run tags the article it reads
            # 0.42 s apart: each key after a tag lands soon after the recompute (0.4 s after the
            # change) starts; a recompute of this article is short, the classifier's retraining
            # (the first one included) is not, and keys land on it too.
            out, _ = child("suggest-keys", path, article, "l,1", reps, 0.42, mode)
            runs[mode] += out["wall"]
    on, off = p99(runs["on"]), p99(runs["off"])
    return [Result(
        "suggest-keys", "tag and move, suggestions on", on * 1e3, "ms p99", off * 1e3, on / off,
        "ratio ≤ 1.3", on / off <= 1.3,
        note=f"baseline: suggestions off; p50 {median(runs['on'])*1e3:.1f} vs "
             f"{median(runs['off'])*1e3:.1f} ms; n={len(runs['on'])} each; "
             "keys land during recomputes and retrainings")]
