"""Opening a database: every problem with the path is one line with the path and the real reason
(exit 3), and a database this process cannot write opens read-only: list, search and export work,
import and the app's tagging are refused, the status line says read-only."""

from __future__ import annotations

import functools
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from db import NewArticle, Store, StoreError
from db.store import _open_error
from reader.app import ReaderApp
from reader.cli import main
from reader.config import Settings
from reader.screens.article import ArticleScreen

from conftest import LABELS


def _run(args, **kwargs):
    return CliRunner().invoke(main, args, catch_exceptions=False, **kwargs)


def _one_line_error(result, *words):
    assert result.exit_code == 3, result.output
    assert result.stderr.count("\n") == 1, result.stderr
    assert "Traceback" not in result.stderr
    for word in words:
        assert word in result.stderr, result.stderr


def test_parent_is_a_file(tmp_path):
    (tmp_path / "somefile").write_text("x")
    result = _run(["--db", str(tmp_path / "somefile" / "x.db"), "list"])
    _one_line_error(result, "somefile is a file, not a directory", "x.db")


def test_reader_db_names_a_directory(tmp_path, monkeypatch):
    monkeypatch.setenv("READER_DB", str(tmp_path))
    result = _run(["list"])
    _one_line_error(result, f"{tmp_path} is a directory, not a database file")


def test_not_a_database_and_io_errors_are_told_apart(tmp_path):
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not sqlite at all" * 100)
    _one_line_error(_run(["--db", str(junk), "list"]), "is not a reader database", str(junk))
    io_error = sqlite3.OperationalError("disk I/O error")
    io_error.sqlite_errorcode = 10 | (1 << 8)  # SQLITE_IOERR_READ
    message = str(_open_error("/data/r.db", io_error))
    assert message.startswith("cannot read /data/r.db: I/O error") and "not a reader" not in message
    cannot = sqlite3.OperationalError("unable to open database file")
    cannot.sqlite_errorcode = 14
    assert str(_open_error("/data/r.db", cannot)).startswith("cannot open /data/r.db")


# -- as a user without write access ---------------------------------------------------------
# Root may write anything, so these run the CLI as `nobody` when the tests run as root.


def _as_user() -> list[str]:
    if os.geteuid() != 0:
        return []
    if not shutil.which("setpriv"):
        pytest.skip("running as root without setpriv: permissions cannot be tested")
    command = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
    if not _user_can_import(tuple(command)):
        pytest.skip("nobody cannot read this Python environment: permissions cannot be tested")
    return command


@functools.cache
def _user_can_import(command: tuple[str, ...]) -> bool:
    probe = subprocess.run([*command, sys.executable, "-c", "import reader.cli"], cwd="/",
                           capture_output=True, timeout=120)
    return probe.returncode == 0


@pytest.fixture
def shared_dir():
    """A directory `nobody` can reach (pytest's own are private to root)."""
    path = Path(tempfile.mkdtemp(prefix="reader-perm-", dir="/tmp"))
    path.chmod(0o777)
    yield path
    for p in [path, *path.rglob("*")]:
        if p.is_dir():
            p.chmod(0o777)
    shutil.rmtree(path)


def _cli(shared: Path, *args: str, home: str | None = None) -> subprocess.CompletedProcess:
    env = {
        "PATH": os.environ.get("PATH", ""), "HOME": home or str(shared),
        "READER_CONFIG": str(shared / "config.toml"), "LANG": "C.UTF-8",
    }
    code = "import sys; sys.argv[0] = 'reader'; from reader.cli import main; main()"
    return subprocess.run([*_as_user(), sys.executable, "-c", code, *args], cwd=shared, env=env,
                          capture_output=True, text=True, timeout=120)


def _library(path: Path) -> None:
    store = Store.open(path)
    store.set_labels(LABELS)
    aid = store.add_articles([NewArticle("Harbour vote", "The harbour board voted on Tuesday.")]).ids[0]
    store.tag(aid, 0, 35, "fact", "ann")
    store.close()


@pytest.mark.parametrize("what", ["file", "directory"])
def test_read_only_database_browses_searches_exports(shared_dir, what):
    folder = shared_dir / "lib"
    folder.mkdir()
    db = folder / "r.db"
    _library(db)
    out = shared_dir / "out"
    out.mkdir()
    out.chmod(0o777)
    db.chmod(0o444 if what == "file" else 0o644)
    folder.chmod(0o755 if what == "file" else 0o555)
    before = db.read_bytes()
    listed = _cli(shared_dir, "--db", str(db), "list")
    assert listed.returncode == 0, listed.stderr
    assert "Harbour vote" in listed.stdout
    found = _cli(shared_dir, "--db", str(db), "list", "-q", "harbour")
    assert found.returncode == 0 and "Harbour vote" in found.stdout
    exported = _cli(shared_dir, "--db", str(db), "export", str(out / "x.jsonl"))
    assert exported.returncode == 0, exported.stderr
    assert "harbour board" in (out / "x.jsonl").read_text()
    (shared_dir / "a.txt").write_text("A new article about ferries.")
    refused = _cli(shared_dir, "--db", str(db), "import", str(shared_dir / "a.txt"))
    assert refused.returncode == 3
    assert refused.stderr.count("\n") == 1 and "is read-only" in refused.stderr, refused.stderr
    assert db.read_bytes() == before


def test_unwritable_parent_and_missing_home(shared_dir):
    locked = shared_dir / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    result = _cli(shared_dir, "--db", str(locked / "new.db"), "list")
    assert result.returncode == 3, result.stderr
    assert result.stderr.count("\n") == 1 and "permission denied" in result.stderr
    assert str(locked / "new.db") in result.stderr
    if os.geteuid() == 0 or not Path("/nonexistent").exists():
        result = _cli(shared_dir, "list", home="/nonexistent")
        assert result.returncode == 3, result.stderr
        assert result.stderr.count("\n") == 1, result.stderr
        assert "/nonexistent/" in result.stderr and "permission denied" in result.stderr


def test_read_only_open_skips_recovery_and_leaves_the_file(tmp_path, monkeypatch):
    path = tmp_path / "r.db"
    _library(path)
    called = []
    monkeypatch.setattr(Store, "recover_imports", lambda self: called.append(1) or 0)
    before = path.read_bytes()
    store = Store.open(path, read_only=True)
    try:
        assert store.read_only and not called
        store.set_labels(LABELS[:1] + LABELS[1:])  # same set: fine, nothing written
        assert [a.title for a in store.list_articles(annotator="ann")] == ["Harbour vote"]
        with pytest.raises(sqlite3.OperationalError):
            store.tag(1, 0, 3, "opinion", "ann")
    finally:
        store.close()
    assert path.read_bytes() == before
    Store.open(path).close()
    assert called == [1]  # a writable open does recover interrupted imports


@pytest.fixture
def anyio_backend():
    return "asyncio"


@pytest.mark.anyio
async def test_app_on_a_read_only_database_says_so_and_tags_nothing(tmp_path):
    path = tmp_path / "r.db"
    _library(path)
    store = Store.open(path, read_only=True)
    app = ReaderApp(store, annotator="ann", settings=Settings(), save_settings=False)
    try:
        async with app.run_test(size=(120, 30)) as pilot:
            await pilot.pause()
            assert any("read-only" in n.message for n in app._notifications)
            app.open_article(1)
            await pilot.pause()
            assert isinstance(app.screen, ArticleScreen)
            status = str(app.screen.query_one("#status-line").render())
            assert "read-only" in status
            await pilot.press("j", "2")
            await pilot.pause()
            assert "read-only" in str(app.screen.query_one("#status-line").render())
            assert [s.label for s in store.spans(1, "ann")] == ["fact"]
            await pilot.press("q")
            await pilot.pause()
        assert app.return_code in (0, None)
    finally:
        app.end_session()
        store.close()


def test_store_errors_are_store_errors(tmp_path):
    with pytest.raises(StoreError, match="is a directory"):
        Store.open(tmp_path)


@pytest.mark.anyio
async def test_theme_switch_with_an_unwritable_config_directory_is_a_notice(tmp_path, monkeypatch):
    (tmp_path / "blocker").write_text("a file where the config directory should be")
    monkeypatch.setenv("READER_CONFIG", str(tmp_path / "blocker" / "config.toml"))
    store = Store.open(tmp_path / "r.db")
    store.set_labels(LABELS)
    app = ReaderApp(store, annotator="ann", settings=Settings(), save_settings=True)
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            app.theme = "nord"
            await pilot.pause()
            assert app.is_running and app.theme == "nord"
            notes = [n.message for n in app._notifications]
            assert any("not remembered" in n and "blocker" in n for n in notes), notes
    finally:
        app.end_session()
        store.close()
