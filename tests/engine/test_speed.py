"""Speed modes: the fast mode runs, differs a little from exact, and both can be loaded."""

from __future__ import annotations

import numpy as np
import pytest

from studio.engine import speed
from studio.engine.options import Sampling
from studio.engine.speak_request import PRESET, SpeakRequest, run


def test_fast_mode_generates_and_sits_beside_exact(tiny_models_dir):
    from studio.engine.pool import ModelPool

    pool = ModelPool(device="cpu", roots=[tiny_models_dir], max_loaded=2)
    req = dict(text="Fast or exact?", mode=PRESET, language="english", speaker="ryan",
               sampling=Sampling(seed=3, max_frames=6, greedy=True))
    exact = run(pool, SpeakRequest(**req))
    fast = run(pool, SpeakRequest(**req, speed=speed.FAST))
    again = run(pool, SpeakRequest(**req, speed=speed.FAST))
    assert len(fast.audio) == len(exact.audio) == 6 * 1920
    np.testing.assert_array_equal(fast.audio, again.audio)  # fast is repeatable too
    assert not np.array_equal(fast.audio, exact.audio)
    assert sorted(m.speed for m in pool.loaded()) == ["exact", "fast"]
    pool.unload()


def test_unknown_speed_is_refused():
    with pytest.raises(ValueError, match="unknown speed"):
        speed.apply(object(), "cpu", "ludicrous")


def test_thread_counts_leave_a_core_free():
    assert speed.cpu_threads(3) == 3
    assert 1 <= speed.cpu_threads() <= 8
    assert speed.decoder_threads(speed.cpu_threads()) >= 1
