"""Time `reader import` of a JSONL file against `sqlite-utils insert --nl` + `enable-fts` on it.

    python tests/measure_import.py [COUNT] [ROUNDS]

Writes COUNT synthetic articles of 5 KB (tests/zipf_corpus.py), then runs both, interleaved,
ROUNDS times, and prints the medians of wall time and peak memory and their ratio.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
import zipf_corpus  # noqa: E402


def run(command: list[str]) -> tuple[float, float]:
    started = time.perf_counter()
    proc = subprocess.run(
        ["/usr/bin/time", "-f", "%M", *command], capture_output=True, text=True, check=True
    )
    elapsed = time.perf_counter() - started
    return elapsed, int(proc.stderr.strip().splitlines()[-1]) / 1024


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    work = tempfile.mkdtemp()
    data = os.path.join(work, "articles.jsonl")
    zipf_corpus.write_jsonl(data, count)
    bindir = os.path.dirname(sys.executable)
    reader_times, peer_times, reader_mem, peer_mem = [], [], [], []
    try:
        for _ in range(rounds):
            for name in ("r.db", "s.db"):
                for suffix in ("", "-wal", "-shm"):
                    if os.path.exists(os.path.join(work, name + suffix)):
                        os.remove(os.path.join(work, name + suffix))
            seconds, mb = run([os.path.join(bindir, "reader"), "--db", os.path.join(work, "r.db"), "import", data])
            reader_times.append(seconds)
            reader_mem.append(mb)
            su = os.path.join(bindir, "sqlite-utils")
            s_db = os.path.join(work, "s.db")
            t1, m1 = run([su, "insert", s_db, "articles", data, "--nl"])
            t2, m2 = run([su, "enable-fts", s_db, "articles", "text"])
            peer_times.append(t1 + t2)
            peer_mem.append(max(m1, m2))
            print(f"reader {seconds:.2f} s {mb:.0f} MB   sqlite-utils {t1 + t2:.2f} s", flush=True)
    finally:
        shutil.rmtree(work)
    r, p = statistics.median(reader_times), statistics.median(peer_times)
    print(
        f"{count} articles: reader {r:.2f} s, peak {max(reader_mem):.0f} MB; "
        f"sqlite-utils {p:.2f} s, peak {max(peer_mem):.0f} MB; ratio {r / p:.2f}"
    )


if __name__ == "__main__":
    main()
