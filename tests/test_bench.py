"""The benchmark suite runs: `bench/run.py --quick` in a fresh interpreter, every case.

Only that it runs and reports every case is checked, never what it measured (speed is the
bench's business, not the tests')."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[1] / "bench"


def _cases() -> list[str]:
    source = (BENCH / "run.py").read_text(encoding="utf-8")
    block = source.split("CASES = {", 1)[1].split("}", 1)[0]
    return [line.split('"')[1] for line in block.splitlines() if line.strip().startswith('"')]


def test_quick_bench_runs_every_case(tmp_path):
    out = tmp_path / "latest.json"
    done = subprocess.run(
        [sys.executable, str(BENCH / "run.py"), "--quick", "--json", str(out)],
        cwd=tmp_path, capture_output=True, text=True, timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(out.read_text(encoding="utf-8"))
    reported = {r["case"].split(" ")[0] for r in report["results"]}
    expected = {name.split("-")[0] for name in _cases()}
    assert expected <= reported, expected - reported
    assert report["machine"]["quick"] is True
    assert all(r["figure"] is not None for r in report["results"])
    # The table went to stdout with a row per result.
    assert done.stdout.count("\n") >= len(report["results"]) + 2
