"""spaCy v3 training data: a ``.spacy`` file (a serialised ``DocBin``).

Each record becomes one ``Doc`` made by a blank pipeline's tokenizer (``spacy.blank("en")`` by
default; ``lang="xx"`` for the multi-language one). Entity-layer spans become ``doc.ents`` and
segment-layer spans ``doc.spans[spans_key]`` (``"sc"``, the key spaCy's span categorizer reads by
default). A DocBin stores tokens, not characters, so a span whose edges are not token edges
cannot be stored as it is: it is left out of the Doc and counted in the summary under "not on
spaCy token boundaries", never moved to the nearest tokens. The article's id, annotator and
sha256 are kept in ``doc.user_data``.

spaCy is an optional dependency, imported only when this format is used.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import BinaryIO

from reader.io.export.common import inside
from reader.io.export.records import (
    ENTITY,
    ENTITY_OVERLAP,
    NOT_ON_SPACY_TOKENS,
    ExportRecord,
    ExportSummary,
)

MISSING = "the spacy format needs the 'spacy' extra: pip install 'reader-annotate[spacy]'"


class MissingExtra(ImportError):
    """spaCy is not installed; str() is the one line that says how to install it."""


def _spacy():
    try:
        import spacy
        from spacy.tokens import DocBin
    except ImportError:
        raise MissingExtra(MISSING) from None
    return spacy, DocBin


def write(
    records: Iterable[ExportRecord],
    out: BinaryIO,
    *,
    spans_key: str = "sc",
    lang: str = "en",
) -> ExportSummary:
    """Write ``records`` to the binary stream ``out`` as a spaCy DocBin; return what was written."""
    spacy, DocBin = _spacy()
    nlp = spacy.blank(lang)
    docs = DocBin(store_user_data=True)
    summary = ExportSummary("spacy")
    for record in records:
        summary.articles += 1
        doc = nlp.make_doc(record.text)
        ents, others, ent_end = [], [], -1
        for span in inside(record, summary):
            piece = doc.char_span(span.start, span.end, label=span.label, alignment_mode="strict")
            if piece is None:
                summary.skip(record, span, NOT_ON_SPACY_TOKENS)
                continue
            if span.layer == ENTITY:
                # doc.ents refuses overlaps; the store holds none, but an export must not fail.
                if piece.start < ent_end:
                    summary.skip(record, span, ENTITY_OVERLAP)
                    continue
                ent_end = piece.end
                ents.append(piece)
            else:
                others.append(piece)
            summary.spans[span.label] += 1
        doc.ents = ents
        doc.spans[spans_key] = others
        doc.user_data["article_id"] = record.article_id
        doc.user_data["annotator"] = record.annotator
        doc.user_data["sha256"] = record.sha256
        docs.add(doc)
        summary.items += 1
    out.write(docs.to_bytes())
    return summary
