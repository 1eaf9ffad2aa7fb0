"""Label files: names and colours checked when the file is read, every key a file names works in
the app (punctuation and space included, and for every label, not only the first nine), and the
legend shows every label or says how many it hides and how to see them."""

from __future__ import annotations

from pathlib import Path

import pytest

from db import NewArticle, Store
from reader.app import ReaderApp
from reader.config import ConfigError, Settings
from reader.labels import MAX_NAME, key_name, load_labels
from reader.screens.article import ArticleScreen
from reader.widgets.legend import Legend


def _write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "labels.toml"
    path.write_text(body, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "body, message",
    [
        ('[[label]]\nname = "a"\ncolour = "#3d7ecb\\n"\n', "colour must look like"),
        ('[[label]]\nname = "a"\ncolour = " #3d7ecb"\n', "colour must look like"),
        ('[[label]]\nname = "bad\\u001b]0;x\\u0007"\n', "printable text on one line"),
        ('[[label]]\nname = "two\\nlines"\n', "printable text on one line"),
        ('[[label]]\nname = "\\u202eevil"\n', "printable text on one line"),
        ('[[label]]\nname = "zero\\u200bwidth"\n', "printable text on one line"),
        (f'[[label]]\nname = "{"n" * (MAX_NAME + 1)}"\n', f"at most {MAX_NAME} characters"),
        ('[[label]]\nname = "a"\n[[label]]\nname = " a "\n', "appears twice"),
        ('[[label]]\nname = "a"\nkey = "\\u001b"\n', "cannot be typed"),
        ('[[label]]\nname = "a"\nkey = "\\t"\n', "cannot be typed"),
        ('[[label]]\nname = "a"\nkey = "\\u0301"\n', "cannot be typed"),
    ],
)
def test_label_files_refused_when_read(tmp_path, body, message):
    with pytest.raises(ConfigError, match=message) as info:
        load_labels(_write(tmp_path, body))
    assert "\n" not in str(info.value) and "\x1b" not in str(info.value)


def test_punctuation_and_space_keys_map_to_textual_names():
    assert [key_name(c) for c in "!,< z€"] == [
        "exclamation_mark", "comma", "less_than_sign", "space", "z", "euro_sign",
    ]


# 40 labels: digits reach the first nine; the last five have their own keys, among them the
# punctuation and space a file may name.
OWN_KEYS = {36: " ", 37: "<", 38: ",", 39: "!", 40: "z"}


def _forty(tmp_path: Path) -> Path:
    body = []
    for i in range(1, 41):
        body.append(f'[[label]]\nname = "label{i:02}"\ncolour = "#{(i * 5):02x}7ecb"\n')
        if i in OWN_KEYS:
            body.append(f'key = "{OWN_KEYS[i]}"\n')
    return _write(tmp_path, "".join(body))


@pytest.fixture
def anyio_backend():
    return "asyncio"


@pytest.mark.anyio
async def test_forty_labels_every_key_tags_and_the_legend_counts_the_rest(tmp_path):
    labels = load_labels(_forty(tmp_path))
    assert len(labels) == 40
    store = Store.open(tmp_path / "r.db")
    store.set_labels(labels)
    text = " ".join(f"Sentence number {n} is here." for n in range(1, 8))
    aid = store.add_articles([NewArticle("Forty", text)]).ids[0]
    app = ReaderApp(store, annotator="ann", settings=Settings(), save_settings=False)
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            app.open_article(aid)
            await pilot.pause()
            assert isinstance(app.screen, ArticleScreen)
            legend = app.screen.query_one(Legend)
            shown = str(legend.render())
            assert "label01" in shown
            assert "1/" not in shown  # no label of these has a key of its own but the last five
            wide = str(Legend.render_labels(labels))
            assert " space " in wide and " label36 " in wide and " z " in wide
            hidden = 40 - sum(f" label{i:02} " in shown for i in range(1, 41))
            assert hidden > 0 and f"+{hidden} more: ? lists all" in shown, shown
            for i, key in sorted(OWN_KEYS.items()):
                await pilot.press(key)
                await app.writes_settled()
                await pilot.pause()
                assert f"label{i:02}" in {s.label for s in store.spans(aid, "ann")}, key
            await pilot.press("3")
            await app.writes_settled()
            assert "label03" in {s.label for s in store.spans(aid, "ann")}
    finally:
        store.close()


def test_legend_shows_every_label_when_they_fit():
    labels = load_labels(Path(__file__).parent.parent / "assets" / "labels.toml")
    shown = str(Legend.render_labels(labels, 120))
    assert all(f" {label.name} " in shown for label in labels) and "more" not in shown
    narrow = str(Legend.render_labels(labels, 40))
    assert "more: ? lists all" in narrow
