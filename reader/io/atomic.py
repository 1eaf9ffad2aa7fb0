"""Write an export so that readers see either the old file or the whole new one, never half of it.

An export can take a while and can fail part way (a full disk, a bad record, Ctrl-C). Writing
straight into a regular file would leave a truncated file that looks like a finished export, and
would destroy the previous one. So the data goes to a temporary file beside the target (the same
directory, so the same file system, where a rename is atomic), is flushed to disk, and then
replaces the target in one ``os.replace``.

What the target is decides how it is written:

- a regular file, or a path that does not exist yet: the temporary file and the rename above;
- a symlink: followed, and the file it points to is replaced the same way, in *its* directory,
  so the link stays a link and its target gets the new data;
- a device, a FIFO, ``/dev/stdout`` and the like: written straight through (a rename would
  replace the device node or the pipe with a regular file and the reader would get nothing);
- ``-``, ``/dev/stdout``, ``/dev/fd/1``: standard output itself;
- a read-only file: refused (:class:`ReadOnlyTarget`), even for root, who could otherwise replace
  it.

Temporary files are named ``.NAME.reader-export-PID.tmp``, so a user who finds one knows what
made it. Signals that end the process (:func:`signals_interrupt`) and exceptions remove them; a
SIGKILL cannot be caught, so every export first removes those left in its directory by a process
that no longer runs (:func:`remove_stale_temps`).
"""

from __future__ import annotations

import errno
import os
import re
import signal
import stat
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

STDOUT = "-"
# Names that mean this process's own standard output, which is written as it is, never reopened.
STDOUT_NAMES = {STDOUT, "/dev/stdout", "/dev/fd/1", "/proc/self/fd/1"}
# Names of this process's other open files: written through a copy of the descriptor, at its
# offset, as a shell's redirection set it up (reopening the path would start at byte 0).
_FD_PATH = re.compile(r"^/(?:dev/fd|proc/self/fd)/(\d+)$")
_FD_NAMES = {"/dev/stderr": 2}
TEMP_TAG = "reader-export"
_TEMP_NAME = re.compile(r"^\..+\." + TEMP_TAG + r"-(\d+)(?:-\d+)?\.tmp$")

# Temporary files being written by this process, so a signal handler can remove them.
_live: set[str] = set()
_live_lock = threading.Lock()


class ReadOnlyTarget(PermissionError):
    """The target exists and is read-only: an export does not overwrite it."""

    def __init__(self, path: str):
        super().__init__(errno.EACCES, "the file is read-only; make it writable or pick another", path)

    def __str__(self) -> str:
        return f"{self.filename} is read-only; make it writable or pick another file"


class Interrupted(BaseException):
    """A signal (SIGTERM, SIGHUP, SIGINT) asked the process to stop; raised where it was."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum

    @property
    def name(self) -> str:
        return signal.Signals(self.signum).name

    @property
    def exit_status(self) -> int:
        """What a shell reports for a process ended by this signal."""
        return 128 + self.signum


def is_stdout(path: str | os.PathLike) -> bool:
    """Whether ``path`` names standard output rather than a file."""
    return str(path) in STDOUT_NAMES


@contextmanager
def atomic_write(
    path: str | os.PathLike, *, binary: bool = False, encoding: str = "utf-8"
) -> Iterator[IO]:
    """Open ``path`` for writing; a file appears (or replaces an earlier one) only on success.

    Yields a text stream (``\\n`` line endings, ``encoding``) or, with ``binary=True``, a binary
    one. If the block raises, the temporary file is removed and an earlier file at ``path`` is
    left as it was. Standard output is flushed but not closed. A new file gets the permissions
    ``open()`` would give it; a replaced file keeps its own (and, where allowed, its owner).
    """
    if is_stdout(path):
        stream = sys.stdout.buffer if binary else sys.stdout
        yield stream
        stream.flush()
        return

    fd_number = _FD_NAMES.get(str(path))
    match = _FD_PATH.match(str(path))
    if match:
        fd_number = int(match.group(1))
    if fd_number is not None:
        with _open_fd(fd_number, binary, encoding) as given:
            yield given
        return

    target = Path(os.path.realpath(path))  # a symlink's target, in its own directory
    try:
        info = os.stat(target)
    except FileNotFoundError:
        info = None
    if info is not None and not stat.S_ISREG(info.st_mode):
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError(errno.EISDIR, "is a directory", str(path))
        with _open_through(target, binary, encoding) as device:
            yield device
        return
    if info is not None and (
        not info.st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
        or not os.access(target, os.W_OK)
    ):
        raise ReadOnlyTarget(str(path))

    directory = target.parent
    remove_stale_temps(directory)
    fd, temp = _create_temp(directory, target.name)
    handle: IO | None = None
    try:
        if info is not None:
            os.chmod(temp, stat.S_IMODE(info.st_mode))
            if hasattr(os, "chown") and (info.st_uid, info.st_gid) != _owner(fd):
                try:
                    os.chown(temp, info.st_uid, info.st_gid)
                except PermissionError:
                    pass  # only root may give a file away; the data matters more
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
        # BaseException: Ctrl-C or a signal during an export must not leave a stray file either.
        if handle is None:
            os.close(fd)  # once wrapped, the file object closes it
        _unlink(temp)
        raise
    finally:
        with _live_lock:
            _live.discard(temp)
    _fsync_directory(directory)


@contextmanager
def _open_through(target: Path, binary: bool, encoding: str) -> Iterator[IO]:
    # No O_TRUNC: a device or a pipe has nothing to truncate, and O_CREAT is not wanted either.
    fd = os.open(target, os.O_WRONLY | getattr(os, "O_BINARY", 0))
    handle: IO
    if binary:
        handle = os.fdopen(fd, "wb")
    else:
        handle = os.fdopen(fd, "w", encoding=encoding, newline="\n")
    with handle:
        yield handle
        handle.flush()


@contextmanager
def _open_fd(number: int, binary: bool, encoding: str) -> Iterator[IO]:
    fd = os.dup(number)
    handle = os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding=encoding, newline="\n")
    with handle:
        yield handle
        handle.flush()


def _owner(fd: int) -> tuple[int, int]:
    info = os.fstat(fd)
    return info.st_uid, info.st_gid


def temp_name(name: str, pid: int | None = None, n: int = 0) -> str:
    """The name of the temporary file for a target called ``name``, made by process ``pid``."""
    pid = os.getpid() if pid is None else pid
    return f".{name}.{TEMP_TAG}-{pid}{f'-{n}' if n else ''}.tmp"


def _create_temp(directory: Path, name: str) -> tuple[int, str]:
    """Create a new, empty, hidden temporary file in ``directory``; return its fd and path."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    n = 0
    while True:
        temp = str(directory / temp_name(name, n=n))
        try:
            # 0o666 is filtered by the umask, as open() would, unlike mkstemp's fixed 0o600.
            fd = os.open(temp, flags, 0o666)
        except FileExistsError:
            n += 1  # another export of the same target in this process (the app's, say)
            continue
        except PermissionError:
            # Name the directory, not a temporary file the user never asked for.
            raise PermissionError(
                errno.EACCES,
                "the directory is not writable (the file is written beside its target first)",
                str(directory),
            ) from None
        with _live_lock:
            _live.add(temp)
        return fd, temp


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's live process
    except OverflowError:
        return False
    return True


def remove_stale_temps(directory: str | os.PathLike) -> list[str]:
    """Remove the temporary files in ``directory`` left by exports whose process is gone.

    Only files named as :func:`temp_name` names them are touched, and only when the process
    that made them no longer runs. Returns the names removed.
    """
    removed: list[str] = []
    try:
        names = os.listdir(directory)
    except OSError:
        return removed
    for name in names:
        match = _TEMP_NAME.match(name)
        if match and not _pid_alive(int(match.group(1))):
            path = os.path.join(directory, name)
            try:
                if stat.S_ISREG(os.lstat(path).st_mode):
                    os.unlink(path)
                    removed.append(name)
            except OSError:
                pass
    return removed


def remove_live_temps() -> None:
    """Remove every temporary file this process is writing (for a handler about to exit)."""
    with _live_lock:
        paths = list(_live)
        _live.clear()
    for path in paths:
        _unlink(path)


def _unlink(path: str) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


@contextmanager
def signals_interrupt(signums=("SIGTERM", "SIGHUP", "SIGINT")) -> Iterator[None]:
    """Inside the block, the given signals raise :class:`Interrupted` where the code is.

    The exception unwinds through :func:`atomic_write`, which removes its temporary file, so a
    terminal closed or a ``kill`` during an export leaves nothing behind. Only the main thread
    can set handlers; elsewhere the block runs unchanged.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum, _frame):
        raise Interrupted(signum)

    previous = {}
    for name in signums:
        number = getattr(signal, name, None)
        if number is not None:
            previous[number] = signal.signal(number, interrupt)
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def _fsync_directory(directory: Path) -> None:
    """Flush the directory entry of the renamed file to disk (POSIX; elsewhere a no-op)."""
    if os.name != "posix":
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
