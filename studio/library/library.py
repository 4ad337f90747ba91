"""The user's voice library: every operation on ``<root>/voices/`` goes through here.

Every write is atomic. A new or duplicated or imported voice is built in a hidden work
folder, fsynced, and renamed into place; a metadata edit replaces voice.json atomically; a
delete is one rename into the trash. A kill at any moment therefore leaves either the old
voice or the new one, and the leftovers are swept when the library is next opened.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from studio import paths
from studio.engine.prompts import VoicePrompt
from studio.errors import InvalidInput, StudioError
from studio.fsutil import atomic_write_json, disk_full, is_disk_full
from studio.library import archive, staging
from studio.library.clip_source import check_one_source, prompt_bytes, unsaved_clip, write_clip
from studio.library.errors import (
    AmbiguousVoice,
    BadArchive,
    InvalidName,
    StorageError,
    UnsupportedLanguage,
    VoiceDamaged,
    VoiceNotFound,
    storage_errors,
)
from studio.library.folder import (
    VoiceEntry,
    VoiceListing,
    check_whole,
    inspect,
    read_meta,
    scan,
)
from studio.library.ids import MAX_NAME, clean_name, is_valid_id, name_key, slugify, unique_id
from studio.library.previews import PreviewArea, PreviewItem, utc_now
from studio.library.schema import (
    KINDS,
    MAX_DESCRIPTION,
    MAX_TEXT,
    META_FILE,
    PROMPT_FILE,
    REFERENCE_FILE,
    TRANSCRIPT_FILE,
    Provenance,
    Recipe,
    Voice,
    check_tags,
    known_language,
    provenance_from_dict,
    recipe_from_dict,
)
from studio.library.take_store import TakeStore
from studio.library.takes import TAKES_DIR, take_ids_on_disk
from studio.library.trash import DEFAULT_KEEP, Trash, TrashItem

Clock = Callable[[], datetime]


class VoiceLibrary:
    """Saved voices under ``<root>/voices/``, their trash, and the unsaved-clip area.

    A voice may keep several reference takes (``add_take``, ``set_active_take``,
    ``remove_take``): the library finds the voice, its :class:`TakeStore` ``takes`` does
    the rest (see takes.py)."""

    def __init__(self, root: Path | None = None, clock: Clock = utc_now,
                 preview_retention: dict[str, timedelta] | None = None) -> None:
        self.root = Path(root) if root else paths.root()
        self.clock = clock
        self.voices_dir = self.root / "voices"
        try:
            self.voices_dir.mkdir(parents=True, exist_ok=True)
            staging.sweep(self.voices_dir, stray_files_in_children=True)
            self.trash = Trash(self.root / "trash", clock)
            self.previews = PreviewArea(self.root, clock, preview_retention)
            self.takes = TakeStore(self.previews, clock, self._inspect)
        except OSError as exc:  # a file in the way, a read-only, full or missing drive
            if is_disk_full(exc):
                raise disk_full(self.root, "set up the Voice Studio data folder") from exc
            raise StorageError(
                f"The Voice Studio data folder {self.root} cannot be used: "
                f"{exc.strerror or exc}{f' ({exc.filename})' if exc.filename else ''}. "
                f"Make {self.root} a folder you can write to, or set {paths.HOME_ENV} to one."
            ) from exc

    # -- reading ------------------------------------------------------------------------

    @storage_errors("read the voice library")
    def list(self) -> VoiceListing:
        """Whole voices sorted by name, and damaged folders with the reason."""
        return scan(self.voices_dir)

    def get(self, name_or_id: str) -> VoiceEntry:
        """By id, else by name (case-insensitive); what ``--voice NAME_OR_ID`` resolves."""
        key = name_or_id.strip() if isinstance(name_or_id, str) else ""
        if is_valid_id(key) and (self.voices_dir / key).is_dir():
            return self._inspect(key)
        wanted = name_key(key)
        listing = self.list()
        matches = [v for v in listing.voices if name_key(v.name) == wanted]
        if len(matches) > 1:
            raise AmbiguousVoice(f"More than one voice is called {key!r} (ids: "
                                 f"{', '.join(m.id for m in matches)}). Use the id instead.")
        if matches:
            return matches[0]
        raise VoiceNotFound(f"There is no voice called {key!r}. List the voices to see "
                            "the names and ids you can use.")

    # -- creating -----------------------------------------------------------------------

    @storage_errors("save the voice")
    def create(self, name: str, *, prompt: bytes | VoicePrompt, kind: str = "cloned",
               audio: np.ndarray | None = None, sample_rate: int | None = None,
               reference: Path | str | None = None, preview: PreviewItem | str | None = None,
               original: Path | str | None = None, transcript: str | None = None,
               language: str = "Auto", description: str = "",
               recipe: Recipe | dict[str, Any] | None = None, model: str | None = None,
               tags: Sequence[str] = (),
               provenance: Provenance | dict[str, Any] | None = None) -> VoiceEntry:
        """Save a new voice from exactly one clip source: ``audio`` + ``sample_rate``, a
        ``reference`` file, or a ``preview`` item (whose clip is promoted, not copied).
        ``provenance`` says where it came from and whether the right to use it was
        confirmed (kept in voice.json, and so in exports)."""
        name = self.check_name_is_free(name)
        if kind not in KINDS:
            raise InvalidInput(f"A voice is either {' or '.join(KINDS)}, not {kind!r}.")
        if kind == "designed" and recipe is None:
            raise InvalidInput("A designed voice needs its design recipe (description, seed, "
                               "model and sample text).")
        if kind == "cloned" and recipe is not None:
            raise InvalidInput("Only designed voices have a design recipe.")
        check_one_source(audio, reference, preview, "the reference clip")
        blob, parsed = prompt_bytes(prompt, "voice")
        text = (parsed.ref_text or "") if transcript is None else transcript
        _check_text(text, "transcript", MAX_TEXT)
        _check_text(description, "description", MAX_DESCRIPTION)
        details = dict(language=_language(language), description=description.strip(),
                       recipe=_recipe(recipe), tags=_tags(tags),
                       provenance=_provenance(provenance),
                       prompt_model=(model or parsed.model_name or "").strip(),
                       x_vector_only=parsed.x_vector_only)
        item = unsaved_clip(self.previews, preview)
        now = self.clock()
        with staging.staged(self.voices_dir) as stage:
            clip = write_clip(stage, self.previews, audio=audio, sample_rate=sample_rate,
                              reference=reference, item=item, original=original,
                              transcript=text, blob=blob, audio_name="the reference audio")
            voice = Voice(id=slugify(name), name=name, kind=kind, created=now, updated=now,
                          reference_seconds=clip.seconds, original_file=clip.original_file,
                          original_name=clip.original_name, **details).with_changes()
            voice_id = self._commit(stage, voice)
        if item is not None:
            self.previews.remove(item.id)
        return self._inspect(voice_id)

    @storage_errors("duplicate the voice")
    def duplicate(self, name_or_id: str, new_name: str | None = None) -> VoiceEntry:
        """A separate copy of a voice, under a new name and id."""
        src = self.get(name_or_id)
        name = (self.check_name_is_free(new_name) if new_name is not None
                else self._free_name(f"{src.name[: MAX_NAME - 7].rstrip()} (copy)"))
        now = self.clock()
        with staging.staged(self.voices_dir) as stage:
            for file in (REFERENCE_FILE, TRANSCRIPT_FILE, PROMPT_FILE, src.voice.original_file):
                if file:
                    shutil.copyfile(src.path / file, stage / file)
            for take_id in take_ids_on_disk(src.path):
                shutil.copytree(src.path / TAKES_DIR / take_id, stage / TAKES_DIR / take_id)
            voice = replace(src.voice, id=slugify(name), name=name, created=now, updated=now)
            voice_id = self._commit(stage, voice)
        return self._inspect(voice_id)

    # -- editing ------------------------------------------------------------------------

    def rename(self, name_or_id: str, new_name: str) -> VoiceEntry:
        """Change the display name; the id (and so the folder) stays the same."""
        return self.update(name_or_id, name=new_name)

    def describe(self, name_or_id: str, description: str) -> VoiceEntry:
        return self.update(name_or_id, description=description)

    @storage_errors("save the voice's details")
    def update(self, name_or_id: str, *, name: str | None = None,
               description: str | None = None, language: str | None = None,
               tags: Sequence[str] | None = None) -> VoiceEntry:
        """Edit metadata; voice.json is replaced atomically and ``updated`` set."""
        entry = self.get(name_or_id)
        changes: dict[str, Any] = {"updated": self.clock()}
        if name is not None:
            changes["name"] = self.check_name_is_free(name, allow_id=entry.id)
        if description is not None:
            _check_text(description, "description", MAX_DESCRIPTION)
            changes["description"] = description.strip()
        if language is not None:
            changes["language"] = _language(language)
        if tags is not None:
            changes["tags"] = list(_tags(tags))
        voice = entry.voice.with_changes(**changes)
        if not entry.path.is_dir():  # deleted by another process meanwhile
            raise VoiceNotFound(f"The voice {entry.name!r} was deleted meanwhile.")
        atomic_write_json(entry.path / META_FILE, voice.to_dict())
        return VoiceEntry(voice, entry.path)

    # -- deleting -----------------------------------------------------------------------

    @storage_errors("move the voice to the trash")
    def delete(self, name_or_id: str) -> TrashItem:
        """Move a voice (whole or damaged) to the trash; :meth:`restore` brings it back."""
        key = name_or_id.strip() if isinstance(name_or_id, str) else ""
        if is_valid_id(key) and (self.voices_dir / key).is_dir():
            folder = self.voices_dir / key
        else:
            folder = self.get(key).path
        try:
            return self.trash.put(folder, folder.name)
        except FileNotFoundError as exc:
            raise VoiceNotFound(f"The voice {key!r} was deleted meanwhile.") from exc

    def list_trash(self) -> list[TrashItem]:
        return self.trash.items()

    @storage_errors("restore the voice")
    def restore(self, trash_id: str) -> VoiceEntry:
        """Bring a deleted voice back, under a fresh id and name if those were reused."""
        item = self.trash.get(trash_id)
        try:
            voice: Voice | None = read_meta(item.path, item.voice_id)
        except VoiceDamaged:
            voice = None
        name = self._free_name(voice.name) if voice else None

        def prepare(voice_id: str) -> None:
            if voice is not None and (voice.id != voice_id or voice.name != name):
                atomic_write_json(item.path / META_FILE,
                                  replace(voice, id=voice_id, name=name).to_dict())

        voice_id = self._commit(item.path, None, base=item.voice_id, prepare=prepare)
        return self._inspect(voice_id)

    @storage_errors("empty the trash")
    def purge(self, trash_id: str) -> None:
        """Delete one trash item for good."""
        self.trash.purge(trash_id)

    @storage_errors("empty the trash")
    def purge_trash(self, older_than: timedelta = DEFAULT_KEEP,
                    now: datetime | None = None) -> list[TrashItem]:
        """Delete for good what was deleted more than ``older_than`` ago (default 30 days)."""
        return self.trash.purge_older(older_than, now)

    # -- moving between libraries -------------------------------------------------------

    @storage_errors("export the voice")
    def export_voice(self, name_or_id: str, dest: Path | str) -> Path:
        """Write one portable ``.voice.zip`` file; ``dest`` is a file or a folder."""
        return archive.export_voice(self.get(name_or_id), Path(dest), self.clock())

    @storage_errors("import the voice")
    def import_voice(self, path: Path | str, *, name: str | None = None,
                     limits: archive.ImportLimits = archive.ImportLimits()) -> VoiceEntry:
        """Validate an exported voice completely, then add it (fresh id/name if taken).

        The staged voice is read once more exactly as the library will read it, every take
        included, before it is committed; a voice that would open damaged is never added."""
        path = Path(path)
        with staging.staged(self.voices_dir) as stage:
            voice = archive.extract_into(path, stage, limits)
            try:
                check_whole(stage, voice.id)
            except VoiceDamaged as exc:
                raise BadArchive(f"{path.name} cannot be imported: {exc}.") from exc
            wanted = self.check_name_is_free(name) if name is not None else voice.name
            voice = replace(voice, name=self._free_name(wanted))
            voice_id = self._commit(stage, voice, base=voice.id)
        return self._inspect(voice_id)

    # -- takes --------------------------------------------------------------------------

    @storage_errors("add the take")
    def add_take(self, name_or_id: str, **clip: Any) -> VoiceEntry:
        """Keep another clip as a new take of a voice: the arguments of
        :meth:`TakeStore.add` (the clip exactly one way, ``label``, ``activate``...)."""
        return self.takes.add(self.get(name_or_id), **clip)

    @storage_errors("change the active take")
    def set_active_take(self, name_or_id: str, take_id: str) -> VoiceEntry:
        """Make ``take_id`` the take the voice speaks with."""
        return self.takes.set_active(self.get(name_or_id), take_id)

    @storage_errors("remove the take")
    def remove_take(self, name_or_id: str, take_id: str) -> VoiceEntry:
        """Delete a take that is neither the first clip nor the active one."""
        return self.takes.remove(self.get(name_or_id), take_id)

    # -- internals ----------------------------------------------------------------------

    def _inspect(self, voice_id: str) -> VoiceEntry:
        try:
            return inspect(self.voices_dir / voice_id)
        except VoiceDamaged as exc:
            raise VoiceDamaged(f"The voice {voice_id!r} cannot be used: {exc}. Delete it, or "
                               "restore it from an exported copy.") from exc

    def _commit(self, stage: Path, voice: Voice | None, base: str | None = None,
                prepare: Callable[[str], None] | None = None) -> str:
        def choose() -> str:
            return unique_id(base or voice.id, lambda i: (self.voices_dir / i).exists())

        def write_meta(voice_id: str) -> None:
            data = replace(voice, id=voice_id).to_dict()
            (stage / META_FILE).write_text(json.dumps(data, indent=2, ensure_ascii=False,
                                                      sort_keys=True) + "\n", encoding="utf-8")

        return staging.commit(stage, self.voices_dir, choose,
                              prepare or (write_meta if voice else lambda _id: None))

    def _names_in_use(self, except_id: str | None = None) -> set[str]:
        return {name_key(v.name) for v in self.list().voices if v.id != except_id}

    def check_name_is_free(self, name: object, allow_id: str | None = None) -> str:
        """The cleaned name, or InvalidName when another voice (not ``allow_id``) has it."""
        cleaned = clean_name(name)
        if name_key(cleaned) in self._names_in_use(allow_id):
            raise InvalidName(f"A voice called {cleaned!r} already exists. Choose another "
                              "name, or rename that voice first.")
        return cleaned

    def _free_name(self, name: str) -> str:
        """``name``, or ``name (2)``, ``name (3)``... whichever is not in use."""
        used = self._names_in_use()
        base = " ".join(name.split())
        candidate = clean_name(base[:MAX_NAME])
        n = 2
        while name_key(candidate) in used:
            suffix = f" ({n})"
            candidate = clean_name(base[: MAX_NAME - len(suffix)].rstrip() + suffix)
            n += 1
        return candidate



def _check_text(value: object, what: str, limit: int) -> None:
    if not isinstance(value, str):
        raise InvalidInput(f"The {what} must be text.")
    if len(value) > limit:
        raise InvalidInput(f"The {what} is {len(value)} characters long; keep it to {limit} "
                           "or fewer.")


def _language(value: object) -> str:
    try:
        return known_language(value)
    except UnsupportedLanguage:
        raise
    except StudioError as exc:
        raise InvalidInput(f"The {exc}.") from exc


def _tags(value: Sequence[str]) -> tuple[str, ...]:
    try:
        return check_tags(list(value))
    except (StudioError, TypeError) as exc:
        raise InvalidInput(f"The tags cannot be used: {exc}.") from exc


def _provenance(value: Provenance | dict[str, Any] | None) -> Provenance | None:
    if value is None:
        return None
    try:
        return provenance_from_dict(value)
    except StudioError as exc:
        raise InvalidInput(f"The voice's provenance cannot be used: {exc}.") from exc


def _recipe(value: Recipe | dict[str, Any] | None) -> Recipe | None:
    if value is None:
        return None
    try:
        return recipe_from_dict(value)
    except StudioError as exc:
        raise InvalidInput(f"The design recipe cannot be used: {exc}.") from exc
