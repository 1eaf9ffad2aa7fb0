"""Atomic file writing: the target is the old file or the whole new one, never a part."""

import os
import stat

import pytest

from reader.io.atomic import atomic_write


def leftovers(directory):
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".tmp"))


def test_writes_the_file(tmp_path):
    target = tmp_path / "out.jsonl"
    with atomic_write(target) as out:
        out.write("é👨‍👩‍👧\n")
        assert not target.exists()  # nothing visible until the block ends
    assert target.read_bytes() == "é👨‍👩‍👧\n".encode("utf-8")
    assert leftovers(tmp_path) == []


def test_newlines_are_not_translated(tmp_path):
    target = tmp_path / "out.txt"
    with atomic_write(target) as out:
        out.write("a\nb\n")
    assert target.read_bytes() == b"a\nb\n"


def test_binary(tmp_path):
    target = tmp_path / "out.spacy"
    with atomic_write(target, binary=True) as out:
        out.write(b"\x00\xff")
    assert target.read_bytes() == b"\x00\xff"


def test_failure_halfway_leaves_no_file(tmp_path):
    target = tmp_path / "out.jsonl"
    with pytest.raises(RuntimeError, match="disk on fire"):
        with atomic_write(target) as out:
            out.write("first line\n" * 1000)
            out.flush()
            assert leftovers(tmp_path)  # the data went to a temporary file beside the target
            raise RuntimeError("disk on fire")
    assert not target.exists()
    assert leftovers(tmp_path) == []


def test_failure_keeps_the_earlier_file(tmp_path):
    target = tmp_path / "out.jsonl"
    target.write_text("the earlier export\n")
    with pytest.raises(KeyboardInterrupt):
        with atomic_write(target) as out:
            out.write("half of the new")
            raise KeyboardInterrupt
    assert target.read_text() == "the earlier export\n"
    assert leftovers(tmp_path) == []


def test_replacing_keeps_the_earlier_permissions(tmp_path):
    target = tmp_path / "out.jsonl"
    target.write_text("old")
    os.chmod(target, 0o640)
    with atomic_write(target) as out:
        out.write("new")
    assert target.read_text() == "new"
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o640


def test_new_file_gets_umask_permissions(tmp_path):
    old = os.umask(0o022)
    try:
        with atomic_write(tmp_path / "new.jsonl") as out:
            out.write("x")
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(tmp_path / "new.jsonl").st_mode) == 0o644


def test_missing_directory_raises_and_creates_nothing(tmp_path):
    with pytest.raises(FileNotFoundError):
        with atomic_write(tmp_path / "nowhere" / "out.jsonl") as out:
            out.write("x")
    assert list(tmp_path.iterdir()) == []


def test_dash_is_stdout(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with atomic_write("-") as out:
        out.write("to the terminal\n")
    assert capsys.readouterr().out == "to the terminal\n"
    assert list(tmp_path.iterdir()) == []  # no file called "-"
