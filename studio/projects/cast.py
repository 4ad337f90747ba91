"""The cast: names in the script mapped to voices, and the engine request for each block.

A cast member must sound the same in every block. Saved voices and preset speakers do; a
built-in design voice does not (the VoiceDesign model samples a new voice from its
description with every take). So the first render of a member cast as a design voice keeps
one take of the description, the way the Design page's Keep does: a Base model makes a clone
prompt of that take, stored in the project (``cast/<member>/``), and every block of that
member is spoken from it. The project's notes say so.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

from studio.engine import prompts
from studio.engine.options import Sampling
from studio.engine.speak_request import CLONE, DESIGN, PromptRequest, SpeakRequest, make_prompt
from studio.engine.take import Take
from studio.errors import InvalidInput, StudioError
from studio.library.anyvoice import DESIGN_PRESET, SAVED, VoiceRef, resolve
from studio.library.ids import slugify
from studio.library.presets import design_preset
from studio.projects.audiofiles import write_flac
from studio.projects.schema import CAST_DIR, MAX_NAME, CastMember, Project, new_id

FRAME_RATE = 12.5
KEEP_MAX_S = 15.0  # a kept reference: 5-15 s is what cloning likes best


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
        return SpeakRequest(text, CLONE, lang or "auto", prompt=prompt, sampling=sampling)
    if ref.source == SAVED and instruct:
        raise _no_instruct(member, "a saved voice")
    return ref.request(text, library, language=lang, instruct=instruct or None,
                       sampling=sampling)


def _no_instruct(member: CastMember, what: str) -> InvalidInput:
    return InvalidInput(f"{member.name} speaks with {what}, which cannot follow instructions. "
                        "Clear the block's instruction, or cast a preset speaker (1.7B "
                        "CustomVoice model) for it.")


def keep_design_voice(project: Project, member: CastMember, folder: Any,
                      speak: Callable[[SpeakRequest], Take], call: Callable[[Any], Any]) -> str:
    """Keep one take of ``member``'s design voice as the reference every block uses.

    ``speak`` runs a request on the engine; ``call`` runs ``fn(pool)`` on it. Writes the
    prompt and the take into the project folder and returns the sentence for the notes."""
    preset_id = (member.voice or "").split(":", 1)[1]
    preset = design_preset(preset_id)
    if preset is None:
        raise InvalidInput(f"There is no built-in design voice {preset_id!r} any more; "
                           f"recast {member.name}.")
    seed = secrets.randbelow(2**31 - 1)
    text = preset.sample_text
    take = speak(SpeakRequest(text, DESIGN, preset.language, instruct=preset.description,
                              sampling=Sampling(seed=seed,
                                                max_frames=int(KEEP_MAX_S * FRAME_RATE))))
    if not take.audio.size:
        raise InvalidInput(f"The design voice for {member.name} produced no audio; render again.")
    req = PromptRequest(take.audio, take.sample_rate, text)
    prompt = call(lambda pool: make_prompt(pool, req))
    where = f"{CAST_DIR}/{slugify(member.name)}-{secrets.token_hex(3)}"
    (folder / where).mkdir(parents=True, exist_ok=True)
    prompts.save(prompt, folder / where / "prompt.safetensors")
    write_flac(folder / where / "reference.flac", take.audio, take.sample_rate)
    member.kept = dict(id=new_id("k"), prompt=f"{where}/prompt.safetensors",
                       reference=f"{where}/reference.flac", seed=take.seed,
                       model=take.model_name, seconds=round(take.duration_s, 2))
    note = (f"{member.name} speaks with the built-in design voice {preset.name!r}. A design "
            f"voice is sampled anew with every take, so one take of its description (seed "
            f"{take.seed}, {take.duration_s:.1f} s, {member.kept['reference']}) was kept as "
            f"the reference every block of {member.name} uses. Recast to choose again.")
    project.notes[note_key(member.name)] = note
    return note
