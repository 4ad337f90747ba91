"""Player against a fake sounddevice whose output callback the test drives.

The feeder thread runs for real; the tests only assert on outcomes that do not depend on
when it runs (what came out, in order; counters; states after waiting on events).
"""

from __future__ import annotations

import threading
import tracemalloc

import numpy as np
import pytest

from studio.audio import BufferStatus, DeviceOpenFailed, Player, PlayerState
from tests.audio.fake_sd import FakeSoundDevice, Flags
from tests.audio.signals import SR, dominant_freq, tone


def ramp(seconds: float) -> np.ndarray:
    """Distinct values everywhere, so any skipped or repeated sample shows."""
    n = int(round(seconds * SR))
    return (np.arange(1, n + 1, dtype=np.float64) / (n + 1)).astype(np.float32)


@pytest.fixture
def sd():
    return FakeSoundDevice()


@pytest.fixture
def player(sd):
    p = Player(sd=sd)
    yield p
    p.close()


def test_plays_a_finished_clip_exactly_then_finishes(sd, player):
    x = ramp(1.0)
    player.play(x, SR)
    stream = sd.last
    assert player.state is PlayerState.PLAYING and stream.active
    out = stream.pull_seconds(1.5)  # runs past the end: silence after the clip
    assert np.array_equal(out[: x.size], x) and not out[x.size:].any()
    assert player.wait_done(5.0)
    assert player.state is PlayerState.FINISHED and player.is_done
    assert not stream.active and player.position == pytest.approx(1.0)
    assert player.underruns == 0
    assert set(stream.stop_threads) <= {"audio-feeder", threading.current_thread().name}


def test_a_clip_longer_than_the_ring_plays_whole(sd):
    with Player(sd=sd, ring_s=0.05) as player:  # ring holds 1200 frames
        x = ramp(2.0)
        player.play(x, SR)
        parts = []
        while sd.last.active and sum(p.size for p in parts) < x.size + SR:
            parts.append(sd.last.pull(480)[:, 0])
            player.pump()  # what the feeder does every few ms
        out = np.concatenate(parts)
        assert np.array_equal(out[: x.size], x)
        assert player.underruns == 0
        assert player.wait_done(5.0)


def test_growing_stream_buffers_plays_and_counts_underruns(sd):
    with Player(sd=sd, start_threshold_s=0.3) as player:
        player.begin_stream()
        stream = sd.last
        assert player.state is PlayerState.BUFFERING
        assert not stream.pull(480).any()  # silence while buffering, not an underrun
        a, b, c = ramp(0.2), -ramp(0.2), ramp(0.1) * 0.5
        player.append(a)
        assert player.state is PlayerState.BUFFERING  # 0.2 s < 0.3 s
        player.append(b)
        assert player.state is PlayerState.PLAYING
        assert np.array_equal(stream.pull(9600)[:, 0], np.concatenate([a, b]))
        assert not stream.pull(480).any()  # ran dry before the end: an underrun
        assert player.underruns == 1 and player.state is PlayerState.BUFFERING
        player.append(c)
        assert player.state is PlayerState.BUFFERING  # rebuffering to the threshold
        assert not stream.pull(480).any()
        assert player.underruns == 1  # still the same stall
        player.end_of_stream()
        assert player.state is PlayerState.PLAYING  # the end is known: play what is left
        out = stream.pull(4800)[:, 0]
        assert np.array_equal(out[:2400], c) and not out[2400:].any()
        assert player.wait_done(5.0) and player.state is PlayerState.FINISHED
        assert stream.stop_threads  # stopped after the tail, by the feeder, not the callback
        assert player.duration == pytest.approx(0.5)
        assert player.underruns == 1


def test_append_to_an_ended_take_is_refused(player):
    player.begin_stream()
    player.append(ramp(0.1))
    player.end_of_stream()
    with pytest.raises(Exception, match="already ended"):
        player.append(ramp(0.1))


def test_pause_and_resume_continue_at_the_same_sample(sd, player):
    x = ramp(1.0)
    player.play(x, SR)
    first = sd.last.pull(6000)[:, 0]
    player.pause()
    assert player.state is PlayerState.PAUSED and not sd.last.active
    assert player.position == pytest.approx(0.25)
    player.resume()
    assert player.state is PlayerState.PLAYING
    second = sd.last.pull(2400)[:, 0]
    assert np.array_equal(np.concatenate([first, second]), x[:8400])


def test_seek_while_playing_paused_and_finished(sd, player):
    x = ramp(1.0)
    player.play(x, SR)
    sd.last.pull(2400)
    player.seek(0.5)
    assert player.state is PlayerState.PLAYING
    assert np.array_equal(sd.last.pull(480)[:, 0], x[12000:12480])
    assert player.position == pytest.approx(0.52)
    player.pause()
    player.seek(0.2)
    assert player.state is PlayerState.PAUSED and player.position == pytest.approx(0.2)
    player.resume()
    assert np.array_equal(sd.last.pull(480)[:, 0], x[4800:5280])
    sd.last.pull_seconds(1.0)
    assert player.wait_done(5.0) and player.state is PlayerState.FINISHED
    player.seek(0.9)
    assert player.state is PlayerState.PAUSED and player.position == pytest.approx(0.9)
    player.resume()
    tail = sd.last.pull(3600)[:, 0]  # the clip's end, then 50 ms of silence (the tail)
    assert np.array_equal(tail[:2400], x[21600:]) and not tail[2400:].any()
    assert player.wait_done(5.0)
    player.seek(99.0)  # clamped to the end
    assert player.position == pytest.approx(1.0)
    player.resume()  # resuming at the end replays from the start
    assert np.array_equal(sd.last.pull(480)[:, 0], x[:480])
    assert len(sd.streams) == 1  # one OutputStream for all of it


def test_stop_and_playing_a_new_clip_replaces_the_old(sd, player):
    a, b = ramp(1.0), -ramp(0.5)
    player.play(a, SR)
    sd.last.pull(480)
    player.play(b, SR)
    assert np.array_equal(sd.last.pull(480)[:, 0], b[:480])
    player.stop()
    assert player.state is PlayerState.IDLE and player.is_done and player.wait_done(0)
    assert not sd.last.active and player.position == 0.0
    player.resume()  # nothing to resume: stays idle
    assert player.state is PlayerState.IDLE


def test_start_policy_hook_sees_the_buffer(sd):
    seen: list[BufferStatus] = []

    def after_one_second(status: BufferStatus) -> bool:
        seen.append(status)
        return status.ended or status.received_s >= 1.0

    with Player(sd=sd, policy=after_one_second) as player:
        player.begin_stream()
        for _ in range(4):
            player.append(ramp(0.2))
        assert player.state is PlayerState.BUFFERING
        player.append(ramp(0.2))
        assert player.state is PlayerState.PLAYING
        assert any(s.received_s == pytest.approx(0.8) and not s.ended for s in seen)


def test_device_that_refuses_24k_gets_resampled_audio():
    sd = FakeSoundDevice(refuse_rates=(24000,), default_samplerate=48000)
    with Player(sd=sd) as player:
        player.play(tone(440, 1.0), SR)
        assert sd.last.samplerate == 48000
        out = sd.last.pull_seconds(1.0, block=960)
        assert abs(out.size - 48000) <= 1
        assert abs(dominant_freq(out, 48000) - 440) < 2
        assert player.position == pytest.approx(1.0, abs=0.001)
        player.begin_stream()  # a growing take is resampled chunk by chunk
        for _ in range(5):
            player.append(tone(440, 0.2))
        player.end_of_stream()
        out = sd.last.pull_seconds(1.0, block=960)
        assert abs(dominant_freq(out, 48000) - 440) < 2


def test_stereo_only_device_gets_the_same_signal_on_both_channels():
    sd = FakeSoundDevice(refuse_mono=True)
    with Player(sd=sd) as player:
        x = ramp(0.1)
        player.play(x, SR)
        out = sd.last.pull(2400)
        assert out.shape == (2400, 2) and np.array_equal(out[:, 0], x)
        assert np.array_equal(out[:, 1], out[:, 0])


def test_a_driver_thread_plays_it_all_while_position_is_read(sd, player):
    x = ramp(2.0)
    player.play(x, SR)
    stream = sd.last
    out: list[np.ndarray] = []

    def audio_thread() -> None:  # stands in for PortAudio's thread
        while stream.active:
            out.append(stream.pull(256)[:, 0])

    t = threading.Thread(target=audio_thread)
    t.start()
    positions = []
    while not player.wait_done(0.001):
        positions.append(player.position)
    t.join(5.0)
    assert np.array_equal(np.concatenate(out)[: x.size], x)
    assert positions == sorted(positions)
    assert player.position == pytest.approx(2.0)


def test_latency_is_taken_off_the_playhead():
    sd = FakeSoundDevice(latency=0.1)
    with Player(sd=sd) as player:
        player.play(ramp(1.0), SR)
        sd.last.pull(SR // 2)
        assert player.position == pytest.approx(0.4)


def test_portaudio_underflow_flags_are_counted(sd, player):
    player.play(ramp(0.5), SR)
    sd.last.pull(480, Flags(output_underflow=True))
    assert player.device_underflows == 1


def test_set_device_opens_the_new_one():
    sd = FakeSoundDevice(outputs=2)
    with Player(sd=sd) as player:
        player.play(ramp(0.1), SR)
        assert sd.last.device == 1
        player.set_device("Speakers 1")
        assert sd.streams[0].closed and player.state is PlayerState.IDLE
        player.play(ramp(0.1), SR)
        assert sd.last.device == 2 and player.device_info.name == "Fake Speakers 1"


def test_start_failure_is_typed(sd, player):
    sd.fail_start = True
    with pytest.raises(DeviceOpenFailed) as info:
        player.play(ramp(0.1), SR)
    assert "Fake Speakers 0" in str(info.value)
    assert player.state is PlayerState.IDLE


def test_callback_allocates_no_buffers(sd):
    with Player(sd=sd, ring_s=20.0) as player:
        player.play(ramp(10.0), SR)
        stream = sd.last
        frames = 4800
        out = np.zeros((frames, 1), np.float32)
        stream.callback(out, frames, None, Flags())
        tracemalloc.start()
        try:
            base = tracemalloc.get_traced_memory()[0]
            tracemalloc.reset_peak()
            for _ in range(40):
                stream.callback(out, frames, None, Flags())
            current, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert peak - base < 4000, peak - base  # a block is 19 kB: no copies were made
        assert np.array_equal(out[:, 0], ramp(10.0)[40 * frames: 41 * frames])


def test_nan_and_inf_never_reach_the_device(sd, player):
    x = ramp(0.1)
    x[10], x[20] = np.nan, np.inf
    player.play(x, SR)
    out = sd.last.pull(2400)[:, 0]
    assert out[10] == 0.0 and out[20] == 0.0 and out[11] == x[11]


def test_the_stream_stops_only_after_a_tail_of_silence(sd):
    with Player(sd=sd, tail_s=0.1) as player:  # 2400 frames of silence after the end
        player.play(ramp(0.1), SR)
        stream = sd.last
        stream.pull(2400)  # the whole clip
        stream.pull(480)  # drained: now the tail
        player.pump()
        assert stream.active and player.state is PlayerState.PLAYING and not player.is_done
        assert player.position == pytest.approx(0.1)
        stream.pull(1920)
        player.pump()
        assert not stream.active and player.state is PlayerState.FINISHED


def test_appends_after_stop_or_a_new_clip_are_dropped(sd, player):
    player.begin_stream()
    player.append(ramp(0.5))
    player.stop()
    player.append(ramp(0.5))  # the engine is still generating; nobody listens
    assert player.state is PlayerState.IDLE and player.duration == 0.0
    player.play(ramp(0.1), SR)
    player.append(ramp(0.5))
    assert player.duration == pytest.approx(0.1)


def test_a_track_another_thread_grows_is_played_as_it_arrives(sd, player):
    from studio.audio.track import Track

    track = Track(16)
    player.stream(track)
    x = ramp(0.5)

    def make() -> None:  # stands in for the engine's thread
        for start in range(0, x.size, 1200):
            track.append(x[start:start + 1200])
        track.end()

    maker = threading.Thread(target=make)
    maker.start()
    maker.join(5.0)
    player.pump()  # what the woken feeder does
    out = sd.last.pull(x.size + 2400)[:, 0]
    assert np.array_equal(out[: x.size], x) and not out[x.size:].any()
    assert player.duration == pytest.approx(0.5)
    assert player.wait_done(5.0)
