"""From generated samples to the bytes a response carries: the tempo change (``speed``),
then the encoder of the requested ``response_format``; whole, or chunk by chunk."""

from __future__ import annotations

import threading

import numpy as np

from studio.audio.encoding import FORMATS, STREAMABLE, StreamEncoder, encode
from studio.audio.tempo import TempoStream, change_tempo
from studio.server.errors import ApiError


def check_format(fmt: str, stream: bool) -> str:
    name = (fmt or "").strip().lower()
    if name not in FORMATS:
        raise ApiError(400, f"response_format {fmt!r} is not available. Choose one of: "
                       f"{', '.join(FORMATS)}.", "unsupported_format", param="response_format")
    if stream and name not in STREAMABLE:
        raise ApiError(400, f"{name} cannot be streamed (its header needs the whole length). "
                       f"Stream one of {', '.join(STREAMABLE)}, or send \"stream\": false.",
                       "unsupported_format", param="response_format")
    return name


def whole_file(audio: np.ndarray, sample_rate: int, fmt: str, speed: float = 1.0) -> bytes:
    """A finished take at ``speed``, as one file (seconds of CPU at most: run off the loop)."""
    return encode(change_tempo(audio, sample_rate, speed), sample_rate, fmt)


class AudioPipe:
    """Chunks in, encoded bytes out, for a streamed take. Pushes run on worker threads, and
    a stream that ends early closes the pipe from the event loop, perhaps while a push is
    still encoding: the lock keeps FFmpeg from being closed under it."""

    def __init__(self, fmt: str, sample_rate: int, speed: float = 1.0) -> None:
        self.tempo = TempoStream(sample_rate, speed)
        self.encoder = StreamEncoder(fmt, sample_rate)
        self._lock = threading.Lock()

    def header(self) -> bytes:
        with self._lock:
            return self.encoder.header()

    def push(self, chunk: np.ndarray) -> bytes:
        with self._lock:
            return self.encoder.push(self.tempo.push(chunk))

    def finish(self) -> bytes:
        with self._lock:
            return self.encoder.push(self.tempo.finish()) + self.encoder.finish()

    def close(self) -> None:
        with self._lock:
            self.encoder.close()
