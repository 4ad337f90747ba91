"""The last line of defence before a reference clip reaches the model.

The audio package's reference check gives a person a detailed report; this only refuses
clips the model cannot use at all (unreadable, empty, not finite, silent, too short), and
brings the clip to mono at the model's rate with a proper resampler.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from studio.audio import clip as _clip
from studio.audio.errors import AudioError, not_a_file_message
from studio.engine.errors import BadReference

MIN_SECONDS = 1.0  # what the model can use at all; the library's check wants 3 s
SILENCE_PEAK = 10 ** (-60 / 20)  # -60 dBFS


def to_mono(audio: np.ndarray) -> np.ndarray:
    """(n,), (n, channels) or (channels, n) -> (n,) float32 (studio.audio.clip.to_mono)."""
    try:
        return _clip.to_mono(audio)
    except AudioError as exc:
        raise BadReference("The reference clip has an unexpected shape. Import a normal "
                           "mono or stereo audio file.") from exc


def resample(audio: np.ndarray, sr_in: int, sr_out: int) -> np.ndarray:
    """soxr HQ resampling to float32 (studio.audio.clip.resample, the one resampler)."""
    try:
        return _clip.resample(audio, sr_in, sr_out)
    except AudioError as exc:
        raise BadReference(str(exc)) from exc


def prepare_reference(audio: np.ndarray, sample_rate: int, target_rate: int) -> np.ndarray:
    if audio is None or np.asarray(audio).size == 0:
        raise BadReference("The reference clip is empty. Record or import a clip of someone "
                           "speaking for 5-15 seconds.")
    if not sample_rate or sample_rate <= 0:
        raise BadReference("The reference clip has no valid sample rate. Re-export it as WAV.")
    mono = to_mono(audio)
    if not np.isfinite(mono).all():
        raise BadReference("The reference clip contains invalid samples (NaN or infinity). "
                           "Re-export it from your audio editor.")
    if len(mono) / float(sample_rate) < MIN_SECONDS:
        raise BadReference(
            f"The reference clip is only {len(mono) / float(sample_rate):.2f} s long; the "
            f"model needs at least {MIN_SECONDS:g} s. Use a clip of 5-15 s of speech for a "
            "faithful voice."
        )
    if float(np.max(np.abs(mono))) < SILENCE_PEAK:
        raise BadReference("The reference clip is silent. Check the microphone and record "
                           "again, or import another file.")
    return resample(mono, int(sample_rate), int(target_rate))


def load_reference(path: Path | str) -> tuple[np.ndarray, int]:
    """Read any file libsndfile understands; unreadable files raise BadReference."""
    import soundfile as sf

    path = Path(path)
    if not path.is_file():
        raise BadReference(not_a_file_message(path, "reference file"))
    try:
        data, sr = sf.read(str(path), dtype="float32", always_2d=True)
    except (RuntimeError, sf.LibsndfileError, ValueError, OSError) as exc:
        raise BadReference(
            f"{path.name} cannot be read as audio ({str(exc).splitlines()[0] if str(exc) else 'unknown format'}). "
            "Use a WAV, FLAC, OGG or MP3 file."
        ) from exc
    return data, int(sr)
