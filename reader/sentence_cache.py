"""Sentence boundaries of article texts, kept between runs for the sentence-level agreement.

Splitting sentences is the slow part of `reader agreement` (pysbd takes milliseconds a line),
and a text's sentences never change while the splitter does not: they are kept in a small
SQLite file in the user cache directory, keyed by the SHA-256 of the text and a version of the
splitter (a hash of `reader/text/segment.py` and pysbd's version), so a change to either makes
fresh entries. The cache is only an aid: a file that cannot be opened, read or written is
ignored and the sentences are split as if it were not there.
"""

from __future__ import annotations

import hashlib
import sqlite3
from array import array
from collections.abc import Callable, Iterable
from functools import lru_cache
from pathlib import Path

from .text import segment

APP_DIR_NAME = "reader"


def cache_path() -> Path:
    import platformdirs

    return Path(platformdirs.user_cache_dir(APP_DIR_NAME)) / "sentences.sqlite"


@lru_cache(maxsize=1)
def splitter_version() -> str:
    import pysbd

    source = Path(segment.__file__).read_bytes()
    digest = hashlib.sha256(source + getattr(pysbd, "__version__", "").encode()).hexdigest()
    return digest[:16]


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
        key = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
        blob = self.known.get(key)
        if blob is not None:
            self.hits += 1
            return _unpack(blob)
        self.misses += 1
        spans = self.split(text)
        self.known[key] = self.new[key] = _pack(spans)
        return spans

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
