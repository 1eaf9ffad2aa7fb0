"""Storage for reader: schema, migrations and the Store API. Knows nothing of the UI."""

from .models import (
    AddResult,
    Article,
    ArticleRow,
    Change,
    Label,
    NewArticle,
    NewSpan,
    SearchHit,
    SearchHits,
    Span,
)
from .store import (
    LabelMismatch,
    NewerSchema,
    NotADatabase,
    QueryError,
    Store,
    StoreError,
)

__all__ = [
    "AddResult", "Article", "ArticleRow", "Change", "Label", "LabelMismatch", "NewArticle",
    "NewSpan", "NewerSchema", "NotADatabase", "QueryError", "SearchHit", "SearchHits",
    "Span", "Store", "StoreError",
]
