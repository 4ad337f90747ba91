"""Recoverable deletion: a deleted voice folder is renamed into ``<root>/trash/``.

The trash folder's name carries everything a restore needs even if the voice itself is
damaged: ``<UTC time deleted>_<voice id>_<random>``. Purging renames an item to a hidden
work folder first, so a kill mid-purge never leaves a half-deleted item that looks whole.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from studio.errors import StudioError
from studio.library import staging
from studio.library.errors import VoiceNotFound
from studio.library.folder import read_meta

DEFAULT_KEEP = timedelta(days=30)
_STAMP = "%Y%m%dT%H%M%S%fZ"
_ITEM_RE = re.compile(r"(\d{8}T\d{12}Z)_([a-z0-9][a-z0-9-]{0,47})_([0-9a-f]{6})")


@dataclass(frozen=True)
class TrashItem:
    trash_id: str  # the folder name inside trash/
    voice_id: str  # the id it had in the library
    name: str | None  # its display name, when voice.json is readable
    deleted: datetime
    path: Path


class Trash:
    def __init__(self, folder: Path, clock: Callable[[], datetime]) -> None:
        self.folder = folder
        self.clock = clock
        folder.mkdir(parents=True, exist_ok=True)
        staging.sweep(folder, stray_files_in_children=True)

    def put(self, src: Path, voice_id: str) -> TrashItem:
        """Move a voice folder (whole or damaged) into the trash in one rename."""
        stamp = self.clock().astimezone(UTC).strftime(_STAMP)
        while True:
            dest = self.folder / f"{stamp}_{voice_id}_{secrets.token_hex(3)}"
            if staging.move_dir(src, dest):
                return self._item(dest)

    def items(self) -> list[TrashItem]:
        """Newest first; anything in trash/ that is not a trash item is left alone."""
        found = []
        for entry in os.scandir(self.folder):
            if _ITEM_RE.fullmatch(entry.name) and entry.is_dir(follow_symlinks=False):
                found.append(self._item(Path(entry.path)))
        return sorted(found, key=lambda i: (i.deleted, i.trash_id), reverse=True)

    def get(self, trash_id: str) -> TrashItem:
        if not isinstance(trash_id, str) or not _ITEM_RE.fullmatch(trash_id):
            raise VoiceNotFound(f"There is no deleted voice {trash_id!r} in the trash.")
        path = self.folder / trash_id
        if not path.is_dir() or path.is_symlink():
            raise VoiceNotFound(f"There is no deleted voice {trash_id!r} in the trash. "
                                "It may have been restored or purged already.")
        return self._item(path)

    def purge(self, trash_id: str) -> None:
        staging.discard(self.get(trash_id).path)

    def purge_older(self, older_than: timedelta = DEFAULT_KEEP,
                    now: datetime | None = None) -> list[TrashItem]:
        """Delete for good what was deleted more than ``older_than`` ago."""
        cutoff = (now or self.clock()) - older_than
        old = [item for item in self.items() if item.deleted < cutoff]
        for item in old:
            staging.discard(item.path)
        return old

    @staticmethod
    def _item(path: Path) -> TrashItem:
        match = _ITEM_RE.fullmatch(path.name)
        assert match
        deleted = datetime.strptime(match.group(1), _STAMP).replace(tzinfo=UTC)
        try:
            name: str | None = read_meta(path, match.group(2)).name
        except (StudioError, OSError):
            name = None
        return TrashItem(path.name, match.group(2), name, deleted, path)
