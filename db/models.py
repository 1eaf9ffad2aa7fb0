"""Plain records the Store hands out and takes in. No SQL here, no UI."""

from __future__ import annotations

from dataclasses import dataclass, field

STATUSES = ("new", "in_progress", "done")
LAYERS = ("segment", "entity")
SOURCES = ("manual", "imported", "suggested")


@dataclass(frozen=True)
class Label:
    name: str
    layer: str = "segment"
    key: str | None = None
    colour: str = "#888888"
    unit: str = "sentence"
    description: str = ""


@dataclass(frozen=True)
class NewSpan:
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


@dataclass(frozen=True)
class Span:
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
        return {
            "id": self.id,
            "article_id": self.article_id,
            "start": self.start,
            "end": self.end,
            "label": self.label,
            "annotator": self.annotator,
            "source": self.source,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
        }


@dataclass(frozen=True)
class Change:
    """What one edit did to an article's spans: enough to draw it and to undo it."""

    article_id: int
    added: tuple[Span, ...] = ()
    removed: tuple[Span, ...] = ()
    status: str | None = None

    def __bool__(self) -> bool:
        return bool(self.added or self.removed)

    def inverse(self) -> "Change":
        return Change(self.article_id, added=self.removed, removed=self.added, status=self.status)


@dataclass(frozen=True)
class Article:
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


@dataclass(frozen=True)
class ArticleRow:
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


@dataclass(frozen=True)
class SearchHit:
    article_id: int
    title: str
    snippet: str
    # (start, end) pairs into `snippet` of the words that matched
    marks: tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class AddResult:
    imported: int
    duplicates: int
    spans: int
    ids: tuple[int, ...] = ()
