"""Counts in messages: "1 span", "2 spans", never "1 spans"."""

from __future__ import annotations


def counted(n: int, word: str, many: str | None = None) -> str:
    """`n` and `word`, in the plural (`many`, else `word` + "s") unless `n` is 1."""
    return f"{n:,} {word if n == 1 else (many or word + 's')}"
