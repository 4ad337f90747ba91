"""Edits: trim, trim silence, normalise with a peak ceiling, fades."""

from __future__ import annotations

import numpy as np
import pytest

from studio.audio import AudioError, fade, normalize, rms_dbfs, trim, trim_silence
from tests.audio.signals import SR, silence, speech, tone, with_noise


def test_trim_is_an_exact_copy_of_the_selection():
    x = np.arange(SR * 2, dtype=np.float32)
    y = trim(x, SR, 0.5, 1.25)
    assert np.array_equal(y, x[12000:30000])
    y[0] = -1
    assert x[12000] == 12000  # a copy, not a view
    assert trim(x, SR, -1.0, 99.0).shape[0] == x.shape[0]  # clamped
    with pytest.raises(AudioError):
        trim(x, SR, 1.0, 1.0)
    with pytest.raises(AudioError):
        trim(np.zeros((10, 2), np.float32), SR, 0, 1)


def test_trim_silence_keeps_the_speech_and_a_pad():
    body = speech(4.0)
    x = with_noise(np.concatenate([silence(3.0), body, silence(2.0)]), -80)
    y = trim_silence(x, SR, pad_s=0.1)
    assert 3.9 < y.shape[0] / SR < 4.3
    assert trim_silence(silence(1.0), SR).shape[0] == SR  # nothing to keep: unchanged


def test_normalize_reaches_the_target():
    x = speech(6.0, level=0.02)
    y = normalize(x, SR, target_dbfs=-20.0, ceiling_dbfs=-1.0)
    assert rms_dbfs(y, SR) == pytest.approx(-20.0, abs=0.3)
    assert y.dtype == np.float32 and y.shape == x.shape


def test_normalize_never_passes_the_peak_ceiling():
    x = speech(6.0, level=0.02)
    x[SR] = 0.9  # one loud click
    y = normalize(x, SR, target_dbfs=-12.0, ceiling_dbfs=-3.0)
    assert float(np.max(np.abs(y))) == pytest.approx(10 ** (-3 / 20), rel=1e-4)
    assert rms_dbfs(y, SR) < -12.0


def test_normalize_leaves_silence_alone():
    assert not normalize(silence(1.0), SR).any()


def test_rms_dbfs_of_a_full_scale_sine():
    assert rms_dbfs(tone(440, 1.0, amp=1.0), SR, speech_only=False) == pytest.approx(-3.01,
                                                                                     abs=0.01)


def test_fades():
    x = np.ones(SR, dtype=np.float32)
    y = fade(x, SR, fade_in_s=0.01, fade_out_s=0.02)
    assert y[0] == 0.0 and y[-1] == 0.0
    assert np.all(np.diff(y[:240]) >= 0) and np.all(np.diff(y[-480:]) <= 0)
    assert np.array_equal(y[240:-480], x[240:-480])
    assert x[0] == 1.0  # input untouched
    short = fade(np.ones(10, np.float32), SR, 1.0, 1.0)  # longer than the clip
    assert short.shape == (10,) and short[0] == 0.0
