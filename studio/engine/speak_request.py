"""One request type for every way of speaking, so the GUI, CLI and server share one path."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from studio.audio.forecast import ProgressBox
from studio.engine import batch_takes
from studio.engine.options import Sampling, Streaming
from studio.engine.prompts import VoicePrompt
from studio.engine.stream import CancelToken
from studio.engine.synth import ChunkFn, Synthesizer
from studio.engine.take import Take
from studio.errors import StudioError

if TYPE_CHECKING:
    from studio.engine.pool import ModelPool

DESIGN, PRESET, CLONE = "design", "preset", "clone"
MODE_KIND = {DESIGN: "voice_design", PRESET: "custom_voice", CLONE: "base"}


@dataclass(frozen=True)
class SpeakRequest:
    text: str
    mode: str  # design | preset | clone
    language: str = "auto"
    instruct: str | None = None  # the voice description (design) or a style (preset, 1.7B)
    speaker: str | None = None  # preset speaker name
    prompt: VoicePrompt | None = field(default=None, repr=False)  # clone
    sampling: Sampling = Sampling()
    streaming: Streaming = Streaming()
    model: str | None = None  # a preferred model folder (path or name); None: the default
    speed: str | None = None  # "exact" | "fast"; None: the pool's default

    @property
    def kind(self) -> str:
        return MODE_KIND[self.mode]


@dataclass(frozen=True)
class PromptRequest:
    audio: np.ndarray = field(repr=False)
    sample_rate: int
    transcript: str | None
    x_vector_only: bool = False
    model: str | None = None


def run(pool: ModelPool, request: SpeakRequest, on_chunk: ChunkFn | None = None,
        cancel: CancelToken | None = None, progress: ProgressBox | None = None) -> Take:
    """Load what the request needs (if not loaded) and speak it; a take made in parallel
    segments publishes how it grows to ``progress`` (for a start policy)."""
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
    if request.mode == DESIGN:
        return synth.design(request.text, request.instruct or "", request.language, **kw)
    if request.mode == PRESET:
        return synth.preset(request.text, request.speaker or "", request.language,
                            request.instruct, **kw)
    if request.mode == CLONE:
        if request.prompt is None:
            from studio.engine.errors import InvalidInput

            raise InvalidInput("Choose a voice to clone first.")
        return synth.clone(request.text, request.prompt, request.language, **kw)
    raise ValueError(f"unknown mode {request.mode!r}")


def batch_key(request: SpeakRequest) -> tuple[object, ...]:
    """What requests generated as one batch must share: the model (its kind, the model
    asked for, its speed mode, an instruction-following one or not) and how audio is cut
    into chunks. Text, language, voice, seed and every sampling option stay per request."""
    streaming = replace(request.streaming, batch=0)
    need_instruct = bool(request.instruct and request.mode == PRESET)
    return (request.kind, request.model, request.speed, need_instruct, streaming)


def run_batch(pool: ModelPool, requests: Sequence[SpeakRequest],
              on_chunks: Sequence[ChunkFn | None], cancels: Sequence[Any],
              size: int | None = None,
              on_dones: Sequence[Callable[[Take], None] | None] | None = None,
              ) -> list[Take | BaseException]:
    """Speak several requests with one ``batch_key`` as rows of shared batches (up to
    ``size`` rows at a time; None: chosen from memory). Each keeps its own seed, sampling,
    chunks and cancel (anything with a ``cancelled`` property), and hears of its take
    through ``on_dones`` as soon as it is complete; a request that cannot be spoken (an
    unknown speaker, say) gets its error back and the others go on."""
    if len({batch_key(r) for r in requests}) > 1:
        raise ValueError("requests of one batch must share a batch_key")
    first = requests[0]
    synth = pool.synthesizer(first.kind, prefer=first.model,
                             need_instruct=batch_key(first)[3], speed=first.speed)
    plans: list[batch_takes.TakePlan] = []
    synth.runner = plans.append  # the operation prepares its take; generating waits
    results: list[Take | BaseException | None] = [None] * len(requests)
    ready: list[int] = []
    for index, request in enumerate(requests):
        try:
            speak(synth, request, on_chunks[index], cancels[index])
        except StudioError as exc:
            results[index] = exc
            continue
        ready.append(index)
        if on_dones is not None:
            plans[-1].on_done = on_dones[index]
    takes = batch_takes.run(plans, size) if plans else []
    for index, take in zip(ready, takes, strict=True):
        results[index] = take
    return [r for r in results if r is not None]


def make_prompt(pool: ModelPool, request: PromptRequest) -> VoicePrompt:
    synth = pool.synthesizer("base", prefer=request.model)
    return synth.make_prompt(request.audio, request.sample_rate, request.transcript,
                             request.x_vector_only)
