"""Messages the app sends its screens, as small dataclasses (Textual fills in the rest)."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message


@dataclass
class WritesWaiting(Message):
    """A write has been waiting `seconds` for another process's lock (0: it got through)."""

    seconds: float


@dataclass
class WritesStopped(Message):
    """Writing has stopped for the rest of the run; `reason` says why and where the work is."""

    reason: str


@dataclass
class SuggestionsReady(Message):
    """From a worker: suggestions computed for generation `gen` of the screen's requests."""

    gen: int
    found: list


class ModelRetrained(Message):
    """From the trainer: a new classifier is in use."""


@dataclass
class UncertainFound(Message):
    """From a worker: the most uncertain sentences, (article, start, end, uncertainty)."""

    rows: list
