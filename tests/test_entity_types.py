"""The shipped entity-types label set: it loads, and names tag, move and repeat per type."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

import pytest
from click.testing import CliRunner

from db import NewArticle, Store
from reader.cli import main
from reader.labels import load_labels
from reader.tagging import natural_unit, next_untagged
from reader.text.names import mentions
from reader.text.segment import Segments

TYPES = Path(str(files("reader.assets") / "labels-entity-types.toml"))
TEXT = (
    "Oxfam sends aid to Glasbury\n"
    "Charity Oxfam said on Monday that Gwen Morgan, 72, had been rescued in Glasbury. "
    "Morgan thanked Oxfam volunteers.\n"
)


def test_the_file_loads_with_four_entity_types_after_the_segment_labels():
    labels = load_labels(TYPES)
    assert [(l.name, l.layer) for l in labels] == [
        ("fact", "segment"), ("opinion", "segment"), ("boilerplate", "segment"),
        ("person", "entity"), ("organisation", "entity"), ("place", "entity"), ("other", "entity"),
    ]
    assert all(l.unit == "word" for l in labels if l.layer == "entity")
    assert all(l.description for l in labels)
    assert len({l.key for l in labels if l.key}) == len([l for l in labels if l.key])


def test_the_cli_uses_it(tmp_path):
    result = CliRunner().invoke(main, ["--db", str(tmp_path / "t.db"), "--labels", str(TYPES), "labels"])
    assert result.exit_code == 0, result.output
    for name in ("person", "organisation", "place", "other"):
        assert name in result.output


@pytest.fixture
def typed(tmp_path):
    store = Store.open(tmp_path / "types.db")
    store.set_labels(load_labels(TYPES))
    aid = store.add_articles([NewArticle("Oxfam sends aid to Glasbury", TEXT)]).ids[0]
    yield store, aid
    store.close()


def entity_spans(store, aid):
    return [(s.start, s.end) for s in store.spans(aid, "maya") if store.label(s.label).layer == "entity"]


def test_each_type_tags_names_on_one_layer_with_the_jump_and_every_mention(typed):
    store, aid = typed
    seg = Segments(TEXT)
    second_line = TEXT.index("Charity")
    # The entity key of each type tags the name under the cursor; the jump skips tagged ones.
    oxfam = natural_unit(seg, TEXT.index("Oxfam", second_line), "word")
    assert TEXT[slice(*oxfam)] == "Oxfam"
    store.tag(aid, *oxfam, "organisation", "maya")
    nxt = next_untagged(seg, oxfam[0], "word", entity_spans(store, aid))
    assert TEXT[nxt:].startswith("Gwen Morgan")
    person = natural_unit(seg, nxt, "word")
    store.tag(aid, *person, "person", "maya")
    nxt = next_untagged(seg, person[0], "word", entity_spans(store, aid))
    assert TEXT[nxt:].startswith("Glasbury. ")
    place = natural_unit(seg, nxt, "word")
    store.tag(aid, *place, "place", "maya")
    # Every other mention of each, as one change per type.
    for span, label in ((oxfam, "organisation"), (place, "place")):
        others = mentions(TEXT, *span, entity_spans(store, aid))
        store.tag_many(aid, others, label, "maya")
    tagged = {(TEXT[s.start : s.end], s.start, s.label) for s in store.spans(aid, "maya")}
    assert tagged == {
        ("Oxfam", 0, "organisation"),
        ("Oxfam", oxfam[0], "organisation"),
        ("Oxfam", TEXT.index("Oxfam volunteers"), "organisation"),
        ("Gwen Morgan", person[0], "person"),
        ("Glasbury", TEXT.index("Glasbury"), "place"),
        ("Glasbury", place[0], "place"),
    }
    # One undo takes back the last tag-every-mention whole.
    undone = store.undo(aid, "maya")
    assert [(s.label, s.start) for s in undone.removed] == [("place", TEXT.index("Glasbury"))]


def test_types_share_the_layer_so_a_retyped_name_replaces_the_old_one(typed):
    store, aid = typed
    seg = Segments(TEXT)
    span = natural_unit(seg, TEXT.index("Gwen"), "word")
    store.tag(aid, *span, "place", "maya")
    change = store.tag(aid, *span, "person", "maya")
    assert [s.label for s in change.removed] == ["place"]
    assert [(s.start, s.end, s.label) for s in store.spans(aid, "maya")] == [(*span, "person")]


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_type_keys_in_the_app_tag_the_name_and_jump_to_the_next(typed, anyio_backend):
    from reader.app import ReaderApp
    from reader.config import Settings

    store, aid = typed
    app = ReaderApp(store, annotator="maya", settings=Settings(), save_settings=False)
    async with app.run_test(size=(110, 30)) as pilot:
        app.open_article(aid)
        await pilot.pause()
        view = app.screen.view
        view.cursor = TEXT.index("Oxfam said")
        await pilot.press("z")  # organisation
        assert view.cursor == TEXT.index("Gwen Morgan")
        await pilot.press("c")  # person
        assert view.cursor == TEXT.index("Glasbury. ")
        await pilot.press("y")  # place
    assert [(TEXT[s.start : s.end], s.label) for s in store.spans(aid, "maya")] == [
        ("Oxfam", "organisation"), ("Gwen Morgan", "person"), ("Glasbury", "place"),
    ]
