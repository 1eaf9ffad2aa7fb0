"""From the store to the suggesters: a Corpus for one annotator, and suggestions for an article."""

from __future__ import annotations

from collections import Counter

from .model import Corpus, Doc, LabelInfo, Suggestion, site_of


def corpus_from(data, labels) -> Corpus:
    """A Corpus from `Store.learning_data(...)` and the store's labels."""
    docs = {
        aid: Doc(aid, text, site_of(source, url), list(data.spans.get(aid, ())))
        for aid, text, source, url in data.articles
    }
    rejected = {(r.article_id, r.start, r.end, r.label) for r in data.rejections}
    texts = Counter((r.label, r.text) for r in data.rejections)
    return Corpus(docs, [LabelInfo(l.name, l.layer, l.unit) for l in labels], rejected, texts)


def load_corpus(store, annotator: str, article_id: int | None = None, *, all_articles: bool = False) -> Corpus:
    data = store.learning_data(annotator, article_id=article_id, all_articles=all_articles)
    return corpus_from(data, store.labels())


def imported_for(store, article_id: int) -> list[Suggestion]:
    return [
        Suggestion(s.start, s.end, s.label, round(s.score, 3), "imported", f"imported from {s.origin}")
        for s in store.stored_suggestions(article_id)
    ]


def suggestions_for(
    store, annotator: str, article_id: int, *, model=None, corpus: Corpus | None = None, labels=None
) -> list[Suggestion]:
    """Every pending suggestion for one article: built-in and imported, rejections left out.
    `model` None trains the sentence classifier on the annotator's tags first (blocking:
    call this from a worker)."""
    from . import classify
    from .engine import suggest_article

    store.article(article_id)  # a clear error for an unknown id
    corpus = corpus if corpus is not None else load_corpus(store, annotator, article_id)
    if model is None:
        model = classify.train_on(corpus)
    return suggest_article(
        corpus, article_id, model=model, imported=imported_for(store, article_id), labels=labels
    )
