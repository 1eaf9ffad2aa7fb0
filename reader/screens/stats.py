"""The statistics screen: progress, pace and label use per annotator, and agreement, as bars.

Keys:
    escape q    back to the library
    r           gather the figures again

The figures are gathered by `reader.teamwork.team_stats` in a worker thread, on a connection of
its own, so a large library never holds up the screen; this module only draws them. Bars are
Rich text (block characters in each label's colour): a handful of horizontal bars needs no
charting library, and plain text keeps the screen's snapshots stable and its names unparsed.
"""

from __future__ import annotations

from rich.console import Group
from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

import db

from .context import UsesContext
from ..teamwork import TeamStats, label_agreement
from ..widgets.plain_text import visible

BAR = 30
FULL, EMPTY = "█", "·"
PARTS = " ▏▎▍▌▋▊▉"  # eighths of a cell


def bar(fraction: float, width: int = BAR, style: str | Style = "") -> Text:
    """A horizontal bar `fraction` (0..1) of `width` cells, in eighths, padded with dots."""
    fraction = min(1.0, max(0.0, fraction))
    eighths = round(fraction * width * 8)
    whole, part = divmod(eighths, 8)
    out = Text(FULL * whole, style=style)
    if part:
        out.append(PARTS[part], style=style)
    out.append(EMPTY * (width - whole - (1 if part else 0)), style="dim")
    return out


def _num(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def _heading(text: str) -> Text:
    return Text(text, style="bold")


def progress_table(stats: TeamStats) -> Table:
    table = Table.grid(padding=(0, 1))
    for _ in range(3):
        table.add_column()
    total = max(stats.articles, 1)
    for person in stats.annotators:
        table.add_row(
            Text(visible(person.name)),
            bar(person.done / total),
            Text(f"{person.done:,} of {stats.articles:,} done, {person.touched:,} with spans"),
        )
    return table


def pace_table(stats: TeamStats) -> Table:
    table = Table.grid(padding=(0, 1))
    for _ in range(3):
        table.add_column()
    rates = [p.spans_per_hour or 0.0 for p in stats.annotators]
    top = max(rates + [1.0])
    for person, rate in zip(stats.annotators, rates):
        hours = f"{person.hours:.1f} h over sessions"
        shown = "no finished session" if person.spans_per_hour is None else f"{rate:,.0f} spans/h, {hours}"
        table.add_row(Text(visible(person.name)), bar(rate / top), Text(shown))
    return table


def labels_table(stats: TeamStats) -> Group:
    table = Table.grid(padding=(0, 1))
    for _ in range(3):
        table.add_column()
    for person in stats.annotators:
        line = Text()
        total = sum(person.by_label.values())
        used = 0
        for label in stats.labels:
            n = person.by_label.get(label, 0)
            if not n:
                continue
            cells = round(BAR * (used + n) / total) - round(BAR * used / total)
            used += n
            line.append(FULL * cells, style=Style(color=stats.colours.get(label) or "white"))
        line.append(EMPTY * (BAR - line.cell_len), style="dim")
        counts = ", ".join(f"{visible(l)} {person.by_label.get(l, 0):,}" for l in stats.labels)
        table.add_row(Text(visible(person.name)), line, Text(counts))
    legend = Text("key: ")
    for label in stats.labels:
        legend.append(FULL, style=Style(color=stats.colours.get(label) or "white"))
        legend.append(f" {visible(label)}  ")
    return Group(table, legend)


def agreement_parts(stats: TeamStats) -> list:
    report = stats.agreement
    if report is None:
        return [Text(visible(stats.agreement_note) or "No agreement to show.", style="dim")]
    parts: list = [
        Text(
            f"{report.units:,} articles done by all of "
            f"{', '.join(visible(a) for a in report.annotators)}"
        )
    ]
    for warning in report.warnings:
        parts.append(Text(f"warning: {visible(warning)}", style="yellow"))
    by_label = Table.grid(padding=(0, 1))
    for _ in range(3):
        by_label.add_column()
    for label, value in label_agreement(report).items():
        by_label.add_row(
            Text(visible(label)),
            bar(value or 0.0, style=Style(color=stats.colours.get(label) or "white")),
            Text(f"overlap F1 {_num(value)}, token alpha {_num(report.alpha_by_label.get(label))}"),
        )
    parts += [Text("per label (overlap F1 over all pairs)"), by_label]
    layers = list(report.alpha)
    for layer in layers:
        matrix = Table(title=None, box=None, padding=(0, 1), show_header=True, header_style="bold")
        matrix.add_column(f"kappa, {layer} layer")
        for name in report.annotators:
            matrix.add_column(visible(name), justify="right")
        for a in report.annotators:
            row = []
            for b in report.annotators:
                if a == b:
                    row.append("·")
                    continue
                pair = next(p for p in report.pairs if {p.a, p.b} == {a, b})
                row.append(_num(pair.kappa.get(layer)))
            matrix.add_row(visible(a), *row)
        parts += [Text(""), matrix]
    parts.append(
        Text("alpha over all annotators: "
             + ", ".join(f"{layer} {_num(v)}" for layer, v in report.alpha.items()))
    )
    return parts


def render_stats(stats: TeamStats) -> Group:
    """Everything the screen shows, as one Rich renderable (pure drawing)."""
    s = stats.by_status
    parts: list = [
        Text(
            f"{stats.articles:,} articles: {s.get('new', 0):,} new, "
            f"{s.get('in_progress', 0):,} in progress, {s.get('done', 0):,} done"
        ),
        Text(""),
        _heading("Progress per annotator"),
    ]
    if not stats.annotators:
        parts.append(Text("Nobody has tagged anything yet.", style="dim"))
    else:
        parts += [
            progress_table(stats),
            Text(""), _heading("Spans per hour"), pace_table(stats),
            Text(""), _heading("Labels per annotator"), labels_table(stats),
        ]
    parts += [Text(""), _heading("Agreement"), *agreement_parts(stats)]
    return Group(*parts)


class StatsScreen(UsesContext, Screen):
    """Team statistics drawn as bars and a matrix."""

    CSS_PATH = "stats.tcss"
    HELP_GROUP = "Statistics"
    BINDINGS = [
        Binding("escape,q", "close", "Back", show=True, id="stats.close"),
        Binding("r", "refresh", "Gather again", show=True, id="stats.refresh"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.stats: TeamStats | None = None
        self.error: str | None = None

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="stats-body"):
            yield Static("Statistics", classes="stats-title")
            yield Static(Text("Gathering…", style="dim"), id="stats-content")
        yield Footer()

    def on_mount(self) -> None:
        self.action_refresh()

    def action_close(self) -> None:
        self.app.pop_screen()

    def action_refresh(self) -> None:
        self._gather(self.ctx.store.path)

    @work(thread=True, exclusive=True, group="stats", exit_on_error=False)
    def _gather(self, path: str | None) -> None:
        from ..teamwork import team_stats

        own = bool(path) and path != ":memory:"
        try:
            store = db.Store.open(path, backup=False) if own and path else self.ctx.store
            try:
                stats, error = team_stats(store), None
            finally:
                if own:
                    store.close()
        except Exception as exc:  # a locked or damaged file: shown, never a crash
            stats, error = None, str(exc)
        if self.is_attached:
            self.app.call_from_thread(self._show, stats, error)

    def _show(self, stats: TeamStats | None, error: str | None) -> None:
        self.stats, self.error = stats, error
        content = self.query_one("#stats-content", Static)
        if stats is None:
            content.update(Text(f"Cannot gather the statistics: {visible(error)}", style="red"))
            return
        content.update(render_stats(stats))
