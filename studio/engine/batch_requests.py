"""Several requests spoken together, as rows of shared batches (batch_takes.py): the Design
page's candidates, and the requests a server gathered.

What requests generated together must share is their ``batch_key``: the model (its kind,
the model asked for, the speed mode, an instruction-following one or not) and how audio is
cut into chunks. Text, language, voice, seed and every sampling option stay each request's
own (row_sampler.py), and each request streams to its own callback, is cancelled alone and
hears of its take as soon as it is complete.

A design request that draws a new voice designs its sample first and then fixes and
clones it (design_voice.py): the samples of all such requests are designed as one batch,
then each request goes on by itself. One that clones a voice kept already is spoken alone.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from studio.engine import batch_takes
from studio.engine.speak_request import DESIGN, PRESET, SpeakRequest, run, speak
from studio.engine.synth import ChunkFn
from studio.engine.take import Take
from studio.errors import StudioError

if TYPE_CHECKING:
    from studio.engine.pool import ModelPool

DoneFn = Callable[[Take], None]


def batch_key(request: SpeakRequest) -> tuple[object, ...]:
    """What requests generated as one batch must share (see the module's docstring)."""
    streaming = replace(request.streaming, batch=0)
    need_instruct = bool(request.instruct and request.mode == PRESET)
    return (request.kind, request.model, request.speed, need_instruct, streaming)


def run_batch(pool: ModelPool, requests: Sequence[SpeakRequest],
              on_chunks: Sequence[ChunkFn | None], cancels: Sequence[Any],
              size: int | None = None, on_dones: Sequence[DoneFn | None] | None = None,
              ) -> list[Take | BaseException]:
    """Speak ``requests`` (one ``batch_key``) up to ``size`` rows at a time (None: chosen
    from memory). ``cancels``: anything with a ``cancelled`` property. A request that cannot
    be spoken (an unknown speaker, say) gets its error back and the others go on."""
    if len({batch_key(r) for r in requests}) > 1:
        raise ValueError("requests of one batch must share a batch_key")
    dones = list(on_dones) if on_dones is not None else [None] * len(requests)
    if requests[0].mode == DESIGN:
        return _designs(pool, requests, on_chunks, cancels, size, dones)
    first = requests[0]
    synth = pool.synthesizer(first.kind, prefer=first.model,
                             need_instruct=bool(batch_key(first)[3]), speed=first.speed)
    return _together(synth, requests, on_chunks, cancels, size, dones,
                     lambda s, r, chunk, cancel: speak(s, r, chunk, cancel))


def _together(synth: Any, requests: Sequence[SpeakRequest], on_chunks: Sequence[ChunkFn | None],
              cancels: Sequence[Any], size: int | None, dones: Sequence[DoneFn | None],
              operation: Callable[..., Any]) -> list[Take | BaseException]:
    """Have ``operation`` prepare each request's take with ``synth``, then make them all."""
    plans: list[batch_takes.TakePlan] = []
    synth.runner = plans.append  # the operation prepares its take; generating waits
    results: list[Take | BaseException | None] = [None] * len(requests)
    ready: list[int] = []
    try:
        for index, request in enumerate(requests):
            try:
                operation(synth, request, on_chunks[index], cancels[index])
            except StudioError as exc:
                results[index] = exc
                continue
            ready.append(index)
            plans[-1].on_done = dones[index]
    finally:
        synth.runner = None
    takes = batch_takes.run(plans, size) if plans else []
    for index, take in zip(ready, takes, strict=True):
        results[index] = take
    return [r for r in results if r is not None]


def _designs(pool: ModelPool, requests: Sequence[SpeakRequest],
             on_chunks: Sequence[ChunkFn | None], cancels: Sequence[Any], size: int | None,
             dones: Sequence[DoneFn | None]) -> list[Take | BaseException]:
    from studio.engine import design_voice

    requests = [design_voice.seeded(r) for r in requests]
    drawing = [i for i, r in enumerate(requests) if design_voice.draws(pool, r)]
    results: list[Take | BaseException | None] = [None] * len(requests)
    if drawing:
        first = requests[drawing[0]]
        design = pool.synthesizer("voice_design", prefer=first.model, speed=first.speed)

        def sample(synth: Any, request: SpeakRequest, chunk: Any, cancel: Any) -> Any:
            return synth.design([design_voice.sample_segment(request)], request.instruct or "",
                                request.language, request.sampling, request.streaming,
                                chunk, cancel)

        samples = _together(design, [requests[i] for i in drawing],
                            [on_chunks[i] for i in drawing], [cancels[i] for i in drawing],
                            size, [None] * len(drawing), sample)
        for i, sampled in zip(drawing, samples, strict=True):
            results[i] = sampled if isinstance(sampled, BaseException) else _rest(
                lambda i=i, s=sampled: design_voice.draw(pool, requests[i], on_chunks[i],
                                                         cancels[i], first=s), dones[i])
    for i, request in enumerate(requests):
        if results[i] is None:  # a kept voice: cloned, alone
            results[i] = _rest(lambda r=request, i=i: run(pool, r, on_chunks[i], cancels[i]),
                               dones[i])
    return [r for r in results if r is not None]


def _rest(make: Callable[[], Take], done: DoneFn | None) -> Take | BaseException:
    try:
        take = make()
    except StudioError as exc:
        return exc
    if done is not None:
        done(take)
    return take
