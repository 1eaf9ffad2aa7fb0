"""Label sets: read from TOML, checked, turned into the store's `Label` records.

Digits 1–9 pick labels by their order in the file; a label may also have a letter key.
"""

from __future__ import annotations

import re
import tomllib
from importlib.resources import files
from pathlib import Path

from db import Label

from .config import ConfigError, config_dir

_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
UNITS = ("sentence", "paragraph", "word")
# Keys the article view already uses for motion and selection.
RESERVED_KEYS = set("hjklwbeGgvnNuqpsdrDAT*/?^$()[]{}>") | set("0123456789")


def default_label_file() -> Path:
    return Path(str(files("reader.assets") / "labels.toml"))


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
    for i, entry in enumerate(entries, 1):
        where = f"{path}: label {i}"
        if not isinstance(entry, dict):
            raise ConfigError(f"{where}: not a table")
        name = entry.get("name")
        if not isinstance(name, str) or not name.strip():
            raise ConfigError(f"{where}: needs a name")
        layer = entry.get("layer", "segment")
        if layer not in ("segment", "entity"):
            raise ConfigError(f"{where} ({name}): layer must be 'segment' or 'entity'")
        unit = entry.get("unit", "word" if layer == "entity" else "sentence")
        if unit not in UNITS:
            raise ConfigError(f"{where} ({name}): unit must be one of {', '.join(UNITS)}")
        colour = entry.get("colour", entry.get("color", "#888888"))
        if not isinstance(colour, str) or not _COLOUR.match(colour):
            raise ConfigError(f"{where} ({name}): colour must look like #rrggbb")
        key = entry.get("key")
        if key is not None:
            if not isinstance(key, str) or len(key) != 1:
                raise ConfigError(f"{where} ({name}): key must be a single character")
            if key in RESERVED_KEYS:
                raise ConfigError(f"{where} ({name}): key {key!r} is taken by a motion key")
            if key in keys:
                raise ConfigError(f"{where} ({name}): key {key!r} is already used by {keys[key]}")
            keys[key] = name
        description = entry.get("description", "")
        if not isinstance(description, str):
            raise ConfigError(f"{where} ({name}): description must be text")
        labels.append(Label(name.strip(), layer, key, colour, unit, description.strip()))
    names = [l.name for l in labels]
    if len(set(names)) != len(names):
        raise ConfigError(f"{path}: a label name appears twice")
    return labels


def digit_keys(labels: list[Label]) -> dict[str, Label]:
    """Digits 1–9 in label order, as annotators know them from other tools."""
    return {str(i): label for i, label in enumerate(labels[:9], 1)}
