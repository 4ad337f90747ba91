"""Synthetic audio for tests and benchmarks, so they need no recordings."""

from __future__ import annotations

import numpy as np

from studio.audio.samplerate import SAMPLE_RATE


def voice_like(seconds: float = 3.0, sr: int = SAMPLE_RATE, f0: float = 140.0, seed: int = 0) -> np.ndarray:
    """A harmonic, syllable-modulated signal: enough like speech for the encoders and the
    reference check (not for a listener)."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * sr)) / sr
    wave = sum(np.sin(2 * np.pi * f0 * k * t) / k for k in range(1, 6))
    envelope = 0.5 + 0.5 * np.sin(2 * np.pi * 4.0 * t)
    return (0.15 * wave * envelope + 0.003 * rng.standard_normal(t.size)).astype(np.float32)
