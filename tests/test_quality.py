"""Project rules checked with the tests: ruff clean, and no Qt in the core packages."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORE = ("engine", "audio", "library", "cli", "testing", "hub")
QT = ("PySide6", "pyqtgraph", "shiboken6", "qtpy")


def test_ruff_is_clean():
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "studio", "tests", "bench"],
                            cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_core_packages_import_no_qt():
    offenders = []
    for package in CORE:
        for path in (ROOT / "studio" / package).rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                names = []
                if isinstance(node, ast.Import):
                    names = [a.name for a in node.names]
                elif isinstance(node, ast.ImportFrom) and node.module:
                    names = [node.module]
                if any(n.split(".")[0] in QT or n.startswith("studio.ui") for n in names):
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not offenders, f"core code imports Qt or the UI: {offenders}"
