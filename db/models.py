"""Plain records the Store hands out and takes in. No SQL here, no UI.

The immutable records are named tuples rather than frozen dataclasses: every launch of the app
defines them, and a frozen dataclass costs about five times as much to define (and to build).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

STATUSES = ("new", "in_progress", "done")
LAYERS = ("segment", "entity")
SOURCES = ("manual", "imported", "suggested")


class Label(NamedTuple):
    name: str
    layer: str = "segment"
    key: str | None = None
    colour: str = "#888888"
    unit: str = "sentence"
    description: str = ""


class NewSpan(NamedTuple):
    start: int
    end: int
    label: str
    annotator: str | None = None


@dataclass
class NewArticle:
    """An article on its way into the store: text already decoded and sanitised."""

    title: str
    text: str
    source: str | None = None
    url: str | None = None
    raw_sha256: str | None = None
    encoding: str | None = None
    meta: dict = field(default_factory=dict)
    spans: list[NewSpan] = field(default_factory=list)
    origin: str = ""
    status: str | None = None  # None: "in_progress" when it has spans, else "new"


class Span(NamedTuple):
    id: int
    article_id: int
    start: int
    end: int
    label: str
    annotator: str
    source: str = "manual"
    created_at: str = ""
    updated_at: str = ""

    def row(self) -> dict:
        return self._asdict()


class Change(NamedTuple):
    """What one edit did to an article's spans: enough to draw it and to undo it."""

    article_id: int
    added: tuple[Span, ...] = ()
    removed: tuple[Span, ...] = ()
    status: str | None = None

    def __bool__(self) -> bool:
        # A tuple of four is always true; a change is true when it changed something.
        return bool(self.added or self.removed)

    def inverse(self) -> "Change":
        return Change(self.article_id, added=self.removed, removed=self.added, status=self.status)


class Article(NamedTuple):
    id: int
    title: str
    text: str
    source: str | None
    url: str | None
    sha256: str
    raw_sha256: str | None
    encoding: str | None
    imported_at: str
    status: str
    meta: dict
    words: int


class ArticleRow(NamedTuple):
    """One line of the library: an article without its text."""

    id: int
    title: str
    source: str | None
    status: str
    words: int
    chars: int
    spans: int
    own_spans: int
    progress: float


class SearchHit(NamedTuple):
    article_id: int
    title: str
    snippet: str
    # (start, end) pairs into `snippet` of the words that matched
    marks: tuple[tuple[int, int], ...]


class SearchHits(list):
    """The hits of one search, best first; `within` is how many of the newest articles the
    ranking was confined to, or None when it covered the whole library."""

    def __init__(self, hits=(), within: int | None = None):
        super().__init__(hits)
        self.within = within


class AddResult(NamedTuple):
    imported: int
    duplicates: int
    spans: int
    ids: tuple[int, ...] = ()
