"""Plain text and Markdown files: the whole file is the article."""

from __future__ import annotations

import hashlib

from reader.io.importers import ImportProblem, ParsedArticle, check_text, title_from_text
from reader.text.decode import DecodeError, decode_bytes
from reader.text.sanitize import sanitize


def parse_text(data: bytes, origin: str, *, markdown: bool = False) -> ParsedArticle:
    """Decode and sanitise a text or Markdown file into one article.

    The title is the first non-empty line (without leading `#`s for Markdown) and stays part of
    the text. Markdown is kept as written: its marks are part of what the reader sees.
    """
    try:
        decoded = decode_bytes(data)
    except DecodeError as exc:
        raise ImportProblem(origin, str(exc)) from None
    cleaned = sanitize(decoded.text)
    check_text(cleaned.text, origin)
    meta: dict = {"import_format": "markdown" if markdown else "text"}
    if decoded.warnings:
        meta["import_warnings"] = list(decoded.warnings)
    return ParsedArticle(
        title=title_from_text(cleaned.text, markdown=markdown),
        text=cleaned.text,
        source=None,
        url=None,
        raw_sha256=hashlib.sha256(data).hexdigest(),
        encoding=decoded.encoding,
        meta=meta,
        spans=[],
        origin=origin,
        report=cleaned.report,
    )
