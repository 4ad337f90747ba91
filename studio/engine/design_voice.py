"""A design voice that stays one voice: design once, then clone.

The VoiceDesign model draws a new timbre every time it generates, so a long text designed
segment by segment could be read by a different speaker each sentence. As Qwen3-TTS's own
documentation recommends, a design take therefore designs only its first segment (the
sample), has a Base model turn that audio and its words into a clone prompt (the
:class:`~studio.engine.drawn_voice.DrawnVoice`), and clones it for every later segment. A
request's keeper may hold the drawn voice for the next take, which is then only cloned:
no VoiceDesign call at all. Without a Base model on disk the take is designed segment by
segment as before, with a note saying what a Base model would change.

Streaming, cancel and the runaway guard are the synthesizer's own: every piece is an
ordinary design or clone take on the same chunk callback and cancel token.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np

from studio.engine import text as textmod
from studio.engine.drawn_voice import FRESH, DrawnVoice
from studio.engine.errors import BadReference, EmptyText, IncompatiblePrompt
from studio.engine.stream import CancelToken
from studio.engine.synth import Synthesizer
from studio.engine.take import CANCELLED, COMPLETE, RUNAWAY, Take
from studio.hub import ModelInfo, find_named
from studio.hub.catalog import CATALOG, CatalogEntry

if TYPE_CHECKING:
    from studio.engine.pool import ModelPool
    from studio.engine.speak_request import SpeakRequest

log = logging.getLogger(__name__)

ChunkFn = Callable[[np.ndarray], None]
Segments = list[tuple[str, float]]
SAMPLE_SECONDS = 3.0  # short opening segments are designed together up to this (estimated)
NO_BASE_NOTE = ("No Base model is on disk, so this design voice is not kept the same: long "
                "texts may change voice between sentences, and a built-in design voice from "
                "one take to the next.")


def speak(pool: ModelPool, request: SpeakRequest, on_chunk: ChunkFn | None = None,
          cancel: CancelToken | None = None) -> Take:
    """Speak a design request: clone the kept voice if there is one, else draw one."""
    seed = request.sampling.seed
    if seed is None:  # one seed for every piece, so a take can be made again
        seed = secrets.randbelow(2**31 - 1)
    request = replace(request, sampling=replace(request.sampling, seed=seed))
    keeper = request.keeper or FRESH
    kept = keeper.kept() if request.prompt is None else None
    if (request.prompt is not None or kept is not None) and base_models(pool):
        return _speak_kept(pool, request, kept, on_chunk, cancel)
    return _draw(pool, request, on_chunk, cancel)


def base_models(pool: ModelPool) -> list[ModelInfo]:
    return [m for m in pool.available() if m.kind == "base" and m.usable]


def base_for(pool: ModelPool, design: ModelInfo) -> ModelInfo | None:
    """The Base model that fixes a voice drawn by ``design``: one of the same size first
    (the user's choice among those), then the user's Base model, then the smallest."""
    bases = base_models(pool)
    role = pool.roles.get("base")
    same = [m for m in bases if m.size == design.size]
    if same:
        return find_named(same, role) or same[0]
    return find_named(bases, role) or min(bases, key=lambda m: m.size, default=None)


def base_to_download(design: ModelInfo) -> CatalogEntry:
    """The published Base model to offer when none is on disk: the design model's size."""
    bases = [e for e in CATALOG if e.kind == "base"]
    return next((e for e in bases if e.size == design.size), bases[0])


def sample_plan(segments: Segments) -> Segments:
    """The segments with the opening ones joined into the sample, while it is short: a
    prompt made from a word or two is a poor likeness."""
    text, pause = segments[0]
    index = 1
    while index < len(segments) and textmod.expected_seconds(text) < SAMPLE_SECONDS:
        joined = f"{text} {segments[index][0]}"
        if textmod.weight(joined) > textmod.MAX_SEGMENT_CHARS:
            break
        text, pause = joined, segments[index][1]
        index += 1
    return [(text, pause), *segments[index:]]


# --- a kept voice: only cloned ------------------------------------------------------------

def _speak_kept(pool: ModelPool, request: SpeakRequest, kept: DrawnVoice | None,
                on_chunk: ChunkFn | None, cancel: CancelToken | None) -> Take:
    prompt = request.prompt if request.prompt is not None else kept.prompt  # type: ignore[union-attr]
    base = pool.synthesizer("base", prefer=prompt.model_name or request.model,
                            speed=request.speed)
    try:
        prompt.check_compatible(base.prompt_shape(), base.model.info.name)
    except IncompatiblePrompt:
        # made with a Base model that is gone: the same sample makes it for this one
        keeper = request.keeper or FRESH
        kept = kept or keeper.kept()
        if kept is None or kept.seconds < 1.0:
            raise
        log.info("remaking the kept design voice for %s", base.model.info.name)
        kept = replace(kept, prompt=base.make_prompt(kept.sample, kept.sample_rate, kept.text))
        keeper.keep(kept)
        prompt = kept.prompt
    take = base.clone(request.text, prompt, request.language, request.sampling,
                      request.streaming, on_chunk, cancel)
    take.voice = kept
    return take


# --- drawing a voice: design the sample, clone the rest ------------------------------------

def _draw(pool: ModelPool, request: SpeakRequest, on_chunk: ChunkFn | None,
          cancel: CancelToken | None) -> Take:
    segments = textmod.segment(request.text or "")
    if not segments:
        raise EmptyText()
    plan = sample_plan(segments)
    keeper = request.keeper
    design = _designer(pool, request)
    wanted = len(plan) > 1 or keeper is not None  # a voice to fix, for the rest or later
    base_info = base_for(pool, design.model.info) if wanted else None
    if wanted and base_info is None:
        take = design.design(segments, request.instruct or "", request.language,
                             request.sampling, request.streaming, on_chunk, cancel)
        take.notes.append(NO_BASE_NOTE)
        take.download_hint = base_to_download(design.model.info).repo_id
        return take

    started = time.monotonic()
    pieces: list[Take] = []
    base: Synthesizer | None = None
    drawn: DrawnVoice | None = None
    index = 0
    while index < len(plan) and drawn is None:
        segment = plan[index]
        take = design.design([segment], request.instruct or "", request.language,
                             request.sampling, request.streaming, on_chunk, cancel)
        pieces.append(take)
        index += 1
        if _stopped(take, cancel):
            return _joined(pieces, len(segments), started, None)
        if index < len(plan):  # first, so the player has it while the prompt is made
            _pause(segment[1], take.sample_rate, on_chunk, pieces)
        if base_info is not None:
            base = pool.synthesizer("base", prefer=str(base_info.path), speed=request.speed)
            drawn = _fix(base, take, segment[0], request, design.model.info.name)
            if drawn is None:  # too short to clone from: the next segment is the sample
                design = _designer(pool, request)  # loading Base may have unloaded it
    if drawn is not None and base is not None:
        (keeper or FRESH).keep(drawn)
        if index < len(plan):
            pieces.append(base.clone(plan[index:], drawn.prompt, request.language,
                                     request.sampling, request.streaming, on_chunk, cancel))
    return _joined(pieces, len(segments), started, drawn)


def _designer(pool: ModelPool, request: SpeakRequest) -> Synthesizer:
    return pool.synthesizer("voice_design", prefer=request.model, speed=request.speed)


def _fix(base: Synthesizer, take: Take, text: str, request: SpeakRequest,
         design_model: str) -> DrawnVoice | None:
    """The voice of a designed piece, as a clone prompt; None if it is too short or too
    quiet to clone from."""
    try:
        prompt = base.make_prompt(take.audio, take.sample_rate, text)
    except BadReference as exc:
        log.info("the designed sample cannot fix the voice: %s", exc)
        return None
    return DrawnVoice(prompt, take.audio, take.sample_rate, request.instruct or "",
                      request.language, take.seed, design_model, request.sampling)


def _stopped(take: Take, cancel: CancelToken | None) -> bool:
    return take.stop_reason in (CANCELLED, RUNAWAY) or (cancel is not None and cancel.cancelled)


def _pause(seconds: float, sample_rate: int, on_chunk: ChunkFn | None,
           pieces: list[Take]) -> None:
    """The silence between segments, streamed like the audio and kept in the take."""
    if seconds <= 0:
        return
    silence = np.zeros(int(round(seconds * sample_rate)), dtype=np.float32)
    if on_chunk is not None:
        on_chunk(silence)
    pieces.append(Take(audio=silence, sample_rate=sample_rate, seed=pieces[-1].seed))


def _joined(pieces: list[Take], segments: int, started: float,
            voice: DrawnVoice | None) -> Take:
    """One take from its pieces: the audio in order, and why it ended (the last piece that
    did not end normally says so)."""
    first = pieces[0]
    reasons = [p.stop_reason for p in pieces if p.stop_reason != COMPLETE]
    return Take(audio=np.concatenate([p.audio for p in pieces]), sample_rate=first.sample_rate,
                seed=first.seed, stop_reason=reasons[-1] if reasons else COMPLETE,
                frames=sum(p.frames for p in pieces), segments=segments,
                elapsed_s=time.monotonic() - started, first_chunk_s=first.first_chunk_s,
                model_name=first.model_name, voice=voice)
