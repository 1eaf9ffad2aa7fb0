"""Team statistics: `reader stats` and the statistics screen (opened from the library with `i`)."""

from __future__ import annotations

import asyncio
import json
import time

import pytest
from click.testing import CliRunner

from db import NewArticle, NewSpan, Store
from reader.app import ReaderApp
from reader.cli import main
from reader.config import Settings
from reader.labels import default_label_file, load_labels
from reader.screens.library import LibraryScreen
from reader.screens.stats import StatsScreen, bar
from reader.teamwork import team_stats

TEXT = "The ferry ran late on Monday. That is a poor show. Ines Baro said so."
FACT, OPINION, NAME = (0, 29), (30, 50), (51, 60)


def build(path, *, shared=4, ann_only=2):
    """ann and bo both finish `shared` articles (bo calls the second sentence a fact in the
    first of them); ann alone tags `ann_only` more; one article nobody has touched."""
    store = Store.open(path)
    store.set_labels(load_labels(default_label_file()))
    articles = []
    for i in range(shared + ann_only + 1):
        spans = []
        if i < shared + ann_only:
            spans += [NewSpan(*FACT, "fact", "ann"), NewSpan(*OPINION, "opinion", "ann"),
                      NewSpan(*NAME, "entity", "ann")]
        if i < shared:
            spans += [NewSpan(*FACT, "fact", "bo"),
                      NewSpan(*OPINION, "fact" if i == 0 else "opinion", "bo"),
                      NewSpan(*NAME, "entity", "bo")]
        status = "done" if spans else "new"
        articles.append(NewArticle(f"Ferry {i}", TEXT + f" ({i})", spans=spans, status=status))
    store.add_articles(articles)
    # Two finished sessions of ann: 1 h with 30 spans, 30 min with 15: 30 spans an hour.
    store.conn.executemany(
        "INSERT INTO sessions (annotator, started_at, ended_at, spans_added) VALUES (?, ?, ?, ?)",
        [("ann", "2026-03-01T09:00:00+00:00", "2026-03-01T10:00:00+00:00", 30),
         ("ann", "2026-03-02T09:00:00+00:00", "2026-03-02T09:30:00+00:00", 15),
         ("bo", "2026-03-02T09:00:00+00:00", None, 99)],
    )
    store.conn.commit()
    return store


def test_team_stats_figures(tmp_path):
    store = build(tmp_path / "t.db")
    stats = team_stats(store)
    ann, bo = stats.annotators
    assert (ann.name, ann.done, ann.touched, ann.spans) == ("ann", 6, 6, 18)
    assert (bo.name, bo.done, bo.spans) == ("bo", 4, 12)
    assert ann.spans_per_hour == pytest.approx(30.0)
    assert bo.spans_per_hour is None  # its only session has not ended
    assert bo.by_label == {"fact": 5, "opinion": 3, "boilerplate": 0, "entity": 4}
    report = stats.agreement
    assert report.units == 4
    pair = report.pairs[0]
    assert pair.overlap["opinion"] == pytest.approx(2 * 3 / (4 + 3))
    store.close()


def test_stats_command_shows_team_figures(tmp_path):
    build(tmp_path / "t.db").close()
    result = CliRunner().invoke(main, ["--db", str(tmp_path / "t.db"), "stats"])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "progress and pace:" in out
    row = next(line for line in out.splitlines() if line.strip().startswith("ann ") and "30" in line)
    assert row.split() == ["ann", "6", "6", "1.5", "30"]
    assert "agreement per label over 4 shared articles" in out
    opinion = [l for l in out.split("agreement per label")[1].splitlines() if "opinion" in l][0]
    assert opinion.split()[-1] == f"{2 * 3 / 7:.3f}"
    assert "warning: only 4 articles" in result.stderr
    data = json.loads(
        CliRunner().invoke(main, ["--db", str(tmp_path / "t.db"), "stats", "--json"]).stdout
    )
    assert data["team"]["annotators"][0]["spans_per_hour"] == 30.0
    assert data["team"]["agreement"]["units"] == 4
    assert data["by_annotator"] == {"ann": 18, "bo": 12}


def test_bar_draws_eighths():
    assert bar(0.5, 4).plain == "██··"
    assert bar(0.25, 2).plain == "▌·"
    assert bar(1 / 16, 2).plain == "▏·"
    assert bar(2.0, 3).plain == "███"
    assert bar(0.0, 3).plain == "···"




@pytest.fixture
def anyio_backend():
    return "asyncio"


async def settle(pilot, until, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    await pilot.pause()
    while not until():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.02)
        await pilot.pause()


def shown(screen) -> str:
    """The lines the content widget draws, as text."""
    from textual.geometry import Region
    from textual.widgets import Static

    widget = screen.query_one("#stats-content", Static)
    strips = widget.render_lines(Region(0, 0, widget.size.width, widget.size.height))
    return "\n".join(strip.text.rstrip() for strip in strips)


@pytest.mark.anyio
async def test_statistics_screen_opens_from_the_library_and_draws_the_figures(tmp_path):
    store = build(tmp_path / "t.db")
    app = ReaderApp(store, annotator="ann", settings=Settings(), save_settings=False)
    async with app.run_test(size=(120, 60)) as pilot:
        await settle(pilot, lambda: isinstance(app.screen, LibraryScreen))
        await pilot.press("i")
        await settle(pilot, lambda: isinstance(app.screen, StatsScreen))
        screen = app.screen
        await settle(pilot, lambda: screen.stats is not None or screen.error is not None)
        assert screen.error is None
        text = shown(screen)
        assert "7 articles: 1 new, 0 in progress, 6 done" in text
        assert "6 of 7 done, 6 with spans" in text and "4 of 7 done" in text
        assert "30 spans/h, 1.5 h over sessions" in text and "no finished session" in text
        assert "fact 5, opinion 3, boilerplate 0, entity 4" in text
        assert "4 articles done by all of ann, bo" in text
        assert f"overlap F1 {2 * 3 / 7:.2f}" in text
        assert "kappa, segment layer" in text
        # ann's progress bar: 6 of 7 of 30 cells
        line = next(l for l in text.splitlines() if "6 of 7 done" in l)
        assert "█" * 25 in line and "█" * 26 not in line
        await pilot.press("escape")
        await settle(pilot, lambda: isinstance(app.screen, LibraryScreen))
    app.end_session()
    store.close()


@pytest.mark.anyio
async def test_statistics_screen_with_one_annotator_says_why_there_is_no_agreement(tmp_path):
    store = build(tmp_path / "t.db", shared=0, ann_only=2)
    app = ReaderApp(store, annotator="ann", settings=Settings(), save_settings=False)
    async with app.run_test(size=(120, 50)) as pilot:
        await settle(pilot, lambda: isinstance(app.screen, LibraryScreen))
        await pilot.press("i")
        await settle(pilot, lambda: isinstance(app.screen, StatsScreen) and app.screen.stats is not None)
        text = shown(app.screen)
        assert "agreement needs two annotators who have finished articles; found ann" in text
        # Added spans show after gathering again.
        store.add_articles([NewArticle("New", "A fresh text about buses.", spans=[NewSpan(0, 7, "fact", "cy")], status="done")])
        first = app.screen.stats
        await pilot.press("r")
        await settle(pilot, lambda: app.screen.stats is not first)
        assert "cy" in shown(app.screen)
    app.end_session()
    store.close()
