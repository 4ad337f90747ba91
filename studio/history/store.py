"""The take history on disk (HistoryStore): ``<root>/history/<id>/take.flac`` + ``take.json`` per take.

Why this shape: a take is written into a hidden staging folder, fsynced and renamed into
place, so a crash or a full disk leaves either the whole take or nothing (leftovers are
swept when the history is next opened). A delete renames the folder out of the list before
removing it, so a half-deleted take never shows. The audio is FLAC (24 bit, lossless for
what the player plays, about half the size of WAV).

The history keeps itself within a retention (takes older than ``keep`` go) and a size
cap (the oldest go first), checked when it opens and after each take.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from studio import paths
from studio.errors import InvalidInput, NotFound, StudioError
from studio.fsutil import atomic_write_json, fsync_dir, fsync_tree
from studio.history.record import (
    AUDIO_FILE,
    MAX_NAME,
    MAX_TEXT,
    RECORD_FILE,
    HistoryTake,
    RecordError,
    check_seed,
    record_from_dict,
)

DEFAULT_KEEP_DAYS = 30
DEFAULT_MAX_MB = 500
STAGING, DELETING = ".tmp-", ".del-"
Clock = Callable[[], datetime]


class HistoryError(StudioError):
    """The history folder cannot be written (full disk, no permission...)."""

    code = "storage"


def _now() -> datetime:
    return datetime.now(UTC)


class HistoryStore:
    """Every take made, newest first. ``keep``: how long a take stays (None: for ever);
    ``max_bytes``: the most the history may use on disk (the oldest takes go first)."""

    def __init__(self, root: Path | None = None, *, keep: timedelta | None =
                 timedelta(days=DEFAULT_KEEP_DAYS), max_bytes: int | None =
                 DEFAULT_MAX_MB * 1_000_000, clock: Clock = _now) -> None:
        self.folder = Path(root or paths.root()) / "history"
        self.keep, self.max_bytes, self.clock = keep, max_bytes, clock
        self.problems: dict[str, str] = {}  # folder name -> why it was skipped
        self._sweep()

    # --- reading --------------------------------------------------------------------------

    def list(self) -> list[HistoryTake]:
        """Whole takes, newest first; unreadable ones are skipped (``problems`` says why)."""
        takes: list[HistoryTake] = []
        self.problems = {}
        try:
            folders = [p for p in self.folder.iterdir() if p.is_dir()
                       and not p.name.startswith((STAGING, DELETING))]
        except FileNotFoundError:
            return []
        except OSError as exc:
            raise HistoryError(f"The take history in {self.folder} cannot be read: "
                               f"{exc.strerror or exc}.") from exc
        for folder in folders:
            try:
                take = record_from_dict(json.loads((folder / RECORD_FILE).read_text(
                    encoding="utf-8")), folder)
                if not take.audio_path.is_file():
                    raise RecordError("its audio file is missing")
            except (OSError, ValueError) as exc:
                self.problems[folder.name] = str(exc)
                continue
            takes.append(take)
        return sorted(takes, key=lambda t: (t.created, t.id), reverse=True)

    def get(self, take_id: str) -> HistoryTake:
        """By id, or by the start of one when that is unique (``20250131-1200``)."""
        key = str(take_id).strip()
        takes = self.list()
        exact = [t for t in takes if t.id == key]
        found = exact or [t for t in takes if key and t.id.startswith(key)]
        if len(found) == 1:
            return found[0]
        if found:
            raise InvalidInput(f"{key!r} matches {len(found)} takes; give more of the id.")
        raise NotFound(f"There is no take {key!r} in the history. 'voice-studio history "
                       "list' shows the ids.")

    def size_bytes(self) -> int:
        total = 0
        for base, _dirs, files in os.walk(self.folder):
            for name in files:
                with contextlib.suppress(OSError):
                    total += (Path(base) / name).stat().st_size
        return total

    # --- writing --------------------------------------------------------------------------

    def add(self, audio: np.ndarray, sample_rate: int, *, text: str, voice_key: str,
            voice_name: str, seed: int, stop_reason: str = "complete",
            settings: Mapping[str, Any] | None = None) -> HistoryTake:
        """Keep a take (whole or not at all); then trim the history to its limits."""
        data = np.asarray(audio, dtype=np.float32).reshape(-1)
        if data.size == 0:
            raise InvalidInput("There is no audio in this take to keep.")
        try:
            seed = check_seed(seed)
        except RecordError as exc:
            raise InvalidInput(f"The take cannot be kept: {exc}.") from exc
        now = self.clock()
        take = HistoryTake(id=self._new_id(now), text=str(text)[:MAX_TEXT],
                           voice_key=str(voice_key)[:MAX_NAME],
                           voice_name=str(voice_name)[:MAX_NAME], seed=seed,
                           sample_rate=int(sample_rate),
                           duration_s=data.size / float(sample_rate), created=now,
                           stop_reason=str(stop_reason)[:40], settings=dict(settings or {}))
        json.dumps(take.settings)  # only plain data in a record (raises TypeError otherwise)
        stage = self.folder / f"{STAGING}{take.id}"
        try:
            import soundfile as sf

            stage.mkdir(parents=True)
            sf.write(str(stage / AUDIO_FILE), np.clip(data, -1.0, 1.0), int(sample_rate),
                     format="FLAC", subtype="PCM_24")
            atomic_write_json(stage / RECORD_FILE, take.to_dict())
            fsync_tree(stage)
            os.rename(stage, self.folder / take.id)
            fsync_dir(self.folder)
        except (OSError, RuntimeError) as exc:  # soundfile reports a full disk as either
            shutil.rmtree(stage, ignore_errors=True)
            raise HistoryError(f"The take could not be kept in the history ({self.folder}): "
                               f"{getattr(exc, 'strerror', None) or exc}. It is still "
                               "here until you quit; export it to keep it.") from exc
        self.prune()
        return HistoryTake(**{**take.__dict__, "folder": self.folder / take.id})

    def delete(self, take_id: str) -> HistoryTake:
        """Remove a take and its files."""
        take = self.get(take_id)
        assert take.folder is not None
        gone = take.folder.with_name(f"{DELETING}{take.id}")
        try:
            os.rename(take.folder, gone)
        except FileNotFoundError as exc:
            raise NotFound(f"The take {take.id} was deleted meanwhile.") from exc
        except OSError as exc:
            raise HistoryError(f"The take {take.id} could not be deleted: "
                               f"{exc.strerror or exc}.") from exc
        shutil.rmtree(gone, ignore_errors=True)
        return take

    def export(self, take_id: str, dest: Path | str, format: str | None = None) -> Path:
        """Write a take to ``dest`` (a file, or a folder for ``<id>.wav``) in any format
        studio.audio.files can write (from the extension, or ``format``)."""
        from studio.audio.files import save_audio

        take = self.get(take_id)
        dest = Path(dest)
        if dest.is_dir():
            dest = dest / f"{take.id}.{(format or 'wav').lower()}"
        try:
            audio = take.load_audio()
        except (OSError, RuntimeError) as exc:
            raise HistoryError(f"The audio of take {take.id} cannot be read: {exc}.") from exc
        return save_audio(dest, audio, take.sample_rate, format=format)

    def prune(self) -> list[HistoryTake]:
        """Delete takes past the retention, then the oldest beyond the size cap."""
        removed: list[HistoryTake | None] = []
        takes = self.list()
        if self.keep is not None:
            cutoff = self.clock() - self.keep
            for take in [t for t in takes if t.created < cutoff]:
                removed.append(self._remove(take))
                takes.remove(take)
        if self.max_bytes is not None:
            sizes = {t.id: _folder_bytes(t.folder) for t in takes}
            total = sum(sizes.values())
            for take in reversed(takes):  # the oldest first
                if total <= self.max_bytes:
                    break
                total -= sizes[take.id]
                removed.append(self._remove(take))
        return [t for t in removed if t is not None]

    # --- internals ------------------------------------------------------------------------

    def _remove(self, take: HistoryTake) -> HistoryTake | None:
        try:
            self.delete(take.id)
        except StudioError:
            return None
        return take

    def _new_id(self, now: datetime) -> str:
        while True:
            candidate = f"{now.astimezone(UTC):%Y%m%d-%H%M%S}-{secrets.token_hex(2)}"
            if not (self.folder / candidate).exists():
                return candidate

    def _sweep(self) -> None:
        """Leftovers of a take being written or deleted when the app stopped."""
        try:
            leftovers = [p for p in self.folder.iterdir()
                         if p.name.startswith((STAGING, DELETING))]
        except OSError:
            return
        for path in leftovers:
            shutil.rmtree(path, ignore_errors=True)


def _folder_bytes(folder: Path | None) -> int:
    if folder is None:
        return 0
    total = 0
    for path in folder.iterdir():
        with contextlib.suppress(OSError):
            total += path.stat().st_size
    return total
