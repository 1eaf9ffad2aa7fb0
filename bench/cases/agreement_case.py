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
                rows += synth.annotator_version(cur.lastrowid, draft, who, rng, 0.12)
            conn.executemany(synth._INSERT_SPAN, rows)
            conn.executemany(
                "INSERT INTO annotator_status (article_id, annotator, status, updated_at) "
                "VALUES (?, ?, 'done', ?)",
                [(cur.lastrowid, who, synth.STAMP) for who in ANNOTATORS],
            )

    synth._bulk(tmp, fill)
    tmp.rename(path)
    return path


def case_agreement(work: Path, quick: bool) -> list[Result]:
    import sqlite3

    from db import Store
    from reader.sentence_cache import SentenceCache
    from reader.teamwork import agreement_report

    count = 1_000 if quick else 10_000
    path = agreement_db(work, count)
    # Read the file through once, so that every run below finds it in the page cache and the
    # figures are the computation's, not the disk's.
    with open(path, "rb") as handle:
        while handle.read(1 << 24):
            pass
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
    cache_file = work / "agreement-sentences-cache.sqlite"
    if cache_file.exists():
        cache_file.unlink()
    try:
        timings, cpu = {}, {}
        for run in ("spans and tokens", "cold", "warm"):
            cache = SentenceCache(cache_file) if run != "spans and tokens" else None
            t0, c0 = time.perf_counter(), time.process_time()
            report = agreement_report(
                store, list(ANNOTATORS), sentences=cache is not None, cache=cache
            )
            timings[run] = time.perf_counter() - t0
            cpu[run] = time.process_time() - c0
            assert report.units == count, report.units
    finally:
        store.close()
    size = f"3 annotators × {count:,} articles × 30 spans ({spans:,} spans)"
    target = 10.0 * count / 10_000
    notes = {
        "spans and tokens": "span F1, token kappa and alpha",
        "cold": "and sentence alpha, splitting every text (empty sentence cache) in worker processes",
        "warm": "and sentence alpha, sentences from the cache",
    }
    return [
        Result(
            "agreement" if run == "spans and tokens" else f"agreement+sentences ({run})",
            size, timings[run], "s", scan, timings[run] / scan, f"≤ {target:g} s",
            timings[run] <= target,
            note=f"{notes[run]}; CPU {cpu[run]:.1f} s in the main process; baseline: one SQL scan of the spans",
        )
        for run in timings
    ]
