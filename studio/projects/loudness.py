"""Loudness presets, measured with ITU-R BS.1770 (pyloudnorm) and a true-peak meter.

- ``acx`` (audiobooks, Audible/ACX): RMS between -23 and -18 dB (aimed at -20), peaks at
  most -3 dBFS;
- ``podcast``: -16 LUFS integrated, true peak at most -1 dBTP;
- ``ebu`` (broadcast, EBU R128): -23 LUFS integrated, true peak at most -1 dBTP.

One gain brings the level to the target; where that would push peaks over the ceiling, a
look-ahead limiter (which never lets a sample through above the ceiling) takes them down,
and the gain is measured and corrected again. The result is a per-sample gain, so the same
gain applied to every stem keeps the stems adding up to the mix.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from studio.errors import InvalidInput

OVERSAMPLE = 4  # BS.1770-4 Annex 2: true peak from 4x oversampling
LIMIT_WINDOW_S = 0.005  # the limiter's look-ahead (and release) half-window
TOLERANCE = 0.1  # dB/LU: close enough to the target to stop correcting


@dataclass(frozen=True)
class Preset:
    name: str
    target: float  # LUFS integrated, or dB RMS when ``rms``
    ceiling: float  # dBTP (true peak) the result stays at or under
    rms: bool = False
    low: float | None = None  # the accepted range, where the standard gives one
    high: float | None = None

    def describe(self) -> str:
        unit = "dB RMS" if self.rms else "LUFS"
        return f"{self.name}: {self.target:g} {unit}, peaks at most {self.ceiling:g} dBTP"


PRESETS = {
    "acx": Preset("audiobook (ACX)", -20.0, -3.5, rms=True, low=-23.0, high=-18.0),
    "podcast": Preset("podcast", -16.0, -1.0),
    "ebu": Preset("broadcast (EBU R128)", -23.0, -1.0),
}


@dataclass(frozen=True)
class Measured:
    integrated_lufs: float
    rms_db: float
    true_peak_db: float
    sample_peak_db: float

    def describe(self) -> str:
        return (f"{self.integrated_lufs:.1f} LUFS integrated, {self.rms_db:.1f} dB RMS, true "
                f"peak {self.true_peak_db:.1f} dBTP, sample peak {self.sample_peak_db:.1f} dBFS")


def preset(name: str) -> Preset:
    try:
        return PRESETS[name.strip().lower()]
    except KeyError:
        raise InvalidInput(f"There is no loudness preset {name!r}; choose "
                           f"{', '.join(PRESETS)}.") from None


def _db(x: float) -> float:
    return 20.0 * math.log10(x) if x > 0 else -math.inf


def integrated(audio: np.ndarray, sample_rate: int) -> float:
    import pyloudnorm

    x = np.asarray(audio, dtype=np.float64)
    if len(x) < int(0.4 * sample_rate):
        x = np.concatenate([x, np.zeros(int(0.4 * sample_rate) - len(x) + 1)])
    with np.errstate(divide="ignore"):
        return float(pyloudnorm.Meter(sample_rate).integrated_loudness(x))


def true_peak(audio: np.ndarray, sample_rate: int) -> float:
    """The true peak in dBTP: the highest magnitude of the 4x-oversampled signal."""
    import soxr

    stream = soxr.ResampleStream(sample_rate, sample_rate * OVERSAMPLE, 1, dtype="float32")
    x = np.asarray(audio, dtype=np.float32)
    peak = float(np.max(np.abs(x))) if x.size else 0.0
    step = sample_rate * 10
    for k in range(0, len(x), step):
        out = stream.resample_chunk(x[k:k + step], last=k + step >= len(x))
        if out.size:
            peak = max(peak, float(np.max(np.abs(out))))
    return _db(peak)


def measure(audio: np.ndarray, sample_rate: int) -> Measured:
    x = np.asarray(audio, dtype=np.float32)
    rms = float(np.sqrt(np.mean(np.square(x, dtype=np.float64)))) if x.size else 0.0
    peak = float(np.max(np.abs(x))) if x.size else 0.0
    return Measured(integrated(x, sample_rate), _db(rms), true_peak(x, sample_rate), _db(peak))


def _level(audio: np.ndarray, sample_rate: int, p: Preset) -> float:
    if p.rms:
        return _db(float(np.sqrt(np.mean(np.square(audio, dtype=np.float64)))))
    return integrated(audio, sample_rate)


def limiter_gain(audio: np.ndarray, ceiling: float, half_window: int) -> np.ndarray:
    """Per-sample gain <= 1 that keeps every sample of ``audio * gain`` at or under
    ``ceiling`` (linear), ramping over ``2 * half_window`` samples instead of clipping.

    The needed gain is spread to its neighbours (a minimum over +-w samples), then smoothed
    (a mean over +-w samples): each mean only averages values that were already low enough
    for the sample in the middle, so no sample ever exceeds the ceiling."""
    from scipy.ndimage import minimum_filter1d, uniform_filter1d

    mag = np.abs(audio).astype(np.float64)
    need = np.minimum(1.0, ceiling / np.maximum(mag, 1e-12))
    if need.min() >= 1.0:
        return np.ones(len(audio), dtype=np.float64)
    size = 2 * half_window + 1
    spread = minimum_filter1d(need, size, mode="nearest")
    return np.minimum(uniform_filter1d(spread, size, mode="nearest"), need)


def gain_for(audio: np.ndarray, sample_rate: int, p: Preset) -> np.ndarray:
    """The per-sample gain that brings ``audio`` to preset ``p``."""
    x = np.asarray(audio, dtype=np.float64)
    level = _level(x, sample_rate, p)
    if not math.isfinite(level):
        raise InvalidInput("The audio is silent, so its loudness cannot be set. Render the "
                           "blocks again (their takes hold no sound).")
    gain_db = p.target - level
    margin = 0.3  # dB under the ceiling for the sample-peak limiter; true peaks sit higher
    window = max(1, int(LIMIT_WINDOW_S * sample_rate))
    gain = np.ones(len(x))
    for _round in range(8):
        scaled = x * 10 ** (gain_db / 20)
        gain = 10 ** (gain_db / 20) * limiter_gain(scaled, 10 ** ((p.ceiling - margin) / 20),
                                                   window)
        y = (x * gain).astype(np.float32)
        peak_over = true_peak(y, sample_rate) - p.ceiling
        error = p.target - _level(y, sample_rate, p)
        if peak_over > 0:
            margin += peak_over + 0.05
            continue
        if abs(error) <= TOLERANCE:
            break
        gain_db += error
    return gain.astype(np.float32)
