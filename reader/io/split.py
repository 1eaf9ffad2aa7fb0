"""Split exported articles into parts (train / dev / test) by article, deterministically.

``--split train=0.8,dev=0.1,test=0.1 --seed N`` is parsed by :func:`parse_split`. Each article
goes to the part its own hash picks: the hash of the seed and the article's sha256 is read as a
number in [0, 1) and compared with the running total of the fractions. So:

- the same seed and data always give the same split, on any machine and Python version (the
  hash is BLAKE2b, not Python's salted ``hash``);
- an article is never in two parts, and neither are two copies of the same text (same sha256),
  nor the records of two annotators for one article;
- adding articles never moves an existing article to another part, which shuffling would.

The price is that part sizes follow the fractions only on average: 100 articles at 0.8/0.1/0.1
give about 80/10/10, not exactly. :func:`split_counts` tells what a split came to.
"""

from __future__ import annotations

import hashlib
import math
import os
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Protocol

from reader.io.atomic import is_stdout

_NAME = re.compile(r"^[A-Za-z0-9_-]+$")


class _HasSha(Protocol):
    sha256: str


def parse_split(spec: str) -> dict[str, float]:
    """Parse ``"train=0.8,dev=0.1,test=0.1"`` into an ordered ``{name: fraction}``.

    Names are letters, digits, ``_`` and ``-``, each used once; fractions are positive and add up
    to 1. Anything else raises ``ValueError`` saying what is wrong.
    """
    parts: dict[str, float] = {}
    for item in spec.split(","):
        name, sep, value = item.partition("=")
        name, value = name.strip(), value.strip()
        if not sep or not name or not value:
            raise ValueError(f"split parts look like name=fraction, not {item.strip()!r}")
        if not _NAME.match(name):
            raise ValueError(f"split part name {name!r} may hold only letters, digits, _ and -")
        if name in parts:
            raise ValueError(f"split part {name!r} is given twice")
        try:
            fraction = float(value)
        except ValueError:
            raise ValueError(f"split fraction {value!r} of {name!r} is not a number") from None
        if not math.isfinite(fraction) or fraction <= 0:
            raise ValueError(f"split fraction of {name!r} must be above 0, not {value}")
        parts[name] = fraction
    total = sum(parts.values())
    if abs(total - 1) > 1e-6:
        raise ValueError(f"split fractions add up to {total:g}, not 1")
    return parts


def unit_hash(sha256: str, seed: int) -> float:
    """Return a number in [0, 1) fixed by ``seed`` and the article's ``sha256``."""
    if not sha256:
        raise ValueError("an article without a sha256 cannot be split")
    digest = hashlib.blake2b(f"{seed}:{sha256}".encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


def part_of(sha256: str, parts: dict[str, float], seed: int) -> str:
    """Return the name of the part the article with ``sha256`` belongs to."""
    u = unit_hash(sha256, seed)
    total = 0.0
    for name, fraction in parts.items():
        total += fraction
        if u < total:
            return name
    return next(reversed(parts))  # u just below 1 and a float sum of fractions just below it


def select(
    records: Iterable[_HasSha], parts: dict[str, float], seed: int, name: str
) -> Iterator[_HasSha]:
    """Yield the records of ``records`` that belong to part ``name``.

    Exporters pull records one at a time, so each part is written by a pass of its own over the
    data (reading the store again is cheap), rather than by holding every part in memory.
    """
    if name not in parts:
        raise ValueError(f"no split part named {name!r}")
    for record in records:
        if part_of(record.sha256, parts, seed) == name:
            yield record


def split_counts(shas: Iterable[str], parts: dict[str, float], seed: int) -> Counter:
    """Count how many of the articles with ``shas`` each part gets (distinct sha256s)."""
    return Counter(part_of(sha, parts, seed) for sha in set(shas))


def part_path(path: str | os.PathLike, name: str) -> Path:
    """Return the file for part ``name`` of an export to ``path``.

    ``data.jsonl`` and ``train`` give ``data.train.jsonl``.
    """
    path = Path(path)
    if is_stdout(path):
        raise ValueError(
            f"a split export writes one file per part, so it needs a file name, not {path}"
        )
    return path.with_name(f"{path.stem}.{name}{path.suffix}")
