"""Merge: three annotators' databases (the same articles, stored in different orders, so the ids
differ) merged into an empty one with `Store.merge`, against importing the same data as JSONL
(each database exported with `reader export`'s code, the three files imported in one call)."""

from __future__ import annotations

import random
import sqlite3
import time
from pathlib import Path

import synth
from cases.common import Result

ANNOTATORS = ("ana", "ben", "cat")


def _team_db(work: Path, who: str, articles: int, spans: int, seed: int) -> Path:
    """`who`'s database: the export collection's articles in an order of `seed`'s, each with
    `who`'s spans, a status per article and one session. Cached."""
    source = synth.export_db(work, articles, spans, chars=3_000)
    path = work / f"team-{who}-{articles}-{spans}-{seed}-s{synth._schema_tag()}.db"
    if path.exists():
        return path
    tmp = path.with_suffix(".tmp")
    for leftover in work.glob(tmp.name + "*"):
        leftover.unlink()
    rng = random.Random(seed)
    src = sqlite3.connect(source)
    order = [r[0] for r in src.execute("SELECT id FROM articles")]
    rng.shuffle(order)

    def fill(conn):
        conn.execute(
            "INSERT INTO sessions (annotator, started_at, ended_at, articles_done) "
            "VALUES (?, ?, ?, 0)", (who, f"2026-01-0{seed}T09:00:00", f"2026-01-0{seed}T17:00:00"),
        )
        for old_id in order:
            row = src.execute(
                "SELECT title, source, url, text, sha256, raw_sha256, encoding, imported_at, "
                "status, meta, words, chars FROM articles WHERE id = ?", (old_id,)
            ).fetchone()
            new_id = conn.execute(synth._INSERT_ARTICLE, row).lastrowid
            text = row[3]
            # each annotator tags a different share of the sentences differently
            marks = synth._spans_for(text, spans // articles, who, rng)
            conn.executemany(synth._INSERT_SPAN, [(new_id, *m) for m in marks])
            conn.execute(
                "INSERT INTO annotator_status (article_id, annotator, status, updated_at) "
                "VALUES (?, ?, ?, ?)", (new_id, who, rng.choice(("done", "in_progress")), synth.STAMP),
            )

    synth._bulk(tmp, fill)
    src.close()
    tmp.rename(path)
    return path


def case(work: Path, quick: bool) -> list[Result]:
    from db import Store
    from reader.exporting import ExportRequest, run_export
    from reader.importing import import_paths

    articles, spans = (1_000, 20_000) if quick else (10_000, 200_000)
    dbs = [_team_db(work, who, articles, spans, seed) for seed, who in enumerate(ANNOTATORS, 1)]
    jsonl = []
    for path in dbs:
        out = work / f"{path.stem}.jsonl"
        store = Store.open(path, backup=False)
        run_export(store, ExportRequest(out=str(out)))
        store.close()
        jsonl.append(out)
    ours, base, again = [], [], []
    total = 0
    for rep in range(1 if quick else 2):
        target = work / f"merged-{rep}.db"
        store = synth.new_store(target)
        t0 = time.perf_counter()
        report = store.merge([str(p) for p in dbs])
        ours.append(time.perf_counter() - t0)
        assert report.articles_added == articles and not report.conflicts, report.line()
        total = store.conn.execute("SELECT count(*) FROM annotations").fetchone()[0]
        t0 = time.perf_counter()
        second = store.merge([str(p) for p in dbs])
        again.append(time.perf_counter() - t0)
        assert not second.changed
        store.close()
        imported = work / f"imported-{rep}.db"
        store = synth.new_store(imported)
        t0 = time.perf_counter()
        summary = import_paths(store, [str(p) for p in jsonl])
        base.append(time.perf_counter() - t0)
        assert summary.spans == total, (summary.line(), total)
        store.close()
        for leftover in list(work.glob(f"merged-{rep}.db*")) + list(work.glob(f"imported-{rep}.db*")):
            leftover.unlink()
    for out in jsonl:
        out.unlink()
    o, b, r = min(ours), min(base), min(again)
    size = f"3 dbs × {articles:,} articles × {spans:,} spans"
    return [
        Result("merge", size, o, "s", b, o / b, "ratio ≤ 1.0", o / b <= 1.0,
               note=f"baseline: import the same as 3 JSONL files; {total:,} spans; best of {len(ours)}"),
        Result("merge-again", size, r, "s", o, r / o, "changes nothing", True,
               note="the same three merged a second time (baseline: the first merge)"),
    ]
