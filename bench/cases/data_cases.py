"""Cases that run in this process against the store: import, export, search."""

from __future__ import annotations

import json
import random
import sqlite3
import statistics
import time
from pathlib import Path

import synth
from cases.common import Result, p99
from db.schema import PREFIX_LENGTHS

# The same full-text index as the store's (db/schema.py), prefix lists included.
FTS_DDL = f"""
CREATE TABLE articles (id INTEGER PRIMARY KEY, title TEXT, text TEXT, sha256 TEXT UNIQUE);
CREATE VIRTUAL TABLE articles_fts USING fts5(title, text, content=articles, content_rowid=id,
    tokenize='unicode61 remove_diacritics 2', prefix='{PREFIX_LENGTHS}');
CREATE TRIGGER articles_ai AFTER INSERT ON articles BEGIN
  INSERT INTO articles_fts (rowid, title, text) VALUES (new.id, new.title, new.text);
END;
"""


def _plain_import(folder: Path, db_path: Path) -> None:
    """The floor: read the files and executemany them in one transaction."""
    import hashlib

    conn = sqlite3.connect(db_path)
    conn.executescript(FTS_DDL)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    rows = []
    for path in sorted(folder.iterdir()):
        text = path.read_text(encoding="utf-8")
        rows.append((text.split("\n", 1)[0], text, hashlib.sha256(text.encode()).hexdigest()))
    with conn:
        conn.executemany("INSERT INTO articles (title, text, sha256) VALUES (?, ?, ?)", rows)
    conn.close()


def case_import(work: Path, quick: bool) -> list[Result]:
    from reader.importing import import_paths

    count = 200 if quick else 10_000
    folder = work / f"import-files-{count}"
    if not folder.exists():
        synth.write_folder(work / "tmp-files", count, 5_000, seed=5).rename(folder)
    ours, base = [], []
    for rep in range(1 if quick else 2):
        plain = work / f"plain-import-{rep}.db"
        t0 = time.perf_counter()
        _plain_import(folder, plain)
        base.append(time.perf_counter() - t0)
        target = work / f"import-{rep}.db"
        store = synth.new_store(target)
        t0 = time.perf_counter()
        summary = import_paths(store, [str(folder)])
        ours.append(time.perf_counter() - t0)
        assert summary.imported == count, summary.line()
        store.close()
        for path in work.glob(f"*import-{rep}.db*"):
            path.unlink()
    o, b = min(ours), min(base)
    return [Result("import", f"{count:,} files × 5 KB", o, "s", b, o / b, "ratio ≤ 1.5", o / b <= 1.5,
                   note=f"best of {len(ours)}")]


def _plain_export(db_path: Path, out: Path) -> None:
    """The floor: two ordered scans merged, one json.dumps per line of the same shape."""
    conn = sqlite3.connect(db_path)
    spans = conn.execute(
        'SELECT article_id, annotator, start, "end", label FROM annotations '
        'ORDER BY article_id, annotator, start, "end", label'
    )
    articles = conn.execute("SELECT id, title, source, url, sha256, status, text FROM articles ORDER BY id")
    with open(out, "w", encoding="utf-8") as fh:
        article, key, group = None, None, []

        def flush():
            a = article
            fh.write(json.dumps({
                "text": a[6],
                "spans": [{"start": s, "end": e, "label": l, "annotator": key[1], "text": a[6][s:e]}
                          for s, e, l in group],
                "meta": {"id": a[0], "title": a[1], "source": a[2], "url": a[3], "sha256": a[4],
                         "status": a[5], "annotator": key[1]},
            }, ensure_ascii=False) + "\n")

        for article_id, who, s, e, label in spans:
            if (article_id, who) != key:
                if group:
                    flush()
                while article is None or article[0] != article_id:
                    article = next(articles)
                key, group = (article_id, who), []
            group.append((s, e, label))
        if group:
            flush()
    conn.close()


def case_export(work: Path, quick: bool) -> list[Result]:
    from db import Store
    from reader.exporting import ExportRequest, run_export

    articles, spans = (200, 5_000) if quick else (20_000, 1_000_000)
    db_path = synth.export_db(work, articles, spans)
    out_plain, out_ours = work / "plain.jsonl", work / "ours.jsonl"
    ours, base = [], []
    for _ in range(1 if quick else 2):
        t0 = time.perf_counter()
        _plain_export(db_path, out_plain)
        base.append(time.perf_counter() - t0)
        store = Store.open(db_path, backup=False)
        t0 = time.perf_counter()
        summary, _ = run_export(store, ExportRequest(out=str(out_ours)))
        ours.append(time.perf_counter() - t0)
        store.close()
    total = summary.total_spans
    size = out_ours.stat().st_size / 1e6
    out_plain.unlink()
    out_ours.unlink()
    o, b = min(ours), min(base)
    return [Result("export", f"{total:,} spans / {articles:,} articles", o, "s", b, o / b,
                   "ratio ≤ 1.0", o / b <= 1.0, note=f"{size:.0f} MB jsonl, best of {len(ours)}")]


def search_queries(db_path: Path, seed: int = 7) -> list[tuple[str, str]]:
    """Rare (a byline surname: a handful of articles), common and prefix queries."""
    rng = random.Random(seed)
    conn = sqlite3.connect(db_path)
    top = conn.execute("SELECT max(id) FROM articles").fetchone()[0]
    rare = []
    for article_id in rng.sample(range(1, top + 1), 40):
        text = conn.execute("SELECT text FROM articles WHERE id = ?", (article_id,)).fetchone()[0]
        byline = text.split("\n")[2]
        rare.append(byline.split(",")[0].split()[-1])
    conn.close()
    common = ["council", "said", "budget", "hospital", "minister said", "people affected",
              "closer look", "council budget", "last year", "reporters"]
    prefix = ["coun", "bud", "hosp", "pr", "re", "min", "st", "ann", "Wal", "Kar"]
    return [("rare", q) for q in rare] + [("common", q) for q in common] + [("prefix", q) for q in prefix]


def case_search(work: Path, quick: bool) -> list[Result]:
    from db import Store

    count = 1_000 if quick else 100_000
    db_path = synth.library_db(work, count)
    queries = search_queries(db_path)
    # Read the file through once: the figure is the query's cost, not the disk's. (Idle pages
    # are reclaimed within seconds on some machines, and the cases before this one read
    # hundreds of megabytes; a first query would otherwise wait on the disk.)
    with open(db_path, "rb") as fh:
        while fh.read(1 << 20):
            pass
    store = Store.open(db_path, backup=False)
    times: dict[str, list[float]] = {"rare": [], "common": [], "prefix": []}
    store.search("warm up")
    for _ in range(3):
        for kind, q in queries:
            t0 = time.perf_counter()
            store.search(q, limit=50)
            times[kind].append(time.perf_counter() - t0)
    store.close()
    every = [t for ts in times.values() for t in ts]
    detail = ", ".join(f"{k} p50 {statistics.median(v)*1e3:.1f} / p99 {p99(v)*1e3:.0f} ms" for k, v in times.items())
    figure = p99(every)
    return [Result("search", f"{count:,} articles, {len(every)} queries", figure * 1e3, "ms p99",
                   None, None, "p99 ≤ 50 ms", figure <= 0.050,
                   note=f"p50 {statistics.median(every)*1e3:.1f} ms; {detail}")]
