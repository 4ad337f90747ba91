"""One voice folder: what a listing returns, and the checks that tell whole from damaged.

A folder is trusted only after :func:`inspect` has read its voice.json through the schema
and found every file it needs; anything else becomes a :class:`DamagedEntry` with the
reason, so one bad folder never hides the others.
"""

from __future__ import annotations

import os
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from studio import safe_json
from studio.engine import prompts
from studio.engine.prompts import VoicePrompt
from studio.errors import StudioError
from studio.library import limits, refaudio
from studio.library import takes as tk
from studio.library.errors import VoiceDamaged
from studio.library.ids import is_valid_id
from studio.library.schema import (
    META_FILE,
    PROMPT_FILE,
    REFERENCE_FILE,
    TRANSCRIPT_FILE,
    Voice,
    voice_from_dict,
)


@dataclass(frozen=True)
class VoiceEntry:
    """A whole, usable voice: its metadata and where its files are.

    The reference, transcript and prompt are those of the active take (takes.py), so
    everything that speaks with a voice uses the take the user chose."""

    voice: Voice
    path: Path

    @property
    def id(self) -> str:
        return self.voice.id

    @property
    def name(self) -> str:
        return self.voice.name

    @property
    def take_path(self) -> Path:
        """The folder of the active take's files."""
        return tk.take_dir(self.path, self.voice.active_take)

    @property
    def reference_path(self) -> Path:
        return self.take_path / REFERENCE_FILE

    @property
    def prompt_path(self) -> Path:
        return self.take_path / PROMPT_FILE

    @property
    def transcript_path(self) -> Path:
        return self.take_path / TRANSCRIPT_FILE

    def takes(self) -> list[tk.Take]:
        """Every take of the voice, the first one first (damaged ones with their problem)."""
        return tk.list_takes(self.path, self.voice)

    def take(self, take_id: str) -> tk.Take:
        """One take, checked; raises VoiceDamaged if it is missing or damaged."""
        return tk.read_take(self.path, self.voice, take_id)

    @property
    def original_path(self) -> Path | None:
        return self.path / self.voice.original_file if self.voice.original_file else None

    def transcript(self) -> str:
        return self.transcript_path.read_text(encoding="utf-8")

    def prompt_bytes(self) -> bytes:
        return self.prompt_path.read_bytes()

    def load_prompt(self) -> VoicePrompt:
        return prompts.load(self.prompt_path)

    def load_reference(self) -> tuple[np.ndarray, int]:
        """The reference clip as float32 mono samples and its rate."""
        import soundfile as sf

        data, sr = sf.read(str(self.reference_path), dtype="float32")
        return data, int(sr)


@dataclass(frozen=True)
class DamagedEntry:
    """A folder in voices/ that cannot be used, and why."""

    id: str  # the folder name
    path: Path
    reason: str


@dataclass(frozen=True)
class VoiceListing:
    voices: list[VoiceEntry] = field(default_factory=list)  # sorted by name
    damaged: list[DamagedEntry] = field(default_factory=list)  # sorted by folder name

    def __iter__(self):
        return iter(self.voices)

    def __len__(self) -> int:
        return len(self.voices)


def read_meta(folder: Path, voice_id: str | None = None) -> Voice:
    """voice.json of ``folder`` through the schema; the folder name (or ``voice_id``) is the
    id, so a folder copied or restored under another name stays consistent."""
    path = folder / META_FILE
    try:
        size = path.stat().st_size
        if size > limits.META_BYTES:
            raise VoiceDamaged(f"{META_FILE} is implausibly large ({size} bytes)")
        data = safe_json.loads(path.read_bytes())
    except FileNotFoundError as exc:
        raise VoiceDamaged(f"{META_FILE} is missing") from exc
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise VoiceDamaged(f"{META_FILE} cannot be read ({_reason(exc)})") from exc
    if isinstance(data, dict):
        data["id"] = voice_id or folder.name
    try:
        return voice_from_dict(data)
    except StudioError as exc:
        raise VoiceDamaged(f"{META_FILE} is invalid: {exc}") from exc


def inspect(folder: Path, voice_id: str | None = None) -> VoiceEntry:
    """Check a voice folder from top to bottom; raises VoiceDamaged with the reason.

    ``voice_id`` names a folder that is not in voices/ yet (an import being staged)."""
    if folder.is_symlink() or not folder.is_dir():
        raise VoiceDamaged("it is not a folder")
    if voice_id is None and not is_valid_id(folder.name):
        raise VoiceDamaged(f"the folder name {folder.name!r} is not a valid voice id")
    voice = read_meta(folder, voice_id)
    entry = VoiceEntry(voice, folder)
    for name in (REFERENCE_FILE, PROMPT_FILE, TRANSCRIPT_FILE, voice.original_file):
        if name and not _is_file(folder / name):
            raise VoiceDamaged(f"{name} is missing")
    try:
        refaudio.check(folder / REFERENCE_FILE)
    except StudioError as exc:
        raise VoiceDamaged(f"the reference clip is unusable: {exc}") from exc
    try:
        if (folder / PROMPT_FILE).stat().st_size > limits.PROMPT_BYTES:
            raise VoiceDamaged(f"{PROMPT_FILE} is implausibly large")
        prompts.load(folder / PROMPT_FILE)
    except StudioError as exc:
        raise VoiceDamaged(str(exc)) from exc
    except OSError as exc:
        raise VoiceDamaged(f"{PROMPT_FILE} cannot be read ({_reason(exc)})") from exc
    try:
        if (folder / TRANSCRIPT_FILE).stat().st_size > limits.TRANSCRIPT_BYTES:
            raise VoiceDamaged(f"{TRANSCRIPT_FILE} is implausibly large")
        (folder / TRANSCRIPT_FILE).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise VoiceDamaged(f"{TRANSCRIPT_FILE} cannot be read ({_reason(exc)})") from exc
    if voice.active_take != tk.MAIN_TAKE:  # the take that speaks must be whole too
        try:
            tk.read_take(folder, voice, voice.active_take, full=True)
        except VoiceDamaged as exc:
            raise VoiceDamaged(f"its active take is unusable: {exc}") from exc
    return entry


def check_whole(folder: Path, voice_id: str) -> VoiceEntry:
    """Everything the library will ever read of a staged voice, every take included: an
    import passes this before it is committed, so it never lands as a damaged voice."""
    entry = inspect(folder, voice_id)
    for take_id in tk.take_ids_on_disk(folder):
        tk.read_take(folder, entry.voice, take_id, full=True)
    return entry


def scan(voices_dir: Path) -> VoiceListing:
    """Every folder in voices/ (hidden work folders excluded), whole or damaged."""
    voices: list[VoiceEntry] = []
    damaged: list[DamagedEntry] = []
    try:
        names = sorted(e.name for e in os.scandir(voices_dir) if not e.name.startswith("."))
    except FileNotFoundError:
        names = []
    for name in names:
        path = voices_dir / name
        try:
            voices.append(inspect(path))
        except (VoiceDamaged, OSError, ValueError) as exc:
            if path.exists():  # not just deleted by another process mid-scan
                reason = str(exc) if isinstance(exc, VoiceDamaged) else _reason(exc)
                damaged.append(DamagedEntry(name, path, reason))
    voices.sort(key=lambda e: (sort_key(e.voice.name), e.voice.name, e.id))
    return VoiceListing(voices, damaged)


def sort_key(name: str) -> str:
    """Alphabetical the way people expect: accents and case do not move a name."""
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _is_file(path: Path) -> bool:
    return path.is_file() and not path.is_symlink()


def _reason(exc: BaseException) -> str:
    text = getattr(exc, "strerror", None) or str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
