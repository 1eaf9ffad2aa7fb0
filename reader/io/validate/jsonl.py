"""JSON Lines: reader's jsonl, Prodigy and doccano tasks (read as ``reader import`` reads them), and
reader's sentences lines."""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable

from reader.io.problem import ImportProblem
from reader.io.validate.labelstudio import check_task
from reader.io.validate.report import Problem, Report, is_int
from reader.io.validate.spans import Checked, check_span, overlaps, unit_of
from reader.text.offsets import OffsetMap


def line_kind(task: object) -> str | None:
    """Which of reader's JSONL shapes one parsed line has (None if it is not an object)."""
    if not isinstance(task, dict):
        return None
    if isinstance(task.get("data"), dict):
        return "labelstudio-lines"
    if isinstance(task.get("label"), str) and "context" in task:
        return "sentences"
    if isinstance(task.get("label"), list) or "entities" in task:
        return "doccano"
    return "jsonl"


def validate_jsonl(
    lines: Iterable[str | bytes],
    known_labels: Collection[str] | None = None,
    entity_labels: Collection[str] = (),
    *,
    report: Report | None = None,
) -> list[Problem]:
    """Return the problems found in the JSONL ``lines`` (an open file will do), in line order.

    Every non-blank line must be a JSON object with a ``text`` string. Its spans (``spans``,
    doccano's ``label`` triples or ``entities``) must have integer offsets with
    ``0 <= start < end <= len(text)``, a ``text`` (where given) equal to the slice, a label in
    ``known_labels`` (unless that is None), ``token_start``/``token_end`` (where given) naming
    tokens with the same edges, and no two spans of one annotator may overlap on one layer
    (labels in ``entity_labels`` are the entity layer, the other known labels the segment
    layer). A line with none of these problems is then read by the importer's own parser, and
    whatever it refuses is reported too. reader's ``sentences`` lines and Label Studio tasks are
    checked as what they are. Blank lines are ignored.
    """
    problems: list[Problem] = []
    entity_labels = frozenset(entity_labels)
    report = report if report is not None else Report("jsonl")
    for number, raw in enumerate(lines, start=1):
        line_bytes = raw if isinstance(raw, bytes) else None
        if isinstance(raw, bytes):
            raw = raw.removesuffix(b"\r")
            if number == 1:
                raw = raw.removeprefix(b"\xef\xbb\xbf")
            line_bytes = raw
            try:
                raw = raw.decode("utf-8")
            except UnicodeDecodeError as error:
                problems.append(Problem(number, f"not UTF-8: {error.reason} at byte {error.start}"))
                continue
        if not raw.strip():
            continue
        report.items += 1
        messages = _check_line(raw, line_bytes, number, known_labels, entity_labels, report)
        problems.extend(Problem(number, m) for m in messages)
    return problems


def _check_line(
    raw: str,
    line_bytes: bytes | None,
    number: int,
    known_labels: Collection[str] | None,
    entity_labels: frozenset[str],
    report: Report,
) -> list[str]:
    try:
        task = json.loads(raw)
    except RecursionError:
        return ["not valid JSON: nested too deeply"]
    except json.JSONDecodeError as error:
        return [f"not valid JSON: {error.msg} at column {error.colno}"]
    except ValueError as error:
        return [f"not valid JSON: {error}"]
    if not isinstance(task, dict):
        return [f"a line must be a JSON object, not {type(task).__name__}"]
    kind = line_kind(task)
    if kind == "labelstudio-lines":
        return [str(p.message) for p in check_task(task, 0, known_labels, entity_labels, report)]
    text = task.get("text")
    if not isinstance(text, str):
        return ['no "text" string']
    if kind == "sentences":
        return _check_sentence(task, text, known_labels, entity_labels, report)

    unit, messages = unit_of(task)
    if messages:
        return messages
    spans = []
    for key in ("spans", "label", "labels", "entities"):
        value = task.get(key)
        if value is None or (key in ("label", "labels") and isinstance(value, str)):
            continue
        if not isinstance(value, list):
            return [f'"{key}" must be a list']
        spans.extend(_shaped(key, value))
    offsets = OffsetMap(text)
    tokens = task.get("tokens")
    tokens = tokens if isinstance(tokens, list) else None
    default_annotator = task.get("_annotator_id", task.get("annotator"))
    checked: list[Checked] = []
    for n, (span, start, end, label) in enumerate(spans, start=1):
        where = f"span {n}"
        if span is None:
            messages.append(f"{where}: must be an object or [start, end, label]")
            continue
        found = check_span(where, text, offsets, unit, start, end, label, span.get("text"),
                            known_labels, messages)
        if found is None:
            continue
        if tokens is not None and ("token_start" in span or "token_end" in span):
            messages.extend(f"{where}: {m}" for m in _check_tokens(span, tokens, start, end))
        who = span.get("annotator", default_annotator)
        checked.append(Checked(found[0], found[1], n, label, who))
        report.spans += 1
    messages.extend(overlaps(checked, known_labels, entity_labels))
    if not messages:
        messages.extend(_import_refuses(raw, line_bytes, number, known_labels))
    return messages


def _shaped(key: str, items: list):
    """Yield (span dict or None, start, end, label) for each span in one of the JSONL shapes."""
    for item in items:
        if key == "spans":
            if isinstance(item, dict):
                yield item, item.get("start"), item.get("end"), item.get("label")
            else:
                yield None, None, None, None
        elif key == "entities":
            if isinstance(item, dict):
                yield item, item.get("start_offset"), item.get("end_offset"), item.get("label")
            else:
                yield None, None, None, None
        elif isinstance(item, str):
            continue  # a document category, not a span
        elif isinstance(item, list) and len(item) == 3:
            yield {}, item[0], item[1], item[2]
        else:
            yield None, None, None, None


def _import_refuses(
    raw: str, line_bytes: bytes | None, number: int, known_labels: Collection[str] | None
) -> list[str]:
    """What ``reader import``'s own parser says of this line, if it refuses it."""
    from reader.io.parse_jsonl import parse_record

    data = line_bytes if line_bytes is not None else raw.encode("utf-8", "surrogatepass")
    known = set(known_labels) if known_labels is not None else None
    try:
        parse_record(raw, data, f"line {number}", known_labels=known)
    except ImportProblem as problem:
        return [f"reader import refuses it: {problem.reason}"]
    return []


def _check_tokens(span: dict, tokens: list, start: int, end: int) -> list[str]:
    first, last = span.get("token_start"), span.get("token_end")
    if not (is_int(first) and is_int(last)) or not 0 <= first <= last < len(tokens):
        return [f"token_start {first!r} and token_end {last!r} do not name tokens in order"]
    head, tail = tokens[first], tokens[last]
    if not (isinstance(head, dict) and isinstance(tail, dict)):
        return ["tokens must be objects"]
    if head.get("start") != start or tail.get("end") != end:
        return [
            f"tokens {first}-{last} span {head.get('start')}-{tail.get('end')}, "
            f"not {start}-{end}"
        ]
    return []


# -- reader's sentences lines --------------------------------------------------------------------


def _check_sentence(
    row: dict,
    text: str,
    known_labels: Collection[str] | None,
    entity_labels: frozenset[str],
    report: Report,
) -> list[str]:
    label, context = row.get("label"), row.get("context")
    messages = []
    if known_labels is not None and label not in known_labels:
        messages.append(f"unknown label {label!r}")
    elif label in entity_labels:
        messages.append(f"{label!r} is an entity label; sentences lines hold segment labels")
    if not isinstance(context, str):
        return messages + ['no "context" string']
    unit, bad = unit_of(row)
    if bad:
        return messages + bad
    start, end, cstart = row.get("start"), row.get("end"), row.get("context_start")
    if not (is_int(start) and is_int(end) and is_int(cstart)):
        return messages + ["start, end and context_start must be integers"]
    offsets = OffsetMap(context)
    if not 0 <= cstart <= start < end <= cstart + offsets.length(unit):
        return messages + [
            f"span {start}-{end} is not inside its context "
            f"({cstart}-{cstart + offsets.length(unit)})"
        ]
    try:
        piece = context[offsets.to_codepoint(start - cstart, unit) : offsets.to_codepoint(
            end - cstart, unit
        )]
    except ValueError as error:
        return messages + [str(error)]
    if piece != text:
        messages.append(f"text {text!r} differs from the context at {start}-{end} ({piece!r})")
    report.spans += 1
    return messages
