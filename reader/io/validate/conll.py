"""CoNLL IOB: ``token ... TAG`` lines, blank lines between sentences."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from reader.io.validate.report import ENTITY, Problem, Report

TAG = re.compile(r"^(?:O|([BI])-(\S+))$")


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
        match = TAG.match(tag)
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
