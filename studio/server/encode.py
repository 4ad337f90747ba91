"""Audio bytes for the wire: WAV, raw PCM (s16le), FLAC, MP3 where libsndfile writes it.

WAV and PCM are written here, not by libsndfile, so a streamed take and the same take
returned whole carry exactly the same samples: a streamed WAV is the whole-file WAV with
the sizes in its header left "unknown" (0xFFFFFFFF), which players and libsndfile accept.
"""

from __future__ import annotations

import io
import struct

import numpy as np

from studio.audio.files import export_formats
from studio.server.errors import ApiError

STREAMABLE = ("wav", "pcm")
MEDIA_TYPES = {"wav": "audio/wav", "pcm": "audio/pcm", "flac": "audio/flac",
               "mp3": "audio/mpeg"}
UNKNOWN_SIZE = 0xFFFFFFFF


def formats() -> tuple[str, ...]:
    """What ``response_format`` may be here: wav, pcm, flac, and mp3 if libsndfile has it."""
    have = export_formats()
    return ("wav", "pcm") + tuple(f for f in ("flac", "mp3") if f in have)


def check_format(fmt: str, stream: bool) -> str:
    fmt = (fmt or "").strip().lower()
    if fmt not in formats():
        raise ApiError(400, f"response_format {fmt!r} is not available here. Choose one of: "
                       f"{', '.join(formats())}.", "unsupported_format", param="response_format")
    if stream and fmt not in STREAMABLE:
        raise ApiError(400, f"Streaming sends wav or pcm, not {fmt}. Ask for wav or pcm, or "
                       "turn streaming off.", "unsupported_format", param="response_format")
    return fmt


def s16le(audio: np.ndarray) -> bytes:
    """float32 [-1, 1] -> 16-bit little-endian PCM, clipped rather than wrapped."""
    x = np.clip(np.nan_to_num(np.asarray(audio, dtype=np.float32)), -1.0, 1.0)
    return np.rint(x * 32767.0).astype("<i2").tobytes()


def wav_header(sample_rate: int, data_bytes: int | None = None) -> bytes:
    """A 44-byte PCM WAV header; ``data_bytes=None`` for a stream of unknown length."""
    data = UNKNOWN_SIZE if data_bytes is None else data_bytes
    riff = UNKNOWN_SIZE if data_bytes is None else 36 + data_bytes
    return struct.pack("<4sI4s4sIHHIIHH4sI", b"RIFF", riff, b"WAVE", b"fmt ", 16, 1, 1,
                       sample_rate, sample_rate * 2, 2, 16, b"data", data)


def encode(audio: np.ndarray, sample_rate: int, fmt: str) -> bytes:
    """A whole take as one file (or raw PCM)."""
    if fmt == "pcm":
        return s16le(audio)
    if fmt == "wav":
        pcm = s16le(audio)
        return wav_header(sample_rate, len(pcm)) + pcm
    import soundfile as sf

    subtype = {"flac": "PCM_16", "mp3": "MPEG_LAYER_III"}[fmt]
    buf = io.BytesIO()
    data = np.clip(np.asarray(audio, dtype=np.float32), -1.0, 1.0)
    if data.size == 0:  # libsndfile refuses to encode nothing: a file with no samples
        data = np.zeros(1, dtype=np.float32)
    sf.write(buf, data, sample_rate, format=fmt.upper(), subtype=subtype)
    return buf.getvalue()


class StreamEncoder:
    """Bytes for a take sent while it is generated: a header, then each chunk."""

    def __init__(self, fmt: str, sample_rate: int) -> None:
        if fmt not in STREAMABLE:
            raise ValueError(fmt)
        self.fmt, self.sample_rate = fmt, sample_rate

    def header(self) -> bytes:
        return wav_header(self.sample_rate) if self.fmt == "wav" else b""

    def chunk(self, audio: np.ndarray) -> bytes:
        return s16le(audio)
