"""The app's own commands for the command palette (ctrl+p).

Article titles are untrusted, and the palette parses plain-string prompts as markup, so every
prompt here is a `Content` built from plain text; fuzzy-match highlights are applied by offset.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, cast

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.style import Style

import db

from .widgets.plain_text import visible

if TYPE_CHECKING:
    from .app import ReaderApp

# Titles offered for fuzzy matching; the full-text index covers the rest of the library.
TITLE_LIMIT = 1000
SEARCH_LIMIT = 10
MATCH_STYLE = Style(bold=True, underline=True)


def highlighted(text: str, offsets) -> Content:
    """Plain `text` with the characters at `offsets` in the match style; never parsed as markup."""
    content = Content(text)
    for offset in offsets:
        if 0 <= offset < len(text) and not text[offset].isspace():
            content = content.stylize(MATCH_STYLE, offset, offset + 1)
    return content


class ReaderCommands(Provider):
    """Open an article by title, next unfinished, search, export, span list (Textual's own
    "Theme" command switches the theme)."""

    @property
    def reader(self) -> ReaderApp:
        """The app (only ``ReaderApp`` registers these commands)."""
        return cast("ReaderApp", self.app)

    async def startup(self) -> None:
        rows = self.reader.store.list_articles(limit=TITLE_LIMIT)
        self._titles = [(row.id, visible(row.title) or "(untitled)") for row in rows]

    def _commands(self) -> list[tuple[str, Callable[[], object], str]]:
        """(name, callback, help) for each command the app and screen can run now."""
        from .screens.library import LibraryScreen

        app, screen = self.reader, self.screen
        found: list[tuple[str, Callable[[], object], str]] = [
            ("Next unfinished article", app.action_next_unfinished, "Open the next article that is not done"),
        ]
        if isinstance(screen, LibraryScreen):
            found.append(("Search articles", screen.action_search, "Full-text search over titles and text"))
        found.append(("Export annotations", app.action_export, "Write spans as training data"))
        found.append(("Toggle span list", app.action_toggle_span_list, "Show or hide the list of spans"))
        return found

    def _open(self, article_id: int) -> None:
        self.reader.open_article(article_id)

    async def discover(self) -> Hits:
        for name, callback, help_text in self._commands():
            yield DiscoveryHit(Content(name), callback, text=name, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, callback, help_text in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, text=name, help=help_text)
        seen: set[int] = set()
        for article_id, title in self._titles:
            score = matcher.match(title)
            if score > 0:
                seen.add(article_id)
                _, offsets = matcher.fuzzy_search.match(query, title)
                prompt = Content("Open: ") + highlighted(title, offsets)
                yield Hit(score * 0.9, prompt, partial(self._open, article_id), text=f"Open: {title}")
        # Words from the text itself, through the full-text index, for articles past the first
        # TITLE_LIMIT or matched on their text.
        if len(query.strip()) >= 3:
            try:
                hits = self.reader.store.search(query, limit=SEARCH_LIMIT)
            except db.StoreError:
                return
            for hit in hits:
                if hit.article_id in seen:
                    continue
                title = visible(hit.title) or "(untitled)"
                yield Hit(
                    0.5,
                    Content("Open: ") + Content(title),
                    partial(self._open, hit.article_id),
                    text=f"Open: {title}",
                    # Content, not str: a snippet is article text, never parsed as markup.
                    help=Content(visible(hit.snippet)),  # type: ignore[arg-type]
                )
