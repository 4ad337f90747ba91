"""Player and Recorder through real PortAudio streams on a private PulseAudio null sink.

Playback there is paced in real time, and the sink's monitor records what was played, so
these tests check that the right sound came out (and went in), not just that calls return.
"""

from __future__ import annotations

import threading

import numpy as np
import pytest

from studio.audio import Player, PlayerState, Recorder, RecorderState, list_devices
from tests.audio.signals import SR, dominant_freq, tone

pytestmark = [pytest.mark.audio, pytest.mark.timeout(60)]


def active_span(x: np.ndarray, level: float = 0.05) -> tuple[int, int]:
    idx = np.flatnonzero(np.abs(x) > level)
    assert idx.size, "nothing audible was captured"
    return int(idx[0]), int(idx[-1]) + 1


def mismatch(captured: np.ndarray, sent: np.ndarray) -> tuple[int, int]:
    """Align ``sent`` inside ``captured`` (cross-correlation) and compare sample by sample.

    Returns (first, last) index of samples of ``sent`` that did not come out (|diff| > 1e-3),
    or (-1, -1) if all did. Float32 at 24 kHz and 100% volume passes PulseAudio unchanged.
    """
    n = captured.size + sent.size
    size = 1 << (n - 1).bit_length()
    corr = np.fft.irfft(np.fft.rfft(captured, size) * np.conj(np.fft.rfft(sent, size)), size)
    lag = int(np.argmax(corr[: captured.size]))
    seg = np.zeros_like(sent)
    part = captured[lag: lag + sent.size]
    seg[: part.size] = part
    bad = np.flatnonzero(np.abs(seg - sent) > 1e-3)
    return (int(bad[0]), int(bad[-1])) if bad.size else (-1, -1)


def assert_came_out(captured: np.ndarray, sent: np.ndarray, exact_start: bool) -> None:
    """Every sample of ``sent`` is in ``captured``, in order. Without norewinds (older
    PulseAudio) the monitor misses a new stream's first ~15 ms, pacat's as well as ours."""
    _first, last = mismatch(captured, sent)
    allowed = -1 if exact_start else int(0.025 * SR)
    assert last <= allowed, f"samples up to {last} of {sent.size} did not come out"


def heard_then_quiet(seconds: float) -> object:
    """Predicate: sound was captured and has been followed by ``seconds`` of silence."""
    quiet = int(seconds * SR)

    def done(samples: np.ndarray) -> bool:
        loud = np.flatnonzero(np.abs(samples) > 0.05)
        return loud.size > 0 and samples.size - loud[-1] > quiet

    return done


def test_the_pulse_device_is_listed(pulse):
    devices = list_devices()
    assert any(d.name == "pulse" for d in devices.outputs)
    assert any(d.name == "pulse" for d in devices.inputs)


def test_player_plays_the_right_sound(pulse):
    sent = np.concatenate([tone(440, 0.4), tone(880, 0.4)])
    with pulse.capture() as cap, Player(device=pulse.device) as player:
        player.play(sent, SR)
        assert player.state in (PlayerState.PLAYING, PlayerState.FINISHED)
        assert player.wait_done(10)
        assert player.state is PlayerState.FINISHED and player.position == pytest.approx(0.8)
        assert cap.wait_until(heard_then_quiet(0.2), timeout=10)
        got = cap.samples()
    a, b = active_span(got)
    heard = got[a:b]
    assert heard.size == pytest.approx(sent.size, abs=SR * 0.025)
    half = heard.size // 2
    assert dominant_freq(heard[:half], SR) == pytest.approx(440, abs=5)
    assert dominant_freq(heard[half:], SR) == pytest.approx(880, abs=5)
    assert_came_out(got, sent, pulse.exact_start)
    assert player.underruns == 0


def test_player_plays_a_growing_stream_without_gaps(pulse):
    chunks = [tone(440 + 110 * (i % 3), 0.16) for i in range(6)]  # like engine chunks
    sent = np.concatenate(chunks)
    with pulse.capture() as cap, Player(device=pulse.device, start_threshold_s=0.3) as player:
        player.begin_stream()
        assert player.state is PlayerState.BUFFERING

        def engine() -> None:  # appends from another thread, faster than real time
            for c in chunks:
                player.append(c)
            player.end_of_stream()

        t = threading.Thread(target=engine)
        t.start()
        t.join(10)
        assert player.wait_done(10)
        assert cap.wait_until(heard_then_quiet(0.2), timeout=10)
        got = cap.samples()
    assert player.underruns == 0
    a, b = active_span(got)
    assert b - a == pytest.approx(sent.size, abs=SR * 0.025)
    assert_came_out(got, sent, pulse.exact_start)


def test_recorder_records_what_is_played_into_the_sink(pulse):
    sent = tone(660, 0.6, amp=0.5)
    rec = Recorder(device=pulse.device, max_seconds=1.2)
    rec.start()
    try:
        assert rec.state is RecorderState.RECORDING
        pacat = pulse.play_raw(sent)
        assert rec.wait_limit(10), "the recording never reached its length limit"
        assert pacat.wait(10) == 0
        clip = rec.stop()
    finally:
        rec.close()
    assert rec.limit_reached
    assert clip.sample_rate == SR and clip.duration == pytest.approx(1.2, abs=0.01)
    a, b = active_span(clip.audio)
    assert (b - a) / SR == pytest.approx(0.6, abs=0.05) or b == clip.frames  # may be cut
    assert dominant_freq(clip.audio[a:b], SR) == pytest.approx(660, abs=5)
    assert float(np.max(np.abs(clip.audio))) == pytest.approx(0.5, abs=0.02)
    assert rec.input_overflows == 0 and rec.ring_overflows == 0
