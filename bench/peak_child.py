"""Run a command's Python entry point in this interpreter and write its peak RSS at exit.

    python -P bench/peak_child.py OUT reader ARGS...      (the `reader` command)
    python -P bench/peak_child.py OUT MODULE ARGS...      (`python -m MODULE ARGS...`)

OUT gets this process's `VmHWM` in kilobytes. The parent cannot take the figure from `wait4`: on
Linux a child's ru_maxrss survives exec and starts at the RSS its parent had when it forked, so a
bench that holds a large input in memory would be charged to every command it runs.
"""

from __future__ import annotations

import atexit
import runpy
import sys
from pathlib import Path


def _record(out: str) -> None:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            Path(out).write_text(line.split()[1])
            return


def main() -> None:
    out, target, *args = sys.argv[1:]
    atexit.register(_record, out)
    sys.argv = [target, *args]
    if target == "reader":
        from reader.cli import main as reader_main

        reader_main()
    else:
        runpy.run_module(target, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
