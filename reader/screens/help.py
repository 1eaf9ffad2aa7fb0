"""The help screen: every key of the screen it was opened from, and the label guidelines."""

from __future__ import annotations

from dataclasses import replace

from rich.color import Color as RichColor
from rich.color import ColorParseError
from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.dom import DOMNode
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from db import Label

from ..labels import key_label
from ..widgets.plain_text import visible

# (group title, [(keys, what they do)])
BindingGroups = list[tuple[str, list[tuple[str, str]]]]


def _describe(binding: Binding) -> str:
    if binding.description:
        return binding.description
    if binding.tooltip:
        return binding.tooltip
    return binding.action.split("(")[0].replace("_", " ").strip().capitalize()


def _group_title(node: DOMNode) -> str:
    title = getattr(node, "HELP_GROUP", None)
    if title:
        return title
    if node is node.app:
        return "Everywhere"
    return type(node).__name__


def node_bindings(node: DOMNode) -> list[tuple[str, str]]:
    """The bindings of one widget, screen or app as (keys, description), keys of one action joined.

    Reads the node's merged bindings (its class and base classes) with the app's keymap applied,
    so remapped keys show as remapped. Textual's own system bindings are left out.
    """
    app = node.app
    bindings = node._bindings.copy()
    if app._keymap:
        bindings.apply_keymap(app._keymap)
    by_action: dict[tuple[str, str], list[str]] = {}
    for _key, binding in bindings:
        if binding.system:
            continue
        keys = by_action.setdefault((binding.action, _describe(binding)), [])
        # The key itself, even where a binding shows another label in the footer.
        shown = app.get_key_display(replace(binding, key_display=None))
        if shown not in keys:
            keys.append(shown)
    return [(" ".join(keys), description) for (_action, description), keys in by_action.items()]


def binding_groups(screen: Screen) -> BindingGroups:
    """Every binding a reader can use on `screen`, grouped by where it is bound.

    The groups are the screen, the focused widget and its containers, each other widget of the
    screen that names a `HELP_GROUP` (its keys work once it has focus), and last the app.
    """
    nodes: list[DOMNode] = [screen]
    focused = screen.focused
    if focused is not None:
        # The focused widget first: its keys are the ones that work right now.
        nodes += [
            node
            for node in focused.ancestors_with_self
            if node is not screen and node is not screen.app and node._bindings.key_to_bindings
        ]
    for widget in screen.query("*"):
        if getattr(widget, "HELP_GROUP", None) and widget not in nodes:
            nodes.append(widget)
    nodes.append(screen.app)
    groups: BindingGroups = []
    for node in nodes:
        rows = node_bindings(node)
        if rows:
            groups.append((_group_title(node), rows))
    return groups


def _swatch(colour: str) -> Text:
    try:
        return Text("  ", style=Style(bgcolor=RichColor.parse(colour)))
    except ColorParseError:
        return Text("??")


def keys_table(rows: list[tuple[str, str]]) -> Table:
    """Keys and what they do, as a two-column table of plain text."""
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", no_wrap=True)
    table.add_column()
    for keys, description in rows:
        table.add_row(Text(keys), Text(description))
    return table


def labels_table(labels: list[Label]) -> Table:
    """The label set: colour, key, name, layer and the guideline for each label."""
    table = Table.grid(padding=(0, 1))
    table.add_column(no_wrap=True)
    table.add_column(style="bold", no_wrap=True)
    table.add_column(no_wrap=True)
    table.add_column(style="dim", no_wrap=True)
    table.add_column()
    for label in labels:
        table.add_row(
            _swatch(label.colour),
            Text(key_label(label.key)),
            Text(visible(label.name)),
            Text(label.layer),
            Text(visible(label.description)),
        )
    return table


class HelpScreen(ModalScreen[None]):
    """Keys of the screen below, then the label guidelines. Escape, q, ? or F1 close it."""

    CSS_PATH = "help.tcss"

    BINDINGS = [
        Binding("escape,q,question_mark,f1", "close", "Close help", show=True, id="help.close"),
        Binding("down,j", "scroll('down')", "Scroll down", show=False, id="help.down"),
        Binding("up,k", "scroll('up')", "Scroll up", show=False, id="help.up"),
    ]

    def __init__(
        self, groups: BindingGroups | Screen, labels: list[Label], *, title: str = "Help"
    ) -> None:
        """`groups` are the keys to list, or the screen to list them from."""
        super().__init__()
        self.groups = binding_groups(groups) if isinstance(groups, Screen) else groups
        self.labels = labels
        self.help_title = title

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-body"):
            yield Static(Text(self.help_title, style="bold"), classes="help-title")
            for title, rows in self.groups:
                yield Static(Text(title), classes="help-heading")
                yield Static(keys_table(rows), classes="help-keys")
            yield Static(Text("Labels"), classes="help-heading")
            if self.labels:
                yield Static(labels_table(self.labels), classes="help-labels")
            else:
                yield Static(Text("No labels are set up."), classes="help-labels")
            yield Static(Text("escape, q, ? or F1 closes this screen"), classes="help-hint")

    def action_close(self) -> None:
        self.dismiss(None)

    def action_scroll(self, direction: str) -> None:
        body = self.query_one("#help-body", VerticalScroll)
        if direction == "down":
            body.scroll_down(animate=False)
        else:
            body.scroll_up(animate=False)
