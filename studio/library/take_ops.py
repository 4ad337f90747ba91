"""Adding, choosing and removing a voice's takes (the layout and why: takes.py).

A mixin of :class:`~studio.library.VoiceLibrary`, kept apart so the library module stays
small; it uses the library's ``get``, ``clock``, previews and ``_inspect``.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

import numpy as np

from studio.engine import prompts
from studio.engine.prompts import VoicePrompt
from studio.errors import InvalidInput, NotFound
from studio.fsutil import atomic_write_json
from studio.library import refaudio, staging
from studio.library.errors import VoiceNotFound, storage_errors
from studio.library.folder import VoiceEntry
from studio.library.previews import PreviewItem
from studio.library.schema import (
    MAIN_TAKE,
    MAX_TEXT,
    META_FILE,
    PROMPT_FILE,
    REFERENCE_FILE,
    TAKE_ID_RE,
    TRANSCRIPT_FILE,
)
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


class TakeOps:
    """Several reference takes per voice: one speaks (the active one), all are kept."""

    @storage_errors("add the take")
    def add_take(self, name_or_id: str, *, prompt: bytes | VoicePrompt,
                 audio: np.ndarray | None = None, sample_rate: int | None = None,
                 reference: Path | str | None = None, preview: PreviewItem | str | None = None,
                 original: Path | str | None = None, transcript: str | None = None,
                 label: str = "", activate: bool = False) -> VoiceEntry:
        """Keep another clip (with its transcript and prompt) as a new take of a voice.

        The clip comes exactly one way, as for ``create``, and the file the user imported is
        kept beside it the same way (``original``, or an unsaved clip's import); ``activate``
        makes the new take the one that speaks."""
        entry: VoiceEntry = self.get(name_or_id)  # type: ignore[attr-defined]
        if len(entry.takes()) >= MAX_TAKES:
            raise InvalidInput(f"{entry.name} already has {MAX_TAKES} takes, the most a voice "
                               "keeps. Remove one you no longer need first.")
        if sum(x is not None for x in (audio, reference, preview)) != 1:
            raise InvalidInput("Give the take's clip exactly one way: audio samples, a file, "
                               "or an unsaved clip.")
        blob, parsed = _prompt(prompt)
        text = (parsed.ref_text or "") if transcript is None else transcript
        if not isinstance(text, str) or len(text) > MAX_TEXT:
            raise InvalidInput(f"The transcript must be text of at most {MAX_TEXT} characters.")
        if not isinstance(label, str) or len(label.strip()) > MAX_LABEL:
            raise InvalidInput(f"A take's label is at most {MAX_LABEL} characters.")
        item = self._preview(preview) if preview is not None else None  # type: ignore[attr-defined]
        takes_dir = entry.path / TAKES_DIR
        try:
            takes_dir.mkdir(exist_ok=True)  # never re-creates a voice deleted meanwhile
        except FileNotFoundError as exc:
            raise VoiceNotFound(f"The voice {entry.name!r} was deleted meanwhile.") from exc
        now = self.clock()  # type: ignore[attr-defined]
        with staging.staged(takes_dir) as stage:
            if audio is not None:
                if sample_rate is None:
                    raise InvalidInput("Give the sample rate of the take's audio.")
                seconds = refaudio.write(stage / REFERENCE_FILE, audio, sample_rate)
            elif item is not None:
                seconds = self._take_preview_clip(item, stage / REFERENCE_FILE)  # type: ignore[attr-defined]
            else:
                seconds = refaudio.store_file(Path(reference), stage / REFERENCE_FILE)
            original_file, original_name = refaudio.keep_original(
                stage, original, item.original if item else None,
                item.original_name if item else None)
            (stage / TRANSCRIPT_FILE).write_text(text, encoding="utf-8")
            (stage / PROMPT_FILE).write_bytes(blob)

            def write_meta(take_id: str) -> None:
                atomic_write_json(stage / TAKE_META, take_meta(
                    take_id, " ".join(label.split()), now, seconds, parsed, original_file,
                    original_name))

            take_id = staging.commit(stage, takes_dir, lambda: next_take_id(entry.path),
                                     write_meta)
        if item is not None:
            self.previews.remove(item.id)  # type: ignore[attr-defined]
        if activate:
            return self.set_active_take(entry.id, take_id)
        return self._inspect(entry.id)  # type: ignore[attr-defined]

    @storage_errors("change the active take")
    def set_active_take(self, name_or_id: str, take_id: str) -> VoiceEntry:
        """Make ``take_id`` the take the voice speaks with (voice.json replaced atomically)."""
        entry: VoiceEntry = self.get(name_or_id)  # type: ignore[attr-defined]
        _check_id(entry, take_id)
        if entry.voice.active_take == take_id:
            return entry
        read_take(entry.path, entry.voice, take_id, full=True)  # it must be able to speak
        voice = entry.voice.with_changes(active_take=take_id,
                                         updated=self.clock())  # type: ignore[attr-defined]
        if not entry.path.is_dir():
            raise VoiceNotFound(f"The voice {entry.name!r} was deleted meanwhile.")
        atomic_write_json(entry.path / META_FILE, voice.to_dict())
        return VoiceEntry(voice, entry.path)

    @storage_errors("remove the take")
    def remove_take(self, name_or_id: str, take_id: str) -> VoiceEntry:
        """Delete a take that is neither the first clip nor the active one (one rename)."""
        entry: VoiceEntry = self.get(name_or_id)  # type: ignore[attr-defined]
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
        return self._inspect(entry.id)  # type: ignore[attr-defined]


def _check_id(entry: VoiceEntry, take_id: Any) -> None:
    if not (isinstance(take_id, str) and TAKE_ID_RE.fullmatch(take_id)) or (
            take_id != MAIN_TAKE and take_id not in take_ids_on_disk(entry.path)):
        raise NotFound(f"The voice {entry.name!r} has no take {take_id!r}. Its takes are: "
                       f"{', '.join(t.id for t in entry.takes())}.")


def _prompt(prompt: bytes | VoicePrompt) -> tuple[bytes, VoicePrompt]:
    if isinstance(prompt, VoicePrompt):
        blob = prompts.to_bytes(prompt)
    elif isinstance(prompt, bytes | bytearray | memoryview):
        blob = bytes(prompt)
    else:
        raise InvalidInput("A take needs its voice prompt (made by the cloning model).")
    return blob, prompts.from_bytes(blob)
