"""The user's keymap: `[keymap]` in config.toml maps binding ids to keys (Textual applies it)."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

from textual.binding import Binding
from textual.dom import DOMNode

from db import Label


def label_binding_id(label: Label) -> str:
    return f"label.{label.name}"


def binding_ids(node_classes, labels: list[Label] = ()) -> set[str]:
    """Every binding id the given classes declare, plus one per label key."""
    ids = {label_binding_id(label) for label in labels}
    for cls in node_classes:
        for binding in getattr(cls, "BINDINGS", ()):
            if isinstance(binding, Binding) and binding.id:
                ids.add(binding.id)
    return ids


def reader_node_classes() -> list[type[DOMNode]]:
    """The app's screens and widgets (imported here only when a keymap needs checking)."""
    found: list[type[DOMNode]] = []
    for package_name in ("reader.screens", "reader.widgets"):
        package = importlib.import_module(package_name)
        for info in pkgutil.iter_modules(package.__path__):
            module = importlib.import_module(f"{package_name}.{info.name}")
            for _, cls in inspect.getmembers(module, inspect.isclass):
                if issubclass(cls, DOMNode) and cls.__module__ == module.__name__:
                    found.append(cls)
    return found


def unknown_ids(keymap: dict[str, str], known: set[str]) -> list[str]:
    return sorted(set(keymap) - known)
