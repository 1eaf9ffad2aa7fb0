"""Where annotators agree and where they differ, on one article: the ground of review.

Per layer, a span (start, end, label) that every compared annotator has is agreed. What is left
falls into conflicts: runs of overlapping spans (on one layer), each with every annotator's
version of that stretch, an empty version included (an annotator who tagged nothing there said
"nothing here"). Annotators with the same version are grouped, most common version first.

A conflict's `signature` names exactly what was in disagreement; a review decision is stored
against it, so a decision holds until new annotations change that stretch, and only then does the
conflict come back.

Pure: spans in, agreed spans and conflicts out; no SQL, no UI.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from .models import Span

Triple = tuple[int, int, str]  # start, end, label


@dataclass(frozen=True)
class Version:
    annotators: tuple[str, ...]
    spans: tuple[Triple, ...]  # in text order; () when these annotators tagged nothing there


@dataclass(frozen=True)
class Conflict:
    layer: str
    start: int
    end: int
    versions: tuple[Version, ...]

    @property
    def signature(self) -> str:
        parts = [self.layer, str(self.start), str(self.end)]
        for version in sorted(self.versions, key=lambda v: v.annotators):
            parts.append(",".join(version.annotators) + "=" + ";".join(
                f"{s}:{e}:{label}" for s, e, label in version.spans
            ))
        import hashlib  # on first use: its import costs start-up time
        return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()[:32]

    def version_of(self, annotator: str) -> Version | None:
        for version in self.versions:
            if annotator in version.annotators:
                return version
        return None


@dataclass(frozen=True)
class Comparison:
    annotators: tuple[str, ...]
    agreed: tuple[tuple[str, Triple], ...]  # (layer, span) every annotator has
    conflicts: tuple[Conflict, ...]  # in text order


def overlap(spans: Iterable[Triple]) -> bool:
    """Whether any two of the spans overlap (so they cannot all go on one layer)."""
    chosen = sorted(set(spans))
    return any(b[0] < a[1] for a, b in zip(chosen, chosen[1:]))


def agreed_signature(layer: str, span: Triple) -> str:
    return f"agreed:{layer}:{span[0]}:{span[1]}:{span[2]}"


def compare(
    spans: Iterable[Span], annotators: Iterable[str], layer_of: Callable[[str], str | None]
) -> Comparison:
    """Compare the given annotators' spans (spans of anyone else are ignored)."""
    who = tuple(sorted(set(annotators)))
    by_layer: dict[str, dict[str, set[Triple]]] = {}
    for span in spans:
        layer = layer_of(span.label)
        if layer is None or span.annotator not in who:
            continue
        by_layer.setdefault(layer, {a: set() for a in who})[span.annotator].add(
            (span.start, span.end, span.label)
        )
    agreed: list[tuple[str, Triple]] = []
    conflicts: list[Conflict] = []
    for layer in sorted(by_layer):
        sets = by_layer[layer]
        common = set.intersection(*sets.values()) if sets else set()
        agreed.extend((layer, t) for t in sorted(common))
        rest = sorted({t for s in sets.values() for t in s - common})
        conflicts.extend(_clusters(layer, rest, {a: s - common for a, s in sets.items()}))
    conflicts.sort(key=lambda c: (c.start, c.end, c.layer))
    return Comparison(who, tuple(agreed), tuple(conflicts))


def _clusters(layer: str, rest: list[Triple], own: Mapping[str, set[Triple]]) -> list[Conflict]:
    # Runs of overlapping spans in `rest` (sorted); each span not agreed on falls in one run.
    runs: list[tuple[int, int]] = []
    run_of: dict[Triple, int] = {}
    for t in rest:
        if runs and t[0] < runs[-1][1]:
            runs[-1] = (runs[-1][0], max(runs[-1][1], t[1]))
        else:
            runs.append((t[0], t[1]))
        run_of[t] = len(runs) - 1
    versions_of: list[dict[str, list[Triple]]] = [{a: [] for a in sorted(own)} for _ in runs]
    for annotator, spans in own.items():
        for t in spans:
            versions_of[run_of[t]][annotator].append(t)
    out: list[Conflict] = []
    for (start, end), by_annotator in zip(runs, versions_of):
        groups: dict[tuple[Triple, ...], list[str]] = {}
        for annotator, version in by_annotator.items():
            groups.setdefault(tuple(sorted(version)), []).append(annotator)
        versions = sorted(
            (Version(tuple(names), spans) for spans, names in groups.items()),
            key=lambda v: (-len(v.annotators), v.annotators),
        )
        out.append(Conflict(layer, start, end, tuple(versions)))
    return out


def disagreement(comparison: Comparison) -> float:
    """The share of compared spans that are in conflict (0 when all agree), for ordering."""
    agreed = len(comparison.agreed)
    disputed = sum(len({t for v in c.versions for t in v.spans}) for c in comparison.conflicts)
    total = agreed + disputed
    return disputed / total if total else 0.0
