"""to_mono and resample live in one place; the engine's reference module re-uses them."""

from __future__ import annotations

import numpy as np
import pytest

from studio.audio import AudioError, Clip, StreamResampler, resample, to_mono
from studio.audio import clip as clip_mod
from tests.audio.signals import dominant_freq, tone


def test_to_mono_layouts():
    st = np.stack([np.ones(100), np.zeros(100)], axis=1).astype(np.float32)
    assert np.allclose(to_mono(st), 0.5)
    assert np.allclose(to_mono(st.T), 0.5)  # (channels, frames) as torch gives it
    assert np.allclose(to_mono(st[:2], channels_last=True), 0.5)  # short clip, told layout
    m = to_mono(np.arange(5))
    assert m.dtype == np.float32 and m.flags.c_contiguous
    with pytest.raises(AudioError):
        to_mono(np.zeros((2, 2, 2)))


def test_resample_rates_and_quality():
    x = tone(1000, 1.0, 48000)
    y = resample(x, 48000, 24000)
    assert y.dtype == np.float32 and y.shape == (24000,)
    assert abs(dominant_freq(y, 24000) - 1000) < 2
    assert resample(x, 48000, 48000) is not None
    assert resample(np.zeros(0, np.float32), 48000, 24000).shape == (0,)
    with pytest.raises(AudioError):
        resample(x, 0, 24000)


def test_stream_resampler_matches_one_shot():
    x = tone(700, 2.0, 44100)
    rs = StreamResampler(44100, 24000)
    parts = [rs.process(x[i:i + 5000]) for i in range(0, x.size, 5000)] + [rs.flush()]
    streamed = np.concatenate(parts)
    whole = resample(x, 44100, 24000)
    assert abs(streamed.size - whole.size) <= 1
    n = min(streamed.size, whole.size)
    assert np.max(np.abs(streamed[:n] - whole[:n])) < 1e-4


def test_clip_requires_mono():
    with pytest.raises(AudioError):
        Clip(np.zeros((10, 2), np.float32), 24000)
    c = Clip(np.zeros(48000), 24000)
    assert c.duration == 2.0 and c.audio.dtype == np.float32


def test_engine_reference_reuses_the_audio_functions():
    from studio.engine import reference
    from studio.engine.errors import BadReference

    x = np.stack([tone(440, 1.5, 48000)] * 2, axis=1)
    assert np.array_equal(reference.to_mono(x), clip_mod.to_mono(x))
    assert np.array_equal(reference.resample(x[:, 0], 48000, 24000),
                          clip_mod.resample(x[:, 0], 48000, 24000))
    out = reference.prepare_reference(x, 48000, 24000)
    assert out.shape == (36000,) and out.dtype == np.float32
    with pytest.raises(BadReference):
        reference.to_mono(np.zeros((2, 2, 2)))
    assert callable(reference.load_reference)
