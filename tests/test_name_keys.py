"""Name keys in the real app: the motions, every mention at once (one undo), and retitling."""

import pytest

from db import NewArticle
from reader.app import ReaderApp
from reader.config import Settings
from reader.screens.article import ArticleScreen
from reader.screens.title_prompt import TitlePrompt
from reader.text.names import names_in

pytestmark = pytest.mark.anyio

TEXT = (
    "Harbour board split over dredging plan\n\n"
    "However, the vote on Monday went against Ingrid Solberg, who chairs the board. "
    "Solberg said the Kestrel Bay Trust had been ignored. "
    "Members of the Kestrel Bay Trust walked out, and Solberg's deputy, Tomas Aalto, followed them.\n\n"
    "Aalto later said he would return. Solberg did not comment."
)


@pytest.fixture
def anyio_backend():
    return "asyncio"


@pytest.fixture
def article(store):
    return store.add_articles([NewArticle("Harbour board", TEXT)]).ids[0]


def entities(store, article_id):
    return [TEXT[s.start : s.end] for s in store.spans(article_id, "ann") if s.label == "entity"]


async def press(pilot, *keys):
    await pilot.press(*keys)
    await pilot.app.writes_settled()
    await pilot.pause()


async def opened(pilot, app, article_id):
    app.open_article(article_id)
    await pilot.pause()
    assert isinstance(app.screen, ArticleScreen)
    return app.screen


def status_text(screen) -> str:
    return str(screen.query_one("#status-line").render())


def make_app(store):
    return ReaderApp(store, annotator="ann", settings=Settings(), save_settings=False)


async def test_tab_and_shift_tab_walk_the_names_without_tagging(store, article):
    app = make_app(store)
    async with app.run_test(size=(110, 34)) as pilot:
        screen = await opened(pilot, app, article)
        view = screen.view
        view.cursor = TEXT.index("However")
        seen = []
        for _ in range(4):
            await press(pilot, "tab")
            seen.append(view.cursor)
        # The motion visits the name finder's candidates in order, and only those.
        after = [s for s, _ in names_in(TEXT) if s > TEXT.index("However")]
        assert seen == after[:4]
        assert TEXT.index("Ingrid") in seen and TEXT.index("Solberg said") in seen
        assert TEXT.index("However") not in seen and TEXT.index("Monday") not in seen
        assert TEXT.index("Members") not in seen  # a partitive opens the sentence
        await press(pilot, "shift+tab")
        assert view.cursor == seen[-2]
        assert store.spans(article, "ann") == []  # moving tags nothing


async def test_star_tags_every_other_mention_and_one_undo_removes_them(store, article):
    app = make_app(store)
    async with app.run_test(size=(110, 34)) as pilot:
        screen = await opened(pilot, app, article)
        screen.view.cursor = TEXT.index("Solberg said")
        await press(pilot, "c")
        assert entities(store, article) == ["Solberg"]
        screen.view.cursor = TEXT.index("Solberg said")
        await press(pilot, "asterisk")
        # Same text as whole words: the surname inside "Ingrid Solberg" and before "'s" count.
        got = entities(store, article)
        assert got.count("Solberg") == TEXT.count("Solberg")
        assert "tagged 3 more mentions" in status_text(screen)
        await press(pilot, "u")
        assert entities(store, article) == ["Solberg"]
        await press(pilot, "u")
        assert entities(store, article) == []


async def test_star_without_a_tagged_name_says_what_to_do(store, article):
    app = make_app(store)
    async with app.run_test(size=(110, 34)) as pilot:
        screen = await opened(pilot, app, article)
        screen.view.cursor = TEXT.index("Aalto later")
        await press(pilot, "asterisk")
        assert "put the cursor on a tagged name first" in status_text(screen)
        assert store.spans(article, "ann") == []


async def test_capital_t_changes_the_title_and_escape_keeps_it(store, article):
    app = make_app(store)
    async with app.run_test(size=(110, 34)) as pilot:
        screen = await opened(pilot, app, article)
        await press(pilot, "T")
        assert isinstance(app.screen, TitlePrompt)
        await press(pilot, "escape")
        assert app.screen is screen and store.article(article).title == "Harbour board"
        await press(pilot, "T")
        await press(pilot, "ctrl+u")  # clear the line (Input's delete-to-start)
        await pilot.press(*"Board splits on dredging")
        await press(pilot, "enter")
        assert app.screen is screen
        assert store.article(article).title == "Board splits on dredging"
        assert "Board splits on dredging" in str(screen.query_one("#article-header").render())
        # A title that cannot be stored is refused with the reason, and nothing changes.
        await press(pilot, "T", "ctrl+u", "enter")
        assert store.article(article).title == "Board splits on dredging"
        assert "title not changed" in status_text(screen)


async def test_star_right_after_the_entity_key_spreads_the_name_just_tagged(store, article):
    app = make_app(store)
    async with app.run_test(size=(110, 34)) as pilot:
        screen = await opened(pilot, app, article)
        screen.view.cursor = TEXT.index("Aalto,")
        await press(pilot, "c")  # on the surname: the key tags the whole name
        tagged = entities(store, article)
        assert tagged == ["Tomas Aalto"]
        assert screen.view.cursor != TEXT.index("Tomas")  # the key moved on to the next name
        await press(pilot, "asterisk")
        # "Tomas Aalto" appears once; the lone "Aalto" is a different text, so nothing is added.
        assert entities(store, article) == ["Tomas Aalto"]
        assert "no other untagged mention of “Tomas Aalto”" in status_text(screen)
        screen.view.cursor = TEXT.index("Solberg did")
        await press(pilot, "c", "asterisk")
        assert entities(store, article).count("Solberg") == TEXT.count("Solberg")


PARTS = "The Leith-based charity Harbourwatch backed Okafor’s plan on Friday."


async def test_a_selection_ending_at_a_hyphen_or_possessive_stays_there(store):
    (article_id,) = store.add_articles([NewArticle("Parts", PARTS)]).ids
    app = make_app(store)
    async with app.run_test(size=(110, 34)) as pilot:
        screen = await opened(pilot, app, article_id)
        screen.view.cursor = PARTS.index("Leith")
        await press(pilot, *["shift+right"] * 3)  # "Lei", inside the first part
        await press(pilot, "c")
        screen.view.cursor = PARTS.index("Okafor")
        await press(pilot, *["shift+right"] * len("Okafor"))  # up to the possessive
        await press(pilot, "c")
        tagged = [PARTS[s.start : s.end] for s in store.spans(article_id, "ann")]
        # Snapped out to the part, not to the whole "Leith-based"; the ’s left off.
        assert tagged == ["Leith", "Okafor"]
