"""What exporters take in (records read from the store) and what they give back (a summary)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import NamedTuple

SEGMENT = "segment"
ENTITY = "entity"

# Reasons a span is left out of an export, as they appear in summaries.
NOT_ON_TOKENS = "not on token boundaries"
NOT_ON_SPACY_TOKENS = "not on spaCy token boundaries"
ENTITY_OVERLAP = "overlaps an earlier entity"
OUTSIDE_TEXT = "outside the text"


class ExportSpan(NamedTuple):
    """One tagged span: code point offsets into the article text, end exclusive.

    A named tuple, not a dataclass: an export makes one per stored span (a million of them in a
    large one), and a tuple is several times cheaper to build. Its annotator is the record's.
    """

    start: int
    end: int
    label: str
    layer: str  # SEGMENT or ENTITY


@dataclass
class ExportRecord:
    """One article as one annotator tagged it (an article tagged by two people is two records)."""

    article_id: int
    title: str
    source: str | None
    url: str | None
    sha256: str
    status: str
    text: str
    annotator: str  # whose spans these are, all of them
    spans: list[ExportSpan]  # sorted by (start, end, label)


@dataclass(frozen=True)
class SkippedSpan:
    """A span an exporter could not write, and why."""

    article_id: int
    start: int
    end: int
    label: str
    reason: str


@dataclass
class ExportSummary:
    """What an export wrote: counts to show the user, and which spans were left out or moved.

    ``spans`` counts the spans written, per label. ``skipped`` counts spans left out, per reason;
    ``snapped`` counts spans whose edges were moved outward to token edges, per reason. The first
    few of each are kept in ``examples`` so a user can find them.
    """

    format: str
    articles: int = 0  # records read
    items: int = 0  # lines, tasks or docs written
    spans: Counter = field(default_factory=Counter)
    skipped: Counter = field(default_factory=Counter)
    snapped: Counter = field(default_factory=Counter)
    examples: list[SkippedSpan] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # anything else the user should hear of

    MAX_EXAMPLES = 20

    def skip(self, record: ExportRecord, span: ExportSpan, reason: str) -> None:
        """Count ``span`` of ``record`` as left out for ``reason``."""
        self.skipped[reason] += 1
        self._example(record, span, reason)

    def snap(self, record: ExportRecord, span: ExportSpan, reason: str) -> None:
        """Count ``span`` of ``record`` as moved outward to token edges for ``reason``."""
        self.snapped[reason] += 1
        self._example(record, span, f"snapped: {reason}")

    def _example(self, record: ExportRecord, span: ExportSpan, reason: str) -> None:
        if len(self.examples) < self.MAX_EXAMPLES:
            self.examples.append(
                SkippedSpan(record.article_id, span.start, span.end, span.label, reason)
            )

    @property
    def total_spans(self) -> int:
        """The number of spans written."""
        return sum(self.spans.values())

    @property
    def total_skipped(self) -> int:
        """The number of spans left out."""
        return sum(self.skipped.values())

    def merge(self, other: ExportSummary) -> None:
        """Add the counts of ``other`` (an export of another part of the same data) to these."""
        self.articles += other.articles
        self.items += other.items
        self.spans.update(other.spans)
        self.skipped.update(other.skipped)
        self.snapped.update(other.snapped)
        room = self.MAX_EXAMPLES - len(self.examples)
        self.examples.extend(other.examples[: max(room, 0)])
