"""UI cases, each in fresh interpreters (bench/ui_child.py): startup, memory, open, move, tag."""

from __future__ import annotations

import compileall
import json
import os
import sqlite3
import subprocess
import tempfile
import sys
import time
from functools import cache
from pathlib import Path

import synth
from cases.common import Result, median, p99

CHILD = Path(__file__).resolve().parent.parent / "ui_child.py"
ANNOTATOR = "bench"  # the child's app annotates as this name, so the reading spans are its own


@cache
def _child_env() -> dict[str, str]:
    """The `reader` command reads settings and labels from the user's config directory: the
    children get an empty one, so every run and machine starts from the built-in defaults."""
    config = tempfile.mkdtemp(prefix="reader-bench-config-")
    return os.environ | {"XDG_CONFIG_HOME": config, "READER_CONFIG": os.path.join(config, "none.toml")}


@cache
def _bytecode() -> None:
    """Compile the project once where it is imported from, as an install does: a copy without
    bytecode (an editable install under PYTHONDONTWRITEBYTECODE, say) would compile every module
    on each launch, which no installed copy does and the baseline, all installed packages,
    never pays. A folder that cannot be written is left as it is."""
    import db
    import reader

    for package in (db, reader):
        compileall.compile_dir(Path(package.__file__).parent, quiet=2)


def child(*args) -> tuple[dict, float]:
    """Run one child; return its JSON and the wall time at which it was launched."""
    _bytecode()
    launched = time.time()
    done = subprocess.run([sys.executable, str(CHILD), *map(str, args)], capture_output=True,
                          text=True, check=False, env=_child_env())
    if done.returncode:
        raise RuntimeError(f"ui child {args[0]} failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1]), launched


def _startup(db: str) -> tuple[float, float]:
    """Launch-to-first-frame seconds (parent clock before spawn to the child's frame) and RSS."""
    out, launched = child("startup", db)
    return out["paint_wall"] - launched, out["rss_mb"]


def _startups(dbs: list[str], reps: int) -> dict[str, list[tuple[float, float]]]:
    """`reps` launches on each of `dbs`, taken in turn so a change in the machine's load
    falls on all of them alike rather than on whichever ran last, after one launch of each
    that is not counted (it brings the files they read into the page cache)."""
    for db in dbs:
        _startup(db)
    runs: dict[str, list[tuple[float, float]]] = {db: [] for db in dbs}
    for _ in range(reps):
        for db in dbs:
            runs[db].append(_startup(db))
    return runs


def _library_dbs(work: Path, quick: bool) -> dict[int, Path]:
    sizes = (100, 1_000) if quick else (100, 100_000)
    return {n: synth.library_db(work, n) for n in sizes}


def case_startup(work: Path, quick: bool) -> list[Result]:
    reps = 1 if quick else 9
    dbs = {n: str(path) for n, path in _library_dbs(work, quick).items()}
    runs = _startups(["-", *dbs.values()], reps)
    b = median([t for t, _ in runs["-"]])
    out = []
    for n, path in dbs.items():
        times = [t for t, _ in runs[path]]
        o = median(times)
        out.append(Result("startup", f"{n:,} articles", o * 1e3, "ms", b * 1e3, o / b, "ratio ≤ 1.3",
                          o / b <= 1.3, note=f"median of {reps}, min {min(times)*1e3:.0f} ms"))
    return out


def case_memory(work: Path, quick: bool) -> list[Result]:
    n, path = max(_library_dbs(work, quick).items())
    runs = _startups(["-", str(path)], 1 if quick else 2)
    b = max(rss for _, rss in runs["-"])
    o = max(rss for _, rss in runs[str(path)])
    return [Result("memory", f"{n:,} articles", o, "MB peak RSS", b, o / b, "≤ baseline + 60 MB",
                   o <= b + 60, note=f"+{o - b:.0f} MB")]


def case_open(work: Path, quick: bool) -> list[Result]:
    path, big, small = synth.reading_db(work, ANNOTATOR)
    reps = 1 if quick else 10
    out, _ = child("open", path, big, small, reps)
    o, b = median(out["big"]), median(out["small"])
    met = o <= 0.150 and o / b <= 3
    return [Result("open", "1 MB, 5,000 spans", o * 1e3, "ms", b * 1e3, o / b, "≤ 150 ms, ratio ≤ 3",
                   met, note=f"median of {reps}; max {max(out['big'])*1e3:.0f} ms; baseline 10 KB")]


def case_review(work: Path, quick: bool) -> list[Result]:
    path, article_id = synth.review_db(work)
    reps = 1 if quick else 5
    out, _ = child("review", path, article_id, reps)
    r, a = median(out["review"]), median(out["article"])
    return [Result("review open", "1 MB, 3 × 5,000 spans", r * 1e3, "ms", a * 1e3, r / a,
                   "≤ 150 ms", r <= 0.150,
                   note=f"median of {reps}; baseline: the same article opened for tagging")]


def _keys(work: Path, keys: str, reps: int, gap: float) -> dict:
    """Keys pressed in a copy of the reading collection: every run (and a run kept with
    --workdir) starts from the same spans and reading place, not from the last run's tags."""
    path, big, _ = synth.reading_db(work, ANNOTATOR)
    scratch = work / "keys-scratch.db"
    synth.remove_db(scratch)
    source, copy = sqlite3.connect(path), sqlite3.connect(scratch)
    try:
        source.backup(copy)
    finally:
        source.close()
        copy.close()
    try:
        out, _ = child("keys", scratch, big, keys, reps, gap)
    finally:
        synth.remove_db(scratch)
    return out


def _key_result(case: str, size: str, out: dict, limit: float) -> Result:
    wall, cpu = out["wall"], out["cpu"]
    figure = p99(wall)
    return Result(case, size, figure * 1e3, "ms p99", None, None, f"p99 ≤ {limit*1e3:.0f} ms",
                  figure <= limit,
                  note=f"key→frame p50 {median(wall)*1e3:.1f} ms; CPU/key p50 {median(cpu)*1e3:.1f} "
                       f"p99 {p99(cpu)*1e3:.1f} ms; n={len(wall)}")


def case_move(work: Path, quick: bool) -> list[Result]:
    reps = 10 if quick else 400
    keys = "w,w,w,b,e,w,right_parenthesis,right_parenthesis,left_parenthesis,right_parenthesis"
    return [_key_result("move", "word+sentence, 1 MB", _keys(work, keys, reps, 0.0), 0.016)]


def commit_baseline(work: Path, n: int) -> tuple[list[float], list[float]]:
    """The disk's own cost of a durable change, in the folder the tagged database lives in:
    one-row commits to a WAL database with synchronous=FULL (the store's settings), and a small
    write + fsync to a plain file. Seconds each."""
    path = work / "commit-baseline.db"
    synth.remove_db(path)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, start INTEGER, label TEXT)")
    commits, fsyncs = [], []
    with open(work / "fsync-baseline.bin", "ab") as fh:
        for i in range(n):
            t0 = time.perf_counter()
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("INSERT INTO t (start, label) VALUES (?, 'fact')", (i,))
            conn.execute("COMMIT")
            commits.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            fh.write(b"x" * 100)
            fh.flush()
            os.fsync(fh.fileno())
            fsyncs.append(time.perf_counter() - t0)
    conn.close()
    for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), work / "fsync-baseline.bin"):
        leftover.unlink(missing_ok=True)
    return commits, fsyncs


def case_tag(work: Path, quick: bool) -> list[Result]:
    reps = 8 if quick else 150
    # 1 tags the sentence under the cursor as fact and moves on to the next untagged one; a
    # pause between keys lets the span list's delayed rebuild run outside the measured frame,
    # as it does between an annotator's keypresses. The disk's own commit cost is taken half
    # before and half after, so a change in the machine's load falls on both.
    before = commit_baseline(work, max(reps // 2, 5))
    out = _keys(work, "1", reps, 0.05 if quick else 0.2)
    after = commit_baseline(work, max(reps // 2, 5))
    commits, fsyncs = before[0] + after[0], before[1] + after[1]
    frame = _key_result("tag key→frame", "fact key, 1 MB / 5,000 spans", out, 0.016)
    done = out["committed"]
    c99, b99 = p99(done), p99(commits)
    committed = Result(
        "tag key→committed", "fact key, 1 MB / 5,000 spans", c99 * 1e3, "ms p99", b99 * 1e3,
        c99 / b99, "≤ baseline p99 + 5 ms", c99 <= b99 + 0.005,
        note=f"p50 {median(done)*1e3:.1f} ms; baseline one-row commit, WAL + synchronous=FULL, "
             f"same folder: p50 {median(commits)*1e3:.2f} / p99 {b99*1e3:.2f} ms; write + fsync "
             f"p50 {median(fsyncs)*1e3:.2f} / p99 {p99(fsyncs)*1e3:.2f} ms; n={len(done)}")
    return [frame, committed]
