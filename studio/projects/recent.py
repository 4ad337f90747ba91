"""The projects opened last, most recent first, for the Projects start screen.

Kept in ``recent_projects.json`` beside ``projects/`` (written atomically). Only ids are
stored; whoever shows the list drops the ids no longer in the store, so a project deleted
anywhere, even by hand, simply disappears from it. A damaged file counts as empty.
"""

from __future__ import annotations

from pathlib import Path

from studio import safe_json
from studio.fsutil import atomic_write_json
from studio.library.ids import is_valid_id

FILE = "recent_projects.json"
KEEP = 8


def load(root: Path) -> list[str]:
    try:
        data = safe_json.loads((root / FILE).read_bytes())
    except (OSError, ValueError):
        return []
    items = data.get("recent") if isinstance(data, dict) else None
    if not isinstance(items, list):
        return []
    return [i for i in items if isinstance(i, str) and is_valid_id(i)][:KEEP]


def _save(root: Path, ids: list[str]) -> None:
    atomic_write_json(root / FILE, {"recent": ids[:KEEP]})


def opened(root: Path, project_id: str) -> list[str]:
    """Put ``project_id`` first; returns the new list."""
    ids = [project_id] + [i for i in load(root) if i != project_id]
    _save(root, ids)
    return ids[:KEEP]


def forget(root: Path, project_id: str) -> list[str]:
    ids = load(root)
    if project_id in ids:
        ids.remove(project_id)
        _save(root, ids)
    return ids


def existing(root: Path, known: set[str]) -> list[str]:
    """The recent ids that are still projects (``known``: the ids the store lists)."""
    return [i for i in load(root) if i in known]
