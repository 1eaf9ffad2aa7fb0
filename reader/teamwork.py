"""What a team has done, read from the store: agreement units and the statistics screen's data.

The Store answers which articles each annotator has finished (`Store.articles_done_by`) and
hands out spans; everything computed from them is in the pure `reader.agreement` and here.
No UI.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, TypeVar
from dataclasses import dataclass, field
from datetime import datetime

from db import Store, StoreError

from . import agreement

# The adjudicated version, when there is one, is not an annotator to agree with.
RESERVED = ("gold",)

T = TypeVar("T")


def done_by(store: Store, annotators: Sequence[str]) -> dict[str, set[int]]:
    return {name: store.articles_done_by(name) for name in annotators}


def default_annotators(store: Store) -> list[str]:
    """Everyone who has finished at least one article, in name order."""
    return [
        name for name in store.team_annotators()
        if name not in RESERVED and store.articles_done_by(name)
    ]


def parse_annotators(value: str | None) -> list[str] | None:
    if value is None:
        return None
    names = [name.strip() for name in value.split(",") if name.strip()]
    return list(dict.fromkeys(names))


def agreement_report(
    store: Store,
    annotators: Sequence[str] | None = None,
    *,
    label: str | None = None,
    per_article: bool = False,
    sentences: bool = True,
    tokens: bool = True,
    cache=None,
    progress: Callable[[int, int], None] | None = None,
) -> agreement.Report:
    """Agreement over the articles every one of `annotators` (default: everyone who finished
    something) has finished. StoreError, one line, for what the user must fix.

    Sentences come through `cache` (a `SentenceCache`; None: the one in the user cache
    directory; False: none, every text is split). `progress(done, total)` is called after each
    article."""
    known = set(store.team_annotators())
    if annotators is None:
        annotators = default_annotators(store)
        if len(annotators) < 2:
            found = ", ".join(annotators) or "nobody"
            raise StoreError(
                f"agreement needs two annotators who have finished articles; found {found}"
            )
    else:
        annotators = list(annotators)
        unknown = [name for name in annotators if name not in known]
        if unknown:
            raise StoreError(
                f"no annotator named {', '.join(repr(n) for n in unknown)} in this database "
                f"(known: {', '.join(sorted(known)) or 'none'})"
            )
        if len(annotators) < 2:
            raise StoreError("--annotators needs at least two names, e.g. --annotators ann,bo")
    labels = store.labels()
    if label is not None and label not in {l.name for l in labels}:
        raise StoreError(
            f"unknown label {label!r} (known: {', '.join(l.name for l in labels)})"
        )
    done = done_by(store, annotators)
    shared = set.intersection(*done.values())
    units: Iterable[agreement.Unit] = (
        agreement.Unit(article_id, text, spans, title)
        for article_id, title, text, spans in store.spans_by_article(
            shared, annotators, texts=tokens or sentences
        )
    )
    splitter: Any = None  # text -> sentence (start, end)s, cached or not
    if sentences:
        if cache is False:
            from .text.segment import sentences as split_text

            splitter = split_text
        else:
            from .sentence_cache import SentenceCache

            splitter = cache if cache is not None else SentenceCache()
            units = splitter.split_ahead(units, lambda unit: unit.text)
    if progress is not None:
        units = _counted(units, len(shared), progress)
    report = agreement.compute(
        units, annotators, labels, sentences=splitter, per_article=per_article, focus=label,
        tokens_level=tokens,
    )
    if splitter is not None and hasattr(splitter, "save"):
        splitter.save()
    return report


def _counted(items: Iterable[T], total: int, progress: Callable[[int, int], None]) -> Iterator[T]:
    for done, item in enumerate(items, 1):
        yield item
        progress(done, total)


# -- statistics ------------------------------------------------------------------------------


@dataclass
class AnnotatorStats:
    name: str
    done: int
    touched: int
    spans: int
    by_label: dict[str, int]
    hours: float
    spans_added: int

    @property
    def spans_per_hour(self) -> float | None:
        return self.spans_added / self.hours if self.hours > 0 else None


@dataclass
class TeamStats:
    articles: int
    by_status: dict[str, int]
    labels: list[str]
    annotators: list[AnnotatorStats]
    agreement: agreement.Report | None = None
    agreement_note: str = ""
    colours: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {
            "articles": self.articles,
            "by_status": self.by_status,
            "annotators": [
                {
                    "name": a.name,
                    "done": a.done,
                    "touched": a.touched,
                    "spans": a.spans,
                    "by_label": a.by_label,
                    "session_hours": round(a.hours, 3),
                    "spans_added": a.spans_added,
                    "spans_per_hour": None if a.spans_per_hour is None else round(a.spans_per_hour, 1),
                }
                for a in self.annotators
            ],
            "agreement": None if self.agreement is None else {
                "annotators": self.agreement.annotators,
                "units": self.agreement.units,
                "overlap_f1_by_label": label_agreement(self.agreement),
            } | ({
                "kappa_by_pair": {f"{p.a},{p.b}": p.kappa for p in self.agreement.pairs},
                "alpha": self.agreement.alpha,
            } if self.agreement.alpha else {}),
            "agreement_note": self.agreement_note,
        }


def label_agreement(report: agreement.Report) -> dict[str, float | None]:
    """Each label's overlap F1, pooled over every pair: 2 Σ matches / Σ (|A| + |B|)."""
    out: dict[str, float | None] = {}
    for label in report.labels:
        matches = sum(p.overlap_matches.get(label, 0) for p in report.pairs)
        size = sum(report.spans[p.a][label] + report.spans[p.b][label] for p in report.pairs)
        out[label] = agreement.f1(matches, size, 0) if size else None
    return out


def _hours(started: str, ended: str | None) -> float:
    if not ended:
        return 0.0
    try:
        seconds = (datetime.fromisoformat(ended) - datetime.fromisoformat(started)).total_seconds()
    except ValueError:
        return 0.0
    return max(0.0, seconds) / 3600


def team_stats(
    store: Store, *, with_agreement: bool = True, sentences: bool = False, tokens: bool = True
) -> TeamStats:
    """Progress, pace, label use per annotator, and agreement per label (when two or more
    annotators have finished the same articles); `tokens` False keeps agreement to the span
    level, a fraction of the time."""
    base = store.stats()
    labels = [l.name for l in store.labels()]
    per_label: dict[str, Counter] = defaultdict(Counter)
    touched: Counter = Counter()
    for name, label, n in store.conn.execute(
        "SELECT annotator, label, count(*) FROM annotations GROUP BY 1, 2"
    ):
        per_label[name][label] += n
    for name, n in store.conn.execute(
        "SELECT annotator, count(DISTINCT article_id) FROM annotations GROUP BY 1"
    ):
        touched[name] = n
    hours: dict[str, float] = defaultdict(float)
    added: Counter = Counter()
    for name, started, ended, spans_added in store.conn.execute(
        "SELECT annotator, started_at, ended_at, spans_added FROM sessions"
    ):
        hours[name] += _hours(started, ended)
        if ended:
            added[name] += spans_added
    names = sorted(set(store.team_annotators()) | set(hours))
    people = [
        AnnotatorStats(
            name,
            len(store.articles_done_by(name)),
            touched[name],
            sum(per_label[name].values()),
            {label: per_label[name].get(label, 0) for label in labels},
            hours[name],
            added[name],
        )
        for name in names
    ]
    report = None
    note = ""
    if with_agreement:
        try:
            report = agreement_report(store, sentences=sentences, tokens=tokens)
        except StoreError as exc:
            note = str(exc)
    return TeamStats(
        base["articles"], base["by_status"], labels, people, report, note,
        {l.name: l.colour for l in store.labels()},
    )
