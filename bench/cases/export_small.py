"""Small exports as a user runs them: the whole `reader export` command, start-up included,
against the short script a user would otherwise write (one query and one json.dumps per article),
both as fresh processes, interleaved, on the same database."""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import synth
from cases.common import Result

# What a user would write instead of installing reader: one query per article and annotator.
NAIVE = r'''
import json, sqlite3, sys
conn = sqlite3.connect(sys.argv[1])
with open(sys.argv[2], "w", encoding="utf-8") as out:
    for aid, title, source, url, sha, status, text in conn.execute(
            "SELECT id, title, source, url, sha256, status, text FROM articles ORDER BY id"):
        for (who,) in conn.execute("SELECT DISTINCT annotator FROM annotations WHERE article_id = ? "
                                   "ORDER BY 1", (aid,)).fetchall():
            spans = conn.execute('SELECT start, "end", label FROM annotations WHERE article_id = ? '
                                 'AND annotator = ? ORDER BY start, "end", label', (aid, who))
            out.write(json.dumps({
                "text": text,
                "spans": [{"start": s, "end": e, "label": l, "annotator": who, "text": text[s:e]}
                          for s, e, l in spans],
                "meta": {"id": aid, "title": title, "source": source, "url": url, "sha256": sha,
                         "status": status, "annotator": who}}, ensure_ascii=False) + "\n")
'''
READER = "from reader.cli import main; main()"
PER_ARTICLE = 50


def _env() -> dict:
    import reader

    # The child imports the same reader as this process, wherever that comes from.
    env = dict(os.environ)
    root = str(Path(reader.__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
    env["READER_CONFIG"] = os.devnull
    # As after `pip install`, which compiles the modules: the uncounted first run writes them.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def _timed(command: list[str], env: dict) -> tuple[float, float]:
    """Wall time of one run, and the child's CPU time (user + system), which a busy machine
    disturbs less."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(command, check=True, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def case(work: Path, quick: bool) -> list[Result]:
    sizes = [2_000] if quick else [50_000, 200_000, 400_000]
    reps = 1 if quick else 7
    env = _env()
    results = []
    for spans in sizes:
        articles = spans // PER_ARTICLE
        db_path = synth.export_db(work, articles, spans)
        ours_out, naive_out = work / "small-ours.jsonl", work / "small-naive.jsonl"
        ours_cmd = [sys.executable, "-P", "-c", READER, "--db", str(db_path), "export", str(ours_out)]
        naive_cmd = [sys.executable, "-P", "-c", NAIVE, str(db_path), str(naive_out)]
        _timed(ours_cmd, env)  # once uncounted each: the page cache and .pyc files warm
        _timed(naive_cmd, env)
        ours, naive = [], []
        for _ in range(reps):
            ours.append(_timed(ours_cmd, env))
            naive.append(_timed(naive_cmd, env))
        same = ours_out.read_bytes().count(b"\n") == naive_out.read_bytes().count(b"\n")
        ours_out.unlink()
        naive_out.unlink()
        o, b = (statistics.median(w for w, _ in ours), statistics.median(w for w, _ in naive))
        oc, bc = (statistics.median(c for _, c in ours), statistics.median(c for _, c in naive))
        results.append(Result(
            "export (command)", f"{spans:,} spans / {articles:,} articles", o, "s", b, o / b,
            "ratio ≤ 1.0", o / b <= 1.0 and same,
            note=f"median of {reps}, interleaved; CPU {oc:.2f} / {bc:.2f} s; baseline: "
            "per-article json.dumps script" + ("" if same else "; LINE COUNTS DIFFER"),
        ))
    return results
