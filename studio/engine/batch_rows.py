"""One qwen-tts generate call over several rows (segments of takes), streamed row by row.

qwen-tts's ``generate`` takes lists: every row brings its own text, language, speaker,
voice description or clone prompt, and rows are left-padded to one length (attention masks
and rotary positions make the padding invisible). What it cannot vary per row is the kind
of prompt (``non_streaming_mode``, set by the model kind) and the sampling; row_sampler.py
gives each row its own seed and options instead. Hugging Face's generate runs until every
row has ended; a row that ended (its end of speech, its length cap, its take cancelled)
is simply no longer listened to, and when none is left generation stops at once.

Every step's frames go to the batch decoder (batch_decode.py), on its own thread when
``streaming.overlap``; each row's audio reaches that row's callback on this thread, in
order, followed by its end.
"""

from __future__ import annotations

import contextlib
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from studio.engine.batch_decode import BatchDecoder, DecodeMeter, RowAudio, StepFrames
from studio.engine.errors import OutOfMemory
from studio.engine.models import LoadedModel
from studio.engine.options import Streaming
from studio.engine.row_sampler import RowOptions, RowSampler, sampling_rows
from studio.engine.speed import decoder_threads
from studio.engine.stream import (
    CancelToken,
    DecodeThread,
    FrameTap,
    StopGeneration,
    decode_whole,
)
from studio.engine.take import CANCELLED, COMPLETE, MAX_LENGTH, RUNAWAY

_LIST_INPUTS = ("input_ids", "instruct_ids", "ref_ids", "languages", "speakers")


@dataclass
class Row:
    """One segment to generate, and where its audio goes."""

    inputs: dict[str, Any]  # model.generate keyword arguments for this row alone (lists of 1)
    context: Any  # codes in front of this row for the decoder (a clone's reference), or None
    options: RowOptions
    cap: int  # frames at most (the runaway guard, or the user's cap if smaller)
    runaway_cap: bool  # True: reaching ``cap`` is the runaway guard's doing
    on_audio: Callable[[np.ndarray], None]
    on_end: Callable[[int, str], None]  # (frames, stop reason), after its last audio
    cancel: CancelToken | Any = None  # anything with a ``cancelled`` property
    expected: int | None = None  # frames it is planned to take (a start policy plans by it)


@dataclass
class RowState:
    codes: list[Any] = field(default_factory=list)  # (Q,) frames, in order
    reason: str | None = None  # set when the row ends
    reported: bool = False  # its end was told to its owner


def merge_inputs(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """qwen-tts generate() arguments for all rows at once: per-row lists concatenated."""
    modes = {bool(r.get("non_streaming_mode", False)) for r in rows}
    if len(modes) != 1:
        raise ValueError("rows of one batch must be of one model kind")
    merged: dict[str, Any] = {"non_streaming_mode": modes.pop()}
    for name in _LIST_INPUTS:
        if any(name in r for r in rows):
            merged[name] = [v for r in rows for v in (r.get(name) or [None])]
    prompts = [r.get("voice_clone_prompt") for r in rows]
    if any(p is not None for p in prompts):
        if any(p is None for p in prompts):
            raise ValueError("a batch cannot mix cloned and other voices")
        merged["voice_clone_prompt"] = {k: [v for p in prompts for v in p[k]]
                                        for k in prompts[0]}
    return merged


def generate_rows(model: LoadedModel, rows: Sequence[Row], streaming: Streaming,
                  on_step: Callable[[list[RowState]], None] | None = None,
                  meter: DecodeMeter | None = None) -> list[RowState]:
    """Generate every row in one batch; returns each row's frames and stop reason.
    ``meter`` is told how the decoder keeps up (for a start policy's forecast)."""
    import torch

    qwen = model.qwen
    states = [RowState() for _ in rows]
    eos = int(qwen.model.config.talker_config.codec_eos_token_id)
    kwargs = qwen._merge_generate_kwargs(max_new_tokens=max(r.cap for r in rows) + 1,
                                         do_sample=False, subtalker_dosample=False,
                                         repetition_penalty=1.0)
    decoder = threaded = None
    if streaming.enabled:
        decoder = BatchDecoder(qwen.model.speech_tokenizer.model.decoder,
                               model.samples_per_frame, [r.context for r in rows],
                               first_chunk=streaming.first_chunk, chunks=streaming.chunks,
                               left_context=streaming.left_context, meter=meter,
                               ends=[min(r.cap, r.expected or r.cap) for r in rows])
        if streaming.overlap:
            on_cpu = model.device.device == "cpu"
            threaded = DecodeThread(decoder, decoder_threads(model.device.threads)
                                    if on_cpu else None)

    sampler = RowSampler([r.options for r in rows], qwen.device)

    def report(index: int, reason: str) -> None:
        state = states[index]
        if not state.reported:
            state.reported = True
            rows[index].on_end(len(state.codes), reason)

    def deliver(pieces: list[RowAudio]) -> None:
        for piece in pieces:
            state = states[piece.row]
            if state.reported:
                continue
            if len(piece.audio):
                rows[piece.row].on_audio(piece.audio)
            if piece.last:
                report(piece.row, state.reason or COMPLETE)

    def end(index: int, reason: str) -> None:
        states[index].reason = reason
        sampler.end(index)  # the code predictor stops working for it

    def poll() -> None:
        if threaded is not None:
            for pieces in threaded.ready():
                deliver(pieces)
        stopped = []
        for index, row in enumerate(rows):  # a cancelled row keeps what it made, as alone
            if row.cancel is not None and row.cancel.cancelled and states[index].reason is None:
                end(index, CANCELLED)
                stopped.append(index)
        if stopped:
            feed(StepFrames({}, ended=tuple(stopped)))
        if all(s.reason is not None for s in states):
            raise StopGeneration

    def feed(step: StepFrames) -> None:
        if decoder is not None:
            decoder.meter.pushed += len(step.frames)
        if threaded is not None:
            threaded.push(step)
        elif decoder is not None:
            deliver(decoder.push(step))

    def on_frame(codec_ids: Any) -> None:
        frames: dict[int, Any] = {}
        ended = []
        for index, row in enumerate(rows):
            state = states[index]
            if state.reason is not None:
                continue
            frame = codec_ids[index]
            if int(frame[0]) == eos:  # the row ended at the previous step
                end(index, COMPLETE)
                ended.append(index)
                continue
            state.codes.append(frame.detach().clone())
            frames[index] = state.codes[-1]
            if len(state.codes) >= row.cap:
                end(index, RUNAWAY if row.runaway_cap else MAX_LENGTH)
                ended.append(index)
        feed(StepFrames(frames, ended=tuple(ended)))
        if on_step is not None:
            on_step(states)

    failed = True  # a failure (in a row's on_audio, say) ends no row as if it were whole
    try:
        with torch.inference_mode(), sampling_rows(qwen.model.talker, sampler), \
                FrameTap(qwen.model.talker, on_frame, None, poll, whole_batch=True):
            qwen.model.generate(**merge_inputs([r.inputs for r in rows]), **kwargs)
        failed = False
    except StopGeneration:
        failed = False
    except torch.OutOfMemoryError as exc:
        raise OutOfMemory(model.device.device) from exc
    finally:
        if failed and threaded is not None:  # the decoder thread ends; its audio is dropped
            with contextlib.suppress(BaseException):
                threaded.finish()
    for index, row in enumerate(rows):  # ended together at the last step: no EOS frame
        if states[index].reason is None:
            capped = len(states[index].codes) >= row.cap
            end(index, (RUNAWAY if row.runaway_cap else MAX_LENGTH) if capped else COMPLETE)
    if threaded is not None:
        for pieces in threaded.finish():
            deliver(pieces)
    elif decoder is not None:
        deliver(decoder.flush())
    for index, row in enumerate(rows):
        state = states[index]
        if decoder is None and not state.reported and state.codes:
            row.on_audio(decode_whole(model, state.codes, row.context))
        report(index, state.reason or COMPLETE)
    return states


class StepClock:
    """Seconds per generation step: how fast each row's audio grows. Cautious, as a start
    policy plans with it: the slower of a smoothed step and the mean of the last few, and
    nothing until a few steps were seen (the first steps, before the decoder starts sharing
    the machine, are the fastest)."""

    WINDOW = 8
    MIN_STEPS = 4

    def __init__(self) -> None:
        self._ticks: deque[float] = deque(maxlen=self.WINDOW)
        self._smooth: float | None = None
        self.steps = 0

    def tick(self) -> None:
        now = time.monotonic()
        if self._ticks:
            dt = now - self._ticks[-1]
            self._smooth = dt if self._smooth is None else 0.8 * self._smooth + 0.2 * dt
        self._ticks.append(now)
        self.steps += 1

    @property
    def step_s(self) -> float | None:
        if self.steps < self.MIN_STEPS or self._smooth is None:
            return None
        mean = (self._ticks[-1] - self._ticks[0]) / (len(self._ticks) - 1)
        return max(mean, self._smooth)
