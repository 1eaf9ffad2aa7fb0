import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_python_package_is_listed_for_installation():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(config["tool"]["setuptools"]["packages"])
    found = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for top in ("reader", "db")
        for init in (ROOT / top).rglob("__init__.py")
    }
    assert found - listed == set()


def test_styles_are_shipped():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["reader"]
    assert any(p.endswith("*.tcss") for p in patterns)
    assert list((ROOT / "reader").rglob("*.tcss"))
