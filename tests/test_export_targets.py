"""What `reader export` does with each kind of target: replace regular files atomically, follow
symlinks, write devices, FIFOs and standard output straight through, refuse read-only files."""

import os
import stat
import subprocess
import sys
import threading

import pytest
from click.testing import CliRunner

from db import NewArticle, Store
from reader.cli import main
from reader.io.atomic import ReadOnlyTarget, atomic_write
from reader.labels import default_label_file, load_labels

TEXT = "The harbour board met on Friday. Mayor Ines Duarte called the plan bold."


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "targets.db"
    with Store.open(path) as store:
        store.set_labels(load_labels(default_label_file()))
        (article,) = store.add_articles([NewArticle("Harbour board", TEXT)]).ids
        store.tag(article, 0, TEXT.index(" Mayor"), "fact", "kim")
        store.tag(article, TEXT.index("Ines"), TEXT.index(" called"), "entity", "kim")
    return path


def run(db, *args):
    return CliRunner().invoke(main, ["--db", str(db), *args], catch_exceptions=False)


def temp_files(directory):
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".tmp"))


def test_regular_file_is_replaced_whole(db, tmp_path):
    out = tmp_path / "out.jsonl"
    out.write_text("old\n", encoding="utf-8")
    before = out.stat().st_ino
    result = run(db, "export", str(out))
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").startswith('{"text":"The harbour board')
    assert out.stat().st_ino != before  # a new file renamed over the old one
    assert temp_files(tmp_path) == []


def test_symlink_stays_a_link_and_its_target_gets_the_data(db, tmp_path):
    real_dir = tmp_path / "real"
    real_dir.mkdir()
    real = real_dir / "data.jsonl"
    real.write_text("old export\n", encoding="utf-8")
    link_dir = tmp_path / "links"
    link_dir.mkdir()
    link = link_dir / "latest.jsonl"
    link.symlink_to(real)
    result = run(db, "export", str(link))
    assert result.exit_code == 0, result.output
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert real.read_text(encoding="utf-8").startswith('{"text":"The harbour board')
    assert temp_files(real_dir) == [] and temp_files(link_dir) == []


def test_dangling_symlink_creates_its_target(db, tmp_path):
    link = tmp_path / "next.jsonl"
    link.symlink_to(tmp_path / "made.jsonl")
    assert run(db, "export", str(link)).exit_code == 0
    assert link.is_symlink()
    assert (tmp_path / "made.jsonl").read_text(encoding="utf-8").count("\n") == 1


def test_fifo_reader_gets_the_export(db, tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received = []

    def read():
        with open(fifo, "rb") as handle:
            received.append(handle.read())

    reader = threading.Thread(target=read)
    reader.start()
    result = run(db, "export", str(fifo))
    reader.join(timeout=30)
    assert result.exit_code == 0, result.output
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)  # still a FIFO, not a file renamed over it
    assert received and received[0].startswith(b'{"text":"The harbour board')
    assert temp_files(tmp_path) == []


@pytest.mark.skipif(os.geteuid() != 0, reason="making a device node needs root")
def test_device_node_is_written_not_replaced(db, tmp_path):
    # A null device of our own (major 1, minor 3 on Linux), never the machine's /dev/null.
    node = tmp_path / "null"
    os.mknod(node, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    result = run(db, "export", str(node))
    assert result.exit_code == 0, result.output
    info = os.lstat(node)
    assert stat.S_ISCHR(info.st_mode) and info.st_rdev == os.makedev(1, 3)
    assert temp_files(tmp_path) == []


@pytest.mark.skipif(os.geteuid() != 0, reason="making a device node needs root")
def test_full_device_fails_with_exit_4_and_stays_a_device(db, tmp_path):
    node = tmp_path / "full"
    os.mknod(node, 0o666 | stat.S_IFCHR, os.makedev(1, 7))  # what /dev/full is on Linux
    result = run(db, "export", str(node))
    assert result.exit_code == 4
    assert "No space left on device" in result.output
    assert stat.S_ISCHR(os.lstat(node).st_mode)


def test_read_only_file_is_refused_with_exit_4(db, tmp_path):
    out = tmp_path / "frozen.jsonl"
    out.write_text("keep me\n", encoding="utf-8")
    out.chmod(0o444)
    result = run(db, "export", str(out))
    assert result.exit_code == 4
    lines = result.output.strip().splitlines()
    assert lines == [f"reader: export failed, nothing written: {out} is read-only; "
                     "make it writable or pick another file"]
    assert out.read_text(encoding="utf-8") == "keep me\n"
    assert temp_files(tmp_path) == []


def test_read_only_is_refused_by_atomic_write(tmp_path):
    out = tmp_path / "frozen.txt"
    out.write_text("x", encoding="utf-8")
    out.chmod(0o400)
    with pytest.raises(ReadOnlyTarget):
        with atomic_write(out) as handle:
            handle.write("y")
    assert out.read_text(encoding="utf-8") == "x"


def test_directory_target_is_an_output_error(db, tmp_path):
    result = run(db, "export", str(tmp_path))
    assert result.exit_code == 4
    assert "is a directory" in result.output


def script_export(db, target, stdout):
    return subprocess.run(
        [sys.executable, "-c", "from reader.cli import main; main()", "--db", str(db), "export", target],
        stdout=stdout, stderr=subprocess.PIPE, timeout=120,
    )


def test_dev_stdout_writes_into_the_redirected_file(db, tmp_path):
    out = tmp_path / "redirected.jsonl"
    with open(out, "wb") as handle:
        handle.write(b"first line kept\n")
        handle.flush()
        done = script_export(db, "/dev/stdout", handle)
    assert done.returncode == 0, done.stderr
    data = out.read_bytes()
    # Written at the redirection's offset, as `>>` would have it; the file was not replaced.
    assert data.startswith(b"first line kept\n{\"text\":\"The harbour board")
    assert b"exported 1 record" in done.stderr
    assert temp_files(tmp_path) == []


def test_dev_stdout_into_a_pipe(db):
    done = script_export(db, "/dev/stdout", subprocess.PIPE)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(b'{"text":"The harbour board')


def test_unwritable_directory_names_the_directory(db, tmp_path, monkeypatch):
    # Root may write into any directory, so the refusal the kernel gives others is played here.
    import reader.io.atomic as atomic

    real_open = os.open

    def refuse_temp(path, flags, mode=0o777, **kw):
        if "reader-export" in str(path):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, flags, mode, **kw)

    monkeypatch.setattr(atomic.os, "open", refuse_temp)
    result = run(db, "export", str(tmp_path / "x.jsonl"))
    assert result.exit_code == 4
    assert result.output.strip() == (
        "reader: export failed, nothing written: [Errno 13] the directory is not writable "
        f"(the file is written beside its target first): '{tmp_path}'"
    )


def test_a_hostile_file_name_reaches_the_terminal_inert(db, tmp_path):
    name = "x\x1b]0;owned\x07\x1b[2J.jsonl"
    result = run(db, "export", str(tmp_path / name))
    assert result.exit_code == 0 and "exported 1 record" in result.output
    assert "\x1b" not in result.output and "\x07" not in result.output
    assert (tmp_path / name).exists()
    frozen = tmp_path / "ro\x1b[31m.jsonl"
    frozen.write_text("keep\n")
    frozen.chmod(0o444)
    refused = run(db, "export", str(frozen))
    assert refused.exit_code == 4 and "is read-only" in refused.output
    assert "\x1b" not in refused.output


def test_the_database_itself_is_never_a_target(db, tmp_path):
    before = db.read_bytes()
    for target in (str(db), str(db) + "-wal"):
        result = run(db, "export", target)
        assert result.exit_code == 2, result.output
        assert "is the database itself" in result.output
    link = tmp_path / "innocent.jsonl"
    link.symlink_to(db)
    assert run(db, "export", str(link)).exit_code == 2
    with Store.open(db) as store:
        assert store.count_articles() == 1
    assert db.read_bytes()[:16] == before[:16] == b"SQLite format 3\x00"


def test_a_docbin_is_not_written_to_a_terminal(db):
    import pty

    main_fd, terminal = pty.openpty()
    try:
        done = subprocess.run(
            [sys.executable, "-c", "from reader.cli import main; main()", "--db", str(db),
             "export", "-", "--format", "spacy"],
            stdout=terminal, stderr=subprocess.PIPE, timeout=120,
        )
    finally:
        os.close(terminal)
    os.close(main_fd)
    assert done.returncode == 2
    assert b"a DocBin is binary: give a file name or redirect standard output" in done.stderr
