"""Recorder against a fake sounddevice whose input callback the test drives."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

from studio.audio import DeviceOpenFailed, Recorder, RecorderState
from tests.audio.fake_sd import FakeSoundDevice, Flags
from tests.audio.signals import SR, dominant_freq, tone


def blocks(x: np.ndarray, n: int = 480):
    for i in range(0, x.shape[0], n):
        yield x[i:i + n]


def test_records_exactly_what_came_in():
    sd = FakeSoundDevice()
    rec = Recorder(sd=sd, max_seconds=5)
    rec.start()
    stream = sd.last
    assert stream.active and stream.samplerate == SR and stream.channels == 1
    assert rec.state is RecorderState.RECORDING
    x = np.random.default_rng(0).uniform(-0.5, 0.5, SR).astype(np.float32)
    for b in blocks(x):
        stream.push(b)
    assert rec.recorded_seconds == pytest.approx(1.0)
    clip = rec.stop()
    assert np.array_equal(clip.audio, x)
    assert clip.sample_rate == SR and clip.source.sample_rate == SR
    assert rec.state is RecorderState.STOPPED and stream.closed
    assert rec.input_overflows == rec.ring_overflows == 0


def test_level_meter_reads_peak_and_rms():
    sd = FakeSoundDevice()
    rec = Recorder(sd=sd)
    assert rec.level().peak_dbfs == -120.0
    rec.start()
    sd.last.push(tone(1000, 0.02, amp=0.5))  # 480 samples = 20 whole periods
    level = rec.level()
    assert level.peak_dbfs == pytest.approx(-6.02, abs=0.05)
    assert level.rms_dbfs == pytest.approx(-9.03, abs=0.05)
    sd.last.push(np.zeros(480, np.float32))
    assert rec.level().peak_dbfs == -120.0
    rec.stop()
    assert rec.level().rms_dbfs == -120.0


def test_length_limit_stops_accepting_and_says_so():
    sd = FakeSoundDevice()
    rec = Recorder(sd=sd, max_seconds=0.1)  # 2400 frames
    rec.start()
    assert not rec.wait_limit(0)
    x = np.arange(3000, dtype=np.float32) / 3000
    for b in blocks(x, 700):
        sd.last.push(b)
    assert rec.limit_reached and rec.wait_limit(1.0)
    assert rec.state is RecorderState.LIMIT_REACHED
    sd.last.push(np.ones(480, np.float32))  # ignored
    clip = rec.stop()
    assert np.array_equal(clip.audio, x[:2400])


def test_input_overflow_flags_are_counted():
    sd = FakeSoundDevice()
    rec = Recorder(sd=sd)
    rec.start()
    sd.last.push(np.zeros(480, np.float32), Flags(input_overflow=True))
    sd.last.push(np.zeros(480, np.float32))
    sd.last.push(np.zeros(480, np.float32), Flags(input_overflow=True))
    assert rec.input_overflows == 2
    assert rec.stop().frames == 1440


def test_ring_overflow_when_nobody_drains_and_none_when_drained():
    sd = FakeSoundDevice()
    rec = Recorder(sd=sd, buffer_s=0.03)  # 720 frames
    rec.start()
    x = np.arange(1440, dtype=np.float32) / 1440
    sd.last.push(x[:480])
    sd.last.push(x[480:960])
    assert rec.ring_overflows == 1 and rec.dropped_frames == 240
    rec.start()  # a fresh recording resets everything
    assert rec.ring_overflows == 0
    parts = []
    for b in blocks(x):
        sd.last.push(b)
        parts.append(rec.read_new())  # what a live waveform would do
    assert np.array_equal(np.concatenate(parts), x)
    assert rec.ring_overflows == 0
    assert np.array_equal(rec.stop().audio, x)


def test_stereo_only_device_is_mixed_down():
    sd = FakeSoundDevice(refuse_mono=True)
    rec = Recorder(sd=sd)
    rec.start()
    assert sd.last.channels == 2
    left, right = tone(300, 0.1), np.zeros(2400, np.float32)
    sd.last.push(np.stack([left, right], axis=1))
    assert np.allclose(rec.stop().audio, left / 2, atol=1e-7)


def test_device_that_refuses_24k_is_recorded_at_its_rate_and_resampled():
    sd = FakeSoundDevice(refuse_rates=(24000,), default_samplerate=48000)
    rec = Recorder(sd=sd)
    rec.start()
    assert sd.last.samplerate == 48000 and rec.device_rate == 48000
    for b in blocks(tone(1000, 1.0, 48000), 960):
        sd.last.push(b)
    clip = rec.stop()
    assert clip.sample_rate == SR and abs(clip.frames - SR) <= 1
    assert clip.source.sample_rate == 48000
    assert abs(dominant_freq(clip.audio, SR) - 1000) < 2


def test_clip_while_recording_and_stop_at_any_time():
    sd = FakeSoundDevice()
    rec = Recorder(sd=sd)
    rec.start()
    sd.last.push(np.ones(480, np.float32))
    assert rec.clip().frames == 480 and rec.state is RecorderState.RECORDING
    sd.last.push(np.ones(240, np.float32))
    assert rec.stop().frames == 720
    assert Recorder(sd=sd).stop().frames == 0  # never started: empty clip


def test_start_failure_is_typed():
    sd = FakeSoundDevice()
    sd.fail_start = True
    rec = Recorder(sd=sd)
    with pytest.raises(DeviceOpenFailed) as info:
        rec.start()
    assert "Fake Mic 0" in str(info.value) and rec.state is RecorderState.IDLE


def test_callback_allocates_no_buffers():
    sd = FakeSoundDevice(refuse_mono=True)  # stereo: exercises the mix-down path too
    rec = Recorder(sd=sd, max_seconds=10)
    rec.start()
    stream = sd.last
    frames = 4800  # 19 kB mono, 38 kB stereo: any per-call copy would dwarf the view objects
    block = np.ascontiguousarray(np.zeros((frames, 2), np.float32))
    stream.callback(block, frames, None, Flags())  # warm up
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        for _ in range(100):
            stream.callback(block, frames, None, Flags())
        current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak - base < 4000, (peak - base)  # a few numpy views and scalars, nothing more
    assert current - base < 1000
    rec.stop()


def test_garbage_from_a_driver_is_zeroed_and_clipped():
    sd = FakeSoundDevice()
    rec = Recorder(sd=sd)
    rec.start()
    good = tone(440, 0.02)
    bad = good.copy()
    bad[5], bad[6], bad[7] = np.nan, np.inf, 1e30
    sd.last.push(good)
    sd.last.push(bad)
    assert rec.invalid_blocks == 1
    assert rec.level().peak_dbfs <= 0.0
    audio = rec.stop().audio
    assert np.array_equal(audio[:480], good)
    assert audio[485] == 0 and audio[486] == 0 and audio[487] == 1.0
    assert np.array_equal(audio[488:], bad[8:])
