"""Label Studio tasks: a JSON array, or one task per line."""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping

from reader.io.validate.report import ENTITY, Problem, Report
from reader.io.validate.spans import Checked, check_span, overlaps, unit_of
from reader.text.offsets import OffsetMap


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
        report.problems.extend(check_task(task, n, known, entities, report))
    return report


def check_task(
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
    unit, bad = unit_of(task)
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
            checked: list[Checked] = []
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
                    found = check_span(where, text, offsets, unit, value.get("start"),
                                        value.get("end"), label, value.get("text"),
                                        known_labels, messages)
                    if found is not None:
                        checked.append(Checked(found[0], found[1], r, label, a))
                        report.spans += 1
            messages.extend(
                f"{kind}[{a}] result {m}" for m in overlaps(checked, known_labels, entity_labels)
            )
            out.extend(problem(m) for m in messages)
    return out
