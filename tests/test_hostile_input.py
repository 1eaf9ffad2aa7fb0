"""Hostile and broken input: every bad file gives a clean import or a one-line error with the right
exit code and an untouched database, and escape sequences stored in the database stay inert text on
screen."""

from __future__ import annotations

import gzip
import io
import json
import sqlite3
import time
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from db import NewArticle, Store
from reader.app import ReaderApp
from reader.cli import main
from reader.config import Settings
from reader.screens.article import ArticleScreen

EXIT_OK, EXIT_INPUT, EXIT_DATABASE = 0, 1, 3

# Characters that must never reach the terminal from article text: C0 (but newline), DEL, C1.
CONTROLS = {chr(c) for c in range(0x20) if c != 0x0A} | {chr(c) for c in range(0x7F, 0xA0)}
BIDI = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")


def _jsonl(*records) -> bytes:
    return b"".join(json.dumps(r, ensure_ascii=False).encode() + b"\n" for r in records)


def _task(text: str, *spans: tuple) -> dict:
    return {"text": text, "spans": [{"start": s, "end": e, "label": l} for s, e, l in spans]}


def _zip_bytes() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("a.txt", "hello")
    return buf.getvalue()


def _sqlite_bytes(tmp_path: Path) -> bytes:
    path = tmp_path / "other.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    return path.read_bytes()


SENTENCE = "The council met on Tuesday and voted on the budget."

# (name, file name, bytes or a function of tmp_path, exit code, what the error line must say or
# what the stored text must contain)
ERRORS = [
    ("png", "image.txt", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, EXIT_INPUT, "PNG"),
    ("pdf", "paper.txt", b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n", EXIT_INPUT, "PDF"),
    ("zip", "archive.txt", _zip_bytes(), EXIT_INPUT, "ZIP"),
    ("gzip", "page.html", gzip.compress(b"<html><body>hi</body></html>"), EXIT_INPUT, "gzip"),
    ("elf", "prog.txt", b"\x7fELF\x02\x01\x01" + b"\x00" * 100, EXIT_INPUT, "ELF"),
    ("sqlite file as input", "data.txt", _sqlite_bytes, EXIT_INPUT, "SQLite"),
    ("many NUL bytes", "nul.txt", b"hello\x00\x00\x00\x00world\x00\x00\x00", EXIT_INPUT, "NUL"),
    ("random binary", "noise.txt", bytes(range(256)) * 8, EXIT_INPUT, "binary"),
    ("empty file", "empty.txt", b"", EXIT_INPUT, "empty"),
    ("whitespace only", "blank.txt", b" \n\t\r\n   \n", EXIT_INPUT, "empty"),
    ("only escapes", "esc.txt", b"\x1b[2J\x1b]0;title\x07\x1b[H", EXIT_INPUT, "empty"),
    ("html without text", "script.html", b"<html><body><script>alert(1)</script></body></html>",
     EXIT_INPUT, "empty"),
    ("blank jsonl", "blank.jsonl", b"\n\n\n", EXIT_INPUT, "empty"),
    ("truncated jsonl", "cut.jsonl", b'{"text": "abc", "spans": [{"start": 0', EXIT_INPUT, "invalid JSON"),
    ("truncated second line", "cut2.jsonl", _jsonl(_task(SENTENCE)) + b'{"text": "ab', EXIT_INPUT,
     "cut2.jsonl:2"),
    ("jsonl array", "arr.jsonl", b"[1, 2, 3]\n", EXIT_INPUT, "JSON object"),
    ("jsonl without text", "notext.jsonl", b'{"title": "x"}\n', EXIT_INPUT, '"text"'),
    ("jsonl text not a string", "num.jsonl", b'{"text": 42}\n', EXIT_INPUT, "text"),
    ("span past the end", "oor.jsonl", _jsonl(_task("abc", (0, 99, "fact"))), EXIT_INPUT, "99"),
    ("negative start", "neg.jsonl", _jsonl(_task(SENTENCE, (-1, 3, "fact"))), EXIT_INPUT, "negative"),
    ("reversed span", "rev.jsonl", _jsonl(_task(SENTENCE, (9, 2, "fact"))), EXIT_INPUT, "after end"),
    ("empty span", "zero.jsonl", _jsonl(_task(SENTENCE, (4, 4, "fact"))), EXIT_INPUT, "spans[0]"),
    ("unknown label", "unk.jsonl", _jsonl(_task(SENTENCE, (0, 3, "nonsense"))), EXIT_INPUT, "nonsense"),
    ("huge integer", "huge.jsonl",
     b'{"text": "abc", "spans": [{"start": 0, "end": 99999999999999999999999999999, "label": "fact"}]}\n',
     EXIT_INPUT, "99999999999999999999999999999"),
    ("float offset", "float.jsonl", b'{"text": "abc", "spans": [{"start": 0.5, "end": 2, "label": "fact"}]}\n',
     EXIT_INPUT, "integer"),
    ("NaN offset", "nan.jsonl", b'{"text": "abc", "spans": [{"start": NaN, "end": 2, "label": "fact"}]}\n',
     EXIT_INPUT, "integer"),
    ("boolean offset", "bool.jsonl", b'{"text": "abc", "spans": [{"start": true, "end": 2, "label": "fact"}]}\n',
     EXIT_INPUT, "integer"),
    ("deeply nested", "deep.jsonl", b'{"text": "abc", "meta": ' + b"[" * 100_000 + b"]" * 100_000 + b"}\n",
     EXIT_INPUT, "deep.jsonl:1"),
    ("overlapping entities", "ovl.jsonl",
     _jsonl(_task("Ann Lee met Bob Ray", (0, 7, "entity"), (4, 11, "entity"))), EXIT_INPUT, "overlaps"),
    ("overlapping segments", "ovs.jsonl",
     _jsonl(_task(SENTENCE, (0, 20, "fact"), (10, 30, "opinion"))), EXIT_INPUT, "overlaps"),
]

OK = [
    ("one NUL byte", "onenul.txt", b"hello\x00world, a text with one NUL byte in it.", "helloworld"),
    ("invalid UTF-8", "inv.txt", b"Prices \xc3\x28 rose \xa0\xa1 again", "Prices"),
    ("UTF-16 LE BOM", "u16le.txt", "\ufeffHeadline\nZo\u00eb met \u6771\u4eac officials.".encode("utf-16-le"),
     "Zo\u00eb met \u6771\u4eac officials."),
    ("UTF-16 BE BOM", "u16be.txt", "\ufeffTitle\nCaf\u00e9 na\u00efve \u00fcber.".encode("utf-16-be"),
     "Caf\u00e9 na\u00efve \u00fcber."),
    ("UTF-8 BOM", "bom.txt", "\ufeffTitle line\nBody text.".encode("utf-8"), "Title line\nBody text."),
    ("Latin-1", "latin1.txt",
     ("Le conseil municipal a vot\u00e9 le budget. Les \u00e9lus ont d\u00e9battu pendant des heures "
      "et la d\u00e9cision a \u00e9t\u00e9 prise \u00e0 la majorit\u00e9. Le maire a d\u00e9clar\u00e9 "
      "que les imp\u00f4ts ne seraient pas augment\u00e9s cette ann\u00e9e.\n").encode("latin-1"),
     "vot\u00e9 le budget"),
    ("CSI colours", "ansi.txt", b"Title\n\x1b[31mRed\x1b[0m alert \x1b[1;4mhere\x1b[m.", "Red alert here."),
    ("OSC title and clipboard", "osc.txt",
     b"Title\nA\x1b]0;pwned\x07B\x1b]52;c;ZWNobyBoaQ==\x1b\\C\x1b]8;;http://x.test\x1b\\link\x1b]8;;\x1b\\",
     "ABClink"),
    ("8-bit C1 CSI and OSC", "c1.txt", "Title\nOne\u009b2JTwo\u009d0;t\u009cThree".encode("utf-8"),
     "OneTwoThree"),
    ("clear screen and cursor moves", "clear.txt", b"Title\nx\x1b[2J\x1b[H\x1b[10;10Hy\x1bcz\x1b(0w", "xyzw"),
    ("Rich markup", "markup.txt",
     b"Title\n[bold red]loud[/] [@click=app.quit]click me[/] [link=http://x.test]l[/link] [/]",
     "[bold red]loud[/] [@click=app.quit]click me[/] [link=http://x.test]l[/link] [/]"),
    ("bidi override", "bidi.txt", "Title\ninvoice_\u202egnp.exe and \u2066iso\u2069".encode(),
     "invoice_gnp.exe and iso"),
    ("zero-width and combining", "zw.txt",
     "Title\nCafe\u0301 \u200bzero\u200dwidth \U0001F468\u200d\U0001F469\u200d\U0001F467 Z\u0335\u0321a\u0336".encode(),
     "Cafe\u0301 \u200bzero\u200dwidth \U0001F468\u200d\U0001F469\u200d\U0001F467 Z\u0335\u0321a\u0336"),
    ("tabs and CR", "tabs.txt", b"Title\r\na\tb\rc\r\nd", "a b\nc\nd"),
    ("lone surrogate in JSON", "sur.jsonl", b'{"text": "abc \\ud800 def"}\n', "abc \ufffd def"),
    ("escapes before a span", "ansi.jsonl",
     _jsonl(_task("\x1b[31mRed\x1b[0m alert here", (13, 18, "fact"))), "Red alert here"),
]


def _db_state(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


@pytest.fixture
def seeded_db(tmp_path) -> Path:
    path = tmp_path / "reader.db"
    runner = CliRunner()
    seed = tmp_path / "seed.txt"
    seed.write_text("Seed article\nIt was already here.\n", encoding="utf-8")
    assert runner.invoke(main, ["--db", str(path), "import", str(seed)]).exit_code == 0
    return path


def _write(tmp_path: Path, name: str, data) -> Path:
    if callable(data):
        data = data(tmp_path)
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _one_error_line(stderr: str, path: Path) -> str:
    lines = [l for l in stderr.splitlines() if l.strip()]
    assert len(lines) == 1, stderr
    line = lines[0]
    assert line.startswith("reader: ") and path.name in line
    assert not (set(line) & CONTROLS)
    return line


@pytest.mark.parametrize("name,filename,data,code,says", ERRORS, ids=[c[0] for c in ERRORS])
def test_bad_input_is_refused_in_one_line(seeded_db, tmp_path, name, filename, data, code, says):
    path = _write(tmp_path, filename, data)
    before = _db_state(seeded_db)
    result = CliRunner().invoke(main, ["--db", str(seeded_db), "import", str(path)])
    assert result.exit_code == code, (result.stdout, result.stderr, result.exception)
    assert "Traceback" not in result.stderr
    line = _one_error_line(result.stderr, path)
    assert says.lower() in line.lower()
    assert _db_state(seeded_db) == before


@pytest.mark.parametrize("name,filename,data,expected", OK, ids=[c[0] for c in OK])
def test_hostile_text_imports_clean(seeded_db, tmp_path, name, filename, data, expected):
    path = _write(tmp_path, filename, data)
    result = CliRunner().invoke(main, ["--db", str(seeded_db), "import", str(path)])
    assert result.exit_code == EXIT_OK, (result.stderr, result.exception)
    assert result.stdout.startswith("imported 1 article")
    with Store.open(seeded_db) as store:
        article = store.article(store.max_article_id())
        assert expected in article.text
        assert not (set(article.text) & (CONTROLS | BIDI | {"\ufeff"}))
        assert not (set(article.title) & (CONTROLS | BIDI | {"\n"}))
        for span in store.spans(article.id):
            # Imported offsets moved with the cleaned text: they still cover the same words.
            assert article.text[span.start : span.end] == "alert"


def test_bad_file_among_good_ones_writes_nothing(seeded_db, tmp_path):
    folder = tmp_path / "mixed"
    folder.mkdir()
    (folder / "a.txt").write_text("Good one\nFine text.", encoding="utf-8")
    (folder / "b.jsonl").write_bytes(_jsonl(_task(SENTENCE, (0, 3, "fact"))) + b"{broken\n")
    (folder / "c.txt").write_text("Good two\nMore text.", encoding="utf-8")
    before = _db_state(seeded_db)
    result = CliRunner().invoke(main, ["--db", str(seeded_db), "import", str(folder)])
    assert result.exit_code == EXIT_INPUT
    assert "b.jsonl:2" in _one_error_line(result.stderr, folder / "b.jsonl")
    assert _db_state(seeded_db) == before


def test_missing_path(seeded_db, tmp_path):
    before = _db_state(seeded_db)
    result = CliRunner().invoke(main, ["--db", str(seeded_db), "import", str(tmp_path / "nope.txt")])
    assert result.exit_code == EXIT_INPUT
    assert "no such file" in _one_error_line(result.stderr, tmp_path / "nope.txt")
    assert _db_state(seeded_db) == before


def test_twenty_megabyte_single_line(seeded_db, tmp_path):
    path = tmp_path / "long.txt"
    path.write_bytes(b"word " * 4_000_000)
    started = time.perf_counter()
    result = CliRunner().invoke(main, ["--db", str(seeded_db), "import", str(path)])
    elapsed = time.perf_counter() - started
    assert result.exit_code == EXIT_OK, result.stderr
    with Store.open(seeded_db) as store:
        article = store.article(store.max_article_id())
        assert len(article.text) == 20_000_000 - 1 or len(article.text) == 20_000_000
        assert article.words == 4_000_000
    assert elapsed < 20


# -- the database file itself ----------------------------------------------------------------


def _input_file(tmp_path: Path) -> Path:
    path = tmp_path / "ok.txt"
    path.write_text("A title\nA perfectly good article.", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "content",
    [b"hello, I am a text file and not SQLite\n" * 40, b"\x00" * 4096, b"SQLite format 3\x00" + b"\xff" * 200],
    ids=["text", "zeros", "corrupt header"],
)
def test_database_that_is_not_sqlite(tmp_path, content):
    db = tmp_path / "bogus.db"
    db.write_bytes(content)
    result = CliRunner().invoke(main, ["--db", str(db), "import", str(_input_file(tmp_path))])
    assert result.exit_code == EXIT_DATABASE
    assert "not a reader database" in _one_error_line(result.stderr, db)
    assert db.read_bytes() == content


def test_database_from_a_newer_version(seeded_db, tmp_path):
    conn = sqlite3.connect(seeded_db)
    with conn:
        conn.execute(
            "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) VALUES ('reader', '9999_future', '2099-01-01')"
        )
    conn.close()
    before = _db_state(seeded_db)
    for args in (["import", str(_input_file(tmp_path))], ["stats"]):
        result = CliRunner().invoke(main, ["--db", str(seeded_db), *args])
        assert result.exit_code == EXIT_DATABASE
        line = _one_error_line(result.stderr, seeded_db)
        assert "newer version" in line and "9999_future" in line
    assert _db_state(seeded_db) == before
    assert not list(tmp_path.glob("*.bak"))


# -- reader validate -------------------------------------------------------------------------

VALIDATE = [
    ("valid", _jsonl(_task(SENTENCE, (0, 3, "fact"))), EXIT_OK, "ok"),
    ("truncated", b'{"text": "abc", "spans": [', EXIT_INPUT, ":1: not valid JSON"),
    ("binary", b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe", EXIT_INPUT, ":1:"),
    ("invalid UTF-8", b'{"text": "caf\xe9"}\n', EXIT_INPUT, ":1:"),
    ("out of range", _jsonl(_task("abc", (0, 99, "fact"))), EXIT_INPUT, "99"),
    ("negative", _jsonl(_task("abc", (-2, 1, "fact"))), EXIT_INPUT, "-2"),
    ("reversed", _jsonl(_task("abcdef", (4, 1, "fact"))), EXIT_INPUT, ":1:"),
    ("unknown label", _jsonl(_task("abc", (0, 2, "nonsense"))), EXIT_INPUT, "nonsense"),
    ("huge integer", b'{"text": "abc", "spans": [{"start": 0, "end": 1e400, "label": "fact"}]}\n', EXIT_INPUT, ":1:"),
    ("overlapping entities", _jsonl(_task("Ann Lee met Bob", (0, 7, "entity"), (4, 11, "entity"))),
     EXIT_INPUT, ":1:"),
    ("escape in text", _jsonl(_task("a\x1b]0;x\x07b", (0, 1, "fact"))), None, None),
]


@pytest.mark.parametrize("name,data,code,says", VALIDATE, ids=[c[0] for c in VALIDATE])
def test_validate_hostile_files(seeded_db, tmp_path, name, data, code, says):
    path = tmp_path / "tasks.jsonl"
    path.write_bytes(data)
    before = _db_state(seeded_db)
    result = CliRunner().invoke(main, ["--db", str(seeded_db), "validate", str(path)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    assert not (set(result.stdout + result.stderr) & (CONTROLS - {"\n"}))
    if code is None:
        assert result.exit_code in (EXIT_OK, EXIT_INPUT)
    else:
        assert result.exit_code == code, result.output
        assert says in result.output
    if result.exit_code == EXIT_INPUT:
        assert result.stderr.strip().startswith("reader: ") and len(result.stderr.strip().splitlines()) == 1
    assert _db_state(seeded_db) == before


# -- stored text that bypassed the importer stays inert on screen ------------------------------

HOSTILE_TEXT = (
    "Escaped\x1b]0;pwned\x07 title\n"
    "Red \x1b[31malert\x1b[0m and \x1b[2J clear \x1b]52;c;ZWNobw==\x07 clip \u009b31m c1 "
    "\x1b]8;;http://x.test\x1b\\link\x1b]8;;\x1b\\ end.\n\n"
    "Markup [bold red]loud[/] [@click=app.quit]quit[/] [/] and bidi \u202eevil\u202c done.\n"
    "Bell\x07 back\x08space tab\there del\x7f nul\x00 end."
)


def _screen_segments(app):
    for strip in app.screen._compositor.render_strips():
        yield from strip


def _screen_text(app) -> str:
    return "\n".join("".join(seg.text for seg in strip) for strip in app.screen._compositor.render_strips())


def _assert_inert(app) -> str:
    for seg in _screen_segments(app):
        assert not seg.control, seg
        assert not (set(seg.text) & (CONTROLS | BIDI)), repr(seg.text)
    return _screen_text(app)


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["asyncio"])
@pytest.mark.parametrize("how", ["add_articles", "update"])
async def test_escapes_stored_directly_stay_inert_on_screen(tmp_path, how):
    store = Store.open(tmp_path / "r.db")
    from conftest import LABELS

    store.set_labels(LABELS)
    if how == "add_articles":
        article_id = store.add_articles(
            [NewArticle("Title \x1b[2J\x1b]0;owned\x07 [b]x[/b] \u202eend", HOSTILE_TEXT, source="\x1b[31msrc")]
        ).ids[0]
    else:
        article_id = store.add_articles([NewArticle("Plain", "plain text")]).ids[0]
        store.db.execute(
            "UPDATE articles SET text = ?, chars = ?, title = ?, source = ? WHERE id = ?",
            [HOSTILE_TEXT, len(HOSTILE_TEXT), "Title \x1b[2J\x1b]0;owned\x07 [b]x[/b] \u202eend",
             "\x1b[31msrc", article_id],
        )
        store.conn.commit()
    store.tag(article_id, 0, 7, "fact", "ann")
    app = ReaderApp(store, annotator="ann", settings=Settings(), save_settings=False)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            library = _assert_inert(app)
            assert "Title" in library and "[b]x[/b]" in library
            app.open_article(article_id)
            await pilot.pause()
            assert isinstance(app.screen, ArticleScreen)
            shown = _assert_inert(app)
            # Markup is shown as the characters it is made of, not applied.
            assert "[bold red]loud[/]" in shown
            assert "[@click=app.quit]quit[/]" in shown
            assert "Red" in shown and "alert" in shown and "link" in shown and "end." in shown
            # Moving through the whole text and tagging keeps it inert.
            for key in ("G", "j", "j", "1", "w", "w", "2"):
                await pilot.press(key)
            await pilot.pause()
            _assert_inert(app)
            assert app.is_running
            svg = app.export_screenshot()
            assert "\x1b" not in svg
    finally:
        store.close()
