"""A [keymap] in config.toml moves any binding: the new key does the action, the old one no
longer does, the help screen shows the key in force, and an unknown id is named, not fatal."""

import pytest

from db import NewArticle
from reader.app import ReaderApp
from reader.config import ConfigError, Settings, load_settings
from reader.keymap import binding_ids, reader_node_classes
from reader.screens.article import ArticleScreen
from reader.screens.help import HelpScreen

pytestmark = pytest.mark.anyio

TEXT = "Ferry fares rise.\n\nThe operator said costs had doubled. Passengers were not pleased."


@pytest.fixture
def anyio_backend():
    return "asyncio"


def labels_of(store, article_id):
    return [(TEXT[s.start : s.end], s.label) for s in store.spans(article_id, "ann")]


def test_keymap_is_read_from_config_toml(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('[keymap]\n"article.undo" = "z,ctrl+z"\n"label.fact" = "F"\n', encoding="utf-8")
    assert load_settings(path).keymap == {"article.undo": "z,ctrl+z", "label.fact": "F"}


@pytest.mark.parametrize("value", ['""', "3", '"a,,b"', '"\\u001b[2J"'])
def test_a_keymap_entry_that_is_not_keys_is_refused_in_one_line(tmp_path, value):
    path = tmp_path / "config.toml"
    path.write_text(f'[keymap]\n"article.undo" = {value}\n', encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    message = str(caught.value)
    assert "keymap" in message and "\n" not in message and "\x1b" not in message


def test_every_binding_has_an_id_and_ids_are_unique_per_class():
    for cls in reader_node_classes():
        ids = [b.id for b in getattr(cls, "BINDINGS", ()) if hasattr(b, "id")]
        assert all(ids), cls
        assert len(ids) == len(set(ids)), cls
    assert {"article.undo", "article.next-name", "library.search"} <= binding_ids(reader_node_classes())


async def test_a_remapped_key_does_the_action_and_the_help_shows_it(store):
    (article_id,) = store.add_articles([NewArticle("Ferry fares", TEXT)]).ids
    settings = Settings(keymap={"article.undo": "z", "label.fact": "F", "no.such-binding": "y"})
    app = ReaderApp(store, annotator="ann", settings=settings, save_settings=False)
    async with app.run_test(size=(110, 34)) as pilot:
        app.open_article(article_id)
        await pilot.pause()
        assert isinstance(app.screen, ArticleScreen)
        await pilot.press("F")  # fact, on its new key
        await app.writes_settled()
        await pilot.pause()
        assert labels_of(store, article_id) == [("Ferry fares rise.", "fact")]
        await pilot.press("u")  # the old undo key does nothing now
        await app.writes_settled()
        await pilot.pause()
        assert labels_of(store, article_id) == [("Ferry fares rise.", "fact")]
        await pilot.press("z")
        await app.writes_settled()
        await pilot.pause()
        assert labels_of(store, article_id) == []
        notices = [n.message for n in app._notifications]
        assert any("no.such-binding" in m for m in notices)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        rows = {what: keys for _title, group in app.screen.groups for keys, what in group}
        assert rows["Undo"].split() == ["z"]  # the key in force, not the default u / ctrl+z
        assert rows["Tag fact"].split() == ["F"]


def test_a_label_key_a_binding_has_taken_is_refused_when_the_app_starts(tmp_path):
    from click.testing import CliRunner

    from reader.cli import main

    labels = tmp_path / "labels.toml"
    labels.write_text(
        '[[label]]\nname = "fact"\nkey = "j"\nlayer = "segment"\n'
        '[[label]]\nname = "claim"\nkey = "f"\nlayer = "segment"\n',
        encoding="utf-8",
    )
    config = tmp_path / "config.toml"
    env = {"READER_CONFIG": str(config)}
    result = CliRunner().invoke(main, ["--db", str(tmp_path / "x.db"), "--labels", str(labels)], env=env)
    assert result.exit_code == 3
    assert "key 'j' is taken by 'Row down'" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_moving_a_binding_off_a_key_frees_it_for_a_label():
    from db import Label
    from reader.keymap import label_key_clash

    labels = [Label("fact", "segment", "j", "#3d7ecb", "sentence", "")]
    assert "Row down" in label_key_clash(labels)
    assert label_key_clash(labels, {"article.down": "down"}) is None
    assert "digits" in label_key_clash([Label("fact", "segment", "3", "#3d7ecb", "sentence", "")])
