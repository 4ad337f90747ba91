"""Streaming decode of a batch: the frames every row made in a step go through the codec
decoder together, in one call, instead of one call per row.

The codec decoder is causal and keeps its state per row (codec_stream.py), so rows can be
stacked along the batch dimension when they are at the same position: the rows of one
batch start together and make a frame each per step, so they stay in step. Rows warmed up
on different amounts of reference audio sit at different positions; they decode in one
group per position (a take's rows share one voice: one group).

A row that ends (end of speech, its length cap, its take cancelled) stops being fed. Its
last frames may be fewer than its group's; they are padded at the end with code 0, which a
causal decoder cannot let change the audio before it, and the padding's audio is cut off.
The row then leaves the group's state.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from studio.engine.stream import (
    DEFAULT_CHUNKS,
    DEFAULT_FIRST_CHUNK,
    DEFAULT_LEFT_CONTEXT,
    warm_decoder,
)


@dataclass(frozen=True)
class StepFrames:
    """What one generation step gave the decoder."""

    frames: dict[int, Any]  # row -> its new frame (Q codes)
    ended: tuple[int, ...] = ()  # rows that will get no more frames: decode their rest


@dataclass(frozen=True)
class RowAudio:
    """Decoded audio of one row; ``last`` once the row's audio is complete."""

    row: int
    audio: np.ndarray
    last: bool = False


@dataclass
class DecodeMeter:
    """How long the decoder takes per frame and how far it is behind generation, so a start
    policy can forecast when a segment's audio, not just its frames, will exist."""

    busy_s: float = 0.0  # seconds spent in decoder calls
    decoded: int = 0  # frames decoded, summed over rows
    pushed: int = 0  # frames handed to the decoder, summed over rows (by the generating side)

    @property
    def seconds_per_frame(self) -> float | None:
        """Decoder seconds per frame of one row, once measured."""
        return self.busy_s / self.decoded if self.decoded else None

    @property
    def backlog(self) -> int:
        """Frames generated and not decoded yet, summed over rows."""
        return max(0, self.pushed - self.decoded)


@dataclass
class _Group:
    rows: list[int]  # batch rows, in the order of the decoder state's batch dimension
    decoder: Any  # a StreamingCodecDecoder over those rows
    done: set[int] = field(default_factory=set)


class BatchDecoder:
    """Feed :class:`StepFrames` with :meth:`push`; get :class:`RowAudio` back in row order.

    Chunks follow the single-take schedule (a small first chunk, then steady ones): every
    live row has the same number of pending frames, so they are all decoded at once. A row
    that ends is decoded at once (its take may be waiting for its last words).
    """

    def __init__(self, codec: Any, samples_per_frame: int, contexts: Sequence[Any], *,
                 first_chunk: int = DEFAULT_FIRST_CHUNK,
                 chunks: Sequence[int] = DEFAULT_CHUNKS,
                 left_context: int = DEFAULT_LEFT_CONTEXT,
                 meter: DecodeMeter | None = None,
                 ends: Sequence[int] | None = None) -> None:
        """``ends``: the frame each row is planned to end at; within a chunk of it, a row's
        frames are decoded step by step, so its last audio comes a step, not a chunk, after
        its last frame (where a start policy plans it)."""
        import torch

        from studio.engine.codec_stream import StreamingCodecDecoder

        self._torch = torch
        self._codec = codec
        self._spf = samples_per_frame
        self._device = next(codec.parameters()).device
        self._schedule = [max(1, int(first_chunk)), *[max(1, int(c)) for c in chunks]]
        self.chunks_emitted = 0
        self.calls = 0  # decoder calls made (one per group per chunk)
        self.meter = meter if meter is not None else DecodeMeter()
        self._pending: dict[int, list[Any]] = {row: [] for row in range(len(contexts))}
        self._made = [0] * len(contexts)
        self._ends = list(ends) if ends is not None else None
        by_position: dict[int, list[tuple[int, Any]]] = {}
        for row, context in enumerate(contexts):
            single = warm_decoder(codec, context, left_context)
            by_position.setdefault(single.position, []).append((row, single))
        self._groups = [
            _Group([row for row, _ in members],
                   StreamingCodecDecoder.stack([dec for _, dec in members], codec))
            for members in by_position.values()
        ]

    @property
    def live_rows(self) -> list[int]:
        return [row for group in self._groups for row in group.rows if row not in group.done]

    def _next_size(self) -> int:
        return self._schedule[min(self.chunks_emitted, len(self._schedule) - 1)]

    def push(self, step: StepFrames) -> list[RowAudio]:
        for row, frame in step.frames.items():
            if row in self._pending:
                self._pending[row].append(frame)
                self._made[row] += 1
        for row in step.ended:
            for group in self._groups:
                if row in group.rows:
                    group.done.add(row)
        ended_waiting = any(row in self._pending for row in step.ended)
        most = max((len(p) for p in self._pending.values()), default=0)
        if ended_waiting or most >= self._next_size() or self._closing():
            return self._decode()
        return []

    def _closing(self) -> bool:
        """A row with frames waiting is within a chunk of its planned end."""
        if self._ends is None:
            return False
        window = max(self._schedule)
        return any(frames and self._made[row] >= self._ends[row] - window
                   for row, frames in self._pending.items())

    def flush(self) -> list[RowAudio]:
        """Decode everything pending; every row counts as ended."""
        for group in self._groups:
            group.done.update(group.rows)
        return self._decode()

    def _drop(self, row: int) -> None:
        self._pending.pop(row, None)
        for group in self._groups:
            if row in group.rows:
                keep = [i for i, r in enumerate(group.rows) if r != row]
                group.rows = [group.rows[i] for i in keep]
                group.done.discard(row)
                if keep:
                    group.decoder.select(keep)
        self._groups = [g for g in self._groups if g.rows]

    def _decode(self) -> list[RowAudio]:
        torch = self._torch
        out: list[RowAudio] = []
        for group in self._groups:
            counts = [len(self._pending[row]) for row in group.rows]
            width = max(counts, default=0)
            if width:
                q = next(f for row in group.rows for f in self._pending[row]).shape[-1]
                pad = torch.zeros(q, dtype=torch.long)
                codes = torch.stack([
                    torch.stack([*(f.to(torch.long).cpu() for f in self._pending[row]),
                                 *[pad] * (width - n)])
                    for row, n in zip(group.rows, counts, strict=True)
                ]).clamp(min=0)  # (B, T, Q)
                began = time.perf_counter()
                wav = group.decoder.decode(codes.transpose(1, 2).to(self._device))
                self.calls += 1
                audio = wav[:, 0].float().cpu().numpy().astype(np.float32, copy=False)
                self.meter.busy_s += time.perf_counter() - began
                self.meter.decoded += sum(counts)
                for i, (row, n) in enumerate(zip(group.rows, counts, strict=True)):
                    if n:
                        out.append(RowAudio(row, audio[i, : n * self._spf],
                                            last=row in group.done))
                    self._pending[row] = []
            for row, n in zip(group.rows, counts, strict=True):
                if row in group.done and not n:
                    out.append(RowAudio(row, np.zeros(0, dtype=np.float32), last=True))
        for row in [r for group in self._groups for r in group.done]:
            self._drop(row)  # its audio is complete
        if out:
            self.chunks_emitted += 1
        out.sort(key=lambda a: a.row)
        return out
