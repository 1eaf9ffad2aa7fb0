"""The user's keymap: `[keymap]` in config.toml maps binding ids to keys (Textual applies it)."""

from __future__ import annotations

from collections.abc import Sequence

from textual.binding import Binding
from textual.dom import DOMNode

from db import Label

from .labels import label_binding_id


def binding_ids(node_classes, labels: Sequence[Label] = ()) -> set[str]:
    """Every binding id the given classes declare, plus one per label key."""
    ids = {label_binding_id(label) for label in labels}
    for cls in node_classes:
        for binding in cls.__dict__.get("BINDINGS", ()):
            if isinstance(binding, Binding) and binding.id:
                ids.add(binding.id)
    return ids


def reader_node_classes() -> list[type[DOMNode]]:
    """The app's screens and widgets (imported here only when a keymap needs checking)."""
    import importlib
    import inspect
    import pkgutil

    found: list[type[DOMNode]] = []
    for package_name in ("reader.screens", "reader.widgets"):
        package = importlib.import_module(package_name)
        for info in pkgutil.iter_modules(package.__path__):
            module = importlib.import_module(f"{package_name}.{info.name}")
            for _, cls in inspect.getmembers(module, inspect.isclass):
                if issubclass(cls, DOMNode) and cls.__module__ == module.__name__:
                    found.append(cls)
    return found


def taken_keys(keymap: dict[str, str] | None = None) -> dict[str, str]:
    """Key name -> what it does, for every key bound where label keys work (the app, the article
    and review screens, the article view), with the user's keymap applied. Label keys must
    avoid these; a key the keymap moves a binding off is free again."""
    from textual.binding import BindingsMap

    from .app import ReaderApp
    from .screens.article import ArticleScreen
    from .screens.review import ReviewScreen
    from .widgets.article_view import ArticleView

    taken: dict[str, str] = {}
    for cls in (ReaderApp, ArticleView, ArticleScreen, ReviewScreen):
        # Each class's own and its bases' (the suggestions' keys come from a base class).
        declared = [b for base in reversed(cls.__mro__) for b in base.__dict__.get("BINDINGS", ())]
        bindings = BindingsMap(declared)
        if keymap:
            bindings.apply_keymap(dict(keymap))
        for key, found in bindings.key_to_bindings.items():
            for binding in found:
                taken.setdefault(key, binding.description or binding.action)
    return taken


def label_key_clash(labels: list[Label], keymap: dict[str, str] | None = None) -> str | None:
    """One line naming the first label key that another binding has taken, or None."""
    from .labels import default_label_file, key_name, load_labels

    digits = set("123456789")
    keyed = [(label, key_name(label.key)) for label in labels if label.key]
    for label, name in keyed:
        if name is not None and label.key in digits:
            return f"label {label.name!r}: key {label.key!r} is one of the digits 1-9 that tag labels in order"
    # The built-in labels' keys are free of the built-in bindings (a test holds them to it), so
    # without a keymap they need not import every screen to find out, which costs start-up time.
    if not keymap and {label.key for label, _ in keyed} <= {
            label.key for label in load_labels(default_label_file())}:
        return None
    taken = taken_keys(keymap)
    for label, name in keyed:
        if name is None:
            continue
        if name in taken:
            return (f"label {label.name!r}: key {label.key!r} is taken by {taken[name]!r}; choose "
                    "another key in the label file, or move that binding with [keymap]")
    return None


def unknown_ids(keymap: dict[str, str], known: set[str]) -> list[str]:
    return sorted(set(keymap) - known)
