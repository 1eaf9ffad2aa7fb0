"""Text that is not the project's own (file names, label names and descriptions, settings values,
database contents) reaches the terminal only through the one table of stand-ins: no escape
sequence, bidi control or stray newline is ever written, by the CLI or drawn by the app."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from rich.console import Console

from db import Label, NewArticle, Store
from reader.app import ReaderApp
from reader.cli import main
from reader.config import Settings
from reader.screens.article import ArticleScreen
from reader.text.visible import TABLE, json_line, one_line, visible
from reader import wrap
from reader.widgets import plain_text

# What a hostile name may carry: an OSC window title, a screen clear, an 8-bit CSI, a bidi
# override, a newline and a bell.
HOSTILE = "x\x1b]0;owned\x07\x1b[2J\u009b31m\u202eevil\u202c\nline2"
RAW = [b"\x1b", b"\x07", "\u009b".encode(), "\u202e".encode(), "\u202c".encode()]


def _assert_clean(data: bytes, lines: int | None = None) -> None:
    for raw in RAW:
        assert raw not in data, (raw, data)
    if lines is not None:
        assert data.count(b"\n") == lines, data


def test_one_table_everywhere():
    # The article view, the one-line cells and the CLI use the same stand-ins.
    assert wrap.CONTROL_TABLE is TABLE
    for cp in list(TABLE)[:: 7]:
        ch = chr(cp)
        assert plain_text.visible(ch) == one_line(ch) == TABLE[cp]
        if not 0xD800 <= cp < 0xE000:
            assert wrap.display_grapheme(ch)[0] == TABLE[cp]
    assert one_line("a\nb") == "a\u2424b" and visible("a\nb") == "a\nb"
    # Ordinary text is left alone, one character for one.
    text = "Council backs £4.2m — “yes” 東京 café"
    assert visible(text) == one_line(text) == text
    shown = one_line(HOSTILE)
    assert len(shown) == len(HOSTILE) and "\x1b" not in shown and "\n" not in shown


@pytest.mark.parametrize(
    "ch",
    ["\x08", "\u2067", "\x1b"],  # a backspace, a bidi isolate, an escape
    ids=["control", "bidi", "escape"],
)
def test_the_same_stand_in_through_wrap_fit_and_visible(ch):
    stand_in = TABLE[ord(ch)]
    assert len(stand_in) == 1 and stand_in != ch
    text = f"Vote{ch}count"
    at = text.index(ch)
    # The reading pane: the cell for the character shows the stand-in, one cell wide.
    row = wrap.wrap_text(text, 40)
    cell = next(c for c in row.cells(0) if c.start == at)
    assert (cell.shown, cell.width) == (stand_in, 1)
    assert row.shown(0, len(text)) == text.replace(ch, stand_in)
    # A table cell fitted to a width, whether or not the caller made the text visible first.
    assert plain_text.fit(text, 20) == plain_text.fit(plain_text.visible(text), 20)
    assert plain_text.fit(text, 20)[at] == stand_in and ch not in plain_text.fit(text, 20)
    assert plain_text.fit_right(text, 20).rstrip().endswith(text.replace(ch, stand_in))
    # One-line text and the CLI.
    assert plain_text.visible(text)[at] == one_line(text)[at] == visible(text)[at] == stand_in


def test_json_line_keeps_data_exact_and_inert():
    obj = {"title": HOSTILE + "\x7f\u2028\u200b", "n": 1}
    line = json_line(obj)
    assert json.loads(line) == obj
    _assert_clean(line.encode("utf-8"))
    assert "\n" not in line and "\u2028" not in line and "\x7f" not in line


def _run(args, **kwargs):
    return CliRunner().invoke(main, args, catch_exceptions=False, **kwargs)


def test_import_error_names_a_hostile_file_name_inertly(tmp_path):
    bad = tmp_path / f"{HOSTILE}.txt"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    result = _run(["--db", str(tmp_path / "r.db"), "import", str(bad)])
    assert result.exit_code == 1
    _assert_clean(result.stderr_bytes, lines=1)
    assert "␛]0;owned␇" in result.stderr and "line2" in result.stderr


def test_import_summary_and_missing_file_are_inert(tmp_path):
    good = tmp_path / f"{HOSTILE}.txt"
    good.write_text("The council met on Tuesday.\n", encoding="utf-8")
    result = _run(["--db", str(tmp_path / "r.db"), "import", str(good)])
    assert result.exit_code == 0, result.output
    _assert_clean(result.stdout_bytes, lines=1)
    _assert_clean(result.stderr_bytes)
    missing = _run(["--db", str(tmp_path / "r.db"), "import", str(tmp_path / f"no{HOSTILE}")])
    assert missing.exit_code != 0
    _assert_clean(missing.stderr_bytes, lines=1)
    # Click's own usage errors quote the argument as typed.
    usage = _run(["--db", str(tmp_path / "r.db"), "show", HOSTILE])
    assert usage.exit_code == 2
    _assert_clean(usage.stderr_bytes)


def _hostile_db(tmp_path: Path) -> Path:
    path = tmp_path / "r.db"
    store = Store.open(path)
    store.set_labels([Label("fact", "segment", "f", "#2e7d32", "sentence", "A fact.")])
    aid = store.add_articles([NewArticle(HOSTILE, "Some text here.", source=HOSTILE)]).ids[0]
    store.tag(aid, 0, 4, "fact", HOSTILE)
    store.close()
    return path


def test_database_contents_in_cli_output(tmp_path):
    db = str(_hostile_db(tmp_path))
    listed = _run(["--db", db, "list"])
    assert listed.exit_code == 0
    _assert_clean(listed.stdout_bytes, lines=2)
    as_json = _run(["--db", db, "list", "--json"])
    _assert_clean(as_json.stdout_bytes, lines=1)
    assert json.loads(as_json.stdout)["title"] == HOSTILE  # exact data, escaped
    stats = _run(["--db", db, "--annotator", HOSTILE, "stats"])
    _assert_clean(stats.stdout_bytes)
    assert "␛]0;owned␇" in stats.stdout
    stats_json = _run(["--db", db, "stats", "--json"])
    _assert_clean(stats_json.stdout_bytes, lines=1)
    assert HOSTILE in json.loads(stats_json.stdout)["by_annotator"]
    shown = _run(["--db", db, "--annotator", HOSTILE, "show", "1"])
    _assert_clean(shown.stdout_bytes)


def test_labels_command_shows_descriptions_inertly(tmp_path):
    labels = tmp_path / "labels.toml"
    labels.write_text(
        '[[label]]\nname = "claim"\nkey = "c"\n'
        'description = "A claim \\u001b]0;owned\\u0007 \\u001b[2J \\u202e backwards \\n second line"\n',
        encoding="utf-8",
    )
    result = _run(["--db", str(tmp_path / "r.db"), "--labels", str(labels), "labels"])
    assert result.exit_code == 0, result.output
    _assert_clean(result.stdout_bytes, lines=2)
    assert "␛]0;owned␇" in result.stdout and "second line" in result.stdout


def test_settings_values_in_errors_are_inert(tmp_path, monkeypatch):
    config = tmp_path / "config.toml"
    config.write_text('labels = "/nowhere/\\u001b]0;owned\\u0007\\nx.toml"\n', encoding="utf-8")
    monkeypatch.setenv("READER_CONFIG", str(config))
    result = _run(["--db", str(tmp_path / "r.db"), "labels"])
    assert result.exit_code == 3
    _assert_clean(result.stderr_bytes, lines=1)
    assert "label file not found" in result.stderr


# -- the app ---------------------------------------------------------------------------------

CONTROLS = {chr(c) for c in range(0x20) if c != 0x0A} | {chr(c) for c in range(0x7F, 0xA0)}
BIDI = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")


def _screen_text(app) -> str:
    """What the terminal is sent for the whole screen (modal screens over their background
    included), checked to hold no control character or bidi control but Textual's own cursor
    moves, as plain text."""
    update = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    console = Console(width=app.size.width, height=app.size.height, file=io.StringIO(),
                      record=True, legacy_windows=False)
    console.print(update)
    for seg in console._record_buffer:
        if seg.control:  # Textual's own cursor moves between rows
            continue
        assert not (set(seg.text) & (CONTROLS | BIDI)), repr(seg.text)
    return console.export_text()


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_hostile_label_names_from_an_old_database_are_drawn_inertly(tmp_path):
    # A label file is checked when read; a database written by an older version or another tool
    # may still hold such a name and description.
    store = Store.open(tmp_path / "r.db")
    name = "bad\x1b]0;owned\x07\n\u202ename"
    store.set_labels([
        Label(name, "segment", "f", "#2e7d32", "sentence", "Desc \x1b[2J\u202e\nmore"),
        Label("opinion", "segment", "o", "#c62828", "sentence", "A view."),
    ])
    aid = store.add_articles([NewArticle("Plain", "One sentence here. Another one.")]).ids[0]
    app = ReaderApp(store, annotator="ann", settings=Settings(), save_settings=False)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            app.open_article(aid)
            await pilot.pause()
            assert isinstance(app.screen, ArticleScreen)
            await pilot.press("1")
            await app.writes_settled()
            await pilot.pause()
            shown = _screen_text(app)
            # Legend, span list and status line: one line each, the controls as pictures.
            assert shown.count("bad␛]0;owned␇␤⇆name") >= 2, shown
            await pilot.press("question_mark")
            await pilot.pause()
            help_text = _screen_text(app)
            assert "Tag bad␛]0;owned␇␤⇆name" in help_text
            await pilot.press(*["j"] * 80)  # down to the label guidelines
            await pilot.pause()
            help_text = _screen_text(app)
            assert "bad␛]0;owned␇" in help_text and "Desc ␛[2J⇆" in help_text
    finally:
        store.close()


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_notices_quoting_a_path_are_neither_markup_nor_escapes(tmp_path, monkeypatch):
    # A config path with markup and an escape in it: the theme notice quotes it as text.
    blocker = tmp_path / "[b]x[reverse]y\x1b[2J"
    blocker.write_text("a file where a directory should be")
    monkeypatch.setenv("READER_CONFIG", str(blocker / "config.toml"))
    store = Store.open(tmp_path / "r.db")
    store.set_labels([Label("fact", "segment", "f", "#2e7d32", "sentence", "A fact.")])
    app = ReaderApp(store, annotator="ann", settings=Settings(), save_settings=True)
    try:
        async with app.run_test(size=(120, 30)) as pilot:
            app.theme = "nord"
            await pilot.pause()
            notes = [n for n in app._notifications if "not remembered" in n.message]
            assert notes and "[b]x[reverse]y␛[2J" in notes[0].message
            assert notes[0].markup is False  # shown as the characters it is made of
            assert "\x1b" not in notes[0].message
    finally:
        app.end_session()
        store.close()
