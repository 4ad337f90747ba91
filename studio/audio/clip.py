"""The in-memory clip, and the one place that mixes to mono and resamples.

Everything else (import, the engine's reference preparation, recording at a device's own
rate, playback on a device that refuses 24 kHz) goes through ``to_mono`` and ``resample``
here, so there is exactly one resampler and one channel convention in the app.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from studio.audio.errors import AudioError
from studio.audio.samplerate import SAMPLE_RATE


@dataclass(frozen=True)
class SourceInfo:
    """What the original file (or device) was, before conversion to mono at the target rate."""

    sample_rate: int
    channels: int
    frames: int
    format: str = ""  # libsndfile major format, e.g. "WAV", "FLAC", "OGG", "MP3"; "" if not a file
    subtype: str = ""  # e.g. "PCM_16", "VORBIS"
    path: Path | None = None
    kept_path: Path | None = None  # where the original was copied, if it was kept

    @property
    def duration(self) -> float:
        return self.frames / float(self.sample_rate) if self.sample_rate > 0 else 0.0

    def to_dict(self) -> dict:
        return {
            "sample_rate": self.sample_rate,
            "channels": self.channels,
            "frames": self.frames,
            "duration": self.duration,
            "format": self.format,
            "subtype": self.subtype,
            "path": str(self.path) if self.path else None,
            "kept_path": str(self.kept_path) if self.kept_path else None,
        }


@dataclass
class Clip:
    """Mono float32 audio at ``sample_rate``, plus what it was made from."""

    audio: np.ndarray
    sample_rate: int = SAMPLE_RATE
    source: SourceInfo | None = field(default=None)

    def __post_init__(self) -> None:
        a = np.asarray(self.audio)
        if a.ndim != 1:
            raise AudioError("A clip must be mono. Mix it down with to_mono() first.")
        self.audio = a.astype(np.float32, copy=False)

    @property
    def frames(self) -> int:
        return int(self.audio.shape[0])

    @property
    def duration(self) -> float:
        return self.frames / float(self.sample_rate)


def to_mono(audio: np.ndarray, channels_last: bool | None = None) -> np.ndarray:
    """(n,) or 2-D -> (n,) float32 by averaging channels.

    ``channels_last=None`` guesses the layout: soundfile gives (frames, channels), torch
    gives (channels, frames); the shorter axis is taken to be the channels.
    """
    a = np.asarray(audio)
    if a.ndim == 2:
        if channels_last is None:
            channels_last = a.shape[1] <= a.shape[0]
        a = a if channels_last else a.T
        a = a[:, 0] if a.shape[1] == 1 else a.mean(axis=1, dtype=np.float32)
    elif a.ndim != 1:
        raise AudioError(
            f"The audio has an unexpected shape {a.shape}. Use a normal mono or stereo "
            "audio file."
        )
    return np.ascontiguousarray(a, dtype=np.float32)


def resample(audio: np.ndarray, sr_in: int, sr_out: int) -> np.ndarray:
    """High-quality (soxr "HQ") resampling of (n,) or (n, channels) float audio to float32."""
    sr_in, sr_out = int(sr_in), int(sr_out)
    if sr_in <= 0 or sr_out <= 0:
        raise AudioError(
            f"Invalid sample rate ({sr_in} Hz -> {sr_out} Hz). Re-export the audio as WAV."
        )
    a = np.asarray(audio, dtype=np.float32)
    if sr_in == sr_out:
        return a
    if a.shape[0] == 0:
        return np.zeros((0,) + a.shape[1:], dtype=np.float32)
    import soxr

    return np.asarray(soxr.resample(a, sr_in, sr_out, quality="HQ"), dtype=np.float32)


class StreamResampler:
    """Chunk-by-chunk resampling of a mono stream; gives the same samples as ``resample``.

    Used where the whole signal never sits in memory at its source rate (importing a long
    192 kHz file) or arrives in pieces (playback of a growing take on a device that will
    not run at the take's rate).
    """

    def __init__(self, sr_in: int, sr_out: int) -> None:
        self.sr_in, self.sr_out = int(sr_in), int(sr_out)
        if self.sr_in <= 0 or self.sr_out <= 0:
            raise AudioError(f"Invalid sample rate ({sr_in} Hz -> {sr_out} Hz).")
        self._stream = None
        if self.sr_in != self.sr_out:
            import soxr

            self._stream = soxr.ResampleStream(self.sr_in, self.sr_out, 1, dtype="float32",
                                               quality="HQ")

    def process(self, chunk: np.ndarray, last: bool = False) -> np.ndarray:
        x = np.ascontiguousarray(chunk, dtype=np.float32)
        if self._stream is None:
            return x
        return np.asarray(self._stream.resample_chunk(x, last=last), dtype=np.float32)

    def flush(self) -> np.ndarray:
        return self.process(np.zeros(0, dtype=np.float32), last=True)


def dbfs(value: float, floor: float = -120.0) -> float:
    """Linear amplitude (1.0 = full scale) -> dBFS, with a floor instead of -inf."""
    if value <= 0.0 or not np.isfinite(value):
        return floor
    return max(floor, 20.0 * float(np.log10(value)))
