"""Tagged audio files with chapter markers, through PyAV (FFmpeg's muxers).

M4B is AAC in an MP4 container, the audiobook format: chapter markers (a QuickTime chapter
track, which Apple Books and most players read), title/author/album tags and a cover image
(an attached picture); the narrator is the composer tag and the year the date. MP3 gets the
same as ID3v2 frames (CHAP, TIT2, TPE1, TCOM, TYER, APIC). WAV and FLAC carry title, artist,
album and date (libsndfile, no chapters: neither format has a common chapter
convention). Every file is written to a temporary sibling and renamed into place.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import numpy as np

from studio.audio.writer import GuardedFile, write_audio
from studio.fsutil import atomic_open

FORMATS = ("m4b", "mp3", "wav", "flac")
AAC_BIT_RATE = 96_000  # mono speech: transparent at this rate, ~43 MB an hour
MP3_BIT_RATE = 96_000
CHUNK = 1 << 16


@dataclass
class Tags:
    title: str = ""
    author: str = ""
    album: str = ""
    chapters: list[tuple[str, float, float]] = field(default_factory=list)  # title, start, end
    cover: bytes | None = None  # PNG or JPEG
    narrator: str = ""  # written as the composer: where audiobook players look for it
    year: str = ""


def image_size(data: bytes) -> tuple[int, int]:
    """(width, height) of a PNG or JPEG, read from its header."""
    if data.startswith(b"\x89PNG"):
        return struct.unpack(">II", data[16:24])
    k = 2
    while k + 9 < len(data):
        if data[k] != 0xFF:
            k += 1
            continue
        marker = data[k + 1]
        if marker in (0xC0, 0xC1, 0xC2, 0xC3):
            h, w = struct.unpack(">HH", data[k + 5:k + 9])
            return w, h
        k += 2 + struct.unpack(">H", data[k + 2:k + 4])[0]
    raise ValueError("no image size found in the JPEG header")


def _add_cover(container: object, cover: bytes) -> None:
    import av

    png = cover.startswith(b"\x89PNG")
    width, height = image_size(cover)
    stream = container.add_stream("png" if png else "mjpeg")  # type: ignore[attr-defined]
    stream.width, stream.height = width, height
    stream.pix_fmt = "rgb24" if png else "yuvj420p"
    stream.disposition = av.stream.Disposition.attached_pic
    packet = av.Packet(cover)
    packet.stream = stream
    packet.pts = packet.dts = 0
    container.mux(packet)  # type: ignore[attr-defined]


def _write_av(fh: object, audio: np.ndarray, sample_rate: int, fmt: str, tags: Tags,
              on_chunk: Callable[[float], None] | None) -> None:
    import av

    container_format = "mp4" if fmt == "m4b" else "mp3"
    options = {"brand": "M4B "} if fmt == "m4b" else {"id3v2_version": "3"}
    with av.open(fh, "w", format=container_format, options=options) as out:
        for key, value in (("title", tags.title), ("artist", tags.author),
                           ("album", tags.album or tags.title), ("genre", "Audiobook"),
                           ("composer", tags.narrator), ("date", tags.year)):
            if value:
                out.metadata[key] = value
        stream = out.add_stream("aac" if fmt == "m4b" else "libmp3lame", rate=sample_rate,
                                layout="mono")
        stream.bit_rate = AAC_BIT_RATE if fmt == "m4b" else MP3_BIT_RATE
        if tags.chapters:
            out.set_chapters([dict(id=k + 1, start=int(round(s * 1000)),
                                   end=int(round(e * 1000)), time_base=Fraction(1, 1000),
                                   metadata={"title": t})
                              for k, (t, s, e) in enumerate(tags.chapters)])
        if tags.cover:
            _add_cover(out, tags.cover)
        x = np.asarray(audio, dtype=np.float32)
        for k in range(0, len(x), CHUNK):
            frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(x[None, k:k + CHUNK]),
                                               format="flt", layout="mono")
            frame.sample_rate = sample_rate
            frame.pts = k
            frame.time_base = Fraction(1, sample_rate)
            for packet in stream.encode(frame):
                out.mux(packet)
            if on_chunk is not None:
                on_chunk(min(1.0, (k + CHUNK) / max(len(x), 1)))
        for packet in stream.encode(None):
            out.mux(packet)


def write(path: Path, audio: np.ndarray, sample_rate: int, fmt: str, tags: Tags,
          on_chunk: Callable[[float], None] | None = None) -> Path:
    """Write ``audio`` (float32 mono) as ``fmt`` at ``path``, atomically. ``on_chunk`` hears
    how far the encoding is (0-1); an exception it raises (a cancel) stops the write and
    leaves nothing behind."""
    fmt = fmt.lower()
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}")
    if fmt in ("m4b", "mp3"):
        with atomic_open(path) as fh:  # a full disk: DiskFull, and nothing left behind
            guarded = GuardedFile(fh)  # PyAV would report a failed write as its own error
            try:
                _write_av(guarded, audio, sample_rate, fmt, tags, on_chunk)
            except Exception:
                if guarded.error is not None:
                    raise guarded.error from None
                raise
            if guarded.error is not None:
                raise guarded.error
        return path
    named = {"title": tags.title, "artist": tags.author, "album": tags.album,
             "date": tags.year}
    return write_audio(path, np.clip(np.asarray(audio, dtype=np.float32), -1.0, 1.0),
                       sample_rate, format=fmt.upper(),
                       subtype="PCM_16" if fmt == "wav" else "PCM_24",
                       tags={k: v for k, v in named.items() if v})


def read_chapters(path: Path) -> tuple[dict[str, str], list[tuple[str, float, float]]]:
    """(tags, chapters) of a file, as a player reads them (for tests and reports)."""
    import av

    with av.open(str(path)) as f:
        chapters = [(c["metadata"].get("title", ""), float(c["start"] * c["time_base"]),
                     float(c["end"] * c["time_base"])) for c in f.chapters()]
        return dict(f.metadata), chapters
