"""True streaming on top of qwen-tts: capture code frames as the talker makes them, and
decode them into audio in small pieces while generation goes on.

qwen-tts only returns whole clips. Its talker's forward, though, returns at every decode
step the complete 16-codebook frame chosen at the previous step (``hidden_states[1]``). A
forward hook sees each frame the moment it exists; the codec decoder is causal, so
decoding each new group of frames with some frames of left context reproduces the
one-shot decode (codec_stream.py keeps the decoder's state, so no frame is decoded twice).
Cancellation raises from the same hooks, so generation stops within one
code-predictor step (a few ms on a GPU, ~40 ms on a CPU with the 0.6B model).
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

DEFAULT_FIRST_CHUNK = 4  # frames (320 ms): the first audio after 4 decode steps
DEFAULT_CHUNKS = (8, 12)  # then a steady size: the stateful decoder makes small chunks cheap,
# and evenly arriving audio needs less buffering before playback can start
DEFAULT_LEFT_CONTEXT = 25  # reference frames the decoder is warmed up on for a cloned voice


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

    def wait(self, timeout: float | None = None) -> bool:
        """Block until cancelled or ``timeout`` passes; True if cancelled."""
        return self._event.wait(timeout)


class StopGeneration(Exception):  # noqa: N818 - a signal, not an error
    """Raised inside the model's forward to end generation early."""


class FrameTap:
    """Hooks on the talker that report each finished code frame and honour cancel.

    Used as a context manager around ``model.generate(...)``; the hooks are removed on exit
    whatever happens.
    """

    def __init__(self, talker: Any, on_frame: Callable[[Any], None],
                 cancel: CancelToken | None = None,
                 poll: Callable[[], None] | None = None, *, whole_batch: bool = False) -> None:
        self._talker = talker
        self._whole_batch = whole_batch  # on_frame gets (B, Q) frames, not row 0's (Q,)
        self._on_frame = on_frame
        self._cancel = cancel
        self._poll = poll  # called between steps on the generating thread
        self._handles: list[Any] = []
        self.frames = 0

    def _check(self) -> None:
        if self._poll is not None:
            self._poll()
        if self._cancel is not None and self._cancel.cancelled:
            raise StopGeneration

    def _after_talker(self, _module: Any, _args: Any, output: Any) -> None:
        hidden = getattr(output, "hidden_states", None)
        codec_ids = hidden[1] if isinstance(hidden, tuple) and len(hidden) > 1 else None
        if codec_ids is not None:
            self.frames += 1
            self._on_frame(codec_ids if self._whole_batch else codec_ids[0])
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

    Frames are decoded exactly once by a stateful streaming decoder (codec_stream.py). For a
    cloned voice the decoder is first warmed up on the last ``left_context`` reference
    frames (as the one-shot decode has the reference in front of the new codes); that
    warm-up is cached per reference (``warm_decoder``), so later takes with the same voice
    skip it.
    """

    def __init__(self, codec: Any, samples_per_frame: int, *, context: Any = None,
                 first_chunk: int = DEFAULT_FIRST_CHUNK,
                 chunks: Sequence[int] = DEFAULT_CHUNKS,
                 left_context: int = DEFAULT_LEFT_CONTEXT) -> None:
        import torch

        self._torch = torch
        self._spf = samples_per_frame
        self._schedule = [max(1, int(first_chunk)), *[max(1, int(c)) for c in chunks]]
        self._device = next(codec.parameters()).device
        self._pending: list[Any] = []
        self.chunks_emitted = 0
        self.frames_decoded = 0
        self._decoder = warm_decoder(codec, context, left_context)

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
        codes = torch.stack(self._pending).to(torch.long).clamp(min=0)  # (T, Q)
        wav = self._decoder.decode(codes.T.unsqueeze(0).to(self._device))  # (1, 1, T * spf)
        audio = wav[0, 0].float().cpu().numpy().astype(np.float32, copy=False)
        self.frames_decoded += len(self._pending)
        self._pending = []
        self.chunks_emitted += 1
        return audio


_warm_cache: weakref.WeakKeyDictionary[Any, dict[bytes, Any]] = weakref.WeakKeyDictionary()
_WARM_CACHE_MAX = 8  # warm-ups kept per codec


def warm_decoder(codec: Any, context: Any = None,
                 left_context: int = DEFAULT_LEFT_CONTEXT) -> Any:
    """A StreamingCodecDecoder ready for a take's first frame: warmed up on the last
    ``left_context`` frames of ``context`` (a cloned voice's reference codes), else fresh.

    Warm-ups are cached per codec and reference; the cache is keyed weakly by the codec and
    its entries hold no reference to it, so unloading a model frees its codec (and the
    entries go with it).
    """
    import torch

    from studio.engine.codec_stream import StreamingCodecDecoder

    if context is None or not len(context) or left_context <= 0:
        return StreamingCodecDecoder(codec)
    warm = context[-int(left_context):].to(torch.long).clamp(min=0)
    key = warm.cpu().numpy().tobytes()
    per_codec = _warm_cache.setdefault(codec, {})
    cached = per_codec.get(key)
    if cached is None:
        warmed = StreamingCodecDecoder(codec)
        warmed.decode(warm.T.unsqueeze(0).to(next(codec.parameters()).device))
        if len(per_codec) >= _WARM_CACHE_MAX:
            per_codec.pop(next(iter(per_codec)))
        cached = per_codec[key] = warmed.detach()
    return cached.fork(codec)


_FLUSH = object()


class DecodeThread:
    """Runs a decoder (an IncrementalDecoder, or batch_decode.BatchDecoder) on a thread of
    its own, so that decoding one chunk overlaps
    generating the next frames (the talker leaves cores idle between its small matmuls).

    Decoded chunks wait in a queue until the generating thread collects them with
    ``ready()`` (it does so between every code-predictor step, so within ~1/15 of a frame):
    callers' chunk callbacks therefore always run on the generating thread, in order, which
    GUI toolkits rely on. ``finish()`` decodes what is left and waits for the thread.
    """

    def __init__(self, decoder: Any, threads: int | None = None) -> None:
        import queue

        self._decoder = decoder
        self._threads = threads
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._out: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="codec-decoder", daemon=True)
        self._thread.start()

    def push(self, frame: Any) -> None:
        self._queue.put(frame)

    def ready(self) -> list[Any]:
        """Chunks decoded so far and not yet collected, in order."""
        out = []
        while not self._out.empty():
            out.append(self._out.get())
        return out

    def finish(self) -> list[Any]:
        """Decode what is left; returns every chunk not collected yet."""
        self._queue.put(_FLUSH)
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self.ready()

    def _run(self) -> None:
        try:
            if self._threads:
                import torch

                torch.set_num_threads(self._threads)  # this thread's pool only
            while True:
                item = self._queue.get()
                chunk = self._decoder.flush() if item is _FLUSH else self._decoder.push(item)
                if chunk is not None and len(chunk):
                    self._out.put(chunk)
                if item is _FLUSH:
                    return
        except BaseException as exc:  # re-raised on the generating thread by finish()
            self._error = exc
            while self._queue.get() is not _FLUSH:  # drain so finish() returns
                pass


def decode_whole(model: Any, frames: list[Any], context: Any) -> np.ndarray:
    """The one-shot decode of a LoadedModel's frames, exactly as stock qwen-tts does it
    (reference codes first)."""
    import torch

    codes = torch.stack(frames)
    ref_len = 0
    if context is not None:
        ref_len = int(context.shape[0])
        codes = torch.cat([context.to(codes.device), codes], dim=0)
    with torch.inference_mode():
        wavs, _sr = model.qwen.model.speech_tokenizer.decode([{"audio_codes": codes}])
    wav = np.asarray(wavs[0], dtype=np.float32)
    return wav[ref_len * model.samples_per_frame:]
