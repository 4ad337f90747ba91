"""Takes made in batches: the segments of one long text, several design candidates, or the
requests a server gathered, generated as rows of one batch and streamed take by take.

Rows are taken round-robin by segment: every take's first segment, then every second one,
and so on, ``size`` rows per round (one qwen-tts generate call; batch_rows.py). Each take
still streams in order as one continuous take: its first segment's audio goes out as it is
decoded, later segments wait until the one before is complete (then their audio, made
meanwhile, goes out at once), with the pauses between them as when made one by one.

Seeds: a take's seed is its own; segment k of it draws from a generator seeded with
``segment_seed(seed, k)`` (row_sampler.py), so a batched take is the same for the same
seed whatever else shares its batch, up to the float rounding of batched matrix products.
A take that ends early (cancelled, or stopped by the runaway guard) stops its later rows.
"""

from __future__ import annotations

import math
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from studio.audio.forecast import Progress, ProgressBox, SegmentProgress
from studio.engine import batch_size
from studio.engine import text as textmod
from studio.engine.batch_decode import DecodeMeter
from studio.engine.batch_rows import Row, RowState, StepClock, generate_rows
from studio.engine.models import LoadedModel
from studio.engine.options import Sampling, Streaming
from studio.engine.row_sampler import RowOptions
from studio.engine.stream import CancelToken
from studio.engine.take import CANCELLED, COMPLETE, MAX_LENGTH, RUNAWAY, Take

ChunkFn = Callable[[np.ndarray], None]


@dataclass
class Segment:
    text: str
    pause_s: float
    inputs: dict[str, Any]  # model.generate keyword arguments (lists of one)
    context: Any = None  # codes decoded before this segment (a clone's reference codes)


@dataclass
class TakePlan:
    """A take an operation has prepared: everything needed to generate it."""

    model: LoadedModel
    segments: list[Segment]
    sampling: Sampling = Sampling()
    streaming: Streaming = Streaming()
    on_chunk: ChunkFn | None = None
    cancel: CancelToken | None = None
    progress: ProgressBox | None = None  # where the take's progress is published
    on_done: Callable[[Take], None] | None = None  # the take, as soon as it is complete


def pack_for(streaming: Streaming) -> float | None:
    """How a take's text is cut for ``streaming``: sentence by sentence when they may be
    made in parallel; packed into segments of a few sentences when made one by one."""
    return None if streaming.batch == 1 else textmod.SENTENCE_PACK_CHARS


def segment_seed(seed: int, index: int) -> int:
    """The seed of segment ``index`` of a take seeded with ``seed``."""
    return int(np.random.SeedSequence([int(seed), int(index)]).generate_state(1)[0] >> 1)


class _Stop:
    """A row's cancel: its take's token, or its take stopped at an earlier segment."""

    def __init__(self, token: CancelToken | None) -> None:
        self.token = token
        self.stopped = False

    @property
    def cancelled(self) -> bool:
        return self.stopped or (self.token is not None and self.token.cancelled)


class _TakeOut:
    """One take's audio in order, from segments that finish in any order."""

    def __init__(self, plan: TakePlan, seed: int) -> None:
        self.plan = plan
        self.seed = seed
        self.stop = _Stop(plan.cancel)
        self.started = time.monotonic()
        self.pieces: list[np.ndarray] = []
        self.first: float | None = None
        self.head = 0  # the segment whose audio goes out now
        self.waiting: dict[int, list[np.ndarray]] = {}
        self.ended: dict[int, tuple[int, str]] = {}
        self.made: dict[int, float] = {}  # seconds made so far, per segment
        self.begun: set[int] = set()
        self.frames = 0
        self.reason = COMPLETE
        self.closed = False  # nothing more goes out
        self.limit = take_limit(plan)  # samples max_seconds allows the whole take
        # per segment, fixed for the take: its text's length guess, and its frame cap with
        # whether that cap is the runaway guard's
        self.guess_s = [textmod.expected_seconds(seg.text) for seg in plan.segments]
        self.caps = [self._cap(k) for k in range(len(plan.segments))]
        self.emitted = 0
        self.full = False  # the take reached its max_seconds

    def _cap(self, index: int) -> tuple[int, bool]:
        """Frames segment ``index`` may take, and whether that cap is the runaway guard's
        (not the user's ``max_frames`` or ``max_seconds``)."""
        plan = self.plan
        guard = textmod.frame_budget(plan.segments[index].text, plan.model.frame_rate)
        # no segment needs more frames than the whole take may hold; what runs past the
        # take's cap is cut when it goes out
        whole = None if self.limit is None else -(-self.limit // plan.model.samples_per_frame)
        caps = [int(c) for c in (plan.sampling.max_frames, whole) if c is not None]
        cap = min([guard, *caps])
        return cap, not (caps and cap == min(caps))

    def _emit(self, audio: np.ndarray) -> None:
        if self.closed:
            return
        if self.limit is not None:
            audio = audio[: max(0, self.limit - self.emitted)]
        if not len(audio):
            return
        self.emitted += len(audio)
        if self.first is None:
            self.first = time.monotonic() - self.started
        self.pieces.append(audio)
        if self.plan.on_chunk is not None:
            self.plan.on_chunk(audio)
        if self.limit is not None and self.emitted >= self.limit:  # the take's cap:
            self.full = True  # it ends with the segment now going out (its frames counted)
            self.stop.stopped = True  # later rows are not wanted

    def audio(self, index: int, chunk: np.ndarray) -> None:
        if self.closed:
            return
        if index == self.head:
            self._emit(chunk)
        else:
            self.waiting.setdefault(index, []).append(chunk)

    def end(self, index: int, frames: int, reason: str) -> None:
        self.ended[index] = (frames, reason)
        while not self.closed and self.head in self.ended:
            frames, reason = self.ended[self.head]
            self.frames += frames
            if self.full:
                reason = MAX_LENGTH
            if reason != COMPLETE:
                self.reason = reason
            cancelled = self.plan.cancel is not None and self.plan.cancel.cancelled
            last = self.head == len(self.plan.segments) - 1
            if reason in (CANCELLED, RUNAWAY) or self.full or cancelled or last:
                self.reason = CANCELLED if cancelled else self.reason
                self.closed = True
                self.stop.stopped = True  # later rows are not wanted
                if self.plan.on_done is not None:
                    self.plan.on_done(self.take())
                break
            pause = self.plan.segments[self.head].pause_s
            if pause > 0:
                sr = self.plan.model.sample_rate
                self._emit(np.zeros(int(round(pause * sr)), dtype=np.float32))
            self.head += 1
            for chunk in self.waiting.pop(self.head, []):
                self._emit(chunk)

    def take(self) -> Take:
        model = self.plan.model
        audio = np.concatenate(self.pieces) if self.pieces else np.zeros(0, dtype=np.float32)
        if not self.closed:  # never started all its segments (stopped before)
            self.reason = CANCELLED
        return Take(audio=audio, sample_rate=model.sample_rate, seed=self.seed,
                    stop_reason=self.reason, frames=self.frames,
                    segments=len(self.plan.segments),
                    elapsed_s=time.monotonic() - self.started, first_chunk_s=self.first,
                    model_name=model.info.name)

    def publish(self, size: int, clock: StepClock, frame_s: float, lag_frames: int,
                meter: DecodeMeter) -> None:
        box = self.plan.progress
        if box is None or clock.step_s is None:
            return
        rate, lag = row_pace(size, clock.step_s, frame_s, lag_frames, meter)
        segs = []
        for k, seg in enumerate(self.plan.segments):
            done = k in self.ended
            cap_s = self.caps[k][0] * frame_s
            segs.append(SegmentProgress(min(self.guess_s[k], cap_s), seg.pause_s,
                                        self.made.get(k, 0.0), k in self.begun, done, cap_s))
        box.publish(Progress(tuple(segs), size, rate, lag))


def run(plans: list[TakePlan], size: int | None = None) -> list[Take]:
    """Generate every plan's take in batches of ``size`` rows (None: batch_size.choose)."""
    if not plans:
        return []
    model = plans[0].model
    if any(p.model is not model for p in plans):
        raise ValueError("the takes of one batch must use one model")
    if model.device.device == "cpu":
        import torch

        torch.set_num_threads(model.device.threads)  # this thread's pool (speed.py)
    outs = [_TakeOut(p, p.sampling.seed if p.sampling.seed is not None
                     else secrets.randbelow(2**31 - 1)) for p in plans]
    order = [(t, k) for k in range(max(len(p.segments) for p in plans))
             for t, p in enumerate(plans) if k < len(p.segments)]
    if size is None:
        size = batch_size.choose(model, len(order), plans[0].streaming.batch)
    streaming = plans[0].streaming
    frame_s = 1.0 / model.frame_rate
    lag = max(streaming.chunks or (streaming.first_chunk,))
    clock = StepClock()
    meter = DecodeMeter()
    while order:
        todo = [(t, k) for t, k in order if not outs[t].stop.cancelled][:size]
        if not todo:
            break
        order = [item for item in order if item not in todo and not outs[item[0]].stop.cancelled]
        rows = [_row(outs[t], k) for t, k in todo]
        for t, k in todo:
            outs[t].begun.add(k)

        def step(states: list[RowState], todo: list[tuple[int, int]] = todo) -> None:
            clock.tick()
            for (t, k), state in zip(todo, states, strict=True):
                outs[t].made[k] = len(state.codes) * frame_s
            for out in {id(outs[t]): outs[t] for t, _ in todo}.values():
                out.publish(size, clock, frame_s, lag, meter)

        generate_rows(model, rows, streaming, step, meter)
    return [out.take() for out in outs]


def row_pace(size: int, step_s: float, frame_s: float, lag_frames: int,
             meter: DecodeMeter) -> tuple[float, float]:
    """(seconds of audio a row gains per second, seconds from a row's last frame to its last
    audio) for a batch of ``size`` rows.

    A row's audio exists once its frames are decoded. The decoder takes the batch's frames in
    chunks of up to ``lag_frames``, but step by step in the last chunk before a row's planned
    end (``Row.expected``, the length the forecast plans with), and a row that ends is
    decoded at once: when the decoder keeps up, a segment's audio comes one step's decode
    after its last frame; when it is slower than generation, the rows' audio grows at its
    pace, after what it is behind on. Until the decoder was measured, the lag is a chunk's
    worth of steps.
    """
    gen_rate = frame_s / step_s
    per_frame = meter.seconds_per_frame
    if per_frame is None:
        return gen_rate, lag_frames * step_s
    rate = min(gen_rate, frame_s / max(per_frame * size, 1e-9))
    return rate, max(meter.backlog, size) * per_frame


def take_limit(plan: TakePlan) -> int | None:
    """The samples ``max_seconds`` allows the whole take (pauses included), or None."""
    seconds = plan.sampling.max_seconds
    return None if seconds is None else max(1, round(seconds * plan.model.sample_rate))


def _row(out: _TakeOut, index: int) -> Row:
    plan = out.plan
    seg = plan.segments[index]
    qwen = plan.model.qwen
    cap, runaway = out.caps[index]
    guess = math.ceil(out.guess_s[index] * plan.model.frame_rate)
    kwargs = qwen._merge_generate_kwargs(**plan.sampling.generate_kwargs())
    return Row(
        inputs=seg.inputs, context=seg.context,
        options=RowOptions.from_kwargs(segment_seed(out.seed, index), kwargs),
        cap=cap, runaway_cap=runaway,
        on_audio=lambda chunk: out.audio(index, chunk),
        on_end=lambda frames, reason: out.end(index, frames, reason),
        cancel=out.stop, expected=min(cap, guess))
