"""What a screen works with, typed: the store, who annotates, the session, the settings and the
write queue. Screens read it as ``self.ctx`` rather than as untyped attributes of the app."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, cast

if TYPE_CHECKING:
    from db.store import Store

    from ..config import Settings
    from ..writes import WriteQueue


class ReaderContext(Protocol):
    """The part of the app a screen may use (``ReaderApp`` provides it)."""

    store: Store
    annotator: str
    settings: Settings
    session_id: int
    writes: WriteQueue | None
    show_span_list: bool

    def open_article(self, article_id: int, *, review: bool = False) -> None: ...


class UsesContext:
    """For screens: ``self.ctx`` is the running app seen as a ``ReaderContext``."""

    @property
    def ctx(self) -> ReaderContext:
        return cast("ReaderContext", self.app)  # type: ignore[attr-defined]
