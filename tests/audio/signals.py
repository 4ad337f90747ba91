"""Synthetic test signals: tones, and tone-burst "speech" with pauses (deterministic)."""

from __future__ import annotations

import numpy as np

from studio.audio.samplerate import SAMPLE_RATE

SR = SAMPLE_RATE


def tone(freq: float, seconds: float, sr: int = SR, amp: float = 0.5) -> np.ndarray:
    t = np.arange(int(round(seconds * sr))) / sr
    return (amp * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def dominant_freq(x: np.ndarray, sr: int) -> float:
    x = np.asarray(x, dtype=np.float64)
    spec = np.abs(np.fft.rfft(x * np.hanning(x.size)))
    return float(np.fft.rfftfreq(x.size, 1.0 / sr)[int(np.argmax(spec))])


def speech(seconds: float, sr: int = SR, level: float = 0.3, seed: int = 0,
           phrase_s: float = 2.0, pause_s: float = 0.5) -> np.ndarray:
    """Tone bursts shaped like syllables (0.2 s on, 0.08 s gap) in phrases with pauses."""
    rng = np.random.default_rng(seed)
    out = np.zeros(int(round(seconds * sr)), dtype=np.float32)
    t = 0.0
    while t < seconds:
        end = min(seconds, t + phrase_s)
        while t < end:
            n = int(min(0.2, end - t) * sr)
            f0 = rng.uniform(110, 220)
            tt = np.arange(n) / sr
            burst = sum(np.sin(2 * np.pi * f0 * k * tt) / k for k in (1, 2, 3))
            a = int(t * sr)
            out[a:a + n] = (level * 0.6 * burst * np.hanning(n))[: out.size - a]
            t += 0.28
        t = end + pause_s
    return out


def with_noise(x: np.ndarray, noise_dbfs: float, seed: int = 1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return (x + rng.standard_normal(x.size) * 10 ** (noise_dbfs / 20)).astype(np.float32)


def silence(seconds: float, sr: int = SR) -> np.ndarray:
    return np.zeros(int(round(seconds * sr)), dtype=np.float32)
