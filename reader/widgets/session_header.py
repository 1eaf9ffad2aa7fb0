"""One line of totals for the working session: articles done, spans made, time, pace."""

from __future__ import annotations

from datetime import datetime, timezone

from rich.text import Text
from textual.widgets import Static

from .plain_text import visible
from ..text.plural import counted


def parse_time(stamp: str) -> datetime:
    """Parse a stored ISO timestamp; one without a zone is taken as UTC."""
    moment = datetime.fromisoformat(stamp)
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def format_duration(seconds: float) -> str:
    """`1h 05m`, `42m` or `<1m`."""
    minutes = int(seconds // 60)
    if minutes < 1:
        return "<1m"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h {minutes:02d}m" if hours else f"{minutes}m"


def session_figures(totals: dict, now: datetime) -> dict:
    """The figures the header shows, from `Store.session_totals()` and the current time.

    Spans per hour is left out (None) for the first minute, when it would be noise.
    """
    elapsed = max(0.0, (now - parse_time(totals["started_at"])).total_seconds())
    added = totals.get("spans_added", 0)
    rate = added / (elapsed / 3600) if elapsed >= 60 else None
    return {
        "done": totals.get("articles_done", 0),
        "touched": totals.get("articles_touched", 0),
        "spans": added,
        "removed": totals.get("spans_removed", 0),
        "elapsed": elapsed,
        "rate": rate,
    }


def session_line(totals: dict, now: datetime) -> Text:
    """The header line, built as plain text (the annotator's name is not markup)."""
    f = session_figures(totals, now)
    line = Text()
    name = visible(totals.get("annotator") or "")
    if name:
        line.append(name, style="bold")
        line.append("  ")
    line.append(f"{f['done']} done", style="bold")
    line.append(f" · {f['touched']} touched · ")
    line.append(counted(f["spans"], "span"), style="bold")
    if f["removed"]:
        line.append(f" ({f['removed']} removed)")
    line.append(f" · {format_duration(f['elapsed'])}")
    rate = "—" if f["rate"] is None else f"{f['rate']:.0f}"
    line.append(f" · {rate} spans/h")
    return line


class SessionHeader(Static):
    """The session's totals; the screen calls `show()` with fresh totals."""

    DEFAULT_CSS = """
    SessionHeader {
        height: 1;
        padding: 0 1;
        background: $panel;
        color: $foreground;
    }
    """

    def show(self, totals: dict, now: datetime) -> None:
        """Draw `totals` (from `Store.session_totals`) as of `now`."""
        self.update(session_line(totals, now))
