"""Sentence boundaries of article texts, kept between runs for the sentence-level agreement.

Splitting sentences is the slow part of `reader agreement` (pysbd takes milliseconds a line),
and a text's sentences never change while the splitter does not: they are kept in a small
SQLite file in the user cache directory, keyed by the SHA-256 of the text and a version of the
splitter (a hash of `reader/text/segment.py` and pysbd's version), so a change to either makes
fresh entries. The cache is only an aid: a file that cannot be opened, read or written is
ignored and the sentences are split as if it were not there.

A run that finds many texts missing splits them in worker processes, a batch ahead of the
computation that reads them (`split_ahead`): splitting is pure CPU in Python, so threads would
share one core.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import sys
from array import array
from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache
from itertools import islice
from pathlib import Path
from typing import TypeVar

from .text import segment

APP_DIR_NAME = "reader"
# Texts split per batch handed to the worker processes, and the fewest missing texts in a batch
# worth starting them for (each worker imports pysbd first, a few tenths of a second).
AHEAD_BATCH = 256
PARALLEL_MIN = 48

T = TypeVar("T")


def _workers() -> int:
    if hasattr(os, "process_cpu_count"):
        return os.process_cpu_count() or 1
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _pool(workers: int):
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # Not fork: the caller may have threads (a test runner, the app's workers).
    method = "forkserver" if sys.platform.startswith("linux") else "spawn"
    return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context(method))


def cache_path() -> Path:
    import platformdirs

    return Path(platformdirs.user_cache_dir(APP_DIR_NAME)) / "sentences.sqlite"


@lru_cache(maxsize=1)
def splitter_version() -> str:
    import pysbd

    source = Path(segment.__file__).read_bytes()
    digest = hashlib.sha256(source + getattr(pysbd, "__version__", "").encode()).hexdigest()
    return digest[:16]


def _key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _pack(spans: Iterable[tuple[int, int]]) -> bytes:
    flat = array("q")
    for s, e in spans:
        flat.append(s)
        flat.append(e)
    return flat.tobytes()


def _unpack(blob: bytes) -> list[tuple[int, int]]:
    flat = array("q")
    flat.frombytes(blob)
    return list(zip(flat[0::2], flat[1::2]))


class SentenceCache:
    """Sentences by text, read in full when opened and written back by `save`."""

    def __init__(self, path: Path | None = None, split: Callable = segment.sentences):
        self.path = path or cache_path()
        self.split = split
        self.version = splitter_version()
        self.known: dict[str, bytes] = {}
        self.new: dict[str, bytes] = {}
        self.hits = self.misses = 0
        self._ahead: set[str] = set()  # split ahead and not asked for yet: misses when asked
        try:
            conn = self._connect()
            try:
                self.known = dict(
                    conn.execute("SELECT sha256, spans FROM sentences WHERE version = ?", (self.version,))
                )
            finally:
                conn.close()
        except (sqlite3.Error, OSError):
            self.known = {}

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, timeout=2.0)
        conn.execute(
            "CREATE TABLE IF NOT EXISTS sentences (sha256 TEXT NOT NULL, version TEXT NOT NULL, "
            "spans BLOB NOT NULL, PRIMARY KEY (sha256, version)) WITHOUT ROWID"
        )
        return conn

    def __call__(self, text: str) -> list[tuple[int, int]]:
        key = _key(text)
        blob = self.known.get(key)
        if blob is not None:
            if key in self._ahead:
                self._ahead.discard(key)
                self.misses += 1
            else:
                self.hits += 1
            return _unpack(blob)
        self.misses += 1
        spans = self.split(text)
        self.known[key] = self.new[key] = _pack(spans)
        return spans

    def split_ahead(
        self, items: Iterable[T], text: Callable[[T], str], workers: int | None = None
    ) -> Iterator[T]:
        """Yield `items` unchanged, having split the texts of each batch the cache lacks in
        worker processes while the caller works on the batch before; later calls for those
        texts are then hits. Serial (items pass straight through) on one core, with a custom
        splitter, or when the processes cannot be started."""
        workers = _workers() if workers is None else workers
        if workers < 2 or self.split is not segment.sentences:
            yield from items
            return
        pool = None
        pending: tuple[list[T], dict[str, str], Iterable] | None = None  # batch, its misses, splits
        source = iter(items)
        try:
            while True:
                batch = list(islice(source, AHEAD_BATCH))
                started: tuple[dict[str, str], Iterable] = ({}, ())
                if batch:
                    missing: dict[str, str] = {}
                    for item in batch:
                        body = text(item)
                        key = _key(body)
                        if key not in self.known:
                            missing.setdefault(key, body)
                    if len(missing) >= PARALLEL_MIN:
                        try:
                            pool = pool or _pool(workers)
                            chunk = max(1, len(missing) // (workers * 4))
                            started = (missing, pool.map(segment.sentences, missing.values(), chunksize=chunk))
                        except (OSError, RuntimeError, ImportError):
                            pass  # split in this process as the items are read
                if pending is not None:
                    self._take(*pending[1:])
                    yield from pending[0]
                if not batch:
                    break
                pending = (batch, *started)
        finally:
            if pool is not None:
                pool.shutdown(wait=True, cancel_futures=True)

    def _take(self, missing: dict[str, str], results: Iterable) -> None:
        try:
            for key, spans in zip(missing, results):
                self.known[key] = self.new[key] = _pack(spans)
                self._ahead.add(key)
        except Exception:  # noqa: BLE001 - a broken worker: the rest are split on demand
            return

    def save(self) -> None:
        """Write the texts split since opening; older versions' entries are dropped."""
        if not self.new:
            return
        try:
            conn = self._connect()
            try:
                with conn:
                    conn.execute("DELETE FROM sentences WHERE version != ?", (self.version,))
                    conn.executemany(
                        "INSERT OR REPLACE INTO sentences (sha256, version, spans) VALUES (?, ?, ?)",
                        [(k, self.version, v) for k, v in self.new.items()],
                    )
            finally:
                conn.close()
        except (sqlite3.Error, OSError):
            return
        self.new = {}
