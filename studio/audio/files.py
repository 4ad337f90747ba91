"""Audio files in and out: import any libsndfile format to a mono clip, export atomically.

Import looks at the header before decoding anything, so an hour-long file is refused in
microseconds instead of being read into memory, and decodes block by block (mix down,
resample as it goes) so a long 8-channel 192 kHz file never sits in memory whole.
"""

from __future__ import annotations

import functools
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import soundfile as sf

from studio.audio.clip import Clip, SourceInfo, StreamResampler, to_mono
from studio.audio.errors import (
    AudioError,
    AudioFileMissing,
    AudioTooLong,
    AudioTooShort,
    InvalidSamples,
    UnreadableAudio,
    UnsupportedFormat,
)
from studio.audio.samplerate import SAMPLE_RATE
from studio.audio.writer import write_audio
from studio.errors import DiskFull
from studio.fsutil import atomic_copy

#: a reference import longer than this is refused (configurable per call)
MAX_IMPORT_SECONDS = 600.0
#: shorter than this is not a recording of anything
MIN_IMPORT_SECONDS = 0.1

_READ_BLOCK = 1 << 16
_USE = "Use a WAV, FLAC, OGG or MP3 file"
_WAV_DATA = re.compile(r"^data\s*:\s*(\d+)\s*\(should be (\d+)\)", re.MULTILINE)
_UNKNOWN_SIZES = {0, 0xFFFFFFFF, 0x7FFFFFFF, 0xFFFFFFFE}
_LIBSNDFILE_ERRORS = (sf.LibsndfileError, RuntimeError, ValueError, OSError)

_EXTENSIONS = {".wav": "WAV", ".wave": "WAV", ".flac": "FLAC", ".ogg": "OGG", ".oga": "OGG",
               ".mp3": "MP3"}
_DEFAULT_SUBTYPES = {"WAV": "PCM_16", "FLAC": "PCM_16", "OGG": "VORBIS",
                     "MP3": "MPEG_LAYER_III"}


def _reason(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    # libsndfile's MP3 reader says "File does not exist..." for anything it cannot parse
    if "does not exist or is not a regular file" in text or "not recognised" in text:
        return "format not recognised"
    text = re.sub(r"^Error( opening .*?)?\s*:\s*", "", text)
    return text.rstrip(". ")


def _length(seconds: float) -> str:
    if seconds >= 3600:
        return f"{int(seconds // 3600)} h {int(seconds % 3600 // 60)} min"
    if seconds >= 60:
        return f"{int(seconds // 60)} min {int(seconds % 60)} s"
    return f"{seconds:.2f} s"


def probe(path: Path | str) -> SourceInfo:
    """Read only the header; raise a typed error for missing, empty or unreadable files."""
    path = Path(path)
    if not path.is_file():
        raise AudioFileMissing(str(path))
    if path.stat().st_size == 0:
        raise UnreadableAudio(f"{path.name} is empty (0 bytes). Export or copy it again.")
    try:
        info = sf.info(str(path))
    except _LIBSNDFILE_ERRORS as exc:
        raise UnreadableAudio(
            f"{path.name} cannot be read as audio ({_reason(exc)}). It may be damaged, or be "
            f"another kind of file with an audio extension. {_USE}."
        ) from exc
    if info.samplerate <= 0 or info.channels <= 0:
        raise UnreadableAudio(f"{path.name} has no valid sample rate or channels. {_USE}.")
    if info.frames <= 0:
        raise UnreadableAudio(f"{path.name} contains no audio. {_USE} with a recording in it.")
    _check_wav_complete(path, info)
    return SourceInfo(sample_rate=int(info.samplerate), channels=int(info.channels),
                      frames=int(info.frames), format=info.format, subtype=info.subtype,
                      path=path)


def _check_wav_complete(path: Path, info: Any) -> None:
    """A WAV whose data chunk promises more than the file holds was cut off."""
    if info.format not in ("WAV", "WAVEX", "RF64"):
        return
    match = _WAV_DATA.search(info.extra_info or "")
    if not match:
        return
    declared, actual = int(match.group(1)), int(match.group(2))
    if declared in _UNKNOWN_SIZES or declared <= actual:
        return  # streamed WAVs leave the size unknown; that is fine
    promised = info.duration * declared / max(actual, 1)
    raise UnreadableAudio(
        f"{path.name} is incomplete: its header promises {promised:.2f} s of audio but the "
        f"file holds only {info.duration:.2f} s (it was probably cut off while copying or "
        "recording). Copy or export it again."
    )


def read_mono(
    path: Path | str,
    target_rate: int = SAMPLE_RATE,
    *,
    max_seconds: float | None = MAX_IMPORT_SECONDS,
    min_seconds: float = MIN_IMPORT_SECONDS,
) -> tuple[np.ndarray, SourceInfo]:
    """Decode block by block to mono float32 at ``target_rate``; returns (audio, original)."""
    info = probe(path)
    name = info.path.name if info.path else str(path)
    if max_seconds is not None and info.duration > max_seconds:
        raise AudioTooLong(
            f"{name} is {_length(info.duration)} long; imports are limited to "
            f"{_length(max_seconds)}. Cut out the part you need (5-15 s of clear speech is "
            "best for cloning) in an audio editor and import that."
        )
    limit = None if max_seconds is None else int(max_seconds * info.sample_rate) + 1
    resampler = StreamResampler(info.sample_rate, target_rate)
    parts: list[np.ndarray] = []
    frames = 0
    try:
        with sf.SoundFile(str(info.path)) as f:
            while True:
                block = f.read(_READ_BLOCK, dtype="float32", always_2d=True)
                if block.shape[0] == 0:
                    break
                frames += block.shape[0]
                if limit is not None and frames > limit:
                    raise AudioTooLong(
                        f"{name} is longer than {_length(max_seconds or 0)}, the import limit. "
                        "Cut out the part you need in an audio editor and import that."
                    )
                mono = to_mono(block, channels_last=True)
                if not np.isfinite(mono).all():
                    raise InvalidSamples(
                        f"{name} contains invalid samples (NaN or infinity). Re-export it "
                        "from your audio editor, for example as 16-bit WAV."
                    )
                parts.append(resampler.process(mono))
    except AudioError:
        raise
    except _LIBSNDFILE_ERRORS as exc:
        where = f" after {frames / info.sample_rate:.2f} s" if frames else ""
        raise UnreadableAudio(
            f"{name} is damaged or incomplete: decoding failed{where} ({_reason(exc)}). "
            "Copy or export it again."
        ) from exc
    _check_length(name, info, frames, min_seconds)
    parts.append(resampler.flush())
    audio = np.concatenate(parts) if parts else np.zeros(0, dtype=np.float32)
    return audio, replace(info, frames=frames)


def _check_length(name: str, info: SourceInfo, frames: int, min_seconds: float) -> None:
    # MP3 headers only estimate the length; other formats state it exactly
    slack = 0.10 if info.format == "MP3" else 0.02
    if frames < info.frames * (1.0 - slack) - 0.05 * info.sample_rate:
        raise UnreadableAudio(
            f"{name} is incomplete: it should hold {info.duration:.2f} s of audio but only "
            f"{frames / info.sample_rate:.2f} s could be decoded (it was probably cut off). "
            "Copy or export it again."
        )
    if frames == 0:
        raise UnreadableAudio(f"{name} contains no audio. {_USE} with a recording in it.")
    if frames < max(2, int(min_seconds * info.sample_rate)):
        what = "1 sample" if frames == 1 else f"{frames} samples"
        raise AudioTooShort(
            f"{name} holds only {what} ({frames / info.sample_rate:.3f} s) of audio. Import "
            "a recording of someone speaking, ideally 5-15 seconds long."
        )


def keep_original(path: Path | str, folder: Path | str, name: str | None = None) -> Path:
    """Copy the imported file into ``folder`` atomically; never overwrites (adds -2, -3...)."""
    src = Path(path)
    if not src.is_file():
        raise AudioFileMissing(str(src))
    folder = Path(folder)
    base = Path(name or src.name)
    dest = folder / base.name
    n = 2
    while dest.exists():
        dest = folder / f"{base.stem}-{n}{base.suffix}"
        n += 1
    atomic_copy(src, dest)
    return dest


def import_clip(
    path: Path | str,
    target_rate: int = SAMPLE_RATE,
    *,
    max_seconds: float | None = MAX_IMPORT_SECONDS,
    min_seconds: float = MIN_IMPORT_SECONDS,
    keep_in: Path | str | None = None,
) -> Clip:
    """Any readable file -> mono float32 Clip at ``target_rate``, with the original's facts.

    With ``keep_in`` the original file is copied there (atomically) once it has decoded
    cleanly; a failed import leaves nothing behind.
    """
    audio, info = read_mono(path, target_rate, max_seconds=max_seconds,
                            min_seconds=min_seconds)
    if keep_in is not None:
        info = replace(info, kept_path=keep_original(path, keep_in))
    return Clip(audio=audio, sample_rate=int(target_rate), source=info)


@functools.cache
def export_formats() -> tuple[str, ...]:
    """The formats ``save_audio`` can write here ("wav", "flac", "ogg", and "mp3" if built in)."""
    available = sf.available_formats()
    out = []
    for fmt, subtype in _DEFAULT_SUBTYPES.items():
        if fmt in available and subtype in sf.available_subtypes(fmt):
            out.append(fmt.lower())
    return tuple(out)


def format_for(path: Path | str, format: str | None = None) -> str:
    """The libsndfile format name for an explicit ``format`` or the file's extension."""
    if format:
        fmt = format.upper().lstrip(".")
        fmt = _EXTENSIONS.get("." + fmt.lower(), fmt)
    else:
        fmt = _EXTENSIONS.get(Path(path).suffix.lower(), "")
    if not fmt:
        raise UnsupportedFormat(
            f"Cannot tell which format to write for {Path(path).name}. Use a .wav, .flac, "
            ".ogg or .mp3 name."
        )
    if fmt.lower() not in export_formats():
        raise UnsupportedFormat(
            f"This installation cannot write {fmt} files. Choose one of: "
            f"{', '.join(f.upper() for f in export_formats())}."
        )
    return fmt


def save_audio(
    path: Path | str,
    audio: np.ndarray,
    sr: int,
    format: str | None = None,
    subtype: str | None = None,
) -> Path:
    """Write (n,) or (n, channels) float audio atomically (writer.py; a full disk is
    DiskFull); the format comes from the name unless given. PCM output is clipped to full
    scale rather than wrapping around."""
    path = Path(path)
    fmt = format_for(path, format)
    sub = subtype or _DEFAULT_SUBTYPES[fmt]
    data = np.asarray(audio, dtype=np.float32)
    if data.ndim not in (1, 2) or data.shape[0] == 0:
        raise AudioError("There is no audio to save. Record or generate something first.")
    if int(sr) <= 0:
        raise AudioError(f"Cannot save audio at {sr} Hz. Use a positive sample rate.")
    if not np.isfinite(data).all():
        raise InvalidSamples("The audio contains invalid samples (NaN or infinity) and was "
                             "not saved. Generate or record it again.")
    if sub.startswith("PCM") or sub in ("ULAW", "ALAW"):
        data = np.clip(data, -1.0, 1.0)
    try:
        write_audio(path, data, int(sr), format=fmt, subtype=sub)
    except DiskFull:
        raise
    except OSError as exc:
        raise AudioError(f"{path.name} could not be written ({exc.strerror or exc}). Choose "
                         "a folder you can write to.") from exc
    except (sf.LibsndfileError, RuntimeError, ValueError, TypeError) as exc:
        raise UnsupportedFormat(
            f"{path.name} could not be written as {fmt} {sub} at {sr} Hz ({_reason(exc)}). "
            "Try WAV, which takes any rate."
        ) from exc
    return path
