"""The error every import parser raises, in a module of its own so the command line can catch it
without importing the parsers (and what they import) on every run."""

from __future__ import annotations


class ImportProblem(Exception):
    """Something in the input cannot be imported exactly. `str()` is "origin: reason"."""

    def __init__(self, origin: str, reason: str) -> None:
        self.origin = origin
        # One line, whatever the cause put into it.
        self.reason = " ".join(reason.split())
        super().__init__(f"{origin}: {self.reason}")
