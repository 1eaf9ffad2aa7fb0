"""What every import parser makes and shares: the parsed-article records, the limits on one
article, and the small rules each format applies the same way (titles, sources, URLs, empty
text).

The parsers (`parse_text`, `parse_html`, `parse_jsonl`) build on this module and
`reader.io.importers` dispatches to them; nothing here imports either, so the three stay in that
order.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from reader.io.problem import ImportProblem
from reader.text.sanitize import SanitizeReport, sanitize

# What standard input is called where an article says where it came from.
STDIN_ORIGIN = "<stdin>"

TITLE_MAX = 200

MIB = 1024 * 1024
# Limits that keep an import's memory bounded: one article is held in memory at a time, and
# these bound how large one article can be. Above them an input is refused, never cut.
MAX_FILE_BYTES = 64 * MIB  # one text, Markdown or HTML file
MAX_LINE_BYTES = 32 * MIB  # one JSON Lines record
MAX_SPANS = 100_000  # spans in one article


@dataclass
class ParsedSpan:
    """A labelled span, offsets into the article's (sanitised) text, end exclusive."""

    start: int
    end: int
    label: str
    annotator: str | None = None


@dataclass
class ParsedArticle:
    """One article ready to be stored."""

    title: str
    text: str
    source: str | None
    url: str | None
    raw_sha256: str
    encoding: str
    meta: dict
    spans: list[ParsedSpan]
    origin: str  # "path", or "path:line" for JSONL
    report: SanitizeReport = field(default_factory=SanitizeReport)


def title_from_text(text: str, *, markdown: bool = False, file_name: str | None = None) -> str:
    """The article's title found in its first lines (reader.text.titles), as one clean line."""
    from reader.text.titles import choose_title

    return clean_label_text(choose_title(text, markdown=markdown, file_name=file_name))


def file_meta(origin: str) -> tuple[dict, str | None]:
    """What an input file adds to its article: the path as given, recorded in the meta, and its
    name, the source when the article names none. Nothing for standard input."""
    if origin == STDIN_ORIGIN:
        return {}, None
    path = sanitize(origin).text
    return {"import_file": path}, clean_label_text(os.path.basename(path)) or None


def clean_label_text(value: str, limit: int = TITLE_MAX) -> str:
    """Sanitise a short string shown on one line (title, source): one line, no controls, capped."""
    text = " ".join(sanitize(value).text.split())
    if len(text) > limit:
        cut = text[:limit].rsplit(" ", 1)[0] or text[:limit]
        text = cut.rstrip() + "…"
    return text


URL_SCHEMES = ("http", "https")


def clean_url(value: object) -> str | None:
    """The one rule for an article's address, whatever the format it came in: an absolute
    http(s) URL with a host, sanitised, without whitespace; anything else (javascript:, data:,
    file:, relative paths, not a string) is None. A URL is shown and may be opened, so only
    web addresses are kept."""
    from urllib.parse import urlsplit

    if not isinstance(value, str) or not value.strip():
        return None
    url = "".join(sanitize(value).text.split())
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. a malformed IPv6 host
        return None
    if parts.scheme.lower() in URL_SCHEMES and parts.netloc:
        return url
    return None


def check_text(text: str, origin: str) -> None:
    """Raise ImportProblem("empty text") when nothing but whitespace is left."""
    if not text.strip():
        raise ImportProblem(origin, "empty text")
