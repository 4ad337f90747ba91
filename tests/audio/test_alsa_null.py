"""Player and Recorder on real PortAudio streams over ALSA's null device (unpaced, silent).

Checks the plumbing the fake cannot: real CallbackFlags, real stream start/stop/abort from
the controlling threads, the device's own buffer sizes.
"""

from __future__ import annotations

import numpy as np
import pytest

from studio.audio import Player, PlayerState, Recorder, RecorderState, list_devices
from tests.audio.signals import SR, tone

pytestmark = [pytest.mark.audio, pytest.mark.timeout(60)]


def test_player_runs_a_clip_to_the_end_and_can_seek_and_replay(alsa_null):
    assert any(d.name == alsa_null for d in list_devices().outputs)
    with Player(device=alsa_null) as player:
        player.play(tone(440, 2.0), SR)
        assert player.wait_done(10)
        assert player.state is PlayerState.FINISHED and player.underruns == 0
        assert player.position == pytest.approx(2.0)
        player.seek(1.0)
        assert player.state is PlayerState.PAUSED and player.position == pytest.approx(1.0)
        player.resume()
        assert player.wait_done(10) and player.state is PlayerState.FINISHED
        player.begin_stream()  # a growing take on the same stream
        for _ in range(5):
            player.append(tone(440, 0.2))
        player.end_of_stream()
        assert player.wait_done(10) and player.duration == pytest.approx(1.0)


def test_recorder_fills_to_its_limit(alsa_null):
    rec = Recorder(device=alsa_null, max_seconds=1.0)
    rec.start()
    try:
        assert rec.wait_limit(10)
        assert rec.state is RecorderState.LIMIT_REACHED
        clip = rec.stop()
    finally:
        rec.close()
    assert clip.sample_rate == SR and clip.frames == pytest.approx(SR, abs=2)
    # ALSA's null capture hands over uninitialised memory (NaN and wild values included):
    # the recorder must zero/clip it rather than let it into a take
    assert np.isfinite(clip.audio).all() and float(np.max(np.abs(clip.audio))) <= 1.0
    assert rec.ring_overflows == 0
