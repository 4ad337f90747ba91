"""The note that a render of a project was under way, so the next start can offer to resume.

A render writes ``.render-pending.json`` (atomically) into the project folder before its
first block, naming the blocks it was asked for, and removes it when it ends by finishing
or by the user's cancel. A render stopped because the app closed, or a process killed
(kill -9, a crash, power loss), leaves it; resuming renders those of its blocks that are
still missing or stale. The leading dot keeps it out of a duplicated project.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass

from studio import safe_json
from studio.fsutil import atomic_write_json
from studio.projects import stale
from studio.projects.errors import ProjectDamaged
from studio.projects.schema import LexiconEntry, Project, now
from studio.projects.store import ProjectStore

PENDING_FILE = ".render-pending.json"
MAX_PENDING_BYTES = 4 << 20


@dataclass(frozen=True)
class Pending:
    project_id: str
    name: str
    block_ids: list[str]
    started: str  # when the render began, ISO 8601


def mark(store: ProjectStore, project: Project, block_ids: list[str]) -> None:
    atomic_write_json(store.path(project) / PENDING_FILE,
                      dict(blocks=list(block_ids), started=now().isoformat()))


def clear(store: ProjectStore, project_id: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(store.path(project_id) / PENDING_FILE)


def pending(store: ProjectStore, project: Project) -> Pending | None:
    """The interrupted render of ``project``, if one left its note (a damaged note: None)."""
    file = store.path(project) / PENDING_FILE
    try:
        if file.stat().st_size > MAX_PENDING_BYTES:
            return None
        data = safe_json.loads(file.read_bytes())
        ids = [str(b) for b in data["blocks"]]
        started = str(data.get("started", ""))
    except (OSError, ValueError, TypeError, KeyError, UnicodeDecodeError):
        return None
    return Pending(project.id, project.name, ids, started)


def interrupted(store: ProjectStore) -> list[Pending]:
    """The renders that a close or a kill stopped (none running now), newest first; only
    the projects with a note are read."""
    found = []
    for entry in sorted(os.scandir(store.folder), key=lambda e: e.name):
        if entry.name.startswith(".") or not os.path.isfile(
                os.path.join(entry.path, PENDING_FILE)) or store.render_running(entry.name):
            continue
        try:
            note = pending(store, store.load(entry.name))
        except ProjectDamaged:
            continue
        if note is not None:
            found.append(note)
    return sorted(found, key=lambda p: p.started, reverse=True)


def still_to_do(project: Project, note: Pending, entries: list[LexiconEntry],
                library: object) -> list[str]:
    """The blocks of ``note`` that are still in the project and missing or stale."""
    wanted = set(note.block_ids)
    return [b.id for _c, b in project.blocks() if b.id in wanted
            and stale.state(project, b, entries, library) != stale.FRESH]
