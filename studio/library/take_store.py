"""Adding, choosing and removing a voice's takes (the layout and why: takes.py).

The :class:`~studio.library.VoiceLibrary` holds one :class:`TakeStore`: the library finds
the voice (by name or id), the store changes its takes.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np

from studio.engine.prompts import VoicePrompt
from studio.errors import InvalidInput, NotFound
from studio.fsutil import atomic_write_json
from studio.library import staging
from studio.library.clip_source import check_one_source, prompt_bytes, unsaved_clip, write_clip
from studio.library.errors import VoiceNotFound, storage_errors
from studio.library.folder import VoiceEntry
from studio.library.previews import PreviewArea, PreviewItem
from studio.library.schema import MAIN_TAKE, MAX_TEXT, META_FILE, TAKE_ID_RE
from studio.library.takes import (
    MAX_LABEL,
    MAX_TAKES,
    TAKE_META,
    TAKES_DIR,
    next_take_id,
    read_take,
    take_ids_on_disk,
    take_meta,
)


class TakeStore:
    """Several reference takes per voice: one speaks (the active one), all are kept.

    ``reread`` reads a voice back by id after a change (the library's own reading, with
    its message for a damaged voice)."""

    def __init__(self, previews: PreviewArea, clock: Callable[[], datetime],
                 reread: Callable[[str], VoiceEntry]) -> None:
        self.previews = previews
        self.clock = clock
        self.reread = reread

    @storage_errors("add the take")
    def add(self, entry: VoiceEntry, *, prompt: bytes | VoicePrompt,
            audio: np.ndarray | None = None, sample_rate: int | None = None,
            reference: Path | str | None = None, preview: PreviewItem | str | None = None,
            original: Path | str | None = None, transcript: str | None = None,
            label: str = "", activate: bool = False) -> VoiceEntry:
        """Keep another clip (with its transcript and prompt) as a new take of a voice.

        The clip comes exactly one way, as for a new voice, and the file the user imported
        is kept beside it the same way (``original``, or an unsaved clip's import);
        ``activate`` makes the new take the one that speaks."""
        if len(entry.takes()) >= MAX_TAKES:
            raise InvalidInput(f"{entry.name} already has {MAX_TAKES} takes, the most a voice "
                               "keeps. Remove one you no longer need first.")
        check_one_source(audio, reference, preview, "the take's clip")
        blob, parsed = prompt_bytes(prompt, "take")
        text = (parsed.ref_text or "") if transcript is None else transcript
        if not isinstance(text, str) or len(text) > MAX_TEXT:
            raise InvalidInput(f"The transcript must be text of at most {MAX_TEXT} characters.")
        if not isinstance(label, str) or len(label.strip()) > MAX_LABEL:
            raise InvalidInput(f"A take's label is at most {MAX_LABEL} characters.")
        item = unsaved_clip(self.previews, preview)
        takes_dir = entry.path / TAKES_DIR
        try:
            takes_dir.mkdir(exist_ok=True)  # never re-creates a voice deleted meanwhile
        except FileNotFoundError as exc:
            raise VoiceNotFound(f"The voice {entry.name!r} was deleted meanwhile.") from exc
        now = self.clock()
        with staging.staged(takes_dir) as stage:
            clip = write_clip(stage, self.previews, audio=audio, sample_rate=sample_rate,
                              reference=reference, item=item, original=original,
                              transcript=text, blob=blob, audio_name="the take's audio")

            def write_meta(take_id: str) -> None:
                atomic_write_json(stage / TAKE_META, take_meta(
                    take_id, " ".join(label.split()), now, clip.seconds, parsed,
                    clip.original_file, clip.original_name))

            take_id = staging.commit(stage, takes_dir, lambda: next_take_id(entry.path),
                                     write_meta)
        if item is not None:
            self.previews.remove(item.id)
        if activate:
            return self.set_active(self.reread(entry.id), take_id)
        return self.reread(entry.id)

    @storage_errors("change the active take")
    def set_active(self, entry: VoiceEntry, take_id: str) -> VoiceEntry:
        """Make ``take_id`` the take the voice speaks with (voice.json replaced atomically)."""
        _check_id(entry, take_id)
        if entry.voice.active_take == take_id:
            return entry
        read_take(entry.path, entry.voice, take_id, full=True)  # it must be able to speak
        voice = entry.voice.with_changes(active_take=take_id, updated=self.clock())
        if not entry.path.is_dir():
            raise VoiceNotFound(f"The voice {entry.name!r} was deleted meanwhile.")
        atomic_write_json(entry.path / META_FILE, voice.to_dict())
        return VoiceEntry(voice, entry.path)

    @storage_errors("remove the take")
    def remove(self, entry: VoiceEntry, take_id: str) -> VoiceEntry:
        """Delete a take that is neither the first clip nor the active one (one rename)."""
        _check_id(entry, take_id)
        number = take_id.split("-")[1]
        if take_id == MAIN_TAKE:
            raise InvalidInput("Take 1 is the clip the voice was made from and stays with it. "
                               "Make another take active if you prefer that one.")
        if entry.voice.active_take == take_id:
            raise InvalidInput(f"Take {number} is the active take. Make another take active "
                               "first, then remove this one.")
        folder = entry.path / TAKES_DIR
        staging.discard(folder / take_id)
        with contextlib.suppress(OSError):
            folder.rmdir()  # only if it is empty: the voice is back to the plain layout
        return self.reread(entry.id)


def _check_id(entry: VoiceEntry, take_id: Any) -> None:
    if not (isinstance(take_id, str) and TAKE_ID_RE.fullmatch(take_id)) or (
            take_id != MAIN_TAKE and take_id not in take_ids_on_disk(entry.path)):
        raise NotFound(f"The voice {entry.name!r} has no take {take_id!r}. Its takes are: "
                       f"{', '.join(t.id for t in entry.takes())}.")
