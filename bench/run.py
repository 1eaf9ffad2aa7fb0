"""Run the benchmark suite and print one table.

    python bench/run.py [--cases import,export,...] [--quick] [--json PATH] [--workdir DIR]

Synthetic collections are built from fixed seeds into a temporary directory (or --workdir, where
built databases are kept and reused by later runs). See bench/README.md for what each case times.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sqlite3
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
# Only the bench's own folder (which Python puts first anyway): `reader` and `db` come from the
# installed package, never from the source tree beside this folder.
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from cases import agreement_case, data_cases, export_small, merge_case, names_case, suggest_case, ui_cases  # noqa: E402
from cases.common import Result  # noqa: E402

CASES = {
    "import": data_cases.case_import,
    "export": data_cases.case_export,
    "export-small": export_small.case,
    "startup": ui_cases.case_startup,
    "open": ui_cases.case_open,
    "move": ui_cases.case_move,
    "tag": ui_cases.case_tag,
    "search": data_cases.case_search,
    "memory": ui_cases.case_memory,
    "review": ui_cases.case_review,
    "names": names_case.case_names,
    "merge": merge_case.case,
    "agreement": agreement_case.case_agreement,
    "suggest": suggest_case.case_suggest,
    "suggest-keys": suggest_case.case_suggest_keys,
}


def machine() -> dict:
    import reader
    import textual

    return {
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "textual": textual.__version__,
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "processor": platform.machine(),
        "reader_from": str(Path(reader.__file__).resolve().parent),
    }


def fmt(value: float | None, digits: int = 1) -> str:
    if value is None:
        return "—"
    return f"{value:,.{digits}f}" if value < 100 else f"{value:,.0f}"


def table(results: list[Result]) -> str:
    head = ["case", "size", "figure", "baseline", "ratio", "target", "met", "note"]
    rows = [
        [r.case, r.size, f"{fmt(r.figure, 2)} {r.unit}", fmt(r.baseline, 2), fmt(r.ratio, 2),
         r.target, "yes" if r.met else "NO", r.note]
        for r in results
    ]
    widths = [max(len(str(x)) for x in col) for col in zip(head, *rows)]
    line = lambda cells: "  ".join(str(c).ljust(w) for c, w in zip(cells, widths)).rstrip()  # noqa: E731
    return "\n".join([line(head), line(["-" * w for w in widths])] + [line(r) for r in rows])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", default=",".join(CASES), help="comma-separated: " + ", ".join(CASES))
    parser.add_argument("--quick", action="store_true",
                        help="a smoke run: tiny sizes, a few seconds, every case; figures are not meaningful and missed targets do not fail it")
    parser.add_argument("--json", default=str(HERE / "results" / "latest.json"), help="where to write the table")
    parser.add_argument("--workdir", help="keep built collections here and reuse them (default: a temp dir)")
    args = parser.parse_args()
    names = [n.strip() for n in args.cases.split(",") if n.strip()]
    unknown = [n for n in names if n not in CASES]
    if unknown:
        parser.error(f"unknown case(s): {', '.join(unknown)}")
    work = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="reader-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    results: list[Result] = []
    started = time.perf_counter()
    try:
        for name in names:
            t0 = time.perf_counter()
            print(f"… {name}", file=sys.stderr, flush=True)
            rows = CASES[name](work, args.quick)
            results.extend(rows)
            print(f"  {name} done in {time.perf_counter() - t0:.0f} s", file=sys.stderr, flush=True)
            for r in rows:
                print(f"  {r.case}: {fmt(r.figure, 2)} {r.unit} vs {fmt(r.baseline, 2)}, ratio "
                      f"{fmt(r.ratio, 2)}", file=sys.stderr, flush=True)
    finally:
        if not args.workdir:
            shutil.rmtree(work, ignore_errors=True)
    print(table(results))
    info = machine() | {"quick": args.quick, "seconds": round(time.perf_counter() - started, 1)}
    print(f"\n{info['platform']}, {info['cpus']} CPUs, Python {info['python']}, SQLite {info['sqlite']}, "
          f"Textual {info['textual']}; {info['seconds']} s; reader from {info['reader_from']}")
    out = Path(args.json)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"machine": info, "results": [asdict(r) for r in results]}, indent=2))
    if args.quick:
        return 0  # a smoke run checks that every case runs, not what it measures
    return 0 if all(r.met for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
