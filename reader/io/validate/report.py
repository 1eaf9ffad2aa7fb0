"""What a check finds: problems with where they are, and a report of the whole file."""

from __future__ import annotations

from typing import TypeGuard

from dataclasses import dataclass, field

ENTITY = "entity"

KINDS = {
    "jsonl": "JSONL tasks (reader jsonl / Prodigy)",
    "doccano": "doccano JSONL",
    "sentences": "reader sentences JSONL",
    "labelstudio": "Label Studio JSON",
    "labelstudio-lines": "Label Studio JSON lines",
    "conll": "CoNLL IOB",
    "spacy": "spaCy DocBin",
}
CHECKS = {
    "jsonl": "checked as reader import reads it, against the label set in use",
    "doccano": "checked as reader import reads it, against the label set in use",
    "sentences": "span texts against their context, labels against the label set in use",
    "labelstudio": "offsets, span texts, labels and overlaps against the label set in use",
    "labelstudio-lines": "offsets, span texts, labels and overlaps against the label set in use",
    "conll": "columns, IOB tags and entity labels against the label set in use",
    "spacy": "entity and span labels and overlaps against the label set in use",
}


@dataclass(frozen=True)
class Problem:
    """One problem: where it is (a 1-based line, task or doc number) and what is wrong."""

    line: int
    message: str
    unit: str = "line"

    def __str__(self) -> str:
        return f"{self.unit} {self.line}: {self.message}"


@dataclass
class Report:
    """What :func:`validate_file` found: the kind of file, its problems, what it counted."""

    kind: str
    problems: list[Problem] = field(default_factory=list)
    items: int = 0  # lines, tasks, sentences or docs checked
    spans: int = 0
    item_name: str = "line"
    unavailable: str | None = None  # why the file could not be checked here

    @property
    def description(self) -> str:
        return KINDS.get(self.kind, "file")

    def summary(self) -> str:
        """``"doccano JSONL, 4 lines, 9 spans, checked as ..."`` for the line a user reads."""
        if self.unavailable:
            return f"a {self.description} file; {self.unavailable}"
        items = f"{self.items} {self.item_name}{'s' if self.items != 1 else ''}"
        spans = f"{self.spans} span{'s' if self.spans != 1 else ''}"
        return f"{self.description}, {items}, {spans}: {CHECKS[self.kind]}"


def is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)
