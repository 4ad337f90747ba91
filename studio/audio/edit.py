"""Small edits on mono float32 arrays: trim, trim silence, normalise, fades.

Pure functions that return new arrays, so the GUI can keep the original for undo.
"""

from __future__ import annotations

import numpy as np

from studio.audio.errors import AudioError
from studio.audio.levels import detect_speech, frame_power, power_db, speech_bounds

DEFAULT_TARGET_DBFS = -20.0
DEFAULT_CEILING_DBFS = -1.0


def _mono(audio: np.ndarray) -> np.ndarray:
    a = np.asarray(audio, dtype=np.float32)
    if a.ndim != 1:
        raise AudioError("Edits work on mono audio. Mix the clip to mono first.")
    return a


def trim(audio: np.ndarray, sample_rate: int, start_s: float, end_s: float) -> np.ndarray:
    """A copy of [start_s, end_s); the bounds are clamped to the clip."""
    a = _mono(audio)
    lo = min(a.shape[0], max(0, int(round(start_s * sample_rate))))
    hi = min(a.shape[0], max(0, int(round(end_s * sample_rate))))
    if hi <= lo:
        raise AudioError(
            f"The selection {start_s:.2f}-{end_s:.2f} s is empty. Select a part of the clip."
        )
    return a[lo:hi].copy()


def trim_silence(audio: np.ndarray, sample_rate: int, pad_s: float = 0.1) -> np.ndarray:
    """Drop leading and trailing silence, keeping ``pad_s`` around the speech.

    A clip with no speech at all comes back unchanged (there is nothing to keep it for).
    """
    a = _mono(audio)
    b = speech_bounds(a, sample_rate, pad_s=pad_s)
    if b is None:
        return a.copy()
    return trim(a, sample_rate, *b)


def rms_dbfs(audio: np.ndarray, sample_rate: int, speech_only: bool = True) -> float:
    """RMS level in dBFS, of the speech frames by default (pauses would drag it down)."""
    a = _mono(audio)
    if a.size == 0:
        return float(power_db(0.0))
    if speech_only:
        act = detect_speech(a, sample_rate)
        if act.speech.any():
            return act.speech_db()
    return float(power_db(float(frame_power(a, a.size)[0])))


def normalize(
    audio: np.ndarray,
    sample_rate: int,
    target_dbfs: float = DEFAULT_TARGET_DBFS,
    ceiling_dbfs: float = DEFAULT_CEILING_DBFS,
    speech_only: bool = True,
) -> np.ndarray:
    """Scale so the speech RMS reaches ``target_dbfs``, never letting a peak pass the ceiling.

    The ceiling wins over the target: a clip with loud transients ends up quieter than the
    target rather than clipped. Silence is returned unchanged.
    """
    a = _mono(audio)
    peak = float(np.max(np.abs(a))) if a.size else 0.0
    if peak <= 1e-6:
        return a.copy()
    level = rms_dbfs(a, sample_rate, speech_only=speech_only)
    gain = 10 ** ((target_dbfs - level) / 20)
    gain = min(gain, 10 ** (ceiling_dbfs / 20) / peak)
    return (a * np.float32(gain)).astype(np.float32)


def fade(
    audio: np.ndarray, sample_rate: int, fade_in_s: float = 0.01, fade_out_s: float = 0.01
) -> np.ndarray:
    """Raised-cosine fades at both ends (avoids clicks at cut points)."""
    a = _mono(audio).copy()
    n = a.shape[0]
    for length, at_start in ((int(fade_in_s * sample_rate), True),
                             (int(fade_out_s * sample_rate), False)):
        length = min(length, n)
        if length <= 0:
            continue
        ramp = (0.5 - 0.5 * np.cos(np.linspace(0.0, np.pi, length, dtype=np.float64)))
        ramp = ramp.astype(np.float32)
        if at_start:
            a[:length] *= ramp
        else:
            a[n - length:] *= ramp[::-1]
    return a
