"""spaCy DocBin files, checked with spaCy itself when the 'spacy' extra is installed."""

from __future__ import annotations

from collections.abc import Mapping

from reader.io.validate.report import ENTITY, Problem, Report

SPACY_MISSING = "checking it needs the 'spacy' extra: pip install 'reader-annotate[spacy]'"


def validate_docbin(data: bytes, layers: Mapping[str, str]) -> Report:
    """Check a spaCy DocBin: labels of ``doc.ents`` and ``doc.spans``, overlaps (needs spaCy)."""
    report = Report("spacy", item_name="doc")
    try:
        from spacy.tokens import DocBin
        from spacy.vocab import Vocab
    except ImportError:
        report.unavailable = SPACY_MISSING
        return report
    try:
        docs = list(DocBin().from_bytes(data).get_docs(Vocab()))
    except Exception as error:  # spaCy raises assorted types for bytes it cannot read
        message = " ".join(str(error).split())[:120]
        report.problems.append(Problem(1, f"not a DocBin spaCy can read: {message}", "doc"))
        return report
    known = set(layers)
    for n, doc in enumerate(docs, start=1):
        report.items += 1
        for ent in doc.ents:
            report.spans += 1
            if ent.label_ not in known:
                report.problems.append(Problem(n, f"entity {ent.text!r}: unknown label {ent.label_!r}", "doc"))
            elif layers[ent.label_] != ENTITY:
                report.problems.append(
                    Problem(n, f"entity {ent.text!r}: {ent.label_!r} is not an entity label", "doc")
                )
        for key, group in doc.spans.items():
            reach = None
            for span in sorted(group, key=lambda s: (s.start_char, s.end_char)):
                report.spans += 1
                if span.label_ not in known:
                    report.problems.append(
                        Problem(n, f"spans[{key!r}] {span.text!r}: unknown label {span.label_!r}", "doc")
                    )
                    continue
                if layers[span.label_] == ENTITY:
                    continue  # entities in a span group may nest; the store's rule is per layer
                if reach is not None and span.start_char < reach.end_char:
                    report.problems.append(
                        Problem(n, f"spans[{key!r}] {span.label_} {span.start_char}-{span.end_char} "
                                   f"overlaps {reach.label_} {reach.start_char}-{reach.end_char}", "doc")
                    )
                if reach is None or span.end_char > reach.end_char:
                    reach = span
    return report
