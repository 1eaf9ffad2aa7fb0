"""The records suggestions are made from and made of."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import NamedTuple
from urllib.parse import urlsplit

KINDS = ("name", "finder", "boilerplate", "repeat", "rule", "classifier", "imported")


class Suggestion(NamedTuple):
    """A span the machine proposes; `kind` says which suggester made it, `reason` why."""

    start: int
    end: int
    label: str
    score: float
    kind: str
    reason: str = ""

    @property
    def key(self) -> tuple[int, int, str]:
        return (self.start, self.end, self.label)


@dataclass
class Doc:
    """One article: its text, the site it came from, and the annotator's own spans in it."""

    id: int
    text: str
    site: str | None = None
    spans: list[tuple[int, int, str]] = field(default_factory=list)

    def covered(self, labels: set[str]) -> list[tuple[int, int]]:
        return sorted((s, e) for s, e, label in self.spans if label in labels)


@dataclass
class LabelInfo:
    name: str
    layer: str
    unit: str = "sentence"


@dataclass
class Corpus:
    """What the suggesters learn from: articles with the annotator's spans, and rejections.

    `rejected` holds (article id, start, end, label) of every suggestion turned down;
    `rejected_texts` counts (label, text) of rejections, which count against that text for
    the name matcher.
    """

    docs: dict[int, Doc]
    labels: list[LabelInfo]
    rejected: set[tuple[int, int, int, str]] = field(default_factory=set)
    rejected_texts: Counter = field(default_factory=Counter)

    def layer(self, label: str) -> str | None:
        for info in self.labels:
            if info.name == label:
                return info.layer
        return None

    @property
    def entity_labels(self) -> list[str]:
        return [l.name for l in self.labels if l.layer == "entity"]

    @property
    def segment_labels(self) -> list[str]:
        return [l.name for l in self.labels if l.layer == "segment"]

    @property
    def sentence_labels(self) -> list[str]:
        """Segment labels a sentence classifier learns: those whose unit is the sentence."""
        return [l.name for l in self.labels if l.layer == "segment" and l.unit == "sentence"]

    @property
    def boilerplate_label(self) -> str | None:
        names = self.segment_labels
        if "boilerplate" in names:
            return "boilerplate"
        paragraph = [l.name for l in self.labels if l.layer == "segment" and l.unit == "paragraph"]
        return paragraph[0] if paragraph else None

    def tagged_docs(self) -> list[Doc]:
        return [d for d in self.docs.values() if d.spans]

    def without(self, doc_id: int) -> "Corpus":
        """The same corpus with one article's spans hidden (for leave-one-out evaluation)."""
        docs = dict(self.docs)
        d = docs[doc_id]
        docs[doc_id] = Doc(d.id, d.text, d.site, [])
        return Corpus(docs, self.labels, self.rejected, self.rejected_texts)


def site_of(source: str | None, url: str | None) -> str | None:
    """The site an article came from: its URL's host, else the source it was imported with."""
    if url:
        try:
            host = urlsplit(url).hostname
        except ValueError:
            host = None
        if host:
            return host.removeprefix("www.")
    return source or None
