"""Label sets: read from TOML, checked, turned into the store's `Label` records.

Digits 1–9 pick labels by their order in the file; a label may also have a letter key.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from pathlib import Path

from db import Label

from .config import ConfigError, config_dir
from .text.visible import is_plain, one_line

_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
UNITS = ("sentence", "paragraph", "word")
# Keys the article view already uses for motion and selection.
# Which keys a label may not have depends on the bindings in force (and the user's keymap):
# reader.keymap.label_key_clash checks them when the app starts.
# A name is shown in a one-line legend, the span list and exports' label fields.
MAX_NAME = 40
MAX_DESCRIPTION = 2000
# Textual's names for a few characters (the rest are the Unicode name in lower case with
# underscores, as Textual builds them), so a label's key binds to what the terminal sends.
_KEY_NAME_REPLACEMENTS = {
    "solidus": "slash", "reverse_solidus": "backslash", "commercial_at": "at",
    "hyphen_minus": "minus", "plus_sign": "plus", "low_line": "underscore",
}


def key_label(char: str | None) -> str:
    """How a label's key is written for people: the character, or "space"."""
    return "space" if char == " " else one_line(char or "")


def key_name(char: str) -> str | None:
    """The Textual key name a key press of the one character `char` arrives as (None when a
    key press cannot give it: a control, a combining mark, an unnamed code point)."""
    if len(char) != 1 or not (char.isprintable() or char == " "):
        return None
    if unicodedata.category(char)[0] in "MC" or unicodedata.category(char) in ("Zl", "Zp"):
        return None
    if char.isalnum():
        return char
    try:
        name = unicodedata.name(char).lower().replace("-", "_").replace(" ", "_")
    except ValueError:
        return None
    return _KEY_NAME_REPLACEMENTS.get(name, name)


# The files shipped with the package (a plain folder in every install); found by path rather
# than through importlib.resources, whose import costs start-up a few milliseconds.
ASSETS = Path(__file__).resolve().parent / "assets"


def default_label_file() -> Path:
    return ASSETS / "labels.toml"


def user_label_file() -> Path:
    return config_dir() / "labels.toml"


def label_file(flag: str | None, setting: str = "") -> Path:
    """--labels, else the settings' label file, else labels.toml in the config dir, else the default."""
    if flag:
        return Path(flag).expanduser()
    if setting:
        return Path(setting).expanduser()
    if user_label_file().exists():
        return user_label_file()
    return default_label_file()


def load_labels(path: Path) -> list[Label]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: label file not found") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError) as exc:
        raise ConfigError(f"{path}: {exc}") from None
    entries = data.get("label")
    if not isinstance(entries, list) or not entries:
        raise ConfigError(f"{path}: no [[label]] entries")
    labels: list[Label] = []
    keys: dict[str, str] = {}
    names: dict[str, int] = {}
    for i, entry in enumerate(entries, 1):
        where = f"{path}: label {i}"
        if not isinstance(entry, dict):
            raise ConfigError(f"{where}: not a table")
        name = entry.get("name")
        if not isinstance(name, str) or not name.strip():
            raise ConfigError(f"{where}: needs a name")
        name = name.strip()
        if not is_plain(name) or not name.replace(" ", "").isprintable():
            raise ConfigError(f"{where} ({one_line(name)!r}): a name must be printable text on "
                              "one line (no control, bidi or format characters)")
        if len(name) > MAX_NAME:
            raise ConfigError(f"{where} ({one_line(name[:MAX_NAME])}…): a name is at most "
                              f"{MAX_NAME} characters")
        layer = entry.get("layer", "segment")
        if layer not in ("segment", "entity"):
            raise ConfigError(f"{where} ({name}): layer must be 'segment' or 'entity'")
        unit = entry.get("unit", "word" if layer == "entity" else "sentence")
        if unit not in UNITS:
            raise ConfigError(f"{where} ({name}): unit must be one of {', '.join(UNITS)}")
        colour = entry.get("colour", entry.get("color", "#888888"))
        if not isinstance(colour, str) or not _COLOUR.fullmatch(colour):
            raise ConfigError(f"{where} ({name}): colour must look like #rrggbb")
        key = entry.get("key")
        if key is not None:
            if not isinstance(key, str) or len(key) != 1:
                raise ConfigError(f"{where} ({name}): key must be a single character")
            if key_name(key) is None:
                raise ConfigError(f"{where} ({name}): key {one_line(key)!r} cannot be typed as "
                                  "one key press; choose a letter, digit or punctuation mark")
            if key in keys:
                raise ConfigError(f"{where} ({name}): key {key!r} is already used by {keys[key]}")
            keys[key] = name
        description = entry.get("description", "")
        if not isinstance(description, str):
            raise ConfigError(f"{where} ({name}): description must be text")
        if len(description) > MAX_DESCRIPTION:
            raise ConfigError(f"{where} ({name}): description is longer than "
                              f"{MAX_DESCRIPTION} characters")
        if name in names:
            raise ConfigError(f"{where}: the name {name!r} appears twice (also label {names[name]})")
        names[name] = i
        labels.append(Label(name, layer, key, colour, unit, description.strip()))
    return labels


def label_binding_id(label: Label) -> str:
    """The id of a label key's binding, for the keymap."""
    return f"label.{label.name}"


def digit_keys(labels: list[Label]) -> dict[str, Label]:
    """Digits 1–9 in label order, as annotators know them from other tools."""
    return {str(i): label for i, label in enumerate(labels[:9], 1)}
