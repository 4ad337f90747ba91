"""Design voices that stay the same: a drawn voice, kept.

A design voice is a description (a built-in one such as "Old Sea Captain", or one typed on
the Design page); the VoiceDesign model draws a new speaker from it every time it speaks.
A take fixes the speaker it drew as a clone prompt (studio.engine.design_voice), and this
module keeps that :class:`DrawnVoice`, one mechanism for both places it can go:

- a built-in design voice's, in the library's cache folder
  (``<root>/cache/design-voices/<preset id>.safetensors`` with the designed sample beside
  it as ``.wav``), apart from the user's voices: every later take, in the window, the
  command line, the API server or a project, clones it, so the captain is the same
  tomorrow. "New voice" (:meth:`DesignVoiceStore.forget`) lets the next take draw another.
  A kept voice whose description has changed since (an update reworded the preset) is
  drawn again. Whoever must not follow a later "New voice" (a project's cast member) pins
  a copy of the kept voice named by its content (:meth:`DesignVoiceStore.pin`);
- the user's own voices, when they keep one (:func:`save_designed`: the Design page's Keep,
  ``design --save-as``).
"""

from __future__ import annotations

import hashlib
import io
import logging
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from studio import paths
from studio.audio.samplerate import SAMPLE_RATE
from studio.engine import prompts
from studio.engine.drawn_voice import DrawnVoice
from studio.engine.options import Sampling
from studio.engine.prompts import VoicePrompt
from studio.errors import StudioError
from studio.fsutil import atomic_write_bytes
from studio.library.ids import is_valid_id
from studio.library.schema import Recipe

if TYPE_CHECKING:
    from studio.library.folder import VoiceEntry
    from studio.library.library import VoiceLibrary

log = logging.getLogger(__name__)

FOLDER = ("cache", "design-voices")
META_KEY = "design_voice"  # the prompt's ``extra`` entry that says how the voice was drawn
SAMPLING_FIELDS = ("temperature", "top_k", "top_p", "repetition_penalty")


class DesignVoiceStore:
    """The kept voices of built-in design voices, by preset id."""

    def __init__(self, root: Path | None = None) -> None:
        self.folder = (Path(root) if root else paths.root()).joinpath(*FOLDER)

    def _paths(self, preset_id: str) -> tuple[Path, Path]:
        if not is_valid_id(preset_id):
            raise ValueError(f"not a preset id: {preset_id!r}")
        return self.folder / f"{preset_id}.safetensors", self.folder / f"{preset_id}.wav"

    def kept(self, preset_id: str, description: str) -> DrawnVoice | None:
        """The voice kept for ``preset_id``, or None: never drawn, forgotten, drawn from
        another description, or unreadable (then the next take draws a new one)."""
        found = self._read(preset_id, description)
        return found[0] if found is not None else None

    def pin(self, preset_id: str, description: str, folder: Path) -> PinnedVoice | None:
        """A copy of the voice kept for ``preset_id`` in ``folder``, named by its content
        (``<digest>.safetensors``, the sample as ``<digest>.wav``): it stays that voice
        after "New voice", and pinning the same voice again gives the same files. None when
        no voice is kept."""
        found = self._read(preset_id, description)
        if found is None:
            return None
        voice, data = found
        digest = hashlib.sha256(data).hexdigest()[:16]
        prompt_path, sample_path = folder / f"{digest}.safetensors", folder / f"{digest}.wav"
        folder.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(sample_path, _wav_bytes(voice.sample, voice.sample_rate))
        atomic_write_bytes(prompt_path, data)
        return PinnedVoice(digest, prompt_path, sample_path, voice)

    def _read(self, preset_id: str, description: str) -> tuple[DrawnVoice, bytes] | None:
        """The kept voice and its prompt file's bytes (read once, so a copy is the voice)."""
        prompt_path, sample_path = self._paths(preset_id)
        if not prompt_path.is_file():
            return None
        try:
            data = prompt_path.read_bytes()
            prompt = prompts.from_bytes(data, f"kept voice {prompt_path.name}")
            meta = prompt.extra.get(META_KEY)
            if not isinstance(meta, dict) or meta.get("description") != description.strip():
                return None
            sample, rate = _read_sample(sample_path)
            return DrawnVoice(prompt, sample, rate, str(meta["description"]),
                              str(meta.get("language") or "auto"), int(meta["seed"]),
                              str(meta.get("design_model") or ""), _sampling(meta)), data
        except (OSError, StudioError, KeyError, TypeError, ValueError) as exc:
            log.warning("the kept voice of %s cannot be used, a new one will be drawn: %s",
                        preset_id, exc)
            return None

    def keep(self, preset_id: str, voice: DrawnVoice) -> None:
        """Keep ``voice`` for ``preset_id`` in place of any voice kept before."""
        prompt_path, sample_path = self._paths(preset_id)
        self.folder.mkdir(parents=True, exist_ok=True)
        meta = dict(description=voice.description.strip(), language=voice.language,
                    seed=int(voice.seed), design_model=voice.design_model,
                    sampling=_sampling_dict(voice.sampling), preset=preset_id,
                    drawn=datetime.now(UTC).isoformat(timespec="seconds"))
        prompt = replace(voice.prompt, extra={**voice.prompt.extra, META_KEY: meta})
        atomic_write_bytes(sample_path, _wav_bytes(voice.sample, voice.sample_rate))
        atomic_write_bytes(prompt_path, prompts.to_bytes(prompt))  # last: it says "kept"

    def forget(self, preset_id: str) -> bool:
        """"New voice": drop the kept voice, so the next take draws another. True if one
        was kept."""
        existed = False
        for path in self._paths(preset_id):
            try:
                path.unlink()
                existed = existed or path.suffix == ".safetensors"
            except FileNotFoundError:
                pass
        return existed

    def keeper(self, preset_id: str, description: str) -> PresetKeeper:
        """What a request for this design voice carries (a studio.engine VoiceKeeper)."""
        return PresetKeeper(self, preset_id, description)


@dataclass(frozen=True)
class PinnedVoice:
    """A kept voice copied where its holder keeps it (DesignVoiceStore.pin)."""

    digest: str  # of the prompt file: the same voice pins to the same name
    prompt: Path
    sample: Path
    voice: DrawnVoice


@dataclass(frozen=True)
class PresetKeeper:
    """One built-in design voice's kept voice, as the engine asks for it."""

    store: DesignVoiceStore
    preset_id: str
    description: str

    def kept(self) -> DrawnVoice | None:
        return self.store.kept(self.preset_id, self.description)

    def keep(self, voice: DrawnVoice) -> None:
        if voice.description.strip() == self.description.strip():
            self.store.keep(self.preset_id, voice)


def store_of(library: VoiceLibrary | None) -> DesignVoiceStore:
    """The kept design voices beside ``library`` (the per-user root without one)."""
    return DesignVoiceStore(library.root if library is not None else None)


def kept_design_prompt(preset_id: str, library_root: Path | None = None) -> VoicePrompt | None:
    """The clone prompt a built-in design voice (by preset id, e.g. ``old-sea-captain``)
    speaks with once a take has drawn it; None before that, or after "New voice". Speak it
    with the Base model it names (``.model_name``). For callers that speak with prompts
    directly; a request made by ``VoiceRef.request`` already uses it, and draws and keeps
    the voice when there is none yet."""
    from studio.library.presets import design_preset

    preset = design_preset(preset_id)
    if preset is None:
        return None
    voice = DesignVoiceStore(library_root).kept(preset.id, preset.description)
    return voice.prompt if voice is not None else None


def recipe_of(voice: DrawnVoice, language: str) -> Recipe:
    """How a drawn voice was made, as a saved voice records it. ``language`` is the name
    the library keeps ("English", "Auto")."""
    return Recipe(instruct=voice.description, sample_text=voice.text, language=language,
                  seed=int(voice.seed), model=voice.design_model,
                  params=_sampling_dict(voice.sampling))


def save_designed(library: VoiceLibrary, name: str, voice: DrawnVoice,
                  language: str) -> VoiceEntry:
    """Keep a drawn voice among the user's voices: its sample is the reference clip, its
    prompt the voice, its recipe how to draw it again."""
    return library.create(name, prompt=voice.prompt, kind="designed", audio=voice.sample,
                          sample_rate=voice.sample_rate, transcript=voice.text,
                          language=language, description=voice.description,
                          recipe=recipe_of(voice, language),
                          model=voice.prompt.model_name or None)


def _sampling_dict(sampling: Sampling) -> dict[str, Any]:
    return {k: getattr(sampling, k) for k in SAMPLING_FIELDS if getattr(sampling, k) is not None}


def _sampling(meta: dict[str, Any]) -> Sampling:
    saved = meta.get("sampling") if isinstance(meta.get("sampling"), dict) else {}
    return Sampling(**{k: saved[k] for k in SAMPLING_FIELDS if k in saved},
                    seed=int(meta["seed"]))


def _wav_bytes(audio: np.ndarray, rate: int) -> bytes:
    import soundfile as sf

    out = io.BytesIO()
    sf.write(out, np.asarray(audio, np.float32), int(rate), format="WAV", subtype="FLOAT")
    return out.getvalue()


def _read_sample(path: Path) -> tuple[np.ndarray, int]:
    """The designed sample; an empty one if it is missing (the prompt still speaks, it
    just cannot be remade for another Base model)."""
    import soundfile as sf

    try:
        data, rate = sf.read(str(path), dtype="float32")
    except (OSError, RuntimeError, sf.LibsndfileError) as exc:
        log.info("no designed sample at %s: %s", path, exc)
        return np.zeros(0, np.float32), SAMPLE_RATE
    return np.asarray(data, np.float32).reshape(-1), int(rate)
