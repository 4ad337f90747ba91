"""True streaming on top of qwen-tts: capture code frames as the talker makes them, and
decode them into audio in small pieces while generation goes on.

qwen-tts only returns whole clips. Its talker's forward, though, returns at every decode
step the complete 16-codebook frame chosen at the previous step (``hidden_states[1]``). A
forward hook sees each frame the moment it exists; the codec decoder is causal, so
decoding each new group of frames with some frames of left context reproduces the
one-shot decode. Cancellation raises from the same hooks, so generation stops within one
code-predictor step (a few ms on a GPU, ~40 ms on a CPU with the 0.6B model).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

DEFAULT_FIRST_CHUNK = 4  # frames (320 ms): the first audio after 4 decode steps
DEFAULT_CHUNKS = (8, 16, 25)  # then larger chunks: less decode overhead per second
DEFAULT_LEFT_CONTEXT = 25  # frames of left context per decode, as qwen-tts' own chunked decode


class CancelToken:
    """Set from any thread; checked by the generating thread between steps."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def reset(self) -> None:
        self._event.clear()


class StopGeneration(Exception):  # noqa: N818 - a signal, not an error
    """Raised inside the model's forward to end generation early."""


class FrameTap:
    """Hooks on the talker that report each finished code frame and honour cancel.

    Used as a context manager around ``model.generate(...)``; the hooks are removed on exit
    whatever happens.
    """

    def __init__(self, talker: Any, on_frame: Callable[[Any], None],
                 cancel: CancelToken | None = None) -> None:
        self._talker = talker
        self._on_frame = on_frame
        self._cancel = cancel
        self._handles: list[Any] = []
        self.frames = 0

    def _check(self) -> None:
        if self._cancel is not None and self._cancel.cancelled:
            raise StopGeneration

    def _after_talker(self, _module: Any, _args: Any, output: Any) -> None:
        hidden = getattr(output, "hidden_states", None)
        codec_ids = hidden[1] if isinstance(hidden, tuple) and len(hidden) > 1 else None
        if codec_ids is not None:
            self.frames += 1
            self._on_frame(codec_ids[0])
        self._check()

    def _before_predictor(self, _module: Any, _args: Any) -> None:
        self._check()

    def __enter__(self) -> FrameTap:
        self._check()
        self._handles.append(self._talker.register_forward_hook(self._after_talker))
        self._handles.append(
            self._talker.code_predictor.register_forward_pre_hook(self._before_predictor))
        return self

    def __exit__(self, *_exc: Any) -> None:
        for handle in self._handles:
            handle.remove()
        self._handles.clear()


class IncrementalDecoder:
    """Turns code frames into audio chunks: a small first chunk, then larger ones.

    Each decode covers the new frames plus ``left_context`` earlier frames (for a cloned
    voice the context starts as the reference codes), and keeps only the new samples.
    """

    def __init__(self, codec: Any, samples_per_frame: int, *, context: Any = None,
                 first_chunk: int = DEFAULT_FIRST_CHUNK,
                 chunks: Sequence[int] = DEFAULT_CHUNKS,
                 left_context: int = DEFAULT_LEFT_CONTEXT) -> None:
        import torch

        self._torch = torch
        self._codec = codec  # the speech tokenizer's decoder module
        self._spf = samples_per_frame
        self._schedule = [max(1, int(first_chunk)), *[max(1, int(c)) for c in chunks]]
        self._left = max(0, int(left_context))
        self._history: list[Any] = []
        if context is not None and len(context):
            self._history = list(context[-self._left:]) if self._left else []
        self._pending: list[Any] = []
        self.chunks_emitted = 0
        self.frames_decoded = 0

    @property
    def pending(self) -> int:
        return len(self._pending)

    def _next_size(self) -> int:
        return self._schedule[min(self.chunks_emitted, len(self._schedule) - 1)]

    def push(self, frame: Any) -> np.ndarray | None:
        """Add one frame (Q codes); returns audio when a chunk is complete."""
        self._pending.append(frame)
        if len(self._pending) >= self._next_size():
            return self._decode()
        return None

    def flush(self) -> np.ndarray | None:
        return self._decode() if self._pending else None

    def _decode(self) -> np.ndarray:
        torch = self._torch
        context = self._history[-self._left:] if self._left else []
        frames = context + self._pending
        codes = torch.stack(frames).to(torch.long).clamp(min=0)  # (T, Q)
        param = next(self._codec.parameters())
        with torch.inference_mode():
            wav = self._codec(codes.T.unsqueeze(0).to(param.device))  # (1, 1, T * spf)
        start = len(context) * self._spf
        audio = wav[0, 0, start:].float().cpu().numpy().astype(np.float32, copy=False)
        self._history.extend(self._pending)
        if self._left:
            self._history = self._history[-self._left:]
        self.frames_decoded += len(self._pending)
        self._pending = []
        self.chunks_emitted += 1
        return audio
