"""One UI measurement in a fresh interpreter; prints a JSON object on its last line of stdout.

    python bench/ui_child.py startup DB|-          (the `reader` command on DB; - : the minimal app)
    python bench/ui_child.py open DB BIG_ID SMALL_ID REPS
    python bench/ui_child.py keys DB ARTICLE_ID KEY[,KEY...] REPS [GAP_SECONDS]
    python bench/ui_child.py suggest-keys DB ARTICLE_ID KEY[,KEY...] REPS GAP_SECONDS on|off

Frames are caught where Textual hands a rendered update to the driver (`App._display`): the
compositor has already drawn the frame by then, also under the headless test driver. Each frame
records wall time (`perf_counter`) and this process's CPU time (`process_time`).
"""

from __future__ import annotations

import asyncio
import json
import resource
import sys
import time
from pathlib import Path

from textual.app import App

FRAMES: list[tuple[float, float, str]] = []
_display = App._display


def _record(self, screen, renderable):
    if renderable is not None:
        FRAMES.append((time.perf_counter(), time.process_time(), type(screen).__name__))
    return _display(self, screen, renderable)


App._display = _record
SIZE = (120, 40)


def peak_rss_mb() -> float:
    # VmHWM, not ru_maxrss: the latter survives exec and reports the parent's peak after fork.
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def make_app(db_path: str):
    from db import Store
    from reader.app import ReaderApp
    from reader.config import Settings

    store = Store.open(db_path, backup=False)
    return ReaderApp(store, annotator="bench", settings=Settings(), save_settings=False)


class Minimal(App):
    def compose(self):
        from textual.widgets import Label

        yield Label("ready")


async def wait_for_frame(screen_name: str, since: float, timeout: float = 30.0) -> tuple[float, float]:
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        for wall, cpu, name in FRAMES:
            if wall >= since and name == screen_name:
                return wall, cpu
        await asyncio.sleep(0.0005)
    raise TimeoutError(f"no frame of {screen_name}")


async def _first_paint(app: App, screen_name: str) -> dict:
    async with app.run_test(size=SIZE) as pilot:
        wall, _ = await wait_for_frame(screen_name, 0.0)
        result = {"paint_wall": time.time() - (time.perf_counter() - wall)}
        await pilot.pause()
        result["rss_mb"] = peak_rss_mb()
    return result


def startup(db: str) -> dict:
    """Time to the first painted frame: of the minimal app, or of `reader --db DB` as a person
    starts it (the command-line entry point, settings, label file, store), run headless."""
    if db == "-":
        return asyncio.run(_first_paint(Minimal(), "Screen"))
    from reader import app as app_module
    from reader import cli

    result: dict = {}

    def run_headless(self, *args, **kwargs):
        result.update(asyncio.run(_first_paint(self, "LibraryScreen")))

    app_module.ReaderApp.run = run_headless
    try:
        cli.main(["--db", db, "--annotator", "bench"], standalone_mode=False)
    except SystemExit as exc:
        if exc.code:
            raise
    return result


async def open_article(db: str, big: int, small: int, reps: int) -> dict:
    app = make_app(db)
    out = {"big": [], "small": []}
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_frame("LibraryScreen", 0.0)
        for _ in range(reps):
            for name, article_id in (("small", small), ("big", big)):
                await pilot.pause()
                t0 = time.perf_counter()
                app.open_article(article_id)
                wall, _ = await wait_for_frame("ArticleScreen", t0)
                out[name].append(wall - t0)
                await pilot.pause()
                app.pop_screen()
                await pilot.pause()
    return out


async def open_review(db: str, article_id: int, reps: int) -> dict:
    """Open an article for review (three annotators' spans compared, gold drawn) and back."""
    app = make_app(db)
    out = {"review": [], "article": []}
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_frame("LibraryScreen", 0.0)
        for _ in range(reps):
            for name, review in (("article", False), ("review", True)):
                await pilot.pause()
                t0 = time.perf_counter()
                app.open_article(article_id, review=review)
                wall, _ = await wait_for_frame("ReviewScreen" if review else "ArticleScreen", t0)
                out[name].append(wall - t0)
                await wait_for_commits(app)
                await pilot.pause()
                app.pop_screen()
                await pilot.pause()
    return out


async def wait_for_commits(app, timeout: float = 30.0) -> None:
    """Until every write submitted so far has committed and come back to the app."""
    deadline = time.perf_counter() + timeout
    while app.writes.pending and time.perf_counter() < deadline:
        await asyncio.sleep(0.0005)
    if app.writes.pending:
        raise TimeoutError("writes did not commit")


async def keys(db: str, article_id: int, key_list: list[str], reps: int, gap: float) -> dict:
    """Key to the next frame (wall and CPU); and, for keys that write, key to the commit of the
    last write it made (the writer thread's clock right after COMMIT returned)."""
    app = make_app(db)
    walls, cpus, committed = [], [], []
    commits: list[float] = []
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_frame("LibraryScreen", 0.0)
        app.writes.on_commit = lambda: commits.append(time.perf_counter())
        app.open_article(article_id)
        await wait_for_frame("ArticleScreen", 0.0)
        await pilot.pause(0.3)
        await wait_for_commits(app)
        for i in range(reps):
            key = key_list[i % len(key_list)]
            seen = len(commits)
            t0, c0 = time.perf_counter(), time.process_time()
            await pilot.press(key)
            wall, cpu = await wait_for_frame("ArticleScreen", t0)
            walls.append(wall - t0)
            cpus.append(cpu - c0)
            await wait_for_commits(app)
            if len(commits) > seen:
                committed.append(commits[-1] - t0)
            if gap:
                await pilot.pause(gap)
        spans = len(app.screen.spans)
    return {"wall": walls, "cpu": cpus, "committed": committed, "spans": spans}


async def suggest_keys(db: str, article_id: int, key_list: list[str], reps: int, gap: float,
                       on: bool) -> dict:
    """As `keys`, with suggestions on (computed in the background after each change) or
    turned off with `S` before the timed keys."""
    app = make_app(db)
    walls, cpus = [], []
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_frame("LibraryScreen", 0.0)
        app.open_article(article_id)
        await wait_for_frame("ArticleScreen", 0.0)
        if not on:
            await pilot.press("S")
        await pilot.pause(2.0)  # the first computation and training, before the timed keys
        for i in range(reps):
            key = key_list[i % len(key_list)]
            t0, c0 = time.perf_counter(), time.process_time()
            await pilot.press(key)
            wall, cpu = await wait_for_frame("ArticleScreen", t0)
            walls.append(wall - t0)
            cpus.append(cpu - c0)
            if gap:
                await pilot.pause(gap)
        suggested = len(app.screen.suggestions)
    return {"wall": walls, "cpu": cpus, "suggestions": suggested}


def main(argv: list[str]) -> None:
    mode = argv[0]
    if mode == "startup":
        result = startup(argv[1])
    elif mode == "open":
        result = asyncio.run(open_article(argv[1], int(argv[2]), int(argv[3]), int(argv[4])))
    elif mode == "review":
        result = asyncio.run(open_review(argv[1], int(argv[2]), int(argv[3])))
    elif mode == "keys":
        gap = float(argv[5]) if len(argv) > 5 else 0.0
        result = asyncio.run(keys(argv[1], int(argv[2]), argv[3].split(","), int(argv[4]), gap))
    elif mode == "suggest-keys":
        result = asyncio.run(suggest_keys(argv[1], int(argv[2]), argv[3].split(","), int(argv[4]),
                                          float(argv[5]), argv[6] == "on"))
    else:
        raise SystemExit(f"unknown mode {mode!r}")
    result["rss_mb"] = result.get("rss_mb") or peak_rss_mb()
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
