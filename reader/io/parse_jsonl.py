"""JSON Lines: one article per line, in Prodigy, doccano or our own export shape.

Accepted shapes (several may appear on one line; their spans are combined):

- Prodigy and our export: ``{"text", "spans": [{"start", "end", "label", "text"?, "annotator"?}],
  "meta": {"title"?, "source"?, "url"?, ...}}``
- doccano: ``{"text", "label": [[start, end, label], ...]}`` (older releases: ``"labels"``), and
  ``{"text", "entities": [{"start_offset", "end_offset", "label"}]}``. A list of plain strings
  under ``label``/``labels`` is a document classification and goes to ``meta["categories"]``.

Offsets are code points into ``text`` as given (or the unit ``meta.offsets`` or a top-level
``offsets`` names, as reader's own exports record it); they are moved onto the sanitised text,
and a span that cannot be moved exactly is refused rather than guessed. Prodigy tasks answered
"reject" or "ignore" keep their text but not their spans: those spans were judged wrong.
"""

from __future__ import annotations

import codecs
import hashlib
import io
import json
from collections.abc import Iterator
from typing import BinaryIO

from reader.io.parsed import (
    MAX_FILE_BYTES,
    MAX_LINE_BYTES,
    MAX_SPANS,
    MIB,
    ParsedArticle,
    ParsedSpan,
    check_text,
    clean_label_text,
    clean_url,
    title_from_text,
)
from reader.io.problem import ImportProblem
from reader.text.decode import DecodeError, check_not_binary, decode_bytes
from reader.text.offsets import UNITS, OffsetMap
from reader.text.plural import counted
from reader.text.sanitize import Sanitized, sanitize

# A UTF-16 or UTF-32 file is decoded whole (its lines cannot be found in the bytes alone).
MAX_WIDE_BYTES = MAX_FILE_BYTES
_WIDE_BOMS = (
    codecs.BOM_UTF32_LE,
    codecs.BOM_UTF32_BE,
    codecs.BOM_UTF16_LE,
    codecs.BOM_UTF16_BE,
)


_SPARE_CONTAINERS = 1000
_TOO_MANY_SPANS = f"more spans than the limit of {MAX_SPANS:,} per article"


def parse_jsonl(
    data: bytes, origin: str, *, known_labels: set[str] | None = None
) -> Iterator[ParsedArticle]:
    """Yield one article per non-blank line of `data`; problems name "origin:line"."""
    yield from parse_jsonl_stream(b"", io.BytesIO(data), origin, known_labels=known_labels)


def parse_jsonl_stream(
    head: bytes, stream: BinaryIO, origin: str, *, known_labels: set[str] | None = None
) -> Iterator[ParsedArticle]:
    """Yield one article per non-blank line of `head` followed by the rest of `stream`.

    Lines are read one at a time, so memory holds one record whatever the size of the input.
    A line longer than MAX_LINE_BYTES is refused, naming the limit.
    """
    reader = _Rejoined(head, stream)
    first = reader.peek_head(64 * 1024)
    try:
        check_not_binary(first)
    except DecodeError as exc:
        raise ImportProblem(origin, str(exc)) from None

    if first.startswith(_WIDE_BOMS):
        # Rare, but a BOM leaves no doubt; such a file is decoded whole. The digest is taken over
        # each line in its own encoding.
        data = reader.read_all(MAX_WIDE_BYTES + 1)
        if len(data) > MAX_WIDE_BYTES:
            raise ImportProblem(
                origin, f"UTF-16 or UTF-32 JSON Lines larger than the limit of "
                f"{MAX_WIDE_BYTES // MIB} MiB"
            )
        try:
            decoded = decode_bytes(data)
        except DecodeError as exc:
            raise ImportProblem(origin, str(exc)) from None
        del data
        encoding, lines = decoded.encoding, _wide_lines(decoded.text, decoded.encoding)
    else:
        encoding, lines = "utf-8", _utf8_lines(reader, origin)
    found = False
    for number, line_bytes, line in lines:
        if not line.strip():
            continue
        found = True
        yield parse_record(
            line, line_bytes, f"{origin}:{number}", known_labels=known_labels, encoding=encoding
        )
    if not found:
        raise ImportProblem(origin, "empty file")


class _Rejoined:
    """The bytes already read to sniff the format, then the rest of the stream."""

    def __init__(self, head: bytes, stream: BinaryIO) -> None:
        self.head = head
        self.stream = stream

    def peek_head(self, size: int) -> bytes:
        if len(self.head) < size:
            self.head += self.stream.read(size - len(self.head))
        return self.head[:size]

    def read_all(self, limit: int) -> bytes:
        data, self.head = self.head, b""
        return data + self.stream.read(max(0, limit - len(data)))

    def readline(self, limit: int) -> bytes:
        if self.head:
            cut = self.head.find(b"\n", 0, limit)
            if cut >= 0 or len(self.head) >= limit:
                size = cut + 1 if cut >= 0 else limit
                line, self.head = self.head[:size], self.head[size:]
                return line
            line, self.head = self.head, b""
            return line + self.stream.readline(limit - len(line))
        return self.stream.readline(limit)


def _wide_lines(text: str, encoding: str) -> Iterator[tuple[int, bytes, str]]:
    for number, line in enumerate(text.split("\n"), 1):
        line = line.removesuffix("\r")
        yield number, line.encode(encoding, errors="surrogatepass"), line


def _utf8_lines(reader: _Rejoined, origin: str) -> Iterator[tuple[int, bytes, str]]:
    # JSON Lines is UTF-8; each line is decoded alone so that a bad byte is reported by line.
    number = 0
    while True:
        line_bytes = reader.readline(MAX_LINE_BYTES + 2)
        if not line_bytes:
            return
        number += 1
        if number == 1:
            line_bytes = line_bytes.removeprefix(codecs.BOM_UTF8)
        line_bytes = line_bytes.removesuffix(b"\n")
        if len(line_bytes) > MAX_LINE_BYTES:
            raise ImportProblem(
                f"{origin}:{number}",
                f"line longer than the limit of {MAX_LINE_BYTES // MIB} MiB per record",
            )
        line_bytes = line_bytes.removesuffix(b"\r")
        try:
            line = line_bytes.decode("utf-8")
        except UnicodeDecodeError as exc:
            bad = line_bytes[exc.start]
            raise ImportProblem(
                f"{origin}:{number}", f"not valid UTF-8 (byte 0x{bad:02x} at byte {exc.start + 1})"
            ) from None
        yield number, line_bytes, line


def parse_record(
    line: str,
    line_bytes: bytes,
    where: str,
    *,
    known_labels: set[str] | None = None,
    encoding: str = "utf-8",
) -> ParsedArticle:
    """Turn one JSON Lines record into an article; `where` ("path:line") names it in problems."""
    # Every span is a JSON object or array: more brackets than the span limit allows (with room
    # for the record's own objects) means too many spans, found before parsing builds them all.
    if line_bytes.count(b"{") + line_bytes.count(b"[") > MAX_SPANS + _SPARE_CONTAINERS:
        raise ImportProblem(where, _TOO_MANY_SPANS)
    record = _load(line, where)
    text = record.get("text")
    if "text" not in record:
        raise ImportProblem(where, 'missing "text"')
    if not isinstance(text, str):
        raise ImportProblem(where, f'"text" must be a string, got {_json_type(text)}')
    if not text.strip():
        raise ImportProblem(where, '"text" is empty')

    meta = record.get("meta")
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise ImportProblem(where, f'"meta" must be an object, got {_json_type(meta)}')
    meta = dict(meta)

    cleaned = sanitize(text)
    check_text(cleaned.text, where)

    categories: list[str] = []
    unit = offset_unit(record, where)
    meta.pop("offsets", None)  # stored spans are code points, whatever the file counted
    spans = _spans(record, text, cleaned, where, known_labels, categories, unit)
    if categories:
        meta["categories"] = categories
    answer = record.get("answer")
    if isinstance(answer, str):
        meta.setdefault("answer", answer)
        if answer in ("reject", "ignore") and spans:
            left_out = f"{counted(len(spans), 'span')} of a task answered {answer!r} left out"
            meta["import_warnings"] = [left_out]
            spans = []

    title = _string(meta.get("title"))
    source = _string(meta.get("source")) or _string(record.get("source"))
    given_url = _string(meta.get("url")) or _string(record.get("url"))
    url = clean_url(given_url)
    if given_url and url is None:
        # Not kept anywhere, the meta included: a javascript: or file: address must not reach
        # the app or an export.
        meta.pop("url", None)
        warnings = meta.get("import_warnings")
        meta["import_warnings"] = (warnings if isinstance(warnings, list) else []) + [
            f"url {_short(repr(given_url), 40)} left out: only http and https addresses are kept"
        ]
    return ParsedArticle(
        title=clean_label_text(title) if title else title_from_text(cleaned.text),
        text=cleaned.text,
        source=clean_label_text(source or "") or None,
        url=url,
        raw_sha256=hashlib.sha256(line_bytes).hexdigest(),
        encoding=encoding,
        meta=meta,
        spans=spans,
        origin=where,
        report=cleaned.report,
    )


def _load(line: str, where: str) -> dict:
    try:
        record = json.loads(line)
    except RecursionError:
        raise ImportProblem(where, "invalid JSON: nested too deeply") from None
    except json.JSONDecodeError as exc:
        raise ImportProblem(where, f"invalid JSON: {exc.msg} (column {exc.colno})") from None
    except ValueError as exc:
        # e.g. an integer literal longer than Python's digit limit
        raise ImportProblem(where, f"invalid JSON: {_short(str(exc), 80)}") from None
    if not isinstance(record, dict):
        raise ImportProblem(where, f"expected a JSON object, got {_json_type(record)}")
    return record


def _spans(
    record: dict,
    raw: str,
    cleaned: Sanitized,
    where: str,
    known_labels: set[str] | None,
    categories: list[str],
    unit: str = "codepoint",
) -> list[ParsedSpan]:
    # Prodigy names the annotator of a task in _annotator_id; reader's doccano lines in annotator.
    default_annotator = record.get("_annotator_id", record.get("annotator"))
    spans: list[ParsedSpan] = []
    offsets = OffsetMap(raw) if unit != "codepoint" else None
    for name, start, end, label, quoted, annotator in _raw_spans(record, where, categories):
        if len(spans) >= MAX_SPANS:
            raise ImportProblem(where, _TOO_MANY_SPANS)
        if offsets is not None:
            start = _from_unit(offsets, start, unit, f"{name}: start", where)
            end = _from_unit(offsets, end, unit, f"{name}: end", where)
        spans.append(
            _check_span(
                f"{name}: ",
                start,
                end,
                label,
                quoted,
                annotator if annotator is not None else default_annotator,
                raw,
                cleaned,
                where,
                known_labels,
            )
        )
    return spans


def _raw_spans(record: dict, where: str, categories: list[str]):
    """Yield (name, start, end, label, text or None, annotator or None) in every shape present."""
    if record.get("spans") is not None:
        items = _array(record, "spans", where)
        for i, item in enumerate(items):
            name = f"spans[{i}]"
            if not isinstance(item, dict):
                raise ImportProblem(where, f"{name} must be an object, got {_json_type(item)}")
            yield (
                name,
                _field(item, "start", name, where),
                _field(item, "end", name, where),
                item.get("label"),
                item.get("text"),
                item.get("annotator"),
            )
    for key in ("label", "labels"):
        value = record.get(key)
        if value is None:
            continue
        if isinstance(value, str):
            categories.append(value)
            continue
        for i, item in enumerate(_array(record, key, where)):
            name = f"{key}[{i}]"
            if isinstance(item, str):
                categories.append(item)
            elif isinstance(item, list) and len(item) == 3:
                yield name, item[0], item[1], item[2], None, None
            else:
                raise ImportProblem(where, f"{name} must be [start, end, label]")
    if record.get("entities") is not None:
        for i, item in enumerate(_array(record, "entities", where)):
            name = f"entities[{i}]"
            if not isinstance(item, dict):
                raise ImportProblem(where, f"{name} must be an object, got {_json_type(item)}")
            yield (
                name,
                _field(item, "start_offset", name, where),
                _field(item, "end_offset", name, where),
                item.get("label"),
                item.get("text"),
                item.get("annotator"),
            )


def _array(record: dict, key: str, where: str) -> list:
    value = record[key]
    if not isinstance(value, list):
        raise ImportProblem(where, f'"{key}" must be an array, got {_json_type(value)}')
    return value


def _field(item: dict, key: str, name: str, where: str):
    if key not in item:
        raise ImportProblem(where, f'{name}: missing "{key}"')
    return item[key]


def _check_span(
    prefix: str,
    start,
    end,
    label,
    quoted,
    annotator,
    raw: str,
    cleaned: Sanitized,
    where: str,
    known_labels: set[str] | None,
) -> ParsedSpan:
    for key, value in (("start", start), ("end", end)):
        # bool is an int subclass in Python; JSON true/false are not offsets.
        if type(value) is not int:
            raise ImportProblem(
                where, f"{prefix}{key} must be an integer, got {_short(json.dumps(value), 30)}"
            )
        if value < 0:
            raise ImportProblem(where, f"{prefix}{key} is negative ({value})")
        if value > len(raw):
            raise ImportProblem(
                where,
                f"{prefix}{key} {_short(str(value), 30)} is past the end of the text "
                f"(length {len(raw)})",
            )
    if start > end:
        raise ImportProblem(where, f"{prefix}start {start} is after end {end}")
    if start == end:
        raise ImportProblem(where, f"{prefix}empty span at {start}")
    if not isinstance(label, str) or not label.strip():
        raise ImportProblem(where, f"{prefix}label must be a non-empty string")
    if known_labels is not None and label not in known_labels:
        known = ", ".join(sorted(known_labels)) or "none"
        raise ImportProblem(where, f"{prefix}unknown label {label!r} (known: {known})")
    if quoted is not None:
        actual = raw[start:end]
        if quoted != actual:
            raise ImportProblem(
                where,
                f"{prefix}text {_short(repr(quoted), 40)} does not match the text at "
                f"{start}-{end}: {_short(repr(actual), 40)}",
            )
    moved = cleaned.map_span(start, end)
    if moved is None:
        if cleaned.map_offset(start) is None or cleaned.map_offset(end) is None:
            why = "it starts or ends inside a removed escape sequence or a CRLF pair"
        else:
            why = "it covers only characters that cleaning removed"
        raise ImportProblem(
            where,
            f"{prefix}span {start}-{end} ({label}) cannot be moved onto the cleaned text: {why}",
        )
    if annotator is not None and not isinstance(annotator, str):
        annotator = json.dumps(annotator)
    return ParsedSpan(moved[0], moved[1], label, annotator or None)


def offset_unit(record: dict, where: str) -> str:
    """The unit a record's offsets count: ``meta.offsets`` (reader's jsonl), a top-level
    ``offsets`` (reader's doccano export), else code points."""
    meta = record.get("meta")
    unit = meta.get("offsets") if isinstance(meta, dict) else None
    if unit is None:
        unit = record.get("offsets", "codepoint")
    if unit not in UNITS:
        raise ImportProblem(
            where, f"unknown offset unit {_short(repr(unit), 30)}: use one of {', '.join(UNITS)}"
        )
    return unit


def _from_unit(offsets: OffsetMap, value, unit: str, name: str, where: str):
    if type(value) is not int or value < 0 or value > offsets.length(unit):
        return value  # _check_span says what is wrong with it
    try:
        return offsets.to_codepoint(value, unit)
    except ValueError as exc:
        raise ImportProblem(where, f"{name} {value}: {exc}") from None


def _string(value) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _json_type(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
