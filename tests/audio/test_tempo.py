"""studio.audio.tempo: the length changes by the factor, the pitch does not, and the
streamed form joins its segments without a click."""

from __future__ import annotations

import numpy as np
import pytest

from studio.audio.tempo import TempoStream, change_tempo
from tests.audio.signals import SR, dominant_freq, speech, tone


def largest_step(x: np.ndarray) -> float:
    """The largest jump between neighbouring samples: a click stands out as a big one."""
    return float(np.abs(np.diff(x)).max())


def streamed(audio: np.ndarray, factor: float, sizes: list[int]) -> np.ndarray:
    stretch = TempoStream(SR, factor)
    out, start, i = [], 0, 0
    while start < len(audio):
        n = sizes[i % len(sizes)]
        out.append(stretch.push(audio[start:start + n]))
        start, i = start + n, i + 1
    out.append(stretch.finish())
    return np.concatenate(out)


@pytest.mark.parametrize("factor", [0.25, 0.8, 1.25, 2.0, 4.0])
def test_change_tempo_keeps_the_pitch(factor):
    audio = tone(220, 2.0)
    out = change_tempo(audio, SR, factor)
    assert len(out) == round(len(audio) / factor)
    assert abs(dominant_freq(out, SR) - 220) < 3


def test_speed_one_and_empty_audio_pass_through():
    audio = tone(220, 0.5)
    assert np.array_equal(change_tempo(audio, SR, 1.0), audio)
    assert change_tempo(np.zeros(0, np.float32), SR, 2.0).size == 0
    with pytest.raises(ValueError, match="0.25-4.0"):
        change_tempo(audio, SR, 5.0)
    one = TempoStream(SR, 1.0)
    assert np.array_equal(one.push(audio), audio) and one.finish().size == 0


@pytest.mark.parametrize("factor", [0.5, 1.25, 3.0])
@pytest.mark.parametrize("signal", ["tone", "speech"])
def test_stream_joins_without_clicks(factor, signal):
    audio = tone(220, 4.0) if signal == "tone" else speech(4.0)
    sizes = [3840, 1000, 7680, 5000]  # uneven chunks, as a take streams them
    out = streamed(audio, factor, sizes)
    whole = change_tempo(audio, SR, factor)
    assert abs(len(out) - len(whole)) <= 8  # a rounding per segment at most
    assert largest_step(out) <= 1.2 * largest_step(whole) + 1e-3
    # stretching each chunk on its own, the naive way, clicks at the joins
    naive = np.concatenate([change_tempo(audio[i:i + 3840], SR, factor)
                            for i in range(0, len(audio), 3840)])
    assert largest_step(naive) > 3 * largest_step(whole)
    if signal == "tone":
        assert abs(dominant_freq(out, SR) - 220) < 3


def test_stream_sends_audio_before_the_end():
    stretch = TempoStream(SR, 1.5)
    audio = speech(6.0)
    got = [len(stretch.push(audio[i:i + 4000])) for i in range(0, len(audio), 4000)]
    assert sum(got) > 0.5 * len(audio) / 1.5  # most of it came while audio still arrived
    first = next(i for i, n in enumerate(got) if n)
    assert first * 4000 <= 2.0 * SR + 4000  # within one segment (2 s at most)
