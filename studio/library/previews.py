"""Unsaved audio: generated previews and imported or recorded clips, kept for a while.

Each item is a folder ``<root>/previews/<id>/`` (``clip.wav``, ``item.json`` and, for an
import, ``original.<ext>``) written in a hidden work folder and renamed into place. Items
expire after a retention that depends on their kind, measured with an injectable clock;
the app calls :meth:`PreviewArea.cleanup` at start and on a timer. Saving a voice
*promotes* the clip: it moves into the new voice folder instead of being copied.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from studio import paths, safe_json
from studio.audio.writer import write_audio
from studio.errors import InvalidInput, NotFound
from studio.fsutil import fsync_dir
from studio.library import staging
from studio.library.errors import storage_errors
from studio.library.schema import format_time, parse_time

CLIP_FILE = "clip.wav"
ITEM_FILE = "item.json"
RETENTION: dict[str, timedelta] = {
    "preview": timedelta(minutes=20),  # a generation nobody saved
    "import": timedelta(hours=12),  # a clip the user imported
    "recording": timedelta(hours=12),  # a clip the user recorded
}
_ID_RE = re.compile(r"[0-9a-f]{16}")
_EXT_RE = re.compile(r"[a-z0-9]{1,8}")


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class PreviewItem:
    id: str
    path: Path  # the clip
    kind: str
    created: datetime
    expires: datetime
    sample_rate: int
    meta: dict[str, Any] = field(default_factory=dict)
    original: Path | None = None  # the imported file as it was, when kept
    original_name: str | None = None  # its name on the user's disk


class PreviewArea:
    """The temporary area for unsaved clips, with per-kind retention."""

    def __init__(self, root: Path | None = None, clock: Callable[[], datetime] = utc_now,
                 retention: Mapping[str, timedelta] | None = None) -> None:
        self.folder = (Path(root) if root else paths.root()) / "previews"
        self.clock = clock
        self.retention = {**RETENTION, **(retention or {})}
        self.folder.mkdir(parents=True, exist_ok=True)
        self.cleanup()

    @storage_errors("keep the clip")
    def add_audio(self, audio: np.ndarray, sr: int, kind: str = "preview",
                  meta: Mapping[str, Any] | None = None, *,
                  original: Path | str | None = None) -> PreviewItem:
        """Keep a clip (and optionally the file it was imported from) until it expires."""
        if kind not in self.retention:
            raise InvalidInput(f"Unknown preview kind {kind!r}; use one of "
                               f"{', '.join(sorted(self.retention))}.")
        data = np.asarray(audio, dtype=np.float32)
        if data.size == 0 or data.ndim not in (1, 2) or not np.isfinite(data).all():
            raise InvalidInput("The clip is empty or holds invalid samples.")
        if not isinstance(sr, int | np.integer) or sr <= 0:
            raise InvalidInput("The clip has no valid sample rate.")
        record: dict[str, Any] = dict(kind=kind, created=format_time(self.clock()),
                                      created_ts=self.clock().timestamp(),
                                      sample_rate=int(sr), meta=dict(meta or {}))
        with staging.staged(self.folder) as stage:
            write_audio(stage / CLIP_FILE, data, int(sr), format="WAV", subtype="FLOAT")
            if original is not None:
                src = Path(original)
                ext = src.suffix.lower().lstrip(".")
                ext = ext if _EXT_RE.fullmatch(ext) else "bin"
                shutil.copyfile(src, stage / f"original.{ext}")
                record.update(original=f"original.{ext}", original_name=src.name[:255])
            try:
                text = json.dumps(record, ensure_ascii=False, indent=2)
            except (TypeError, ValueError) as exc:
                raise InvalidInput(f"The preview's details cannot be saved ({exc}).") from exc
            (stage / ITEM_FILE).write_text(text, encoding="utf-8")
            item_id = staging.commit(stage, self.folder, lambda: secrets.token_hex(8))
        return self.get(item_id)

    def get(self, item_id: str) -> PreviewItem:
        if not isinstance(item_id, str) or not _ID_RE.fullmatch(item_id):
            raise NotFound(f"There is no unsaved clip {item_id!r}.")
        item = self._read(self.folder / item_id)
        if item is None:
            raise NotFound("That unsaved clip is gone (it expired or was discarded). "
                           "Generate or import it again.")
        return item

    def items(self) -> list[PreviewItem]:
        """Every live item, oldest first."""
        found = [self._read(self.folder / name) for name in self._names()]
        return sorted((i for i in found if i), key=lambda i: i.created)

    def remove(self, item_id: str) -> bool:
        if not isinstance(item_id, str) or not _ID_RE.fullmatch(item_id):
            return False
        path = self.folder / item_id
        existed = path.exists()
        staging.discard(path)
        return existed

    def cleanup(self, now: datetime | None = None) -> int:
        """Remove expired items, unreadable items and work folders of dead processes."""
        now = now or self.clock()
        removed = staging.sweep(self.folder)
        for name in self._names():
            item = self._read(self.folder / name)
            if item is None or item.expires <= now:
                staging.discard(self.folder / name)
                removed += 1
        return removed

    @storage_errors("move the clip into the voice")
    def promote(self, item_id: str, dest: Path, *, keep: bool = False) -> Path:
        """Move the clip to ``dest`` (a file in a voice's staging folder).

        With ``keep`` the clip is hard-linked (copied where links are unsupported) and the
        item stays until the caller removes it after committing, so a crash in between
        loses nothing; without it the clip is moved and the item forgotten at once.
        """
        item = self.get(item_id)
        link_or_copy(item.path, dest, move=not keep)
        if not keep:
            self.remove(item_id)
        return dest

    def _names(self) -> list[str]:
        return sorted(e.name for e in os.scandir(self.folder)
                      if not e.name.startswith(".") and e.is_dir(follow_symlinks=False))

    def _read(self, folder: Path) -> PreviewItem | None:
        """The item in ``folder``, or None if it is missing or unreadable."""
        try:
            record = safe_json.loads((folder / ITEM_FILE).read_bytes())
            kind = record["kind"]
            created = parse_time(record["created"], "created")
            if isinstance(record.get("created_ts"), int | float):
                created = datetime.fromtimestamp(record["created_ts"], UTC)
            original = record.get("original")
            if original is not None and not re.fullmatch(r"original\.[a-z0-9]{1,8}", original):
                return None
            item = PreviewItem(
                id=folder.name, path=folder / CLIP_FILE, kind=kind, created=created,
                expires=created + self.retention[kind], sample_rate=int(record["sample_rate"]),
                meta=dict(record.get("meta") or {}),
                original=folder / original if original else None,
                original_name=record.get("original_name"),
            )
        except (OSError, ValueError, KeyError, TypeError, OverflowError, InvalidInput):
            return None
        if not item.path.is_file() or (item.original and not item.original.is_file()):
            return None
        return item


def link_or_copy(src: Path, dest: Path, move: bool = False) -> None:
    """Put ``src`` at ``dest`` without duplicating data where the file system allows."""
    if move:
        os.replace(src, dest)
    else:
        try:
            os.link(src, dest)
        except OSError:
            shutil.copyfile(src, dest)
    fsync_dir(dest.parent)
