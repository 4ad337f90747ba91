"""Project rules checked with the tests: ruff clean, and the import contracts kept (the
layer order and "Qt only in studio.ui", written in pyproject.toml's [tool.importlinter])."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_ruff_is_clean():
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "studio", "tests", "bench"],
                            cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_import_contracts_are_kept():
    """``lint-imports`` from this Python's environment, on this checkout (it puts the
    working directory first on sys.path), without writing a cache into the tree."""
    lint = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert lint, "lint-imports is missing: pip install -e '.[dev]' (it is a dev dependency)"
    result = subprocess.run([lint, "--no-cache", "--no-logo"], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout
