"""The reference clip on disk: a 24 kHz mono WAV, exactly the samples cloning used.

Written as 32-bit float so nothing is lost between what the model heard and what is kept.
A clip that is already a 24 kHz mono WAV is copied byte for byte.
"""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import numpy as np

from studio.audio.errors import not_a_file_message
from studio.audio.samplerate import SAMPLE_RATE
from studio.audio.writer import write_audio
from studio.engine.reference import resample, to_mono
from studio.errors import InvalidInput
from studio.library import limits


def prepare(audio: np.ndarray, sample_rate: int) -> np.ndarray:
    """Mono float32 at 24 kHz; refuses empty or non-finite audio."""
    if not isinstance(sample_rate, int | np.integer) or sample_rate <= 0:
        raise InvalidInput("The reference clip has no valid sample rate.")
    arr = np.asarray(audio)
    if arr.size == 0:
        raise InvalidInput("The reference clip is empty. Record or import a clip first.")
    mono = to_mono(arr)
    if not np.isfinite(mono).all():
        raise InvalidInput("The reference clip contains invalid samples (NaN or infinity).")
    if len(mono) / sample_rate > limits.REFERENCE_SECONDS:
        raise InvalidInput(f"The reference clip is longer than {limits.REFERENCE_SECONDS // 60} "
                           "minutes. "
                           "Trim it to the 5-15 seconds of clean speech cloning needs.")
    # at most a sample of rounding beyond the limit, which check() would refuse
    return resample(mono, int(sample_rate), SAMPLE_RATE)[: limits.REFERENCE_SECONDS * SAMPLE_RATE]


def write(path: Path, audio: np.ndarray, sample_rate: int) -> float:
    """Write the clip (into a stage the caller commits); returns its length in seconds."""
    data = prepare(audio, sample_rate)
    write_audio(path, data, SAMPLE_RATE, format="WAV", subtype="FLOAT")
    return len(data) / SAMPLE_RATE


def store_file(src: Path, dest: Path) -> float:
    """Keep a clip file as the reference: byte copy if already right, else converted."""
    import soundfile as sf

    if not src.is_file():
        raise InvalidInput(not_a_file_message(src, "reference file"))
    if is_reference_format(src):
        shutil.copyfile(src, dest)
        return check(dest)
    try:
        data, sr = sf.read(str(src), dtype="float32", always_2d=True)
    except (sf.LibsndfileError, RuntimeError, ValueError, OSError) as exc:
        raise InvalidInput(f"{src.name} cannot be read as audio ({_first_line(exc)}).") from exc
    return write(dest, data, int(sr))


def is_reference_format(path: Path) -> bool:
    """Already a 24 kHz mono WAV, so it can be kept byte for byte."""
    info = _info(path)
    return info.format == "WAV" and info.channels == 1 and info.samplerate == SAMPLE_RATE


def check(path: Path, full: bool = False) -> float:
    """Refuse a reference that is not what the format promises, a readable, non-empty mono
    WAV at 24 kHz of at most the longest reference (limits.py); return its seconds.

    The header is enough for listing; ``full`` decodes every sample (imports).
    """
    info = _info(path)
    if info.format != "WAV":
        raise InvalidInput(f"{path.name} is not a WAV file")
    if info.channels != 1 or info.frames <= 0 or info.samplerate <= 0:
        raise InvalidInput(f"{path.name} is not a non-empty mono clip")
    if info.samplerate != SAMPLE_RATE:
        raise InvalidInput(f"{path.name} is at {info.samplerate} Hz, not the "
                           f"{SAMPLE_RATE} Hz a voice's reference is kept at")
    if info.frames > limits.REFERENCE_SECONDS * SAMPLE_RATE:
        raise InvalidInput(f"{path.name} is longer than {limits.REFERENCE_SECONDS // 60} "
                           "minutes, the longest reference a voice keeps")
    if full:
        check_bytes(path.read_bytes(), path.name)
    return info.frames / info.samplerate


def check_bytes(data: bytes, name: str = "reference.wav") -> None:
    import soundfile as sf

    try:
        samples, _sr = sf.read(io.BytesIO(data), dtype="float32", always_2d=True)
    except (sf.LibsndfileError, RuntimeError, ValueError, OSError) as exc:
        raise InvalidInput(f"{name} cannot be read ({_first_line(exc)})") from exc
    if samples.size == 0 or not np.isfinite(samples).all():
        raise InvalidInput(f"{name} is empty or holds invalid samples")


def check_original(path: Path) -> None:
    """An original kept beside a reference is the audio file the user imported: refuse
    anything else (a voice file from elsewhere must not smuggle other files in)."""
    info = _info(path)
    if info.frames <= 0 or info.samplerate <= 0 or info.channels <= 0:
        raise InvalidInput(f"{path.name} holds no audio")


def keep_original(stage: Path, original: Path | str | None, item_original: Path | None = None,
                  item_name: str | None = None) -> tuple[str | None, str | None]:
    """Keep the file the user imported as ``original.<ext>`` in ``stage``; returns its file
    name there and its name on the user's disk (both None when there is none).

    ``original`` is a file given by the caller (copied); otherwise an unsaved clip's kept
    import ``item_original`` is linked in (it lives on the same disk)."""
    from studio.library.previews import link_or_copy

    if original is None and item_original is None:
        return None, None
    src = Path(original) if original is not None else item_original
    assert src is not None
    if not src.is_file():
        raise InvalidInput(not_a_file_message(src, "original file"))
    ext = src.suffix.lower().lstrip(".")
    ext = ext if ext.isascii() and ext.isalnum() and len(ext) <= 8 else "bin"
    dest = stage / f"original.{ext}"
    if original is not None:
        shutil.copyfile(src, dest)
        return dest.name, src.name[:255]
    link_or_copy(src, dest)
    return dest.name, (item_name or src.name)[:255]


def _info(path: Path):
    import soundfile as sf

    try:
        return sf.info(str(path))
    except (sf.LibsndfileError, RuntimeError, ValueError, OSError) as exc:
        raise InvalidInput(f"{path.name} cannot be read as audio ({_first_line(exc)})") from exc


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
