"""Several reference takes per voice: the layout on disk, and reading it.

A voice keeps its first clip where it always was, at the top of its folder (take
``take-1``). Further takes each get a folder of their own::

    <voice>/voice.json                  "active_take": "take-2" (absent: take-1 speaks)
    <voice>/reference.wav, transcript.txt, prompt.safetensors    take-1
    <voice>/takes/take-2/reference.wav, transcript.txt, prompt.safetensors, take.json
                        [original.<ext>: the file the user imported, when there was one]
    <voice>/takes/take-3/...

Why this layout: every change is one atomic step. A take is built in a hidden work folder
inside ``takes/`` and renamed into place (that rename is the commit: takes are found by
listing ``takes/``, so no second file has to agree); making a take active replaces
voice.json atomically; removing one is a single rename away. A kill at any moment leaves
the voice whole, with or without the new take. Voices saved before takes existed are
unchanged and still read, and an older version of the app reads a voice with takes as its
first take, so no migration is needed (the format stays version 1).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np

from studio import __version__, safe_json
from studio.engine import prompts
from studio.engine.prompts import VoicePrompt
from studio.errors import StudioError
from studio.library import limits, refaudio
from studio.library.errors import SchemaError, VoiceDamaged
from studio.library.schema import (
    MAIN_TAKE,
    ORIGINAL_RE,
    PROMPT_FILE,
    REFERENCE_FILE,
    TAKE_ID_RE,
    TRANSCRIPT_FILE,
    Voice,
    check_seconds,
    format_time,
    parse_time,
)

TAKES_DIR = "takes"
TAKE_META = "take.json"
TAKE_FILES = (REFERENCE_FILE, TRANSCRIPT_FILE, PROMPT_FILE, TAKE_META)
MAX_TAKES = 8  # the first take included
MAX_LABEL = 80


@dataclass(frozen=True)
class Take:
    """One reference clip of a voice, with its transcript and clone prompt."""

    id: str  # "take-1" (the first clip), "take-2"...
    folder: Path  # where its files are: the voice folder for take-1
    label: str
    created: datetime
    reference_seconds: float
    x_vector_only: bool
    prompt_model: str
    active: bool = False
    problem: str | None = None  # why it cannot be used (a damaged take folder)
    original_file: str | None = None  # "original.mp3": the import as it came, when kept
    original_name: str | None = None  # its name on the user's disk

    @property
    def original_path(self) -> Path | None:
        return self.folder / self.original_file if self.original_file else None

    @property
    def number(self) -> int:
        return int(self.id.split("-")[1])

    @property
    def main(self) -> bool:
        return self.id == MAIN_TAKE

    @property
    def title(self) -> str:
        """"Take 2 · calm" for lists."""
        return f"Take {self.number}" + (f" · {self.label}" if self.label else "")

    @property
    def reference_path(self) -> Path:
        return self.folder / REFERENCE_FILE

    @property
    def transcript_path(self) -> Path:
        return self.folder / TRANSCRIPT_FILE

    @property
    def prompt_path(self) -> Path:
        return self.folder / PROMPT_FILE

    def transcript(self) -> str:
        return self.transcript_path.read_text(encoding="utf-8")

    def load_prompt(self) -> VoicePrompt:
        return prompts.load(self.prompt_path)

    def load_reference(self) -> tuple[np.ndarray, int]:
        import soundfile as sf

        data, sr = sf.read(str(self.reference_path), dtype="float32")
        return data, int(sr)


def take_dir(voice_folder: Path, take_id: str) -> Path:
    return voice_folder if take_id == MAIN_TAKE else voice_folder / TAKES_DIR / take_id


def main_take(voice: Voice, folder: Path) -> Take:
    return Take(MAIN_TAKE, folder, "", voice.created, voice.reference_seconds,
                voice.x_vector_only, voice.prompt_model, voice.active_take == MAIN_TAKE,
                original_file=voice.original_file, original_name=voice.original_name)


def take_meta(take_id: str, label: str, created: datetime, seconds: float,
              prompt: VoicePrompt, original_file: str | None = None,
              original_name: str | None = None) -> dict[str, Any]:
    """The content of a take's take.json."""
    meta = {"id": take_id, "label": label, "created": format_time(created),
            "reference_seconds": round(seconds, 3), "x_vector_only": prompt.x_vector_only,
            "prompt_model": prompt.model_name or "", "app_version": __version__}
    if original_file:
        meta.update(original_file=original_file, original_name=original_name or original_file)
    return meta


def take_from_meta(data: object, take_id: str, folder: Path, active: bool) -> Take:
    """Validate a take.json's content (raises SchemaError with the reason)."""
    if not isinstance(data, dict):
        raise SchemaError(f"{TAKE_META} does not hold an object")
    label = data.get("label") or ""
    if not isinstance(label, str) or len(label) > MAX_LABEL or "\x00" in label:
        raise SchemaError("the take's label must be short text")
    seconds = check_seconds(data.get("reference_seconds", 0.0))
    x_vector = data.get("x_vector_only", False)
    model = data.get("prompt_model") or ""
    if not isinstance(x_vector, bool) or not isinstance(model, str) or len(model) > 200:
        raise SchemaError("x_vector_only or prompt_model is malformed")
    original, shown = data.get("original_file"), data.get("original_name")
    if original is not None and not (isinstance(original, str) and ORIGINAL_RE.fullmatch(original)):
        raise SchemaError("original_file must be original.<ext>")
    if shown is not None and not (isinstance(shown, str) and 0 < len(shown) <= 255
                                  and "\x00" not in shown):
        raise SchemaError("original_name must be a file name")
    return Take(take_id, folder, " ".join(label.split()), parse_time(data.get("created"),
                "created"), seconds, x_vector, model, active,
                original_file=original, original_name=(shown or original) if original else None)


def read_take(voice_folder: Path, voice: Voice, take_id: str, full: bool = False) -> Take:
    """One take, checked; ``full`` also decodes its prompt (what speaking needs).

    Raises VoiceDamaged with the reason."""
    if take_id == MAIN_TAKE:
        return main_take(voice, voice_folder)
    folder = take_dir(voice_folder, take_id)
    if folder.is_symlink() or not folder.is_dir():
        raise VoiceDamaged(f"{take_id} is missing")
    for name in TAKE_FILES:
        if not _is_file(folder / name):
            raise VoiceDamaged(f"{take_id}/{name} is missing")
    try:
        meta_path = folder / TAKE_META
        if meta_path.stat().st_size > limits.TAKE_META_BYTES:
            raise VoiceDamaged(f"{take_id}/{TAKE_META} is implausibly large")
        take = take_from_meta(safe_json.loads(meta_path.read_bytes()), take_id,
                              folder, voice.active_take == take_id)
        if take.original_path is not None and not _is_file(take.original_path):
            raise VoiceDamaged(f"{take_id}/{take.original_file} is missing")
        if full:
            refaudio.check(folder / REFERENCE_FILE)
            if (folder / PROMPT_FILE).stat().st_size > limits.PROMPT_BYTES:
                raise VoiceDamaged(f"{take_id}/{PROMPT_FILE} is implausibly large")
            prompts.load(folder / PROMPT_FILE)
            if (folder / TRANSCRIPT_FILE).stat().st_size > limits.TRANSCRIPT_BYTES:
                raise VoiceDamaged(f"{take_id}/{TRANSCRIPT_FILE} is implausibly large")
            (folder / TRANSCRIPT_FILE).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError, ValueError, StudioError) as exc:
        if isinstance(exc, VoiceDamaged):
            raise
        raise VoiceDamaged(f"{take_id} cannot be used ({exc})") from exc
    return take


def _is_file(path: Path) -> bool:
    return not path.is_symlink() and path.is_file()


def take_ids_on_disk(voice_folder: Path) -> list[str]:
    """The take folders in ``takes/`` (hidden work folders excluded), by number."""
    try:
        names = [e.name for e in os.scandir(voice_folder / TAKES_DIR)
                 if e.is_dir(follow_symlinks=False) and TAKE_ID_RE.fullmatch(e.name)]
    except (FileNotFoundError, NotADirectoryError):
        return []
    return sorted(names, key=lambda n: int(n.split("-")[1]))


def list_takes(voice_folder: Path, voice: Voice) -> list[Take]:
    """Every take, the first one first; a damaged take is listed with its problem."""
    takes = [main_take(voice, voice_folder)]
    for take_id in take_ids_on_disk(voice_folder):
        try:
            takes.append(read_take(voice_folder, voice, take_id))
        except VoiceDamaged as exc:
            takes.append(Take(take_id, take_dir(voice_folder, take_id), "", voice.created, 0.0,
                              False, "", voice.active_take == take_id, str(exc)))
    return takes


def next_take_id(voice_folder: Path) -> str:
    """One more than the highest take number ever used in this folder."""
    numbers = [int(n.split("-")[1]) for n in take_ids_on_disk(voice_folder)]
    return f"take-{max([1, *numbers]) + 1}"
