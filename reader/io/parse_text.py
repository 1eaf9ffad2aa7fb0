"""Plain text and Markdown files: the whole file is the article."""

from __future__ import annotations

import hashlib

from reader.io.parsed import (
    ParsedArticle,
    check_text,
    file_meta,
    title_from_text,
)
from reader.io.problem import ImportProblem
from reader.text.decode import DecodeError, decode_bytes
from reader.text.sanitize import sanitize


def parse_text(data: bytes, origin: str, *, markdown: bool = False) -> ParsedArticle:
    """Decode and sanitise a text or Markdown file into one article.

    The title is found in the first lines (reader.text.titles) and stays part of the text. The
    file's path is recorded in the meta and its name is the source. Markdown is kept as written: its marks are part of what the reader sees.
    """
    try:
        decoded = decode_bytes(data)
    except DecodeError as exc:
        raise ImportProblem(origin, str(exc)) from None
    cleaned = sanitize(decoded.text)
    check_text(cleaned.text, origin)
    meta: dict = {"import_format": "markdown" if markdown else "text"}
    recorded, file_name = file_meta(origin)
    meta.update(recorded)
    if decoded.warnings:
        meta["import_warnings"] = list(decoded.warnings)
    return ParsedArticle(
        title=title_from_text(cleaned.text, markdown=markdown, file_name=file_name),
        text=cleaned.text,
        source=file_name,
        url=None,
        raw_sha256=hashlib.sha256(data).hexdigest(),
        encoding=decoded.encoding,
        meta=meta,
        spans=[],
        origin=origin,
        report=cleaned.report,
    )
