"""Fact / opinion: a sentence classifier trained on the annotator's own tags.

Features: word 1-2-grams and character 2-4-grams (TF-IDF), and a few counts a shipped lexicon and
closed word lists give: the mean subjectivity of the words TextBlob's adjective lexicon knows
(read as a data file, TextBlob is never imported), modal verbs, first and second person,
attribution verbs ("said", "according to"), digits and quotation marks. A logistic regression
(scikit-learn, imported on first training, in the `suggest` extra) learns from them.

Without scikit-learn, or with fewer than `MIN_TAGS` tagged sentences, `RulesModel` scores the
same hand features with fixed weights.

Every model evaluates itself on a fixed held-out fifth of the tags (by a hash of the sentence,
so the split does not move as tags are added), reports accuracy and macro-F1 there and how many
tags it learnt from, and is then refitted on all of them. Its suggestions are offered only when
its held-out macro-F1 reaches `THRESHOLD`.
"""

from __future__ import annotations

import hashlib
import importlib.util
import multiprocessing
import os
import pickle
import re
import sys
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path

from reader.text.names import textblob_data_dir
from reader.text.segment import sentences

from .model import Corpus, Doc, Suggestion

MIN_TAGS = 20  # sentences, with at least MIN_PER_LABEL of each of two labels
MIN_PER_LABEL = 5
THRESHOLD = 0.6  # held-out macro-F1 a model needs before its suggestions are shown
HOLD_OUT = 5  # one in this many sentences is held out
RETRAIN_EVERY = 5  # new tags between background retrainings
RULES_MIN_SCORE = 0.8  # the rules suggest only sentences they are this sure of

_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
_MODALS = frozenset("should must ought would could might may shall need needs".split())
_FIRST = frozenset("i we me us my our mine ours myself ourselves".split())
_SECOND = frozenset("you your yours yourself".split())
_ATTRIBUTION = frozenset(
    """said says told according reported announced confirmed stated added wrote explained
    estimated recorded published showed shows found""".split()
)
_HEDGES = frozenset(
    """clearly surely obviously frankly sadly unfortunately perhaps arguably deserves deserve
    baffling shameful absurd disgrace ought welcome right wrong best worst time""".split()
)

_lexicon: dict[str, float] | None = None
_lexicon_lock = threading.Lock()


def _lexicon_path() -> Path | None:
    folder = textblob_data_dir()
    return folder / "en-sentiment.xml" if folder is not None else None


def subjectivity_lexicon() -> dict[str, float]:
    """Word -> mean subjectivity (0 objective .. 1 subjective) over its senses."""
    global _lexicon
    if _lexicon is None:
        with _lexicon_lock:
            if _lexicon is None:
                sums: dict[str, list[float]] = {}
                path = _lexicon_path()
                if path is not None:
                    try:
                        raw = path.read_text("utf-8")
                    except OSError:
                        raw = ""
                    for m in re.finditer(r'<word form="([^"]+)"[^>]*?subjectivity="([0-9.]+)"', raw):
                        sums.setdefault(m.group(1).lower(), []).append(float(m.group(2)))
                _lexicon = {w: sum(v) / len(v) for w, v in sums.items()}
    return _lexicon


FEATURE_NAMES = (
    "subjectivity", "subjective_words", "modals", "first_person", "second_person",
    "attribution", "hedges", "digits", "quotes", "exclaim_question", "length",
)


def features(sentence: str) -> list[float]:
    """The hand features of one sentence (see FEATURE_NAMES)."""
    lex = subjectivity_lexicon()
    ws = [w.lower() for w in _WORD.findall(sentence)]
    n = max(1, len(ws))
    subj = [lex[w] for w in ws if w in lex]
    return [
        sum(subj) / len(subj) if subj else 0.0,
        sum(1 for v in subj if v >= 0.6) / n * 5,
        sum(1 for w in ws if w in _MODALS) / n * 5,
        sum(1 for w in ws if w in _FIRST) / n * 5,
        sum(1 for w in ws if w in _SECOND) / n * 5,
        float(any(w in _ATTRIBUTION for w in ws)),
        sum(1 for w in ws if w in _HEDGES) / n * 5,
        min(1.0, sum(c.isdigit() for c in sentence) / 4),
        float(any(q in sentence for q in "\"“”")),
        float(sentence.rstrip().endswith(("!", "?"))),
        min(1.0, len(ws) / 40),
    ]


@dataclass
class Evaluation:
    """How a model did on held-out tags."""

    learnt_from: int = 0
    held_out: int = 0
    accuracy: float = 0.0
    macro_f1: float = 0.0
    per_label: dict[str, tuple[float, float, float, int]] = field(default_factory=dict)

    def line(self) -> str:
        return (f"learnt from {self.learnt_from} tags; held out {self.held_out}: "
                f"accuracy {self.accuracy:.2f}, macro-F1 {self.macro_f1:.2f}")


def score_predictions(gold: Sequence[str], predicted: Sequence[str], labels: Sequence[str]) -> Evaluation:
    ev = Evaluation(held_out=len(gold))
    if not gold:
        return ev
    ev.accuracy = sum(g == p for g, p in zip(gold, predicted)) / len(gold)
    f1s = []
    for label in labels:
        tp = sum(g == p == label for g, p in zip(gold, predicted))
        pp = sum(p == label for p in predicted)
        gp = sum(g == label for g in gold)
        prec = tp / pp if pp else 0.0
        rec = tp / gp if gp else 0.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        ev.per_label[label] = (prec, rec, f1, gp)
        if gp:
            f1s.append(f1)
    ev.macro_f1 = sum(f1s) / len(f1s) if f1s else 0.0
    return ev


class RulesModel:
    """Fixed weights over the hand features: opinion against fact. No training."""

    kind = "rules"
    _WEIGHTS = {
        "subjectivity": 1.6, "subjective_words": 1.2, "modals": 1.5, "first_person": 1.5,
        "second_person": 1.0, "attribution": -1.6, "hedges": 1.5, "digits": -1.2,
        "quotes": -0.6, "exclaim_question": 0.8, "length": 0.0,
    }
    _BIAS = -0.6

    def __init__(self, labels: Sequence[str] = ("fact", "opinion")):
        self.labels = list(labels)
        self.evaluation = Evaluation()

    @property
    def usable(self) -> bool:
        return "fact" in self.labels and "opinion" in self.labels

    def predict_proba(self, texts: Sequence[str]) -> list[dict[str, float]]:
        import math

        out = []
        for t in texts:
            z = self._BIAS + sum(self._WEIGHTS[n] * v for n, v in zip(FEATURE_NAMES, features(t)))
            p = 1 / (1 + math.exp(-z))
            out.append({"fact": 1 - p, "opinion": p})
        return out

    def predict(self, texts: Sequence[str]) -> list[str]:
        return [max(p, key=p.__getitem__) for p in self.predict_proba(texts)]


def sklearn_available() -> bool:
    return importlib.util.find_spec("sklearn") is not None


class LearntModel:
    """TF-IDF word and character n-grams plus the hand features, logistic regression."""

    kind = "learnt"

    def __init__(self, labels: Sequence[str]):
        self.labels = list(labels)
        self.evaluation = Evaluation()
        self._fitted: tuple | None = None  # the vectorisers, the model and scipy's helpers

    usable = True

    def fit(self, texts: Sequence[str], gold: Sequence[str]) -> "LearntModel":
        from scipy.sparse import csr_matrix, hstack
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression

        words = TfidfVectorizer(ngram_range=(1, 2), min_df=1, sublinear_tf=True, lowercase=True)
        chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), min_df=2, sublinear_tf=True,
                                max_features=50000)
        X = hstack([
            words.fit_transform(texts), chars.fit_transform(texts),
            csr_matrix([features(t) for t in texts]),
        ]).tocsr()
        clf = LogisticRegression(C=4.0, class_weight="balanced", max_iter=1000)
        clf.fit(X, list(gold))
        self._fitted = (words, chars, clf, csr_matrix, hstack)
        return self

    def predict_proba(self, texts: Sequence[str]) -> list[dict[str, float]]:
        if not texts:
            return []
        assert self._fitted is not None, "fit first"
        words, chars, clf, csr_matrix, hstack = self._fitted
        X = hstack([
            words.transform(texts), chars.transform(texts), csr_matrix([features(t) for t in texts]),
        ]).tocsr()
        return [dict(zip(clf.classes_, map(float, row))) for row in clf.predict_proba(X)]

    def predict(self, texts: Sequence[str]) -> list[str]:
        return [max(p, key=p.__getitem__) for p in self.predict_proba(texts)]


Model = RulesModel | LearntModel


def _held_out(text: str) -> bool:
    return int(hashlib.sha1(text.encode("utf-8")).hexdigest()[:8], 16) % HOLD_OUT == 0


def examples(corpus: Corpus, exclude: Iterable[int] = ()) -> tuple[list[str], list[str]]:
    """Every sentence inside one of the annotator's sentence-label spans, with its label."""
    return Examples(corpus, exclude)()


class Examples:
    """The tagged docs of a corpus as they are now, read into `examples` when called.

    A `load` for `Retrainer` that can be sent to another process: the reading (sentence
    splitting in pure Python) and the training then both run outside the interpreter the keys
    are handled in. The docs are taken when it is made; a corpus replaces a changed doc rather
    than changing it, so later edits do not reach a training under way."""

    def __init__(self, corpus: Corpus, exclude: Iterable[int] = ()):
        skip = set(exclude)
        self.docs = [doc for doc in corpus.tagged_docs() if doc.id not in skip]
        self.labels = list(corpus.sentence_labels)

    def __call__(self) -> tuple[list[str], list[str]]:
        wanted = set(self.labels)
        texts, gold = [], []
        for doc in self.docs:
            for s, e, label in doc.spans:
                if label not in wanted:
                    continue
                for a, b in sentences(doc.text, s, e) or [(s, e)]:
                    t = doc.text[a:b]
                    if t.strip():
                        texts.append(t)
                        gold.append(label)
        return texts, gold


def enough(gold: Sequence[str]) -> bool:
    counts: dict[str, int] = {}
    for g in gold:
        counts[g] = counts.get(g, 0) + 1
    return len(gold) >= MIN_TAGS and sum(1 for n in counts.values() if n >= MIN_PER_LABEL) >= 2


def train(texts: Sequence[str], gold: Sequence[str], labels: Sequence[str]) -> Model:
    """The best model these tags allow, evaluated on the held-out fifth and refitted on all.

    The rules model comes back when scikit-learn is missing, the tags are too few, or the
    learnt model does not beat the rules on the held-out tags."""
    rules = RulesModel(labels)
    train_idx = [i for i, t in enumerate(texts) if not _held_out(t)]
    test_idx = [i for i, t in enumerate(texts) if _held_out(t)]
    test_texts = [texts[i] for i in test_idx]
    test_gold = [gold[i] for i in test_idx]
    if rules.usable:
        rules.evaluation = score_predictions(test_gold, rules.predict(test_texts), labels)
    rules.evaluation.learnt_from = 0
    if not sklearn_available() or not enough(gold):
        return rules
    train_gold = [gold[i] for i in train_idx]
    if len(set(train_gold)) < 2:
        return rules
    held = LearntModel(labels).fit([texts[i] for i in train_idx], train_gold)
    evaluation = score_predictions(test_gold, held.predict(test_texts), labels)
    evaluation.learnt_from = len(texts)
    model = LearntModel(labels).fit(texts, gold)
    model.evaluation = evaluation
    if rules.usable and test_gold and evaluation.macro_f1 < rules.evaluation.macro_f1:
        return rules
    return model


def train_on(corpus: Corpus, exclude: Iterable[int] = ()) -> Model:
    texts, gold = examples(corpus, exclude)
    return train(texts, gold, corpus.sentence_labels)


def offered(model: Model) -> bool:
    """Whether a model's suggestions are shown: the learnt one above the threshold on held-out
    tags; the rules, which have no held-out figure until there are tags, always (as hints)."""
    if not model.usable:
        return False
    if isinstance(model, RulesModel):
        return True
    return model.evaluation.macro_f1 >= THRESHOLD


_SENTENCES: dict[tuple[int, int, int], list[tuple[int, int]]] = {}
_SENTENCES_KEPT = 2000


def _sentences_of(doc: Doc) -> list[tuple[int, int]]:
    """The article's sentences, kept for the next call (they never change with its text)."""
    key = (doc.id, len(doc.text), hash(doc.text))
    found = _SENTENCES.get(key)
    if found is None:
        found = sentences(doc.text)
        if len(_SENTENCES) >= _SENTENCES_KEPT:
            _SENTENCES.pop(next(iter(_SENTENCES)), None)
        _SENTENCES[key] = found
    return found


def untagged_sentences(corpus: Corpus, doc: Doc, blocked: Sequence[tuple[int, int]] = ()) -> list[tuple[int, int]]:
    taken = doc.covered(set(corpus.segment_labels)) + list(blocked)
    out = []
    for s, e in _sentences_of(doc):
        if e - s < 3 or not any(c.isalpha() for c in doc.text[s:e]):
            continue
        if any(a < e and s < b for a, b in taken):
            continue
        out.append((s, e))
    return out


def suggest_sentences(
    corpus: Corpus, doc: Doc, model: Model, blocked: Sequence[tuple[int, int]] = ()
) -> list[Suggestion]:
    """A label for every untagged sentence, scored by the model's confidence."""
    if not offered(model):
        return []
    spans = untagged_sentences(corpus, doc, blocked)
    probs = predict_memo(model, [doc.text[s:e] for s, e in spans])
    out = []
    how = model.evaluation.line() if isinstance(model, LearntModel) else "rules (no model yet)"
    floor = RULES_MIN_SCORE if isinstance(model, RulesModel) else 0.0
    for (s, e), p in zip(spans, probs):
        label = max(p, key=p.__getitem__)
        if p[label] < floor:
            continue
        out.append(Suggestion(s, e, label, round(p[label], 3), "classifier", how))
    return out


def predict_memo(model: Model, texts: Sequence[str]) -> list[dict[str, float]]:
    """`model.predict_proba`, remembering each sentence's answer on the model: a recompute after
    one tag asks again about the same sentences, and only new ones cost a prediction."""
    memo: dict[str, dict[str, float]] = model.__dict__.setdefault("_memo", {})
    missing = [t for t in dict.fromkeys(texts) if t not in memo]
    if missing:
        if len(memo) > 50_000:
            memo.clear()
        memo.update(zip(missing, model.predict_proba(missing)))
    return [memo[t] for t in texts]


def uncertainty(p: dict[str, float]) -> float:
    """1 when the model cannot choose between its two likeliest labels, 0 when it is sure."""
    top = sorted(p.values(), reverse=True)
    return 1.0 - (top[0] - (top[1] if len(top) > 1 else 0.0))


def most_uncertain(
    corpus: Corpus,
    model: Model,
    *,
    limit: int = 20,
    docs: Iterable[Doc] | None = None,
    blocked: Callable[[Doc], Sequence[tuple[int, int]]] | None = None,
) -> list[tuple[int, int, int, float]]:
    """The untagged sentences across the collection the model is least sure about, most
    uncertain first: (article id, start, end, uncertainty). `blocked(doc)` gives stretches
    to leave out (by default, the lines the boilerplate suggester would take)."""
    if not model.usable:
        return []
    if blocked is None:
        from .boilerplate import SiteMemory, suggest_boilerplate

        memories: dict = {}

        def blocked(doc: Doc) -> list[tuple[int, int]]:
            # One memory per site (the article's own lines count too: near enough to block).
            if doc.site not in memories:
                memories[doc.site] = SiteMemory.build(corpus, doc.site)
            return [(x.start, x.end) for x in suggest_boilerplate(corpus, doc, memories[doc.site])]

    items: list[tuple[int, int, int]] = []
    texts: list[str] = []
    for doc in docs if docs is not None else corpus.docs.values():
        for s, e in untagged_sentences(corpus, doc, blocked(doc)):
            items.append((doc.id, s, e))
            texts.append(doc.text[s:e])
    scored = [(a, s, e, round(uncertainty(p), 4)) for (a, s, e), p in zip(items, model.predict_proba(texts))]
    scored.sort(key=lambda x: (-x[3], x[0], x[1]))
    return scored[:limit]


def _load_and_train(load: Callable[[], tuple[list[str], list[str]]], labels: Sequence[str]) -> Model:
    texts, gold = load()
    return train(texts, gold, labels)


# Training runs in a process of its own: the vectorisers and the solver hold the interpreter lock
# for most of a training, and a thread of the app's process would take it from the keys for the
# whole of it. One process, started on first use (spawned: the app has threads running, which
# fork does not copy safely) and kept, so scikit-learn is imported there once.
_pool: ProcessPoolExecutor | None = None
PARENT_CHECK_SECONDS = 1.0
_pool_lock = threading.Lock()


def _training_pool() -> ProcessPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None:
            _start_resource_tracker()
            _pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"),
                                        initializer=_serve_the_app, initargs=(os.getpid(),))
        return _pool


def _serve_the_app(app_pid: int) -> None:
    """In the training process: the app's keys come first on a machine with few cores, and the
    process ends with the app, however the app ended (a killed app never shuts the pool down,
    and a worker waiting for work would otherwise wait for ever)."""
    try:
        os.nice(10)
    except OSError:
        pass

    def watch() -> None:
        while os.getppid() == app_pid:
            time.sleep(PARENT_CHECK_SECONDS)
        os._exit(0)

    threading.Thread(target=watch, name="watch-app", daemon=True).start()


def _start_resource_tracker() -> None:
    # multiprocessing's helper process is started with the current stderr's descriptor, and a
    # Textual app's captured stderr has none (fileno() is -1); it gets the null device.
    from multiprocessing import resource_tracker

    saved = sys.stderr
    with open(os.devnull, "w") as null:
        sys.stderr = null
        try:
            resource_tracker.ensure_running()
        finally:
            sys.stderr = saved


def _drop_training_pool() -> None:
    global _pool
    with _pool_lock:
        pool, _pool = _pool, None
    if pool is not None:
        pool.shutdown(wait=False, cancel_futures=True)


class Retrainer:
    """Keeps a current model and retrains it in a background thread every few new tags.

    `current` is always a usable model (the rules until the first training ends); a training
    never blocks the caller. `on_trained(model, seconds)` is called from the training thread.
    """

    def __init__(self, labels: Sequence[str], on_trained: Callable[[Model, float], None] | None = None):
        self.labels = list(labels)
        self.current: Model = RulesModel(labels)
        self.trained_on = -RETRAIN_EVERY
        self.on_trained = on_trained
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    @property
    def busy(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def maybe_retrain(self, load: Callable[[], tuple[list[str], list[str]]], count: int) -> bool:
        """Start a retraining when `count` tags is RETRAIN_EVERY past the last one and none is
        running; `load` is called in the thread to read the tags."""
        with self._lock:
            if self.busy or abs(count - self.trained_on) < RETRAIN_EVERY:
                return False
            self.trained_on = count
            self._thread = threading.Thread(target=self._run, args=(load,), daemon=True)
            self._thread.start()
            return True

    def _run(self, load) -> None:
        began = time.perf_counter()
        model = None
        if isinstance(load, Examples) and sklearn_available():
            try:
                job = _training_pool().submit(_load_and_train, load, self.labels)
                # Reading the model back imports scikit-learn here too: import it meanwhile,
                # in this thread, rather than on the thread that receives the result.
                import sklearn.feature_extraction.text  # noqa: F401
                import sklearn.linear_model  # noqa: F401

                model = job.result()
            except (BrokenProcessPool, OSError, RuntimeError, ValueError, pickle.PicklingError):
                _drop_training_pool()  # the next training starts a new one; this one trains here
        if model is None:
            model = _load_and_train(load, self.labels)
        self.current = model
        if self.on_trained is not None:
            self.on_trained(model, time.perf_counter() - began)

    def wait(self, timeout: float | None = None) -> None:
        if self._thread is not None:
            self._thread.join(timeout)
