"""Read articles from files, directories and standard input, without touching the database.

`parse_paths` yields one `ParsedArticle` per article and raises `ImportProblem` at the first thing
it cannot read exactly; the caller stores everything or nothing. This module only finds the
inputs, tells their formats apart and hands each to its parser: `parse_text`, `parse_html` and
`parse_jsonl`, imported only when needed so that starting the program does not pay for lxml. What
the parsers make and share is in `reader.io.parsed`.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Iterator
from typing import BinaryIO

from reader.io.parsed import MAX_FILE_BYTES, MIB, STDIN_ORIGIN, ParsedArticle
from reader.io.problem import ImportProblem

__all__ = [
    "ImportProblem",
    "collect_inputs",
    "count_inputs",
    "parse_bytes",
    "parse_paths",
    "parse_stream",
    "STDIN",
]

STDIN = "-"

TEXT_SUFFIXES = {".txt", ".text"}
MARKDOWN_SUFFIXES = {".md", ".markdown"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
# Read when named on the command line, never picked up from a directory: a folder of .json files
# is more often configuration (package.json, tsconfig.json) than articles.
EXPLICIT_ONLY_SUFFIXES = {".json"}
DIRECTORY_SUFFIXES = TEXT_SUFFIXES | MARKDOWN_SUFFIXES | HTML_SUFFIXES | JSONL_SUFFIXES

SNIFF_BYTES = 4096


def parse_paths(
    paths: list[str],
    *,
    main_only: bool = False,
    stdin: BinaryIO | None = None,
    known_labels: set[str] | None = None,
    on_input_done: Callable[[str], None] | None = None,
) -> Iterator[ParsedArticle]:
    """Yield the articles in `paths`: files, directories (recursively) and "-" for standard input.

    Directories are walked in sorted order, skipping hidden entries and files whose suffix is
    not one we read. `main_only` keeps only the main text of HTML pages (needs trafilatura).
    `known_labels`, when given, is the set of labels spans may carry. `on_input_done` is called
    with each input's path once it has been read completely (for a progress bar sized by
    `count_inputs`). JSON Lines are read a line at a time, so memory does not grow with the
    file. Raises ImportProblem at the first problem.
    """
    for path in collect_inputs(paths):
        if path == STDIN:
            stream = stdin if stdin is not None else sys.stdin.buffer
            yield from parse_stream(
                stream, STDIN_ORIGIN, kind=None, main_only=main_only, known_labels=known_labels
            )
        else:
            try:
                handle = open(path, "rb")
            except OSError as exc:
                raise ImportProblem(path, exc.strerror or str(exc)) from None
            with handle:
                yield from parse_stream(
                    handle,
                    path,
                    kind=kind_for_suffix(path),
                    main_only=main_only,
                    known_labels=known_labels,
                )
        if on_input_done is not None:
            on_input_done(path)


def parse_stream(
    stream: BinaryIO,
    origin: str,
    *,
    kind: str | None = None,
    main_only: bool = False,
    known_labels: set[str] | None = None,
) -> Iterator[ParsedArticle]:
    """Parse one input read from `stream`: JSON Lines line by line, anything else whole."""
    head = _read(stream, SNIFF_BYTES, origin)
    if kind is None:
        kind = sniff_kind(head)
    if kind == "jsonl":
        from reader.io import parse_jsonl

        yield from parse_jsonl.parse_jsonl_stream(
            head, stream, origin, known_labels=known_labels
        )
        return
    data = head + _read(stream, MAX_FILE_BYTES + 1 - len(head), origin)
    if len(data) > MAX_FILE_BYTES:
        raise ImportProblem(origin, f"larger than the limit of {MAX_FILE_BYTES // MIB} MiB per file")
    yield from parse_bytes(
        data, origin, kind=kind, main_only=main_only, known_labels=known_labels
    )


def _read(stream: BinaryIO, size: int, origin: str) -> bytes:
    try:
        return stream.read(size) if size > 0 else b""
    except OSError as exc:
        raise ImportProblem(origin, exc.strerror or str(exc)) from None


def collect_inputs(paths: list[str]) -> list[str]:
    """The inputs `parse_paths` will read, in order: files, and "-" for standard input.

    Raises ImportProblem for a path that does not exist.
    """
    inputs: list[str] = []
    for path in paths:
        if path == STDIN:
            inputs.append(path)
        elif os.path.isdir(path):
            inputs.extend(_walk(path))
        elif os.path.exists(path):
            inputs.append(path)
        else:
            raise ImportProblem(path, "no such file or directory")
    return inputs


def count_inputs(paths: list[str]) -> int:
    """How many inputs (files, standard input) `parse_paths(paths)` will read."""
    return len(collect_inputs(paths))


def _walk(directory: str) -> Iterator[str]:
    for root, dirs, files in os.walk(directory):
        # Sorting in place also fixes the order os.walk descends in.
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if name.startswith("."):
                continue
            if os.path.splitext(name)[1].lower() in DIRECTORY_SUFFIXES:
                yield os.path.join(root, name)


def kind_for_suffix(path: str) -> str | None:
    """"text", "markdown", "html" or "jsonl" by the file's suffix; None to sniff the content."""
    suffix = os.path.splitext(path)[1].lower()
    if suffix in TEXT_SUFFIXES:
        return "text"
    if suffix in MARKDOWN_SUFFIXES:
        return "markdown"
    if suffix in HTML_SUFFIXES:
        return "html"
    if suffix in JSONL_SUFFIXES or suffix in EXPLICIT_ONLY_SUFFIXES:
        return "jsonl"
    return None


def parse_bytes(
    data: bytes,
    origin: str,
    *,
    kind: str | None = None,
    main_only: bool = False,
    known_labels: set[str] | None = None,
) -> Iterator[ParsedArticle]:
    """Parse the bytes of one input as `kind` ("text", "markdown", "html", "jsonl"; None: sniff)."""
    if kind is None:
        kind = sniff_kind(data)
    if kind == "jsonl":
        from reader.io import parse_jsonl

        yield from parse_jsonl.parse_jsonl(data, origin, known_labels=known_labels)
    elif kind == "html":
        from reader.io import parse_html

        yield parse_html.parse_html(data, origin, main_only=main_only)
    else:
        from reader.io import parse_text

        yield parse_text.parse_text(data, origin, markdown=(kind == "markdown"))


_MARKUP = re.compile(
    r"<(?:!doctype\s+html|html|head|body|meta|title|article|main|section|div|p|h[1-6]|!--)[\s>/]",
    re.IGNORECASE,
)


def sniff_kind(data: bytes) -> str:
    """Guess the format of unnamed input: JSONL if it starts with "{", HTML if it looks like
    markup, else text."""
    head = _head_text(data[:4096]).lstrip()
    if head.startswith("{"):
        return "jsonl"
    if head.startswith("<") and _MARKUP.search(head[:1024]):
        return "html"
    return "text"


def _head_text(head: bytes) -> str:
    # Only to sniff: a BOM decides the codec, anything else is read as UTF-8 leniently.
    for bom, encoding in (
        (b"\xff\xfe\x00\x00", "utf-32-le"),
        (b"\x00\x00\xfe\xff", "utf-32-be"),
        (b"\xff\xfe", "utf-16-le"),
        (b"\xfe\xff", "utf-16-be"),
    ):
        if head.startswith(bom):
            return head[len(bom):].decode(encoding, errors="ignore")
    return head.decode("utf-8", errors="ignore").lstrip("\ufeff")
