"""The cast: names in the script mapped to voices, and the engine request for each block.

A cast member must sound the same in every block. Saved voices and preset speakers do; a
built-in design voice is a description the VoiceDesign model draws a new speaker from, so
it speaks with the voice the library keeps for it (studio.library.design_voices: the same
one the window, the command line and the API server speak with), drawn by the first render
if nothing has drawn it yet. The project pins a copy of that kept voice, named by its
content, in ``cast/``: every block of the member is spoken from it, and a later "New
voice" in the window does not change a project already cast. The project's notes say so.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

from studio.engine import prompts
from studio.engine.options import Sampling
from studio.engine.speak_request import CLONE, SpeakRequest
from studio.engine.take import Take
from studio.errors import InvalidInput, StudioError
from studio.library.anyvoice import DESIGN_PRESET, SAVED, VoiceRef, resolve
from studio.library.design_voices import PinnedVoice, store_of
from studio.projects.schema import CAST_DIR, MAX_NAME, CastMember, Project

FRAME_RATE = 12.5
KEEP_MAX_S = 15.0  # the take that draws a design voice: 5-15 s is what cloning likes best


def parse_spec(spec: str) -> tuple[str, str]:
    """``"Name=Voice"`` -> (name, voice); a clear error for anything else."""
    name, sep, voice = (spec or "").partition("=")
    name, voice = " ".join(name.split()), voice.strip()
    if not sep or not name or not voice:
        raise InvalidInput(f"Cast {spec!r} as Name=Voice, e.g. \"Narrator=Ryan\" or "
                           "\"Alice=My voice\".")
    if len(name) > MAX_NAME:
        raise InvalidInput(f"The cast name {name[:20]!r}... is too long.")
    return name, voice


def recast(project: Project, name: str, voice: str, library: Any) -> CastMember:
    """Give ``name`` the voice ``voice`` (any name or key --voice takes), in one place: every
    block of that name follows, and becomes stale."""
    ref = resolve(voice, library)
    member = project.member(name)
    if member is None:
        member = CastMember(name, ref.key)
        project.cast.append(member)
    elif member.voice != ref.key:
        member.voice, member.kept = ref.key, None
    project.notes.pop(note_key(member.name), None)
    return member


def note_key(name: str) -> str:
    return f"cast:{name}"


def voice_of(member: CastMember, library: Any) -> VoiceRef:
    if not member.voice:
        raise InvalidInput(
            f"{member.name!r} speaks in the script but has no voice yet. Cast it, e.g. "
            f"voice-studio project cast PROJECT \"{member.name}=Vivian\".")
    return resolve(member.voice, library)


def identity(member: CastMember, library: Any) -> str:
    """What decides how a member sounds: the voice, its active take, or the kept reference."""
    if not member.voice:
        return "uncast"
    if member.voice.startswith(f"{DESIGN_PRESET}:"):
        return f"{member.voice}#{member.kept['id']}" if member.kept else f"{member.voice}#new"
    if member.voice.startswith(f"{SAVED}:") and library is not None:
        try:
            entry = library.get(member.voice.split(":", 1)[1])
            return f"{member.voice}#{entry.voice.active_take}"
        except StudioError:  # a missing voice is reported when it is rendered
            return member.voice
    return member.voice


def needs_keep(member: CastMember) -> bool:
    return bool(member.voice and member.voice.startswith(f"{DESIGN_PRESET}:")
                and not member.kept)


def request(project: Project, member: CastMember, text: str, language: str, instruct: str,
            library: Any, folder: Any, sampling: Sampling) -> SpeakRequest:
    """The engine request that speaks ``text`` (already through the lexicon) as ``member``."""
    ref = voice_of(member, library)
    lang = None if language.strip().lower() in ("", "auto") else language
    if ref.source == DESIGN_PRESET:
        if not member.kept:
            raise InvalidInput(f"{member.name}'s design voice has not been kept yet.")
        if instruct:
            raise _no_instruct(member, "a design voice kept as a reference")
        prompt = prompts.load(folder / member.kept["prompt"])
        return SpeakRequest(text, CLONE, lang or "auto", prompt=prompt, sampling=sampling,
                            model=prompt.model_name or None)
    if ref.source == SAVED and instruct:
        raise _no_instruct(member, "a saved voice")
    return ref.request(text, library, language=lang, instruct=instruct or None,
                       sampling=sampling)


def _no_instruct(member: CastMember, what: str) -> InvalidInput:
    return InvalidInput(f"{member.name} speaks with {what}, which cannot follow instructions. "
                        "Clear the block's instruction, or cast a preset speaker (1.7B "
                        "CustomVoice model) for it.")


def keep_design_voice(project: Project, member: CastMember, folder: Any, library: Any,
                      speak: Callable[[SpeakRequest], Take]) -> str:
    """Pin the voice the library keeps for ``member``'s design voice as the reference every
    block uses; ``speak`` (a request run on the engine) draws it first when none is kept.
    Writes the copy into the project folder and returns the sentence for the notes."""
    ref = voice_of(member, library)
    store = store_of(library)
    pinned = store.pin(ref.id, ref.description, folder / CAST_DIR)
    if pinned is None:
        seed = secrets.randbelow(2**31 - 1)
        take = speak(ref.request(ref.sample_text, library, language=ref.language,
                                 sampling=Sampling(seed=seed,
                                                   max_frames=int(KEEP_MAX_S * FRAME_RATE))))
        pinned = store.pin(ref.id, ref.description, folder / CAST_DIR)
        if pinned is None:
            raise _not_kept(member, ref, take)
    member.kept = _kept_entry(pinned)
    note = (f"{member.name} speaks with the built-in design voice {ref.name!r}: the voice it "
            f"keeps in the library, as in the window and the API server. A design voice is "
            f"drawn anew from its description, so that voice (seed {pinned.voice.seed}, "
            f"{pinned.voice.seconds:.1f} s, {member.kept['reference']}) was kept as the "
            f"reference every block of {member.name} uses; \"New voice\" elsewhere does not "
            f"change it. Recast to choose again.")
    project.notes[note_key(member.name)] = note
    return note


def _kept_entry(pinned: PinnedVoice) -> dict[str, Any]:
    """What project.json records of a pinned voice; its id is the content's digest, so
    pinning the same voice again leaves every block fresh."""
    voice = pinned.voice
    return dict(id=pinned.digest, prompt=f"{CAST_DIR}/{pinned.prompt.name}",
                reference=f"{CAST_DIR}/{pinned.sample.name}", seed=voice.seed,
                model=voice.design_model, seconds=round(voice.seconds, 2))


def _not_kept(member: CastMember, ref: VoiceRef, take: Take) -> InvalidInput:
    """No Base model fixed the drawn voice, so every block would be another speaker."""
    if not take.audio.size:
        return InvalidInput(f"The design voice for {member.name} produced no audio; "
                            "render again.")
    fetch = (f" ('voice-studio models download {take.download_hint}')"
             if take.download_hint else "")
    return InvalidInput(f"{member.name} speaks with the design voice {ref.name!r}, which "
                        f"a Base model keeps the same from block to block, and none is on "
                        f"disk. Download one{fetch} and render again, or cast another voice.")
