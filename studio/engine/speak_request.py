"""One request type for every way of speaking, so the GUI, CLI and server share one path."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from studio.audio.forecast import ProgressBox
from studio.engine.drawn_voice import VoiceKeeper
from studio.engine.options import Sampling, Streaming
from studio.engine.prompts import VoicePrompt
from studio.engine.stream import CancelToken
from studio.engine.synth import ChunkFn, Synthesizer
from studio.engine.take import Take

if TYPE_CHECKING:
    from studio.engine.pool import ModelPool

DESIGN, PRESET, CLONE = "design", "preset", "clone"
MODE_KIND = {DESIGN: "voice_design", PRESET: "custom_voice", CLONE: "base"}


@dataclass(frozen=True)
class RefClip:
    """The clip a saved voice was cloned from, and its transcript: what a server that makes
    its own prompts from a clip (vLLM-Omni) needs instead of ours. A path, so a take on this
    computer, which speaks with the prompt, never reads it."""

    path: Path
    transcript: str | None


@dataclass(frozen=True)
class SpeakRequest:
    text: str
    mode: str  # design | preset | clone
    language: str = "auto"
    instruct: str | None = None  # the voice description (design) or a style (preset, 1.7B)
    speaker: str | None = None  # preset speaker name
    prompt: VoicePrompt | None = field(default=None, repr=False)  # clone; design: a kept voice
    sampling: Sampling = Sampling()
    streaming: Streaming = Streaming()
    model: str | None = None  # a preferred model folder (path or name); None: the default
    speed: str | None = None  # "exact" | "fast"; None: the pool's default
    reference: RefClip | None = field(default=None, repr=False)  # clone: the prompt's clip
    # design: who keeps the voice between takes (design_voice.py); None: fixed within the take
    keeper: VoiceKeeper | None = field(default=None, repr=False, compare=False)

    @property
    def kind(self) -> str:
        """The kind of model the take starts with: a design voice already kept is only
        cloned, by the Base model its prompt was made with (``model`` names it)."""
        if self.mode == DESIGN and self.prompt is not None:
            return "base"
        return MODE_KIND[self.mode]


@dataclass(frozen=True)
class PromptRequest:
    audio: np.ndarray = field(repr=False)
    sample_rate: int
    transcript: str | None
    x_vector_only: bool = False
    model: str | None = None


def with_kept_voice(request: SpeakRequest) -> SpeakRequest:
    """A design request whose keeper holds a voice speaks that voice: the prompt filled in,
    so the Base model it was made with is the one loaded (a request made before the voice
    was drawn, replayed later, needs no VoiceDesign model)."""
    if request.mode != DESIGN or request.prompt is not None or request.keeper is None:
        return request
    kept = request.keeper.kept()
    if kept is None:
        return request
    return replace(request, prompt=kept.prompt, model=kept.prompt.model_name or request.model)


def run(pool: ModelPool, request: SpeakRequest, on_chunk: ChunkFn | None = None,
        cancel: CancelToken | None = None, progress: ProgressBox | None = None) -> Take:
    """Load what the request needs (if not loaded) and speak it; a take made in parallel
    segments publishes how it grows to ``progress`` (for a start policy)."""
    if request.mode == DESIGN:
        from studio.engine import design_voice

        return design_voice.speak(pool, request, on_chunk, cancel, progress)
    need_instruct = bool(request.instruct and request.mode == PRESET)
    synth = pool.synthesizer(request.kind, prefer=request.model, need_instruct=need_instruct,
                             speed=request.speed)
    synth.progress = progress
    return speak(synth, request, on_chunk, cancel)


def speak(synth: Synthesizer, request: SpeakRequest, on_chunk: ChunkFn | None = None,
          cancel: CancelToken | None = None) -> Take:
    """Speak ``request`` with ``synth`` (its model suits the request's kind)."""
    kw = dict(sampling=request.sampling, streaming=request.streaming, on_chunk=on_chunk,
              cancel=cancel)
    if request.mode == PRESET:
        return synth.preset(request.text, request.speaker or "", request.language,
                            request.instruct, **kw)
    if request.mode == CLONE:
        if request.prompt is None:
            from studio.engine.errors import InvalidInput

            raise InvalidInput("Choose a voice to clone first.")
        return synth.clone(request.text, request.prompt, request.language, **kw)
    raise ValueError(f"unknown mode {request.mode!r}")


def make_prompt(pool: ModelPool, request: PromptRequest) -> VoicePrompt:
    synth = pool.synthesizer("base", prefer=request.model)
    return synth.make_prompt(request.audio, request.sample_rate, request.transcript,
                             request.x_vector_only)
