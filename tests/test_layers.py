"""The import contracts in pyproject.toml hold (storage below the app, pure modules without the
terminal, the UI only looking down), checked by import-linter on the installed packages; and the
code passes the lint and the type check configured in pyproject.toml."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_import_contracts_are_kept():
    script = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(script)], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert " 0 broken" in result.stdout


def test_lint_passes():
    script = Path(sys.executable).with_name("ruff")
    result = subprocess.run([str(script), "check", "reader", "db", "tests", "bench"], cwd=ROOT,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]


def test_types_check():
    script = Path(sys.executable).with_name("mypy")
    result = subprocess.run([str(script)], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "Success" in result.stdout
