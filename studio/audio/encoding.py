"""Audio bytes in the six formats of OpenAI's speech API, through PyAV (FFmpeg's encoders).

``encode`` makes a whole file; ``StreamEncoder`` makes the same format piece by piece
while a take is generated, handing out every byte as soon as the muxer has written it.
A whole file is written to a seekable buffer, so its container header carries the real
length (WAV sizes, FLAC's sample count, MP3's gapless Xing/LAME frame); a stream cannot
seek back, so a streamed WAV says "unknown length" (0xFFFFFFFF, which players accept)
and a streamed MP3 or AAC decodes with the encoder's few milliseconds of padding.

Samples are clipped to [-1, 1] (and NaN/inf made finite) before encoding, so loud audio
saturates instead of wrapping around.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

import numpy as np

FORMATS = ("mp3", "opus", "aac", "flac", "wav", "pcm")
#: formats that can be sent while the take is generated (FLAC's header wants the length)
STREAMABLE = ("mp3", "opus", "aac", "wav", "pcm")
MEDIA_TYPES = {"mp3": "audio/mpeg", "opus": "audio/ogg", "aac": "audio/aac",
               "flac": "audio/flac", "wav": "audio/wav", "pcm": "audio/pcm"}
EXTENSIONS = {"mp3": ".mp3", "opus": ".opus", "aac": ".aac", "flac": ".flac", "wav": ".wav",
              "pcm": ".pcm"}


@dataclass(frozen=True)
class Spec:
    muxer: str
    codec: str
    frame_format: str  # what we hand the encoder: "s16" (we round) or "flt"
    bit_rate: int | None = None
    options: dict[str, str] = field(default_factory=dict)  # muxer options


SPECS = {
    "mp3": Spec("mp3", "libmp3lame", "flt", 128_000),
    # an Ogg page per ~20 ms, so a streamed page never waits for the next chunk of audio
    "opus": Spec("ogg", "libopus", "flt", 64_000, {"page_duration": "20000"}),
    "aac": Spec("adts", "aac", "flt", 96_000),
    "flac": Spec("flac", "flac", "s16"),
    "wav": Spec("wav", "pcm_s16le", "s16"),
    "pcm": Spec("s16le", "pcm_s16le", "s16"),
}
# bitexact: no "Lavf"/"Lavc" version tags (a plain 44-byte WAV header, the same bytes on
# every FFmpeg); flush_packets: each packet reaches the output at once instead of waiting
# in FFmpeg's write buffer
MUXER_OPTIONS = {"fflags": "+bitexact", "flush_packets": "1"}


def check(fmt: str) -> str:
    """The format's canonical name; ValueError for one not in FORMATS."""
    name = (fmt or "").strip().lower()
    if name not in FORMATS:
        raise ValueError(f"unknown audio format {fmt!r}; one of {', '.join(FORMATS)}")
    return name


def clean(audio: np.ndarray) -> np.ndarray:
    """float32 mono in [-1, 1], NaN as silence: what every encoder here is given."""
    x = np.asarray(audio, dtype=np.float32).reshape(-1)
    return np.clip(np.nan_to_num(x, nan=0.0, posinf=1.0, neginf=-1.0), -1.0, 1.0)


def s16(audio: np.ndarray) -> np.ndarray:
    """float [-1, 1] -> int16, symmetric (1.0 -> 32767, -1.0 -> -32767), clipped."""
    return np.rint(clean(audio) * 32767.0).astype(np.int16)


def encoding_rate(codec: str, sample_rate: int) -> int:
    """The rate to encode at: ``sample_rate`` where the codec takes it, else the nearest
    rate above it that it does (Opus: 8/12/16/24/48 kHz)."""
    import av

    rates = av.codec.Codec(codec, "w").audio_rates
    if not rates or sample_rate in rates:
        return sample_rate
    above = sorted(r for r in rates if r >= sample_rate)
    return above[0] if above else max(rates)


class _Sink:
    """A write-only file for the muxer: no seek, so it never rewrites what it has sent."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []

    def write(self, data: Any) -> int:
        self.parts.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        out = b"".join(self.parts)
        self.parts.clear()
        return out


class _Writer:
    """One PyAV output container with one mono audio stream."""

    def __init__(self, fmt: str, sample_rate: int, output: Any) -> None:
        import av

        self.fmt = check(fmt)
        self.spec = SPECS[self.fmt]
        self.sample_rate = int(sample_rate)
        if self.sample_rate <= 0:
            raise ValueError(f"sample rate must be positive, not {sample_rate}")
        self.container = av.open(output, "w", format=self.spec.muxer,
                                 options={**MUXER_OPTIONS, **self.spec.options})
        try:
            rate = encoding_rate(self.spec.codec, self.sample_rate)
            self.stream = self.container.add_stream(self.spec.codec, rate=rate, layout="mono",
                                                    options={"flags": "+bitexact"})
            if self.spec.bit_rate:
                self.stream.codec_context.bit_rate = self.spec.bit_rate
        except Exception:
            self.container.close()
            raise
        self.samples = 0
        self.started = self.closed = False

    def start(self) -> None:
        """Write the container header (FFmpeg otherwise waits for the first packet, and a
        take with no audio would come out as no file at all)."""
        if not self.started and not self.closed:
            self.started = True
            self.container.start_encoding()

    def write(self, audio: np.ndarray) -> None:
        import av

        if self.closed:  # dropped (the listener went away): nothing more to write
            return
        data = s16(audio) if self.spec.frame_format == "s16" else clean(audio)
        self.start()
        if data.size == 0:
            return
        frame = av.AudioFrame.from_ndarray(data.reshape(1, -1), format=self.spec.frame_format,
                                           layout="mono")
        frame.sample_rate = self.sample_rate
        frame.pts = self.samples
        self.samples += data.size
        for packet in self.stream.encode(frame):
            self.container.mux(packet)

    def finish(self) -> None:
        if self.closed:
            return
        self.start()
        for packet in self.stream.encode(None):
            self.container.mux(packet)
        self.close()

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self.container.close()


def encode(audio: np.ndarray, sample_rate: int, fmt: str) -> bytes:
    """A whole take as one file of ``fmt`` (or raw s16le samples for "pcm")."""
    buf = io.BytesIO()
    writer = _Writer(fmt, sample_rate, buf)
    try:
        writer.write(audio)
        writer.finish()
    finally:
        writer.close()
    return buf.getvalue()


class StreamEncoder:
    """``fmt`` made piece by piece: ``header()`` first, ``push(chunk)`` per float32 chunk,
    ``finish()`` at the end; each returns the bytes that are ready (possibly none)."""

    def __init__(self, fmt: str, sample_rate: int) -> None:
        if check(fmt) not in STREAMABLE:
            raise ValueError(f"{fmt} cannot be streamed; one of {', '.join(STREAMABLE)}")
        self.fmt = check(fmt)
        self._sink = _Sink()
        self._writer = _Writer(self.fmt, sample_rate, self._sink)

    @property
    def media_type(self) -> str:
        return MEDIA_TYPES[self.fmt]

    def header(self) -> bytes:
        """What the container writes before any audio (an ID3 tag, Ogg's Opus headers,
        WAV's RIFF header; nothing for raw PCM and ADTS)."""
        self._writer.start()
        return self._sink.take()

    def push(self, audio: np.ndarray) -> bytes:
        out = self.header()
        self._writer.write(audio)
        return out + self._sink.take()

    def finish(self) -> bytes:
        """What the encoder still held (its last frames, the container's trailer)."""
        out = self.header()
        self._writer.finish()
        return out + self._sink.take()

    def close(self) -> None:
        """Drop the encoder without finishing (the client went away)."""
        self._writer.close()


def decode(data: bytes, fmt: str, pcm_rate: int = 24000) -> tuple[np.ndarray, int]:
    """(float32 mono, its rate) from bytes of ``fmt``, as a player decodes them: how the
    self-test and the tests check what was encoded. Opus decodes at 48 kHz whatever it was
    made from; raw "pcm" has no header, so its rate is ``pcm_rate``."""
    if check(fmt) == "pcm":
        usable = len(data) - len(data) % 2
        return np.frombuffer(data[:usable], "<i2").astype(np.float32) / 32767.0, pcm_rate
    import av

    parts: list[np.ndarray] = []
    rate = 0
    to_float = av.AudioResampler(format="flt", layout="mono")
    with av.open(io.BytesIO(data)) as container:
        for frame in container.decode(audio=0):
            rate = frame.sample_rate
            parts += [f.to_ndarray().reshape(-1) for f in to_float.resample(frame)]
    audio = np.concatenate(parts) if parts else np.zeros(0, dtype=np.float32)
    return audio.astype(np.float32, copy=False), rate
