"""All suggestions for one article, from every suggester, without clashes or rejections."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from .boilerplate import SiteMemory, suggest_boilerplate
from .model import Corpus, Suggestion
from .names import Gazetteer, suggest_names


def suggest_article(
    corpus: Corpus,
    article_id: int,
    *,
    model=None,
    imported: Iterable[Suggestion] = (),
    gazetteer: Gazetteer | None = None,
    memory: SiteMemory | None = None,
    labels: Sequence[str] | None = None,
) -> list[Suggestion]:
    """Suggestions for `article_id` in text order.

    On each layer suggestions never overlap each other or the annotator's spans: where two
    overlap, the higher score wins. Rejected suggestions (same span and label) never come back.
    `model` is a sentence classifier (`classify.train`), or None for no sentence suggestions.
    """
    from . import classify

    doc = corpus.docs[article_id]
    found: list[Suggestion] = list(imported)
    bp = suggest_boilerplate(corpus, doc, memory)
    label = corpus.boilerplate_label
    cruft = [(s.start, s.end) for s in bp] + (doc.covered({label}) if label else [])
    found += suggest_names(corpus, doc, gazetteer, cruft=cruft)
    found += bp
    if model is not None:
        found += classify.suggest_sentences(corpus, doc, model, [(s.start, s.end) for s in bp])
    if labels is not None:
        wanted = set(labels)
        found = [s for s in found if s.label in wanted]
    return resolve(corpus, article_id, found)


def resolve(corpus: Corpus, article_id: int, found: Iterable[Suggestion]) -> list[Suggestion]:
    """Drop rejected suggestions, those that overlap the annotator's spans on their layer,
    and the lower-scored of any two that overlap each other on one layer."""
    doc = corpus.docs[article_id]
    taken: dict[str, list[tuple[int, int]]] = {}
    for s, e, label in doc.spans:
        layer = corpus.layer(label)
        if layer:
            taken.setdefault(layer, []).append((s, e))
    out: list[Suggestion] = []
    for sug in sorted(found, key=lambda x: (-x.score, x.start, x.end, x.label)):
        layer = corpus.layer(sug.label)
        if layer is None or (article_id, sug.start, sug.end, sug.label) in corpus.rejected:
            continue
        if not (0 <= sug.start < sug.end <= len(doc.text)):
            continue
        spans = taken.setdefault(layer, [])
        if any(a < sug.end and sug.start < b for a, b in spans):
            continue
        spans.append((sug.start, sug.end))
        out.append(sug)
    out.sort(key=lambda x: (x.start, x.end, x.label))
    return out
