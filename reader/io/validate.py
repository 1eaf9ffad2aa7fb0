"""Check a training-data file before training on it: every format reader writes.

A file that loads is not necessarily right: offsets counted in another unit, span texts that do
not match the slice, labels the project does not know, and overlapping spans all load fine and
then spoil training. :func:`validate_file` recognises what a file is (by its content, and its
name where the content cannot tell) and checks it against the label set in use:

- JSON Lines tasks (reader's ``jsonl``, Prodigy, doccano): the rules of ``reader import``, which
  reads these, with its own parser, so a file that validates imports; plus span texts and token
  indices. Offsets count the unit ``meta.offsets`` or a top-level ``offsets`` names.
- reader's ``sentences`` lines: each span's text against its context, the label.
- Label Studio JSON (an array, or one task per line): offsets, span texts, labels, overlaps.
- CoNLL IOB: two or more columns, tags ``O``/``B-X``/``I-X`` with ``X`` an entity label, no
  ``I-X`` that does not continue an ``X``.
- a spaCy ``DocBin`` (with the 'spacy' extra): labels of ``doc.ents`` and ``doc.spans``, overlaps.

The overlap rule is the store's: no two spans of one annotator overlap on one layer (entities
on theirs, fact/opinion/boilerplate on the segment layer).
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field

from reader.io.problem import ImportProblem
from reader.text.offsets import UNITS, OffsetMap

ENTITY = "entity"

KINDS = {
    "jsonl": "JSONL tasks (reader jsonl / Prodigy)",
    "doccano": "doccano JSONL",
    "sentences": "reader sentences JSONL",
    "labelstudio": "Label Studio JSON",
    "labelstudio-lines": "Label Studio JSON lines",
    "conll": "CoNLL IOB",
    "spacy": "spaCy DocBin",
}
CHECKS = {
    "jsonl": "checked as reader import reads it, against the label set in use",
    "doccano": "checked as reader import reads it, against the label set in use",
    "sentences": "span texts against their context, labels against the label set in use",
    "labelstudio": "offsets, span texts, labels and overlaps against the label set in use",
    "labelstudio-lines": "offsets, span texts, labels and overlaps against the label set in use",
    "conll": "columns, IOB tags and entity labels against the label set in use",
    "spacy": "entity and span labels and overlaps against the label set in use",
}
SPACY_MISSING = "checking it needs the 'spacy' extra: pip install 'reader-annotate[spacy]'"

_TAG = re.compile(r"^(?:O|([BI])-(\S+))$")
_ZLIB_HEADS = (b"\x78\x01", b"\x78\x5e", b"\x78\x9c", b"\x78\xda")


@dataclass(frozen=True)
class Problem:
    """One problem: where it is (a 1-based line, task or doc number) and what is wrong."""

    line: int
    message: str
    unit: str = "line"

    def __str__(self) -> str:
        return f"{self.unit} {self.line}: {self.message}"


@dataclass
class Report:
    """What :func:`validate_file` found: the kind of file, its problems, what it counted."""

    kind: str
    problems: list[Problem] = field(default_factory=list)
    items: int = 0  # lines, tasks, sentences or docs checked
    spans: int = 0
    item_name: str = "line"
    unavailable: str | None = None  # why the file could not be checked here

    @property
    def description(self) -> str:
        return KINDS.get(self.kind, "file")

    def summary(self) -> str:
        """``"doccano JSONL, 4 lines, 9 spans, checked as ..."`` for the line a user reads."""
        if self.unavailable:
            return f"a {self.description} file; {self.unavailable}"
        items = f"{self.items} {self.item_name}{'s' if self.items != 1 else ''}"
        spans = f"{self.spans} span{'s' if self.spans != 1 else ''}"
        return f"{self.description}, {items}, {spans}: {CHECKS[self.kind]}"


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


# -- which format -------------------------------------------------------------------------------


def detect(head: bytes, name: str = "") -> str | None:
    """Return the kind of file whose first bytes are ``head``, or None if reader wrote no such."""
    lower = name.lower()
    if lower.endswith(".spacy") or head.startswith(_ZLIB_HEADS):
        return "spacy"
    text = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    lines_by_name = lower.endswith((".jsonl", ".ndjson"))
    if text.startswith(b"[") and not lines_by_name:
        return "labelstudio"
    if text.startswith(b"{") or lines_by_name:
        first = text.split(b"\n", 1)[0]
        try:
            task = json.loads(first)
        except ValueError:
            return "jsonl"  # a long first line cut off by the peek, or bad JSON: said per line
        return _line_kind(task) or "jsonl"
    if lower.endswith((".conll", ".iob", ".iob2", ".bio")) or text.startswith(b"-DOCSTART-"):
        return "conll"
    try:
        sample = text.decode("utf-8", errors="strict")
    except UnicodeDecodeError:
        return None
    rows = [r.split() for r in sample.splitlines()[:-1] if r.strip()][:50]
    if rows and all(len(r) >= 2 and _TAG.match(r[-1]) for r in rows):
        return "conll"
    return None


def _line_kind(task: object) -> str | None:
    if not isinstance(task, dict):
        return None
    if isinstance(task.get("data"), dict):
        return "labelstudio-lines"
    if isinstance(task.get("label"), str) and "context" in task:
        return "sentences"
    if isinstance(task.get("label"), list) or "entities" in task:
        return "doccano"
    return "jsonl"


def validate_file(
    data: bytes, name: str, layers: Mapping[str, str], *, kind: str | None = None
) -> Report | None:
    """Check ``data`` (a file called ``name``) against the labels ``layers`` (name → layer).

    Returns None when the file is none of the formats reader reads or writes.
    """
    kind = kind or detect(data[:65536], name)
    if kind is None:
        return None
    if kind == "spacy":
        return validate_docbin(data, layers)
    if kind == "labelstudio":
        return validate_labelstudio(data, layers)
    if kind == "conll":
        return validate_conll(data.splitlines(), layers)
    report = Report(kind)
    report.problems = validate_jsonl(
        data.split(b"\n"),
        known_labels=set(layers),
        entity_labels={n for n, layer in layers.items() if layer == ENTITY},
        report=report,
    )
    return report


# -- JSON Lines -------------------------------------------------------------------------------


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
    kind = _line_kind(task)
    if kind == "labelstudio-lines":
        return [str(p.message) for p in _check_ls_task(task, 0, known_labels, entity_labels, report)]
    text = task.get("text")
    if not isinstance(text, str):
        return ['no "text" string']
    if kind == "sentences":
        return _check_sentence(task, text, known_labels, entity_labels, report)

    unit, messages = _unit(task)
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
    checked: list[_Checked] = []
    for n, (span, start, end, label) in enumerate(spans, start=1):
        where = f"span {n}"
        if span is None:
            messages.append(f"{where}: must be an object or [start, end, label]")
            continue
        found = _check_span(where, text, offsets, unit, start, end, label, span.get("text"),
                            known_labels, messages)
        if found is None:
            continue
        if tokens is not None and ("token_start" in span or "token_end" in span):
            messages.extend(f"{where}: {m}" for m in _check_tokens(span, tokens, start, end))
        who = span.get("annotator", default_annotator)
        checked.append(_Checked(found[0], found[1], n, label, who))
        report.spans += 1
    messages.extend(_overlaps(checked, known_labels, entity_labels))
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


def _unit(task: dict) -> tuple[str, list[str]]:
    meta = task.get("meta")
    unit = meta.get("offsets") if isinstance(meta, dict) else None
    where = "meta.offsets"
    if unit is None:
        unit, where = task.get("offsets", "codepoint"), "offsets"
    if unit not in UNITS:
        return "codepoint", [f"unknown offset unit {unit!r} in {where}"]
    return unit, []


@dataclass(frozen=True)
class _Checked:
    start: int  # code points
    end: int
    number: int
    label: str
    annotator: object


def _check_span(
    where: str,
    text: str,
    offsets: OffsetMap,
    unit: str,
    start,
    end,
    label,
    given,
    known_labels: Collection[str] | None,
    messages: list[str],
) -> tuple[int, int] | None:
    """Check one span; return its code point offsets, or None when they are unusable."""
    if not isinstance(label, str):
        messages.append(f"{where}: no label string")
    elif known_labels is not None and label not in known_labels:
        messages.append(f"{where}: unknown label {label!r}")
    if not (_is_int(start) and _is_int(end)):
        messages.append(f"{where}: start and end must be integers, not {start!r} and {end!r}")
        return None
    length = offsets.length(unit)
    if start < 0:
        messages.append(f"{where}: start {start} is negative")
        return None
    if start >= end:
        messages.append(f"{where}: start {start} is not before end {end}")
        return None
    if end > length:
        messages.append(f"{where}: end {end} is past the end of the text ({length})")
        return None
    try:
        cp_start = offsets.to_codepoint(start, unit)
        cp_end = offsets.to_codepoint(end, unit)
    except ValueError as error:
        messages.append(f"{where}: {error}")
        return None
    if given is not None and given != text[cp_start:cp_end]:
        messages.append(
            f"{where}: text {given!r} differs from the text at {start}-{end} "
            f"({text[cp_start:cp_end]!r})"
        )
    if not isinstance(label, str):
        return None
    return cp_start, cp_end


def _overlaps(
    spans: list[_Checked], known_labels: Collection[str] | None, entity_labels: frozenset[str]
) -> list[str]:
    """The store's rule: no two spans of one annotator overlap on one layer."""
    messages = []
    reach: dict[tuple[str, str], _Checked] = {}  # per annotator and layer, the span reaching furthest
    for span in sorted(spans, key=lambda s: (s.start, s.end, s.number)):
        if span.label in entity_labels:
            layer = ENTITY
        elif known_labels is not None and span.label in known_labels:
            layer = "segment"
        else:
            continue  # a layer we cannot know: an unknown label, already reported
        key = (json.dumps(span.annotator), layer)
        before = reach.get(key)
        if before is not None and span.start < before.end:
            messages.append(
                f"span {span.number} ({span.label} {span.start}-{span.end}) overlaps "
                f"span {before.number} ({before.label} {before.start}-{before.end})"
            )
        if before is None or span.end > before.end:
            reach[key] = span
    return messages


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
    if not (_is_int(first) and _is_int(last)) or not 0 <= first <= last < len(tokens):
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
    unit, bad = _unit(row)
    if bad:
        return messages + bad
    start, end, cstart = row.get("start"), row.get("end"), row.get("context_start")
    if not all(_is_int(v) for v in (start, end, cstart)):
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


# -- Label Studio ------------------------------------------------------------------------------


def validate_labelstudio(data: bytes, layers: Mapping[str, str]) -> Report:
    """Check a Label Studio JSON array of tasks."""
    report = Report("labelstudio", item_name="task")
    try:
        tasks = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as error:
        report.problems.append(Problem(1, f"not UTF-8: {error.reason} at byte {error.start}"))
        return report
    except RecursionError:
        report.problems.append(Problem(1, "not valid JSON: nested too deeply"))
        return report
    except json.JSONDecodeError as error:
        report.problems.append(
            Problem(error.lineno, f"not valid JSON: {error.msg} at column {error.colno}")
        )
        return report
    if not isinstance(tasks, list):
        report.problems.append(Problem(1, "a Label Studio file is a JSON array of tasks"))
        return report
    known = set(layers)
    entities = frozenset(n for n, layer in layers.items() if layer == ENTITY)
    for n, task in enumerate(tasks, start=1):
        report.items += 1
        if not isinstance(task, dict):
            report.problems.append(Problem(n, "a task must be an object", "task"))
            continue
        report.problems.extend(_check_ls_task(task, n, known, entities, report))
    return report


def _check_ls_task(
    task: dict,
    number: int,
    known_labels: Collection[str] | None,
    entity_labels: frozenset[str],
    report: Report,
) -> list[Problem]:
    def problem(message: str) -> Problem:
        return Problem(number, message, "task")

    data = task.get("data")
    text = data.get("text") if isinstance(data, dict) else None
    if not isinstance(text, str):
        return [problem('no "data.text" string')]
    unit, bad = _unit(task)
    if bad:
        return [problem(m) for m in bad]
    offsets = OffsetMap(text)
    out: list[Problem] = []
    for kind in ("annotations", "predictions"):
        items = task.get(kind, [])
        if not isinstance(items, list):
            out.append(problem(f'"{kind}" must be a list'))
            continue
        for a, annotation in enumerate(items, start=1):
            results = annotation.get("result") if isinstance(annotation, dict) else None
            if not isinstance(results, list):
                out.append(problem(f'{kind}[{a}] has no "result" list'))
                continue
            messages: list[str] = []
            checked: list[_Checked] = []
            for r, result in enumerate(results, start=1):
                where = f"{kind}[{a}] result {r}"
                value = result.get("value") if isinstance(result, dict) else None
                if not isinstance(value, dict):
                    messages.append(f'{where}: no "value" object')
                    continue
                if result.get("type") not in ("labels", None):
                    continue  # choices, ratings and the like: not spans
                labels = value.get("labels")
                if not (isinstance(labels, list) and labels and all(isinstance(x, str) for x in labels)):
                    messages.append(f'{where}: "labels" must be a list of label names')
                    continue
                for label in labels:
                    found = _check_span(where, text, offsets, unit, value.get("start"),
                                        value.get("end"), label, value.get("text"),
                                        known_labels, messages)
                    if found is not None:
                        checked.append(_Checked(found[0], found[1], r, label, a))
                        report.spans += 1
            messages.extend(
                f"{kind}[{a}] result {m}" for m in _overlaps(checked, known_labels, entity_labels)
            )
            out.extend(problem(m) for m in messages)
    return out


# -- CoNLL -------------------------------------------------------------------------------------


def validate_conll(lines: Iterable[bytes | str], layers: Mapping[str, str]) -> Report:
    """Check CoNLL IOB lines: ``token ... TAG``, blank lines between sentences."""
    from reader.io.export.conll import tag_name

    report = Report("conll", item_name="token")
    entity_tags = {tag_name(n): n for n, layer in layers.items() if layer == ENTITY}
    others = {tag_name(n) for n, layer in layers.items() if layer != ENTITY}
    previous: str | None = None  # the entity the previous token is part of
    for number, raw in enumerate(lines, start=1):
        if isinstance(raw, bytes):
            try:
                raw = raw.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError as error:
                report.problems.append(
                    Problem(number, f"not UTF-8: {error.reason} at byte {error.start}")
                )
                continue
        columns = raw.split()
        if not columns or columns[0] == "-DOCSTART-":
            previous = None
            continue
        report.items += 1
        if len(columns) < 2:
            report.problems.append(Problem(number, f"{raw.strip()!r} has no tag column"))
            previous = None
            continue
        tag = columns[-1]
        match = _TAG.match(tag)
        if not match:
            report.problems.append(Problem(number, f"tag {tag!r} is not O, B-LABEL or I-LABEL"))
            previous = None
            continue
        prefix, name = match.groups()
        if name is None:
            previous = None
            continue
        if name not in entity_tags:
            why = "a segment label, not an entity label" if name in others else "an unknown label"
            report.problems.append(Problem(number, f"tag {tag!r}: {name!r} is {why}"))
            previous = None
            continue
        if prefix == "I" and previous != name:
            report.problems.append(
                Problem(number, f"tag {tag!r} continues no {name!r} entity (it needs B-{name} first)")
            )
        if prefix == "B":
            report.spans += 1
        previous = name
    return report


# -- spaCy -------------------------------------------------------------------------------------


def validate_docbin(data: bytes, layers: Mapping[str, str]) -> Report:
    """Check a spaCy DocBin: labels of ``doc.ents`` and ``doc.spans``, overlaps (needs spaCy)."""
    report = Report("spacy", item_name="doc")
    try:
        from spacy.tokens import DocBin
        from spacy.vocab import Vocab
    except ImportError:
        report.unavailable = SPACY_MISSING
        return report
    try:
        docs = list(DocBin().from_bytes(data).get_docs(Vocab()))
    except Exception as error:  # spaCy raises assorted types for bytes it cannot read
        message = " ".join(str(error).split())[:120]
        report.problems.append(Problem(1, f"not a DocBin spaCy can read: {message}", "doc"))
        return report
    known = set(layers)
    for n, doc in enumerate(docs, start=1):
        report.items += 1
        for ent in doc.ents:
            report.spans += 1
            if ent.label_ not in known:
                report.problems.append(Problem(n, f"entity {ent.text!r}: unknown label {ent.label_!r}", "doc"))
            elif layers[ent.label_] != ENTITY:
                report.problems.append(
                    Problem(n, f"entity {ent.text!r}: {ent.label_!r} is not an entity label", "doc")
                )
        for key, group in doc.spans.items():
            reach = None
            for span in sorted(group, key=lambda s: (s.start_char, s.end_char)):
                report.spans += 1
                if span.label_ not in known:
                    report.problems.append(
                        Problem(n, f"spans[{key!r}] {span.text!r}: unknown label {span.label_!r}", "doc")
                    )
                    continue
                if layers[span.label_] == ENTITY:
                    continue  # entities in a span group may nest; the store's rule is per layer
                if reach is not None and span.start_char < reach.end_char:
                    report.problems.append(
                        Problem(n, f"spans[{key!r}] {span.label_} {span.start_char}-{span.end_char} "
                                   f"overlaps {reach.label_} {reach.start_char}-{reach.end_char}", "doc")
                    )
                if reach is None or span.end_char > reach.end_char:
                    reach = span
    return report
