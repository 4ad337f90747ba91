"""Every voice a user can speak with, whatever its source, behind one small type.

Saved voices (cloned or designed: both speak through their clone prompt on a Base model),
built-in design presets (spoken by the VoiceDesign model from their description), and the
CustomVoice preset speakers. The GUI's sidebar, the CLI's ``--voice`` and the API server's
``voice`` field all resolve through here, so they agree on names.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from studio.engine.speak_request import (
    CLONE,
    DESIGN,
    PRESET,
    RefClip,
    SpeakRequest,
    with_kept_voice,
)
from studio.library.errors import VoiceNotFound
from studio.library.ids import name_key
from studio.library.presets import Presets, load_presets

if TYPE_CHECKING:
    from studio.engine.options import Sampling, Streaming
    from studio.library.library import VoiceLibrary

SAVED, DESIGN_PRESET, SPEAKER = "saved", "design", "speaker"


@dataclass(frozen=True)
class VoiceRef:
    source: str  # saved | design | speaker
    id: str  # the saved voice's id, the design preset's id, or the speaker's name
    name: str
    language: str = "auto"
    description: str = ""
    sample_text: str = ""

    @property
    def key(self) -> str:
        """A stable string for settings and APIs: ``saved:<id>``, ``design:<id>``, ``speaker:<n>``."""
        return f"{self.source}:{self.id}"

    @property
    def mode(self) -> str:
        return {SAVED: CLONE, DESIGN_PRESET: DESIGN, SPEAKER: PRESET}[self.source]

    def request(self, text: str, library: VoiceLibrary | None = None, *,
                language: str | None = None, instruct: str | None = None,
                sampling: Sampling | None = None, streaming: Streaming | None = None,
                model: str | None = None) -> SpeakRequest:
        """The engine request that speaks ``text`` in this voice. No ``language``: a saved
        voice speaks the language it was saved with (its clip's), anything else detects it."""
        from studio.engine.options import Sampling, Streaming

        if not language and self.source == SAVED:
            language = _speakable(self.language)
        kw = dict(language=language or "auto", sampling=sampling or Sampling(),
                  streaming=streaming or Streaming(), model=model)
        if self.source == SAVED:
            from studio.library.library import VoiceLibrary

            entry = (library or VoiceLibrary()).get(self.id)
            clip = RefClip(entry.reference_path, entry.transcript().strip() or None)
            return SpeakRequest(text, CLONE, prompt=entry.load_prompt(), reference=clip, **kw)
        if self.source == DESIGN_PRESET:
            return self._design_request(text, library, instruct, kw)
        return SpeakRequest(text, PRESET, speaker=self.id, instruct=instruct, **kw)

    def _design_request(self, text: str, library: VoiceLibrary | None, instruct: str | None,
                        kw: dict[str, Any]) -> SpeakRequest:
        """A built-in design voice speaks with the voice it drew the first time
        (design_voices.py); another description is a voice of its own, drawn afresh."""
        if instruct and instruct.strip() != self.description.strip():
            return SpeakRequest(text, DESIGN, instruct=instruct, **kw)
        from studio.library.design_voices import store_of

        keeper = store_of(library).keeper(self.id, self.description)
        return with_kept_voice(SpeakRequest(text, DESIGN, instruct=self.description,
                                            keeper=keeper, **kw))


def _speakable(language: str) -> str:
    """A saved voice's language as the engine takes it; 'auto' for one it does not know
    (a voice saved before languages were checked), rather than refusing to speak."""
    from studio.errors import InvalidInput
    from studio.library.schema import known_language

    try:
        return known_language(language).lower()
    except InvalidInput:
        return "auto"


def all_voices(library: VoiceLibrary | None, presets: Presets | None = None) -> list[VoiceRef]:
    presets = presets or load_presets()
    refs: list[VoiceRef] = []
    if library is not None:
        for entry in library.list().voices:
            v = entry.voice
            refs.append(VoiceRef(SAVED, v.id, v.name, v.language or "auto", v.description))
    refs += [VoiceRef(DESIGN_PRESET, p.id, p.name, p.language, p.description, p.sample_text)
             for p in presets.designs]
    refs += [VoiceRef(SPEAKER, s.name, s.display, s.language, s.description)
             for s in presets.speakers]
    return refs


def resolve(name_or_key: str, library: VoiceLibrary | None,
            presets: Presets | None = None) -> VoiceRef:
    """By key (``speaker:ryan``), by saved voice id or name, then preset or speaker name."""
    wanted = (name_or_key or "").strip()
    refs = all_voices(library, presets)
    for ref in refs:
        if wanted == ref.key:
            return ref
    if library is not None:
        try:
            entry = library.get(wanted)
            v = entry.voice
            return VoiceRef(SAVED, v.id, v.name, v.language or "auto", v.description)
        except VoiceNotFound:
            pass
    key = name_key(wanted)
    for ref in refs:
        if ref.source != SAVED and key in (name_key(ref.name), name_key(ref.id)):
            return ref
    raise VoiceNotFound(
        f"There is no voice called {wanted!r}. 'voice-studio voices list' shows your voices; "
        "preset speakers are Vivian, Serena, Uncle Fu, Dylan, Eric, Ryan, Aiden, Ono Anna, Sohee."
    )
