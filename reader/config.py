"""Where things live and the user's settings.

Settings come from `config.toml` in the user's config directory (or `READER_CONFIG`); command-line
flags win over it. The default database lives in the user's data directory (or `READER_DB`).
"""

from __future__ import annotations

import getpass
import os
import tomllib
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

import platformdirs
import tomli_w

from .text.visible import visible

APP_DIR_NAME = "reader-annotate"
DEFAULT_READING_WIDTH = 88


class ConfigError(Exception):
    """A settings or label file that cannot be used; str() is one line."""


def config_dir() -> Path:
    return Path(platformdirs.user_config_dir(APP_DIR_NAME))


def config_path() -> Path:
    return Path(os.environ.get("READER_CONFIG") or config_dir() / "config.toml")


def default_db_path() -> Path:
    return Path(platformdirs.user_data_dir(APP_DIR_NAME)) / "reader.db"


def db_path(flag: str | None) -> tuple[Path, bool]:
    """The database to open and whether it is the built-in default (which gets the samples)."""
    if flag:
        return Path(flag).expanduser(), False
    if os.environ.get("READER_DB"):
        return Path(os.environ["READER_DB"]).expanduser(), False
    return default_db_path(), True


@dataclass
class Settings:
    annotator: str = ""
    labels: str = ""
    theme: str = "textual-dark"
    reading_width: int = DEFAULT_READING_WIDTH
    # Binding id -> keys, e.g. {"article.undo": "z,ctrl+z"}: remaps any binding (see the README).
    keymap: dict = field(default_factory=dict)
    # Team work: others' spans (the A toggle) stay hidden until you have marked the article done.
    blind: bool = False


def load_settings(path: Path | None = None) -> Settings:
    path = path or config_path()
    if not path.exists():
        return Settings()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError) as exc:
        raise ConfigError(f"{path}: {exc}") from None
    settings = Settings()
    for setting in fields(Settings):
        if setting.name not in data:
            continue
        value = data[setting.name]
        default = getattr(settings, setting.name)
        # bool is an int in Python: `reading_width = true` is still refused.
        if not isinstance(value, type(default)) or (
            isinstance(value, bool) and not isinstance(default, bool)
        ):
            raise ConfigError(f"{path}: {setting.name} should be a {setting.type}, not {value!r}")
        setattr(settings, setting.name, value)
    for binding_id, keys in settings.keymap.items():
        if not isinstance(keys, str) or not keys.strip() or any(
            not k.strip() or not k.strip().isprintable() for k in keys.split(",")
        ):
            raise ConfigError(
                f"{path}: keymap {visible(binding_id, keep_newlines=False)} should be keys such as "
                f"\"z\" or \"ctrl+z,u\", not {visible(repr(keys), keep_newlines=False)}"
            )
    if not 20 <= settings.reading_width <= 400:
        raise ConfigError(f"{path}: reading_width should be between 20 and 400")
    return settings


def save_setting(name: str, value, path: Path | None = None) -> None:
    """Change one setting in the file, keeping the others (and any keys we don't know)."""
    path = path or config_path()
    data = {}
    if path.exists():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError):
            data = asdict(load_settings(Path(os.devnull)))
    data[name] = value
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(tomli_w.dumps(data), encoding="utf-8")
    os.replace(tmp, path)


def resolve_annotator(flag: str | None, settings: Settings) -> str:
    """--annotator, else the config file, else the login name."""
    if flag:
        return flag
    if settings.annotator:
        return settings.annotator
    try:
        return getpass.getuser()
    except Exception:  # no login name (some containers): still record something stable
        return "annotator"
