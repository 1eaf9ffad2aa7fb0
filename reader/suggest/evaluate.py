"""How good each suggester is, measured against the annotator's own tags.

Names and boilerplate: leave one article out. For every article the annotator tagged, its spans
are hidden, suggestions are made from everything else, and each suggestion counts as right when
the annotator tagged exactly that span with that label. Sentences: the classifier is trained
with every fifth tagged article held out (five folds by article), and each held-out tagged
sentence counts as right when the suggested label is the one it got; the rules model is scored
on the same sentences.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .boilerplate import SiteMemory, suggest_boilerplate
from .model import Corpus
from .names import Gazetteer, suggest_names


@dataclass
class Score:
    suggester: str
    label: str
    suggested: int = 0
    correct: int = 0
    gold: int = 0

    @property
    def precision(self) -> float:
        return self.correct / self.suggested if self.suggested else 0.0

    @property
    def recall(self) -> float:
        return self.correct / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict:
        return {
            "suggester": self.suggester, "label": self.label, "suggested": self.suggested,
            "correct": self.correct, "gold": self.gold, "precision": round(self.precision, 3),
            "recall": round(self.recall, 3), "f1": round(self.f1, 3),
        }


def _count(score: Score, found: set, gold: set) -> None:
    score.suggested += len(found)
    score.gold += len(gold)
    score.correct += len(found & gold)


def evaluate_names(corpus: Corpus, docs: list[int] | None = None) -> list[Score]:
    entity = set(corpus.entity_labels)
    label = "/".join(corpus.entity_labels)
    matched, finder, both = Score("names: tagged elsewhere", label), Score("names: finder", label), Score("names: all", label)
    for doc_id in docs if docs is not None else [d.id for d in corpus.tagged_docs()]:
        doc = corpus.docs[doc_id]
        gold = {(s, e, l) for s, e, l in doc.spans if l in entity}
        if not gold:
            continue
        held = corpus.without(doc_id)
        gaz = Gazetteer.build(held, exclude=doc_id)
        cruft = [(s.start, s.end) for s in suggest_boilerplate(held, held.docs[doc_id])]
        found = suggest_names(held, held.docs[doc_id], gaz, cruft=cruft)
        mine = {s.key for s in found if s.kind == "name"}
        # Recall of the matcher counts only names it could know: those tagged elsewhere.
        known = {g for g in gold if gaz.tagged[doc.text[g[0]:g[1]]]}
        _count(matched, mine, known)
        _count(finder, {s.key for s in found if s.kind == "finder"}, gold - known)
        _count(both, {s.key for s in found}, gold)
    return [matched, finder, both]


def evaluate_boilerplate(corpus: Corpus, docs: list[int] | None = None) -> list[Score]:
    bp = corpus.boilerplate_label
    if bp is None:
        return []
    learnt, rules, both = Score("boilerplate: site", bp), Score("boilerplate: rules only", bp), Score("boilerplate: all", bp)
    for doc_id in docs if docs is not None else [d.id for d in corpus.tagged_docs()]:
        doc = corpus.docs[doc_id]
        gold = {(s, e, l) for s, e, l in doc.spans if l == bp}
        if not doc.spans:
            continue
        held = corpus.without(doc_id)
        mem = SiteMemory.build(held, doc.site, exclude=doc_id)
        hdoc = held.docs[doc_id]
        _count(learnt, {s.key for s in suggest_boilerplate(held, hdoc, mem, rules=False)}, gold)
        _count(rules, {s.key for s in suggest_boilerplate(held, hdoc, mem, learnt=False)}, gold)
        _count(both, {s.key for s in suggest_boilerplate(held, hdoc, mem)}, gold)
    return [learnt, rules, both]


def evaluate_sentences(corpus: Corpus, folds: int = 5) -> list[Score]:
    from . import classify

    labels = corpus.sentence_labels
    tagged = sorted(d.id for d in corpus.tagged_docs())
    learnt = {l: Score("sentences: classifier", l) for l in labels}
    rules = {l: Score("sentences: rules", l) for l in labels}
    rules_model = classify.RulesModel(labels)
    for k in range(folds):
        test = [d for i, d in enumerate(tagged) if i % folds == k]
        if not test:
            continue
        model = classify.train_on(corpus, exclude=test)
        keep = set(test)
        texts, gold = classify.examples(
            Corpus({i: corpus.docs[i] for i in keep}, corpus.labels)
        )
        if not texts:
            continue
        for scores, m in ((learnt, model), (rules, rules_model)):
            if not m.usable:
                continue
            predicted = m.predict(texts)
            for l in labels:
                s = scores[l]
                s.suggested += sum(p == l for p in predicted)
                s.gold += sum(g == l for g in gold)
                s.correct += sum(p == g == l for p, g in zip(predicted, gold))
    return list(learnt.values()) + list(rules.values())


def evaluate(corpus: Corpus, *, progress: Callable[[str], None] | None = None) -> list[Score]:
    out: list[Score] = []
    for name, fn in (("names", evaluate_names), ("boilerplate", evaluate_boilerplate),
                     ("sentences", evaluate_sentences)):
        if progress:
            progress(name)
        out += fn(corpus)
    return out
