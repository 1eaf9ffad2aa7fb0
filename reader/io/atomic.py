"""Write a file so that readers see either the old file or the whole new one, never half of it.

An export can take a while and can fail part way (a full disk, a bad record, Ctrl-C). Writing
straight into the target would leave a truncated file that looks like a finished export, and
would destroy the previous one. Instead the data goes to a temporary file beside the target (the
same directory, so the same file system, where a rename is atomic), is flushed to disk, and then
replaces the target in one ``os.replace``.
"""

from __future__ import annotations

import os
import secrets
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

STDOUT = "-"


@contextmanager
def atomic_write(
    path: str | os.PathLike, *, binary: bool = False, encoding: str = "utf-8"
) -> Iterator[IO]:
    """Open ``path`` for writing; the file appears (or replaces an earlier one) only on success.

    Yields a text stream (``\\n`` line endings, ``encoding``) or, with ``binary=True``, a binary
    one. If the block raises, the temporary file is removed and an earlier file at ``path`` is
    left as it was. ``"-"`` writes to standard output instead, which is flushed but not closed.
    A new file gets the permissions ``open()`` would give it; a replaced file keeps its own.
    """
    if str(path) == STDOUT:
        stream = sys.stdout.buffer if binary else sys.stdout
        yield stream
        stream.flush()
        return

    target = Path(path)
    directory = target.parent
    try:
        mode = os.stat(target).st_mode & 0o7777
    except FileNotFoundError:
        mode = None
    fd, temp = _create_temp(directory, target.name)
    handle: IO | None = None
    try:
        if mode is not None:
            os.chmod(temp, mode)
        if binary:
            handle = os.fdopen(fd, "wb")
        else:
            handle = os.fdopen(fd, "w", encoding=encoding, newline="\n")
        with handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, target)
    except BaseException:
        # BaseException: Ctrl-C during an export must not leave a stray temporary file either.
        if handle is None:
            os.close(fd)  # once wrapped, the file object closes it
        try:
            os.unlink(temp)
        except FileNotFoundError:
            pass
        raise
    _fsync_directory(directory)


def _create_temp(directory: Path, name: str) -> tuple[int, str]:
    """Create a new, empty, hidden temporary file in ``directory``; return its fd and path."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    while True:
        temp = str(directory / f".{name}.{secrets.token_hex(4)}.tmp")
        try:
            # 0o666 is filtered by the umask, as open() would, unlike mkstemp's fixed 0o600.
            return os.open(temp, flags, 0o666), temp
        except FileExistsError:
            continue


def _fsync_directory(directory: Path) -> None:
    """Flush the directory entry of the renamed file to disk (POSIX; elsewhere a no-op)."""
    if os.name != "posix":
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
