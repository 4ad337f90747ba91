"""Track: one thread grows a take while others read it (the player's feeder, the waveform)."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from studio.audio.track import Track


def test_views_stay_valid_and_unchanged_after_the_track_grows() -> None:
    track = Track(4)
    track.append(np.arange(3, dtype=np.float32))
    early = track.view(0, 3)
    for _ in range(10):  # several reallocations
        track.append(np.ones(5, np.float32))
    assert np.array_equal(early, [0, 1, 2]) and not early.flags.writeable
    assert track.length == 53 and np.array_equal(track.view(0, 4), [0, 1, 2, 1])


def test_a_reader_on_another_thread_sees_every_frame_in_order() -> None:
    track = Track(8)
    x = np.arange(20_000, dtype=np.float32)
    woken = threading.Event()
    track.wake(woken)
    seen: list[np.ndarray] = []

    def read() -> None:
        pos = 0
        while True:
            woken.wait(1.0)
            woken.clear()
            ended = track.ended  # before the length: an ended track's length is final
            length = track.length
            seen.append(track.view(pos, length))
            pos = length
            if ended:
                return

    reader = threading.Thread(target=read)
    reader.start()
    for start in range(0, len(x), 700):
        track.append(x[start:start + 700])
    track.end()
    reader.join(5.0)
    assert np.array_equal(np.concatenate(seen), x)


def test_garbage_becomes_silence_and_an_ended_track_takes_no_more() -> None:
    track = Track()
    track.append(np.array([0.5, np.nan, np.inf, -np.inf], np.float32))
    assert np.array_equal(track.audio(), [0.5, 0.0, 0.0, 0.0])
    track.end()
    with pytest.raises(ValueError, match="ended"):
        track.append(np.zeros(1, np.float32))


def test_of_shares_a_finished_clip() -> None:
    audio = np.linspace(-1, 1, 100, dtype=np.float32)
    track = Track.of(audio)
    assert track.ended and track.length == 100
    assert np.shares_memory(track.audio(), audio)
