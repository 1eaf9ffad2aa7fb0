"""Suggesters on a constructed collection (tests/suggest_collection.py): names, boilerplate,
the fact/opinion classifier and its self-evaluation, uncertainty order, rejections."""

from __future__ import annotations

import random

import pytest

from reader.suggest import classify
from reader.suggest.boilerplate import RULES, normalise, suggest_boilerplate
from reader.suggest.engine import resolve, suggest_article
from reader.suggest.evaluate import evaluate_boilerplate, evaluate_names
from reader.suggest.model import Corpus, Doc, LabelInfo, Suggestion, site_of
from reader.suggest.names import Gazetteer, suggest_names
from suggest_collection import make_collection

LABELS = [
    LabelInfo("fact", "segment", "sentence"),
    LabelInfo("opinion", "segment", "sentence"),
    LabelInfo("boilerplate", "segment", "paragraph"),
    LabelInfo("entity", "entity", "word"),
]


def corpus(n: int = 30, tagged: int | None = None, seed: int = 7) -> tuple[Corpus, dict[int, Doc]]:
    """The collection with the first `tagged` articles tagged (all when None), and the gold."""
    made = make_collection(n, seed=seed)
    gold = {i + 1: Doc(i + 1, m.text, m.site, m.spans) for i, m in enumerate(made)}
    docs = {
        i: Doc(i, d.text, d.site, list(d.spans) if tagged is None or i <= tagged else [])
        for i, d in gold.items()
    }
    return Corpus(docs, LABELS), gold


def _pr(found: set, gold: set) -> tuple[float, float]:
    right = len(found & gold)
    return right / max(1, len(found)), right / max(1, len(gold))


# -- names -------------------------------------------------------------------------------------


def test_names_tagged_in_a_third_are_suggested_in_the_rest():
    c, gold = corpus(30, tagged=10)
    gaz = Gazetteer.build(c)
    found, wanted = set(), set()
    for i in range(11, 31):
        doc = c.docs[i]
        found |= {(i, *s.key) for s in suggest_names(c, doc, gaz, finder_too=False)}
        wanted |= {(i, s, e, l) for s, e, l in gold[i].spans
                   if l == "entity" and gaz.tagged[doc.text[s:e]]}
    precision, recall = _pr(found, wanted)
    assert len(wanted) > 200
    assert precision >= 0.9 and recall >= 0.9, (precision, recall)


def test_name_suggestions_are_whole_words_and_keep_clear_of_tags():
    text = "Berg spoke. Bergen is far. Berg's car. Berg-based firms. Alberg left. Berg wins."
    tagged = Doc(1, "Tomas Berg said so.", "a.example", [(6, 10, "entity")])
    doc = Doc(2, text, "a.example", [(0, 4, "entity")])
    c = Corpus({1: tagged, 2: doc}, LABELS)
    found = [text[s.start:s.end] + "@" + str(s.start) for s in suggest_names(c, doc, finder_too=False)]
    starts = [int(f.split("@")[1]) for f in found]
    assert all(f.startswith("Berg@") for f in found)
    assert text.index("Berg's") in starts and text.index("Berg-based") in starts
    assert text.index("Berg wins") in starts
    assert 0 not in starts  # already tagged
    assert len(starts) == 3  # not in "Bergen" or "Alberg"


def test_a_name_left_untagged_more_often_than_tagged_is_not_suggested():
    # Tagged once, left untagged three times in articles where names were tagged.
    a = Doc(1, "Summit talks. Summit Bank lends. Summit Bank said.", None,
            [(14, 25, "entity")])
    b = Doc(2, "The Summit was cold. Summit day. Kellingford voted.", None, [(33, 44, "entity")])
    c = Corpus({1: a, 2: b, 3: Doc(3, "Summit Bank and Summit, again in Kellingford.", None, [])}, LABELS)
    gaz = Gazetteer.build(c)
    assert gaz.score("Summit Bank") == pytest.approx(0.5)
    found = {c.docs[3].text[s.start:s.end] for s in suggest_names(c, c.docs[3], gaz, finder_too=False)}
    assert found == {"Summit Bank", "Kellingford"}
    # Rejections count against the text too.
    c.rejected_texts[("entity", "Summit Bank")] += 1
    gaz = Gazetteer.build(c)
    found = {c.docs[3].text[s.start:s.end] for s in suggest_names(c, c.docs[3], gaz, finder_too=False)}
    assert found == {"Kellingford"}


def test_leave_one_out_names_meet_the_targets():
    c, _ = corpus(24)
    matched, finder, both = evaluate_names(c)
    assert matched.gold > 300
    assert matched.precision >= 0.9 and matched.recall >= 0.9
    assert both.suggested >= matched.suggested


# -- boilerplate -------------------------------------------------------------------------------


def test_boilerplate_tagged_on_pages_of_one_site_is_suggested_on_another_page():
    c, gold = corpus(12, tagged=4)  # articles 1 and 3 are the first site's, 2 and 4 the second's
    for i in range(5, 13):
        doc = c.docs[i]
        found = {s.key for s in suggest_boilerplate(c, doc)}
        wanted = {g for g in gold[i].spans if g[2] == "boilerplate"}
        precision, recall = _pr(found, wanted)
        assert precision >= 0.9 and recall >= 0.85, (i, precision, recall)


def test_site_memory_is_per_site_and_ignores_numbers_and_dates():
    assert normalise("Updated 3 May 2026, 14:05") == normalise("updated 21 June 2025, 9:30")
    assert normalise("Updated 3 May 2026") != normalise("Published 3 May 2026")
    page = "Deck chairs for hire\n\nThe pier reopened on Monday after repairs."
    a = Doc(1, page, "pier.example", [(0, 20, "boilerplate"), (22, len(page), "fact")])
    other_site = Doc(2, "Deck chairs for hire\n\nA new story.", "elsewhere.example", [])
    same_site = Doc(3, "Deck chairs for hire\n\nAnother story.", "pier.example", [])
    c = Corpus({1: a, 2: other_site, 3: same_site}, LABELS)
    assert [s.start for s in suggest_boilerplate(c, same_site)] == [0]
    assert suggest_boilerplate(c, other_site) == []


def test_rules_alone_catch_common_cruft_and_leave_prose():
    cruft = [
        "Subscribe to our newsletter", "Continue reading", "© 2026 Coast Media Ltd",
        "All rights reserved.", "4 min read", "Photo: Harbour archive", "Share | Tweet | Email",
        "f", "Comments are closed.", "Advertisement",
        "Ada Quist is a reporter for the Coast Courier and covers transport.",
    ]
    prose = [
        "The council voted 31 to 12 on Tuesday to close the depot.",
        "It is hard to see why the board deserves another chance.",
        "She said she would read more about the plan before deciding.",
        "Police shared the photo of the missing boat on Monday.",
    ]
    text = "\n\n".join(cruft + prose)
    doc = Doc(1, text, None, [])
    c = Corpus({1: doc}, LABELS)
    found = {text[s.start:s.end] for s in suggest_boilerplate(c, doc)}
    assert found == set(cruft)
    assert len(RULES) >= 10


def test_boilerplate_rules_and_site_memory_leave_one_out():
    c, _ = corpus(20)
    site, rules, both = evaluate_boilerplate(c)
    assert site.precision >= 0.9 and site.recall >= 0.85
    assert rules.precision >= 0.9 and 0.5 <= rules.recall < site.recall
    assert both.recall >= site.recall


def test_site_is_the_url_host_else_the_source():
    assert site_of("feed.xml", "https://www.coast.example/a/1") == "coast.example"
    assert site_of("feed.xml", None) == "feed.xml"
    assert site_of(None, "not a url") is None


# -- the classifier ----------------------------------------------------------------------------


def _macro_f1(model, texts, gold, labels):
    return classify.score_predictions(gold, model.predict(texts), labels).macro_f1


def test_few_tags_give_the_rules_model():
    c, _ = corpus(6, tagged=1)
    texts, gold = classify.examples(c)
    assert 0 < len(texts) < classify.MIN_TAGS
    model = classify.train(texts, gold, c.sentence_labels)
    assert isinstance(model, classify.RulesModel)


def test_without_sklearn_the_rules_model_is_used(monkeypatch):
    monkeypatch.setattr(classify, "sklearn_available", lambda: False)
    c, _ = corpus(20)
    model = classify.train_on(c)
    assert isinstance(model, classify.RulesModel)
    assert model.evaluation.held_out > 0 and model.evaluation.macro_f1 > 0.5


def test_classifier_beats_the_rules_after_enough_tags():
    c, gold = corpus(40, tagged=12)
    texts, labels = classify.examples(c)
    assert len(texts) >= 100
    model = classify.train(texts, labels, c.sentence_labels)
    assert isinstance(model, classify.LearntModel)
    test = Corpus({i: gold[i] for i in range(13, 41)}, LABELS)
    test_texts, test_gold = classify.examples(test)
    learnt = _macro_f1(model, test_texts, test_gold, c.sentence_labels)
    rules = _macro_f1(classify.RulesModel(c.sentence_labels), test_texts, test_gold, c.sentence_labels)
    assert learnt > rules + 0.05, (learnt, rules)
    assert classify.offered(model)


def test_self_evaluation_reports_held_out_figures_and_gates_noise():
    c, _ = corpus(20)
    texts, gold = classify.examples(c)
    model = classify.train(texts, gold, c.sentence_labels)
    ev = model.evaluation
    assert ev.learnt_from == len(texts)
    assert 0.1 * len(texts) < ev.held_out < 0.3 * len(texts)
    assert ev.macro_f1 >= classify.THRESHOLD and "held out" in ev.line()
    # The same sentences with labels thrown at random: nothing to learn, so nothing offered.
    rng = random.Random(3)
    noise = [rng.choice(["fact", "opinion"]) for _ in gold]
    noisy = classify.train(texts, noise, c.sentence_labels)
    assert noisy.evaluation.macro_f1 < classify.THRESHOLD
    if isinstance(noisy, classify.LearntModel):
        assert not classify.offered(noisy)


def test_classifier_suggests_untagged_sentences_only():
    c, _ = corpus(12, tagged=8)
    model = classify.train_on(c)
    doc = c.docs[10]
    first = doc.text.index("\n\n", doc.text.index("Updated") if "Updated" in doc.text else 0)
    found = classify.suggest_sentences(c, doc, model)
    assert found and all(s.label in ("fact", "opinion") and 0.5 <= s.score <= 1 for s in found)
    tagged = c.docs[3]
    assert classify.suggest_sentences(c, tagged, model) == []
    assert first > 0


def test_most_uncertain_comes_first_and_skips_tagged_sentences():
    c, _ = corpus(12, tagged=6)
    model = classify.train_on(c)
    rows = classify.most_uncertain(c, model, limit=15)
    assert len(rows) == 15
    values = [u for *_, u in rows]
    assert values == sorted(values, reverse=True)
    assert all(aid > 6 for aid, *_ in rows)
    probs = model.predict_proba([c.docs[rows[0][0]].text[rows[0][1]:rows[0][2]]])[0]
    assert classify.uncertainty(probs) == pytest.approx(rows[0][3], abs=1e-3)


def test_retrainer_trains_in_the_background_and_only_every_few_tags():
    c, _ = corpus(20)
    seen = []
    r = classify.Retrainer(c.sentence_labels, on_trained=lambda m, t: seen.append((m, t)))
    assert isinstance(r.current, classify.RulesModel)
    assert r.maybe_retrain(lambda: classify.examples(c), 100)
    r.wait(60)
    assert isinstance(r.current, classify.LearntModel) and len(seen) == 1
    assert not r.maybe_retrain(lambda: classify.examples(c), 100 + classify.RETRAIN_EVERY - 1)
    assert r.maybe_retrain(lambda: classify.examples(c), 100 + classify.RETRAIN_EVERY)
    r.wait(60)
    assert len(seen) == 2


# -- all together ------------------------------------------------------------------------------


def test_article_suggestions_do_not_overlap_on_a_layer_and_skip_rejections():
    c, gold = corpus(12, tagged=6)
    model = classify.train_on(c)
    found = suggest_article(c, 9, model=model)
    for layer in ("segment", "entity"):
        spans = sorted((s.start, s.end) for s in found if c.layer(s.label) == layer)
        assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:]))
    right = {s.key for s in found} & set(gold[9].spans)
    assert len(right) >= 0.9 * len(gold[9].spans)
    victim = next(s for s in found if s.kind == "name")
    c.rejected.add((9, victim.start, victim.end, victim.label))
    again = suggest_article(c, 9, model=model)
    assert victim.key not in {s.key for s in again}
    assert len(again) == len(found) - 1


def test_resolve_keeps_the_higher_score_and_drops_what_overlaps_tags():
    doc = Doc(1, "One two three four five six.", None, [(0, 3, "fact")])
    c = Corpus({1: doc}, LABELS)
    out = resolve(c, 1, [
        Suggestion(0, 7, "opinion", 0.9, "imported"),  # overlaps a tag
        Suggestion(4, 13, "fact", 0.4, "imported"),
        Suggestion(8, 18, "opinion", 0.8, "imported"),
        Suggestion(8, 13, "entity", 0.5, "imported"),  # another layer
        Suggestion(20, 99, "fact", 0.9, "imported"),  # out of range
    ])
    assert [(s.start, s.label) for s in out] == [(8, "entity"), (8, "opinion")]


def test_retrainer_trains_in_a_process_of_its_own_the_same_model_as_here():
    c, _ = corpus(20)
    r = classify.Retrainer(c.sentence_labels)
    assert r.maybe_retrain(classify.Examples(c), 100)
    r.wait(120)
    here = classify.train_on(c)
    assert classify._pool is not None  # sent to the training process, not trained in the thread
    assert isinstance(r.current, classify.LearntModel)
    assert r.current.evaluation.line() == here.evaluation.line()
    texts = classify.examples(c)[0][:25]
    for theirs, ours in zip(r.current.predict_proba(texts), here.predict_proba(texts)):
        assert theirs == pytest.approx(ours)


def test_examples_keep_the_docs_they_were_made_from():
    c, _ = corpus(8)
    load = classify.Examples(c)
    before = classify.examples(c)
    first = next(iter(c.docs))
    c.docs[first] = Doc(first, c.docs[first].text, c.docs[first].site, [])  # a later change
    assert load() == before
    assert classify.examples(c) != before


def test_the_training_process_ends_when_the_app_is_killed(tmp_path):
    """A killed app never shuts its training pool down; the worker must not outlive it."""
    import os
    import signal
    import subprocess
    import sys
    import time

    script = tmp_path / "app.py"
    script.write_text(
        "import os, sys, time\n"
        "from reader.suggest import classify\n"
        "if __name__ == '__main__':\n"
        "    pid = classify._training_pool().submit(os.getpid).result(timeout=120)\n"
        "    print(pid, flush=True)\n"
        "    time.sleep(600)\n"
    )
    app = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    try:
        worker = int(app.stdout.readline())
        assert worker != app.pid
        app.send_signal(signal.SIGKILL)
        app.wait(timeout=30)
    finally:
        if app.poll() is None:
            app.kill()

    def running(pid: int) -> bool:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
        except FileNotFoundError:
            return False

    deadline = time.monotonic() + 60  # a wait for the event, not a speed check
    while running(worker) and time.monotonic() < deadline:
        time.sleep(0.2)
    alive = running(worker)
    if alive:
        os.kill(worker, signal.SIGKILL)
    assert not alive
