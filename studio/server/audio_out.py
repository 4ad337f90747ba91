"""From generated samples to the bytes a response carries: the tempo change (``speed``),
then the encoder of the requested ``response_format``; whole, or chunk by chunk."""

from __future__ import annotations

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
    """Chunks in, encoded bytes out, for a streamed take; not thread-safe (one caller)."""

    def __init__(self, fmt: str, sample_rate: int, speed: float = 1.0) -> None:
        self.tempo = TempoStream(sample_rate, speed)
        self.encoder = StreamEncoder(fmt, sample_rate)
        self.samples_out = 0  # after the tempo change

    def header(self) -> bytes:
        return self.encoder.header()

    def push(self, chunk: np.ndarray) -> bytes:
        audio = self.tempo.push(chunk)
        self.samples_out += len(audio)
        return self.encoder.push(audio)

    def finish(self) -> bytes:
        audio = self.tempo.finish()
        self.samples_out += len(audio)
        return self.encoder.push(audio) + self.encoder.finish()

    def close(self) -> None:
        self.encoder.close()
