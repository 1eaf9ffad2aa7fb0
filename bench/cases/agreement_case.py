"""Agreement for three annotators over 10,000 finished articles with 30 spans each."""

from __future__ import annotations

import random
import time
from pathlib import Path

import synth
from cases.common import Result

ANNOTATORS = ("ann", "bo", "cy")


def agreement_db(workdir: Path, articles: int, per: int = 30, chars: int = 5_000, seed: int = 7) -> Path:
    """`articles` done articles, each with `per` spans from each of three annotators who agree
    on most of them (each drops or relabels about one span in ten of a shared draft). Cached."""
    path = workdir / f"agreement-{articles}-{per}-{chars}-{seed}-s{synth._schema_tag()}.db"
    if path.exists():
        return path
    tmp = path.with_suffix(".tmp")
    for leftover in workdir.glob(tmp.name + "*"):
        leftover.unlink()
    writer = synth.Writer(seed)
    rng = random.Random(seed)

    def fill(conn):
        for _ in range(articles):
            title, text = writer.article(chars)
            while len(synth.sentence_bounds(text)) < per:
                text += "\n\n" + " ".join(rng.choices(writer.pool, k=5))
            row = list(synth._article_row(title, text, synth.STAMP))
            row[8] = "done"
            cur = conn.execute(synth._INSERT_ARTICLE, row)
            draft = synth._spans_for(text, per, "", rng)
            rows = []
            for who in ANNOTATORS:
                for start, end, label, _who, *rest in draft:
                    roll = rng.random()
                    if roll < 0.05:
                        continue
                    if roll < 0.12 and label != "entity":
                        label = rng.choice(("fact", "opinion", "boilerplate"))
                    rows.append((cur.lastrowid, start, end, label, who, *rest))
            conn.executemany(synth._INSERT_SPAN, rows)

    synth._bulk(tmp, fill)
    tmp.rename(path)
    return path


def case_agreement(work: Path, quick: bool) -> list[Result]:
    import sqlite3

    from db import Store
    from reader.teamwork import agreement_report

    count = 1_000 if quick else 10_000
    path = agreement_db(work, count)
    conn = sqlite3.connect(path)
    conn.execute("SELECT count(*) FROM articles").fetchone()
    scans = []
    for _ in range(3):
        t0 = time.perf_counter()
        rows = conn.execute('SELECT article_id, annotator, start, "end", label FROM annotations').fetchall()
        scans.append(time.perf_counter() - t0)
    conn.close()
    spans = len(rows)
    del rows
    scan = min(scans)
    store = Store.open(path)
    try:
        timings, cpu = {}, {}
        for sentences in (False, True):
            t0, c0 = time.perf_counter(), time.process_time()
            report = agreement_report(store, list(ANNOTATORS), sentences=sentences)
            timings[sentences] = time.perf_counter() - t0
            cpu[sentences] = time.process_time() - c0
            assert report.units == count, report.units
    finally:
        store.close()
    size = f"3 annotators × {count:,} articles × 30 spans ({spans:,} spans)"
    fast, full = timings[False], timings[True]
    target = 10.0 * count / 10_000
    return [
        Result("agreement", size, fast, "s", scan, fast / scan, f"≤ {target:g} s", fast <= target,
               note=f"span and token measures, CPU {cpu[False]:.1f} s; baseline: one SQL scan of the spans"),
        Result("agreement+sentences", size, full, "s", scan, full / scan, f"≤ {target:g} s",
               full <= target, note=f"with sentence-level alpha (the sentence splitter), CPU {cpu[True]:.1f} s"),
    ]
