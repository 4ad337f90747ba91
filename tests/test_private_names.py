"""No module reaches into another's private names (``from studio.x import _y`` or
``x._y``): a helper another module needs is public and named for what it does."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def private_uses(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    modules: set[str] = set()
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("studio"):
            for alias in node.names:
                if _private(alias.name):
                    found.append(f"{path}:{node.lineno} imports {node.module}.{alias.name}")
                else:
                    modules.add(alias.asname or alias.name)
        elif isinstance(node, ast.Import):
            modules.update((a.asname or a.name).split(".")[0] for a in node.names
                           if a.name.startswith("studio"))
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                and node.value.id in modules and _private(node.attr)):
            found.append(f"{path}:{node.lineno} uses {node.value.id}.{node.attr}")
    return found


def test_no_private_names_cross_modules():
    files = [p for d in ("studio", "tests", "bench") for p in (ROOT / d).rglob("*.py")]
    offenders = [hit for p in files for hit in private_uses(p)]
    assert not offenders, "\n".join(offenders)


def test_the_check_sees_a_private_import(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("from studio.audio import clip\nfrom studio.fsutil import _tmp\nclip._x\n")
    assert len(private_uses(bad)) == 2
